public import CivitasCore
import Crypto
import Foundation
import SwiftASN1
public import X509

/// Makes CAdES baseline signatures and seals (ETSI EN 319 122-1): detached or enveloping, with one or several
/// signers, over a document or over a digest the caller computed, and adds parallel signers to existing ones.
///
/// B-B comes from ``CMSSignedDataBuilder`` (content-type, message-digest, signing-time and ESS
/// signing-certificate-v2 signed). B-T adds, as an unsigned attribute of each new SignerInfo, an RFC 3161 token
/// from a ``TimeStampSource`` over the SHA-256 of that SignerInfo's signature value (RFC 3161 appendix A,
/// ETSI EN 319 122-1 §5.3).
public struct CAdESSigner: Sendable {
    /// One signer: a key, its certificate and the chain to carry with it.
    public struct Signer: Sendable {
        /// The private key (software, PKCS#11, or any swift-certificates custom key).
        public let key: Certificate.PrivateKey
        /// The signer's certificate.
        public let certificate: Certificate
        /// The CA certificates to include, so that verifiers can build the path.
        public let chain: [Certificate]

        /// Creates a signer.
        public init(key: Certificate.PrivateKey, certificate: Certificate, chain: [Certificate] = []) {
            self.key = key
            self.certificate = certificate
            self.chain = chain
        }
    }

    private let clock: any WallClock

    /// Creates a signer.
    public init(clock: any WallClock = SystemClock()) {
        self.clock = clock
    }

    /// Signs `document` with `key` and `certificate`, including `chain` in the signature.
    ///
    /// - Parameters:
    ///   - enveloping: Whether the document goes inside the signature; by default it is detached.
    ///   - timeStamping: Required for ``CAdESLevel/timestamped``.
    public func sign(
        _ document: [UInt8], key: Certificate.PrivateKey, certificate: Certificate, chain: [Certificate],
        level: CAdESLevel, enveloping: Bool = false, timeStamping: (any TimeStampSource)? = nil
    ) async throws -> [UInt8] {
        try await sign(
            document, signers: [Signer(key: key, certificate: certificate, chain: chain)], level: level,
            enveloping: enveloping, timeStamping: timeStamping)
    }

    /// Signs `document` with every one of `signers` at once: one SignedData with a SignerInfo each.
    ///
    /// - Throws: ``TrustError`` `.invalidSignatureInput` without signers, `.timeStampUnavailable` or
    ///   `.timeStampRefused` when B-T cannot get its time-stamps.
    public func sign(
        _ document: [UInt8], signers: [Signer], level: CAdESLevel, enveloping: Bool = false,
        timeStamping: (any TimeStampSource)? = nil
    ) async throws -> [UInt8] {
        guard !signers.isEmpty else { throw TrustError(.invalidSignatureInput, "a signature needs a signer") }
        let source = try Self.source(for: level, timeStamping)
        let builder = try Self.builder(signers)
        var signedData = try await builder.signedData(document, detached: !enveloping, signingTime: clock.now())
        if let source {
            try await addSignatureTimeStamps(to: &signedData, at: Array(signedData.signerInfos.indices), from: source)
        }
        return signedData.contentInfoDER
    }

    /// A detached signature over a digest the caller computed: its message-digest attribute is `digest`.
    ///
    /// The signature algorithm uses the digest's hash (ECDSA or RSA with SHA-384 for a SHA-384 digest, say), as
    /// CMS hashes the signed attributes with the same algorithm as the content.
    ///
    /// - Throws: ``TrustError`` `.invalidSignatureInput` when the digest's length does not match `algorithm`,
    ///   or the key cannot sign with that hash.
    public func sign(
        digest: [UInt8], algorithm: CMSDigestAlgorithm, signer: Signer, level: CAdESLevel,
        timeStamping: (any TimeStampSource)? = nil
    ) async throws -> [UInt8] {
        guard digest.count == algorithm.digestLength else {
            throw TrustError(
                .invalidSignatureInput,
                "a \(algorithm) digest is \(algorithm.digestLength) bytes long, not \(digest.count)")
        }
        let source = try Self.source(for: level, timeStamping)
        let cmsSigner: CMSSigner
        do {
            cmsSigner = try CMSSigner(
                key: signer.key, certificate: signer.certificate,
                signatureAlgorithm: try SignatureAlgorithmMapping.algorithm(for: signer.key, digest: algorithm))
        } catch {
            throw TrustError(.invalidSignatureInput, "\(error)")
        }
        let builder = CMSSignedDataBuilder(signers: [cmsSigner], certificates: [signer.certificate] + signer.chain)
        var signedData = try await builder.signedData(
            messageDigest: digest, algorithm: algorithm, signingTime: clock.now())
        if let source {
            try await addSignatureTimeStamps(to: &signedData, at: Array(signedData.signerInfos.indices), from: source)
        }
        return signedData.contentInfoDER
    }

