import Foundation

/// Reads the endpoints (operations) of an OpenAPI description, for `listMethods` and `allowedMethods`.
///
/// A description is JSON when its first character (after white space and a byte order mark) is `{`, and YAML
/// otherwise. JSON is read whole with Foundation's parser. YAML is read by a small reader of its own
/// (``OpenAPIYAMLPaths``) that understands the block style OpenAPI editors and generators write, and refuses, with
/// an error naming the line, what it does not understand (flow-style `paths`, aliases and merge keys in them, path
/// item `$ref`s) rather than guessing; see decision 0024 for why there is no YAML library. Either way the document
/// must have a top-level `openapi` (or Swagger 2's `swagger`) field, and only its `paths` are read: every
/// `get`, `put`, `post`, `delete`, `options`, `head`, `patch` and `trace` operation of every path becomes a
/// ``ServiceEndpoint`` whose path template parameters are `*`.
public enum OpenAPIEndpoints {
    /// The two forms a description can take.
    public enum Format: Hashable, Sendable {
        /// JSON (`application/json`).
        case json
        /// YAML (`text/yaml`, as the GovStack and X-Road metadata APIs name it).
        case yaml
    }

    /// JSON or YAML, by the first significant character.
    public static func format(of text: String) -> Format {
        let first = text.unicodeScalars.first { !$0.properties.isWhitespace && $0 != "\u{FEFF}" }
        return first == "{" ? .json : .yaml
    }

    /// The endpoints of the description `text`, sorted, without repeats.
    ///
    /// - Throws: ``ExchangeError`` `.invalidServiceDescription` when the text is not an OpenAPI description this
    ///   reader understands; the message says what and, for YAML, on which line.
    public static func read(_ text: String) throws(ExchangeError) -> [ServiceEndpoint] {
        let endpoints: [ServiceEndpoint]
        switch format(of: text) {
        case .json: endpoints = try readJSON(text)
        case .yaml: endpoints = try OpenAPIYAMLPaths.read(text)
        }
        return Array(Set(endpoints)).sorted()
    }

    /// The OpenAPI path item fields that are operations, as written (lower case).
    static let operationFields: Set<String> = Set(ServiceEndpoint.methodOrder.map { $0.lowercased() })

    /// `/persons/{id}/acts` as the pattern `/persons/*/acts`: a segment holding a template parameter stands for any
    /// value of that segment.
    static func pattern(ofTemplate path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false)
            .map { $0.contains("{") ? "*" : String($0) }
            .joined(separator: "/")
    }

    static func refused(_ reason: String) -> ExchangeError {
        ExchangeError(.invalidServiceDescription, "the OpenAPI description cannot be read: \(reason)")
    }

    private static func readJSON(_ text: String) throws(ExchangeError) -> [ServiceEndpoint] {
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: Data(text.utf8))
        } catch {
            throw refused("it starts with { but is not JSON (YAML flow style is not read)")
        }
        guard let document = parsed as? [String: Any] else { throw refused("it is not a JSON object") }
        guard document["openapi"] is String || document["swagger"] is String else {
            throw refused("it has no top-level openapi (or swagger) version field")
        }
        guard let rawPaths = document["paths"] else { return [] }
        guard let paths = rawPaths as? [String: Any] else { throw refused("paths is not an object") }
        var endpoints: [ServiceEndpoint] = []
        for (path, rawItem) in paths where !path.hasPrefix("x-") {
            guard path.hasPrefix("/") else { throw refused("the path \(quoted(path)) does not start with /") }
            guard let item = rawItem as? [String: Any] else {
                throw refused("the path item of \(quoted(path)) is not an object")
            }
            guard item["$ref"] == nil else {
                throw refused("the path item of \(quoted(path)) is a $ref, and references are not followed")
            }
            for field in item.keys where operationFields.contains(field) {
                endpoints.append(ServiceEndpoint(method: field, path: pattern(ofTemplate: path)))
            }
        }
        return endpoints
    }

    /// A path for a message, cut short: it comes from the operator's own description, but need not be short.
    static func quoted(_ path: String) -> String {
        path.count <= 80 ? "\"\(path)\"" : "\"\(path.prefix(77))...\""
    }
}
