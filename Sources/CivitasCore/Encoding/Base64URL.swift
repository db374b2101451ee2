import Foundation

/// Base64url without padding (RFC 4648 §5; RFC 7515 §2), as JOSE structures, tokens and cookies spell bytes.
///
/// Written out by hand rather than by rewriting Foundation's base64: it sits on the token endpoint's hot path.
public enum Base64URL {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// The value of each base64url character, 0xFF for bytes that are not one.
    static let values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (value, character) in alphabet.enumerated() { table[Int(character)] = UInt8(value) }
        return table
    }()

    /// Whether `byte` is a base64url character.
    public static func isAlphabet(_ byte: UInt8) -> Bool { values[Int(byte)] != 0xFF }

    /// Encodes `bytes`.
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        let bytes = Array(bytes)
        return String(unsafeUninitializedCapacity: (bytes.count * 4 + 2) / 3) { out in
            var written = 0
            func put(_ chunk: UInt32, _ shift: UInt32) {
                out[written] = alphabet[Int(chunk >> shift & 0x3F)]
                written += 1
            }
            var index = 0
            while index + 2 < bytes.count {
                let chunk = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
                put(chunk, 18)
                put(chunk, 12)
                put(chunk, 6)
                put(chunk, 0)
                index += 3
            }
            switch bytes.count - index {
            case 1:
                let chunk = UInt32(bytes[index]) << 16
                put(chunk, 18)
                put(chunk, 12)
            case 2:
                let chunk = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8
                put(chunk, 18)
                put(chunk, 12)
                put(chunk, 6)
            default: break
            }
            return written
        }
    }

    /// Decodes `text`, or `nil` when it is not base64url (padding, the standard alphabet and a length that leaves
    /// a lone character are refused).
    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        let characters = Array(text.utf8)
        guard characters.count % 4 != 1 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(characters.count * 3 / 4)
        var accumulator: UInt32 = 0
        var bits: UInt32 = 0
        for character in characters {
            let value = values[Int(character)]
            guard value != 0xFF else { return nil }
            accumulator = accumulator << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: accumulator >> bits))
                accumulator &= (1 << bits) - 1
            }
        }
        return out
    }
}
