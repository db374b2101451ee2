import CivitasCore
import Identity
import Testing

/// The catalogue keys the admin pages build in Swift (per form field, the 403 page), in every language.
@Suite("Admin pages' strings built in code")
struct AdminCatalogueTests {
    static var keys: [String] {
        RelyingPartyField.allCases.flatMap { ["admin_rp_field_\($0.rawValue)", "admin_rp_error_\($0.rawValue)"] }
            + [
                "admin_rp_error_taken", "admin_forbidden_title", "admin_forbidden_detail", "admin_rp_active",
                "admin_rp_disabled", "admin_hall_username_error", "admin_hall_not_found", "admin_hall_invalid_number",
            ] + LevelOfAssurance.allCases.map { "account_level_\($0.rawValue)" }
    }

    @Test("every key exists, not empty, in English, Georgian and Korean")
    func keysExist() throws {
        for language in Language.allCases {
            let strings = try Catalogue.bundled(language).strings
            for key in Self.keys {
                #expect(strings[key]?.isEmpty == false, "\(language) lacks \(key)")
            }
        }
    }
}
