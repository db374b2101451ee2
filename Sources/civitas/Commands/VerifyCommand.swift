import ArgumentParser
import CivitasCore
import Foundation
import SwiftASN1
import Trust
import X509

/// `civitas verify`: validates a CMS/CAdES signature offline, with the trust anchors, certificates and CRLs
/// given as files, and prints the report (ETSI EN 319 102-1 indications).
///
/// Exit status: 0 for TOTAL-PASSED, 1 for TOTAL-FAILED, 2 for INDETERMINATE; a file that cannot be read is a
/// usage error (64).
struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Validate a CMS or CAdES signature or seal (.p7s) and print the report.",
        discussion: """
            Exit status 0 means TOTAL-PASSED, 1 TOTAL-FAILED and 2 INDETERMINATE. Revocation status comes from \
            the CRLs given with --crl (the node publishes them at /crl/<ca>.crl); without them it is unknown, \
            and a valid signature is INDETERMINATE/TRY_LATER.
            """)

    @Option(help: "The signature: a DER or PEM CMS ContentInfo (.p7s).")
    var signature: String

    @Option(help: "The signed document, for a detached signature.")
    var document: String?

    @Option(help: "The document's digest in hex, instead of the document.")
    var digest: String?

    @Option(help: "The digest's algorithm: sha256, sha384 or sha512.")
    var hash: String = "sha256"

    @Option(name: .customLong("ca"), help: "A trusted root certificate file (PEM, may hold several); repeatable.")
    var trustAnchors: [String] = []

    @Option(help: "Further certificates to build the chain with (PEM); repeatable.")
    var untrusted: [String] = []

    @Option(help: "A CRL (DER or PEM) to learn revocation status from; repeatable.")
    var crl: [String] = []

    @Flag(help: "Print the report as JSON.")
    var json = false

    func validate() throws {
        guard !trustAnchors.isEmpty else { throw ValidationError("give at least one trusted root with --ca") }
        if document != nil, digest != nil { throw ValidationError("give --document or --digest, not both") }
    }

    func run() async throws {
        let signatureBytes = try Self.der(try Self.read(signature), label: "CMS", or: "PKCS7")
        var signed = SignatureValidator.SignedData.none
        if let document { signed = .document(try Self.read(document)) }
        if let digest {
            guard let algorithm = CMSDigestAlgorithm(name: hash) else {
                throw ValidationError("--hash must be sha256, sha384 or sha512")
            }
            guard let bytes = Self.bytes(hex: digest), bytes.count == algorithm.digestLength else {
                throw ValidationError("--digest must be \(algorithm.digestLength * 2) hex digits")
            }
            signed = .digest(algorithm, bytes)
        }
        let anchors = try trustAnchors.flatMap(Self.certificates)
        let others = try untrusted.flatMap(Self.certificates)
        var lists: [[UInt8]] = []
        for path in crl { lists.append(try Self.der(try Self.read(path), label: "X509 CRL")) }
        let source: CRLRevocationSource
        do {
            source = try CRLRevocationSource(derEncoded: lists)
        } catch let error as TrustError {
            throw ValidationError(error.message)
        }
        let validator = SignatureValidator(trustAnchors: anchors, intermediates: others, revocationSources: [source])
        let report = await validator.validate(signatureBytes, signed: signed)
        if json {
            let encoder = JSONEncoder()
            encoder.dateEncodingStrategy = .iso8601
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
            Console.say(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            Self.print(report)
        }
        switch report.indication {
        case .totalPassed: return
        case .totalFailed: throw ExitCode(1)
        case .indeterminate: throw ExitCode(2)
        }
    }

    static func print(_ report: SignatureValidationReport) {
        for (index, signature) in report.signatures.enumerated() {
            Console.say(
                "signature \(index + 1) of \(report.signatures.count): \(Self.indication(signature.indication, signature.subIndication))"
            )
            if let signer = signature.signer {
                Console.say("  signer:      \(signer.subject)\(signer.qualified ? " (qualified certificate)" : "")")
                Console.say("  issuer:      \(signer.issuer), serial \(signer.serialNumber)")
            }
            Console.say("  format:      \(signature.format)\(signature.digestAlgorithm.map { ", \($0)" } ?? "")")
            if let claimed = signature.claimedSigningTime {
                Console.say("  signed at:   \(Timestamp(claimed)) (claimed by the signer)")
            }
            if let stamp = signature.timeStamp {
                let when = stamp.genTime.map { "\(Timestamp($0))" } ?? "?"
                Console.say(
                    "  time-stamp:  \(when) by \(stamp.tsa ?? "?") (\(Self.indication(stamp.indication, stamp.subIndication)))"
                )
            }
            if !signature.chain.isEmpty {
                Console.say("  chain:       \(signature.chain.map(\.subject).joined(separator: " <- "))")
            }
            if let revocation = signature.revocation {
                var line = revocation.status
                if let since = revocation.since { line += " since \(Timestamp(since))" }
                if let reason = revocation.reason { line += " (\(reason))" }
                if let source = revocation.source { line += ", from \(source)" }
                Console.say("  revocation:  \(line)")
            }
            for message in signature.messages { Console.say("  - \(message)") }
        }
        if report.signatures.isEmpty, let message = report.message { Console.say(message) }
        Console.say("document: \(Self.indication(report.indication, report.subIndication))")
    }

    static func indication(_ indication: ValidationIndication, _ sub: ValidationSubIndication?) -> String {
        sub.map { "\(indication.rawValue)/\($0.rawValue)" } ?? indication.rawValue
    }

    static func read(_ path: String) throws -> [UInt8] {
        do {
            return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw ValidationError("cannot read \(path): \(error.localizedDescription)")
        }
    }

    /// The DER inside a PEM block with one of `labels`, or the bytes themselves when they are not PEM.
    static func der(_ bytes: [UInt8], label: String, or other: String? = nil) throws -> [UInt8] {
        guard bytes.first != 0x30, let text = String(bytes: bytes, encoding: .utf8), text.contains("-----BEGIN") else {
            return bytes
        }
        do {
            let document = try PEMDocument(pemString: text)
            guard document.discriminator == label || document.discriminator == other else {
                throw ValidationError("expected a PEM \(label) block, found \(document.discriminator)")
            }
            return document.derBytes
        } catch let error as ValidationError {
            throw error
        } catch {
            throw ValidationError("not a PEM \(label) block: \(error)")
        }
    }

    /// Every certificate in a PEM file (or one DER certificate).
    static func certificates(_ path: String) throws -> [Certificate] {
        let bytes = try read(path)
        do {
            if bytes.first == 0x30 { return [try Certificate(derEncoded: bytes)] }
            let documents = try PEMDocument.parseMultiple(pemString: String(decoding: bytes, as: UTF8.self))
            let certificates = try documents.filter { $0.discriminator == "CERTIFICATE" }.map {
                try Certificate(derEncoded: $0.derBytes)
            }
            guard !certificates.isEmpty else { throw ValidationError("\(path) holds no certificate") }
            return certificates
        } catch let error as ValidationError {
            throw error
        } catch {
            throw ValidationError("\(path) is not a PEM or DER certificate file: \(error)")
        }
    }

    static func bytes(hex: String) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count.isMultiple(of: 2) else { return nil }
        var out: [UInt8] = []
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let byte = UInt8(String(decoding: digits[index..<index + 2], as: UTF8.self), radix: 16) else {
                return nil
            }
            out.append(byte)
        }
        return out
    }
}
