import ArgumentParser
import CivitasApp
import Foundation
import Storage
import SwiftASN1
import Trust
import X509

/// `civitas sign`: a citizen or official signs a file with their own key and certificate (CAdES B-B or B-T),
/// detached or enveloping, or adds their signature beside existing ones.
struct SignCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign",
        abstract: "Sign a file with your own key and certificate: a CAdES signature (.p7s).",
        discussion: """
            The key comes from a PEM file (--key) or a PKCS#11 token (--pkcs11-*). --add-to co-signs: the new \
            signer is added beside those of an existing signature, which stay byte-identical.
            """)

    @OptionGroup var options: NodeOptions

    @Option(name: .customLong("in"), help: "The file to sign.")
    var input: String

    @Option(name: .customLong("out"), help: "Where to write the signature (DER).")
    var output: String

    @Option(help: "The signing key, PEM (EC or RSA; SEC1, PKCS#1 or PKCS#8).")
    var key: String?

    @Option(name: .customLong("pkcs11-module"), help: "The PKCS#11 module, e.g. /usr/lib/softhsm/libsofthsm2.so.")
    var pkcs11Module: String?

    @Option(name: .customLong("pkcs11-token"), help: "The token's label.")
    var pkcs11Token: String?

    @Option(name: .customLong("pkcs11-pin"), help: "The user PIN (or the PKCS11_PIN environment variable).")
    var pkcs11PIN: String?

    @Option(name: .customLong("pkcs11-label"), help: "The key's label in the token.")
    var pkcs11Label: String?

    @Option(name: .customLong("cert"), help: "Your certificate (PEM).")
    var certificate: String

    @Option(help: "The CA certificates to include (PEM, one or more).")
    var chain: String?

    @Option(help: "B-B, or B-T to add a signature time-stamp.")
    var level: String = "B-B"

    @Option(
        help: """
            For B-T: the URL of any RFC 3161 time-stamping authority (http:// or https://), or local for \
            this node's own time-stamping unit, through its database.
            """)
    var tsa: String?

    @Flag(help: "Put the file inside the signature instead of beside it.")
    var enveloping = false

    @Option(name: .customLong("add-to"), help: "An existing signature of the same file to add your signature to.")
    var addTo: String?

    func validate() throws {
        let usesToken = [pkcs11Module, pkcs11Token, pkcs11Label].contains { $0 != nil }
        guard (key != nil) != usesToken else {
            throw ValidationError("give either --key or --pkcs11-module, --pkcs11-token and --pkcs11-label")
        }
        if usesToken, pkcs11Module == nil || pkcs11Token == nil || pkcs11Label == nil {
            throw ValidationError("--pkcs11-module, --pkcs11-token and --pkcs11-label go together")
        }
        guard let level = CAdESLevel(rawValue: level.uppercased()) else {
            throw ValidationError("--level must be B-B or B-T")
        }
        if level == .timestamped {
            guard let tsa else { throw ValidationError("--level B-T needs --tsa") }
            guard tsa == "local" || ((tsa.hasPrefix("http://") || tsa.hasPrefix("https://")) && URL(string: tsa) != nil)
            else { throw ValidationError("--tsa must be local or the http(s) URL of a time-stamping authority") }
        } else if tsa != nil {
            throw ValidationError("--tsa is for --level B-T")
        }
        if addTo != nil, enveloping {
            throw ValidationError("--add-to keeps the existing signature's form; leave out --enveloping")
        }
    }

    func run() async throws {
        let level = CAdESLevel(rawValue: level.uppercased())!
        let document = try Self.read(input)
        let certificate = try Self.certificates(atPath: self.certificate).first.orThrow(
            ValidationError("--cert \(self.certificate) holds no certificate"))
        let chain = try chain.map { try Self.certificates(atPath: $0) } ?? []
        let signer = CAdESSigner.Signer(key: try await privateKey(), certificate: certificate, chain: chain)

        var close: () async -> Void = {}
        var timeStamping: (any TimeStampSource)?
        if level == .timestamped, tsa == "local" {
            let (configuration, logger, database) = try await options.openNode()
            close = { await database.close() }
            timeStamping = try Node.nationalPKI(configuration, database: database, logger: logger)
                .localTimeStampSource()
        } else if level == .timestamped, let tsa, let url = URL(string: tsa) {
            let client: HTTPTimeStampClient
            do {
                client = try HTTPTimeStampClient(url: url)
            } catch {
                throw ValidationError(error.message)
            }
            close = { try? await client.shutdown() }
            timeStamping = client
        }
        do {
            let signature: [UInt8]
            if let addTo {
                signature = try await CAdESSigner().addSigner(
                    signer, to: try Self.read(addTo), document: document, level: level, timeStamping: timeStamping)
            } else {
                signature = try await CAdESSigner().sign(
                    document, signers: [signer], level: level, enveloping: enveloping, timeStamping: timeStamping)
            }
            try Data(signature).write(to: URL(fileURLWithPath: output))
            await close()
        } catch let error as TrustError {
            await close()
            throw ValidationError(error.message)
        }
        Console.say(
            "signed \(input) as \(certificate.subject) (\(level.rawValue)\(enveloping ? ", enveloping" : "")"
                + "\(addTo == nil ? "" : ", added to \(addTo!)")): \(output)")
    }

    private func privateKey() async throws -> Certificate.PrivateKey {
        if let key {
            do {
                return try Certificate.PrivateKey(pemEncoded: String(contentsOfFile: key, encoding: .utf8))
            } catch {
                throw ValidationError("--key \(key) is not a PEM EC or RSA private key")
            }
        }
        let pin = pkcs11PIN ?? ProcessInfo.processInfo.environment["PKCS11_PIN"] ?? ""
        do {
            let store = try PKCS11KeyStore(modulePath: pkcs11Module!, tokenLabel: pkcs11Token!, pin: pin)
            return try await store.key(named: pkcs11Label!)
        } catch let error as TrustError {
            throw ValidationError(error.message)
        }
    }

    static func read(_ path: String) throws -> [UInt8] {
        do {
            return try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw ValidationError("cannot read \(path)")
        }
    }

    static func certificates(atPath path: String) throws -> [Certificate] {
        let text = String(decoding: try read(path), as: UTF8.self)
        do {
            return try PEMDocument.parseMultiple(pemString: text).map { try Certificate(pemDocument: $0) }
        } catch {
            throw ValidationError("\(path) is not PEM certificates")
        }
    }
}

extension Optional {
    fileprivate func orThrow(_ error: some Error) throws -> Wrapped {
        guard let value = self else { throw error }
        return value
    }
}
