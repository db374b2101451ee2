import ArgumentParser
import Audit
import CivitasCore
import Foundation
import Identity
import Storage

extension IdentityCommand {
    /// `civitas identity official`: who is an official, in which roles.
    struct OfficialCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "official", abstract: "Grant, revoke and list officials' roles.",
            subcommands: [Grant.self, Revoke.self, List.self])

        /// The role named on the command line.
        static func role(_ name: String) throws -> OfficialRole {
            guard let role = OfficialRole(rawValue: name) else {
                throw ValidationError(
                    "--role must be one of " + OfficialRole.allCases.map(\.rawValue).joined(separator: ", "))
            }
            return role
        }

        static func number(_ text: String) throws -> PersonalNumber {
            do {
                return try PersonalNumber(text)
            } catch {
                throw ValidationError("--personal-number: \(error)")
            }
        }

        struct Grant: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Give a person an official role (audited).")

            @OptionGroup var options: NodeOptions

            @Option(name: .customLong("personal-number"), help: "The person's personal number.")
            var personalNumber: String

            @Option(help: "identity-admin or service-hall.")
            var role: String

            func run() async throws {
                let role = try OfficialCommand.role(role)
                let number = try OfficialCommand.number(personalNumber)
                let (_, _, database) = try await options.openNode()
                do {
                    try await OfficialRegistry(database: database, audit: AuditLog(database: database)).grant(
                        role, to: number, actor: PKICommand.operatorActor)
                    await database.close()
                    Console.say("\(number.rawValue) holds the role \(role.rawValue)")
                } catch let error as IdentityError {
                    await database.close()
                    throw ValidationError(error.message)
                }
            }
        }

        struct Revoke: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Take an official role away (audited).")

            @OptionGroup var options: NodeOptions

            @Option(name: .customLong("personal-number"), help: "The person's personal number.")
            var personalNumber: String

            @Option(help: "identity-admin or service-hall.")
            var role: String

            func run() async throws {
                let role = try OfficialCommand.role(role)
                let number = try OfficialCommand.number(personalNumber)
                let (_, _, database) = try await options.openNode()
                do {
                    try await OfficialRegistry(database: database, audit: AuditLog(database: database)).revoke(
                        role, from: number, actor: PKICommand.operatorActor)
                    await database.close()
                    Console.say("\(number.rawValue) no longer holds the role \(role.rawValue)")
                } catch let error as IdentityError {
                    await database.close()
                    throw ValidationError(error.message)
                }
            }
        }

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List the officials and their roles.")

            @OptionGroup var options: NodeOptions

            func run() async throws {
                let (_, _, database) = try await options.openNode()
                let grants = try await OfficialRegistry(database: database, audit: AuditLog(database: database)).all()
                await database.close()
                for grant in grants {
                    Console.say(
                        "\(grant.personalNumber.rawValue)\t\(grant.role.rawValue)\t"
                            + "\(Timestamp(grant.grantedAt).description)\t\(grant.grantedBy)")
                }
            }
        }
    }
}
