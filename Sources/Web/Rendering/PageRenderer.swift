public import CivitasCore
import Foundation
import HTTPTypes
public import Hummingbird
import Mustache

/// Renders the Mustache templates in `Templates/` into HTML responses, in the visitor's language.
///
/// Every page gets the same base values: `t` (the catalogue of the visitor's language), `lang`, `languages` (for the
/// switch), `csrf`, `path` and `demo`; a route adds its own.
public struct PageRenderer: Sendable {
    private let library: MustacheLibrary
    /// The UI strings of every language.
    public let catalogues: Catalogues
    private let settings: WebSettings
    private let dictionaries: [Language: [String: String]]

    /// Loads the bundled templates and catalogues.
    public static func bundled(settings: WebSettings) async throws -> PageRenderer {
        guard let directory = Bundle.module.url(forResource: "Templates", withExtension: nil) else {
            throw HTTPProblem(.internalServerError, code: "templates-missing", detail: "The templates are not bundled.")
        }
        let library = try await MustacheLibrary(directory: directory.path)
        return PageRenderer(library: library, catalogues: try Catalogues.bundled(), settings: settings)
    }

    init(library: MustacheLibrary, catalogues: Catalogues, settings: WebSettings) {
        self.library = library
        self.catalogues = catalogues
        self.settings = settings
        var dictionaries: [Language: [String: String]] = [:]
        for language in Language.allCases { dictionaries[language] = catalogues[language].strings }
        self.dictionaries = dictionaries
    }

    /// Renders `template` with the base values and `values` into HTML.
    public func render(
        _ template: String, values: [String: Any], context: CivitasRequestContext, path: String, demo: Any? = nil
    ) -> String? {
        var all: [String: Any] = [
            "t": dictionaries[context.language] ?? [:],
            "lang": context.language.rawValue,
            "languages": Language.allCases.map { language in
                ["code": language.rawValue, "name": language.endonym, "current": language == context.language]
            },
            "csrf": context.csrfToken,
            "path": path,
            "demo": demo ?? (settings.demo as Any),
        ]
        all.merge(values, uniquingKeysWith: { _, new in new })
        return library.render(all, withTemplate: template)
    }

    /// An HTML response of `template`.
    public func page(
        _ template: String, status: HTTPResponse.Status = .ok, values: [String: Any], request: Request,
        context: CivitasRequestContext, demo: Any? = nil
    ) throws -> Response {
        guard let html = render(template, values: values, context: context, path: request.uri.path, demo: demo) else {
            throw HTTPProblem(.internalServerError, code: "template-missing", detail: "No template named \(template).")
        }
        return Response(
            status: status,
            headers: [
                .contentType: "text/html; charset=utf-8", .cacheControl: "no-store", .vary: "Accept-Language, Cookie",
            ],
            body: .init(byteBuffer: ByteBuffer(string: html)))
    }
}
