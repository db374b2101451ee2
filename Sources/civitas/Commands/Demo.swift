import ArgumentParser
import Audit
import CivitasApp
import CivitasCore
import DemoCountry
import Exchange
import Foundation
import Identity
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
        let demoAccounts = try await Self.createDemoAccounts(database: database, persons: summary.persons)
        let official = try await Self.createDemoOfficial(database: database, persons: summary.persons)
        let demoCompany = try await Self.createDemoCompany(database: database, persons: summary.persons)
        try await Self.registerDemoAgencies(
            try await Node.centralRegistry(configuration, database: database, logger: logger))
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
              - \(url)login as \(demoAccounts.joined(separator: ", ")) with the password "\(Self.demoPassword)"
              - \(url)admin as \(official ?? "—"), an official with the identity-admin and service-hall roles: the same
                password, then a code from the TOTP secret \(Self.officialTOTPSecret.base32)
              - \(url)account/powers: give a power of attorney; \(demoCompany ?? "no demo company")
              - \(url)health/ready, \(url)metrics and \(url)openapi.json
              - \(url)exchange/global-configuration, the signed global configuration of the exchange (its agencies)
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

    /// The demo residents' password (the demo country is public; nothing in it is real).
    static let demoPassword = "civitas demo country 2026"

    /// Accounts for the first three adult residents, made once: `demo.<given name>`.
    /// Registers every demo agency as an exchange member with one subsystem named after it
    /// (`CVT/GOV/700000015/civil-registry`), once.
    static func registerDemoAgencies(_ registry: CentralRegistry) async throws {
        guard try await registry.members().isEmpty else { return }
        let actor = AuditActor.system("demo")
        for agency in DemoAgencies.all {
            let member = try XRoadClientIdentifier(
                instance: registry.instance, memberClass: agency.memberClass, memberCode: agency.memberCode)
            let subsystem = agency.catalogueKey.replacingOccurrences(of: "agency_", with: "")
                .replacingOccurrences(of: "_", with: "-")
            try await registry.addMember(member, name: agency.shortName, actor: actor)
            try await registry.addSubsystem(
                try XRoadClientIdentifier(
                    instance: member.instance, memberClass: member.memberClass, memberCode: member.memberCode,
                    subsystemCode: subsystem),
                actor: actor)
        }
    }

    static func createDemoAccounts(database: Database, persons: Int) async throws -> [String] {
        let audit = AuditLog(database: database)
        let accounts = AccountStore(
            database: database, audit: audit, hasher: PasswordHasher(), throttle: LoginThrottle(database: database))
        let generator = PopulationGenerator(count: persons, referenceDate: DemoCountryStore.referenceDate)
        var usernames: [String] = []
        var index = 0
        while usernames.count < 3, index < persons {
            let person = generator[index]
            index += 1
            guard person.birthDate.age(on: DemoCountryStore.referenceDate) >= 18 else { continue }
            let username = "demo." + person.givenNameLatin.lowercased().filter { $0.isLetter }
            guard !usernames.contains(username) else { continue }
            if try await accounts.account(of: person.personalNumber) == nil {
                try await accounts.create(
                    for: person.personalNumber, username: username, password: demoPassword,
                    actor: AuditActor.system("demo"))
            }
            usernames.append(username)
        }
        return usernames
    }
}
