/// Reads the operations under `paths` of an OpenAPI description written in block-style YAML, without a YAML
/// library.
///
/// Only three levels of the document are looked at: the top-level keys (to find `openapi` or `swagger`, and
/// `paths`), the keys directly under `paths` (the path templates) and the keys directly under each path (the
/// operations). Everything deeper (parameters, schemas, block scalars, flow collections) is skipped by its
/// indentation alone, which YAML guarantees is greater than its parent key's. Keys may be plain, single-quoted or
/// double-quoted; comments, a leading `%YAML` directive and `---` are understood; the first document is read.
///
/// What these three levels could hold and this reader cannot follow is refused with the line number: a tab in
/// the indentation, explicit `?` keys, flow-style `paths` or path items other than `{}`, aliases (`*name`) and
/// merge keys (`<<`) where the operations would be, and path item `$ref`s. An alias or flow value *under* an
/// operation field is fine, since only the field's presence matters.
enum OpenAPIYAMLPaths {
    private struct Line {
        let number: Int
        let indent: Int
        let content: Substring
    }

    static func read(_ text: String) throws(ExchangeError) -> [ServiceEndpoint] {
        var sawVersion = false
        var sawContent = false
        var inPaths = false
        var pathIndent: Int?
        var currentPath: String?
        var operationIndent: Int?
        var endpoints: [ServiceEndpoint] = []

        for line in significantLines(text) {
            if line.indent == 0 {
                let content = line.content
                if content.hasPrefix("%") && !sawContent { continue }
                if content == "---" || content.hasPrefix("--- ") {
                    if sawContent { break }
                    sawContent = true
                    guard content.dropFirst(3).allSatisfy({ $0 == " " }) else {
                        throw refused(line, "content on the --- line is not read")
                    }
                    continue
                }
                if content == "..." { break }
                sawContent = true
                guard content != "-" && !content.hasPrefix("- ") else {
                    throw refused(line, "the document is not a mapping")
                }
                let (key, value) = try split(line)
                if key == "openapi" || key == "swagger" { sawVersion = true }
                inPaths = key == "paths"
                if inPaths {
                    let value = try withoutAnchorAndTag(value, line)
                    guard value.isEmpty || value == "{}" else {
                        throw refused(line, "paths must be a block mapping (flow style and aliases are not read)")
                    }
                }
                continue
            }
            guard inPaths else { continue }
            guard let pathLevel = pathIndent, line.indent > pathLevel else {
                if let pathLevel = pathIndent, line.indent < pathLevel {
                    throw refused(line, "the indentation under paths is inconsistent")
                }
                pathIndent = line.indent
                try checkNoTab(line)
                guard line.content != "-" && !line.content.hasPrefix("- ") else {
                    throw refused(line, "paths is not a mapping")
                }
                let (key, value) = try split(line)
                operationIndent = nil
                currentPath = nil
                if key.hasPrefix("x-") { continue }
                guard key.hasPrefix("/") else {
                    throw refused(line, "the path \(OpenAPIEndpoints.quoted(key)) does not start with /")
                }
                let item = try withoutAnchorAndTag(value, line)
                guard item.isEmpty || item == "{}" else {
                    throw refused(
                        line,
                        "the path item of \(OpenAPIEndpoints.quoted(key)) must be a block mapping "
                            + "(flow style and aliases are not read)")
                }
                currentPath = OpenAPIEndpoints.pattern(ofTemplate: key)
                continue
            }
            guard let path = currentPath else { continue }
            if let level = operationIndent {
                if line.indent < level { throw refused(line, "the indentation of a path item is inconsistent") }
                if line.indent > level { continue }
            } else {
                operationIndent = line.indent
            }
            // A sequence written at its key's own indentation (`parameters:` then `- name: id`).
            if line.content == "-" || line.content.hasPrefix("- ") { continue }
            try checkNoTab(line)
            let (key, _) = try split(line)
            if key == "$ref" { throw refused(line, "a path item $ref is not followed") }
            if key == "<<" { throw refused(line, "merge keys (<<) in a path item are not read") }
            if OpenAPIEndpoints.operationFields.contains(key) {
                endpoints.append(ServiceEndpoint(method: key, path: path))
            }
        }
        guard sawVersion else {
            throw OpenAPIEndpoints.refused("it has no top-level openapi (or swagger) version field")
        }
        return endpoints
    }

