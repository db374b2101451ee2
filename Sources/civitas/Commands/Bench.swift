import ArgumentParser
import Audit
import CivitasApp
import Foundation
import Hummingbird
import Logging
import Storage

/// `civitas bench`: the workloads `scripts/bench` measures (hidden from `--help`).
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmark workloads for scripts/bench.", shouldDisplay: false,
        subcommands: [Hello.self, AuditAppends.self, CardLogins.self])

    /// A bare Hummingbird server with one route: the ceiling the node's own routes are compared with.
    struct Hello: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Serve a bare Hummingbird hello route.")

        @Option(name: .long, help: "TCP port.")
        var port: Int = 8090

        func run() async throws {
            let router = Router()
            router.get("/hello") { _, _ in "hello" }
            var logger = Logger(label: "hello")
            logger.logLevel = .warning
            let application = Application(
                router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)), logger: logger)
            try await application.runService()
        }
    }

    /// Appends audit entries with durable commits and reports the rate.
    struct AuditAppends: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "audit", abstract: "Append audit entries and print entries per second.")

        @OptionGroup var options: NodeOptions

        @Option(name: .long, help: "Entries to append.")
        var entries: Int = 2000

        @Option(name: .long, help: "Entries per transaction.")
        var batch: Int = 1

        @Option(name: .long, help: "Concurrent writers.")
        var writers: Int = 1

        func run() async throws {
            let (_, _, database) = try await options.openNode()
            let log = AuditLog(database: database)
            let perWriter = entries / writers
            let started = ContinuousClock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<writers {
                    group.addTask {
                        var written = 0
                        while written < perWriter {
                            let count = min(batch, perWriter - written)
                            let events = (0..<count).map { index in
                                AuditEvent(
                                    actor: AuditActor(kind: .official, id: "bench-\(writer)"),
                                    action: "registries.person.read",
                                    object: AuditObject(type: "person", id: "\(written + index)"),
                                    subject: DataSubject(kind: "person", identifier: "0123456789\(index % 10)"),
                                    purpose: "benchmark")
                            }
                            try await log.append(contentsOf: events)
                            written += count
                        }
                    }
                }
                try await group.waitForAll()
            }
            let elapsed = ContinuousClock.now - started
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            let total = perWriter * writers
            let verdict = try await log.verify()
            await database.close()
            guard case .intact = verdict else {
                throw ValidationError("the chain is broken after the benchmark: \(verdict)")
            }
            Console.say(
                "engine=\(database.engine) entries=\(total) batch=\(batch) writers=\(writers) "
                    + "seconds=\(String(format: "%.3f", seconds)) per_second=\(Int(Double(total) / seconds))")
        }
    }
}
