import Testing

@testable import Web

@Suite("QR code rendering (SVG and PNG)")
struct QRCodeRenderingTests {
    @Test("CRC-32 and Adler-32 give their published check values")
    func checksums() {
        #expect(PNGWriter.crc32(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(PNGWriter.crc32(Array("IEND".utf8)) == 0xAE42_6082)
        #expect(PNGWriter.adler32(Array("Wikipedia".utf8)) == 0x11E6_0398)
        #expect(PNGWriter.adler32([]) == 1)
    }

    @Test("the PNG has the signature, a 1-bit greyscale IHDR, checked chunks, and the modules as pixels")
    func png() throws {
        let code = try QRCode(text: "https://civitas.ge/verify/ABC", correction: .medium)
        let scale = 3
        let quietZone = 4
        let bytes = try code.png(scale: scale, quietZone: quietZone)
        #expect(Array(bytes.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        let chunks = try Self.chunks(of: bytes)
        #expect(chunks.map(\.type) == ["IHDR", "IDAT", "IEND"])
        let side = (code.size + 2 * quietZone) * scale
        let header = chunks[0].data
        #expect(Self.bigEndian(header, at: 0) == UInt32(side))
        #expect(Self.bigEndian(header, at: 4) == UInt32(side))
        #expect(Array(header[8...]) == [1, 0, 0, 0, 0])

        let raw = try Self.inflateStored(chunks[1].data)
        let rowBytes = (side + 7) / 8
        #expect(raw.count == side * (rowBytes + 1))
        for pixelY in stride(from: 0, to: side, by: 1) {
            let row = raw[(pixelY * (rowBytes + 1))...]
            #expect(row.first == 0)
            for pixelX in 0..<side {
                let byte = row[row.startIndex + 1 + pixelX / 8]
                let white = byte & (0x80 >> UInt8(pixelX % 8)) != 0
                let dark = code.isDark(x: pixelX / scale - quietZone, y: pixelY / scale - quietZone)
                if white == dark {
                    Issue.record("pixel (\(pixelX), \(pixelY)) is wrong")
                    return
                }
            }
        }
    }

    @Test("a large PNG spans several stored deflate blocks and still inflates to every row")
    func largePNG() throws {
        let code = try QRCode(text: String(repeating: "a", count: 2000), correction: .low, mask: 0)
        let bytes = try code.png(scale: 8, quietZone: 4)
        let chunks = try Self.chunks(of: bytes)
        let side = (code.size + 8) * 8
        let raw = try Self.inflateStored(chunks[1].data)
        #expect(raw.count == side * ((side + 7) / 8 + 1))
        #expect(raw.count > 65_535)
    }

    @Test("the SVG is one path of the dark modules, crisp, titled and escaped")
    func svg() throws {
        let code = try QRCode(text: "HTTPS://CIVITAS.GE/V/7F3K", correction: .quartile)
        let svg = try code.svg(moduleSize: 5, quietZone: 2, title: "Verify <this> & \"that\"")
        let side = code.size + 4
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(side) \(side)\""))
        #expect(svg.contains("width=\"\(side * 5)\" height=\"\(side * 5)\""))
        #expect(svg.contains("role=\"img\""))
        #expect(svg.contains("shape-rendering=\"crispEdges\""))
        #expect(svg.contains("<title>Verify &lt;this&gt; &amp; &quot;that&quot;</title>"))
        #expect(svg.ranges(of: "<path").count == 1)
        #expect(svg.hasSuffix("</svg>"))

        // Redraw the modules from the path's runs: they must be exactly the dark ones.
        let start = try #require(svg.firstRange(of: " d=\""))
        let path = svg[start.upperBound...].prefix { $0 != "\"" }
        var drawn = Set<[Int]>()
        for run in path.split(separator: "M") {
            let numbers = run.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
            // "M x y h run v1 h-run z": five numbers, the row one module high and closed back where it began.
            #expect(numbers.count == 5 && numbers[3] == 1 && numbers[4] == numbers[2])
            for x in numbers[0]..<(numbers[0] + numbers[2]) { drawn.insert([x - 2, numbers[1] - 2]) }
        }
        var dark = Set<[Int]>()
        for y in 0..<code.size {
            for x in 0..<code.size where code.isDark(x: x, y: y) { dark.insert([x, y]) }
        }
        #expect(drawn == dark)
    }

    @Test("control characters in the SVG title are replaced, not written into the XML")
    func svgTitleControlCharacters() throws {
        let svg = try QRCode(text: "x").svg(title: "a\u{0}b\u{1B}c")
        #expect(svg.contains("<title>a b c</title>"))
    }

    struct Chunk {
        let type: String
        let data: [UInt8]
    }

    struct MalformedPNG: Error {}

    static func bigEndian(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        bytes[offset..<(offset + 4)].reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// Splits a PNG into chunks, checking each chunk's CRC-32.
    static func chunks(of bytes: [UInt8]) throws -> [Chunk] {
        var chunks: [Chunk] = []
        var offset = 8
        while offset < bytes.count {
            guard offset + 12 <= bytes.count else { throw MalformedPNG() }
            let length = Int(bigEndian(bytes, at: offset))
            guard offset + 12 + length <= bytes.count else { throw MalformedPNG() }
            let typeAndData = Array(bytes[(offset + 4)..<(offset + 8 + length)])
            guard bigEndian(bytes, at: offset + 8 + length) == PNGWriter.crc32(typeAndData) else {
                throw MalformedPNG()
            }
            chunks.append(
                Chunk(
                    type: String(decoding: typeAndData.prefix(4), as: UTF8.self), data: Array(typeAndData.dropFirst(4)))
            )
            offset += 12 + length
        }
        return chunks
    }

    /// Reads a zlib stream of stored blocks back, checking the header, each LEN/NLEN pair and the Adler-32.
    static func inflateStored(_ stream: [UInt8]) throws -> [UInt8] {
        guard stream.count >= 6, (Int(stream[0]) << 8 | Int(stream[1])) % 31 == 0, stream[0] & 0x0F == 8 else {
            throw MalformedPNG()
        }
        var out: [UInt8] = []
        var offset = 2
        var isFinal = false
        while !isFinal {
            guard offset + 5 <= stream.count, stream[offset] & 0b110 == 0 else { throw MalformedPNG() }
            isFinal = stream[offset] & 1 == 1
            let length = Int(stream[offset + 1]) | Int(stream[offset + 2]) << 8
            let complement = Int(stream[offset + 3]) | Int(stream[offset + 4]) << 8
            guard length ^ complement == 0xFFFF, offset + 5 + length <= stream.count else { throw MalformedPNG() }
            out += stream[(offset + 5)..<(offset + 5 + length)]
            offset += 5 + length
        }
        guard offset + 4 == stream.count, bigEndian(stream, at: offset) == PNGWriter.adler32(out) else {
            throw MalformedPNG()
        }
        return out
    }
}
