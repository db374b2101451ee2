import Foundation
import HTTPTypes

/// The head of a REST message as an exchange node seals it: the request line (method and target) or the status,
/// and the header fields the exchange carries end to end, in one canonical text form.
///
/// ```
/// request:  "POST /r1/CVT/GOV/70000001/population/person/38001085718?full=1\r\n"
/// response: "200\r\n"
/// then, for each field in the order given: "x-road-client: CVT/GOV/70000002/portal\r\n"
/// ```
///
/// Names are lowercase; values are the fields' values with no CR, LF or NUL (HTTP allows none). The receiving node
/// takes the method, target and fields from the head it verified, never from the transport's own, so that what it
/// acts on is what was sealed.
public struct RESTMessageHead: Sendable, Hashable {
    /// The first line.
    public enum Line: Sendable, Hashable {
        /// A request's method (uppercase) and target (path and query).
        case request(method: String, target: String)
        /// A response's status code.
        case response(status: Int)
    }

    /// The request line or the status.
    public var line: Line
    /// The carried fields: lowercase names, in order.
    public var fields: [(name: String, value: String)]

    /// The fields a request carries from the member's system to the provider's backend.
    public static let requestFields: Set<String> = [
        "x-road-client", "x-road-id", "x-road-userid", "x-road-issue", "x-road-represented-party", "content-type",
        "accept", "accept-language",
    ]

    /// The fields a response carries from the provider's backend back to the member's system.
    public static let responseFields: Set<String> = [
        "content-type", "content-language", "content-disposition", "x-road-id", "x-road-client", "x-road-userid",
        "x-road-issue", "x-civitas-data-subject",
    ]

    /// The fields of `fields` that `carried` names, in their order, after the query id, which every sealed head
    /// carries first (any `X-Road-Id` among `fields` is left out: `queryID` is the one that counts).
    static func carrying(
        _ carried: Set<String>, of fields: HTTPFields, queryID: String
    ) -> [(name: String, value: String)] {
        var kept: [(name: String, value: String)] = [("x-road-id", queryID)]
        for field in fields where carried.contains(field.name.canonicalName) && field.name.canonicalName != "x-road-id"
        {
            kept.append((field.name.canonicalName, field.value))
        }
        return kept
    }

    /// The longest head accepted, in bytes.
    public static let maximumLength = 16 * 1024

    /// Creates a head; names are lowercased and fields with a CR, LF or NUL in their value are refused.
    public init(line: Line, fields: [(name: String, value: String)]) throws(ExchangeError) {
        switch line {
        case .request(let method, let target):
            guard !method.isEmpty, method.utf8.allSatisfy({ (0x41...0x5A).contains($0) }) else {
                throw ExchangeError(.invalidMessage, "a request method is uppercase letters")
            }
            guard target.hasPrefix("/"), !target.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F }) else {
                throw ExchangeError(.invalidMessage, "a request target is a path with no spaces or control characters")
            }
        case .response(let status):
            guard (100...599).contains(status) else {
                throw ExchangeError(.invalidMessage, "a response status is between 100 and 599")
            }
        }
        var normalised: [(name: String, value: String)] = []
        for field in fields {
            let name = field.name.lowercased()
            guard !name.isEmpty, name.utf8.allSatisfy({ Self.isTokenByte($0) }) else {
                throw ExchangeError(.invalidMessage, "a header name is a token")
            }
            guard !field.value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0 }) else {
                throw ExchangeError(.invalidMessage, "the value of \(name) contains a line break")
            }
            normalised.append((name, field.value))
        }
        self.line = line
        self.fields = normalised
    }

    /// The value of the first field named `name` (any case).
    public subscript(_ name: String) -> String? {
        let lowered = name.lowercased()
        return fields.first { $0.name == lowered }?.value
    }

    /// The canonical bytes: what the manifest's first part digests.
    public var bytes: [UInt8] {
        var text: String
        switch line {
        case .request(let method, let target): text = "\(method) \(target)\r\n"
        case .response(let status): text = "\(status)\r\n"
        }
        for field in fields { text += "\(field.name): \(field.value)\r\n" }
        return Array(text.utf8)
    }

    /// Parses canonical bytes, refusing anything ``bytes`` would not have produced.
    public init(bytes: [UInt8], kind: MessageManifest.Kind) throws(ExchangeError) {
        guard bytes.count <= Self.maximumLength else {
            throw ExchangeError(.invalidMessage, "a message head is at most \(Self.maximumLength) bytes")
        }
        guard String(validating: bytes, as: UTF8.self) != nil, bytes.count >= 2, bytes.suffix(2) == [0x0D, 0x0A] else {
            throw ExchangeError(.invalidMessage, "a message head is UTF-8 lines each ending in CRLF")
        }
        // Split on the bytes: in a Swift String "\r\n" is one character.
        var lines: [String] = []
        var start = 0
        for index in 0..<(bytes.count - 1) where bytes[index] == 0x0D && bytes[index + 1] == 0x0A {
            lines.append(String(decoding: bytes[start..<index], as: UTF8.self))
            start = index + 2
        }
        let first = lines.removeFirst()
        let line: Line
        switch kind {
        case .request:
            let parts = first.split(separator: " ", omittingEmptySubsequences: false)
            guard parts.count == 2 else { throw ExchangeError(.invalidMessage, "a request line is METHOD TARGET") }
            line = .request(method: String(parts[0]), target: String(parts[1]))
        case .response:
            guard let status = Int(first), String(status) == first else {
                throw ExchangeError(.invalidMessage, "a response head starts with its status code")
            }
            line = .response(status: status)
        }
        var fields: [(name: String, value: String)] = []
        for entry in lines {
            guard let colon = entry.range(of: ": ") else {
                throw ExchangeError(.invalidMessage, "a header line is NAME: VALUE")
            }
            fields.append((String(entry[..<colon.lowerBound]), String(entry[colon.upperBound...])))
        }
        try self.init(line: line, fields: fields)
        guard self.bytes == bytes else {
            throw ExchangeError(.invalidMessage, "the message head is not in its canonical form")
        }
    }

    /// Heads are equal when their canonical bytes are.
    public static func == (lhs: RESTMessageHead, rhs: RESTMessageHead) -> Bool { lhs.bytes == rhs.bytes }

    /// Hashes the canonical bytes.
    public func hash(into hasher: inout Hasher) { hasher.combine(bytes) }

    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        case UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "!"), UInt8(ascii: "#"),
            UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "*"),
            UInt8(ascii: "+"), UInt8(ascii: "^"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            true
        default: false
        }
    }
}
