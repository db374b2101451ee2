public import Foundation

/// A signature the remote signing service made, as stored in `trust_remote_signatures`.
public struct RemoteSignature: Sendable {
    /// Its id: 64 hex digits.
    public let id: String
    /// The certificate it was made with.
    public let certificateID: String
    /// The client that asked for it.
    public let clientID: String
    /// The digest algorithm of the signed hash.
    public let algorithm: CMSDigestAlgorithm
    /// The signed hash.
    public let digest: [UInt8]
    /// The detached CAdES B-T signature: a DER ContentInfo with a SignedData.
    public let signature: [UInt8]
    /// The RFC 3161 signature time-stamp token inside it (a DER ContentInfo).
    public let timeStampToken: [UInt8]
    /// The signer's certificate in PEM.
    public let certificatePEM: String
    /// What the request asked to display.
    public let dataToBeDisplayed: String?
    /// The client's nonce, echoed.
    public let nonce: String?
    /// The client's state, echoed.
    public let state: String?
    /// When it was made.
    public let createdAt: Date
}
