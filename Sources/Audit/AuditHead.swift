/// The newest entry of the chain: what an anchor (a time-stamp over the head) commits to.
public struct AuditHead: Hashable, Sendable {
    /// The newest entry's sequence number (0 for an empty chain).
    public let sequence: Int64
    /// The newest entry's hash (32 zero bytes for an empty chain).
    public let hash: [UInt8]

    /// Creates a head.
    public init(sequence: Int64, hash: [UInt8]) {
        self.sequence = sequence
        self.hash = hash
    }

    /// The head of an empty chain.
    public static let genesis = AuditHead(sequence: 0, hash: [UInt8](repeating: 0, count: 32))
}
