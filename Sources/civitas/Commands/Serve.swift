import ArgumentParser
import CivitasApp
import Storage

/// `civitas serve`: runs a node.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run a Civitas node until SIGTERM.")

    @OptionGroup var options: NodeOptions

    func run() async throws {
        let (configuration, logger, database) = try await options.openNode()
        do {
            try await Node.run(configuration: configuration, database: database, logger: logger)
        } catch let error as ConfigurationError {
            throw Failure.configuration(error)
        }
    }
}
