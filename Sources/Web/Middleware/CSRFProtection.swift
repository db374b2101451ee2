import CivitasCore
import Foundation
import HTTPTypes
public import Hummingbird

/// Rejects state-changing requests that a cross-site page could have forged.
///
/// ``RouteTable`` runs this check before every `POST`, `PUT`, `PATCH` and `DELETE` route unless the route is
/// registered as exempt (protocol endpoints such as the OIDC token endpoint or the TSA, which browsers never post
/// forms to). For those requests:
/// - a browser-declared cross-site request (`Sec-Fetch-Site: cross-site`) or an `Origin` other than our own host is
///   refused outright;
/// - a form (`application/x-www-form-urlencoded`, `multipart/form-data`, `text/plain`), or a request without a
///   content type and without an `Authorization` header, must repeat the `civitas_csrf` cookie's token in the `_csrf`
///   field (or the `X-CSRF-Token` header, the only place for multipart bodies).
///
/// JSON and other typed bodies cannot be sent cross-site without a CORS preflight, which Civitas never grants, and
/// API clients authenticate with tokens rather than cookies, so they need no form token.
public enum CSRFProtection {
    /// Throws a 403 ``HTTPProblem`` unless `request` is safe to act on; returns the request to pass on (its body
    /// may have been read to find the form field, and is then buffered).
    public static func check(_ request: Request, context: CivitasRequestContext) async throws -> Request {
        guard [.post, .put, .patch, .delete].contains(request.method) else { return request }
        if request.headers[.secFetchSite]?.lowercased() == "cross-site" {
            throw Self.rejected("The request came from another site.")
        }
        if let origin = request.headers[.origin], !Self.isSameOrigin(origin, host: request.head.authority) {
            throw Self.rejected("The request's Origin is not this site.")
        }
        let mediaType = request.headers[.contentType].map(Self.mediaType)
        let formLike = ["application/x-www-form-urlencoded", "multipart/form-data", "text/plain"]
        let needsToken =
            mediaType.map { formLike.contains($0) } ?? (request.headers[.authorization] == nil)
        guard needsToken else { return request }

        guard let cookie = request.cookies[CSRFToken.cookieName]?.value, CSRFToken.isWellFormed(cookie) else {
            throw Self.rejected("The form has no security token cookie; reload the page and try again.")
        }
        if let header = request.headers[.csrfToken] {
            guard CSRFToken.matches(header, cookie) else { throw Self.rejected("The security token does not match.") }
            return request
        }
        guard mediaType == "application/x-www-form-urlencoded" else {
            throw Self.rejected("The request carries no security token.")
        }
        var request = request
        let body = try await request.collectBody(upTo: context.maxUploadSize)
        let fields = FormFields(String(buffer: body))
        guard let field = fields[CSRFToken.fieldName], CSRFToken.matches(field, cookie) else {
            throw Self.rejected("The form's security token is missing or does not match; reload the page.")
        }
        return request
    }

    static func rejected(_ detail: String) -> HTTPProblem {
        HTTPProblem(.forbidden, code: "csrf", detail: detail, pageKey: "error_csrf")
    }

    static func mediaType(_ header: String) -> String {
        header.split(separator: ";", maxSplits: 1).first.map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        } ?? ""
    }

    /// Whether an `Origin` (`scheme://host[:port]`) names `host` (the request's `Host`, with any port).
    static func isSameOrigin(_ origin: String, host: String?) -> Bool {
        guard let host, let schemeEnd = origin.range(of: "://") else { return false }
        return origin[schemeEnd.upperBound...].lowercased() == host.lowercased()
    }
}
