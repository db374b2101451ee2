import Foundation
import NIOPosix

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The message log's large bodies: one file per spooled body in ``MessageLogConfiguration/bodyDirectory``, its name
/// in the body's row (`exchange_log_bodies.file_name`, exchange migration 6). A file is linked from the spool (or
/// copied, across file systems), synced, and its directory synced, before the statement that commits its record,
/// so that a durable record never points at a file a crash could lose. Files leave with their records when
/// these are archived (the archive holds the bytes).
struct MessageLogBodyFiles: Sendable {
    let directory: URL

    /// Makes `file` the log's own, durably, and returns its name in the directory.
    func keep(_ file: SpoolFile) async throws -> String {
        let directory = self.directory
        return try await NIOThreadPool.singleton.runIfActive {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let name = UUID().uuidString.lowercased() + ".body"
            let target = directory.appendingPathComponent(name).path
            if link(file.path, target) != 0 {
                guard errno == EXDEV else { throw Self.failure("cannot link the spooled body into", target) }
                try FileManager.default.copyItem(atPath: file.path, toPath: target)
            }
            try Self.sync(target, what: "the body file")
            try Self.sync(directory.path, what: "the body directory")
            return name
        }
    }

    /// The bytes of the body file `name`.
    func read(_ name: String) throws -> [UInt8] {
        let url = directory.appendingPathComponent(name)
        do {
            return Array(try Data(contentsOf: url))
        } catch {
            throw ExchangeError(
                .bodyUnavailable, "the logged body \(url.path) cannot be read: \(error.localizedDescription)")
        }
    }

    /// How large the body file `name` is, if it is there.
    func size(_ name: String) -> Int? {
        let attributes = try? FileManager.default.attributesOfItem(atPath: directory.appendingPathComponent(name).path)
        return (attributes?[.size] as? NSNumber)?.intValue
    }

    /// Removes body files whose records are gone (archived) or were never committed.
    func remove(_ names: some Sequence<String>) {
        for name in names { unlink(directory.appendingPathComponent(name).path) }
    }

    private static func sync(_ path: String, what: String) throws {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw failure("cannot open \(what)", path) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw failure("cannot sync \(what)", path) }
    }

    private static func failure(_ what: String, _ path: String) -> ExchangeError {
        ExchangeError(.bodyUnavailable, "the message log \(what) \(path): \(String(cString: strerror(errno)))")
    }
}
