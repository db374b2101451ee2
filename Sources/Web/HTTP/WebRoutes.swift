import CivitasCore
import Foundation
import HTTPTypes
import Hummingbird

/// The public web shell: the home page, the language switch and the stylesheet.
public struct WebRoutes: Sendable {
    private let renderer: PageRenderer
    private let presentation: SitePresentation
    private let settings: WebSettings
    private let stylesheet: StaticAsset

    /// Creates the routes.
    public init(renderer: PageRenderer, presentation: SitePresentation, settings: WebSettings) throws {
        self.renderer = renderer
        self.presentation = presentation
        self.settings = settings
        self.stylesheet = try StaticAsset.bundled(name: "civitas.css", contentType: "text/css; charset=utf-8")
    }

    /// Adds the routes to `router`.
    public func register(in routes: RouteTable) {
        routes.get("/") { request, context in try self.home(request, context) }
        routes.post("/language") { request, context in try await self.switchLanguage(request, context) }
        routes.get("/static/civitas.css") { request, _ in self.stylesheet.response(for: request) }
    }

    func home(_ request: Request, _ context: CivitasRequestContext) throws -> Response {
        let catalogue = renderer.catalogues[context.language]
        let blocks = presentation.blocks.map { block -> [String: Any] in
            [
                "id": block.id, "title": catalogue["block_\(block.id)_title"],
                "summary": catalogue["block_\(block.id)_summary"], "available": block.available,
            ]
        }
        var demo: Any = false
        if let showcase = presentation.demo {
            var tries: [[String: Any]] = [
                ["text": catalogue["demo_try_home"]],
                ["text": catalogue["demo_try_audit"]],
                ["text": catalogue["demo_try_health"], "href": "/health/ready"],
                ["text": catalogue["demo_try_metrics"], "href": "/metrics"],
                ["text": catalogue["demo_try_openapi"], "href": "/openapi.json"],
            ]
            if presentation.blocks.contains(where: { $0.id == "exchange" && $0.available }) {
                tries.append(
                    ["text": catalogue["demo_try_exchange"], "href": "/exchange/global-configuration"])
            }
            demo =
                [
                    "try": tries, "persons": context.language.grouped(showcase.persons),
                    "agencies": showcase.agencyKeys.map { ["name": catalogue[$0]] },
                ] as [String: Any]
        }
        return try renderer.page("home", values: ["blocks": blocks], request: request, context: context, demo: demo)
    }

    func switchLanguage(_ request: Request, _ context: CivitasRequestContext) async throws -> Response {
        var request = request
        let body = try await request.collectBody(upTo: context.maxUploadSize)
        let fields = FormFields(String(buffer: body))
        guard let code = fields["lang"], let language = Language(rawValue: code) else {
            throw HTTPProblem.badRequest("Choose one of: " + Language.allCases.map(\.rawValue).joined(separator: ", "))
        }
        let target = Self.safeReturnPath(fields["return"])
        var response = Response(status: .seeOther, headers: [.location: target, .cacheControl: "no-store"])
        response.setCookie(
            Cookie(
                name: RequestContextMiddleware.languageCookie, value: language.rawValue, maxAge: 365 * 24 * 3600,
                path: "/", secure: settings.servedOverTLS, httpOnly: true, sameSite: .lax))
        return response
    }

    /// A local path to go back to after switching; anything that could lead off-site becomes `/`.
    public static func safeReturnPath(_ candidate: String?) -> String {
        guard let candidate, candidate.hasPrefix("/"), !candidate.hasPrefix("//"), candidate.utf8.count <= 2048,
            !candidate.contains("\\"), candidate.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7F })
        else { return "/" }
        return candidate
    }
}
