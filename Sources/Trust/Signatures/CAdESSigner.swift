public import CivitasCore
import Crypto
import Foundation
import SwiftASN1
public import X509

/// Makes detached CAdES baseline signatures and seals (ETSI EN 319 122-1) over documents.
///
/// B-B comes from ``CMSSignedDataBuilder`` (content-type, message-digest, signing-time and ESS
/// signing-certificate-v2 signed). B-T adds, as an unsigned attribute of each SignerInfo, an RFC 3161 token
/// from our own time-stamping unit over the SHA-256 of that SignerInfo's signature value (RFC 3161
/// appendix A, ETSI EN 319 122-1 §5.3).
public struct CAdESSigner: Sendable {
    private let clock: any WallClock

    /// Creates a signer.
    public init(clock: any WallClock = SystemClock()) {
        self.clock = clock
    }

    /// Signs `document` with `key` and `certificate`, including `chain` in the signature.
    ///
    /// - Parameter timeStamping: required for ``CAdESLevel/timestamped``.
    public func sign(
        _ document: [UInt8], key: Certificate.PrivateKey, certificate: Certificate, chain: [Certificate],
        level: CAdESLevel, timeStamping: TimeStampAuthority? = nil
    ) async throws -> [UInt8] {
        let signer = try CMSSigner(key: key, certificate: certificate)
        let builder = CMSSignedDataBuilder(signers: [signer], certificates: [certificate] + chain)
        var signedData = try await builder.signedData(document, detached: true, signingTime: clock.now())
        guard level == .timestamped else { return signedData.contentInfoDER }
        guard let timeStamping else {
            throw TrustError(.invalidRequest, "a B-T signature needs the time-stamping unit")
        }
        for index in signedData.signerInfos.indices {
            let imprint = Array(SHA256.hash(data: signedData.signerInfos[index].signature))
            let query = TimeStampRequest.make(digest: imprint, nonce: TimeStampRequest.randomNonce(), certReq: true)
            let reply = try TimeStampResponse(derEncoded: await timeStamping.respond(to: query, at: clock.now()))
            guard reply.status == .granted, let token = reply.token else {
                throw TrustError(.invalidRequest, "the time-stamping unit refused the signature time-stamp")
            }
            let attribute = try CMSAttribute(type: .CMS.signatureTimeStampToken, valueDER: token.derEncoded)
            signedData.signerInfos[index].unsignedAttributes.append(attribute)
        }
        return signedData.contentInfoDER
    }
}
