public import Foundation
public import SwiftASN1
public import X509

/// An RFC 3161 time-stamp authority: turns DER TimeStampReqs into DER TimeStampResps.
///
/// A granted response carries a TimeStampToken: a CMS SignedData (eContentType id-ct-TSTInfo) signed by the
/// TSA key, with the signed attributes content-type, message-digest and ESS signing-certificate-v2
/// (RFC 5816), and the TSA certificate and chain when the request sets certReq. Every other outcome is a
/// rejection with a PKIFailureInfo bit and a status string; ``respond(to:at:)`` never throws and never traps.
///
/// The authority holds no mutable state: serial numbers come from the injected source (a database sequence,
/// so that they stay unique across restarts and across nodes), and the time from the caller.
public struct TimeStampAuthority: Sendable {
    /// What became of one request.
    public struct Outcome: Sendable {
        /// The DER TimeStampResp to send.
        public let responseDER: [UInt8]
        /// The response's status.
        public let status: TimeStampStatus
        /// Why the request was rejected, when it was.
        public let error: TimeStampError?
        /// The token's serial number, unsigned big-endian (no sign octet), when granted.
        public let serialNumber: [UInt8]?
    }

    /// The TSA certificate.
    public let certificate: Certificate
    /// The certificates added after the TSA's when a request sets certReq (its issuing CAs).
    public let chain: [Certificate]
    /// The TSA policy; the only one a request may ask for.
    public let policy: ASN1ObjectIdentifier
    /// The accuracy stated in each token, if any.
    public let accuracy: TimeStampAccuracy?

    private let serialNumbers: @Sendable () async throws -> [UInt8]
    private let withCertificates: CMSSignedDataBuilder
    private let withoutCertificates: CMSSignedDataBuilder
    private let policyDER: [UInt8]
    private let accuracyDER: [UInt8]
    private let tsaNameDER: [UInt8]
    private let fractionDigits: Int

    /// The longest serial number accepted from the source, in octets (RFC 3161: up to 160 bits).
    public static let maximumSerialNumberLength = 20

    /// Creates an authority.
    ///
    /// - Parameters:
    ///   - key: The TSA signing key; a `CustomPrivateKey` brings a PKCS#11 or HSM key.
    ///   - certificate: The TSA certificate: it must hold `key`'s public key and a critical extended key usage
    ///     of exactly id-kp-timeStamping (RFC 3161 2.3).
    ///   - chain: The issuing CA certificates to include when a request sets certReq.
    ///   - policy: The TSA policy identifier.
    ///   - accuracy: The accuracy to state; with less than a second, genTime carries milliseconds or
    ///     microseconds to match.
    ///   - includesTSAName: Whether each TSTInfo names the TSA (the certificate subject, as a directoryName).
    ///   - signatureAlgorithm: The signature algorithm; by default the one that matches the key.
    ///   - serialNumbers: Returns a new serial number for each token, as unsigned big-endian bytes; they must
    ///     be unique for this TSA (RFC 3161 2.4.2).
    public init(
        key: Certificate.PrivateKey,
        certificate: Certificate,
        chain: [Certificate] = [],
        policy: ASN1ObjectIdentifier,
        accuracy: TimeStampAccuracy?,
        includesTSAName: Bool = true,
        signatureAlgorithm: Certificate.SignatureAlgorithm? = nil,
        serialNumbers: @escaping @Sendable () async throws -> [UInt8]
    ) throws(TimeStampError) {
        try Self.checkTimeStampingUsage(certificate)
        if let accuracy {
            guard accuracy.isValid, accuracy.totalMicroseconds > 0 else {
                throw TimeStampError(.invalidConfiguration, "accuracy \(accuracy) is out of range")
            }
        }
        let signer: CMSSigner
        do {
            signer = try CMSSigner(key: key, certificate: certificate, signatureAlgorithm: signatureAlgorithm)
        } catch {
            throw TimeStampError(.invalidConfiguration, "the TSA key cannot sign: \(error)")
        }
        self.certificate = certificate
        self.chain = chain
        self.policy = policy
        self.accuracy = accuracy
        self.serialNumbers = serialNumbers
        self.withCertificates = CMSSignedDataBuilder(
            signers: [signer],
            certificates: [certificate] + chain,
            contentType: .CMS.tstInfo
        )
        self.withoutCertificates = CMSSignedDataBuilder(signers: [signer], contentType: .CMS.tstInfo)
        self.policyDER = DERWriter.objectIdentifier(policy)
        self.accuracyDER = accuracy?.derEncoded ?? []
        self.fractionDigits = accuracy?.fractionDigits ?? 0
        if includesTSAName {
            // tsa [0] GeneralName: a CHOICE, so the tag is explicit around directoryName [4] Name.
            let name = DERWriter.serialize(GeneralName.directoryName(certificate.subject))
            self.tsaNameDER = DERWriter.tlv(DERWriter.Tag.contextConstructed(0), name)
        } else {
            self.tsaNameDER = []
        }
    }

