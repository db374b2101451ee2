extension QRCode {
    /// The error correction level (ISO/IEC 18004:2015, 5.3.8): how much of the symbol may be damaged or
    /// covered and still be read, paid for with a larger symbol.
    public enum Correction: String, CaseIterable, Hashable, Sendable {
        /// Level L: about 7 % of the codewords can be restored.
        case low = "L"
        /// Level M: about 15 %; the usual choice for a screen or a printed page.
        case medium = "M"
        /// Level Q: about 25 %.
        case quartile = "Q"
        /// Level H: about 30 %; for symbols that may be soiled, folded or overprinted.
        case high = "H"

        /// The two bits that stand for the level in the format information (Table 12).
        var formatBits: Int {
            switch self {
            case .low: 0b01
            case .medium: 0b00
            case .quartile: 0b11
            case .high: 0b10
            }
        }

        /// The row of the level in the block tables, in the order L, M, Q, H.
        var tableIndex: Int {
            switch self {
            case .low: 0
            case .medium: 1
            case .quartile: 2
            case .high: 3
            }
        }
    }
}
