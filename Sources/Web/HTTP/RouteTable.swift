import HTTPTypes
public import Hummingbird

/// Every route of a node, registered through one place so that a known path asked with the wrong method answers
/// 405 with an `Allow` header (RFC 9110, section 15.5.6) instead of 404.
public final class RouteTable {
    /// A request handler.
    public typealias Handler = @Sendable (Request, CivitasRequestContext) async throws -> Response

    /// Whether a state-changing route requires the CSRF check.
    public enum CSRFPolicy: Sendable {
        /// Browser forms post here: the token must match (the default).
        case required
        /// A protocol endpoint that browsers never post forms to, authenticated by other means.
        case exempt
    }

    private var routes: [(path: String, method: HTTPRequest.Method, csrf: CSRFPolicy, handler: Handler)] = []

    /// The methods for which a path not declaring them answers 405.
    static let probedMethods: [HTTPRequest.Method] = [
        .get, .head, .post, .put, .patch, .delete, .options, .trace, HTTPRequest.Method("QUERY")!,
    ]

    /// Creates an empty table.
    public init() {}

    /// Adds a route; state-changing methods get the CSRF check unless `csrf` is `.exempt`.
    public func add(
        _ method: HTTPRequest.Method, _ path: String, csrf: CSRFPolicy = .required, _ handler: @escaping Handler
    ) {
        routes.append((path, method, csrf, handler))
    }

    /// Adds a `GET` route.
    public func get(_ path: String, _ handler: @escaping Handler) { add(.get, path, handler) }

    /// Adds a `POST` route.
    public func post(_ path: String, _ handler: @escaping Handler) { add(.post, path, handler) }

    /// Installs every route, and the 405 answers, on `router`.
    public func install(on router: Router<CivitasRequestContext>) {
        var methodsByPath: [String: [HTTPRequest.Method]] = [:]
        var order: [String] = []
        for route in routes {
            if methodsByPath[route.path] == nil { order.append(route.path) }
            methodsByPath[route.path, default: []].append(route.method)
            let handler = route.handler
            let protected = route.csrf == .required
            router.on(RouterPath(route.path), method: route.method) { request, context in
                let checked = protected ? try await CSRFProtection.check(request, context: context) : request
                return try await handler(checked, context)
            }
        }
        for path in order {
            let declared = methodsByPath[path] ?? []
            let allow = declared.map(\.rawValue).joined(separator: ", ")
            for method in Self.probedMethods where !declared.contains(method) {
                router.on(RouterPath(path), method: method) { _, _ -> Response in
                    throw HTTPProblem(
                        .methodNotAllowed, code: "method-not-allowed",
                        detail: "This address accepts \(allow) only.", allow: allow)
                }
            }
        }
    }
}
