import Foundation
import Testing

@testable import Identity

@Suite("TOTP")
struct TOTPTests {
    /// RFC 6238 appendix B: the SHA-1 seed is the ASCII string "12345678901234567890".
    static let rfcSecret = try! TOTPSecret(bytes: Array("12345678901234567890".utf8))

    @Test(
        "the RFC 6238 appendix B SHA-1 vectors, in eight digits and in six",
        arguments: [
            (59, "94287082"), (1_111_111_109, "07081804"), (1_111_111_111, "14050471"), (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"), (20_000_000_000, "65353130"),
        ] as [(Int64, String)])
    func rfc6238(time: Int64, expected: String) {
        let date = Date(timeIntervalSince1970: TimeInterval(time))
        #expect(TOTP(secret: Self.rfcSecret, digits: 8).code(at: date) == expected)
        #expect(TOTP(secret: Self.rfcSecret).code(at: date) == String(expected.suffix(6)))
        #expect(TOTP(secret: Self.rfcSecret).verify(String(expected.suffix(6)), at: date) == TOTP.step(at: date))
    }

    @Test("a code is accepted one step either side, not two; the matched step is returned")
    func drift() {
        let totp = TOTP(secret: Self.rfcSecret)
        let now = Date(timeIntervalSince1970: 1_234_567_890)
        let step = TOTP.step(at: now)
        #expect(step == 41_152_263)
        for offset in -2...2 {
            let code = totp.code(forStep: step + Int64(offset))
            let result = totp.verify(code, at: now)
            #expect(result == (abs(offset) <= 1 ? step + Int64(offset) : nil), "offset \(offset)")
        }
    }

    @Test("a used step and older ones are refused: a code cannot be replayed")
    func replay() {
        let totp = TOTP(secret: Self.rfcSecret)
        let now = Date(timeIntervalSince1970: 1_800_000_015)
        let code = totp.code(at: now)
        guard let step = totp.verify(code, at: now) else {
            Issue.record("the current code was refused")
            return
        }
        #expect(totp.verify(code, at: now, after: step) == nil)
        #expect(totp.verify(code, at: now + 20, after: step) == nil)
        #expect(totp.verify(totp.code(forStep: step - 1), at: now, after: step) == nil)
        #expect(totp.verify(totp.code(forStep: step + 1), at: now + 30, after: step) == step + 1)
        #expect(totp.verify(code, at: now, after: step - 1) == step)
    }

    @Test("anything but exactly six ASCII digits is refused")
    func malformedCodes() {
        let totp = TOTP(secret: Self.rfcSecret)
        let now = Date(timeIntervalSince1970: 1_234_567_890)
        let code = totp.code(at: now)
        #expect(totp.verify(code, at: now) != nil)
        for bad in ["", "12345", "1234567", " " + code, code + " ", "٠١٢٣٤٥", "abcdef", "12 345", "89005924"] {
            #expect(totp.verify(bad, at: now) == nil, "\(bad)")
        }
    }

    @Test("another secret's code is refused")
    func otherSecret() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let mine = TOTP(secret: .random())
        let theirs = TOTP(secret: .random())
        #expect(mine.secret != theirs.secret)
        let code = theirs.code(at: now)
        // One chance in a million that the codes coincide; three steps make it three in a million.
        if mine.code(at: now) != code && mine.code(at: now - 30) != code && mine.code(at: now + 30) != code {
            #expect(mine.verify(code, at: now) == nil)
        }
    }

    @Test("random secrets are 20 bytes and round-trip through base32")
    func secrets() throws {
        let secret = TOTPSecret.random()
        #expect(secret.bytes.count == 20)
        #expect(secret.base32.count == 32)
        #expect(try TOTPSecret(base32: secret.base32) == secret)
        #expect(try TOTPSecret(base32: secret.base32.lowercased()) == secret)
        #expect("\(secret)" == "TOTPSecret(20 bytes)")
        #expect(TOTPSecret.random() != secret)
    }

    @Test("base32 follows RFC 4648 section 10 and refuses what is not base32")
    func base32() throws {
        let vectors = [
            ("f", "MY"), ("fo", "MZXQ"), ("foo", "MZXW6"), ("foob", "MZXW6YQ"), ("fooba", "MZXW6YTB"),
            ("foobar", "MZXW6YTBOI"),
        ]
        for (plain, encoded) in vectors {
            #expect(Base32.encode(Array(plain.utf8)) == encoded)
            #expect(Base32.decode(encoded) == Array(plain.utf8))
        }
        #expect(Base32.decode("MZXW6YQ=") == Array("foob".utf8))
        #expect(Base32.decode("mzxw 6ytb oi") == Array("foobar".utf8))
        #expect(try TOTPSecret(base32: "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ") == Self.rfcSecret)
        for bad in ["", "M", "MZX", "MZXW6Y1", "MZ!W", "MZ", "MZXW6YTBOJ"] {
            #expect(Base32.decode(bad) == nil, "\(bad)")
        }
        #expect(throws: IdentityError.self) { try TOTPSecret(base32: "MZXW6YTBOI") }
        #expect(throws: IdentityError.self) { try TOTPSecret(bytes: [UInt8](repeating: 1, count: 15)) }
    }

    @Test("the otpauth URI names the issuer, the account and the secret")
    func provisioningURI() throws {
        let totp = TOTP(secret: Self.rfcSecret)
        #expect(
            try totp.provisioningURI(account: "nino.beridze@example.ge")
                == "otpauth://totp/Civitas:nino.beridze%40example.ge?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
                + "&issuer=Civitas&algorithm=SHA1&digits=6&period=30")
        let georgian = try totp.provisioningURI(account: "ნინო ბ")
        #expect(georgian.hasPrefix("otpauth://totp/Civitas:%E1%83%9C%E1%83%98%E1%83%9C%E1%83%9D%20%E1%83%91?"))
        let components = URLComponents(string: georgian)
        #expect(components?.scheme == "otpauth")
        #expect(components?.host == "totp")
        #expect(components?.path == "/Civitas:ნინო ბ")
        #expect(components?.queryItems?.first { $0.name == "issuer" }?.value == "Civitas")
        #expect(throws: IdentityError.self) { try totp.provisioningURI(account: "") }
        #expect(throws: IdentityError.self) { try totp.provisioningURI(account: "evil:Bank") }
    }
}
