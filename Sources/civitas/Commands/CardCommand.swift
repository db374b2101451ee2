import ArgumentParser
import Audit
import CivitasApp
import CivitasCore
import Crypto
import Foundation
import Identity
import Storage
import SwiftASN1
import Trust
import X509

/// `civitas card`: a software eID card (a card file, or a key in a PKCS #11 token) and the card reader app's
/// side of an eID card login.
struct CardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "card",
        abstract: "A software eID card: create it, check its PIN, sign with it, log in with it.",
        discussion: """
            A card is a card file (--file: the authentication key sealed under the PIN with scrypt and AES-GCM, \
            and the certificates) or a key in a PKCS#11 token (--pkcs11-module, --token, --label; the \
            certificate then lives in the PEM file given by --certificate). The PIN comes from --pin or the \
            CARD_PIN environment variable.
            """,
        subcommands: [Create.self, List.self, Unlock.self, Sign.self, Login.self])

    /// Where the card is, and its PIN.
    struct Card: ParsableArguments {
        @Option(help: "The card file (JSON).")
        var file: String?

        @Option(name: .customLong("pkcs11-module"), help: "The PKCS#11 module, e.g. /usr/lib/softhsm/libsofthsm2.so.")
        var pkcs11Module: String?

        @Option(help: "The token's label.")
        var token: String?

        @Option(help: "The authentication key's label in the token.")
        var label: String = "eid-authentication"

        @Option(help: "For a token: the card's certificate (PEM).")
        var certificate: String?

        @Option(help: "The PIN (or the CARD_PIN environment variable).")
        var pin: String?

        func validate() throws {
            let usesToken = pkcs11Module != nil || token != nil
            guard (file != nil) != usesToken else {
                throw ValidationError("give either --file or --pkcs11-module and --token")
            }
            if usesToken, pkcs11Module == nil || token == nil {
                throw ValidationError("--pkcs11-module and --token go together")
            }
        }

        var isToken: Bool { file == nil }

        func thePIN() throws -> String {
            guard let pin = pin ?? ProcessInfo.processInfo.environment["CARD_PIN"], !pin.isEmpty else {
                throw ValidationError("give the PIN with --pin or CARD_PIN")
            }
            return pin
        }

        /// The key (unlocked with the PIN) and the certificate.
        func open() async throws -> (key: Certificate.PrivateKey, certificate: Certificate) {
            let pin = try thePIN()
            if let file {
                var card = try CardCommand.mapped { try SoftwareCard.read(from: file) }
                let key: P256.Signing.PrivateKey
                do {
                    key = try card.unlock(pin: pin)
                    try card.write(to: file)
                } catch let error as IdentityError {
                    try? card.write(to: file)
                    throw ValidationError(error.message)
                }
                guard let certificate = try CardCommand.mapped({ try card.authenticationCertificate() }) else {
                    throw ValidationError("the card has no certificate yet")
                }
                return (Certificate.PrivateKey(key), certificate)
            }
            guard let path = certificate else { throw ValidationError("a token card needs --certificate") }
            let certificate = try CardCommand.certificate(atPath: path)
            do {
                let store = try PKCS11KeyStore(modulePath: pkcs11Module!, tokenLabel: token!, pin: pin)
                let key = try await store.key(named: label)
                guard key.publicKey == certificate.publicKey else {
                    throw ValidationError("\(path) does not certify the token's key \(label)")
                }
                return (key, certificate)
            } catch let error as TrustError {
                throw ValidationError(error.message)
            }
        }
    }

    /// `civitas card create`.
    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make the card's key, and have the node's PKI issue its citizen-authentication certificate.")

        @OptionGroup var card: Card
        @OptionGroup var options: NodeOptions

        @Option(name: .customLong("personal-number"), help: "The holder's personal number.")
        var personalNumber: String

        @Option(help: "The country of the personal numbers (PNO<country>-…), ISO 3166-1 alpha-2.")
        var country: String = PersonalNumberSemantics.demoCountry.country

        func run() async throws {
            let number: PersonalNumber
            do {
                number = try PersonalNumber(personalNumber)
            } catch {
                throw ValidationError("--personal-number: \(error.message)")
            }
            let semantics = try CardCommand.mapped { try PersonalNumberSemantics(country: country) }
            let pin = try card.thePIN()
            if let file = card.file, FileManager.default.fileExists(atPath: file) {
                throw ValidationError("\(file) exists already; a card is made once")
            }
            if card.isToken, card.certificate == nil {
                throw ValidationError("a token card needs --certificate, where its certificate is written")
            }
            let (configuration, logger, database) = try await options.openNode()
            do {
                let audit = AuditLog(database: database)
                guard let person = try await PopulationRegister(database: database, audit: audit).person(number),
                    person.status == .alive
                else { throw ValidationError("\(number) is not a registered, living person") }
                let pki = try Node.nationalPKI(configuration, database: database, logger: logger)
                let key: Certificate.PrivateKey
                var softwareCard: SoftwareCard?
                if card.isToken {
                    let store = try PKCS11KeyStore(modulePath: card.pkcs11Module!, tokenLabel: card.token!, pin: pin)
                    key = try await store.generate(name: card.label, algorithm: .p256)
                } else {
                    let made = try CardCommand.mapped {
                        try SoftwareCard.create(pin: pin, personalNumber: number.rawValue)
                    }
                    softwareCard = made.card
                    key = Certificate.PrivateKey(made.key)
                }
                let csr = try CertificateSigningRequest(
                    version: .v1, subject: try CitizenSubject.name(for: person, semantics: semantics), privateKey: key,
                    attributes: CertificateSigningRequest.Attributes(), signatureAlgorithm: .ecdsaWithSHA256)
                let stored = try await pki.issue(
                    csr: csr, profile: .citizenAuthentication, actor: PKICommand.operatorActor,
                    dataSubject: DataSubject(kind: "person", identifier: number.rawValue))
                let chain = [
                    try await pki.certificate(role: .citizensCA).der, try await pki.certificate(role: .root).der,
                ]
                if var softwareCard, let file = card.file {
                    softwareCard.certificate = Data(stored.der).base64EncodedString()
                    softwareCard.chain = chain.map { Data($0).base64EncodedString() }
                    try CardCommand.mapped { try softwareCard.write(to: file) }
                } else if let path = card.certificate {
                    try (try stored.certificate.serializeAsPEM().pemString + "\n").write(
                        toFile: path, atomically: true, encoding: .utf8)
                }
                Console.say(
                    "card for \(person.name.givenLatin) \(person.name.familyLatin): certificate \(stored.issuer)/\(stored.serial)"
                )
                await database.close()
            } catch {
                await database.close()
                if let error = error as? TrustError { throw ValidationError(error.message) }
                throw error
            }
        }
    }

    /// `civitas card list`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show what is on the card: the holder, the certificates, the PIN counter (no PIN needed).")

        @OptionGroup var card: Card

        func run() async throws {
            if let file = card.file {
                let contents = try CardCommand.mapped { try SoftwareCard.read(from: file) }
                Console.say("card file \(file)")
                Console.say("  personal number: \(contents.personalNumber)")
                Console.say(
                    "  PIN: \(contents.locked ? "locked" : "\(SoftwareCard.maximumAttempts - contents.failedAttempts) attempts left")"
                )
                if let certificate = try CardCommand.mapped({ try contents.authenticationCertificate() }) {
                    CardCommand.describe(certificate)
                } else {
                    Console.say("  no certificate yet")
                }
                Console.say("  chain: \(contents.chain.count) CA certificate\(contents.chain.count == 1 ? "" : "s")")
                return
            }
            Console.say("token \(card.token!) key \(card.label)")
            if let path = card.certificate { CardCommand.describe(try CardCommand.certificate(atPath: path)) }
        }
    }

    /// `civitas card unlock`.
    struct Unlock: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check the PIN. Three wrong PINs in a row lock a card file for good.")

        @OptionGroup var card: Card

        func run() async throws {
            if let file = card.file {
                var contents = try CardCommand.mapped { try SoftwareCard.read(from: file) }
                do {
                    _ = try contents.unlock(pin: try card.thePIN())
                    try contents.write(to: file)
                } catch let error as IdentityError {
                    try? contents.write(to: file)
                    throw ValidationError(error.message)
                }
                Console.say("PIN accepted")
                return
            }
            do {
                let store = try PKCS11KeyStore(
                    modulePath: card.pkcs11Module!, tokenLabel: card.token!, pin: try card.thePIN())
                _ = try await store.key(named: card.label)
            } catch let error as TrustError {
                throw ValidationError(error.message)
            }
            Console.say("PIN accepted")
        }
    }

    /// `civitas card sign`.
    struct Sign: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sign raw bytes with the authentication key; prints the DER ECDSA signature in hex.")

        @OptionGroup var card: Card

        @Option(help: "The bytes to sign, in hex.")
        var challenge: String

        func run() async throws {
            guard let bytes = CardCommand.bytes(hex: challenge), !bytes.isEmpty else {
                throw ValidationError("--challenge is an even number of hex digits")
            }
            let (key, _) = try await card.open()
            let signature = try await key.signAsynchronously(bytes: bytes, signatureAlgorithm: .ecdsaWithSHA256)
            Console.say(Hex.encode(signature.rawRepresentation))
        }
    }

    /// `civitas card login`.
    struct Login: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Answer an eID card login shown in a browser: fetch it by its code, show it, sign, send.")

        @OptionGroup var card: Card

        @Option(help: "The node, e.g. http://127.0.0.1:8080.")
        var url: String

        @Option(help: "The code the browser shows, e.g. 4821-7730.")
        var code: String

        func run() async throws {
            let client = try DeviceLoginClient(url: url)
            let login = try await client.login(code: code, method: .card)
            Console.say("Logging in to \(login.origin) with code \(login.code) (valid until \(login.expiresAt))")
            let (key, certificate) = try await card.open()
            guard let algorithm = DeviceLoginAnswer.signatureAlgorithm(for: certificate.publicKey) else {
                throw ValidationError("the card's key is of a kind logins do not use")
            }
            let signedAt = Int64(Date().timeIntervalSince1970)
            let toBeSigned = try login.toBeSigned(at: signedAt).derEncoded()
            let signature = try await key.signAsynchronously(bytes: toBeSigned, signatureAlgorithm: algorithm)
            var serializer = DER.Serializer()
            try serializer.serialize(certificate)
            _ = try await client.answer(
                code: login.code,
                body: [
                    "signedAt": signedAt, "signature": Data(signature.rawRepresentation).base64EncodedString(),
                    "certificate": Data(serializer.serializedBytes).base64EncodedString(),
                ])
            Console.say("Signed in as \(certificate.subject); the browser continues by itself.")
        }
    }

    static func describe(_ certificate: Certificate) {
        Console.say("  certificate: \(certificate.subject)")
        Console.say("  issuer: \(certificate.issuer), serial \(Hex.encode(certificate.serialNumber.bytes))")
        Console.say("  valid: \(Timestamp(certificate.notValidBefore)) – \(Timestamp(certificate.notValidAfter))")
    }

    static func certificate(atPath path: String) throws -> Certificate {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
            let certificate = try? Certificate(pemEncoded: text)
        else { throw ValidationError("\(path) is not a PEM certificate") }
        return certificate
    }

    /// Runs `body`, turning Identity errors into one-line command errors.
    static func mapped<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as IdentityError {
            throw ValidationError(error.message)
        }
    }

    static func bytes(hex: String) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let value = UInt8(String(decoding: digits[index...index + 1], as: UTF8.self), radix: 16) else {
                return nil
            }
            out.append(value)
        }
        return out
    }
}
