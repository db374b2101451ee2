/// Where a device login is in its short life: pending → answered → consumed, or expired.
public enum DeviceLoginState: String, Sendable, Hashable, CaseIterable, Codable {
    /// Waiting for the card or device to answer.
    case pending
    /// Answered with a valid signature; waiting for the browser that started it to finish.
    case answered
    /// Finished: the browser's session was opened. A login is consumed once.
    case consumed
    /// Its time ran out before it was finished.
    case expired
}
