/// The outcome of walking the audit chain.
public enum AuditVerification: Sendable, Equatable {
    /// Every entry links to the one before and hashes to its stored hash; every anchor matches.
    case intact(entries: Int64, head: AuditHead)
    /// The first entry (by sequence number) at which the chain breaks, and why.
    case broken(sequence: Int64, problem: AuditChainProblem)
}

/// How the chain is broken at an entry.
public enum AuditChainProblem: Sendable, Equatable, CustomStringConvertible {
    /// The entry's content no longer hashes to its stored hash: it was changed.
    case modified
    /// The entry does not link to its predecessor: an entry before it was deleted, inserted or moved.
    case unlinked
    /// The sequence jumps over this number: the entry with it was deleted.
    case missing
    /// An anchor commits to this entry but the chain ends before it or holds another entry there: the tail was cut
    /// off or rewritten.
    case anchorMismatch
    /// An anchor's token does not verify.
    case anchorInvalid(String)

    /// A sentence for operators.
    public var description: String {
        switch self {
        case .modified: "its content does not match its hash (the entry was changed)"
        case .unlinked: "it does not follow the entry before it (an entry was inserted, deleted or reordered)"
        case .missing: "the entry is missing (deleted)"
        case .anchorMismatch: "an anchor commits to this entry, which the chain no longer holds as anchored"
        case .anchorInvalid(let reason): "its anchor does not verify: \(reason)"
        }
    }
}
