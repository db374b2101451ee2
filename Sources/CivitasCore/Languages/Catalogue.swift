import Foundation

/// The user-visible strings of one language, loaded from `Localization/<code>.json`.
///
/// Every string a citizen or an official reads comes from a catalogue. All catalogues hold the same keys; the test
/// suite fails when one is missing a key that another has, or when a template names a key that none has.
public struct Catalogue: Sendable {
    /// The language of these strings.
    public let language: Language
    /// Key to string.
    public let strings: [String: String]

    /// Creates a catalogue from already loaded strings.
    public init(language: Language, strings: [String: String]) {
        self.language = language
        self.strings = strings
    }

    /// The string for `key`; the key itself when the catalogue lacks it, so that a gap is visible rather than blank.
    public subscript(key: String) -> String {
        strings[key] ?? key
    }

    /// Loads the bundled catalogue of `language`.
    public static func bundled(_ language: Language) throws -> Catalogue {
        guard
            let url = Bundle.module.url(
                forResource: language.rawValue, withExtension: "json", subdirectory: "Localization")
        else {
            throw CatalogueError(language: language, reason: "the catalogue file is not in the bundle")
        }
        let data = try Data(contentsOf: url)
        guard let strings = try JSONSerialization.jsonObject(with: data) as? [String: String] else {
            throw CatalogueError(language: language, reason: "the catalogue is not a flat object of strings")
        }
        return Catalogue(language: language, strings: strings)
    }
}

/// A catalogue could not be loaded.
public struct CatalogueError: Error, CustomStringConvertible {
    /// The language whose catalogue failed.
    public let language: Language
    /// What went wrong.
    public let reason: String

    /// A message naming the language and the reason.
    public var description: String { "catalogue \(language.rawValue): \(reason)" }
}
