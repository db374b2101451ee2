/// A node cannot start because a setting is wrong. The message names the setting and how it can be set.
public struct ConfigurationError: Error, CustomStringConvertible, Sendable {
    /// The setting at fault (its config-file key or environment variable).
    public let setting: String
    /// What is wrong, in one sentence.
    public let reason: String

    /// Creates an error.
    public init(setting: String, reason: String) {
        self.setting = setting
        self.reason = reason
    }

    /// `setting: reason`, on one line.
    public var description: String { "\(setting): \(reason)" }
}
