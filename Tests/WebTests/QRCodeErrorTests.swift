import Testing

@testable import Web

@Suite("QR code hostile input")
struct QRCodeErrorTests {
    @Test("empty text is refused")
    func emptyText() {
        #expect(throws: QRCodeError.self) { try QRCode(text: "") }
        #expect(Self.code { _ = try QRCode(text: "") } == .emptyText)
    }

    @Test("text one unit beyond version 40 is refused at every level, and the message does not echo it")
    func tooLong() throws {
        let limits: [(QRCode.Correction, Int)] = [(.low, 2953), (.medium, 2331), (.quartile, 1663), (.high, 1273)]
        for (correction, bytes) in limits {
            _ = try QRCode(text: String(repeating: "q", count: bytes), correction: correction, mask: 0)
            let text = String(repeating: "q", count: bytes + 1)
            do {
                _ = try QRCode(text: text, correction: correction)
                Issue.record("\(bytes + 1) bytes fit at \(correction)")
            } catch let error as QRCodeError {
                #expect(error.code == .dataTooLong)
                #expect(!error.message.contains("qqqq"))
                #expect(error.description.hasPrefix("QRCodeError.dataTooLong: "))
            }
        }
        #expect(
            Self.code { _ = try QRCode(text: String(repeating: "9", count: 7090), correction: .low) } == .dataTooLong)
        #expect(
            Self.code { _ = try QRCode(text: String(repeating: "ა", count: 1000), correction: .high) } == .dataTooLong)
    }

    @Test("a version too small for the text, or outside 1–40, is refused")
    func versions() {
        #expect(Self.code { _ = try QRCode(text: String(repeating: "a", count: 15), version: 1) } == .dataTooLong)
        for version in [0, -1, 41, Int.max, Int.min] {
            #expect(Self.code { _ = try QRCode(text: "a", version: version) } == .invalidVersion)
        }
    }

    @Test("a mask outside 0–7 is refused")
    func masks() {
        for mask in [-1, 8, 100, Int.min] {
            #expect(Self.code { _ = try QRCode(text: "a", mask: mask) } == .invalidMask)
        }
    }

    @Test("PNG scales and quiet zones out of range are refused")
    func pngScale() throws {
        let code = try QRCode(text: "https://civitas.ge")
        for scale in [0, -1, 33, Int.max, Int.min] {
            #expect(Self.code { _ = try code.png(scale: scale) } == .invalidScale)
        }
        for quietZone in [-1, 17, Int.max, Int.min] {
            #expect(Self.code { _ = try code.png(scale: 2, quietZone: quietZone) } == .invalidQuietZone)
        }
        #expect(try code.png(scale: 1, quietZone: 0).count > 0)
        #expect(try code.png(scale: 32, quietZone: 16).count > 0)
    }

    @Test("SVG module sizes and quiet zones out of range are refused")
    func svgScale() throws {
        let code = try QRCode(text: "https://civitas.ge")
        for size in [0, -4, 101, Int.max] {
            #expect(Self.code { _ = try code.svg(moduleSize: size, title: "t") } == .invalidScale)
        }
        #expect(Self.code { _ = try code.svg(quietZone: -1, title: "t") } == .invalidQuietZone)
        #expect(Self.code { _ = try code.svg(quietZone: 17, title: "t") } == .invalidQuietZone)
    }

    static func code(_ body: () throws -> Void) -> QRCodeError.Code? {
        do {
            try body()
            return nil
        } catch let error as QRCodeError {
            return error.code
        } catch {
            return nil
        }
    }
}
