public import X509

/// A time-stamp token: a CMS SignedData whose content is a TSTInfo (RFC 3161 2.4.2).
///
/// ```asn1
/// TimeStampToken ::= ContentInfo
///     -- contentType is id-signedData ([CMS])
///     -- content is SignedData ([CMS])
/// -- eContentType within SignedData is id-ct-TSTInfo, eContent is TSTInfo
/// ```
///
/// This is also the value of a CAdES signature-time-stamp attribute.
public struct TimeStampToken: Sendable, Hashable {
    /// The token's DER (a ContentInfo).
    public let derEncoded: [UInt8]
    /// The SignedData.
    public let signedData: CMSSignedData
    /// The TSTInfo.
    public let info: TimeStampTokenInfo

    /// Decodes a DER token.
    public init(derEncoded: [UInt8]) throws(TimeStampError) {
        let signedData: CMSSignedData
        do {
            signedData = try CMSSignedData(contentInfoDER: derEncoded)
        } catch {
            throw TimeStampError(.malformedResponse, "the token is not a SignedData: \(error)")
        }
        guard signedData.contentType == .CMS.tstInfo, let content = signedData.content else {
            throw TimeStampError(.malformedResponse, "the token's content is not an encapsulated TSTInfo")
        }
        self.derEncoded = derEncoded
        self.signedData = signedData
        self.info = try TimeStampTokenInfo(derEncoded: content)
    }

    /// The certificate of the token's single signer, if the token carries it.
    public func signerCertificate() throws(TimeStampError) -> Certificate? {
        guard signedData.signerInfos.count == 1 else {
            throw TimeStampError(.invalidToken, "a token has exactly one signer, not \(signedData.signerInfos.count)")
        }
        do {
            return try signedData.certificate(of: signedData.signerInfos[0])
        } catch {
            throw TimeStampError(.malformedResponse, "the token's certificates: \(error)")
        }
    }

    /// Checks the token against the TSA certificate that should have signed it: one signer, identified as
    /// `certificate`; content-type id-ct-TSTInfo; message digest of the TSTInfo; ESS signing-certificate-v2
    /// naming `certificate` first; and a valid signature.
    ///
    /// The certificate's own validity (its chain, the timeStamping EKU, revocation) is the caller's to check,
    /// with swift-certificates' `Verifier`.
    public func verifySignature(certificate: Certificate) throws(TimeStampError) {
        guard signedData.signerInfos.count == 1 else {
            throw TimeStampError(.invalidToken, "a token has exactly one signer, not \(signedData.signerInfos.count)")
        }
        let signer = signedData.signerInfos[0]
        guard signer.signerIdentifier.matches(certificate) else {
            throw TimeStampError(.invalidToken, "the token's signer is not the given certificate")
        }
        guard let algorithm = CMSDigestAlgorithm(signer.digestAlgorithm), let content = signedData.content else {
            throw TimeStampError(.invalidToken, "the token's digest algorithm is not supported")
        }
        do {
            guard try signer.contentType == .CMS.tstInfo else {
                throw TimeStampError(.invalidToken, "the content-type attribute is not id-ct-TSTInfo")
            }
            guard try signer.messageDigest == algorithm.hash(content) else {
                throw TimeStampError(.invalidToken, "the message digest does not match the TSTInfo")
            }
            guard let essValue = try signer.signingCertificateV2, let first = essValue.certificates.first,
                first.matches(certificate)
            else {
                throw TimeStampError(.invalidToken, "signing-certificate-v2 does not name the given certificate")
            }
        } catch let error as TimeStampError {
            throw error
        } catch {
            throw TimeStampError(.invalidToken, "the token's signed attributes: \(error)")
        }
        guard signer.isValidSignature(publicKey: certificate.publicKey) else {
            throw TimeStampError(.invalidToken, "the token's signature does not verify")
        }
    }
}
