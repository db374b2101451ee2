import Foundation
import Testing

@testable import CivitasApp

@Suite("The identity-devices OpenAPI fragment")
struct IdentityDevicesFragmentTests {
    @Test("it composes with every other fragment and describes the device-login JSON routes")
    func composes() throws {
        let names = ["node", "validation", "esignature", "identity-devices"]
        let document = try OpenAPIDocument.compose(
            fragments: try names.map { try OpenAPIDocument.bundledFragment($0) }, version: "test")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(document)) as? [String: Any])
        let paths = try #require(object["paths"] as? [String: Any])
        for path in [
            "/identity/device-logins/{code}", "/identity/device-logins/{code}/answer", "/identity/devices",
            "/identity/devices/{id}/revoke",
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
