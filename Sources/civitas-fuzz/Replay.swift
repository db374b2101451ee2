#if !CIVITAS_FUZZ
    import Foundation

    /// Replays corpus files through the fuzz targets: `civitas-fuzz FILE…`.
    @main
    enum Replay {
        static func main() throws {
            for path in CommandLine.arguments.dropFirst() {
                let data = try Data(contentsOf: URL(fileURLWithPath: path))
                data.withUnsafeBytes { FuzzTargets.run($0) }
            }
        }
    }
#endif
