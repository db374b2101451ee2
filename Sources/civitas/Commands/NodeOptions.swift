import ArgumentParser
import CivitasApp
import CivitasCore
import Foundation
import Logging
import Storage

/// The settings every command that opens a node's database accepts on the command line.
struct NodeOptions: ParsableArguments {
    @Option(name: .long, help: "Address to listen on (CIVITAS_HOST; default 127.0.0.1).")
    var host: String?

    @Option(name: .long, help: "TCP port to listen on (CIVITAS_PORT; default 8080).")
    var port: String?

    @Option(name: .customLong("data"), help: "Data directory (CIVITAS_DATA_DIR).")
    var dataDirectory: String?

    @Option(name: .customLong("database-url"), help: "PostgreSQL URL; SQLite in the data directory if absent.")
    var databaseURL: String?

    @Option(name: .customLong("public-url"), help: "URL clients use; https:// enables HSTS and Secure cookies.")
    var publicURL: String?

    @Option(name: .long, help: "Blocks to serve, comma-separated, or all (CIVITAS_BLOCKS).")
    var blocks: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String?

    @Option(name: .customLong("log-format"), help: "text or json (CIVITAS_LOG_FORMAT).")
    var logFormat: String?

    @Option(name: .customLong("config"), help: "A JSON config file (CIVITAS_CONFIG_FILE).")
    var configFile: String?

    var flags: [String: String] {
        var flags: [String: String] = [:]
        flags[Setting.host.key] = host
        flags[Setting.port.key] = port
        flags[Setting.dataDirectory.key] = dataDirectory
        flags[Setting.databaseURL.key] = databaseURL
        flags[Setting.publicURL.key] = publicURL
        flags[Setting.blocks.key] = blocks
        flags[Setting.logLevel.key] = logLevel
        flags[Setting.logFormat.key] = logFormat
        return flags
    }

    /// Loads the configuration, sets up logging and opens the migrated database; on a configuration error,
    /// prints one line naming the setting and exits with 78 (EX_CONFIG).
    func openNode(demo: Bool = false) async throws -> (NodeConfiguration, Logger, Database) {
        let configuration = try await load()
        let logger = LogSetup.bootstrap(configuration)
        do {
            let database = try await Node.openDatabase(configuration, demo: demo, logger: logger).database
            return (configuration, logger, database)
        } catch {
            throw Failure.configuration(error)
        }
    }

    /// Loads the configuration, or prints one line naming the bad setting and exits with 78 (EX_CONFIG).
    func load(defaults: NodeConfiguration = NodeConfiguration()) async throws -> NodeConfiguration {
        do {
            return try await NodeConfiguration.load(
                flags: flags, environment: ProcessInfo.processInfo.environment, configFile: configFile,
                defaults: defaults)
        } catch {
            throw Failure.configuration(error)
        }
    }
}

/// How a command ends when it cannot do its job: one line on standard error and a distinct exit status.
enum Failure {
    /// EX_CONFIG from sysexits(3): the configuration is wrong.
    static let configurationExitCode: Int32 = 78

    static func configuration(_ error: ConfigurationError) -> ExitCode {
        FileHandle.standardError.write(Data("civitas: configuration error: \(error)\n".utf8))
        return ExitCode(configurationExitCode)
    }
}

/// Installs the process-wide log handler once, in the configured format.
enum LogSetup {
    static func bootstrap(_ configuration: NodeConfiguration) -> Logger {
        let level = configuration.logLevel
        switch configuration.logFormat {
        case .json:
            LoggingSystem.bootstrap { label in
                var handler = JSONLogHandler(label: label)
                handler.logLevel = level
                return handler
            }
        case .text:
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
        }
        var logger = Logger(label: "civitas")
        logger.logLevel = level
        return logger
    }
}
