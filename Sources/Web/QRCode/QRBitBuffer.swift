/// A sequence of bits, most significant first, as the data stream of a symbol is built (ISO/IEC 18004:2015, 7.4).
struct QRBitBuffer: Hashable, Sendable {
    private(set) var bits: [Bool] = []

    var count: Int { bits.count }

    /// Appends the low `width` bits of `value`, the most significant of them first.
    mutating func append(_ value: Int, width: Int) {
        precondition(width >= 0 && width <= 31 && value >> width == 0, "value does not fit its field")
        for shift in stride(from: width - 1, through: 0, by: -1) {
            bits.append((value >> shift) & 1 == 1)
        }
    }

    mutating func append(contentsOf other: QRBitBuffer) {
        bits.append(contentsOf: other.bits)
    }

    /// The bits packed into bytes, the last one padded with zeros.
    var bytes: [UInt8] {
        var out = [UInt8](repeating: 0, count: (bits.count + 7) / 8)
        for (index, bit) in bits.enumerated() where bit {
            out[index >> 3] |= 0x80 >> UInt8(index & 7)
        }
        return out
    }
}
