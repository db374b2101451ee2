import ArgumentParser
import Audit
import CivitasApp
import CivitasCore
import Foundation
import Storage

/// `civitas audit`: checks and reads the audit chain.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Verify the audit chain or list entries about a data subject.",
        subcommands: [Verify.self, List.self])

    /// `civitas audit verify`.
    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Walk the audit chain; exit 1 naming the first entry that was changed, deleted, inserted or moved.")

        @OptionGroup var options: NodeOptions

        func run() async throws {
            let (_, _, database) = try await options.openNode()
            let result = try await AuditLog(database: database).verify()
            await database.close()
            switch result {
            case .intact(let entries, let head):
                let hex = Hex.encode(head.hash)
                Console.say("audit chain intact: \(entries) entries, head \(head.sequence) \(hex)")
            case .broken(let sequence, let problem):
                FileHandle.standardError.write(Data("audit chain broken at entry \(sequence): \(problem)\n".utf8))
                throw ExitCode(1)
            }
        }
    }

    /// `civitas audit list`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List audit entries about one data subject, newest first.")

        @OptionGroup var options: NodeOptions

        @Option(name: .long, help: "The data subject, as kind:identifier (e.g. person:01234567892).")
        var subject: String

        @Option(name: .long, help: "Entries per page (1-200).")
        var limit: Int = 20

        @Option(name: .long, help: "Show entries older than this sequence number (the next page).")
        var before: Int64?

        func run() async throws {
            let (_, _, database) = try await options.openNode()
            defer { Task { await database.close() } }
            let page = try await AuditLog(database: database).entries(
                about: DataSubject(rawValue: subject), before: before, limit: limit)
            for entry in page.entries {
                let event = entry.event
                let actor = "\(event.actor.kind.rawValue):\(event.actor.id)"
                Console.say(
                    "\(entry.sequence)\t\(entry.time)\t\(actor)\t\(event.action)\t\(event.object.type):\(event.object.id)\t\(event.purpose)"
                )
            }
            if let next = page.next { print("more: --before \(next)") }
        }
    }
}
