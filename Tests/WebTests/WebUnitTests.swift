import CivitasCore
import Testing

@testable import Web

@Suite("Web building blocks")
struct WebUnitTests {
    @Test(
        "Accept-Language picks the best language we speak",
        arguments: [
            ("ka-GE,ka;q=0.9,en;q=0.8", Language.georgian), ("en-US,en;q=0.9", .english), ("ko", .korean),
            ("fr-FR, ko;q=0.5, ka;q=0.7", .georgian), ("de, fr", nil), ("", nil), ("ko;q=0, en;q=0.1", .english),
            ("*", nil), ("KA", .georgian), ("ko_KR", .korean),
        ] as [(String, Language?)])
    func negotiation(header: String, expected: Language?) {
        #expect(Language.negotiate(acceptLanguage: header) == expected)
    }

    @Test("form fields are decoded, and the first of a repeated field wins")
    func formFields() {
        let fields = FormFields("a=1&b=hello+world&c=%E1%83%90&a=2&empty=&bad=%zz&flag")
        #expect(fields["a"] == "1")
        #expect(fields["b"] == "hello world")
        #expect(fields["c"] == "ა")
        #expect(fields["empty"] == "")
        #expect(fields["bad"] == "%zz")
        #expect(fields["flag"] == "")
        #expect(fields["missing"] == nil)
    }

    @Test("request ids: safe ones pass, anything else is replaced")
    func requestIDs() {
        #expect(RequestID.isAcceptable("3f2a9c1e-5b7d-4e0a-9f1b-2c3d4e5f6a7b"))
        #expect(RequestID.isAcceptable("trace:abc/1.2_3"))
        #expect(!RequestID.isAcceptable(""))
        #expect(!RequestID.isAcceptable("a\nb"))
        #expect(!RequestID.isAcceptable("ა"))
        #expect(!RequestID.isAcceptable(String(repeating: "x", count: 129)))
        let generated = RequestID.generate()
        #expect(RequestID.isAcceptable(generated))
        #expect(generated != RequestID.generate())
    }

    @Test("CSRF tokens are 43 base64url characters, unique, and compared exactly")
    func csrfTokens() {
        let token = CSRFToken.generate()
        #expect(CSRFToken.isWellFormed(token))
        #expect(token != CSRFToken.generate())
        #expect(CSRFToken.matches(token, token))
        let altered = String(token.dropLast()) + (token.last == "A" ? "B" : "A")
        #expect(!CSRFToken.matches(token, altered))
        #expect(!CSRFToken.matches("", ""))
        #expect(!CSRFToken.isWellFormed(token + "="))
        #expect(!CSRFToken.isWellFormed(String(repeating: "+", count: 43)))
    }

    @Test("numbers are grouped the way each language writes them")
    func grouping() {
        #expect(Language.english.grouped(1_000_000) == "1,000,000")
        #expect(Language.korean.grouped(999) == "999")
        #expect(Language.georgian.grouped(12_345) == "12\u{00A0}345")
        #expect(Language.english.grouped(-1234) == "-1,234")
        #expect(Language.english.grouped(0) == "0")
    }

    @Test("only local paths are accepted as a return address")
    func returnPaths() {
        #expect(WebRoutes.safeReturnPath("/a/b?c=d") == "/a/b?c=d")
        for bad in [nil, "", "https://x", "//x", "/\\x", "x", "/a b", "/\u{7F}"] as [String?] {
            #expect(WebRoutes.safeReturnPath(bad) == "/")
        }
    }
}
