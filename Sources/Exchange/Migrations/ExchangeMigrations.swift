public import Storage

/// The Exchange block's whole schema history, in order: what a node migrates.
public enum ExchangeMigrations {
    /// Every Exchange migration, versions 1, 2, …: the central registry (1), the message log (2), the services a
    /// node provides (3), its data tracker (4), the message log's one-statement append (5), its
    /// bodies kept as files (6).
    public static let all: [Migration] =
        CentralRegistry.migrations + MessageLog.migrations + ProvidedServices.migrations + DataTracker.migrations
        + MessageLog.appendViewMigrations + MessageLog.bodyFileMigrations
}
