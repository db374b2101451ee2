public import Foundation
import SQLKit
public import Storage

/// The provider's record of whose personal data went to whom (the Estonian Data Tracker; GovStack's
/// `myPersonalDataUsage`): for each answer whose backend named its data subject (`X-Civitas-Data-Subject`), the
/// client organisation, the service, when, the person at the client's side (`X-Road-UserId`) and why
/// (`X-Road-Issue`). Kept in the provider node's database, committed before the answer is released.
public struct DataTracker: Sendable {
    let database: Database

    /// One use of a person's data.
    public struct Use: Sendable, Hashable, Codable {
        /// Whose data (the backend's identifier for them, a personal number).
        public var subject: String
        /// The client subsystem that received it.
        public var client: String
        /// The service that answered.
        public var service: String
        /// When the provider answered.
        public var at: Date
        /// The person at the client's side, as the client said.
        public var userID: String?
        /// Why, as the client said (a case or file number).
        public var issue: String?
        /// The query id, to find the message in both logs.
        public var messageID: String
    }

    /// Creates the tracker over the node's database (migrated with ``ExchangeMigrations/all``).
    public init(database: Database) {
        self.database = database
    }

    /// The tracker's part of the Exchange schema: version 4.
    public static let migrations: [Migration] = [
        Migration(
            module: "exchange", version: 4, name: "create the data tracker of an exchange node",
            statements: { engine in
                let key =
                    engine == .sqlite
                    ? "INTEGER PRIMARY KEY AUTOINCREMENT" : "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"
                return [
                    """
                    CREATE TABLE exchange_data_usage (
                        seq \(key),
                        subject TEXT NOT NULL,
                        client TEXT NOT NULL,
                        service TEXT NOT NULL,
                        used_at BIGINT NOT NULL,
                        user_id TEXT,
                        issue TEXT,
                        message_id TEXT NOT NULL
                    )
                    """,
                    "CREATE INDEX exchange_data_usage_subject ON exchange_data_usage (subject, used_at)",
                ]
            })
    ]

    /// The longest identifier or reason kept, in UTF-8 bytes.
    public static let maximumFieldLength = 255

    /// Records one use.
    ///
    /// - Throws: ``ExchangeError`` `.invalidRecord` for an empty or oversized subject, or a field with control
    ///   characters; ``StorageError`` when the database fails.
    public func record(_ use: Use) async throws {
        try Self.validate(use)
        let at = Int64(use.at.timeIntervalSince1970 * 1_000_000)
        _ = try await database.statement(
            """
            INSERT INTO exchange_data_usage (subject, client, service, used_at, user_id, issue, message_id)
            VALUES (\(bind: use.subject), \(bind: use.client), \(bind: use.service), \(bind: at),
                \(bind: use.userID), \(bind: use.issue), \(bind: use.messageID))
            """)
    }

    /// Checks what ``record(_:)`` checks before it writes: the subject, user id and issue are 1 to
    /// ``maximumFieldLength`` bytes without control characters.
    public static func validate(_ use: Use) throws(ExchangeError) {
        for (name, value) in [("subject", use.subject), ("user id", use.userID ?? "x"), ("issue", use.issue ?? "x")] {
            guard !value.isEmpty, value.utf8.count <= maximumFieldLength,
                !value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
            else {
                throw ExchangeError(
                    .invalidRecord, "the data tracker's \(name) is 1 to \(maximumFieldLength) bytes, no controls")
            }
        }
    }

    /// Every use of `subject`'s data, newest first.
    public func uses(of subject: String) async throws -> [Use] {
        try await database.read { sql in
            try await sql.raw(
                """
                SELECT subject, client, service, used_at, user_id, issue, message_id FROM exchange_data_usage
                WHERE subject = \(bind: subject) ORDER BY used_at DESC, seq DESC
                """
            ).all().map { row in
                Use(
                    subject: try row.decode(column: "subject", as: String.self),
                    client: try row.decode(column: "client", as: String.self),
                    service: try row.decode(column: "service", as: String.self),
                    at: Date(
                        timeIntervalSince1970: Double(try row.decode(column: "used_at", as: Int64.self)) / 1_000_000),
                    userID: try row.decode(column: "user_id", as: String?.self),
                    issue: try row.decode(column: "issue", as: String?.self),
                    messageID: try row.decode(column: "message_id", as: String.self))
            }
        }
    }
}
