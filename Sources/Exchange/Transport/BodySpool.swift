import Crypto
public import Foundation
public import NIOCore
import NIOPosix

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where an exchange node puts the bodies it receives: a body up to ``memoryLimit`` stays in memory, a larger one
/// goes to a file in ``directory`` as it arrives, hashed on the way, so that a node holds at most a few buffers of
/// any message however large it is. The file is read again to verify nothing (its digest was computed as it was
/// written), to log it (``MessageLog`` links it into its own directory) and to send it on.
public struct BodySpool: Sendable {
    /// Where spool files go; on the same file system as the message log's bodies, so that logging one is a link.
    public let directory: URL
    /// The largest body kept in memory.
    public let memoryLimit: Int

    /// The default: bodies up to 256 KiB in memory.
    public static let defaultMemoryLimit = 256 << 10

    /// A spool in `directory` (created if missing).
    public init(directory: URL, memoryLimit: Int = Self.defaultMemoryLimit) {
        self.directory = directory
        self.memoryLimit = memoryLimit
    }

    /// A spool in the system's temporary directory, for callers that name none (tests, tools).
    public static let temporary = BodySpool(
        directory: FileManager.default.temporaryDirectory.appendingPathComponent("civitas-exchange-spool"))

    /// Where a node keeps its spool: `<data dir>/exchange/spool`.
    public static func defaultDirectory(dataDirectory: String) -> URL {
        URL(fileURLWithPath: dataDirectory).appendingPathComponent("exchange/spool")
    }

    /// Removes what an earlier run of the node left in the spool (files of messages that were under way).
    public func clear() throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path) where name.hasSuffix(".spool") {
            try? FileManager.default.removeItem(at: directory.appendingPathComponent(name))
        }
    }

    /// A body too large, or one that could not be spooled.
    public enum Failure: Error, Sendable {
        /// More than `limit` bytes arrived; reading stopped there.
        case tooLarge(limit: Int)
        /// The source failed.
        case source(any Error)
        /// The spool file could not be written.
        case spool(String)
    }

    /// Takes `source` whole, at most `limit` bytes (reading stops at the first buffer past it).
    public func receive<Source: AsyncSequence>(
        _ source: Source, limit: Int
    ) async throws(Failure) -> MessageBody where Source.Element == ByteBuffer {
        var hasher = SHA256()
        var count = 0
        var pending: [UInt8] = []
        var writer: Writer?
        do {
            for try await buffer in source {
                count += buffer.readableBytes
                guard count <= limit else { throw Failure.tooLarge(limit: limit) }
                buffer.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
                pending.append(contentsOf: buffer.readableBytesView)
                if writer == nil, pending.count > memoryLimit {
                    writer = try Writer(directory: directory)
                }
                if let writer, pending.count >= Writer.batch {
                    try await writer.write(pending)
                    pending.removeAll(keepingCapacity: true)
                }
            }
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure.source(error)
        }
        let digest = Array(hasher.finalize())
        guard let writer else {
            return MessageBody(bytes: pending, digest: digest)
        }
        do {
            if !pending.isEmpty { try await writer.write(pending) }
            try writer.finish()
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure.spool("\(error)")
        }
        return MessageBody(file: writer.file, count: count, digest: digest)
    }

    /// Writes one spool file, in batches, on NIO's blocking-I/O thread pool.
    final class Writer: @unchecked Sendable {
        // Used by one `receive` at a time; the descriptor never changes after `init`.
        static let batch = 256 << 10
        let file: SpoolFile
        private var descriptor: CInt

        init(directory: URL) throws(Failure) {
            do {
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            } catch {
                throw Failure.spool("the spool directory \(directory.path) cannot be created: \(error)")
            }
            let path = directory.appendingPathComponent(UUID().uuidString.lowercased() + ".spool").path
            let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            guard descriptor >= 0 else {
                throw Failure.spool("the spool file \(path) cannot be created: \(String(cString: strerror(errno)))")
            }
            self.descriptor = descriptor
            self.file = SpoolFile(path: path)
        }

        deinit {
            if descriptor >= 0 { close(descriptor) }
        }

        func write(_ bytes: [UInt8]) async throws {
            let descriptor = self.descriptor
            let path = file.path
            try await NIOThreadPool.singleton.runIfActive {
                try bytes.withUnsafeBytes { raw in
                    var done = 0
                    while done < raw.count {
                        let n = systemWrite(descriptor, raw.baseAddress! + done, raw.count - done)
                        if n < 0, errno == EINTR { continue }
                        guard n > 0 else {
                            throw Failure.spool(
                                "the spool file \(path) cannot be written: \(String(cString: strerror(errno)))")
                        }
                        done += n
                    }
                }
            }
        }

        func finish() throws(Failure) {
            let result = close(descriptor)
            descriptor = -1
            guard result == 0 else { throw Failure.spool("the spool file \(file.path) could not be closed") }
        }
    }
}

extension MessageBody {
    init(bytes: [UInt8], digest: [UInt8]) {
        count = bytes.count
        self.digest = digest
        storage = .memory(bytes)
    }
}

/// `write(2)`, by a name that methods called `write` do not shadow.
private func systemWrite(_ descriptor: CInt, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, bytes, count)
}
