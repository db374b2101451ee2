public import Storage

/// The Exchange block's whole schema history, in order: what a node migrates.
public enum ExchangeMigrations {
    /// Every Exchange migration, versions 1, 2, …: the central registry (1), then the message log (2).
    public static let all: [Migration] = CentralRegistry.migrations + MessageLog.migrations
}
