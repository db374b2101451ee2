/// An error of the Exchange block, with a stable code and a message for operators and the member's developers.
public struct ExchangeError: Error, CustomStringConvertible, Sendable {
    /// What kind of failure this is.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// A record with this identifier exists already.
        public static let alreadyRegistered = Code("alreadyRegistered")
        /// No record has this identifier.
        public static let notFound = Code("notFound")
        /// A value is not acceptable (an identifier in the wrong form, a URL that is no URL, …).
        public static let invalidRecord = Code("invalidRecord")
        /// The message log refuses new records: time-stamping has failed for longer than the node allows.
        public static let timeStampingOverdue = Code("timeStampingOverdue")
        /// The message log could not get a batch time-stamp (the TSA was unreachable, refused, or answered wrongly).
        public static let timeStampingFailed = Code("timeStampingFailed")
        /// A logged message is not time-stamped yet, so it has no evidence to export.
        public static let notYetTimeStamped = Code("notYetTimeStamped")
        /// A message-log archive file is missing, unreadable, or not what the index says it is.
        public static let archiveUnavailable = Code("archiveUnavailable")
        /// A message body's file (the spool's or the message log's) could not be written, synced or read.
        public static let bodyUnavailable = Code("bodyUnavailable")
        /// Bytes that should be message-log evidence are not (the evidence format's decoding failed).
        public static let malformedEvidence = Code("malformedEvidence")

        // Exchanged messages.
        /// A message, or its manifest, is not well-formed (a missing part, a wrong digest length, bad DER).
        public static let invalidMessage = Code("invalidMessage")
        /// A message's seal does not verify, or its signer is not the member the message claims to come from.
        public static let sealRefused = Code("sealRefused")
        /// The record is still referred to (a member with subsystems, a subsystem with services, …).
        public static let inUse = Code("inUse")
        /// The node has no valid global configuration yet (never downloaded, or none stored).
        public static let globalConfigurationUnavailable = Code("globalConfigurationUnavailable")
        /// The last valid global configuration has expired: the node refuses to exchange until it gets a fresh one.
        public static let globalConfigurationExpired = Code("globalConfigurationExpired")
        /// A downloaded global configuration was refused: bad signature, wrong signer or chain, wrong instance,
        /// expired, older than the one held, or not the configuration format.
        public static let globalConfigurationRefused = Code("globalConfigurationRefused")

        // Transport between exchange nodes.
        /// A peer node could not be reached or the connection failed: connection refused, reset or closed before the
        /// answer was complete, a name that does not resolve, or no answer within the deadline. The message says which,
        /// and to what address.
        public static let networkError = Code("networkError")
        /// The peer node's TLS certificate was refused: it does not chain to a trusted root, lacks the extended key
        /// usage, or is not the certificate registered for that node. The message says why.
        public static let peerRefused = Code("peerRefused")
        /// The TLS session with a peer node failed for a reason other than our check of its certificate: usually
        /// the peer refused ours (an unknown CA, a certificate it does not have registered), or no common protocol
        /// version or cipher suite.
        public static let handshakeFailed = Code("handshakeFailed")
        /// A peer node's answer is larger than the caller allows; the connection was dropped without reading the rest.
        public static let responseTooLarge = Code("responseTooLarge")

        // Metadata services.
        /// A service has no OpenAPI description, so `getOpenAPI` has nothing to serve.
        public static let noServiceDescription = Code("noServiceDescription")
        /// A service's OpenAPI description cannot be read: not JSON or YAML that the reader understands, or not an
        /// OpenAPI document (no `openapi` field, `paths` not a mapping, a path not starting with `/`).
        public static let invalidServiceDescription = Code("invalidServiceDescription")

        /// The code's name.
        public var description: String { name }
    }

    /// The failure's code.
    public let code: Code
    /// What happened, in words; never a key or a secret.
    public let message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// `code: message`.
    public var description: String { "\(code): \(message)" }
}
