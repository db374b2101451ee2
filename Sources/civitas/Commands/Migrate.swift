import ArgumentParser
import CivitasApp
import Storage

/// `civitas migrate`: applies pending migrations and exits.
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending database migrations and exit.")

    @OptionGroup var options: NodeOptions

    func run() async throws {
        let configuration = try await options.load()
        let logger = LogSetup.bootstrap(configuration)
        do {
            let (database, applied) = try await Node.openDatabase(configuration, demo: false, logger: logger)
            await database.close()
            if applied.isEmpty {
                Console.say("Nothing to migrate: the schema is current.")
            } else {
                for migration in applied {
                    print("applied \(migration.module) \(migration.version): \(migration.name)")
                }
            }
        } catch {
            throw Failure.configuration(error)
        }
    }
}
