import Foundation

/// Writes the JSON of token claims and headers: objects with keys in UTF-8 byte order, `/` not escaped, no
/// whitespace. JSONSerialization's sorted keys cost most of a token's signing time (it sorts `AnyHashable`s by
/// dynamic casts); this writes the few types claims hold directly.
enum JSONClaimsWriter {
    /// The JSON of `value`, or nil when it holds a type other than String, Int, Bool, arrays and `[String: Any]`
    /// of those (the caller then falls back to JSONSerialization).
    static func encode(_ value: Any) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(512)
        return write(value, to: &out) ? out : nil
    }

    private static func write(_ value: Any, to out: inout [UInt8]) -> Bool {
        switch value {
        case let text as String:
            writeString(text, to: &out)
        case let flag as Bool where type(of: value) == Bool.self:
            out.append(contentsOf: flag ? Array("true".utf8) : Array("false".utf8))
        case let number as Int where type(of: value) == Int.self:
            out.append(contentsOf: String(number).utf8)
        case let number as Int64 where type(of: value) == Int64.self:
            out.append(contentsOf: String(number).utf8)
        case let object as [String: Any]:
            out.append(UInt8(ascii: "{"))
            var first = true
            for key in object.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                writeString(key, to: &out)
                out.append(UInt8(ascii: ":"))
                guard let element = object[key], write(element, to: &out) else { return false }
            }
            out.append(UInt8(ascii: "}"))
        case let array as [Any]:
            out.append(UInt8(ascii: "["))
            for (index, element) in array.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                guard write(element, to: &out) else { return false }
            }
            out.append(UInt8(ascii: "]"))
        default:
            return false
        }
        return true
    }

    private static let hex = Array("0123456789abcdef".utf8)

    private static func writeString(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x00..<0x20:
                out.append(contentsOf: Array("\\u00".utf8))
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0F)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
