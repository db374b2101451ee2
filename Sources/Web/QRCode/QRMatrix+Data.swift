extension QRMatrix {
    /// Places the final codeword sequence (7.7.3, Figure 21): in two-module-wide columns from the right edge,
    /// upwards then downwards in turn, right module before left, skipping function modules and the vertical
    /// timing column; each codeword most significant bit first. Modules left over are the remainder bits, 0.
    mutating func placeCodewords(_ codewords: [UInt8]) {
        var bitIndex = 0
        let bitCount = codewords.count * 8
        var upward = true
        var right = size - 1
        while right >= 1 {
            if right == 6 { right = 5 }
            for step in 0..<size {
                let y = upward ? size - 1 - step : step
                for x in [right, right - 1] where !isFunctionModule(x: x, y: y) {
                    var dark = false
                    if bitIndex < bitCount {
                        dark = codewords[bitIndex >> 3] >> (7 - UInt8(bitIndex & 7)) & 1 == 1
                        bitIndex += 1
                    }
                    setDataModule(x: x, y: y, dark: dark)
                }
            }
            upward.toggle()
            right -= 2
        }
    }

    /// Whether mask pattern `mask` (0–7) inverts the module in column `x` and row `y` (7.8.2, Table 10,
    /// where i is the row and j the column).
    static func maskInverts(_ mask: Int, x j: Int, y i: Int) -> Bool {
        switch mask {
        case 0: (i + j) % 2 == 0
        case 1: i % 2 == 0
        case 2: j % 3 == 0
        case 3: (i + j) % 3 == 0
        case 4: (i / 2 + j / 3) % 2 == 0
        case 5: (i * j) % 2 + (i * j) % 3 == 0
        case 6: ((i * j) % 2 + (i * j) % 3) % 2 == 0
        default: ((i + j) % 2 + (i * j) % 3) % 2 == 0
        }
    }

    /// XORs a mask pattern over the data modules; applying it twice restores them.
    mutating func applyMask(_ mask: Int) {
        for y in 0..<size {
            for x in 0..<size where !isFunctionModule(x: x, y: y) && Self.maskInverts(mask, x: x, y: y) {
                setDataModule(x: x, y: y, dark: !self[x, y])
            }
        }
    }
}
