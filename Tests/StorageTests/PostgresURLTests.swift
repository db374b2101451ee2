import Storage
import Testing

@Suite("PostgreSQL URLs")
struct PostgresURLTests {
    @Test("a full URL is parsed and its password kept out of the description")
    func parsesFullURL() throws {
        let url = try PostgresURL("postgresql://app:p%40ss@db.example:6432/civitas?sslmode=require")
        #expect(url.host == "db.example")
        #expect(url.port == 6432)
        #expect(url.username == "app")
        #expect(url.password == "p@ss")
        #expect(url.database == "civitas")
        #expect(url.tlsMode == .require)
        #expect(!url.description.contains("p@ss"))
    }

    @Test("defaults: port 5432, TLS preferred")
    func defaults() throws {
        let url = try PostgresURL("postgres://app@localhost/civitas")
        #expect(url.port == 5432)
        #expect(url.tlsMode == .prefer)
        #expect(url.password == nil)
    }

    @Test(
        "malformed URLs are rejected with a reason",
        arguments: [
            ("mysql://app@h/db", "postgres://"),
            ("postgres://h/db", "user"),
            ("postgres://app@h", "database"),
            ("postgres://app@h/db?sslmode=sometimes", "sslmode"),
            ("postgres://app@h/db?timeout=3", "timeout"),
            ("not a url at all", "URL"),
            ("postgres://app@:5432/db", "host"),
        ])
    func rejects(input: String, mentions: String) {
        let error = #expect(throws: StorageError.self) { _ = try PostgresURL(input) }
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.message.contains(mentions) == true, "\(error?.message ?? "")")
    }
}
