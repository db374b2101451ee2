import CivitasCore
import Identity
import Testing

@Suite("Device login strings")
struct DeviceLoginCatalogueTests {
    @Test("the error pages the login routes name exist in every language")
    func pageKeys() throws {
        for language in Language.allCases {
            let keys = Set(try Catalogue.bundled(language).strings.keys)
            for method in DeviceLoginMethod.allCases {
                for page in ["expired", "wrong_browser", "used"] {
                    for part in ["title", "detail"] {
                        let key = "login_\(method.rawValue)_\(page)_\(part)"
                        #expect(keys.contains(key), "\(language) lacks \(key)")
                    }
                }
            }
        }
    }
}
