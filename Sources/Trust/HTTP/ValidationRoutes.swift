import Foundation
import HTTPTypes
import Hummingbird
import Synchronization
public import Web
import X509

/// `POST /validation/signatures`: the validation service. Anyone may ask; it needs no account, because a
/// signature is meant to be checked by whoever receives the document.
///
/// The request is JSON: `signature` (base64 DER CMS/CAdES) and either `document` (base64) or
/// `documentDigest` (`algorithm` SHA-256/SHA-384/SHA-512 and base64 `value`), or neither for an enveloping
/// signature. The answer is a ``SignatureValidationReport``: the indication is in the body, so a signature
/// that fails validation is still a `200`; only a request that cannot be read is a `400`.
///
/// Chains end at the national root; revocation comes straight from the PKI's records.
public struct ValidationRoutes: Sendable {
    private let service: ValidationService

    /// Creates the routes over `pki`.
    public init(pki: NationalPKI) {
        self.service = ValidationService(pki: pki)
    }

    /// The request body.
    struct Request: Decodable {
        struct Digest: Decodable {
            let algorithm: String
            let value: String
        }
        enum CodingKeys: String, CodingKey {
            case signature, document, documentDigest
        }
        let signature: String
        let document: String?
        let documentDigest: Digest?

        /// As synthesised, except that an explicit `null` is refused: a member is given or left out.
        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            for key in [CodingKeys.document, .documentDigest] where container.contains(key) {
                if try container.decodeNil(forKey: key) {
                    throw DecodingError.valueNotFound(
                        String.self, .init(codingPath: [key], debugDescription: "null is not a value here"))
                }
            }
            signature = try container.decode(String.self, forKey: .signature)
            document = try container.decodeIfPresent(String.self, forKey: .document)
            documentDigest = try container.decodeIfPresent(Digest.self, forKey: .documentDigest)
        }
    }

    /// Adds the route.
    public func register(in routes: RouteTable) {
        routes.add(.post, "/validation/signatures", csrf: .exempt) { request, context in
            let mediaType = request.headers[.contentType]?.split(separator: ";").first.map {
                $0.trimmingCharacters(in: .whitespaces).lowercased()
            }
            guard mediaType == "application/json" else {
                throw HTTPProblem(
                    .unsupportedMediaType, code: "unsupported-media-type",
                    detail: "Send the signature as JSON with Content-Type: application/json.")
            }
            var request = request
            let body = try await request.collectBody(upTo: context.maxUploadSize)
            let (signature, signed) = try Self.decode(Data(body.readableBytesView))
            let report = try await service.validator().validate(signature, signed: signed)
            return try Self.json(report)
        }
    }

    static func decode(_ body: Data) throws -> ([UInt8], SignatureValidator.SignedData) {
        let request: Request
        do {
            request = try JSONDecoder().decode(Request.self, from: body)
        } catch {
            throw HTTPProblem.badRequest(
                "The body must be a JSON object with a base64 \"signature\", and \"document\" or \"documentDigest\".")
        }
        guard let signature = Data(base64Encoded: request.signature), !signature.isEmpty else {
            throw HTTPProblem.badRequest("\"signature\" is not base64.")
        }
        switch (request.document, request.documentDigest) {
        case (.some, .some):
            throw HTTPProblem.badRequest("Give \"document\" or \"documentDigest\", not both.")
        case (.some(let document), nil):
            guard let bytes = Data(base64Encoded: document) else {
                throw HTTPProblem.badRequest("\"document\" is not base64.")
            }
            return (Array(signature), .document(Array(bytes)))
        case (nil, .some(let digest)):
            guard let algorithm = CMSDigestAlgorithm(name: digest.algorithm) else {
                throw HTTPProblem.badRequest("\"documentDigest.algorithm\" must be SHA-256, SHA-384 or SHA-512.")
            }
            guard let value = Data(base64Encoded: digest.value), value.count == algorithm.digestLength else {
                throw HTTPProblem.badRequest(
                    "\"documentDigest.value\" must be the base64 of a \(algorithm.digestLength)-byte digest.")
            }
            return (Array(signature), .digest(algorithm, Array(value)))
        case (nil, nil):
            return (Array(signature), .none)
        }
    }

    static func json(_ report: SignatureValidationReport) throws -> Response {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        return Response(
            status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(report))))
    }
}

/// Holds the validator once the PKI exists; the trust anchors do not change while a node runs.
final class ValidationService: Sendable {
    private let pki: NationalPKI
    private let loaded = Mutex<SignatureValidator?>(nil)

    init(pki: NationalPKI) {
        self.pki = pki
    }

    func validator() async throws -> SignatureValidator {
        if let cached = loaded.withLock({ $0 }) { return cached }
        do {
            let validator = try await pki.validator()
            loaded.withLock { $0 = validator }
            return validator
        } catch let error as TrustError where error.code == .notInitialised {
            throw HTTPProblem(
                .serviceUnavailable, code: "pki-not-initialised",
                detail: "The validation service has no trust anchor yet; the operator runs civitas pki init.")
        }
    }
}

extension CMSDigestAlgorithm {
    /// Reads SHA-256, SHA-384 or SHA-512 (also `sha256`, `SHA2-256`).
    public init?(name: String) {
        let normalised = name.uppercased().replacingOccurrences(of: "SHA2-", with: "SHA-")
        switch normalised {
        case "SHA-256", "SHA256": self = .sha256
        case "SHA-384", "SHA384": self = .sha384
        case "SHA-512", "SHA512": self = .sha512
        default: return nil
        }
    }
}
