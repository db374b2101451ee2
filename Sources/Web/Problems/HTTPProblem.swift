public import HTTPTypes

/// An error a route or middleware throws to answer with a specific status.
///
/// ``ErrorMiddleware`` renders it as RFC 9457 problem details for API clients and as an HTML page, in the
/// visitor's language, for browsers. Blocks map their own error types to an `HTTPProblem` in their `HTTP/` folder.
public struct HTTPProblem: Error, Sendable {
    /// The HTTP status.
    public let status: HTTPResponse.Status
    /// A short machine-readable code, appended to the problem type URI (`/problems/<code>`).
    public let code: String
    /// What went wrong, in English, for API clients and logs. Must not contain secrets or personal data.
    public let detail: String
    /// The catalogue key prefix for the browser page (`<prefix>_title`, `<prefix>_detail`); by default the status.
    public let pageKey: String?
    /// The methods the resource allows, for the `Allow` header of a 405.
    public let allow: String?

    /// Creates a problem.
    public init(
        _ status: HTTPResponse.Status, code: String, detail: String, pageKey: String? = nil, allow: String? = nil
    ) {
        self.status = status
        self.code = code
        self.detail = detail
        self.pageKey = pageKey
        self.allow = allow
    }

    /// 404 for a path that names nothing.
    public static func notFound(_ detail: String = "Nothing is published at this address.") -> HTTPProblem {
        HTTPProblem(.notFound, code: "not-found", detail: detail)
    }

    /// 400 for input that fails validation at the door.
    public static func badRequest(_ detail: String) -> HTTPProblem {
        HTTPProblem(.badRequest, code: "bad-request", detail: detail)
    }
}
