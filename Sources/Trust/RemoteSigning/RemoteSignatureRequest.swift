/// What a client asks the remote signing service to sign: a digest of the document, never the document.
public struct RemoteSignatureRequest: Sendable {
    /// The document's digest.
    public let digest: [UInt8]
    /// Its algorithm.
    public let algorithm: CMSDigestAlgorithm
    /// What the holder's device would show (kept with the record).
    public let dataToBeDisplayed: String?
    /// The client's own time of request, as it sent it.
    public let requestTimestamp: String?
    /// The client's nonce and state, echoed back (the pseudonym flow).
    public let nonce: String?
    /// The client's state, echoed back.
    public let state: String?

    /// Creates a request.
    public init(
        digest: [UInt8], algorithm: CMSDigestAlgorithm, dataToBeDisplayed: String? = nil,
        requestTimestamp: String? = nil, nonce: String? = nil, state: String? = nil
    ) {
        self.digest = digest
        self.algorithm = algorithm
        self.dataToBeDisplayed = dataToBeDisplayed
        self.requestTimestamp = requestTimestamp
        self.nonce = nonce
        self.state = state
    }
}
