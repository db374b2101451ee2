import CivitasCore
import Foundation
import Testing

@Suite("Base64url and hex")
struct EncodingTests {
    @Test("base64url matches RFC 4648 test vectors")
    func vectors() {
        let vectors = [
            "": "", "f": "Zg", "fo": "Zm8", "foo": "Zm9v", "foob": "Zm9vYg", "fooba": "Zm9vYmE", "foobar": "Zm9vYmFy",
        ]
        for (input, output) in vectors {
            #expect(Base64URL.encode(Array(input.utf8)) == output)
            #expect(Base64URL.decode(output) == Array(input.utf8))
        }
        #expect(Base64URL.encode([0xFB, 0xFF]) == "-_8")
        #expect(Base64URL.decode("-_8") == [0xFB, 0xFF])
    }

    @Test("base64url agrees with Foundation's base64 on every length, both ways")
    func roundTrip() {
        var generator = SystemRandomNumberGenerator()
        for length in 0...300 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let expected = Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
                .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
            let encoded = Base64URL.encode(bytes)
            #expect(encoded == expected, "length \(length)")
            #expect(Base64URL.decode(encoded) == bytes, "length \(length)")
        }
    }

    @Test("base64url refuses padding, the standard alphabet, other bytes and a lone last character")
    func refusals() {
        for text in ["Zg==", "Zm8=", "+/8", "ab/c", "Zm9v YmFy", "Zm9vY", "é", "Zm9v\n"] {
            #expect(Base64URL.decode(text) == nil, "\(text)")
        }
        #expect(Base64URL.isAlphabet(UInt8(ascii: "-")) && Base64URL.isAlphabet(UInt8(ascii: "_")))
        #expect(!Base64URL.isAlphabet(UInt8(ascii: "+")) && !Base64URL.isAlphabet(UInt8(ascii: "=")))
    }

    @Test("hex is two lowercase digits a byte")
    func hex() {
        #expect(Hex.encode([]) == "")
        #expect(Hex.encode([0x00, 0x0F, 0xA0, 0xFF]) == "000fa0ff")
        let bytes = (0...255).map { UInt8($0) }
        #expect(Hex.encode(bytes) == bytes.map { String(format: "%02x", $0) }.joined())
    }
}
