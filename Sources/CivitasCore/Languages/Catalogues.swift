/// The catalogues of every language, loaded once at start.
public struct Catalogues: Sendable {
    private let byLanguage: [Language: Catalogue]

    /// Loads the bundled catalogues of every language.
    public static func bundled() throws -> Catalogues {
        var all: [Language: Catalogue] = [:]
        for language in Language.allCases {
            all[language] = try Catalogue.bundled(language)
        }
        return Catalogues(byLanguage: all)
    }

    /// Creates the set from catalogues already loaded; a missing language falls back to English.
    public init(_ catalogues: [Catalogue]) {
        self.init(byLanguage: Dictionary(catalogues.map { ($0.language, $0) }, uniquingKeysWith: { first, _ in first }))
    }

    private init(byLanguage: [Language: Catalogue]) {
        self.byLanguage = byLanguage
    }

    /// The catalogue of `language`, or the fallback language's when that one is absent.
    public subscript(language: Language) -> Catalogue {
        byLanguage[language] ?? byLanguage[.fallback] ?? Catalogue(language: language, strings: [:])
    }
}
