import CivitasCore
import Foundation

/// A refused bearer token at the userinfo endpoint (RFC 6750 §3.1).
public struct BearerTokenError: Error, Sendable, Hashable {
    /// `invalid_token`, `insufficient_scope` or `invalid_request`.
    public let error: String
    /// Why.
    public let description: String
}

extension OpenIDProvider {
    /// The scopes whose claims come from the population register, and the claims each gives.
    public static let claimsByScope: [String: [String]] = [
        "profile": [
            "name", "given_name", "family_name", "name#ka", "given_name#ka", "family_name#ka", "name#ko", "birthdate",
            "gender",
        ],
        "address": ["address"],
        "personal_number": ["personal_number"],
        "age": ["age_over_18"],
    ]

    /// The userinfo endpoint: the claims an access token's grant allows.
    public func userinfo(accessToken: String) async throws -> [String: Any] {
        let invalid = BearerTokenError(error: "invalid_token", description: "The access token is not valid.")
        guard let jws = try? JSONWebSignature(compact: accessToken), jws.type == "at+jwt",
            let token = try? jws.claims(), token["iss"] as? String == issuer,
            let expires = (token["exp"] as? NSNumber)?.doubleValue, expires > clock.now().timeIntervalSince1970,
            try await verifiesWithPublishedKey(jws)
        else { throw invalid }
        guard let grantID = token["gid"] as? String, let grant = try await grant(grantID) else {
            // Client-credentials tokens have no person; revoked grants have no data.
            throw invalid
        }
        let scopes = Set(grant.scopes.split(separator: " ").map(String.init))
        guard scopes.contains("openid") else {
            throw BearerTokenError(error: "insufficient_scope", description: "The token was not issued for openid.")
        }
        // A disabled relying party's grants are revoked; this also catches one disabled a moment ago.
        guard let party = try await clients.party(grant.clientID) else { throw invalid }
        // The principal's subject and claims, and who acts for them (OpenIDProvider+Representation.swift).
        let resolved: (sub: String, act: [String: Any]?, claims: [String: Any])
        do {
            resolved = try await subjectAndClaims(of: grant, scopes: scopes)
        } catch is TokenError {
            throw invalid
        }
        var answer: [String: Any] = ["sub": resolved.sub]
        if let act = resolved.act { answer["act"] = act }
        let available = resolved.claims
        for name in ["subject_type", "organisation_code", "legal_form"] where available[name] != nil {
            answer[name] = available[name]
        }
        let requested = AuthorizationRequest.requestedClaims(grant.claims, in: "userinfo")
        for (name, value) in available {
            let fromScope = Self.claimsByScope.contains { scopes.contains($0.key) && $0.value.contains(name) }
            if (fromScope || requested.contains(name)) && party.mayReceive(name) { answer[name] = value }
        }
        return answer
    }

    /// The claims of `person` that `scopes` allow, with names in Latin, Georgian and (when recorded) Hangul.
    ///
    /// `age` gives `age_over_18` instead of the birth date: a relying party that needs only the age learns
    /// only that.
    func claims(of person: Person, scopes: Set<String>) -> [String: Any] {
        var claims: [String: Any] = [:]
        if scopes.contains("profile") {
            let name = person.name
            claims["name"] = "\(name.givenLatin) \(name.familyLatin)"
            claims["given_name"] = name.givenLatin
            claims["family_name"] = name.familyLatin
            claims["name#ka"] = "\(name.given) \(name.family)"
            claims["given_name#ka"] = name.given
            claims["family_name#ka"] = name.family
            if let hangul = name.hangul { claims["name#ko"] = hangul }
            claims["birthdate"] = person.birthDate.description
            claims["gender"] = person.sex.rawValue
        }
        if scopes.contains("address") {
            let address = person.address
            var street = "\(address.street) \(address.houseNumber)"
            if let flat = address.flat { street += ", \(flat)" }
            claims["address"] = [
                "street_address": street, "locality": address.city, "region": address.district,
                "postal_code": address.postcode, "country": "CV",
                "formatted": "\(street), \(address.postcode) \(address.city)",
            ]
        }
        if scopes.contains("personal_number") { claims["personal_number"] = person.personalNumber.rawValue }
        if scopes.contains("age") {
            let today = CalendarDate(daysSince1970: Int((clock.now().timeIntervalSince1970 / 86_400).rounded(.down)))
            claims["age_over_18"] = person.age(on: today) >= 18
        }
        return claims
    }
}
