public import CivitasCore

/// Who may do what to a power of attorney: the one place that decides it, from the authenticated person, the
/// rights of representation they hold today, and the power (its parties and state).
///
/// A refusal because of who asks is `notPermitted`; a refusal because of the power's state is
/// `invalidTransition`. Who asks is always checked first, so a stranger learns nothing about the state.
public struct RepresentationPolicy: Sendable {
    /// The person asking.
    public let actor: PersonalNumber
    /// The rights of representation the actor holds today.
    public let representations: [Representative]
    /// Today, in UTC.
    public let today: CalendarDate

    /// Creates the policy for one request.
    public init(actor: PersonalNumber, representations: [Representative], today: CalendarDate) {
        self.actor = actor
        self.representations = representations
        self.today = today
    }

    /// Whether the actor may draft a power for `principal`; returns the signatory's role (`principal`, or the
    /// representative's role in the entity).
    ///
    /// Only a sole representative may grant for an entity alone: joint representatives would each have to sign,
    /// which this version does not collect.
    public func draftingRole(for principal: Principal) throws(IdentityError) -> String {
        switch principal {
        case .person(let number):
            guard number == actor else {
                throw IdentityError(.notPermitted, "only the person themself can give a power of attorney for them")
            }
            return "principal"
        case .organisation(let code):
            let rights = representations.filter { $0.entity == code && $0.holds(on: today) }
            guard let sole = rights.first(where: { $0.right == .sole }) else {
                throw IdentityError(
                    .notPermitted,
                    rights.isEmpty
                        ? "you do not represent the legal entity \(code)"
                        : "you represent \(code) jointly only; a power of attorney needs a sole representative")
            }
            return sole.role
        }
    }

    /// Whether the actor may attach the signature (they drafted it and sign it; it is still a draft).
    public func checkSign(_ power: PowerOfAttorney) throws(IdentityError) {
        guard actor == power.signatory else {
            throw IdentityError(.notPermitted, "only the person who drafted this power of attorney signs it")
        }
        try require(power, in: [.drafted], "only a draft can be signed")
    }

    /// Whether the actor may accept (they are the attorney; it is signed and not expired).
    public func checkAccept(_ power: PowerOfAttorney) throws(IdentityError) {
        guard actor == power.attorney else {
            throw IdentityError(.notPermitted, "only the attorney can accept this power of attorney")
        }
        try require(power, in: [.signed], "only a signed power of attorney that has not expired can be accepted")
    }

    /// Whether the actor may revoke (they are the principal, its signatory, or now a sole representative of the
    /// entity; it is not ended yet).
    public func checkRevoke(_ power: PowerOfAttorney) throws(IdentityError) {
        guard isPrincipalSide(of: power) else {
            throw IdentityError(.notPermitted, "only the principal can revoke this power of attorney")
        }
        try require(power, in: [.drafted, .signed, .accepted], "this power of attorney has ended already")
    }

    /// Whether the actor may renounce (they are the attorney; it was signed and has not ended).
    public func checkRenounce(_ power: PowerOfAttorney) throws(IdentityError) {
        guard actor == power.attorney else {
            throw IdentityError(.notPermitted, "only the attorney can renounce this power of attorney")
        }
        try require(
            power, in: [.signed, .accepted], "only a signed power of attorney that has not ended can be renounced")
    }

    /// Whether `viewer` (nil for anyone) may see the power: a draft only its principal's side; once signed,
    /// anyone who has its address, since verifying it is the point.
    public static func maySee(
        _ power: PowerOfAttorney, viewer: PersonalNumber?, representations: [Representative]
    )
        -> Bool
    {
        guard power.events.contains(where: { $0.kind == .signed }) else {
            guard let viewer else { return false }
            return viewer == power.signatory || power.principal == .person(viewer)
        }
        return true
    }

    private func isPrincipalSide(of power: PowerOfAttorney) -> Bool {
        switch power.principal {
        case .person(let number): return number == actor
        case .organisation(let code):
            return actor == power.signatory
                || representations.contains { $0.entity == code && $0.right == .sole && $0.holds(on: today) }
        }
    }

    private func require(
        _ power: PowerOfAttorney, in states: Set<PowerOfAttorneyState>, _ message: String
    ) throws(IdentityError) {
        let state = power.state(on: today)
        guard states.contains(state) else { throw IdentityError(.invalidTransition, "\(message) (it is \(state))") }
    }
}
