/// A QR code symbol (ISO/IEC 18004:2015, Model 2), made from a text so that anyone can scan it, such as the
/// link to a verification page printed on a power of attorney.
///
/// The encoder puts the whole text in one segment of the most compact mode that holds it (numeric,
/// alphanumeric, or UTF-8 bytes), picks the smallest version from 1 to 40 it fits at the error correction level
/// asked for, and, unless told which, the mask pattern with the lowest penalty score (7.8.3). Draw it with
/// ``svg(moduleSize:quietZone:title:)`` or ``png(scale:quietZone:)``, or read the modules with ``isDark(x:y:)``.
///
/// ```swift
/// let code = try QRCode(text: "https://civitas.example/verify/POA-7F3K", correction: .medium)
/// let image = try code.svg(moduleSize: 4, quietZone: 4, title: "Scan to verify this power of attorney")
/// ```
public struct QRCode: Hashable, Sendable {
    /// The version, 1 to 40; a version-v symbol is 4v + 17 modules on a side.
    public let version: Int

    /// The error correction level.
    public let correction: Correction

    /// The data mask pattern applied, 0 to 7.
    public let mask: Int

    /// The mode the text was encoded in.
    public let mode: Mode

    /// Modules on a side, without the quiet zone.
    public let size: Int

    private let modules: [Bool]

    /// Encodes a text.
    ///
    /// - Parameters:
    ///   - text: What a scanner should read back, exactly; it must not be empty.
    ///   - correction: The error correction level; M suits screens and paper.
    ///   - version: A version to use instead of the smallest that fits (for tests and fixed layouts).
    ///   - mask: A mask pattern to use instead of the best-scoring one (for tests).
    /// - Throws: ``QRCodeError`` when the text is empty, does not fit (version 40, or the version asked
    ///   for), or the version or mask is out of range.
    public init(text: String, correction: Correction = .medium, version: Int? = nil, mask: Int? = nil) throws {
        guard !text.isEmpty else {
            throw QRCodeError(code: .emptyText, message: "there is no text to encode")
        }
        if let version, !(1...40).contains(version) {
            throw QRCodeError(code: .invalidVersion, message: "a QR code version is 1 to 40, not \(version)")
        }
        if let mask, !(0...7).contains(mask) {
            throw QRCodeError(code: .invalidMask, message: "a QR code mask pattern is 0 to 7, not \(mask)")
        }
        let segment = QRSegment(text: text)
        let candidates = version.map { [$0] } ?? Array(1...40)
        guard
            let layout = candidates.lazy.map({ QRBlockLayout(version: $0, correction: correction) })
                .first(where: { layout in
                    segment.bitLength(version: layout.version).map { $0 <= layout.dataCodewords * 8 } ?? false
                })
        else {
            let limit = version.map { "version \($0)" } ?? "the largest QR code (version 40)"
            throw QRCodeError(
                code: .dataTooLong,
                message: "the text, \(segment.characterCount) characters in \(segment.mode) mode, does not fit "
                    + "\(limit) at error correction level \(correction.rawValue)")
        }

        let codewords = Self.codewords(segment: segment, layout: layout)
        var matrix = QRMatrix(version: layout.version)
        matrix.placeCodewords(codewords)

        let chosenMask: Int
        if let mask {
            chosenMask = mask
        } else {
            var best: (mask: Int, penalty: Int)?
            for candidate in 0...7 {
                var trial = matrix
                trial.applyMask(candidate)
                trial.drawFormatBits(QRFormatInformation.formatBits(correction: correction, mask: candidate))
                let penalty = trial.penalty
                if best == nil || penalty < best!.penalty { best = (candidate, penalty) }
            }
            chosenMask = best!.mask
        }
        matrix.applyMask(chosenMask)
        matrix.drawFormatBits(QRFormatInformation.formatBits(correction: correction, mask: chosenMask))

        self.version = layout.version
        self.correction = correction
        self.mask = chosenMask
        self.mode = segment.mode
        self.size = matrix.size
        self.modules = matrix.modules
    }

    /// Whether the module in column `x` and row `y` (both from 0 at the top left) is dark; anything outside
    /// the symbol is light, as the quiet zone is.
    public func isDark(x: Int, y: Int) -> Bool {
        guard (0..<size).contains(x), (0..<size).contains(y) else { return false }
        return modules[y * size + x]
    }

    /// The data codewords (7.4.9 and 7.4.10) then the error correction codewords of every block, interleaved
    /// (7.6): data codeword 1 of each block in turn, then codeword 2, and so on, then the same for the error
    /// correction codewords.
    static func codewords(segment: QRSegment, layout: QRBlockLayout) -> [UInt8] {
        let data = dataCodewords(segment: segment, layout: layout)
        var blocks: [[UInt8]] = []
        var offset = 0
        for length in layout.dataCodewordsPerBlock {
            blocks.append(Array(data[offset..<(offset + length)]))
            offset += length
        }
        let corrections = blocks.map {
            ReedSolomon.correctionCodewords(for: $0, count: layout.correctionCodewordsPerBlock)
        }
        var result: [UInt8] = []
        result.reserveCapacity(layout.totalCodewords)
        for index in 0..<(blocks.map(\.count).max() ?? 0) {
            for block in blocks where index < block.count { result.append(block[index]) }
        }
        for index in 0..<layout.correctionCodewordsPerBlock {
            for correction in corrections { result.append(correction[index]) }
        }
        return result
    }

    /// Mode indicator, character count, data, terminator (up to four 0 bits), zero bits to the byte boundary,
    /// then the pad codewords 11101100 and 00010001 in turn until the symbol's data capacity is full.
    static func dataCodewords(segment: QRSegment, layout: QRBlockLayout) -> [UInt8] {
        let capacity = layout.dataCodewords * 8
        var buffer = QRBitBuffer()
        buffer.append(segment.mode.indicator, width: 4)
        buffer.append(segment.characterCount, width: segment.mode.countBits(version: layout.version))
        buffer.append(contentsOf: segment.data)
        buffer.append(0, width: min(4, capacity - buffer.count))
        buffer.append(0, width: (8 - buffer.count % 8) % 8)
        var bytes = buffer.bytes
        var pad: UInt8 = 0xEC
        while bytes.count < layout.dataCodewords {
            bytes.append(pad)
            pad = pad == 0xEC ? 0x11 : 0xEC
        }
        return bytes
    }
}
