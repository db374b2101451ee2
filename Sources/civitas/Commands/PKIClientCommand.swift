import ArgumentParser
import Audit
import CivitasApp
import CivitasCore
import Foundation
import Storage
import Trust

extension PKICommand {
    /// `civitas pki client`: the API clients that may call the Trust block's APIs.
    struct Client: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register, list and revoke API clients (bearer tokens for the remote signing API).",
            subcommands: [Create.self, List.self, Revoke.self])

        static func registry(_ options: NodeOptions) async throws -> (APIClientRegistry, () async -> Void) {
            let (_, _, database) = try await options.openNode()
            return (
                APIClientRegistry(database: database, audit: AuditLog(database: database)), { await database.close() }
            )
        }

        /// `civitas pki client create`.
        struct Create: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Register a client and print its token, once: only its SHA-256 is kept.")

            @OptionGroup var options: NodeOptions

            @Option(help: "A name for operators, e.g. \"Ministry of Justice e-services\".")
            var name: String

            @Option(
                name: .customLong("scope"),
                help: ArgumentHelp(
                    "certificates, signatures, audit, consent.config, consent.service, consent.audit, "
                        + "identity.relying-parties or exchange.registry; repeat for several."))
            var scopes: [String]

            @Option(
                name: .customLong("profile"),
                help: "citizen-qualified-signature (the default) or organisation-seal; repeat for both.")
            var profiles: [String] = []

            func run() async throws {
                var scopeSet: Set<APIScope> = []
                for name in scopes.flatMap({ $0.split(separator: ",").map(String.init) }) {
                    guard let scope = APIScope(rawValue: name) else {
                        throw ValidationError(
                            "--scope must be one of " + APIScope.allCases.map(\.rawValue).joined(separator: ", "))
                    }
                    scopeSet.insert(scope)
                }
                var profileList: [CertificateProfile] = []
                for name in profiles {
                    guard let profile = CertificateProfile(rawValue: name),
                        APIClient.remoteSigningProfiles.contains(profile)
                    else {
                        throw ValidationError(
                            "--profile must be one of "
                                + APIClient.remoteSigningProfiles.map(\.rawValue).joined(separator: ", "))
                    }
                    profileList.append(profile)
                }
                let (registry, close) = try await Client.registry(options)
                do {
                    let (client, token) = try await registry.create(
                        name: name, scopes: scopeSet,
                        profiles: profileList.isEmpty ? [.citizenQualifiedSignature] : profileList,
                        actor: PKICommand.operatorActor)
                    await close()
                    FileHandle.standardError.write(
                        Data("client \(client.id) created; its token is shown only now:\n".utf8))
                    Console.say(token)
                } catch let error as TrustError {
                    await close()
                    throw ValidationError(error.message)
                }
            }
        }

        /// `civitas pki client list`.
        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List the API clients.")

            @OptionGroup var options: NodeOptions

            func run() async throws {
                let (registry, close) = try await Client.registry(options)
                let clients = try await registry.list()
                await close()
                for client in clients {
                    let scopes = APIScope.allCases.filter(client.scopes.contains).map(\.rawValue)
                    let state = client.revokedAt.map { "revoked \(Timestamp($0))" } ?? "active"
                    Console.say(
                        "\(client.id)\t\(state)\t\(scopes.joined(separator: ","))\t"
                            + "\(client.profiles.map(\.rawValue).joined(separator: ","))\t\(client.name)")
                }
            }
        }

        /// `civitas pki client revoke`.
        struct Revoke: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Revoke an API client's token at once.")

            @OptionGroup var options: NodeOptions

            @Option(help: "The client's id (client-…).")
            var id: String

            func run() async throws {
                let (registry, close) = try await Client.registry(options)
                do {
                    let client = try await registry.revoke(id: id, actor: PKICommand.operatorActor)
                    await close()
                    Console.say("\(client.id) revoked")
                } catch let error as TrustError {
                    await close()
                    throw ValidationError(error.message)
                }
            }
        }
    }
}
