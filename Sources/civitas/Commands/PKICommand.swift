import ArgumentParser
import Audit
import CivitasApp
import Foundation
import Storage
import SwiftASN1
import Trust
import X509

/// `civitas pki`: the national PKI's hierarchy, issuance and certificate lifecycle.
struct PKICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pki", abstract: "Create the national PKI, issue certificates and change their status.",
        subcommands: [
            Initialise.self, Export.self, Issue.self, Revoke.self, Suspend.self, Resume.self, Show.self, Client.self,
        ])

    static let operatorActor = AuditActor(kind: .official, id: "cli:\(ProcessInfo.processInfo.userName)")

    /// `civitas pki init`.
    struct Initialise: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "init", abstract: "Create the root CA, issuing CAs, time-stamping unit and OCSP signers.")

        @OptionGroup var options: NodeOptions

        func run() async throws {
            let (configuration, logger, database) = try await options.openNode()
            let pki = try Node.nationalPKI(configuration, database: database, logger: logger)
            let issued = try await pki.initialise(actor: PKICommand.operatorActor)
            for stored in issued {
                Console.say("\(stored.role?.rawValue ?? "?")\t\(stored.serial)\t\(stored.certificate.subject)")
            }
            await database.close()
        }
    }

    /// `civitas pki export`.
    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write every CA, TSA and OCSP certificate as PEM, for external tools.")

        @OptionGroup var options: NodeOptions

        @Option(name: .customLong("out"), help: "Directory to write the PEM files to.")
        var directory: String

        func run() async throws {
            let (configuration, logger, database) = try await options.openNode()
            let pki = try Node.nationalPKI(configuration, database: database, logger: logger)
            for path in try await pki.export(to: directory) { Console.say(path) }
            await database.close()
        }
    }

    /// `civitas pki issue`.
    struct Issue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Issue a certificate from a PKCS#10 request.")

        @OptionGroup var options: NodeOptions

        @Option(help: "citizen-authentication, citizen-qualified-signature, organisation-seal or tls-node.")
        var profile: String

        @Option(help: "The PKCS#10 request (PEM).")
        var csr: String

        @Option(name: .customLong("out"), help: "Where to write the certificate (PEM).")
        var output: String

        func run() async throws {
            guard let profile = CertificateProfile(rawValue: profile), CertificateProfile.endEntity.contains(profile)
            else {
                throw ValidationError(
                    "--profile must be one of " + CertificateProfile.endEntity.map(\.rawValue).joined(separator: ", "))
            }
            let request = try CertificateSigningRequest(pemEncoded: try String(contentsOfFile: csr, encoding: .utf8))
            let (configuration, logger, database) = try await options.openNode()
            let pki = try Node.nationalPKI(configuration, database: database, logger: logger)
            let stored = try await pki.issue(csr: request, profile: profile, actor: PKICommand.operatorActor)
            try (try stored.certificate.serializeAsPEM().pemString + "\n").write(
                toFile: output, atomically: true, encoding: .utf8)
            Console.say("issued \(stored.issuer)/\(stored.serial) to \(stored.certificate.subject)")
            await database.close()
        }
    }

    /// Options naming one certificate.
    struct Target: ParsableArguments {
        @Option(help: "The issuing CA: citizens-ca or organisations-ca.")
        var issuer: String

        @Option(help: "The serial number in hex.")
        var serial: String
    }

    static func apply(_ change: NationalPKI.StatusChange, options: NodeOptions, target: Target) async throws {
        let (configuration, logger, database) = try await options.openNode()
        let pki = try Node.nationalPKI(configuration, database: database, logger: logger)
        do {
            let updated = try await pki.change(
                issuer: target.issuer, serial: target.serial, change, actor: PKICommand.operatorActor)
            Console.say("\(updated.issuer)/\(updated.serial): \(updated.lifecycle)")
            await database.close()
        } catch let error as TrustError {
            await database.close()
            throw ValidationError(error.message)
        }
    }

    /// `civitas pki revoke`.
    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a certificate for good.")
        @OptionGroup var options: NodeOptions
        @OptionGroup var target: Target
        @Option(help: "keyCompromise, affiliationChanged, superseded, cessationOfOperation, privilegeWithdrawn, …")
        var reason: String = "unspecified"

        func run() async throws {
            guard let reason = CRLReason(name: reason) else {
                throw ValidationError(
                    "--reason must be one of " + CRLReason.revocationReasons.map(\.name).joined(separator: ", "))
            }
            try await PKICommand.apply(.revoke(reason), options: options, target: target)
        }
    }

    /// `civitas pki suspend`.
    struct Suspend: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Put a certificate on hold (certificateHold).")
        @OptionGroup var options: NodeOptions
        @OptionGroup var target: Target

        func run() async throws { try await PKICommand.apply(.suspend, options: options, target: target) }
    }

    /// `civitas pki resume`.
    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Take a suspended certificate off hold.")
        @OptionGroup var options: NodeOptions
        @OptionGroup var target: Target

        func run() async throws { try await PKICommand.apply(.resume, options: options, target: target) }
    }

    /// `civitas pki show`.
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a certificate and its status.")
        @OptionGroup var options: NodeOptions
        @OptionGroup var target: Target

        func run() async throws {
            let (configuration, logger, database) = try await options.openNode()
            let pki = try Node.nationalPKI(configuration, database: database, logger: logger)
            let stored = try await pki.certificate(issuer: target.issuer, serial: target.serial)
            await database.close()
            guard let stored else { throw ValidationError("no certificate \(target.issuer)/\(target.serial)") }
            Console.say("\(stored.issuer)/\(stored.serial) \(stored.profile.rawValue) \(stored.lifecycle)")
            Console.say("subject: \(stored.certificate.subject)")
            Console.say("valid: \(stored.certificate.notValidBefore) – \(stored.certificate.notValidAfter)")
        }
    }
}
