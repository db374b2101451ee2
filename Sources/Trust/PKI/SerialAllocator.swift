import SQLKit
public import Storage

/// Unique, increasing serial numbers that survive restarts and are shared by every node over one database
/// (time-stamp tokens, CRL numbers).
///
/// Numbers are taken from `trust_counters` in blocks: one transaction reserves the next `blockSize` values,
/// which this process then hands out from memory. A restart skips what was left of the block, so numbers
/// stay unique and increasing per node, though not gap-free — RFC 3161 asks for uniqueness only.
public actor SerialAllocator {
    private let database: Database
    private let name: String
    private let blockSize: Int64
    private var next: Int64 = 0
    private var end: Int64 = 0

    /// Creates an allocator for the counter `name`.
    public init(database: Database, name: String, blockSize: Int64 = 4096) {
        self.database = database
        self.name = name
        self.blockSize = blockSize
    }

    /// The next number.
    public func allocate() async throws -> Int64 {
        if next >= end {
            let (start, limit) = try await reserve()
            next = start
            end = limit
        }
        defer { next += 1 }
        return next
    }

    /// The next number as the content octets of a positive DER INTEGER (minimal, with a leading zero when the
    /// top bit would otherwise make it negative).
    public func allocateBytes() async throws -> [UInt8] {
        Self.integerBytes(try await allocate())
    }

    static func integerBytes(_ value: Int64) -> [UInt8] {
        var bytes: [UInt8] = []
        var remaining = UInt64(value)
        repeat {
            bytes.insert(UInt8(truncatingIfNeeded: remaining), at: 0)
            remaining >>= 8
        } while remaining > 0
        if bytes[0] & 0x80 != 0 { bytes.insert(0, at: 0) }
        return bytes
    }

    private func reserve() async throws -> (Int64, Int64) {
        let engine = database.engine
        let name = self.name
        let blockSize = self.blockSize
        return try await database.transaction { sql in
            // Create the counter if this is its first use; concurrent first uses on other nodes do nothing.
            try await sql.raw(
                "INSERT INTO trust_counters (name, value) VALUES (\(bind: name), 1) ON CONFLICT (name) DO NOTHING"
            ).run()
            let lock = engine == .postgres ? " FOR UPDATE" : ""
            let start = try await sql.raw(
                "SELECT value FROM trust_counters WHERE name = \(bind: name)\(unsafeRaw: lock)"
            ).first()!.decode(column: "value", as: Int64.self)
            try await sql.raw(
                "UPDATE trust_counters SET value = \(bind: start + blockSize) WHERE name = \(bind: name)"
            ).run()
            return (start, start + blockSize)
        }
    }
}
