/// Why a time-stamp request was rejected (RFC 3161 2.4.2, from RFC 4210's PKIFailureInfo).
///
/// ```asn1
/// PKIFailureInfo ::= BIT STRING {
///     badAlg               (0),  -- unrecognized or unsupported Algorithm Identifier
///     badRequest           (2),  -- transaction not permitted or supported
///     badDataFormat        (5),  -- the data submitted has the wrong format
///     timeNotAvailable    (14),  -- the TSA's time source is not available
///     unacceptedPolicy    (15),  -- the requested TSA policy is not supported by the TSA
///     unacceptedExtension (16),  -- the requested extension is not supported by the TSA
///     addInfoNotAvailable (17),  -- the additional information requested could not be understood
///     systemFailure       (25) } -- the request cannot be handled due to system failure
/// ```
///
/// Bit `n` of the BIT STRING is `1 << n` of ``rawValue``.
public struct TimeStampFailureInfo: OptionSet, Sendable, Hashable {
    /// The named bits, bit `n` as `1 << n`.
    public let rawValue: UInt32

    /// Creates a set of failure bits.
    public init(rawValue: UInt32) {
        self.rawValue = rawValue
    }

    /// Unrecognized or unsupported algorithm identifier.
    public static let badAlg = Self(rawValue: 1 << 0)
    /// Transaction not permitted or supported.
    public static let badRequest = Self(rawValue: 1 << 2)
    /// The data submitted has the wrong format.
    public static let badDataFormat = Self(rawValue: 1 << 5)
    /// The TSA's time source is not available.
    public static let timeNotAvailable = Self(rawValue: 1 << 14)
    /// The requested TSA policy is not supported by the TSA.
    public static let unacceptedPolicy = Self(rawValue: 1 << 15)
    /// The requested extension is not supported by the TSA.
    public static let unacceptedExtension = Self(rawValue: 1 << 16)
    /// The additional information requested could not be understood or is not available.
    public static let addInfoNotAvailable = Self(rawValue: 1 << 17)
    /// The request cannot be handled due to system failure.
    public static let systemFailure = Self(rawValue: 1 << 25)

    /// The DER BIT STRING, with trailing zero bits left out as DER requires for a named bit list
    /// (X.690 11.2.2); `nil` when no bit is set.
    var derEncoded: [UInt8]? {
        guard rawValue != 0 else { return nil }
        let highest = 31 - rawValue.leadingZeroBitCount
        var bytes = [UInt8](repeating: 0, count: highest / 8 + 1)
        for bit in 0...highest where rawValue & (1 << UInt32(bit)) != 0 {
            bytes[bit / 8] |= 0x80 >> UInt8(bit % 8)
        }
        let unusedBits = UInt8(7 - highest % 8)
        return DERWriter.tlv(DERWriter.Tag.bitString, parts: [[unusedBits], bytes])
    }

    /// The bits of a decoded BIT STRING (bits past 31 are ignored: none is named).
    init(bitString bytes: ArraySlice<UInt8>) {
        var value: UInt32 = 0
        for (index, byte) in bytes.prefix(4).enumerated() {
            for bit in 0..<8 where byte & (0x80 >> UInt8(bit)) != 0 {
                value |= 1 << UInt32(index * 8 + bit)
            }
        }
        self.init(rawValue: value)
    }
}
