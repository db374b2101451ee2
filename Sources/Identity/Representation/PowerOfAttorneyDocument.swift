public import CivitasCore
public import Foundation

/// The document a principal signs: who grants whom which services, from when until when.
///
/// Its encoding is canonical JSON (RFC 8785 for the values it can hold: objects with keys sorted by code point,
/// no insignificant whitespace, strings only, no escaped `/`), in UTF-8, so that a person can read what they
/// sign and any tool can check the detached CAdES signature over the very bytes stored. Civitas keeps the bytes
/// as drafted and re-reads every field from them; what is shown is what was signed. See
/// `docs/decisions/0016-representation-and-power-of-attorney.md`.
///
/// ```json
/// {"attorney":{"name":"…","personalNumber":"…"},"draftedAt":"2026-12-01T22:50:00Z",
///  "format":"civitas-power-of-attorney-1","id":"…","principal":{"id":"…","kind":"person","name":"…"},
///  "services":["registry-portal"],"signatory":{"name":"…","personalNumber":"…","role":"principal"},
///  "validFrom":"2026-12-01","validUntil":"2027-11-30","verify":"https://…/powers-of-attorney/…"}
/// ```
public struct PowerOfAttorneyDocument: Sendable, Hashable {
    /// The format name.
    public static let formatName = "civitas-power-of-attorney-1"
    /// The longest accepted document, in bytes.
    public static let maximumLength = 16 * 1024

    /// The power's identifier.
    public var id: String
    /// The principal.
    public var principal: Principal
    /// The principal's name as registered (Latin script for a person, the registered name for an entity).
    public var principalName: String
    /// Who signs: the principal person, or the entity's representative.
    public var signatory: PersonalNumber
    /// The signatory's name.
    public var signatoryName: String
    /// `principal`, or the representative's role in the entity (`director`, …).
    public var signatoryRole: String
    /// The attorney.
    public var attorney: PersonalNumber
    /// The attorney's name.
    public var attorneyName: String
    /// The services covered.
    public var services: ServiceScope
    /// The first day of the power.
    public var validFrom: CalendarDate
    /// The last day of the power.
    public var validUntil: CalendarDate
    /// When it was drafted, to the second.
    public var draftedAt: Date
    /// Where anyone can check it.
    public var verificationURL: String

    /// Creates a document.
    public init(
        id: String, principal: Principal, principalName: String, signatory: PersonalNumber, signatoryName: String,
        signatoryRole: String, attorney: PersonalNumber, attorneyName: String, services: ServiceScope,
        validFrom: CalendarDate, validUntil: CalendarDate, draftedAt: Date, verificationURL: String
    ) {
        self.id = id
        self.principal = principal
        self.principalName = principalName
        self.signatory = signatory
        self.signatoryName = signatoryName
        self.signatoryRole = signatoryRole
        self.attorney = attorney
        self.attorneyName = attorneyName
        self.services = services
        self.validFrom = validFrom
        self.validUntil = validUntil
        self.draftedAt = Date(timeIntervalSince1970: draftedAt.timeIntervalSince1970.rounded(.down))
        self.verificationURL = verificationURL
    }

    /// The canonical encoding.
    public var encoded: [UInt8] {
        let object: [String: Any] = [
            "attorney": ["name": attorneyName, "personalNumber": attorney.rawValue],
            "draftedAt": draftedAt.formatted(.iso8601),
            "format": Self.formatName,
            "id": id,
            "principal": ["id": principal.identifier, "kind": principal.kind, "name": principalName],
            "services": services.codes,
            "signatory": ["name": signatoryName, "personalNumber": signatory.rawValue, "role": signatoryRole],
            "validFrom": validFrom.description,
            "validUntil": validUntil.description,
            "verify": verificationURL,
        ]
        // Every value is a string or an array of strings, so Foundation's sorted, unpadded output is RFC 8785's.
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        return Array(data)
    }

    /// Reads a document back from its encoding, and insists that it is canonical.
    ///
    /// - Throws: ``IdentityError`` `invalidRecord` for anything else.
    public init(decoding bytes: [UInt8]) throws(IdentityError) {
        let invalid = IdentityError(.invalidRecord, "this is not a canonical power-of-attorney document")
        guard bytes.count <= Self.maximumLength,
            let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any],
            object["format"] as? String == Self.formatName,
            let id = object["id"] as? String,
            let principal = object["principal"] as? [String: String],
            let signatory = object["signatory"] as? [String: String],
            let attorney = object["attorney"] as? [String: String],
            let services = object["services"] as? [String],
            let from = object["validFrom"] as? String, let until = object["validUntil"] as? String,
            let drafted = (object["draftedAt"] as? String).flatMap({ try? Date($0, strategy: .iso8601) }),
            let verify = object["verify"] as? String,
            let kind = principal["kind"], let principalID = principal["id"], let principalName = principal["name"],
            let signatoryNumber = signatory["personalNumber"], let signatoryName = signatory["name"],
            let role = signatory["role"], let attorneyNumber = attorney["personalNumber"],
            let attorneyName = attorney["name"]
        else { throw invalid }
        let parsed: PowerOfAttorneyDocument
        do {
            parsed = PowerOfAttorneyDocument(
                id: id, principal: try Principal("\(kind):\(principalID)"), principalName: principalName,
                signatory: try PersonalNumber(signatoryNumber), signatoryName: signatoryName, signatoryRole: role,
                attorney: try PersonalNumber(attorneyNumber), attorneyName: attorneyName,
                services: try ServiceScope(codes: services), validFrom: try CalendarDate(from),
                validUntil: try CalendarDate(until), draftedAt: drafted, verificationURL: verify)
        } catch {
            throw invalid
        }
        guard parsed.encoded == bytes else { throw invalid }
        self = parsed
    }
}
