/// How a device login is answered.
public enum DeviceLoginMethod: String, Sendable, Hashable, CaseIterable, Codable {
    /// By the eID card's authentication key, with its citizen-authentication certificate.
    case card
    /// By a registered mobile ID device's key.
    case mobile

    /// The authentication method a login of this kind proves.
    public var authenticationMethod: AuthenticationMethod {
        switch self {
        case .card: .smartCard
        case .mobile: .mobileDevice
        }
    }
}
