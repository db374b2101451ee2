import Foundation
import Testing

@testable import CivitasApp

@Suite("The identity-relying-parties OpenAPI fragment")
struct IdentityRelyingPartiesFragmentTests {
    @Test("it composes with every other fragment and describes each registry operation")
    func composes() throws {
        let names = ["node", "validation", "esignature", "identity-devices", "identity-relying-parties"]
        let document = try OpenAPIDocument.compose(
            fragments: try names.map { try OpenAPIDocument.bundledFragment($0) }, version: "test")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(document)) as? [String: Any])
        let paths = try #require(object["paths"] as? [String: Any])
        let expected: [String: Set<String>] = [
            "/identity/v1/relying-parties": ["get", "post"],
            "/identity/v1/relying-parties/{id}": ["get", "put", "delete"],
            "/identity/v1/relying-parties/{id}/secret": ["post"],
        ]
        for (path, methods) in expected {
            let item = try #require(paths[path] as? [String: Any], "\(path)")
            #expect(Set(item.keys).subtracting(["parameters"]) == methods, "\(path)")
        }
        let components = try #require(object["components"] as? [String: Any])
        let schemes = try #require(components["securitySchemes"] as? [String: Any])
        #expect(schemes["apiClientToken"] != nil)
        let text = String(decoding: document, as: UTF8.self)
        let schemas = components["schemas"] as? [String: Any]
        for reference in text.matches(of: /"#\/components\/schemas\/([A-Za-z]+)"/) {
            #expect(schemas?[String(reference.output.1)] != nil, "\(reference.output.1) is defined")
        }
        let party = try #require(schemas?["RelyingParty"] as? [String: Any])
        let properties = try #require(party["properties"] as? [String: Any])
        let algorithms = (properties["id_token_signed_response_alg"] as? [String: Any])?["enum"] as? [String]
        #expect(algorithms == ["ES256", "EdDSA"])
    }

    @Test("an identity-only node composes its fragments without the Trust ones (the security scheme is its own)")
    func identityOnly() throws {
        let document = try OpenAPIDocument.compose(
            fragments: try ["node", "identity-devices", "identity-relying-parties"].map {
                try OpenAPIDocument.bundledFragment($0)
            }, version: "test")
        let text = String(decoding: document, as: UTF8.self)
        #expect(text.contains("apiClientToken"))
    }
}
