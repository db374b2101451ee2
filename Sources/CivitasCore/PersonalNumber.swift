/// The personal number of the demo country: eleven decimal digits, of which the first ten are a serial
/// number and the eleventh is a check digit computed with the Damm algorithm.
///
/// The serial carries no meaning (no birth date, no sex, no place), so a personal number never has to
/// change when facts about its holder do. Leading zeros are part of the number: `00000000000` is valid.
///
/// The Damm algorithm (H. Michael Damm, 2004) uses a totally anti-symmetric quasigroup of order 10; a
/// single check digit detects every single-digit substitution and every transposition of two adjacent
/// digits, which are the typing errors a clerk or a citizen actually makes.
///
/// A personal number is parsed at the door with ``init(_:)``; inside the system it is only ever this type.
/// It encodes to JSON (and other `Codable` formats) as its eleven-digit string. Its ``description`` is the
/// full number: do not put it into logs that an auditor does not need.
public struct PersonalNumber: Hashable, Sendable {
    /// The eleven digits read as one decimal number: `serial * 10 + checkDigit`.
    let value: UInt64

    /// The number of digits in a personal number.
    static let length = 11

    /// The number of distinct serials, 10^10.
    static let serialLimit: UInt64 = 10_000_000_000

    private static let what = "personal number"

    /// Parses and validates a personal number written as exactly eleven ASCII digits.
    ///
    /// Nothing is trimmed or normalised: spaces, signs, separators and non-ASCII digits (Arabic-Indic,
    /// full-width, ...) are rejected, so that a number that passes here is byte-for-byte what is stored.
    ///
    /// - Throws: ``IdentifierError`` with code ``IdentifierError/Code/empty``,
    ///   ``IdentifierError/Code/notDigits``, ``IdentifierError/Code/wrongLength`` or
    ///   ``IdentifierError/Code/badCheckDigit``.
    public init(_ string: String) throws(IdentifierError) {
        var value: UInt64 = 0
        var count = 0
        for scalar in string.unicodeScalars {
            count += 1
            guard scalar.value >= 0x30, scalar.value <= 0x39 else {
                throw .notDigits(Self.what, position: count, scalar: scalar)
            }
            // Digits past the eleventh are only counted, so a long input cannot overflow `value`.
            if count <= Self.length {
                value = value * 10 + UInt64(scalar.value - 0x30)
            }
        }
        guard count > 0 else {
            throw .empty(Self.what)
        }
        guard count == Self.length else {
            throw .wrongLength(Self.what, expected: Self.length, actual: count)
        }
        guard Self.dammInterim(value) == 0 else {
            throw .badCheckDigit(Self.what)
        }
        self.value = value
    }

    /// Makes the personal number with the given serial, appending its check digit.
    ///
    /// - Precondition: `serial` is less than 10^10 (at most ten digits).
    public init(serial: UInt64) {
        precondition(serial < Self.serialLimit, "a personal number's serial has at most ten digits")
        self.value = serial * 10 + UInt64(Self.checkDigit(for: serial))
    }

    /// The Damm check digit (0–9) of the decimal digits of `number`.
    ///
    /// Leading zeros do not change a Damm check digit, so the check digit of the serial `0000000572` is
    /// that of `572`, which is 4. The function accepts any number of digits, so it also serves other
    /// identifiers that use the same rule.
    public static func checkDigit(for number: UInt64) -> Int {
        Int(dammInterim(number))
    }

    /// The first ten digits.
    public var serial: UInt64 {
        value / 10
    }

    /// The eleventh digit.
    public var checkDigit: Int {
        Int(value % 10)
    }

    /// The eleven digits, with leading zeros.
    public var rawValue: String {
        String(unsafeUninitializedCapacity: Self.length) { buffer in
            var rest = value
            for index in stride(from: Self.length - 1, through: 0, by: -1) {
                buffer[index] = UInt8(truncatingIfNeeded: rest % 10) + 0x30
                rest /= 10
            }
            return Self.length
        }
    }

    /// Runs the Damm quasigroup over the decimal digits of `number`, most significant first.
    ///
    /// The result is the check digit of `number`; a number that ends in its own check digit gives 0.
    static func dammInterim(_ number: UInt64) -> UInt8 {
        var divisor: UInt64 = 1
        while number / divisor >= 10 {
            divisor *= 10
        }
        var interim = 0
        while divisor > 0 {
            let digit = Int((number / divisor) % 10)
            interim = Int(dammTable[interim &* 10 &+ digit])
            divisor /= 10
        }
        return UInt8(truncatingIfNeeded: interim)
    }

    /// The totally anti-symmetric quasigroup of order 10 from Damm's thesis (row: interim digit, column:
    /// next digit), with zeros on the diagonal so that a number followed by its check digit reduces to 0.
    private static let dammTable: [UInt8] = [
        0, 3, 1, 7, 5, 9, 8, 6, 4, 2,
        7, 0, 9, 2, 1, 5, 4, 8, 6, 3,
        4, 2, 0, 6, 8, 7, 1, 3, 5, 9,
        1, 7, 5, 0, 9, 8, 3, 4, 2, 6,
        6, 1, 2, 3, 0, 4, 5, 9, 7, 8,
        3, 6, 7, 4, 2, 0, 9, 5, 8, 1,
        5, 8, 6, 9, 7, 2, 0, 1, 3, 4,
        8, 9, 4, 5, 3, 6, 2, 0, 1, 7,
        9, 4, 3, 8, 6, 1, 7, 2, 0, 5,
        2, 5, 8, 1, 4, 3, 6, 7, 9, 0,
    ]
}

extension PersonalNumber: CustomStringConvertible {
    /// The eleven digits, as ``rawValue``.
    public var description: String {
        rawValue
    }
}

extension PersonalNumber: Comparable {
    /// Orders personal numbers as their digit strings sort, which for a fixed length is numeric order.
    public static func < (lhs: PersonalNumber, rhs: PersonalNumber) -> Bool {
        lhs.value < rhs.value
    }
}

extension PersonalNumber: Codable {
    /// Decodes a personal number from a single string, validating it as ``init(_:)`` does.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let string = try container.decode(String.self)
        do {
            try self.init(string)
        } catch {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(
                    codingPath: decoder.codingPath,
                    debugDescription: error.message,
                    underlyingError: error
                )
            )
        }
    }

    /// Encodes the personal number as its eleven-digit string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
