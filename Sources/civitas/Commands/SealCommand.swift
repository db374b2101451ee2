import ArgumentParser
import Audit
import CivitasApp
import Foundation
import Storage
import Trust

/// `civitas seal`: organisations' e-seals (CAdES baseline signatures made with an organisation's key).
struct SealCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seal", abstract: "Create an organisation's e-seal, or seal a document with it (CAdES).",
        subcommands: [Create.self, Sign.self])

    /// `civitas seal create`.
    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a seal key in the key store and its qualified e-seal certificate.")

        @OptionGroup var options: NodeOptions

        @Option(help: "The seal's name, e.g. civil-registry.")
        var name: String

        @Option(help: "The organisation's name, as it appears in the certificate.")
        var organisation: String

        @Option(help: "The organisation's registry code, e.g. GOV-700000015.")
        var code: String

        func run() async throws {
            let (configuration, logger, database) = try await options.openNode()
            let pki = try Node.nationalPKI(configuration, database: database, logger: logger)
            do {
                let stored = try await pki.createSeal(
                    name: name, organisation: organisation, organisationIdentifier: code,
                    actor: PKICommand.operatorActor)
                Console.say("seal \(name): certificate \(stored.issuer)/\(stored.serial)")
                await database.close()
            } catch let error as TrustError {
                await database.close()
                throw ValidationError(error.message)
            }
        }
    }

    /// `civitas seal sign`.
    struct Sign: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Seal a document: a detached CAdES B-B or B-T signature (.p7s).")

        @OptionGroup var options: NodeOptions

        @Option(help: "The seal's name.")
        var name: String

        @Option(name: .customLong("in"), help: "The document to seal.")
        var input: String

        @Option(name: .customLong("out"), help: "Where to write the signature (DER).")
        var output: String

        @Option(help: "B-B, or B-T to add a signature time-stamp from the node's time-stamping unit.")
        var level: String = "B-T"

        func run() async throws {
            guard let level = CAdESLevel(rawValue: level.uppercased()) else {
                throw ValidationError("--level must be B-B or B-T")
            }
            let document = try [UInt8](Data(contentsOf: URL(fileURLWithPath: input)))
            let (configuration, logger, database) = try await options.openNode()
            let pki = try Node.nationalPKI(configuration, database: database, logger: logger)
            let seal = try await pki.seal(named: name)
            let chain = [try await pki.certificate(role: .organisationsCA).certificate]
            let authority =
                level == .timestamped
                ? try await pki.timeStampAuthority(serials: SerialAllocator(database: database, name: "tsa")) : nil
            let signature = try await CAdESSigner().sign(
                document, key: seal.key, certificate: seal.certificate.certificate, chain: chain, level: level,
                timeStamping: authority)
            try Data(signature).write(to: URL(fileURLWithPath: output))
            try await AuditLog(database: database).append(
                AuditEvent(
                    actor: PKICommand.operatorActor, action: "trust.seal.sign",
                    object: AuditObject(type: "seal", id: name),
                    purpose: "seal a document (\(level.rawValue), \(document.count) bytes)"))
            Console.say("sealed \(input) with \(name) (\(level.rawValue)): \(output)")
            await database.close()
        }
    }
}
