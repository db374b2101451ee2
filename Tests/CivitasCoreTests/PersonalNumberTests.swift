import CivitasCore
import Foundation
import Testing

@Suite("PersonalNumber")
struct PersonalNumberTests {
    /// Valid numbers spread over the serial space, including the extremes and leading zeros.
    static let samples: [PersonalNumber] = [
        0, 1, 572, 9_999_999_999, 1_234_567_890, 4_711_000_815, 3_141_592_653, 2_718_281_828, 10_000_000,
        8_070_605_040,
    ].map { PersonalNumber(serial: $0) }

    @Test("the check digit is the Damm check digit of the serial (Damm's example 572 gives 4)")
    func dammCheckDigitOfKnownExample() {
        #expect(PersonalNumber.checkDigit(for: 572) == 4)
        #expect(PersonalNumber(serial: 572).rawValue == "00000005724")
        #expect(PersonalNumber(serial: 572).checkDigit == 4)
    }

    @Test("a number built from a serial parses back to the same number", arguments: samples)
    func roundTripsThroughItsString(number: PersonalNumber) throws {
        let parsed = try PersonalNumber(number.rawValue)
        #expect(parsed == number)
        #expect(parsed.serial == number.serial)
        #expect(parsed.rawValue.utf8.count == 11)
        #expect(parsed.description == parsed.rawValue)
    }

    @Test("leading zeros are kept and allowed")
    func leadingZerosAreAllowed() throws {
        let zero = try PersonalNumber("00000000000")
        #expect(zero.serial == 0)
        #expect(zero.checkDigit == 0)
        #expect(zero.rawValue == "00000000000")
    }

    @Test("every single-digit substitution is rejected as a bad check digit", arguments: samples)
    func rejectsEverySingleDigitSubstitution(number: PersonalNumber) {
        let digits = Array(number.rawValue.utf8)
        for position in digits.indices {
            for replacement in UInt8(ascii: "0")...UInt8(ascii: "9") where replacement != digits[position] {
                var wrong = digits
                wrong[position] = replacement
                #expect(code(of: String(decoding: wrong, as: UTF8.self)) == .badCheckDigit)
            }
        }
    }

    @Test("every transposition of two different adjacent digits is rejected", arguments: samples)
    func rejectsEveryAdjacentTransposition(number: PersonalNumber) {
        let digits = Array(number.rawValue.utf8)
        for position in 0..<(digits.count - 1) where digits[position] != digits[position + 1] {
            var swapped = digits
            swapped.swapAt(position, position + 1)
            #expect(code(of: String(decoding: swapped, as: UTF8.self)) == .badCheckDigit)
        }
    }

    @Test(
        "a string that is not eleven characters long is rejected as the wrong length",
        arguments: ["0", "0000000000", "000000000000", "00000005724" + "0", String(repeating: "1", count: 10_000)]
    )
    func rejectsWrongLength(string: String) {
        #expect(code(of: string) == .wrongLength)
    }

    @Test("the empty string is rejected as empty")
    func rejectsEmpty() {
        #expect(code(of: "") == .empty)
    }

    @Test(
        "anything but ASCII digits is rejected, even when it looks like a digit",
        arguments: [
            "0000000572a",  // a letter
            "A0000005724",
            "abcdefghijk",
            "٠٠٠٠٠٠٠٠٥٧٢٤",  // Arabic-Indic digits
            "٠٠٠٠٠٠٠٠٥٧٢",  // eleven Arabic-Indic digits
            "۰۰۰۰۰۰۰۰۵۷۲",  // eleven Extended Arabic-Indic (Persian) digits
            "０００００００５７２４",  // full-width digits
            "००००००००५७२",  // eleven Devanagari digits
            " 00000005724",  // surrounding whitespace is not trimmed
            "00000005724 ",
            "00000005724\n",
            "0000 0005724",
            "0000\u{00A0}005724",  // no-break space
            "\t0000005724",
            "+0000005724",  // signs
            "-0000005724",
            "0000-000572",
            "0000000572\u{0301}",  // a combining mark on a digit
            "0000000\u{0}572",  // NUL
        ]
    )
    func rejectsNonDigits(string: String) {
        #expect(code(of: string) == .notDigits)
    }

    @Test("the error message names the problem without echoing the input")
    func errorMessageDoesNotEchoInput() {
        let inputs = ["12345678901", "1234567890", "12345a78901", "123456789012345"]
        for input in inputs {
            do {
                _ = try PersonalNumber(input)
                Issue.record("\(input) was accepted")
            } catch {
                #expect(!error.message.contains("1234"))
                #expect(!error.description.contains("1234"))
                #expect(error.message.contains("personal number"))
            }
        }
    }

    @Test("a non-digit is reported by position and code point")
    func notDigitsNamesPositionAndCodePoint() {
        do {
            _ = try PersonalNumber("0000\u{0661}000000")
            Issue.record("accepted")
        } catch {
            #expect(error.code == .notDigits)
            #expect(error.message.contains("character 5"))
            #expect(error.message.contains("U+0661"))
        }
    }

    @Test("a number encodes as a single JSON string and decodes back")
    func codableRoundTripAsString() throws {
        let number = PersonalNumber(serial: 123)
        let json = try JSONEncoder().encode([number])
        #expect(String(decoding: json, as: UTF8.self) == #"["00000001234"]"#)
        let decoded = try JSONDecoder().decode([PersonalNumber].self, from: json)
        #expect(decoded == [number])
    }

    @Test(
        "decoding rejects an invalid number and a number written as a JSON number",
        arguments: [#"["00000001235"]"#, #"["0000000123"]"#, #"[12]"#, #"[""]"#]
    )
    func decodingRejectsInvalidInput(json: String) {
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([PersonalNumber].self, from: Data(json.utf8))
        }
    }

    @Test("numbers sort as their digit strings do")
    func ordersLikeTheirStrings() {
        let sorted = Self.samples.sorted()
        #expect(sorted.map(\.rawValue) == Self.samples.map(\.rawValue).sorted())
    }

    @Test("the check digit of a longer number ignores leading zeros")
    func checkDigitIgnoresLeadingZeros() {
        #expect(PersonalNumber.checkDigit(for: 0) == 0)
        #expect(PersonalNumber.checkDigit(for: 70_000_001) == PersonalNumber(serial: 70_000_001).checkDigit)
        #expect((0...9).contains(PersonalNumber.checkDigit(for: .max)))
    }

    private func code(of string: String) -> IdentifierError.Code? {
        do {
            _ = try PersonalNumber(string)
            return nil
        } catch {
            return error.code
        }
    }
}
