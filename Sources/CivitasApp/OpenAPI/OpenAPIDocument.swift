import Foundation

/// Builds the node's OpenAPI 3.1 document from the fragments of the blocks it serves.
///
/// Each block ships `OpenAPI/<block>.json`, an OpenAPI document of its own operations; the node merges their
/// `paths`, `components.schemas`, `components.securitySchemes` and `tags` under one `info`. A path, schema or
/// security scheme defined twice is a programming error and stops the node at start.
enum OpenAPIDocument {
    struct CompositionError: Error, CustomStringConvertible {
        let description: String
    }

    static func compose(fragments: [(name: String, data: Data)], version: String) throws -> [UInt8] {
        var paths: [String: Any] = [:]
        var schemas: [String: Any] = [:]
        var securitySchemes: [String: Any] = [:]
        var tags: [[String: Any]] = []
        for fragment in fragments {
            guard let object = try JSONSerialization.jsonObject(with: fragment.data) as? [String: Any] else {
                throw CompositionError(description: "\(fragment.name) is not a JSON object")
            }
            for (path, item) in object["paths"] as? [String: Any] ?? [:] {
                guard paths[path] == nil else {
                    throw CompositionError(description: "\(fragment.name) defines \(path) again")
                }
                paths[path] = item
            }
            let components = object["components"] as? [String: Any] ?? [:]
            for (name, schema) in components["schemas"] as? [String: Any] ?? [:] {
                guard schemas[name] == nil else {
                    throw CompositionError(description: "\(fragment.name) defines schema \(name) again")
                }
                schemas[name] = schema
            }
            for (name, scheme) in components["securitySchemes"] as? [String: Any] ?? [:] {
                guard securitySchemes[name] == nil else {
                    throw CompositionError(description: "\(fragment.name) defines security scheme \(name) again")
                }
                securitySchemes[name] = scheme
            }
            tags += object["tags"] as? [[String: Any]] ?? []
        }
        let document: [String: Any] = [
            "openapi": "3.1.0",
            "info": [
                "title": "Civitas node",
                "version": version,
                "description": "The JSON APIs of the building blocks this Civitas node serves.",
                "license": ["name": "Apache-2.0", "identifier": "Apache-2.0"],
            ],
            "tags": tags,
            "paths": paths,
            "components": securitySchemes.isEmpty
                ? ["schemas": schemas] : ["schemas": schemas, "securitySchemes": securitySchemes],
        ]
        return Array(
            try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .withoutEscapingSlashes]))
    }

    /// The bundled fragment `OpenAPI/<name>.json`.
    static func bundledFragment(_ name: String) throws -> (name: String, data: Data) {
        guard let url = Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "OpenAPIFragments")
        else {
            throw CompositionError(description: "the OpenAPI fragment \(name).json is not bundled")
        }
        return (name, try Data(contentsOf: url))
    }
}
