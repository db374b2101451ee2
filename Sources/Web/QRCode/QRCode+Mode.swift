extension QRCode {
    /// The encoding mode of the symbol's one data segment (ISO/IEC 18004:2015, 7.4).
    ///
    /// The encoder picks the most compact mode that can hold the whole text: numeric for digits only,
    /// alphanumeric for the 45 characters `0–9 A–Z space $ % * + - . / :`, and bytes (UTF-8) for anything else.
    public enum Mode: String, CaseIterable, Hashable, Sendable {
        /// Digits only, three in 10 bits.
        case numeric
        /// Upper-case letters, digits and nine symbols, two in 11 bits.
        case alphanumeric
        /// Any text as UTF-8, eight bits a byte.
        case byte

        /// The four-bit mode indicator (Table 2).
        var indicator: Int {
            switch self {
            case .numeric: 0b0001
            case .alphanumeric: 0b0010
            case .byte: 0b0100
            }
        }

        /// The width of the character count indicator for a version (Table 3).
        func countBits(version: Int) -> Int {
            let range = version <= 9 ? 0 : version <= 26 ? 1 : 2
            switch self {
            case .numeric: return [10, 12, 14][range]
            case .alphanumeric: return [9, 11, 13][range]
            case .byte: return [8, 16, 16][range]
            }
        }
    }
}
