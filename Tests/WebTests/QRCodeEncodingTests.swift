import Testing

@testable import Web

@Suite("QR code encoding (ISO/IEC 18004)")
struct QRCodeEncodingTests {
    @Test("Annex I: \"01234567\" at 1-M gives the standard's data and error correction codewords")
    func annexIExample() throws {
        let segment = QRSegment(text: "01234567")
        #expect(segment.mode == .numeric)
        let layout = QRBlockLayout(version: 1, correction: .medium)
        let data = QRCode.dataCodewords(segment: segment, layout: layout)
        #expect(
            data == [
                0x10, 0x20, 0x0C, 0x56, 0x61, 0x80, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11,
            ])
        #expect(
            ReedSolomon.correctionCodewords(for: data, count: 10) == [
                0xA5, 0x24, 0xD4, 0xC1, 0xED, 0x36, 0xC7, 0x87, 0x2C, 0x55,
            ])
        let code = try QRCode(text: "01234567", correction: .medium)
        #expect(code.version == 1)
        #expect(code.size == 21)
        #expect(code.mode == .numeric)
    }

    @Test("\"HELLO WORLD\" at 1-Q: alphanumeric pairs, pad codewords and 13 error correction codewords")
    func helloWorld() {
        let segment = QRSegment(text: "HELLO WORLD")
        #expect(segment.mode == .alphanumeric)
        let data = QRCode.dataCodewords(segment: segment, layout: QRBlockLayout(version: 1, correction: .quartile))
        #expect(data == [0x20, 0x5B, 0x0B, 0x78, 0xD1, 0x72, 0xDC, 0x4D, 0x43, 0x40, 0xEC, 0x11, 0xEC])
        #expect(
            ReedSolomon.correctionCodewords(for: data, count: 13) == [
                0xA8, 0x48, 0x16, 0x52, 0xD9, 0x36, 0x9C, 0x00, 0x2E, 0x0F, 0xB4, 0x7A, 0x10,
            ])
    }

    @Test("the generator polynomial of degree 7 has the coefficients of Annex A (as powers of α)")
    func generatorPolynomial() {
        let logs = ReedSolomon.generator(degree: 7).map { ReedSolomon.logarithms[Int($0)] }
        #expect(logs == [0, 87, 229, 146, 149, 238, 102, 21])
    }

    @Test(
        "format information has its BCH code and mask (Annex C)",
        arguments: [
            (QRCode.Correction.low, 0, 0b111_0111_1100_0100), (.low, 4, 0b110_0110_0010_1111),
            (.medium, 0, 0b101_0100_0001_0010), (.medium, 5, 0b100_0000_1100_1110),
            (.quartile, 0, 0b011_0101_0101_1111), (.high, 0, 0b001_0110_1000_1001),
        ])
    func formatInformation(correction: QRCode.Correction, mask: Int, expected: Int) {
        #expect(QRFormatInformation.formatBits(correction: correction, mask: mask) == expected)
    }

    @Test("version information has its BCH code (Annex D)")
    func versionInformation() {
        #expect(QRFormatInformation.versionBits(version: 7) == 0x07C94)
        #expect(QRFormatInformation.versionBits(version: 8) == 0x085BC)
        #expect(QRFormatInformation.versionBits(version: 40) == 0x28C69)
    }

    @Test("alignment pattern centres follow Table E.1, version 32 included")
    func alignmentCenters() {
        #expect(QRMatrix.alignmentCenters(version: 1) == [])
        #expect(QRMatrix.alignmentCenters(version: 2) == [6, 18])
        #expect(QRMatrix.alignmentCenters(version: 7) == [6, 22, 38])
        #expect(QRMatrix.alignmentCenters(version: 22) == [6, 26, 50, 74, 98])
        #expect(QRMatrix.alignmentCenters(version: 32) == [6, 34, 60, 86, 112, 138])
        #expect(QRMatrix.alignmentCenters(version: 36) == [6, 24, 50, 76, 102, 128, 154])
        #expect(QRMatrix.alignmentCenters(version: 40) == [6, 30, 58, 86, 114, 142, 170])
    }

    @Test("codeword counts match Table 1 and Table 9")
    func capacities() {
        #expect(QRBlockLayout(version: 1, correction: .low).totalCodewords == 26)
        #expect(QRBlockLayout(version: 7, correction: .low).totalCodewords == 196)
        #expect(QRBlockLayout(version: 40, correction: .low).totalCodewords == 3706)
        #expect(
            QRCode.Correction.allCases.map { QRBlockLayout(version: 1, correction: $0).dataCodewords } == [
                19, 16, 13, 9,
            ])
        #expect(
            QRCode.Correction.allCases.map { QRBlockLayout(version: 40, correction: $0).dataCodewords } == [
                2956, 2334, 1666, 1276,
            ])
        // 5-Q: two blocks of 15 data codewords and two of 16, 18 error correction codewords each.
        let layout = QRBlockLayout(version: 5, correction: .quartile)
        #expect(layout.dataCodewordsPerBlock == [15, 15, 16, 16])
        #expect(layout.correctionCodewordsPerBlock == 18)
        for version in 1...40 {
            for correction in QRCode.Correction.allCases {
                let layout = QRBlockLayout(version: version, correction: correction)
                #expect(layout.dataCodewordsPerBlock.reduce(0, +) == layout.dataCodewords)
            }
        }
    }

    @Test(
        "the most compact mode is chosen",
        arguments: [
            ("01234567", QRCode.Mode.numeric), ("HTTPS://CIVITAS.GE/V/7F3K", .alphanumeric),
            ("https://civitas.ge/v/7f3k", .byte), ("მინდობილობა", .byte), ("위임장 확인", .byte),
            ("A1 $%*+-./:", .alphanumeric),
        ])
    func modes(text: String, mode: QRCode.Mode) throws {
        #expect(try QRCode(text: text).mode == mode)
    }

    @Test("the smallest version that fits is chosen, and the largest texts fit version 40 exactly")
    func smallestVersion() throws {
        #expect(try QRCode(text: String(repeating: "a", count: 14), correction: .medium).version == 1)
        #expect(try QRCode(text: String(repeating: "a", count: 15), correction: .medium).version == 2)
        #expect(try QRCode(text: String(repeating: "7", count: 41), correction: .low).version == 1)
        #expect(try QRCode(text: String(repeating: "7", count: 42), correction: .low).version == 2)
        #expect(try QRCode(text: String(repeating: "a", count: 2953), correction: .low, mask: 0).version == 40)
        #expect(try QRCode(text: String(repeating: "9", count: 7089), correction: .low, mask: 0).version == 40)
        #expect(try QRCode(text: String(repeating: "Z", count: 4296), correction: .low, mask: 0).version == 40)
        #expect(try QRCode(text: String(repeating: "a", count: 1273), correction: .high, mask: 0).version == 40)
    }

    @Test("function patterns, the dark module and both copies of the format information are in place")
    func structure() throws {
        for version in [1, 2, 7, 21, 40] {
            let code = try QRCode(text: "Civitas \(version)", correction: .quartile, version: version)
            let size = code.size
            #expect(size == version * 4 + 17)
            for (cx, cy) in [(3, 3), (size - 4, 3), (3, size - 4)] {
                #expect(code.isDark(x: cx, y: cy))
                #expect(!code.isDark(x: cx + 2, y: cy))
                #expect(code.isDark(x: cx + 3, y: cy + 3))
            }
            for index in 8..<(size - 8) {
                #expect(code.isDark(x: index, y: 6) == (index % 2 == 0))
                #expect(code.isDark(x: 6, y: index) == (index % 2 == 0))
            }
            #expect(code.isDark(x: 8, y: size - 8))
            let expected = QRFormatInformation.formatBits(correction: .quartile, mask: code.mask)
            var first = 0
            var second = 0
            let firstPositions =
                [(8, 0), (8, 1), (8, 2), (8, 3), (8, 4), (8, 5), (8, 7), (8, 8), (7, 8)]
                + (9...14).map { (14 - $0, 8) }
            let secondPositions = (0...7).map { (size - 1 - $0, 8) } + (8...14).map { (8, size - 15 + $0) }
            for (bit, (x, y)) in firstPositions.enumerated() where code.isDark(x: x, y: y) { first |= 1 << bit }
            for (bit, (x, y)) in secondPositions.enumerated() where code.isDark(x: x, y: y) { second |= 1 << bit }
            #expect(first == expected)
            #expect(second == expected)
        }
    }

    @Test("a mask asked for is used; masks change only data modules; the chosen mask scores lowest")
    func masks() throws {
        let text = "https://civitas.ge/verify/poa/2026-0001"
        var codes: [QRCode] = []
        for mask in 0...7 {
            let code = try QRCode(text: text, correction: .medium, version: 4, mask: mask)
            #expect(code.mask == mask)
            codes.append(code)
        }
        #expect(Set(codes).count == 8)
        let matrix = QRMatrix(version: 4)
        for y in 0..<matrix.size {
            for x in 0..<matrix.size where matrix.isFunctionModule(x: x, y: y) && !(x == 8 || y == 8) {
                #expect(codes.allSatisfy { $0.isDark(x: x, y: y) == codes[0].isDark(x: x, y: y) })
            }
        }
        let chosen = try QRCode(text: text, correction: .medium, version: 4)
        let penalties = codes.map { Self.penalty(of: $0) }
        #expect(penalties[chosen.mask] == penalties.min())
        #expect(codes[chosen.mask] == chosen)
    }

    @Test("penalty rules: a run of five, a 2 × 2 block, a finder-like pattern and the dark share")
    func penaltyRules() {
        // Rule 1 alone on one line: 3 points for a run of 5, one more for each module beyond.
        #expect(QRMatrix.lineScore([true, true, true, true, true, false]) == 3)
        #expect(QRMatrix.lineScore([false, false, false, false, false, false, false, true]) == 5)
        #expect(QRMatrix.lineScore([true, false, true, false]) == 0)
        // Rule 3: 1:1:3:1:1 with four light modules after it (the edge counts as light before it).
        let finder = [true, false, true, true, true, false, true]
        #expect(QRMatrix.lineScore([false] + finder + [true]) == 40)
        #expect(QRMatrix.lineScore([true, true, false, true] + finder + [true, false, true, false]) == 0)
    }

    /// The penalty of a finished symbol, scored as the encoder scores its candidates.
    static func penalty(of code: QRCode) -> Int {
        var matrix = QRMatrix(version: code.version)
        for y in 0..<code.size {
            for x in 0..<code.size { matrix.setDataModule(x: x, y: y, dark: code.isDark(x: x, y: y)) }
        }
        return matrix.penalty
    }
}
