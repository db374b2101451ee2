import CivitasCore

/// A public agency of the demo country, as it appears in the registry of exchange members and on the portal.
///
/// Organisation codes have the form `GOV-NNNNNNNNC`: the member class `GOV` (government bodies, as in
/// X-Road's member classes), a hyphen, an eight-digit registry number and one Damm check digit over those
/// eight digits, computed with ``PersonalNumber/checkDigit(for:)``. The nine digits together are the
/// agency's ``memberCode``, the same length as a Georgian legal entity's identification code, so that the
/// X-Road style identifier of an agency reads `CVT/GOV/700000015`.
public struct DemoAgency: Sendable, Hashable {
    /// The organisation code, `GOV-` followed by the ``memberCode``, for example `GOV-700000015`.
    public let code: String

    /// The X-Road style member class, always `GOV`.
    public let memberClass: String

    /// The nine-digit member code: the eight-digit registry number followed by its Damm check digit.
    public let memberCode: String

    /// The key of the agency's name in the localisation catalogues (en, ka, ko), for example
    /// `agency_civil_registry`.
    public let catalogueKey: String

    /// A short English name in Latin script, for logs and for places where the catalogue is not at hand.
    public let shortName: String

    /// The agency's full official name in Georgian.
    public let georgianName: String

    /// The member class of every demo agency.
    static let governmentMemberClass = "GOV"

    /// - Precondition: `registryNumber` has exactly eight digits.
    init(registryNumber: UInt64, catalogueKey: String, shortName: String, georgianName: String) {
        precondition((10_000_000...99_999_999).contains(registryNumber), "a registry number has eight digits")
        let memberCode = String(registryNumber) + String(PersonalNumber.checkDigit(for: registryNumber))
        self.code = Self.governmentMemberClass + "-" + memberCode
        self.memberClass = Self.governmentMemberClass
        self.memberCode = memberCode
        self.catalogueKey = catalogueKey
        self.shortName = shortName
        self.georgianName = georgianName
    }
}
