import Crypto
public import NIOCore
import NIOPosix

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The body of an exchanged message, with its length and SHA-256 (the digest its manifest seals and its log record
/// keeps), held in memory when small and in a spool file otherwise (``BodySpool``), so that a node never holds a
/// large body whole. It is read as often as needed (verified, logged, forwarded) through ``chunks(size:)``.
public struct MessageBody: Sendable {
    /// The length in bytes.
    public let count: Int
    /// SHA-256 of the bytes.
    public let digest: [UInt8]
    let storage: Storage

    enum Storage: Sendable {
        case memory([UInt8])
        case file(SpoolFile)
    }

    /// A body whose bytes are at hand.
    public init(_ bytes: [UInt8] = []) {
        count = bytes.count
        digest = Array(SHA256.hash(data: bytes))
        storage = .memory(bytes)
    }

    init(file: SpoolFile, count: Int, digest: [UInt8]) {
        self.count = count
        self.digest = digest
        storage = .file(file)
    }

    /// Whether it has no bytes.
    public var isEmpty: Bool { count == 0 }

    /// The bytes, if the body is held in memory.
    public var inMemory: [UInt8]? {
        if case .memory(let bytes) = storage { return bytes }
        return nil
    }

    /// The spool file holding the body, if it is not in memory.
    var file: SpoolFile? {
        if case .file(let file) = storage { return file }
        return nil
    }

    /// All the bytes; for a spooled body this reads the whole file, so only what must have it whole calls it (an
    /// evidence file, a test).
    public func bytes() async throws -> [UInt8] {
        switch storage {
        case .memory(let bytes):
            return bytes
        case .file:
            var all: [UInt8] = []
            all.reserveCapacity(count)
            for try await chunk in chunks() { all.append(contentsOf: chunk.readableBytesView) }
            return all
        }
    }

    /// The bytes in chunks of at most `size`, read from the spool file as they are asked for.
    public func chunks(size: Int = 256 << 10) -> Chunks {
        Chunks(body: self, size: size)
    }

    /// The body as a sequence of buffers; a spooled one is read on NIO's blocking-I/O thread pool.
    public struct Chunks: AsyncSequence, Sendable {
        /// A piece of the body.
        public typealias Element = ByteBuffer
        let body: MessageBody
        let size: Int

        /// Reads from the start.
        public func makeAsyncIterator() -> Iterator {
            Iterator(body: body, size: Swift.max(1, size))
        }

        /// Reads the body in order, opening its spool file on the first read.
        public struct Iterator: AsyncIteratorProtocol {
            let body: MessageBody
            let size: Int
            var offset = 0
            var reader: SpoolFile.Reader?

            init(body: MessageBody, size: Int) {
                self.body = body
                self.size = size
            }

            /// The next piece, or `nil` after the last.
            public mutating func next() async throws -> ByteBuffer? {
                guard offset < body.count else { return nil }
                switch body.storage {
                case .memory(let bytes):
                    let end = Swift.min(bytes.count, offset + size)
                    defer { offset = end }
                    return ByteBuffer(bytes: bytes[offset..<end])
                case .file(let file):
                    if reader == nil { reader = try file.reader() }
                    let length = Swift.min(size, body.count - offset)
                    let chunk = try await reader!.read(at: offset, count: length)
                    guard chunk.readableBytes == length else {
                        throw SpoolFile.Failure("the spool file \(file.path) is shorter than its body")
                    }
                    offset += length
                    return chunk
                }
            }
        }
    }
}

/// A file a body was spooled to, removed when the last body that holds it is gone (a log that keeps it has made its
/// own link to it by then).
final class SpoolFile: Sendable {
    /// The file's path.
    let path: String

    init(path: String) {
        self.path = path
    }

    deinit {
        unlink(path)
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    /// An open descriptor for reading, closed with the reader.
    final class Reader: @unchecked Sendable {
        // The descriptor is only ever used by one iterator at a time and never changes after `init`.
        private let descriptor: CInt

        init(path: String) throws {
            let descriptor = open(path, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else {
                throw Failure("the spool file \(path) cannot be opened: \(String(cString: strerror(errno)))")
            }
            self.descriptor = descriptor
        }

        deinit {
            close(descriptor)
        }

        func read(at offset: Int, count: Int) async throws -> ByteBuffer {
            let descriptor = self.descriptor
            return try await NIOThreadPool.singleton.runIfActive {
                var buffer = ByteBufferAllocator().buffer(capacity: count)
                let read = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { pointer in
                    var done = 0
                    while done < count {
                        let n = pread(descriptor, pointer.baseAddress! + done, count - done, off_t(offset + done))
                        if n < 0, errno == EINTR { continue }
                        guard n > 0 else { break }
                        done += n
                    }
                    return done
                }
                _ = read
                return buffer
            }
        }
    }

    func reader() throws -> Reader {
        try Reader(path: path)
    }
}

extension MessageBody: Hashable {
    /// Two bodies are equal when their bytes are: the same length and digest, wherever each is held.
    public static func == (lhs: MessageBody, rhs: MessageBody) -> Bool {
        lhs.count == rhs.count && lhs.digest == rhs.digest
    }

    /// Hashes the length and digest.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(count)
        hasher.combine(digest)
    }
}
