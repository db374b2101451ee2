import Foundation
import Testing

@testable import CivitasApp

@Suite("The consent OpenAPI fragment")
struct ConsentFragmentTests {
    @Test("it composes with every other fragment and describes the spec's config, service and audit paths")
    func composes() throws {
        let names = ["node", "validation", "esignature", "identity-devices", "consent"]
        let document = try OpenAPIDocument.compose(
            fragments: try names.map { try OpenAPIDocument.bundledFragment($0) }, version: "test")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(document)) as? [String: Any])
        let paths = try #require(object["paths"] as? [String: Any])
        for path in [
            "/consent/v1/config/policy/", "/consent/v1/config/data-agreement/{dataAgreementId}/",
            "/consent/v1/service/individual/record/data-agreement/{dataAgreementId}/",
            "/consent/v1/service/verification/consent-record/{consentRecordId}/",
            "/consent/v1/audit/consent-record/{consentRecordId}/",
        ] {
            #expect(paths[path] != nil, "\(path)")
        }
        let text = String(decoding: document, as: UTF8.self)
        let schemas = (object["components"] as? [String: Any])?["schemas"] as? [String: Any]
        for reference in text.matches(of: /"#\/components\/schemas\/([A-Za-z]+)"/) {
            #expect(schemas?[String(reference.output.1)] != nil, "\(reference.output.1) is defined")
        }
        var operations = Set<String>()
        for case let item as [String: Any] in paths.values {
            for case let operation as [String: Any] in item.values {
                let id = try #require(operation["operationId"] as? String)
                #expect(operations.insert(id).inserted, "\(id) is unique")
            }
        }
    }
}
