import ArgumentParser
import Audit
import CivitasApp
import DemoCountry
import Foundation
import Storage
import Trust
import Web

/// `civitas demo`: creates the demo country (if the data directory is new) and serves it.
struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create the demo country, if new, and serve every block with its demo data.")

    @Option(name: .customLong("data"), help: "Data directory of the demo country.")
    var dataDirectory: String = "data/demo"

    @Option(name: .long, help: "TCP port to listen on.")
    var port: String = "8080"

    @Option(name: .long, help: "Address to listen on.")
    var host: String = "127.0.0.1"

    @Option(name: .long, help: "Synthetic residents to create in a new demo country.")
    var persons: Int = 100_000

    @Flag(name: .customLong("no-serve"), help: "Create the demo country and exit.")
    var noServe = false

    func validate() throws {
        guard (0...10_000_000).contains(persons) else {
            throw ValidationError("--persons must be between 0 and 10000000")
        }
    }

    func run() async throws {
        var defaults = NodeConfiguration()
        defaults.dataDirectory = dataDirectory
        let configuration: NodeConfiguration
        do {
            configuration = try await NodeConfiguration.load(
                flags: [Setting.port.key: port, Setting.host.key: host, Setting.dataDirectory.key: dataDirectory],
                environment: ProcessInfo.processInfo.environment, defaults: defaults)
        } catch {
            throw Failure.configuration(error)
        }
        let logger = LogSetup.bootstrap(configuration)
        let database: Database
        do {
            database = try await Node.openDatabase(configuration, demo: true, logger: logger).database
        } catch {
            throw Failure.configuration(error)
        }
        let pki = try Node.nationalPKI(configuration, database: database, logger: logger)
        if try await !pki.isInitialised() {
            Console.say("Creating the national PKI (root CA, issuing CAs, time-stamping unit, OCSP signers) …")
            try await pki.initialise()
        }
        let store = DemoCountryStore(database: database, audit: AuditLog(database: database))
        let existing = try await store.summary()
        if existing.persons == 0 && existing.agencies == 0 {
            Console.say("Creating the demo country with \(persons) synthetic residents in \(dataDirectory) …")
        }
        let started = ContinuousClock.now
        let summary = try await store.createIfEmpty(persons: persons) { written in
            if written % 200_000 == 0 { print("  \(written) residents written") }
        }
        if existing.persons == 0 && existing.agencies == 0 {
            Console.say("  done in \(ContinuousClock.now - started)")
        }
        if noServe {
            Console.say("Demo country: \(summary.persons) residents, \(summary.agencies) agencies in \(dataDirectory).")
            await database.close()
            return
        }
        let url = "http://\(configuration.host):\(configuration.port)/"
        Console.say(
            """

            Civitas demo country: \(summary.persons) residents, \(summary.agencies) agencies.
            Open \(url) and try:
              - the language switch (English, ქართული, 한국어) at the top of every page
              - \(url)health/ready, \(url)metrics and \(url)openapi.json
              - civitas audit verify --data \(dataDirectory)   (checks the audit chain; stop the demo first or run it
                alongside: SQLite allows both)
            Stop with Ctrl-C.

            """)
        let showcase = SitePresentation.Demo(
            persons: summary.persons, agencyKeys: DemoAgencies.all.map(\.catalogueKey))
        do {
            try await Node.run(configuration: configuration, database: database, logger: logger, demo: showcase)
        } catch let error as ConfigurationError {
            throw Failure.configuration(error)
        }
    }
}
