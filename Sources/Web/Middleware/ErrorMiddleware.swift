import CivitasCore
import Foundation
import HTTPTypes
public import Hummingbird
import Logging

/// Turns every error into the right response: RFC 9457 problem details for API clients, an HTML page in the
/// visitor's language for browsers. Every 5xx is logged with the request id; nothing leaves as a bare 500.
public struct ErrorMiddleware: RouterMiddleware {
    private let renderer: PageRenderer
    /// The base URI of problem types; `<base><code>` names each.
    public static let problemTypeBase = "https://civitas.dev/problems/"

    /// Creates the middleware.
    public init(renderer: PageRenderer) {
        self.renderer = renderer
    }

    /// Calls the rest of the chain and maps what it throws.
    public func handle(
        _ request: Request, context: CivitasRequestContext,
        next: (Request, CivitasRequestContext) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            return response(for: error, request: request, context: context)
        }
    }

    func response(for error: any Error, request: Request, context: CivitasRequestContext) -> Response {
        let problem = Self.problem(for: error)
        if problem.status.code >= 500 {
            context.logger.error(
                "request failed",
                metadata: [
                    "status": "\(problem.status.code)", "path": "\(request.uri.path)",
                    "error": "\(String(reflecting: error))",
                ])
        } else {
            context.logger.debug(
                "request refused", metadata: ["status": "\(problem.status.code)", "code": "\(problem.code)"])
        }
        if Self.prefersHTML(request), var page = htmlPage(problem, request: request, context: context) {
            if let allow = problem.allow { page.headers[.allow] = allow }
            return page
        }
        let body = ProblemDetails(
            type: Self.problemTypeBase + problem.code, title: problem.status.reasonPhrase, status: problem.status.code,
            detail: problem.detail, instance: request.uri.path, requestID: context.requestID)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(body)) ?? Data()
        var headers: HTTPFields = [.contentType: "application/problem+json", .cacheControl: "no-store"]
        if let allow = problem.allow { headers[.allow] = allow }
        return Response(
            status: problem.status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: [UInt8](data))))
    }

    private func htmlPage(_ problem: HTTPProblem, request: Request, context: CivitasRequestContext) -> Response? {
        let catalogue = renderer.catalogues[context.language]
        let prefix = problem.pageKey ?? Self.pageKey(for: problem.status)
        let values: [String: Any] = [
            "title": catalogue[prefix + "_title"], "detail": catalogue[prefix + "_detail"],
            "request_id": context.requestID,
        ]
        return try? renderer.page("error", status: problem.status, values: values, request: request, context: context)
    }

    /// The statuses with their own page text; others get the generic page.
    public static let statusesWithPages: [Int] = [400, 403, 404, 405, 413, 415, 429, 500, 503]

    static func pageKey(for status: HTTPResponse.Status) -> String {
        statusesWithPages.contains(status.code) ? "error_\(status.code)" : "error_generic"
    }

    static func problem(for error: any Error) -> HTTPProblem {
        switch error {
        case let problem as HTTPProblem:
            return problem
        case let error as HTTPError:
            let detail = error.body ?? Self.defaultDetail(error.status)
            return HTTPProblem(error.status, code: Self.code(for: error.status), detail: detail)
        case let error as any HTTPResponseError:
            return HTTPProblem(
                error.status, code: Self.code(for: error.status), detail: Self.defaultDetail(error.status))
        case is DecodingError:
            return .badRequest("The request body could not be read.")
        default:
            return HTTPProblem(
                .internalServerError, code: "internal",
                detail: "Something went wrong on our side. It has been logged; quote the request id when you ask.")
        }
    }

    static func code(for status: HTTPResponse.Status) -> String {
        switch status.code {
        case 404: "not-found"
        case 405: "method-not-allowed"
        case 413: "body-too-large"
        case 415: "unsupported-media-type"
        case 400: "bad-request"
        default: "http-\(status.code)"
        }
    }

    static func defaultDetail(_ status: HTTPResponse.Status) -> String {
        switch status.code {
        case 404: "Nothing is published at this address."
        case 405: "This address does not accept this method."
        default: status.reasonPhrase
        }
    }

    /// Whether the client is a browser asking for a page (its `Accept` names `text/html`).
    static func prefersHTML(_ request: Request) -> Bool {
        guard let accept = request.headers[.accept]?.lowercased() else { return false }
        return accept.contains("text/html") || accept.contains("application/xhtml+xml")
    }
}
