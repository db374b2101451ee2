public import Foundation

/// One archive file written by ``MessageLog/archive()``: the records of one UTC day in the evidence format.
public struct MessageLogArchive: Sendable, Hashable {
    /// The file's name in the archive directory: `message-log-YYYY-MM-DD-<first sequence>.der`.
    public let fileName: String
    /// The UTC day its records were accepted, `YYYY-MM-DD`.
    public let period: String
    /// How many records it holds.
    public let recordCount: Int
    /// Where it is.
    public let url: URL
}
