import SwiftASN1
public import X509

#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// The signed part of a successful OCSP response, as a client reads it.
///
/// ```
/// BasicOCSPResponse ::= SEQUENCE {
///     tbsResponseData      ResponseData,
///     signatureAlgorithm   AlgorithmIdentifier,
///     signature            BIT STRING,
///     certs            [0] EXPLICIT SEQUENCE OF Certificate OPTIONAL }
/// ResponseData ::= SEQUENCE {
///     version              [0] EXPLICIT Version DEFAULT v1,
///     responderID              ResponderID,
///     producedAt               GeneralizedTime,
///     responses                SEQUENCE OF SingleResponse,
///     responseExtensions   [1] EXPLICIT Extensions OPTIONAL }
/// ```
/// Reading checks the structure only; ``isSignatureValid(publicKey:)`` checks the signature, and deciding whether
/// the signer is authorised for the CA (RFC 6960 §4.2.2.2) is the caller's.
public struct OCSPBasicResponse: Sendable, Hashable {
    /// Who signed: the responder's name or the SHA-1 hash of its public key.
    public let responderID: ResponderID
    /// When the response was signed.
    public let producedAt: Date
    /// One answer per CertID asked about.
    public let responses: [OCSPSingleResponse]
    /// The nonce extension's extnValue contents, if any: equal to the request's when echoed.
    public let nonce: ArraySlice<UInt8>?
    /// The signature's algorithm.
    public let signatureAlgorithm: Certificate.SignatureAlgorithm
    /// The signature value (for ECDSA, a DER ECDSA-Sig-Value).
    public let signature: ArraySlice<UInt8>
    /// The certificates sent along, usually the responder's.
    public let certificates: [Certificate]
    /// The signed bytes: the DER of tbsResponseData.
    public let tbsResponseData: ArraySlice<UInt8>

    /// Reads a DER BasicOCSPResponse.
    public init(derEncoded: ArraySlice<UInt8>) throws {
        let root: ASN1Node
        do {
            root = try DER.parse(derEncoded)
        } catch {
            throw OCSPError(.invalidEncoding, "not DER: \(error)")
        }
        guard root.identifier == .sequence, case .constructed(let children) = root.content else {
            throw OCSPError(.invalidEncoding, "BasicOCSPResponse is not a SEQUENCE")
        }
        var fields = children.makeIterator()
        guard let data = fields.next(), let algorithm = fields.next(), let signatureNode = fields.next() else {
            throw OCSPError(.invalidEncoding, "BasicOCSPResponse too short")
        }
        tbsResponseData = data.encodedBytes
        (responderID, producedAt, responses, nonce) = try Self.parseResponseData(data)
        do {
            signatureAlgorithm = try OCSPSignatureAlgorithmCoding.algorithm(from: algorithm)
            let bits = try ASN1BitString(derEncoded: signatureNode)
            guard bits.paddingBits == 0 else { throw OCSPError(.invalidEncoding, "signature has unused bits") }
            signature = bits.bytes
        } catch let error as OCSPError {
            throw error
        } catch {
            throw OCSPError(.invalidEncoding, "bad signature field: \(error)")
        }
        if let certs = fields.next() {
            guard certs.identifier == OCSPRequest.tag0, fields.next() == nil else {
                throw OCSPError(.invalidEncoding, "unexpected field in BasicOCSPResponse")
            }
            let list = try OCSPResponseDecoding.explicitChild(certs)
            guard list.identifier == .sequence, case .constructed(let items) = list.content else {
                throw OCSPError(.invalidEncoding, "certs is not a SEQUENCE OF Certificate")
            }
            do {
                certificates = try items.map { try Certificate(derEncoded: $0) }
            } catch {
                throw OCSPError(.invalidEncoding, "bad certificate in certs: \(error)")
            }
        } else {
            certificates = []
        }
    }

    /// Whether `publicKey` verifies the signature over tbsResponseData.
    public func isSignatureValid(publicKey: Certificate.PublicKey) -> Bool {
        publicKey.isValidSignature(signature, for: tbsResponseData, signatureAlgorithm: signatureAlgorithm)
    }

    /// The answer for `certID`, if the response has one.
    public func response(for certID: OCSPCertID) -> OCSPSingleResponse? {
        responses.first { $0.certID == certID }
    }

    private static func parseResponseData(
        _ node: ASN1Node
    ) throws -> (ResponderID, Date, [OCSPSingleResponse], ArraySlice<UInt8>?) {
        guard node.identifier == .sequence, case .constructed(let children) = node.content else {
            throw OCSPError(.invalidEncoding, "ResponseData is not a SEQUENCE")
        }
        var fields = children.makeIterator()
        var field = fields.next()
        if let version = field, version.identifier == OCSPRequest.tag0 {
            let integer = try OCSPResponseDecoding.explicitChild(version)
            guard try OCSPCertID.integer(integer).elementsEqual([0]) else {
                throw OCSPError(.unsupportedVersion, "only v1 responses are supported")
            }
            field = fields.next()
        }
        guard let responder = field, let produced = fields.next(), let list = fields.next() else {
            throw OCSPError(.invalidEncoding, "ResponseData too short")
        }
        let responderID = try ResponderID(derEncoded: responder)
        let producedAt = try OCSPResponseDecoding.generalizedTime(produced)
        guard list.identifier == .sequence, case .constructed(let items) = list.content else {
            throw OCSPError(.invalidEncoding, "responses is not a SEQUENCE OF SingleResponse")
        }
        let responses = try items.map { try OCSPSingleResponse(derEncoded: $0) }
        var nonce: ArraySlice<UInt8>?
        if let extensions = fields.next() {
            guard extensions.identifier == OCSPRequest.tag1, fields.next() == nil else {
                throw OCSPError(.invalidEncoding, "unexpected field in ResponseData")
            }
            let sequence = try OCSPResponseDecoding.explicitChild(extensions)
            guard sequence.identifier == .sequence, case .constructed(let items) = sequence.content else {
                throw OCSPError(.invalidEncoding, "responseExtensions is not a SEQUENCE OF Extension")
            }
            for item in items {
                let parsed = try OCSPExtension(derEncoded: item)
                if parsed.isNonce { nonce = parsed.value }
            }
        }
        return (responderID, producedAt, responses, nonce)
    }
}
