/// A language the user interface speaks.
///
/// Civitas speaks English, Georgian and Korean. The raw value is the BCP 47 primary language subtag that appears in
/// `Accept-Language`, in `<html lang>` and in the `ui_locales` parameter of OpenID Connect.
public enum Language: String, CaseIterable, Sendable, Codable {
    /// English.
    case english = "en"
    /// Georgian (ქართული), written in Mkhedruli.
    case georgian = "ka"
    /// Korean (한국어).
    case korean = "ko"

    /// The language used when nothing the client sends matches.
    public static let fallback: Language = .english

    /// The language's name in itself, as shown in the language switch.
    public var endonym: String {
        switch self {
        case .english: "English"
        case .georgian: "ქართული"
        case .korean: "한국어"
        }
    }

    /// Parses a language tag such as `ka`, `ka-GE` or `KO_kr`; `nil` when the primary subtag is not one we speak.
    public init?(tag: some StringProtocol) {
        let primary = tag.split(whereSeparator: { $0 == "-" || $0 == "_" }).first.map { $0.lowercased() } ?? ""
        self.init(rawValue: primary)
    }
}
