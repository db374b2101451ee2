public import Foundation

/// What ``MessageLogEvidence/verify(_:trustAnchors:intermediates:)`` found.
public struct MessageLogVerification: Sendable, Hashable {
    /// The overall answer.
    public enum Verdict: String, Sendable, Hashable {
        /// Every check passed.
        case valid
        /// A check failed: the evidence was changed, or was never right.
        case invalid
        /// Nothing failed, but something could not be checked (a signature that is not CMS, a chain that does not
        /// reach the given root, revocation that cannot be known offline is *not* this: see ``RecordReport``).
        case indeterminate

        /// The exit status of `civitas exchange verify`: 0 valid, 1 invalid, 2 cannot tell.
        public var exitCode: Int32 {
            switch self {
            case .valid: 0
            case .invalid: 1
            case .indeterminate: 2
            }
        }
    }

    /// One record's findings.
    public struct RecordReport: Sendable, Hashable {
        /// The message id.
        public var messageID: String
        /// Request or response.
        public var direction: MessageDirection
        /// The client identifier.
        public var client: String
        /// The service identifier.
        public var service: String
        /// When the log accepted it.
        public var createdAt: Date
        /// The batch time-stamp's genTime, once its token verified.
        public var timeStampedAt: Date?
        /// What became of the message signature, in words.
        public var signature: String
        /// Whether the body was in the evidence (and matched its digest).
        public var bodyIncluded: Bool
    }

    /// The overall answer.
    public var verdict: Verdict
    /// Why it is not valid, first reason first; empty when valid.
    public var problems: [String]
    /// Notes that do not change the verdict (revocation not checked offline, …).
    public var notes: [String]
    /// The records, in the evidence's order, as far as they were read.
    public var records: [RecordReport]

    /// Whether the verdict is ``Verdict/valid``.
    public var isValid: Bool { verdict == .valid }
}