    /// Lines that are neither blank nor only a comment, with their indentation (spaces) and the rest.
    private static func significantLines(_ text: String) -> [Line] {
        var lines: [Line] = []
        var number = 0
        for raw in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            number += 1
            var rest = raw[...]
            if number == 1, rest.first == "\u{FEFF}" { rest = rest.dropFirst() }
            let indent = rest.prefix { $0 == " " }.count
            rest = rest.dropFirst(indent)
            while let last = rest.last, last == " " || last == "\t" || last == "\r" { rest = rest.dropLast() }
            if rest.isEmpty || rest.first == "#" { continue }
            lines.append(Line(number: number, indent: indent, content: rest))
        }
        return lines
    }

    private static func checkNoTab(_ line: Line) throws(ExchangeError) {
        if line.content.first == "\t" { throw refused(line, "a tab in the indentation is not YAML") }
    }

    /// The key of a `key: value` line and the value's text (without a trailing comment).
    private static func split(_ line: Line) throws(ExchangeError) -> (key: String, value: Substring) {
        let content = line.content
        if content == "?" || content.hasPrefix("? ") { throw refused(line, "explicit ? keys are not read") }
        let key: String
        var rest: Substring
        switch content.first {
        case "\"":
            let quoted = try doubleQuoted(content.dropFirst(), line)
            key = quoted.key
            rest = quoted.rest.drop { $0 == " " }
        case "'":
            let quoted = try singleQuoted(content.dropFirst(), line)
            key = quoted.key
            rest = quoted.rest.drop { $0 == " " }
        default:
            guard let colon = plainKeyEnd(content) else { throw refused(line, "a key: value line was expected") }
            let plain = content[..<colon]
            if let first = plain.first, "&*!|>[]{}@`%,".contains(first) {
                throw refused(line, "a key starting with \(first) is not read")
            }
            key = String(plain.reversed().drop { $0 == " " }.reversed())
            rest = content[colon...]
        }
        guard rest.first == ":" else { throw refused(line, "a : was expected after the key") }
        rest = rest.dropFirst()
        guard rest.isEmpty || rest.first == " " else { throw refused(line, "a space was expected after the :") }
        var value = rest.drop { $0 == " " }
        if value.first == "#" {
            value = value.prefix(0)
        } else if let comment = value.firstRange(of: " #") {
            value = value[..<comment.lowerBound]
        }
        return (key, value)
    }

    /// Where a plain key ends: the first `:` followed by a space or the end of the line.
    private static func plainKeyEnd(_ content: Substring) -> Substring.Index? {
        var index = content.startIndex
        while index < content.endIndex {
            if content[index] == ":" {
                let next = content.index(after: index)
                if next == content.endIndex || content[next] == " " { return index }
            }
            if content[index] == "#", index > content.startIndex, content[content.index(before: index)] == " " {
                return nil
            }
            index = content.index(after: index)
        }
        return nil
    }

    private static func singleQuoted(
        _ text: Substring, _ line: Line
    ) throws(ExchangeError) -> (key: String, rest: Substring) {
        var key = ""
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            index = text.index(after: index)
            guard character == "'" else {
                key.append(character)
                continue
            }
            if index < text.endIndex, text[index] == "'" {
                key.append("'")
                index = text.index(after: index)
                continue
            }
            return (key, text[index...])
        }
        throw refused(line, "a single-quoted key does not end on its line")
    }

    private static func doubleQuoted(
        _ text: Substring, _ line: Line
    ) throws(ExchangeError) -> (key: String, rest: Substring) {
        var key = ""
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            index = text.index(after: index)
            switch character {
            case "\"":
                return (key, text[index...])
            case "\\":
                guard index < text.endIndex else { break }
                let escaped = text[index]
                index = text.index(after: index)
                switch escaped {
                case "\\", "\"", "/": key.append(escaped)
                case "u":
                    let hex = text[index...].prefix(4)
                    guard hex.count == 4, hex.allSatisfy(\.isHexDigit), let value = UInt32(hex, radix: 16),
                        let scalar = Unicode.Scalar(value)
                    else {
                        throw refused(line, "a \\u escape in a key needs four hexadecimal digits")
                    }
                    key.unicodeScalars.append(scalar)
                    index = text.index(index, offsetBy: 4)
                default:
                    throw refused(line, "the escape \\\(escaped) in a double-quoted key is not read")
                }
            default:
                key.append(character)
            }
        }
        throw refused(line, "a double-quoted key does not end on its line")
    }

    /// The value with leading `&anchor` and `!tag` properties removed; an alias is refused, since what it stands
    /// for is elsewhere.
    private static func withoutAnchorAndTag(_ value: Substring, _ line: Line) throws(ExchangeError) -> Substring {
        var value = value
        while let first = value.first, first == "&" || first == "!" {
            value = value.drop { $0 != " " }.drop { $0 == " " }
        }
        if value.first == "*" { throw refused(line, "an alias (*name) is not followed") }
        return value
    }

    private static func refused(_ line: Line, _ reason: String) -> ExchangeError {
        OpenAPIEndpoints.refused("line \(line.number): \(reason)")
    }
}
