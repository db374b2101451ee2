/// The text of a symbol as one data segment: its mode, its character count and its data bits, without the
/// mode and count indicators, whose width depends on the version (ISO/IEC 18004:2015, 7.4.3 to 7.4.5).
struct QRSegment: Hashable, Sendable {
    let mode: QRCode.Mode
    /// Characters for numeric and alphanumeric mode, bytes for byte mode.
    let characterCount: Int
    let data: QRBitBuffer

    /// The 45 characters of alphanumeric mode, each at its value (Table 5).
    static let alphanumericCharset = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:".utf8)

    /// The most compact single segment that holds the whole text.
    init(text: String) {
        let bytes = Array(text.utf8)
        if bytes.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            self.init(numeric: bytes)
        } else if bytes.allSatisfy({ Self.alphanumericValue($0) != nil }) {
            self.init(alphanumeric: bytes)
        } else {
            self.init(byte: bytes)
        }
    }

    static func alphanumericValue(_ byte: UInt8) -> Int? {
        alphanumericCharset.firstIndex(of: byte)
    }

    /// Three digits in 10 bits, a last pair in 7, a last single digit in 4 (7.4.3).
    private init(numeric digits: [UInt8]) {
        var buffer = QRBitBuffer()
        var index = 0
        while index < digits.count {
            let group = digits[index..<min(index + 3, digits.count)]
            let value = group.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
            buffer.append(value, width: group.count * 3 + 1)
            index += 3
        }
        self.init(mode: .numeric, characterCount: digits.count, data: buffer)
    }

    /// Two characters as 45 × first + second in 11 bits, a last single one in 6 (7.4.4).
    private init(alphanumeric characters: [UInt8]) {
        var buffer = QRBitBuffer()
        var index = 0
        while index + 1 < characters.count {
            let first = Self.alphanumericValue(characters[index])!
            let second = Self.alphanumericValue(characters[index + 1])!
            buffer.append(first * 45 + second, width: 11)
            index += 2
        }
        if index < characters.count {
            buffer.append(Self.alphanumericValue(characters[index])!, width: 6)
        }
        self.init(mode: .alphanumeric, characterCount: characters.count, data: buffer)
    }

    /// Eight bits a byte (7.4.5). The bytes are UTF-8 with no ECI header: phone scanners and the common
    /// decoders take byte-mode data as UTF-8 when it is valid UTF-8, and an ECI would cost 12 bits and
    /// confuse older readers.
    private init(byte bytes: [UInt8]) {
        var buffer = QRBitBuffer()
        for byte in bytes { buffer.append(Int(byte), width: 8) }
        self.init(mode: .byte, characterCount: bytes.count, data: buffer)
    }

    private init(mode: QRCode.Mode, characterCount: Int, data: QRBitBuffer) {
        self.mode = mode
        self.characterCount = characterCount
        self.data = data
    }

    /// The bits the segment takes in a symbol of this version with its indicators, or nil when its character
    /// count does not fit the count indicator.
    func bitLength(version: Int) -> Int? {
        let countBits = mode.countBits(version: version)
        guard characterCount < 1 << countBits else { return nil }
        return 4 + countBits + data.count
    }
}
