/// The character rules every part of an X-Road identifier obeys (instance, member class, member code, subsystem
/// code, service code, service version, server code).
///
/// X-Road Message Protocol for REST §4.8: "Only the following characters MUST be used in the identifier values:
/// letters `A...Z` and `a...z`, numbers `0...9`, symbols `'()+,-.=?`". So `/`, `\`, `;`, `%`, spaces, control
/// characters and anything beyond ASCII are refused, which also keeps every part safe in a path, a header and a
/// log line. A part is 1 to ``maximumLength`` characters.
public enum XRoadIdentifierPart {
    /// The longest part accepted (X-Road's central server keeps identifiers in 255-character columns).
    public static let maximumLength = 255

    /// The symbols allowed besides ASCII letters and digits.
    public static let symbols: Set<UInt8> = Set("'()+,-.=?".utf8)

    /// Whether `byte` may appear in a part.
    public static func isAllowed(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || symbols.contains(byte)
    }

    /// Checks one part, naming it `what` ("the member code") in the error.
    ///
    /// - Throws: ``IdentifierError`` `.empty`, `.wrongLength` past ``maximumLength``, or `.malformed` naming the
    ///   first character outside the allowed set (as a code point, never the input itself).
    public static func validate(_ value: String, _ what: String) throws(IdentifierError) {
        guard !value.isEmpty else { throw IdentifierError.empty(what) }
        var position = 0
        for scalar in value.unicodeScalars {
            position += 1
            guard scalar.isASCII, isAllowed(UInt8(scalar.value)) else {
                throw IdentifierError(
                    code: .malformed,
                    message: "\(what) may contain only A-Z, a-z, 0-9 and '()+,-.=?, but character \(position) is "
                        + IdentifierError.codePoint(scalar))
            }
        }
        guard position <= maximumLength else {
            throw IdentifierError(
                code: .wrongLength, message: "\(what) must have at most \(maximumLength) characters, not \(position)")
        }
    }

    /// `value` percent-encoded for one path segment: only `?` needs it (the other allowed symbols are RFC 3986
    /// sub-delimiters, legal in a segment).
    static func pathSegment(_ value: String) -> String {
        value.split(separator: "?", omittingEmptySubsequences: false).joined(separator: "%3F")
    }

    /// One path segment percent-decoded (RFC 3986 §2.1); `nil` for a malformed escape.
    static func decodeSegment(_ segment: Substring) -> String? {
        var bytes: [UInt8] = []
        var iterator = segment.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                return nil
            }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
