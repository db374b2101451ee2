import Foundation
import Testing

@testable import CivitasApp

@Suite("The exchange-registry OpenAPI fragment")
struct ExchangeRegistryFragmentTests {
    @Test("it composes with every other fragment and describes the registry and global configuration routes")
    func composes() throws {
        let names = ["node", "validation", "esignature", "identity-devices", "exchange-registry"]
        let document = try OpenAPIDocument.compose(
            fragments: try names.map { try OpenAPIDocument.bundledFragment($0) }, version: "test")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(document)) as? [String: Any])
        let paths = try #require(object["paths"] as? [String: Any])
        for path in [
            "/exchange/global-configuration", "/exchange/global-configuration/{version}/signature",
            "/exchange/v1/members", "/exchange/v1/members/{class}/{code}", "/exchange/v1/subsystems",
            "/exchange/v1/nodes", "/exchange/v1/services", "/exchange/v1/access-rights",
            "/exchange/v1/access-rights/{id}",
        ] {
            #expect(paths[path] != nil, "\(path)")
        }
        let text = String(decoding: document, as: UTF8.self)
        for reference in text.matches(of: /"#\/components\/schemas\/([A-Za-z]+)"/) {
            let schemas = (object["components"] as? [String: Any])?["schemas"] as? [String: Any]
            #expect(schemas?[String(reference.output.1)] != nil, "\(reference.output.1) is defined")
        }
    }
}
