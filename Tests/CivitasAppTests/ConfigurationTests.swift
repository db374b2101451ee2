import CivitasApp
import Foundation
import Logging
import Storage
import Testing

@Suite("Node configuration")
struct ConfigurationTests {
    static func file(_ json: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("civitas-\(UUID().uuidString).json")
        try Data(json.utf8).write(to: path)
        return path.path
    }

    @Test("defaults apply when nothing is set")
    func defaults() async throws {
        let configuration = try await NodeConfiguration.load(flags: [:], environment: [:])
        #expect(configuration.host == "127.0.0.1")
        #expect(configuration.port == 8080)
        #expect(configuration.databaseLocation == .sqlite(path: "data/civitas.sqlite"))
        #expect(configuration.blocks == nil)
        #expect(!configuration.servedOverTLS)
    }

    @Test("a flag beats the environment, which beats the config file")
    func precedence() async throws {
        let path = try Self.file(#"{"http": {"host": "10.0.0.1", "port": 7000}, "data": {"dir": "/srv/civitas"}}"#)
        let fileOnly = try await NodeConfiguration.load(flags: [:], environment: [:], configFile: path)
        #expect(fileOnly.host == "10.0.0.1")
        #expect(fileOnly.port == 7000)
        #expect(fileOnly.dataDirectory == "/srv/civitas")
        let withEnvironment = try await NodeConfiguration.load(
            flags: [:], environment: ["CIVITAS_PORT": "7100", "CIVITAS_CONFIG_FILE": path])
        #expect(withEnvironment.port == 7100)
        #expect(withEnvironment.host == "10.0.0.1")
        let withFlag = try await NodeConfiguration.load(
            flags: ["http.port": "7200"], environment: ["CIVITAS_PORT": "7100"], configFile: path)
        #expect(withFlag.port == 7200)
    }

    @Test("every setting is read from its environment variable")
    func environment() async throws {
        let configuration = try await NodeConfiguration.load(
            flags: [:],
            environment: [
                "CIVITAS_HOST": "0.0.0.0", "CIVITAS_PORT": "9000", "CIVITAS_DATA_DIR": "/d",
                "CIVITAS_DATABASE_URL": "postgres://app:pw@db/civitas", "CIVITAS_LOG_LEVEL": "debug",
                "CIVITAS_LOG_FORMAT": "json", "CIVITAS_PUBLIC_URL": "https://gov.example", "CIVITAS_BLOCKS": "web",
                "CIVITAS_MAX_BODY_BYTES": "4096", "CIVITAS_TEST_POSTGRES_URL": "ignored", "PATH": "/usr/bin",
                "CIVITAS_PORTAL_EXCHANGE_URL": "http://127.0.0.1:8081",
                "CIVITAS_PORTAL_EXCHANGE_CLIENT": "CVT/GOV/70000009/portal",
            ])
        #expect(configuration.host == "0.0.0.0")
        #expect(configuration.port == 9000)
        #expect(configuration.dataDirectory == "/d")
        guard case .postgres(let url) = configuration.databaseLocation else {
            Issue.record("expected PostgreSQL")
            return
        }
        #expect(url.host == "db")
        #expect(configuration.logLevel == .debug)
        #expect(configuration.logFormat == .json)
        #expect(configuration.servedOverTLS)
        #expect(configuration.blocks == ["web"])
        #expect(configuration.maximumBodySize == 4096)
        #expect(configuration.portalExchange?.url == "http://127.0.0.1:8081")
        #expect(configuration.portalExchange?.client == "CVT/GOV/70000009/portal")
    }

    @Test(
        "bad settings are refused, naming the setting",
        arguments: [
            (["http.port": "70000"], [:], "port"),
            (["http.port": "0"], [:], "port"),
            ([:], ["CIVITAS_PORT": "eighty"], "http.port"),
            ([:], ["CIVITAS_BOGUS": "1"], "CIVITAS_BOGUS"),
            ([:], ["CIVITAS_DATABASE_URL": "mysql://x@y/z"], "database.url"),
            ([:], ["CIVITAS_LOG_LEVEL": "loud"], "log.level"),
            ([:], ["CIVITAS_LOG_FORMAT": "xml"], "log.format"),
            ([:], ["CIVITAS_BLOCKS": "web,teleport"], "node.blocks"),
            ([:], ["CIVITAS_PUBLIC_URL": "ftp://x"], "http.public_url"),
            ([:], ["CIVITAS_MAX_BODY_BYTES": "10"], "http.max_body_bytes"),
            ([:], ["CIVITAS_PORTAL_EXCHANGE_URL": "http://127.0.0.1:8081"], "portal.exchange_client"),
            ([:], ["CIVITAS_PORTAL_EXCHANGE_CLIENT": "CVT/GOV/70000009/portal"], "portal.exchange_url"),
            (
                [:], ["CIVITAS_PORTAL_EXCHANGE_URL": "http://x", "CIVITAS_PORTAL_EXCHANGE_CLIENT": "CVT/GOV/70000009"],
                "portal.exchange_client"
            ),
            (
                [:],
                ["CIVITAS_PORTAL_EXCHANGE_URL": "file:///x", "CIVITAS_PORTAL_EXCHANGE_CLIENT": "CVT/GOV/1/portal"],
                "portal.exchange_url"
            ),
        ] as [([String: String], [String: String], String)])
    func refused(flags: [String: String], environment: [String: String], setting: String) async {
        let error = await #expect(throws: ConfigurationError.self) {
            _ = try await NodeConfiguration.load(flags: flags, environment: environment)
        }
        #expect(error?.setting == setting, "\(error?.description ?? "")")
        #expect(error?.description.contains("\n") == false, "one line")
    }

    @Test("unknown keys in the config file are refused, naming the key")
    func unknownFileKeys() async throws {
        for (json, key) in [
            (#"{"bogus_section": {}}"#, "bogus_section"), (#"{"http": {"port": 1, "bogus_key": 1}}"#, "http.bogus_key"),
            (#"{"port": 8080}"#, "port"),
        ] {
            let path = try Self.file(json)
            let error = await #expect(throws: ConfigurationError.self) {
                _ = try await NodeConfiguration.load(flags: [:], environment: [:], configFile: path)
            }
            #expect(error?.setting == key)
        }
    }

    @Test("a config file that is missing or not JSON is refused")
    func unreadableFile() async throws {
        let missing = await #expect(throws: ConfigurationError.self) {
            _ = try await NodeConfiguration.load(flags: [:], environment: [:], configFile: "/nonexistent/c.json")
        }
        #expect(missing?.reason.contains("cannot be read") == true)
        let path = try Self.file("[1, 2")
        let malformed = await #expect(throws: ConfigurationError.self) {
            _ = try await NodeConfiguration.load(flags: [:], environment: [:], configFile: path)
        }
        #expect(malformed?.reason.contains("JSON") == true)
    }

    @Test("an unreachable database is reported against the database setting, without its password")
    func unreachableDatabase() async throws {
        let configuration = try await NodeConfiguration.load(
            flags: ["database.url": "postgres://civitas:TopSecret@127.0.0.1:1/nowhere?sslmode=disable"],
            environment: [:])
        let error = await #expect(throws: ConfigurationError.self) {
            _ = try await Node.openDatabase(configuration, demo: false, logger: .init(label: "test"))
        }
        #expect(error?.setting == "database")
        #expect(error?.description.contains("TopSecret") == false)
    }
}
