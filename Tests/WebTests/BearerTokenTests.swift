import Testing
import Web

@Suite("Bearer tokens")
struct BearerTokenTests {
    @Test(
        "the scheme is matched in any case and the token trimmed; other schemes and empty tokens are none",
        arguments: [
            ("Bearer abc.def", "abc.def"), ("bearer  abc ", "abc"), ("BEARER x", "x"), ("Basic dXNlcjpw", nil),
            ("Bearer", nil), ("Bearer    ", nil), ("", nil), ("Bearerabc", nil),
        ] as [(String, String?)])
    func parse(value: String, token: String?) {
        #expect(BearerToken.parse(value) == token)
    }
}