    /// Adds `signer` as a parallel signer to `existing` (a DER ContentInfo with a SignedData): the same content
    /// signed once more, the certificates and digest algorithms merged, every earlier SignerInfo kept
    /// byte-identical (their time-stamps included) and every SET OF written sorted.
    ///
    /// - Parameter document: The signed document; required when `existing` is detached, and when given for an
    ///   enveloping one it must be the content inside.
    /// - Throws: ``TrustError`` `.invalidSignatureInput` when `existing` is not a SignedData, the document is
    ///   missing or differs from what the earlier signers signed.
    public func addSigner(
        _ signer: Signer, to existing: [UInt8], document: [UInt8]? = nil, level: CAdESLevel,
        timeStamping: (any TimeStampSource)? = nil
    ) async throws -> [UInt8] {
        let source = try Self.source(for: level, timeStamping)
        var merged: CMSSignedData
        do {
            merged = try CMSSignedData(contentInfoDER: existing)
        } catch {
            throw TrustError(.invalidSignatureInput, "the existing signature is not a CMS SignedData: \(error)")
        }
        let content: [UInt8]
        switch (merged.content, document) {
        case (let inside?, let given?):
            guard inside == given else {
                throw TrustError(.invalidSignatureInput, "the document is not the one inside the existing signature")
            }
            content = inside
        case (let inside?, nil): content = inside
        case (nil, let given?): content = given
        case (nil, nil):
            throw TrustError(.invalidSignatureInput, "the existing signature is detached: give the signed document")
        }
        for signerInfo in merged.signerInfos {
            guard let algorithm = CMSDigestAlgorithm(signerInfo.digestAlgorithm),
                let digest = try? signerInfo.messageDigest
            else { continue }
            guard algorithm.hash(content) == digest else {
                throw TrustError(.invalidSignatureInput, "the existing signature was made over another document")
            }
        }

        let builder = try Self.builder([signer], contentType: merged.contentType)
        let added = try await builder.signedData(content, detached: true, signingTime: clock.now())
        let firstNew = merged.signerInfos.count
        merged.signerInfos.append(contentsOf: added.signerInfos)
        for algorithm in added.digestAlgorithms where !merged.digestAlgorithms.contains(algorithm) {
            merged.digestAlgorithms.append(algorithm)
        }
        for certificate in added.certificates where !merged.certificates.contains(certificate) {
            merged.certificates.append(certificate)
        }
        if let source {
            try await addSignatureTimeStamps(to: &merged, at: Array(firstNew..<merged.signerInfos.count), from: source)
        }
        return merged.contentInfoDER
    }

    private static func source(
        for level: CAdESLevel, _ timeStamping: (any TimeStampSource)?
    ) throws -> (any TimeStampSource)? {
        guard level == .timestamped else { return nil }
        guard let timeStamping else {
            throw TrustError(.invalidRequest, "a B-T signature needs a time-stamping authority")
        }
        return timeStamping
    }

    private static func builder(
        _ signers: [Signer], contentType: ASN1ObjectIdentifier = .CMS.data
    ) throws -> CMSSignedDataBuilder {
        var certificates: [Certificate] = []
        var cmsSigners: [CMSSigner] = []
        for signer in signers {
            do {
                cmsSigners.append(try CMSSigner(key: signer.key, certificate: signer.certificate))
            } catch {
                throw TrustError(.invalidSignatureInput, "\(error)")
            }
            certificates.append(signer.certificate)
            certificates.append(contentsOf: signer.chain)
        }
        return CMSSignedDataBuilder(signers: cmsSigners, certificates: certificates, contentType: contentType)
    }

    /// Adds a signature time-stamp to each SignerInfo at `indices`, after checking that the token covers it.
    func addSignatureTimeStamps(
        to signedData: inout CMSSignedData, at indices: [Int], from source: any TimeStampSource
    ) async throws {
        for index in indices {
            let imprint = Array(SHA256.hash(data: signedData.signerInfos[index].signature))
            let nonce = TimeStampRequest.randomNonce()
            let token = try await Self.timeStamp(imprint, nonce: nonce, from: source)
            let attribute = try CMSAttribute(type: .CMS.signatureTimeStampToken, valueDER: token.derEncoded)
            signedData.signerInfos[index].unsignedAttributes.append(attribute)
        }
    }

    /// Asks `source` for a token over `imprint` and checks that it is granted, covers the imprint, echoes the
    /// nonce and is signed by the certificate it carries.
    static func timeStamp(
        _ imprint: [UInt8], nonce: [UInt8], from source: any TimeStampSource
    ) async throws -> TimeStampToken {
        let query = TimeStampRequest.make(digest: imprint, nonce: nonce, certReq: true)
        let replyDER: [UInt8]
        do {
            replyDER = try await source.reply(to: query)
        } catch {
            throw TrustError(.timeStampUnavailable, "the time-stamping authority could not be reached: \(error)")
        }
        let reply: TimeStampResponse
        do {
            reply = try TimeStampResponse(derEncoded: replyDER)
        } catch {
            throw TrustError(.timeStampUnavailable, "the time-stamping authority's answer is not a time-stamp reply")
        }
        guard reply.status == .granted || reply.status == .grantedWithMods, let token = reply.token else {
            let why = reply.statusStrings.isEmpty ? "" : ": " + reply.statusStrings.joined(separator: "; ")
            throw TrustError(
                .timeStampRefused,
                "the time-stamping authority refused the signature time-stamp (status \(reply.status.rawValue))\(why)")
        }
        guard token.info.hashedMessage == imprint,
            token.info.nonce.map({ Array($0.drop { $0 == 0 }) }) == Array(nonce.drop { $0 == 0 })
        else {
            throw TrustError(.timeStampRefused, "the time-stamp token does not cover this signature or its nonce")
        }
        do {
            if let certificate = try token.signerCertificate() {
                try token.verifySignature(certificate: certificate)
            }
        } catch {
            throw TrustError(.timeStampRefused, "the time-stamp token's signature does not verify: \(error)")
        }
        return token
    }
}
