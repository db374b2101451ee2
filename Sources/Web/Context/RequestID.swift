/// Request ids: accepted from `X-Request-Id` when well-formed, otherwise generated.
public enum RequestID {
    /// Longest accepted client-supplied id.
    public static let maximumLength = 128

    /// Whether `candidate` may be used as given: 1 to 128 characters from `A-Z a-z 0-9 - _ . : /`.
    ///
    /// Anything else (spaces, quotes, control characters) is replaced rather than echoed, so that a request id can
    /// never inject text into logs or headers.
    public static func isAcceptable(_ candidate: some StringProtocol) -> Bool {
        guard !candidate.isEmpty, candidate.utf8.count <= maximumLength else { return false }
        return candidate.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                UInt8(ascii: ":"), UInt8(ascii: "/"):
                true
            default: false
            }
        }
    }

    /// A new random id: 16 random bytes as 32 lowercase hex digits.
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let digits = Array("0123456789abcdef".utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        for _ in 0..<2 {
            var value = generator.next() as UInt64
            for _ in 0..<16 {
                bytes.append(digits[Int(value & 0xF)])
                value >>= 4
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