    private static func checkTimeStampingUsage(_ certificate: Certificate) throws(TimeStampError) {
        let usage: ExtendedKeyUsage?
        do {
            usage = try certificate.extensions.extendedKeyUsage
        } catch {
            throw TimeStampError(.invalidConfiguration, "the TSA certificate's extended key usage is malformed")
        }
        guard let usage, usage.count == 1, usage.contains(.timeStamping),
            certificate.extensions[oid: .X509ExtensionID.extendedKeyUsage]?.critical == true
        else {
            throw TimeStampError(
                .invalidConfiguration,
                "the TSA certificate needs a critical extended key usage of only id-kp-timeStamping"
            )
        }
    }

    /// Answers a DER TimeStampReq with a DER TimeStampResp: granted with a token, or a rejection whose
    /// failure info says why. Never throws: malformed input of any kind is a badDataFormat rejection.
    ///
    /// - Parameters:
    ///   - requestDER: The request body.
    ///   - time: The time to assert (the caller's clock).
    public func respond(to requestDER: [UInt8], at time: Date) async -> [UInt8] {
        await process(requestDER, at: time).responseDER
    }

    /// Answers a request, and tells what happened (for logs, audit and metrics).
    public func process(_ requestDER: [UInt8], at time: Date) async -> Outcome {
        let request: TimeStampRequest
        do {
            request = try TimeStampRequest(derEncoded: requestDER)
        } catch {
            return Self.rejection(error)
        }
        if let requested = request.policy, requested != policy {
            return Self.rejection(
                TimeStampError(.unacceptedPolicy, "policy \(requested.dottedString) is not supported"))
        }
        let serialNumber: [UInt8]
        do {
            serialNumber = DERWriter.unsignedIntegerContent(try await serialNumbers())
        } catch {
            return Self.rejection(TimeStampError(.systemFailure, "no serial number: \(error)"))
        }
        guard serialNumber != [0], serialNumber.count <= Self.maximumSerialNumberLength + 1 else {
            return Self.rejection(TimeStampError(.systemFailure, "the serial number source gave an unusable value"))
        }
        do {
            let tstInfo = try tstInfo(for: request, serialNumber: serialNumber, at: time)
            let builder = request.certReq ? withCertificates : withoutCertificates
            let layout = try await builder.layout(
                tstInfo,
                detached: false,
                signingTime: nil,
                signedAttributesDER: [],
                unsignedAttributesDER: []
            )
            return Outcome(
                responseDER: layout.contentInfo(inSequenceAfter: TimeStampResponse.grantedStatusDER),
                status: .granted,
                error: nil,
                serialNumber: serialNumber.first == 0 ? Array(serialNumber.dropFirst()) : serialNumber
            )
        } catch {
            return Self.rejection(TimeStampError(.systemFailure, "the token could not be made: \(error)"))
        }
    }

    private static let versionDER = DERWriter.integer(1)

    /// The DER TSTInfo, from the constant parts and the request's imprint and nonce copied as received.
    private func tstInfo(
        for request: TimeStampRequest,
        serialNumber: [UInt8],
        at time: Date
    ) throws(CMSError) -> [UInt8] {
        let genTime = try DERTime.generalizedTime(time, fractionDigits: fractionDigits)
        let serialLength = DERWriter.encodedSize(contentLength: serialNumber.count)
        let length =
            Self.versionDER.count + policyDER.count + request.messageImprintDER.count + serialLength
            + genTime.count + accuracyDER.count + (request.nonceDER?.count ?? 0) + tsaNameDER.count
        var out: [UInt8] = []
        out.reserveCapacity(DERWriter.encodedSize(contentLength: length))
        DERWriter.appendHeader(tag: DERWriter.Tag.sequence, length: length, to: &out)
        out.append(contentsOf: Self.versionDER)
        out.append(contentsOf: policyDER)
        out.append(contentsOf: request.messageImprintDER)
        DERWriter.appendHeader(tag: DERWriter.Tag.integer, length: serialNumber.count, to: &out)
        out.append(contentsOf: serialNumber)
        out.append(contentsOf: genTime)
        out.append(contentsOf: accuracyDER)
        if let nonce = request.nonceDER { out.append(contentsOf: nonce) }
        out.append(contentsOf: tsaNameDER)
        return out
    }

    private static func rejection(_ error: TimeStampError) -> Outcome {
        Outcome(
            responseDER: TimeStampResponse.rejectionDER(error.failureInfo, text: rejectionText(error)),
            status: .rejection,
            error: error,
            serialNumber: nil
        )
    }

    /// The status string sent to the client: what was wrong with the request, not the decoder's or the
    /// system's internals (those belong in the server log, which ``Outcome/error`` feeds).
    private static func rejectionText(_ error: TimeStampError) -> String {
        switch error.code.backing {
        case .systemFailure, .invalidConfiguration: "The time-stamp could not be issued because of a system failure."
        case .malformedRequest: "The request is not a well-formed DER TimeStampReq."
        default: error.message
        }
    }
}
