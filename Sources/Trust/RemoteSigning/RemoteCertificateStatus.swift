/// A remote signing certificate's state as the API reports it: its lifecycle, and expiry by date.
public enum RemoteCertificateStatus: String, Sendable, CaseIterable {
    /// Valid and usable for signing.
    case active
    /// On hold; it can be activated again.
    case suspended
    /// Revoked for good.
    case revoked
    /// Past its notAfter.
    case expired
}
