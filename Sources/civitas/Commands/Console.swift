import Foundation

/// Writes to standard output at once, so that progress shows even when output goes to a pipe or file.
enum Console {
    static func say(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}
