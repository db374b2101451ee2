/// A CRL's sequence number (RFC 5280 §5.2.3), which the CA increases with every CRL it issues.
///
/// ```
/// id-ce-cRLNumber OBJECT IDENTIFIER ::= { id-ce 20 }
/// CRLNumber ::= INTEGER (0..MAX)
/// ```
/// CRL numbers may be up to 20 octets long, so the value is kept as its big-endian magnitude.
public struct CRLNumber: Sendable, Hashable, Comparable, CustomStringConvertible, ExpressibleByIntegerLiteral {
    /// The longest magnitude RFC 5280 allows, in octets.
    public static let maximumLength = 20

    /// The big-endian magnitude without leading zero octets (empty for zero).
    public let magnitude: [UInt8]

    /// The number `value`.
    public init(_ value: UInt64) {
        var bytes: [UInt8] = []
        var remaining = value
        while remaining > 0 {
            bytes.insert(UInt8(truncatingIfNeeded: remaining), at: 0)
            remaining >>= 8
        }
        magnitude = bytes
    }

    /// The number with this big-endian magnitude; nil when longer than 20 octets once leading zeros are dropped.
    public init?(magnitude bytes: some Collection<UInt8>) {
        let trimmed = Array(bytes.drop { $0 == 0 })
        guard trimmed.count <= Self.maximumLength else { return nil }
        magnitude = trimmed
    }

    /// The number `value`.
    public init(integerLiteral value: UInt64) {
        self.init(value)
    }

    /// The value, if it fits in 64 bits.
    public var value: UInt64? {
        guard magnitude.count <= 8 else { return nil }
        return magnitude.reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// The next number.
    public var successor: CRLNumber {
        var bytes = magnitude
        var index = bytes.count - 1
        while index >= 0, bytes[index] == 0xFF {
            bytes[index] = 0
            index -= 1
        }
        if index >= 0 { bytes[index] += 1 } else { bytes.insert(1, at: 0) }
        return CRLNumber(checkedMagnitude: bytes)
    }

    /// The INTEGER contents: the magnitude, with a zero octet in front when its top bit is set.
    var integerContents: [UInt8] {
        guard let first = magnitude.first else { return [0] }
        return first & 0x80 != 0 ? [0] + magnitude : magnitude
    }

    private init(checkedMagnitude: [UInt8]) {
        magnitude = checkedMagnitude
    }

    /// Numeric order.
    public static func < (lhs: CRLNumber, rhs: CRLNumber) -> Bool {
        if lhs.magnitude.count != rhs.magnitude.count { return lhs.magnitude.count < rhs.magnitude.count }
        return lhs.magnitude.lexicographicallyPrecedes(rhs.magnitude)
    }

    /// Decimal when it fits in 64 bits, else `0x` and hexadecimal.
    public var description: String {
        if let value { return String(value) }
        let digits: [Character] = Array("0123456789abcdef")
        return "0x" + String(magnitude.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0F)]] })
    }
}
