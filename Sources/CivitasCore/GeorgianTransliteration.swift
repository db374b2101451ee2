/// Romanisation of Georgian (Mkhedruli) text by Georgia's national system of 2002, adopted by the State
/// Department of Geodesy and Cartography and the Institute of Linguistics, and used in Georgian passports
/// and road signs.
///
/// The 33 letters of modern Mkhedruli map as follows; the six ejective consonants take an apostrophe in
/// the ``Style/national`` style:
///
///     ა a   ბ b   გ g   დ d   ე e   ვ v   ზ z   თ t   ი i   კ k'  ლ l
///     მ m   ნ n   ო o   პ p'  ჟ zh  რ r   ს s   ტ t'  უ u   ფ p   ქ k
///     ღ gh  ყ q'  შ sh  ჩ ch  ც ts  ძ dz  წ ts' ჭ ch' ხ kh  ჯ j   ჰ h
///
/// Mtavruli capitals (U+1C90–U+1CBF), used for headings and all-caps text, are read as the Mkhedruli
/// letters they are capitals of. Georgian script has no letter case of its own, so the romanised text
/// gives every word a capital initial: the output is meant for names, places and addresses. Everything
/// else (Latin letters, digits, punctuation, Georgian letters outside the modern alphabet) passes through
/// unchanged.
public enum GeorgianTransliteration {
    /// How ejective consonants are written.
    public enum Style: Sendable, Hashable, CaseIterable {
        /// The full national system: ejectives carry an apostrophe (კ k', პ p', ტ t', ყ q', წ ts', ჭ ch'),
        /// so that ტ t' and თ t stay distinct. Example: წყალტუბო → Ts'q'alt'ubo.
        case national

        /// The form printed in identity documents and used on road signs: apostrophes are dropped.
        /// Example: წყალტუბო → Tsqaltubo.
        case document
    }

    /// Romanises `s` in the given style, giving each word a capital initial.
    ///
    /// Examples: თბილისი → Tbilisi; ჭიათურა → Ch'iatura (``Style/national``), Chiatura
    /// (``Style/document``); ᲥᲣᲗᲐᲘᲡᲘ (Mtavruli) → Kutaisi.
    public static func latin(_ s: String, style: Style) -> String {
        var result = ""
        result.reserveCapacity(s.utf8.count)
        var previousIsWordCharacter = false
        for scalar in s.unicodeScalars {
            let letter = mkhedruli(scalar)
            if let offset = letterOffset(letter) {
                let forms = table[offset]
                let plain = style == .national ? forms.national : forms.document
                result += previousIsWordCharacter ? plain : capitalised(plain)
                previousIsWordCharacter = true
            } else {
                result.unicodeScalars.append(scalar)
                previousIsWordCharacter = isWordCharacter(scalar)
            }
        }
        return result
    }

    /// Folds a Mtavruli capital onto its Mkhedruli letter: the two blocks are laid out in the same order,
    /// U+1C90 Ა ↔ U+10D0 ა through U+1CBF Ჿ ↔ U+10FF ჿ (U+1CBB and U+1CBC are unassigned).
    static func mkhedruli(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        switch scalar.value {
        case 0x1C90...0x1CBA, 0x1CBD...0x1CBF:
            return Unicode.Scalar(scalar.value - 0x1C90 + 0x10D0) ?? scalar
        default:
            return scalar
        }
    }

    /// The position of a modern Mkhedruli letter (ა U+10D0 through ჰ U+10F0) in ``table``.
    static func letterOffset(_ scalar: Unicode.Scalar) -> Int? {
        switch scalar.value {
        case 0x10D0...0x10F0:
            return Int(scalar.value - 0x10D0)
        default:
            return nil
        }
    }

    /// Letters, digits and combining marks continue a word; anything else (space, hyphen, full stop,
    /// quotation mark) ends it, so the Georgian letter after it starts a new, capitalised word.
    private static func isWordCharacter(_ scalar: Unicode.Scalar) -> Bool {
        let properties = scalar.properties
        if properties.isAlphabetic || properties.numericType != nil {
            return true
        }
        switch properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark:
            return true
        default:
            return false
        }
    }

    /// Romanisations are ASCII, so upper-casing the first byte gives the title case (შ sh → Sh).
    private static func capitalised(_ latin: String) -> String {
        var bytes = Array(latin.utf8)
        if let first = bytes.first, first >= UInt8(ascii: "a"), first <= UInt8(ascii: "z") {
            bytes[0] = first - 0x20
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The 33 letters in Unicode order, ა U+10D0 through ჰ U+10F0.
    private static let table: [(national: String, document: String)] = [
        ("a", "a"),  // ა an
        ("b", "b"),  // ბ ban
        ("g", "g"),  // გ gan
        ("d", "d"),  // დ don
        ("e", "e"),  // ე en
        ("v", "v"),  // ვ vin
        ("z", "z"),  // ზ zen
        ("t", "t"),  // თ tan
        ("i", "i"),  // ი in
        ("k'", "k"),  // კ k'an
        ("l", "l"),  // ლ las
        ("m", "m"),  // მ man
        ("n", "n"),  // ნ nar
        ("o", "o"),  // ო on
        ("p'", "p"),  // პ p'ar
        ("zh", "zh"),  // ჟ zhan
        ("r", "r"),  // რ rae
        ("s", "s"),  // ს san
        ("t'", "t"),  // ტ t'ar
        ("u", "u"),  // უ un
        ("p", "p"),  // ფ par
        ("k", "k"),  // ქ kan
        ("gh", "gh"),  // ღ ghan
        ("q'", "q"),  // ყ q'ar
        ("sh", "sh"),  // შ shin
        ("ch", "ch"),  // ჩ chin
        ("ts", "ts"),  // ც tsan
        ("dz", "dz"),  // ძ dzil
        ("ts'", "ts"),  // წ ts'il
        ("ch'", "ch"),  // ჭ ch'ar
        ("kh", "kh"),  // ხ khan
        ("j", "j"),  // ჯ jan
        ("h", "h"),  // ჰ hae
    ]
}
