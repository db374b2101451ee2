public import Foundation

/// The message log's policy: how long time-stamping may fail before new messages are refused, how large a batch
/// may be, whether bodies are kept, and where and after how long records are archived.
public struct MessageLogConfiguration: Sendable, Hashable {
    /// How old the oldest record not yet time-stamped may grow before the log refuses new records (X-Road's
    /// `timestamp-records-limit` by time). Past it the node stops exchanging messages, so that no message goes
    /// unproven for longer than this.
    public var maximumUnstampedAge: Duration
    /// The most records one time-stamp covers; a longer queue takes several stamps in one round.
    public var maximumBatchSize: Int
    /// Whether bodies are kept beside their records (X-Road's `message-body-logging`); without them only the
    /// digest is proven.
    public var keepsBodies: Bool
    /// How old a stamped record must be before it is archived (X-Road's `keep-records-for`).
    public var retention: Duration
    /// Where archive files go: one file per UTC day and archiving run.
    public var archiveDirectory: URL
    /// Where bodies that arrive spooled (larger than the node's ``BodySpool/memoryLimit``) are kept, one file each,
    /// until their records are archived; on the spool's file system, so that keeping one is a link. Without it the
    /// log reads a spooled body into its database row.
    public var bodyDirectory: URL?

    /// Creates a configuration.
    public init(
        maximumUnstampedAge: Duration = .seconds(4 * 3600), maximumBatchSize: Int = 10_000, keepsBodies: Bool = true,
        retention: Duration = .seconds(30 * 86_400), archiveDirectory: URL, bodyDirectory: URL? = nil
    ) {
        self.maximumUnstampedAge = maximumUnstampedAge
        self.maximumBatchSize = maximumBatchSize
        self.keepsBodies = keepsBodies
        self.retention = retention
        self.archiveDirectory = archiveDirectory
        self.bodyDirectory = bodyDirectory
    }

    /// Where a node keeps its archive files: `<data dir>/exchange/message-log-archive`.
    public static func defaultArchiveDirectory(dataDirectory: String) -> URL {
        URL(fileURLWithPath: dataDirectory).appendingPathComponent("exchange/message-log-archive")
    }

    /// Where a node keeps the bodies it logs as files: `<data dir>/exchange/message-log-bodies`.
    public static func defaultBodyDirectory(dataDirectory: String) -> URL {
        URL(fileURLWithPath: dataDirectory).appendingPathComponent("exchange/message-log-bodies")
    }

    static func microseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000 + attoseconds / 1_000_000_000_000
    }
}
