import CivitasApp
import Foundation
import Hummingbird
import HummingbirdTesting
import Storage
import StorageTesting
import Trust
import Web

/// A node over a fresh database, driven through HummingbirdTesting's router client (no socket).
enum TestNode {
    static func with<T: Sendable>(
        _ engine: DatabaseEngine = .sqlite, configure: (inout NodeConfiguration) -> Void = { _ in },
        demo: SitePresentation.Demo? = nil,
        _ body: @escaping @Sendable (any TestClientProtocol, Database, NodeConfiguration) async throws -> T
    ) async throws -> T {
        var configuration = NodeConfiguration()
        // Nothing is written beside the test process: a throwaway data directory and a key given in configuration.
        configuration.dataDirectory =
            FileManager.default.temporaryDirectory
            .appendingPathComponent("civitas-node-\(UUID().uuidString)").path
        configuration.keyEncryptionKey = KeyEncryptionKey.generate().base64
        configure(&configuration)
        let settings = configuration
        return try await TestDatabase.with(engine, migrations: Node.migrations(demo: demo != nil)) { database in
            let application = try await Node.buildApplication(
                configuration: settings, database: database, logger: TestDatabase.logger, demo: demo)
            return try await application.test(.router) { client in try await body(client, database, settings) }
        }
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }
}
