import Foundation

/// The fields of a `multipart/form-data` body (RFC 7578), as far as a file upload form needs them: each part's
/// name and bytes. Parts without a name, and anything after the closing boundary, are ignored.
struct MultipartForm: Sendable {
    /// The parts by field name, in order.
    let parts: [(name: String, bytes: [UInt8])]

    /// The first part called `name`.
    subscript(name: String) -> [UInt8]? { parts.first { $0.name == name }?.bytes }

    /// Parses `body` with the boundary of `contentType`; `nil` when it is not a well-formed multipart body.
    init?(contentType: String, body: [UInt8]) {
        guard let boundaryRange = contentType.range(of: "boundary=") else { return nil }
        var boundary = String(contentType[boundaryRange.upperBound...])
        if let semicolon = boundary.firstIndex(of: ";") { boundary = String(boundary[..<semicolon]) }
        boundary = boundary.trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
        guard (1...70).contains(boundary.utf8.count) else { return nil }
        let delimiter = Array("--\(boundary)".utf8)
        let headerEnd = Array("\r\n\r\n".utf8)
        var parts: [(name: String, bytes: [UInt8])] = []
        guard var position = Self.find(delimiter, in: body, from: 0) else { return nil }
        while true {
            position += delimiter.count
            guard position + 2 <= body.count else { return nil }
            if body[position] == 0x2D, body[position + 1] == 0x2D { break }
            guard body[position] == 0x0D, body[position + 1] == 0x0A else { return nil }
            position += 2
            guard let headersEnd = Self.find(headerEnd, in: body, from: position),
                let next = Self.find(Array("\r\n".utf8) + delimiter, in: body, from: headersEnd + 4)
            else { return nil }
            let headers = String(decoding: body[position..<headersEnd], as: UTF8.self)
            if let name = Self.name(in: headers) {
                parts.append((name, Array(body[(headersEnd + 4)..<next])))
            }
            position = next + 2
        }
        self.parts = parts
    }

    /// The `name` parameter of the part's Content-Disposition.
    static func name(in headers: String) -> String? {
        for line in headers.components(separatedBy: "\r\n") where line.lowercased().hasPrefix("content-disposition:") {
            return line.firstMatch(of: /[;\s]name="([^"]*)"/).map { String($0.1) }
        }
        return nil
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count, start <= haystack.count - needle.count else {
            return nil
        }
        var index = start
        while index <= haystack.count - needle.count {
            if haystack[index] == needle[0], Array(haystack[index..<(index + needle.count)]) == needle { return index }
            index += 1
        }
        return nil
    }
}
