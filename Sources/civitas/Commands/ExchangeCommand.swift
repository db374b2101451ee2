import ArgumentParser
import Audit
import CivitasApp
import CivitasCore
import Exchange
import Foundation
import Storage
import SwiftASN1
import X509

/// `civitas exchange`: the central registry (members, subsystems, nodes, services, access rights) and the message
/// log (evidence export and offline verification).
struct ExchangeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exchange",
        abstract: "The data exchange: the central registry, and the message log's evidence and its verification.",
        subcommands: [
            Member.self, Subsystem.self, NodeVerb.self, Service.self, Access.self, ExchangeVerifyCommand.self,
            ExchangeLogCommand.self, ExchangeBenchCommand.self, ExchangeKeysCommand.self, ExchangeProvideCommand.self,
            ExchangeUsageCommand.self,
        ])

    /// Opens the registry, runs `body`, closes the database, and turns the block's errors into one line.
    static func withRegistry(
        _ options: NodeOptions, _ body: (CentralRegistry) async throws -> Void
    ) async throws {
        let (configuration, logger, database) = try await options.openNode()
        do {
            try await body(try await Node.centralRegistry(configuration, database: database, logger: logger))
            await database.close()
        } catch {
            await database.close()
            throw mappedError(error)
        }
    }

    /// Runs `body`, turning the identifier and block errors into one line.
    static func mapped<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch {
            throw mappedError(error)
        }
    }

    /// The block's errors as one line for the operator; others as they are.
    static func mappedError(_ error: any Error) -> any Error {
        switch error {
        case let error as ExchangeError: ValidationError(error.message)
        case let error as IdentifierError: ValidationError(error.message)
        default: error
        }
    }

    static let actor = AuditActor(kind: .official, id: "cli:\(ProcessInfo.processInfo.userName)")

    /// `civitas exchange member add|list|remove`.
    struct Member: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "member", abstract: "Exchange members (INSTANCE/CLASS/MEMBER).",
            subcommands: [Add.self, List.self, Remove.self])

        struct Add: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Register a member.")
            @OptionGroup var options: NodeOptions
            @Option(help: "The member, e.g. CVT/GOV/700000015.") var id: String
            @Option(help: "Its registered name.") var name: String

            func run() async throws {
                try await ExchangeCommand.withRegistry(options) { registry in
                    try await registry.addMember(
                        try XRoadClientIdentifier(id), name: name, actor: ExchangeCommand.actor)
                    Console.say("member \(id) registered")
                }
            }
        }

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List members and their subsystems.")
            @OptionGroup var options: NodeOptions

            func run() async throws {
                try await ExchangeCommand.withRegistry(options) { registry in
                    for member in try await registry.members() {
                        Console.say(
                            "\(member.id)\t\(member.name)\t\(member.subsystems.map(\.description).joined(separator: " "))"
                        )
                    }
                }
            }
        }

        struct Remove: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Remove a member without subsystems or nodes.")
            @OptionGroup var options: NodeOptions
            @Option(help: "The member.") var id: String

            func run() async throws {
                try await ExchangeCommand.withRegistry(options) { registry in
                    try await registry.removeMember(try XRoadClientIdentifier(id), actor: ExchangeCommand.actor)
                    Console.say("member \(id) removed")
                }
            }
        }
    }

    /// `civitas exchange subsystem add|list|remove`.
    struct Subsystem: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "subsystem", abstract: "Members' subsystems (INSTANCE/CLASS/MEMBER/SUBSYSTEM).",
            subcommands: [Add.self, List.self, Remove.self])

        struct Add: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Register a subsystem of a member.")
            @OptionGroup var options: NodeOptions
            @Option(help: "The subsystem, e.g. CVT/GOV/700000015/registry.") var id: String

            func run() async throws {
                try await ExchangeCommand.withRegistry(options) { registry in
                    try await registry.addSubsystem(try XRoadClientIdentifier(id), actor: ExchangeCommand.actor)
                    Console.say("subsystem \(id) registered")
                }
            }
        }

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List every subsystem.")
            @OptionGroup var options: NodeOptions

            func run() async throws {
                try await ExchangeCommand.withRegistry(options) { registry in
                    for subsystem in try await registry.members().flatMap(\.subsystems) { Console.say("\(subsystem)") }
                }
            }
        }

        struct Remove: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Remove an unused subsystem.")
            @OptionGroup var options: NodeOptions
            @Option(help: "The subsystem.") var id: String

            func run() async throws {
                try await ExchangeCommand.withRegistry(options) { registry in
                    try await registry.removeSubsystem(try XRoadClientIdentifier(id), actor: ExchangeCommand.actor)
                    Console.say("subsystem \(id) removed")
                }
            }
        }
    }

    /// `civitas exchange node add|list|remove`.
    struct NodeVerb: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "node", abstract: "Exchange nodes (security servers), INSTANCE/CLASS/MEMBER/SERVER.",
            subcommands: [Add.self, List.self, Remove.self])

        struct Add: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Register a node, with its authentication certificate and the subsystems it serves.")
            @OptionGroup var options: NodeOptions
            @Option(help: "The node, e.g. CVT/GOV/700000015/node1.") var id: String
            @Option(help: "Where it listens, host:port.") var address: String
            @Option(help: "Its authentication certificate (PEM), from the organisations CA.") var certificate: String?
            @Option(name: .customLong("serves"), help: "A subsystem it serves; repeat for several.") var clients:
                [String] = []

            func run() async throws {
                let certificate = try self.certificate.map {
                    try Certificate(pemEncoded: try String(contentsOfFile: $0, encoding: .utf8))
                }
                try await ExchangeCommand.withRegistry(options) { registry in
                    let node = try ExchangeNodeIdentifier(id)
                    let subsystems = try clients.map { try XRoadClientIdentifier($0) }
                    try await registry.addNode(node, address: try NodeAddress(address), actor: ExchangeCommand.actor)
                    if let certificate {
                        try await registry.addNodeCertificate(certificate, to: node, actor: ExchangeCommand.actor)
                    }
                    for subsystem in subsystems {
                        try await registry.addNodeClient(subsystem, to: node, actor: ExchangeCommand.actor)
                    }
                    Console.say("node \(id) registered at \(address)")
                }
            }
        }

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List nodes.")
            @OptionGroup var options: NodeOptions

            func run() async throws {
                try await ExchangeCommand.withRegistry(options) { registry in
                    for node in try await registry.nodes() {
                        Console.say(
                            "\(node.id)\t\(node.address)\t\(node.certificates.count) certificate(s)\t"
                                + node.clients.map(\.description).joined(separator: " "))
                    }
                }
            }
        }

        struct Remove: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Remove a node.")
            @OptionGroup var options: NodeOptions
            @Option(help: "The node.") var id: String

            func run() async throws {
                try await ExchangeCommand.withRegistry(options) { registry in
                    try await registry.removeNode(try ExchangeNodeIdentifier(id), actor: ExchangeCommand.actor)
                    Console.say("node \(id) removed")
                }
            }
        }
    }

    /// `civitas exchange service add|list|remove`.
    struct Service: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "service", abstract: "Services (INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICE).",
            subcommands: [Add.self, List.self, Remove.self])

        struct Add: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Register a service of a subsystem.")
            @OptionGroup var options: NodeOptions
            @Option(help: "The service, e.g. CVT/GOV/700000015/registry/persons.") var id: String
            @Option(help: "A title for people.") var title: String
            @Option(help: "Its version, e.g. v1.") var version: String?
            @Option(help: "Its OpenAPI description (a JSON or YAML file).") var openapi: String?

            func run() async throws {
                let description = try openapi.map { [UInt8](try Data(contentsOf: URL(fileURLWithPath: $0))) }
                try await ExchangeCommand.withRegistry(options) { registry in
                    try await registry.addService(
                        try XRoadServiceIdentifier(id, version: version), title: title, openAPI: description,
                        actor: ExchangeCommand.actor)
                    Console.say("service \(id) registered")
                }
            }
        }

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List services.")
            @OptionGroup var options: NodeOptions

            func run() async throws {
                try await ExchangeCommand.withRegistry(options) { registry in
                    for service in try await registry.services() {
                        Console.say("\(service.id)\t\(service.id.serviceVersion ?? "-")\t\(service.title)")
                    }
                }
            }
        }

        struct Remove: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Remove a service and every access right to it.")
            @OptionGroup var options: NodeOptions
            @Option(help: "The service.") var id: String

            func run() async throws {
                try await ExchangeCommand.withRegistry(options) { registry in
                    try await registry.removeService(try XRoadServiceIdentifier(id), actor: ExchangeCommand.actor)
                    Console.say("service \(id) removed")
                }
            }
        }
    }

    /// `civitas exchange access add|list|remove`.
    struct Access: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "access", abstract: "Access rights: which client subsystem may call which service.",
            subcommands: [Add.self, List.self, Remove.self])

        struct Add: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Allow a subsystem to call a service.")
            @OptionGroup var options: NodeOptions
            @Option(help: "The client subsystem.") var client: String
            @Option(help: "The service.") var service: String
            @Option(help: "Only this HTTP method (default: any).") var method: String?
            @Option(help: "Only paths matching this pattern, e.g. /persons/* (default: any).") var path: String?

            func run() async throws {
                try await ExchangeCommand.withRegistry(options) { registry in
                    let right = try await registry.grantAccess(
                        client: try XRoadClientIdentifier(client), service: try XRoadServiceIdentifier(service),
                        method: method, path: path, actor: ExchangeCommand.actor)
                    Console.say("access right \(right.id): \(client) may call \(service)")
                }
            }
        }

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List access rights.")
            @OptionGroup var options: NodeOptions

            func run() async throws {
                try await ExchangeCommand.withRegistry(options) { registry in
                    for right in try await registry.accessRights() {
                        Console.say(
                            "\(right.id)\t\(right.client)\t\(right.service)\t\(right.method ?? "*")\t\(right.path ?? "/**")"
                        )
                    }
                }
            }
        }

        struct Remove: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Withdraw an access right.")
            @OptionGroup var options: NodeOptions
            @Option(help: "The access right's number (see list).") var id: Int64

            func run() async throws {
                try await ExchangeCommand.withRegistry(options) { registry in
                    try await registry.revokeAccess(id: id, actor: ExchangeCommand.actor)
                    Console.say("access right \(id) withdrawn")
                }
            }
        }
    }
}
