extension QRCode {
    /// The module sizes ``svg(moduleSize:quietZone:title:)`` accepts, in CSS pixels.
    public static let svgModuleSizes = 1...100

    /// The quiet zones, in modules, the renderers accept; the standard asks for at least 4 (6.3.7).
    public static let quietZones = 0...16

    /// The symbol as a compact SVG image: a white background and one `<path>` that traces the dark modules
    /// row by row, drawn with `shape-rendering="crispEdges"` so that no browser blurs module edges, with
    /// `role="img"` and the title as its accessible name.
    ///
    /// - Parameters:
    ///   - moduleSize: The width of one module in CSS pixels (the `width` and `height` attributes); the
    ///     `viewBox` counts modules, so the image also scales cleanly when CSS sizes it.
    ///   - quietZone: Light modules around the symbol; the standard asks for 4.
    ///   - title: What the image is for, in the reader's language, e.g. "Scan to verify this document"; it is
    ///     escaped here.
    /// - Throws: ``QRCodeError`` when the module size or quiet zone is out of range.
    public func svg(moduleSize: Int = 4, quietZone: Int = 4, title: String) throws -> String {
        guard Self.svgModuleSizes.contains(moduleSize) else {
            throw QRCodeError(
                code: .invalidScale,
                message: "the SVG module size must be \(Self.svgModuleSizes.lowerBound) to "
                    + "\(Self.svgModuleSizes.upperBound) pixels, not \(moduleSize)")
        }
        try Self.checkQuietZone(quietZone)
        let side = size + 2 * quietZone
        let pixels = side * moduleSize
        var path = ""
        for y in 0..<size {
            var x = 0
            while x < size {
                guard isDark(x: x, y: y) else {
                    x += 1
                    continue
                }
                var run = 1
                while isDark(x: x + run, y: y) { run += 1 }
                path += "M\(x + quietZone) \(y + quietZone)h\(run)v1h-\(run)z"
                x += run
            }
        }
        let label = Self.escapeXML(title)
        return """
            <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(side) \(side)" width="\(pixels)" \
            height="\(pixels)" role="img" aria-label="\(label)" shape-rendering="crispEdges">\
            <title>\(label)</title><rect width="\(side)" height="\(side)" fill="#fff"/>\
            <path fill="#000" d="\(path)"/></svg>
            """
    }

    static func checkQuietZone(_ quietZone: Int) throws {
        guard quietZones.contains(quietZone) else {
            throw QRCodeError(
                code: .invalidQuietZone,
                message: "the quiet zone must be \(quietZones.lowerBound) to \(quietZones.upperBound) modules, "
                    + "not \(quietZone)")
        }
    }

    /// Escapes text for an XML attribute value or element content.
    static func escapeXML(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                // XML 1.0 allows no C0 control characters but tab, line feed and carriage return.
                if character.value < 0x20 && character != "\t" && character != "\n" && character != "\r" {
                    out += " "
                } else {
                    out.unicodeScalars.append(character)
                }
            }
        }
        return out
    }
}
