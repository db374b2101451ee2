import ArgumentParser
import Audit
import CivitasApp
import CivitasCore
import Exchange
import Foundation
import Storage
import SwiftASN1
import X509

/// `civitas exchange keys create|import`: an exchange node's authentication and seal keys and certificates.
struct ExchangeKeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "An exchange node's keys: make them with their requests, import the certificates.",
        subcommands: [Create.self, Import.self])

    /// `civitas exchange keys create`.
    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make the node's authentication and seal keys and write their PKCS#10 requests.")
        @OptionGroup var options: NodeOptions
        @Option(help: "The node, e.g. CVT/GOV/70000001/node1.") var node: String
        @Option(help: "The owner organisation's registered name.") var organisation: String
        @Option(name: .customLong("out"), help: "Directory for authentication.csr and seal.csr.") var output: String

        func run() async throws {
            let id = try ExchangeCommand.mapped { try ExchangeNodeIdentifier(node) }
            let (configuration, logger, database) = try await options.openNode()
            let requests: (authentication: CertificateSigningRequest, seal: CertificateSigningRequest)
            do {
                requests = try await ExchangeNodeKeys.createRequests(
                    node: id, organisation: organisation, configuration: configuration, database: database,
                    logger: logger)
            } catch {
                await database.close()
                throw ValidationError("the node's keys cannot be made (do they exist already?): \(error)")
            }
            await database.close()
            try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
            for (name, request) in [("authentication", requests.authentication), ("seal", requests.seal)] {
                let path = (output as NSString).appendingPathComponent("\(name).csr")
                try (try request.serializeAsPEM().pemString + "\n").write(
                    toFile: path, atomically: true, encoding: .utf8)
                Console.say("wrote \(path)")
            }
        }
    }

    /// `civitas exchange keys import`.
    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import the issued authentication (tls-node) and seal (organisation-seal) certificates.")
        @OptionGroup var options: NodeOptions
        @Option(help: "The authentication certificate (PEM).") var authentication: String
        @Option(help: "The seal certificate (PEM).") var seal: String
        @Option(help: "The organisations CA that issued both (PEM).") var ca: String
        @Option(name: .customLong("trust-anchor"), help: "The national root (PEM).") var trustAnchor: String

        func run() async throws {
            func certificate(_ path: String) throws -> Certificate {
                do {
                    return try Certificate(pemEncoded: try String(contentsOfFile: path, encoding: .utf8))
                } catch {
                    throw ValidationError("\(path) is not a PEM certificate")
                }
            }
            let (configuration, logger, database) = try await options.openNode()
            do {
                try await ExchangeNodeKeys.importCertificates(
                    authentication: try certificate(authentication), seal: try certificate(seal),
                    issuingCA: try certificate(ca), trustAnchor: try certificate(trustAnchor),
                    configuration: configuration, database: database, logger: logger)
            } catch let error as ExchangeError {
                await database.close()
                throw ValidationError(error.message)
            } catch {
                await database.close()
                throw error
            }
            await database.close()
            Console.say("certificates imported into \(configuration.dataDirectory)/exchange")
        }
    }
}

/// `civitas exchange provide add|list|remove`: the services this node provides and where their backends are.
struct ExchangeProvideCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "provide", abstract: "The services this exchange node provides, and their backends.",
        subcommands: [Add.self, List.self, Remove.self])

    static func withServices(_ options: NodeOptions, _ body: (ProvidedServices) async throws -> Void) async throws {
        let (_, _, database) = try await options.openNode()
        do {
            try await body(ProvidedServices(database: database, audit: AuditLog(database: database)))
            await database.close()
        } catch {
            await database.close()
            throw ExchangeCommand.mappedError(error)
        }
    }

    /// `civitas exchange provide add`.
    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Provide a service (or change its backend).")
        @OptionGroup var options: NodeOptions
        @Option(help: "The service, INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICE.") var service: String
        @Option(help: "The backend's base URL; the path after the service code is appended.") var backend: String
        @Option(help: "A title for people.") var title: String?
        @Option(help: "How long to wait for the backend, in seconds.") var timeout: Int = 30
        @Option(help: "The service's OpenAPI description (JSON or YAML file).") var openapi: String?

        func run() async throws {
            let id = try ExchangeCommand.mapped { try XRoadServiceIdentifier(service) }
            guard let url = URL(string: backend) else { throw ValidationError("--backend is not a URL") }
            let description = try openapi.map { try String(contentsOfFile: $0, encoding: .utf8) }
            try await ExchangeProvideCommand.withServices(options) { services in
                try await services.put(
                    ProvidedService(
                        id: id, title: title ?? id.serviceCode, backendURL: url, timeout: .seconds(timeout),
                        openAPI: description),
                    actor: ExchangeCommand.actor)
                Console.say("providing \(id) from \(url.absoluteString)")
            }
        }
    }

    /// `civitas exchange provide list`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the services this node provides.")
        @OptionGroup var options: NodeOptions

        func run() async throws {
            try await ExchangeProvideCommand.withServices(options) { services in
                for service in try await services.all() {
                    Console.say(
                        "\(service.id)\t\(service.backendURL.absoluteString)\t\(service.timeout)"
                            + (service.openAPI == nil ? "" : "\tOpenAPI"))
                }
            }
        }
    }

    /// `civitas exchange provide remove`.
    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop providing a service.")
        @OptionGroup var options: NodeOptions
        @Option(help: "The service.") var service: String

        func run() async throws {
            let id = try ExchangeCommand.mapped { try XRoadServiceIdentifier(service) }
            try await ExchangeProvideCommand.withServices(options) { services in
                try await services.remove(id, actor: ExchangeCommand.actor)
                Console.say("no longer providing \(id)")
            }
        }
    }
}

/// `civitas exchange usage --subject N`: the data tracker: which organisation read whose data, when and why.
struct ExchangeUsageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "usage", abstract: "Who received a person's data through this node's services, when and why.")
    @OptionGroup var options: NodeOptions
    @Option(help: "The data subject (a personal number).") var subject: String
    @Flag(help: "Print JSON instead of a table.") var json = false

    func run() async throws {
        let (_, _, database) = try await options.openNode()
        let uses: [DataTracker.Use]
        do {
            uses = try await DataTracker(database: database).uses(of: subject)
        } catch {
            await database.close()
            throw ExchangeCommand.mappedError(error)
        }
        await database.close()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            encoder.dateEncodingStrategy = .iso8601
            Console.say(String(decoding: try encoder.encode(uses), as: UTF8.self))
            return
        }
        for use in uses {
            Console.say(
                [
                    Timestamp(use.at).description, use.client, use.service, use.userID ?? "-", use.issue ?? "-",
                    use.messageID,
                ].joined(separator: "\t"))
        }
    }
}
