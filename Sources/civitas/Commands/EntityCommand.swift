import ArgumentParser
import Audit
import CivitasApp
import CivitasCore
import Foundation
import Identity
import Storage

/// `civitas identity entity`: legal entities and their representatives, until the business registry keeps them.
struct EntityCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "entity", abstract: "Legal entities and the persons who represent them.",
        subcommands: [Add.self, Representative.self, Show.self])

    /// `civitas identity entity add`.
    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Register a legal entity, or update its record.")

        @OptionGroup var options: NodeOptions

        @Option(help: "The registry code (nine digits).")
        var code: String

        @Option(help: "The name in Georgian script.")
        var name: String

        @Option(name: .customLong("name-latin"), help: "The name in Latin script.")
        var nameLatin: String

        @Option(help: "The legal form (LLC, JSC, …).")
        var form: String

        @Option(help: "active, suspended or dissolved.")
        var status: String = "active"

        func run() async throws {
            let code = try EntityCommand.registryCode(self.code)
            guard let status = LegalEntity.Status(rawValue: status) else {
                throw ValidationError("--status must be active, suspended or dissolved")
            }
            let (_, _, database) = try await options.openNode()
            do {
                try await LegalEntityRegistry(database: database, audit: AuditLog(database: database)).register(
                    LegalEntity(registryCode: code, name: name, nameLatin: nameLatin, legalForm: form, status: status),
                    actor: PKICommand.operatorActor, purpose: "registered by an operator")
                await database.close()
            } catch let error as IdentityError {
                await database.close()
                throw ValidationError(error.message)
            }
            Console.say("legal entity \(code) (\(nameLatin) \(form)) recorded")
        }
    }

    /// `civitas identity entity representative`.
    struct Representative: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record a representative of a legal entity (a director, a board member), or change one.")

        @OptionGroup var options: NodeOptions

        @Option(help: "The entity's registry code.")
        var code: String

        @Option(name: .customLong("personal-number"), help: "The representative's personal number.")
        var personalNumber: String

        @Option(help: "The role: director, board-member, partner, …")
        var role: String = "director"

        @Option(help: "sole or joint right of representation.")
        var right: String = "sole"

        @Option(help: "The first day (YYYY-MM-DD); today by default.")
        var from: String?

        @Option(help: "The last day (YYYY-MM-DD), when the right ends.")
        var until: String?

        func run() async throws {
            let code = try EntityCommand.registryCode(self.code)
            guard let right = Identity.Representative.Right(rawValue: right) else {
                throw ValidationError("--right must be sole or joint")
            }
            let number: PersonalNumber
            let first: CalendarDate
            let last: CalendarDate?
            do {
                number = try PersonalNumber(personalNumber)
                first =
                    try from.map { try CalendarDate($0) }
                    ?? CalendarDate(
                        daysSince1970: Int(Date().timeIntervalSince1970 / 86_400))
                last = try until.map { try CalendarDate($0) }
            } catch {
                throw ValidationError("\(error)")
            }
            let (_, _, database) = try await options.openNode()
            do {
                try await LegalEntityRegistry(database: database, audit: AuditLog(database: database)).record(
                    Identity.Representative(
                        entity: code, personalNumber: number, role: role, right: right, from: first, until: last),
                    actor: PKICommand.operatorActor, purpose: "recorded by an operator")
                await database.close()
            } catch let error as IdentityError {
                await database.close()
                throw ValidationError(error.message)
            }
            Console.say(
                "\(number) is \(role) (\(right.rawValue)) of \(code) from \(first)\(last.map { " until \($0)" } ?? "")")
        }
    }

    /// `civitas identity entity show`.
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a legal entity and its representatives.")

        @OptionGroup var options: NodeOptions

        @Option(help: "The registry code.")
        var code: String

        func run() async throws {
            let code = try EntityCommand.registryCode(self.code)
            let (_, _, database) = try await options.openNode()
            let registry = LegalEntityRegistry(database: database, audit: AuditLog(database: database))
            let entity = try await registry.entity(code)
            let representatives = try await registry.representatives(of: code)
            await database.close()
            guard let entity else { throw ValidationError("no legal entity has the registry code \(code)") }
            Console.say(
                "\(entity.registryCode) \(entity.name) / \(entity.nameLatin) \(entity.legalForm) [\(entity.status.rawValue)]"
            )
            for each in representatives {
                Console.say(
                    "  \(each.personalNumber) \(each.role) \(each.right.rawValue) \(each.from) – \(each.until?.description ?? "")"
                )
            }
        }
    }

    static func registryCode(_ text: String) throws -> RegistryCode {
        do {
            return try RegistryCode(text)
        } catch {
            throw ValidationError("--code: \(error.message)")
        }
    }
}
