import Foundation
public import HTTPTypes
public import Hummingbird

extension HTTPField.Name {
    /// `X-GovStack-AuthenticationToken`: where GovStack's building-block APIs accept a caller's token.
    public static let govStackAuthenticationToken = HTTPField.Name("X-GovStack-AuthenticationToken")!
}

/// The bearer token a request presents (RFC 6750 2.1): `Authorization: Bearer <token>`, the scheme in any case.
public enum BearerToken {
    /// The token of an `Authorization` value, or nil for another scheme or none.
    public static func parse(_ value: String) -> String? {
        let parts = value.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }

    /// The token of the request's `Authorization` header.
    public static func of(_ request: Request) -> String? {
        request.headers[.authorization].flatMap(parse)
    }

    /// The token of `Authorization`, or else of `X-GovStack-AuthenticationToken`, bare or as "Bearer …" (the
    /// GovStack APIs' header).
    public static func ofGovStack(_ request: Request) -> String? {
        if let value = request.headers[.authorization] { return parse(value) }
        guard let value = request.headers[.govStackAuthenticationToken]?.trimmingCharacters(in: .whitespaces),
            !value.isEmpty
        else { return nil }
        return parse(value) ?? value
    }
}
