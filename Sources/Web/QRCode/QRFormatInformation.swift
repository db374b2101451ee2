/// The BCH-protected words that tell a reader how a symbol was made (ISO/IEC 18004:2015, 7.9 and 7.10, Annex C
/// and D).
enum QRFormatInformation {
    /// The 15-bit format information for a level and mask: five data bits, a BCH(15,5) code from the generator
    /// x¹⁰ + x⁸ + x⁵ + x⁴ + x² + x + 1 (0x537), the whole XORed with 101010000010010 (0x5412) so that it is
    /// never all zeros.
    static func formatBits(correction: QRCode.Correction, mask: Int) -> Int {
        let data = correction.formatBits << 3 | mask
        return (data << 10 | remainder(of: data << 10, generator: 0x537, degree: 10)) ^ 0x5412
    }

    /// The 18-bit version information of versions 7 and up: six data bits and a BCH(18,6) code from the
    /// generator x¹² + x¹¹ + x¹⁰ + x⁹ + x⁸ + x⁵ + x² + 1 (0x1F25).
    static func versionBits(version: Int) -> Int {
        version << 12 | remainder(of: version << 12, generator: 0x1F25, degree: 12)
    }

    /// The remainder of a polynomial over GF(2), as bits, divided by a generator of the given degree.
    private static func remainder(of value: Int, generator: Int, degree: Int) -> Int {
        var value = value
        var bit = Int.bitWidth - 1 - value.leadingZeroBitCount
        while bit >= degree {
            if value >> bit & 1 == 1 { value ^= generator << (bit - degree) }
            bit -= 1
        }
        return value
    }
}
