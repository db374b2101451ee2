import CivitasCore
import Foundation

/// The admin page's relying-party form: what was typed (to show again after a refusal), the party it makes, and
/// what is wrong with each field.
struct RelyingPartyForm: Sendable {
    /// Every field as typed, by its RFC 7591 name.
    var values: [RelyingPartyField: String] = [:]
    /// The fields in error, with why (English, for logs; the page shows the catalogue's text).
    var errors: [RelyingPartyField: String] = [:]

    /// The levels as the form names them.
    static let levels: [(name: String, level: LevelOfAssurance)] = [
        ("low", .low), ("substantial", .substantial), ("high", .high),
    ]

    /// A blank form for a new relying party.
    static var blank: RelyingPartyForm {
        var form = RelyingPartyForm()
        form.values[.authentication] = ClientAuthentication.clientSecretBasic.rawValue
        form.values[.requiredLevel] = "low"
        form.values[.idTokenSigningAlgorithm] = JSONWebAlgorithm.es256.rawValue
        form.values[.scopes] = "openid profile"
        return form
    }

    /// The form filled from a registered party.
    init(_ record: RegisteredRelyingParty) {
        let party = record.party
        values[.clientID] = party.clientID
        values[.name] = party.name
        values[.logoURL] = party.logoURL ?? ""
        values[.redirectURIs] = party.redirectURIs.joined(separator: "\n")
        values[.postLogoutRedirectURIs] = party.postLogoutRedirectURIs.joined(separator: "\n")
        values[.scopes] = party.scopes.sorted().joined(separator: " ")
        values[.allowedClaims] = party.allowedClaims?.sorted().joined(separator: " ") ?? ""
        values[.authentication] = party.authentication.rawValue
        values[.jwks] = record.jwks ?? ""
        values[.requiredLevel] = Self.levels.first { $0.level == party.requiredLevel }?.name ?? "low"
        values[.idTokenSigningAlgorithm] = party.idTokenSigningAlgorithm.rawValue
    }

    init() {}

    /// The form as posted; `clientID` replaces the posted id when editing (the id never changes).
    init(_ fields: FormFields, clientID: String? = nil) {
        for field in RelyingPartyField.allCases { values[field] = fields[field.rawValue] ?? "" }
        if let clientID { values[.clientID] = clientID }
    }

    /// The party the form describes and its JWKS, or `nil` with ``errors`` filled.
    mutating func party() -> (party: RelyingParty, jwks: String?)? {
        func text(_ field: RelyingPartyField) -> String {
            (values[field] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        }
        func lines(_ field: RelyingPartyField) -> [String] {
            text(field).split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty }
        }
        func words(_ field: RelyingPartyField) -> [String] {
            text(field).split(whereSeparator: { $0 == " " || $0.isNewline || $0 == "," }).map(String.init)
        }
        errors = [:]
        let method = ClientAuthentication(rawValue: text(.authentication))
        if method == nil { errors[.authentication] = "choose a client authentication method" }
        let level = Self.levels.first { $0.name == text(.requiredLevel) }?.level
        if level == nil { errors[.requiredLevel] = "choose low, substantial or high" }
        let algorithm = JSONWebAlgorithm(rawValue: text(.idTokenSigningAlgorithm))
        if algorithm == nil { errors[.idTokenSigningAlgorithm] = "choose ES256 or EdDSA" }
        let claims = words(.allowedClaims)
        let party = RelyingParty(
            clientID: text(.clientID), name: text(.name), logoURL: text(.logoURL).isEmpty ? nil : text(.logoURL),
            redirectURIs: lines(.redirectURIs), postLogoutRedirectURIs: lines(.postLogoutRedirectURIs),
            scopes: Set(words(.scopes)), authentication: method ?? .clientSecretBasic, requiredLevel: level ?? .low,
            allowedClaims: claims.isEmpty ? nil : Set(claims), idTokenSigningAlgorithm: algorithm ?? .es256)
        let jwks = text(.jwks).isEmpty ? nil : text(.jwks)
        for (field, message) in RelyingPartyRegistry.violations(of: party, jwks: jwks) where errors[field] == nil {
            errors[field] = message
        }
        return errors.isEmpty ? (party, jwks) : nil
    }
}
