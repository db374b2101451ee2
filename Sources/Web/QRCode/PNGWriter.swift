/// A minimal PNG writer (ISO/IEC 15948:2004, RFC 2083): the signature, then IHDR, one IDAT holding a zlib
/// stream (RFC 1950) of stored deflate blocks (RFC 1951, 3.2.4), and IEND, each chunk with its CRC-32.
///
/// Stored blocks keep the writer small and obviously correct; a QR code's rows repeat `scale` times, so a
/// compressor would win a lot, but the images are small enough for e-mail as they are.
enum PNGWriter {
    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// A greyscale image (colour type 0) from its filtered scanlines, each starting with its filter byte.
    static func greyscale(width: Int, height: Int, bitDepth: UInt8, scanlines: [UInt8]) -> [UInt8] {
        var header: [UInt8] = []
        header.appendBigEndian(UInt32(width))
        header.appendBigEndian(UInt32(height))
        // Bit depth, colour type 0 (greyscale), compression 0, filter method 0, no interlace.
        header += [bitDepth, 0, 0, 0, 0]
        var out = signature
        appendChunk("IHDR", header, to: &out)
        appendChunk("IDAT", zlibStored(scanlines), to: &out)
        appendChunk("IEND", [], to: &out)
        return out
    }

    static func appendChunk(_ type: String, _ data: [UInt8], to out: inout [UInt8]) {
        let typeBytes = Array(type.utf8)
        out.appendBigEndian(UInt32(data.count))
        out += typeBytes
        out += data
        out.appendBigEndian(crc32(typeBytes + data))
    }

    /// A zlib stream: CMF 0x78 (deflate, 32 KiB window), FLG 0x01 (so that CMF·256 + FLG is a multiple of 31),
    /// stored blocks of at most 65,535 bytes, then the Adler-32 of the data, most significant byte first.
    static func zlibStored(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]
        var offset = 0
        repeat {
            let length = min(65_535, data.count - offset)
            let isFinal = offset + length == data.count
            // BFINAL in bit 0, BTYPE 00 (stored); the rest of the byte pads to the boundary.
            out.append(isFinal ? 1 : 0)
            out += [UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8((~length >> 8) & 0xFF)]
            out += data[offset..<(offset + length)]
            offset += length
        } while offset < data.count
        out.appendBigEndian(adler32(data))
        return out
    }

    /// Adler-32 (RFC 1950, 8.2).
    static func adler32(_ data: [UInt8]) -> UInt32 {
        var a: UInt32 = 1
        var b: UInt32 = 0
        for byte in data {
            a = (a + UInt32(byte)) % 65_521
            b = (b + a) % 65_521
        }
        return b << 16 | a
    }

    /// The CRC-32 of ISO 3309 and ITU-T V.42, as PNG uses it: reflected polynomial 0xEDB88320, initial value
    /// and final XOR all ones.
    static func crc32(_ data: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in data {
            crc = crcTable[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
        }
        return crc ^ 0xFFFF_FFFF
    }

    static let crcTable: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 {
            value = value & 1 == 1 ? 0xEDB8_8320 ^ (value >> 1) : value >> 1
        }
        return value
    }
}

extension [UInt8] {
    fileprivate mutating func appendBigEndian(_ value: UInt32) {
        append(contentsOf: [
            UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF),
        ])
    }
}
