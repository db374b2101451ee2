import CivitasCore
import Foundation
import Testing

@testable import Web

@Suite("UI strings in English, Georgian and Korean")
struct CatalogueCompletenessTests {
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Sources")

    static func templateKeys() throws -> [String: Set<String>] {
        let directory = sources.appendingPathComponent("Web/Templates")
        var keys: [String: Set<String>] = [:]
        let pattern = try Regex(#"\{\{[#^/&{]?\s*t\.([A-Za-z0-9_.]+)\s*\}?\}\}"#)
        for file in try FileManager.default.contentsOfDirectory(atPath: directory.path)
        where file.hasSuffix(".mustache") {
            let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            keys[file] = Set(text.matches(of: pattern).map { String($0.output[1].substring!) })
        }
        return keys
    }

    /// Keys that Swift code builds at run time (block titles, error pages, demo lines, agencies).
    static var keysUsedBySwift: Set<String> {
        var keys: Set<String> = ["demo_try_home", "demo_try_audit", "demo_try_health", "demo_try_metrics"]
        keys.insert("demo_try_openapi")
        for block in SitePresentation.allBlockIDs {
            keys.insert("block_\(block)_title")
            keys.insert("block_\(block)_summary")
        }
        for status in ErrorMiddleware.statusesWithPages {
            keys.insert("error_\(status)_title")
            keys.insert("error_\(status)_detail")
        }
        for prefix in ["error_generic", "error_csrf"] {
            keys.insert(prefix + "_title")
            keys.insert(prefix + "_detail")
        }
        // Representation and powers of attorney.
        for state in ["drafted", "signed", "accepted", "revoked", "renounced", "expired"] {
            keys.insert("power_state_\(state)")
        }
        for event in ["drafted", "signed", "accepted", "revoked", "renounced"] { keys.insert("power_event_\(event)") }
        for prefix in ["power_refused", "power_sign_in", "act_refused"] {
            keys.insert(prefix + "_title")
            keys.insert(prefix + "_detail")
        }
        keys.formUnion([
            "power_principal_person", "power_principal_organisation", "power_all_services", "act_by_representation",
            "act_by_power",
        ])
        keys.formUnion([
            "agency_civil_registry", "agency_revenue_service", "agency_property_registry", "agency_city_hall",
            "agency_police", "agency_public_service_hall", "agency_trust_services", "agency_digital_agency",
        ])
        return keys
    }

    @Test("every catalogue has exactly the keys of every other, and no empty string")
    func sameKeys() throws {
        let catalogues = try Language.allCases.map { try Catalogue.bundled($0) }
        let english = Set(catalogues[0].strings.keys)
        #expect(!english.isEmpty)
        for catalogue in catalogues {
            let keys = Set(catalogue.strings.keys)
            #expect(
                english.subtracting(keys).isEmpty, "\(catalogue.language) lacks \(english.subtracting(keys).sorted())")
            #expect(
                keys.subtracting(english).isEmpty,
                "\(catalogue.language) has extra \(keys.subtracting(english).sorted())")
            for (key, value) in catalogue.strings {
                #expect(!value.trimmingCharacters(in: .whitespaces).isEmpty, "\(catalogue.language) \(key) is empty")
            }
        }
    }

    @Test("every key a template uses exists in the catalogues")
    func templatesUseKnownKeys() throws {
        let known = Set(try Catalogue.bundled(.english).strings.keys)
        let used = try Self.templateKeys()
        #expect(used.count >= 4, "templates were found")
        for (file, keys) in used {
            #expect(keys.subtracting(known).isEmpty, "\(file) uses unknown keys \(keys.subtracting(known).sorted())")
        }
    }

    @Test("every key the Swift code builds exists in the catalogues")
    func swiftUsesKnownKeys() throws {
        let known = Set(try Catalogue.bundled(.english).strings.keys)
        #expect(Self.keysUsedBySwift.subtracting(known).isEmpty, "\(Self.keysUsedBySwift.subtracting(known).sorted())")
    }

    @Test("Georgian and Korean strings are written in their own scripts, not copied from English")
    func translated() throws {
        let english = try Catalogue.bundled(.english)
        let georgian = try Catalogue.bundled(.georgian)
        let korean = try Catalogue.bundled(.korean)
        let proper: Set<String> = ["site_name"]
        for key in english.strings.keys where !proper.contains(key) {
            let ka = georgian[key]
            let ko = korean[key]
            #expect(ka.unicodeScalars.contains { (0x10D0...0x10FF).contains($0.value) }, "ka \(key): \(ka)")
            #expect(ko.unicodeScalars.contains { (0xAC00...0xD7A3).contains($0.value) }, "ko \(key): \(ko)")
        }
    }

    @Test("a template that names an unknown key is caught by the scan")
    func scanFindsKeys() throws {
        let pattern = try Regex(#"\{\{[#^/&{]?\s*t\.([A-Za-z0-9_.]+)\s*\}?\}\}"#)
        let sample = "<p>{{t.home_title}} {{{t.raw_key}}} {{#t.flag}}x{{/t.flag}} {{other}}</p>"
        let found = Set(sample.matches(of: pattern).map { String($0.output[1].substring!) })
        #expect(found == ["home_title", "raw_key", "flag"])
    }
}
