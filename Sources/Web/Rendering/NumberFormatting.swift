public import CivitasCore

extension Language {
    /// `value` with thousands grouped as the language writes them: `1,000,000` in English and Korean, `1 000 000`
    /// (with no-break spaces) in Georgian.
    public func grouped(_ value: Int) -> String {
        let separator = self == .georgian ? "\u{00A0}" : ","
        let digits = String(value.magnitude)
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index).isMultiple(of: 3) { out += separator }
            out.append(digit)
        }
        return value < 0 ? "-" + out : out
    }
}
