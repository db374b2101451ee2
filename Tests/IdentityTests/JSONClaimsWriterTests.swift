import Foundation
import Testing

@testable import Identity

@Suite("Token claims JSON")
struct JSONClaimsWriterTests {
    static func parsed(_ bytes: [UInt8]) throws -> NSDictionary {
        try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? NSDictionary)
    }

    @Test("claims come out as JSON that reads back the same, keys in byte order, slashes unescaped")
    func roundTrip() throws {
        let claims: [String: Any] = [
            "iss": "https://id.example/oidc", "sub": "abc", "iat": 1_767_225_600, "age_over_18": true,
            "email_verified": false, "amr": ["pwd", "otp"], "act": ["sub": "x\"y\\z"],
            "name#ka": "ნინო ბერიძე", "name#ko": "김민준", "note": "line\nbreak\ttab\u{01}",
            "address": ["country": "CV", "postal_code": "0179"], "n": Int64(-5), "empty": [String: Any](),
        ]
        let bytes = try #require(JSONClaimsWriter.encode(claims))
        #expect(try Self.parsed(bytes) == claims as NSDictionary)
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasPrefix(#"{"act":{"sub":"x\"y\\z"},"address":{"country":"CV","postal_code":"0179"},"age"#))
        #expect(text.contains(#""iss":"https://id.example/oidc""#))
        #expect(text.contains(#""note":"line\nbreak\ttab\u0001""#))
        #expect(text.contains(#""age_over_18":true"#) && text.contains(#""iat":1767225600"#))
        #expect(!text.contains("\": ") && !text.contains(", \""), "no whitespace between tokens")
    }

    @Test("a type claims never hold is left to JSONSerialization")
    func fallback() {
        #expect(JSONClaimsWriter.encode(["x": 1.5]) == nil)
        #expect(JSONClaimsWriter.encode(["x": [Date()]]) == nil)
        #expect(JSONClaimsWriter.encode(["x": NSNull()]) == nil)
    }
}
