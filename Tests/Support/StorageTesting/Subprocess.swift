public import Foundation
import Synchronization

/// Runs the programs tests check against (openssl, softhsm2-util, …).
///
/// Launches are serialised with changes to the environment: on Linux, Foundation's `Process.run()` copies the
/// process's environment, and it crashed the test process (a segfault in that copy) when another test changed the
/// environment, or launched a program, at the same moment.
public enum Subprocess {
    private static let launching = Mutex(())

    /// Sets an environment variable of the test process, while no program is being launched.
    public static func setEnvironment(_ name: String, _ value: String) {
        launching.withLock { _ in _ = setenv(name, value, 1) }
    }

    /// Starts `process`, while no other test is starting one.
    public static func launch(_ process: Process) throws {
        try launching.withLock { _ in try process.run() }
    }

    /// Runs `program` with `arguments`; its exit status and its standard output and error together.
    public static func run(_ program: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try launch(process)
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }
}
