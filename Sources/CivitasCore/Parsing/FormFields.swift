/// The fields of an `application/x-www-form-urlencoded` body (WHATWG URL Standard, section 5.1).
///
/// A field that appears more than once keeps its first value; malformed percent-escapes are kept literally, as
/// browsers never send them and a forged body gains nothing from them.
public struct FormFields: Sendable {
    private var values: [String: [String]] = [:]

    /// Parses `body`.
    public init(_ body: String) {
        for pair in body.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.decode(parts[0])
            let value = parts.count > 1 ? Self.decode(parts[1]) : ""
            values[name, default: []].append(value)
        }
    }

    /// The first value of field `name`.
    public subscript(name: String) -> String? { values[name]?.first }

    /// Every value of field `name`, in order (checkbox groups).
    public func all(_ name: String) -> [String] { values[name] ?? [] }

    /// The first value of every field.
    public var dictionary: [String: String] { values.compactMapValues(\.first) }

    /// The fields given more than once (OAuth refuses repeated parameters, RFC 6749 §3.1).
    public var repeatedNames: [String] { values.filter { $0.value.count > 1 }.keys.sorted() }

    static func decode(_ component: Substring) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(component.utf8.count)
        var iterator = Array(component.utf8).makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"):
                bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                let high = iterator.next()
                let low = iterator.next()
                if let high, let low, let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16) {
                    bytes.append(value)
                } else {
                    bytes.append(byte)
                    if let high { bytes.append(high) }
                    if let low { bytes.append(low) }
                }
            default:
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
