import CivitasCore
import Foundation
import Identity
import Testing

@Suite("Password policy")
struct PasswordPolicyTests {
    static let policy = PasswordPolicy()

    static let tamar = Person(
        personalNumber: PersonalNumber(serial: 1_001_011),
        name: PersonName(given: "თამარ", family: "გელაშვილი", givenLatin: "Tamar", familyLatin: "Gelashvili"),
        birthDate: try! CalendarDate(year: 1988, month: 5, day: 2), sex: .female, citizenship: "CVT",
        address: RegisteredAddress(
            city: "თბილისი", district: "ვაკე", street: "ჭავჭავაძის გამზირი", houseNumber: "1", flat: nil,
            postcode: "0179"))

    static let minjun = Person(
        personalNumber: PersonalNumber(serial: 2_002_022),
        name: PersonName(
            given: "მინჯუნ", family: "კიმი", givenLatin: "Minjun", familyLatin: "Kimdonghyeon", hangul: "김동현민준"),
        birthDate: try! CalendarDate(year: 1991, month: 1, day: 9), sex: .male, citizenship: "KOR",
        address: RegisteredAddress(
            city: "თბილისი", district: "საბურთალო", street: "პეკინის გამზირი", houseNumber: "4", flat: 12,
            postcode: "0160"))

    @Test("long passphrases in any script are accepted, with no composition rules")
    func acceptable() throws {
        let context = PasswordContext(username: "tamar.g", person: Self.tamar)
        for password in [
            "correct horse battery staple", "კარგი ამინდია დღეს", "오늘은 날씨가 좋네요 정말", "twelve chars",
            String(repeating: "ж", count: 128), "Ünïcödé ïs fïnë 🙂",
        ] {
            #expect(Self.policy.violations(of: password, for: context) == [], "\(password)")
            try Self.policy.check(password, for: context)
        }
    }

    @Test("length is counted in code points after NFC: 12 to 128")
    func lengthBounds() {
        #expect(Self.policy.violations(of: "eleven char") == [.tooShort(minimum: 12)])
        #expect(Self.policy.violations(of: "twelve chars") == [])
        // Eleven letters with decomposed accents are 22 code points, but 11 after NFC.
        let decomposed = String(repeating: "e\u{301}", count: 11)
        #expect(decomposed.unicodeScalars.count == 22)
        #expect(Self.policy.violations(of: decomposed) == [.tooShort(minimum: 12)])
        #expect(Self.policy.violations(of: String(repeating: "e\u{301}", count: 12)) == [])
        #expect(Self.policy.violations(of: String(repeating: "x", count: 128)) == [])
        #expect(Self.policy.violations(of: String(repeating: "x", count: 129)) == [.tooLong(maximum: 128)])
        #expect(Self.policy.violations(of: "") == [.tooShort(minimum: 12)])
        let strict = PasswordPolicy(minimumLength: 15, maximumLength: 64)
        #expect(strict.violations(of: "twelve chars") == [.tooShort(minimum: 15)])
        #expect(strict.violations(of: String(repeating: "y", count: 65)) == [.tooLong(maximum: 64)])
    }

    @Test("control characters are refused; spaces and symbols are not")
    func controlCharacters() {
        #expect(Self.policy.violations(of: "a tab\there please") == [.controlCharacter])
        #expect(Self.policy.violations(of: "nul\u{0}inside the password") == [.controlCharacter])
        #expect(Self.policy.violations(of: "c1 control \u{85} here") == [.controlCharacter])
        #expect(Self.policy.violations(of: "  spaces & $ymbols ok  ") == [])
    }

    @Test("passwords on the common list are refused whatever their case; the list is loaded from the bundle")
    func common() {
        for password in ["1q2w3e4r5t6y", "qwerty123456", "PASSWORD1234", "1Qaz2Wsx3Edc", "123456789123"] {
            #expect(Self.policy.violations(of: password) == [.common], "\(password)")
        }
        // A short common password breaks two rules at once.
        #expect(Self.policy.violations(of: "password") == [.tooShort(minimum: 12), .common])
        let lenient = PasswordPolicy(minimumLength: 6)
        #expect(lenient.violations(of: "123456") == [.common])
        #expect(lenient.violations(of: "iloveyou") == [.common])
        #expect(lenient.violations(of: "dragon") == [.common])
        #expect(lenient.violations(of: "tbilisi-rain") == [])
    }

    @Test("the username is refused as the password and inside it, case- and separator-insensitively")
    func username() {
        let context = PasswordContext(username: "Nino.Beridze")
        #expect(Self.policy.violations(of: "nino.beridze", for: context) == [.username])
        #expect(Self.policy.violations(of: "NINO BERIDZE", for: context) == [.username])
        #expect(Self.policy.violations(of: "ninoberidze2026", for: context) == [.username])
        #expect(Self.policy.violations(of: "my name is nino", for: context) == [])
        // A short username is refused only as the whole password.
        let short = PasswordContext(username: "tbx")
        #expect(Self.policy.violations(of: "tbxtbxtbxtbx7", for: short) == [])
        #expect(PasswordPolicy(minimumLength: 3).violations(of: "TBX", for: short) == [.username])
    }

    @Test("the personal number is refused anywhere in the password, also with separators")
    func personalNumber() {
        let context = PasswordContext(person: Self.tamar)
        let number = Self.tamar.personalNumber.rawValue
        #expect(Self.policy.violations(of: number + "!", for: context) == [.personalNumber])
        #expect(Self.policy.violations(of: "id " + number, for: context) == [.personalNumber])
        let grouped = "\(number.prefix(4))-\(number.dropFirst(4).prefix(4)) \(number.dropFirst(8))"
        #expect(Self.policy.violations(of: grouped + "-x", for: context) == [.personalNumber])
        // Another person's number is just digits.
        let other = PersonalNumber(serial: 9_009_099).rawValue
        #expect(Self.policy.violations(of: other + "!", for: context) == [])
    }

    @Test("the person's names, alone or together in either order and any script or case, are refused")
    func names() {
        let context = PasswordContext(person: Self.tamar)
        for password in [
            "Tamar Gelashvili", "GELASHVILI TAMAR", "tamar-gelashvili", "თამარ გელაშვილი", "გელაშვილითამარ",
            "ᲗᲐᲛᲐᲠ ᲒᲔᲚᲐᲨᲕᲘᲚᲘ",  // Georgian Mtavruli capitals
        ] {
            #expect(Self.policy.violations(of: password, for: context) == [.name], "\(password)")
        }
        #expect(Self.policy.violations(of: "gelashvili is my name", for: context) == [])
        let korean = PasswordContext(person: Self.minjun)
        #expect(PasswordPolicy(minimumLength: 5).violations(of: "김동현민준", for: korean) == [.name])
        #expect(Self.policy.violations(of: "kimdonghyeon", for: korean) == [.name])
    }

    @Test("check throws every violation at once, typed, and its description never holds the password")
    func rejection() {
        let context = PasswordContext(username: "qwerty")
        let error = #expect(throws: PasswordRejected.self) {
            try Self.policy.check("qwerty", for: context)
        }
        #expect(error?.violations == [.tooShort(minimum: 12), .common, .username])
        #expect(error?.violations.map(\.code) == ["too-short", "common", "username"])
        #expect(error.map { "\($0)".contains("qwerty") } == false)
    }
}
