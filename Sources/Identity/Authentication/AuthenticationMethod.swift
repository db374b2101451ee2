/// A way a person proved who they are, named by its RFC 8176 `amr` value.
public enum AuthenticationMethod: String, Sendable, Hashable, CaseIterable, Codable {
    /// A password (or a service hall's one-time activation code).
    case password = "pwd"
    /// A time-based one-time password (RFC 6238).
    case oneTimePassword = "otp"
    /// A challenge signed by the eID card's authentication key, unlocked with its PIN.
    case smartCard = "sc"
    /// A challenge approved and signed on a registered mobile ID device (a hardware-backed key).
    case mobileDevice = "hwk"

    /// The level a set of methods reaches together.
    public static func level(of methods: Set<AuthenticationMethod>) -> LevelOfAssurance {
        if methods.contains(.smartCard) || methods.contains(.mobileDevice) { return .high }
        if methods.contains(.password) && methods.contains(.oneTimePassword) { return .substantial }
        return .low
    }
}
