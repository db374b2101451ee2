public import CivitasCore

/// A member of the exchange (an agency, a company) and its subsystems, as the central registry keeps them.
public struct RegisteredMember: Hashable, Sendable {
    /// `INSTANCE/CLASS/MEMBER`.
    public let id: XRoadClientIdentifier
    /// The member's registered name.
    public let name: String
    /// Its subsystems (`INSTANCE/CLASS/MEMBER/SUBSYSTEM`), in identifier order.
    public let subsystems: [XRoadClientIdentifier]

    /// Creates a record.
    public init(id: XRoadClientIdentifier, name: String, subsystems: [XRoadClientIdentifier]) {
        self.id = id
        self.name = name
        self.subsystems = subsystems
    }
}
