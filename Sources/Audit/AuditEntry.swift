public import CivitasCore

/// One link of the audit chain as stored.
public struct AuditEntry: Hashable, Sendable {
    /// Position in the chain, from 1, without gaps.
    public let sequence: Int64
    /// When the entry was appended (UTC).
    public let time: Timestamp
    /// What happened.
    public let event: AuditEvent
    /// The previous entry's hash (32 zero bytes for the first entry).
    public let previousHash: [UInt8]
    /// SHA-256 over this entry's canonical encoding, which includes ``previousHash``.
    public let hash: [UInt8]

    /// Creates an entry from stored parts.
    public init(sequence: Int64, time: Timestamp, event: AuditEvent, previousHash: [UInt8], hash: [UInt8]) {
        self.sequence = sequence
        self.time = time
        self.event = event
        self.previousHash = previousHash
        self.hash = hash
    }
}
