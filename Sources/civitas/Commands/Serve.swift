import ArgumentParser
import CivitasApp
import Storage

/// `civitas serve`: runs a node.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run a Civitas node until SIGTERM.")

    @OptionGroup var options: NodeOptions

    func run() async throws {
        let configuration = try await options.load()
        let logger = LogSetup.bootstrap(configuration)
        let database: Database
        do {
            database = try await Node.openDatabase(configuration, demo: false, logger: logger).database
        } catch {
            throw Failure.configuration(error)
        }
        try await Node.run(configuration: configuration, database: database, logger: logger)
    }
}
