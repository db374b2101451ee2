extension QRCode {
    /// The scales ``png(scale:quietZone:)`` accepts, in pixels a module: enough for print at 600 dpi, and
    /// a bound on the image a caller can make the server build.
    public static let pngScales = 1...32

    /// The symbol as a PNG image (ISO/IEC 15948): 1-bit greyscale, black modules on white, with a quiet zone,
    /// for e-mail and print where SVG does not work.
    ///
    /// - Parameters:
    ///   - scale: Pixels on a side for each module.
    ///   - quietZone: Light modules around the symbol; the standard asks for 4.
    /// - Returns: The bytes of a PNG file.
    /// - Throws: ``QRCodeError`` when the scale or quiet zone is out of range.
    public func png(scale: Int = 8, quietZone: Int = 4) throws -> [UInt8] {
        guard Self.pngScales.contains(scale) else {
            throw QRCodeError(
                code: .invalidScale,
                message: "the PNG scale must be \(Self.pngScales.lowerBound) to \(Self.pngScales.upperBound) "
                    + "pixels a module, not \(scale)")
        }
        try Self.checkQuietZone(quietZone)
        let side = (size + 2 * quietZone) * scale
        let rowBytes = (side + 7) / 8
        var raw: [UInt8] = []
        raw.reserveCapacity((rowBytes + 1) * side)
        for pixelY in 0..<side {
            // Filter type 0 (None), then the row: in 1-bit greyscale, 0 is black and 1 is white.
            raw.append(0)
            var row = [UInt8](repeating: 0xFF, count: rowBytes)
            let y = pixelY / scale - quietZone
            for pixelX in 0..<side where isDark(x: pixelX / scale - quietZone, y: y) {
                row[pixelX >> 3] &= ~(0x80 >> UInt8(pixelX & 7))
            }
            raw.append(contentsOf: row)
        }
        return PNGWriter.greyscale(width: side, height: side, bitDepth: 1, scanlines: raw)
    }
}
