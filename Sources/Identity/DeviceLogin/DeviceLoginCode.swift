/// The short code of a device login: eight decimal digits in two groups, `4821-7730`.
///
/// It only names the login for the card reader app or the phone; it is no secret that proves anything (the
/// signature does, and the browser binding decides who may finish). Parsed strictly at the door: exactly
/// `DDDD-DDDD` in ASCII digits, or the eight digits without the hyphen.
public struct DeviceLoginCode: Sendable, Hashable, CustomStringConvertible, Codable {
    /// The eight digits without the hyphen.
    public let digits: String

    /// Parses `DDDD-DDDD` or `DDDDDDDD`; nil for anything else.
    public init?(_ text: some StringProtocol) {
        let bytes = Array(text.utf8)
        let digits: [UInt8]
        switch bytes.count {
        case 9 where bytes[4] == UInt8(ascii: "-"): digits = Array(bytes[0..<4] + bytes[5..<9])
        case 8: digits = bytes
        default: return nil
        }
        guard digits.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else { return nil }
        self.digits = String(decoding: digits, as: UTF8.self)
    }

    /// A new random code.
    public static func random() -> DeviceLoginCode {
        var generator = SystemRandomNumberGenerator()
        let value = UInt32.random(in: 0..<100_000_000, using: &generator)
        let text = String(value)
        return DeviceLoginCode(String(repeating: "0", count: 8 - text.count) + text)!
    }

    /// `DDDD-DDDD`.
    public var description: String { "\(digits.prefix(4))-\(digits.suffix(4))" }

    /// Decodes from the `DDDD-DDDD` form.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let code = DeviceLoginCode(text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "a login code is DDDD-DDDD"))
        }
        self = code
    }

    /// Encodes as `DDDD-DDDD`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
