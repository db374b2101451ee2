import ArgumentParser
import Foundation
import SwiftASN1
import Trust
import X509

/// `civitas ts`: a client for any RFC 3161 time-stamp authority (ours at `/tsa`, or anyone's).
struct TimeStampCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ts", abstract: "Ask any RFC 3161 TSA for a time-stamp, verify a reply, or print one.",
        subcommands: [Request.self, Verify.self, Show.self])

    /// `civitas ts request`.
    struct Request: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send a time-stamp query to a TSA over HTTP and save its reply (DER).")

        @Option(help: "The TSA's URL, e.g. http://127.0.0.1:8080/tsa.")
        var url: String

        @OptionGroup var imprint: ImprintOptions

        @Option(help: "The TSA policy OID to ask for (dotted), e.g. 2.999.1.100.")
        var policy: String?

        @Flag(help: "Send no nonce.")
        var noNonce = false

        @Flag(help: "Do not ask for the TSA's certificate in the token.")
        var noCert = false

        @Option(name: .customLong("out"), help: "Where to write the reply (DER TimeStampResp, .tsr).")
        var output: String

        @Option(name: .customLong("query-out"), help: "Where to write the query sent (DER TimeStampReq, .tsq).")
        var queryOutput: String?

        @Option(help: "Seconds the whole exchange may take.")
        var timeout: Double = 15

        @Option(help: "Seconds a connection may take to establish.")
        var connectTimeout: Double = 5

        func validate() throws {
            guard (imprint.data == nil) != (imprint.digest == nil) else {
                throw ValidationError("give one of --data and --digest")
            }
            guard timeout > 0, connectTimeout > 0 else { throw ValidationError("timeouts must be positive") }
        }

        func run() async throws {
            guard let target = URL(string: url) else { throw ValidationError("--url \(url) is not a URL") }
            let policy = try self.policy.map(TimeStampCommand.objectIdentifier)
            let (algorithm, digest) = try imprint.digest(defaultAlgorithm: .sha256)
            let nonce = noNonce ? nil : TimeStampRequest.randomNonce()
            let query = TimeStampRequest.make(
                digest: digest, hashAlgorithm: algorithm, nonce: nonce, certReq: !noCert, policy: policy)
            if let queryOutput { try Data(query).write(to: URL(fileURLWithPath: queryOutput)) }

            let limits = HTTPTimeStampClient.Configuration(
                connectTimeout: .milliseconds(Int64(connectTimeout * 1000)),
                requestTimeout: .milliseconds(Int64(timeout * 1000)))
            let reply: [UInt8]
            do {
                reply = try await HTTPTimeStampClient.withClient(url: target, configuration: limits) { client in
                    try await client.reply(to: query)
                }
            } catch let error as TrustError {
                throw TimeStampCommand.failure("civitas ts request: \(error.message)")
            }
            try Data(reply).write(to: URL(fileURLWithPath: output))

            let response = try TimeStampResponse(derEncoded: reply)
            guard response.status.isGranted, let info = response.tokenInfo else {
                throw TimeStampCommand.failure(
                    "civitas ts request: the TSA refused: \(TimeStampCommand.statusLine(response)) (reply in \(output))"
                )
            }
            let expectation = TimeStampVerifier.Expectation(
                hashAlgorithm: algorithm, digest: digest, nonce: nonce, policy: policy)
            do {
                try expectation.check(info)
            } catch {
                throw TimeStampCommand.failure("civitas ts request: the reply does not answer the query: \(error)")
            }
            Console.say("granted: genTime \(TimeStampCommand.format(info.genTime)), serial \(hex(info.serialNumber))")
            Console.say("reply written to \(output)")
        }
    }

    /// `civitas ts verify`.
    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Verify a time-stamp reply: imprint, nonce, policy, signature and the TSA's chain.",
            discussion: "Exits 0 and prints the time-stamp when every check passes; exits 1 with the reason otherwise.")

        @Option(name: .customLong("in"), help: "The reply (DER TimeStampResp, .tsr).")
        var input: String

        @OptionGroup var imprint: ImprintOptions

        @Option(help: "The query the reply answers (DER, .tsq): its imprint, nonce and policy are checked.")
        var query: String?

        @Option(help: "The policy OID the token must carry.")
        var policy: String?

        @Option(help: "The trusted root certificates (PEM; one file may hold several). Repeatable.")
        var ca: [String]

        @Option(help: "Further certificates for the chain, and the TSA's if the token lacks it (PEM). Repeatable.")
        var untrusted: [String] = []

        func validate() throws {
            guard [imprint.data, imprint.digest, query].compactMap({ $0 }).count == 1 else {
                throw ValidationError("give one of --data, --digest and --query")
            }
            guard !ca.isEmpty else { throw ValidationError("--ca is required") }
        }

        func run() async throws {
            let reply = try TimeStampCommand.read(input)
            let anchors = try ca.flatMap(TimeStampCommand.certificates)
            let others = try untrusted.flatMap(TimeStampCommand.certificates)
            let policy = try self.policy.map(TimeStampCommand.objectIdentifier)
            do {
                var expectation: TimeStampVerifier.Expectation
                if let query {
                    expectation = try TimeStampVerifier.Expectation(query: try TimeStampCommand.read(query))
                } else {
                    // With --data and no --hash, hash the data as the token did (as openssl ts -verify -data does).
                    let tokenAlgorithm = (try? TimeStampResponse(derEncoded: reply))?.tokenInfo.flatMap {
                        CMSDigestAlgorithm($0.hashAlgorithm)
                    }
                    let (algorithm, digest) = try imprint.digest(defaultAlgorithm: tokenAlgorithm ?? .sha256)
                    expectation = TimeStampVerifier.Expectation(hashAlgorithm: algorithm, digest: digest)
                }
                if let policy { expectation.policy = policy }
                let verified = try await TimeStampVerifier(trustAnchors: anchors, intermediates: others)
                    .verify(reply: reply, expecting: expectation)
                Console.say("Verification: OK")
                Console.say("genTime: \(TimeStampCommand.format(verified.genTime))")
                Console.say("serial: \(verified.serialNumberHex)")
                Console.say("policy: \(verified.policy.dottedString)")
                Console.say("TSA: \(verified.tsaName.map(TimeStampCommand.describe) ?? "(not named)")")
                Console.say("signer: \(verified.signer.subject)")
                if let accuracy = verified.accuracy { Console.say("accuracy: \(TimeStampCommand.describe(accuracy))") }
            } catch let error as TimeStampError {
                throw TimeStampCommand.failure("Verification: FAILED: \(error)")
            }
        }
    }

    /// `civitas ts show`.
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the fields of a time-stamp reply.")

        @Option(name: .customLong("in"), help: "The reply (DER TimeStampResp, .tsr).")
        var input: String

        func run() async throws {
            let response: TimeStampResponse
            do {
                response = try TimeStampResponse(derEncoded: try TimeStampCommand.read(input))
            } catch let error as TimeStampError {
                throw TimeStampCommand.failure("civitas ts show: \(input): \(error)")
            }
            Console.say("status: \(TimeStampCommand.statusLine(response))")
            guard let token = response.token else { return }
            let info = token.info
            Console.say("version: \(info.version)")
            Console.say("policy: \(info.policy.dottedString)")
            let algorithm = CMSDigestAlgorithm(info.hashAlgorithm).map { "\($0)" } ?? "\(info.hashAlgorithm.algorithm)"
            Console.say("hash algorithm: \(algorithm)")
            Console.say("message imprint: \(hex(info.hashedMessage))")
            Console.say("serial: \(hex(info.serialNumber))")
            Console.say("genTime: \(TimeStampCommand.format(info.genTime))")
            Console.say("accuracy: \(info.accuracy.map(TimeStampCommand.describe) ?? "unspecified")")
            Console.say("ordering: \(info.ordering ? "yes" : "no")")
            Console.say("nonce: \(info.nonce.map(hex) ?? "unspecified")")
            Console.say("TSA: \(info.tsaName.map(TimeStampCommand.describe) ?? "unspecified")")
            Console.say("extensions: \(info.extensionsDER == nil ? "none" : "present")")
            let certificates = (try? token.signedData.parsedCertificates()) ?? []
            Console.say("certificates: \(certificates.count)")
            for certificate in certificates { Console.say("  \(certificate.subject)") }
            if let signer = try? token.signerCertificate() {
                Console.say("signer: \(signer.subject)")
            } else {
                Console.say("signer: not among the token's certificates")
            }
        }
    }

    // MARK: - Shared helpers

    /// An error message on standard error, then exit status 1.
    static func failure(_ message: String) -> ExitCode {
        FileHandle.standardError.write(Data((message + "\n").utf8))
        return ExitCode.failure
    }

    static func read(_ path: String) throws -> [UInt8] {
        do {
            return [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw ValidationError("cannot read \(path)")
        }
    }

    static func certificates(_ path: String) throws -> [Certificate] {
        let bytes = try read(path)
        let text = String(decoding: bytes, as: UTF8.self)
        do {
            if text.contains("-----BEGIN") {
                return try PEMDocument.parseMultiple(pemString: text).map { try Certificate(pemDocument: $0) }
            }
            return [try Certificate(derEncoded: bytes)]
        } catch {
            throw ValidationError("\(path) holds no certificate: \(error)")
        }
    }

    static func objectIdentifier(_ dotted: String) throws -> ASN1ObjectIdentifier {
        let arcs = dotted.split(separator: ".", omittingEmptySubsequences: false).map { UInt($0) }
        guard arcs.count >= 2, arcs.allSatisfy({ $0 != nil }) else {
            throw ValidationError("\(dotted) is not a dotted object identifier such as 2.999.1.100")
        }
        do {
            return try ASN1ObjectIdentifier(elements: arcs.compactMap { $0 })
        } catch {
            throw ValidationError("\(dotted) is not a valid object identifier")
        }
    }

    static func statusLine(_ response: TimeStampResponse) -> String {
        var line = "\(response.status)"
        if !response.statusStrings.isEmpty { line += " \"\(response.statusStrings.joined(separator: "; "))\"" }
        let names = failureNames(response.failureInfo)
        if !names.isEmpty { line += " (\(names.joined(separator: ", ")))" }
        return line
    }

    static func failureNames(_ info: TimeStampFailureInfo) -> [String] {
        let named: [(TimeStampFailureInfo, String)] = [
            (.badAlg, "badAlg"), (.badRequest, "badRequest"), (.badDataFormat, "badDataFormat"),
            (.timeNotAvailable, "timeNotAvailable"), (.unacceptedPolicy, "unacceptedPolicy"),
            (.unacceptedExtension, "unacceptedExtension"), (.addInfoNotAvailable, "addInfoNotAvailable"),
            (.systemFailure, "systemFailure"),
        ]
        return named.filter { info.contains($0.0) }.map(\.1)
    }

    static func format(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    static func describe(_ name: GeneralName) -> String {
        if case .directoryName(let directoryName) = name { return directoryName.description }
        return name.description
    }

    static func describe(_ accuracy: TimeStampAccuracy) -> String {
        "\(accuracy.seconds) s \(accuracy.millis) ms \(accuracy.micros) µs"
    }
}

private func hex(_ bytes: [UInt8]) -> String {
    bytes.map { byte in
        let digits = String(byte, radix: 16)
        return digits.count == 1 ? "0" + digits : digits
    }.joined()
}
