/// Where a power of attorney is in its life, derived from its events and the calendar.
public enum PowerOfAttorneyState: String, Sendable, Hashable, CaseIterable, Codable {
    /// Drafted by the principal; not signed yet, so it is nothing yet.
    case drafted
    /// Signed with the principal's qualified signature; waiting for the attorney to accept.
    case signed
    /// Accepted by the attorney: in force between its dates.
    case accepted
    /// Withdrawn by the principal.
    case revoked
    /// Given up by the attorney.
    case renounced
    /// Its last day has passed (before or after acceptance).
    case expired
}
