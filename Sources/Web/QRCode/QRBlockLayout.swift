/// How the codewords of one version at one error correction level are split into Reed–Solomon blocks
/// (ISO/IEC 18004:2015, 7.5 and Table 9).
///
/// Table 9 lists, per version and level, one or two groups of blocks; within a version and level every block
/// has the same number of error correction codewords, and the blocks of the second group carry one data
/// codeword more than those of the first. So two numbers per version and level (error correction codewords
/// per block, and the number of blocks) and the symbol's total codeword count give the whole table.
struct QRBlockLayout: Hashable, Sendable {
    let version: Int
    let correction: QRCode.Correction
    /// All codewords of the symbol, data and error correction (Table 1).
    let totalCodewords: Int
    let correctionCodewordsPerBlock: Int
    let blockCount: Int

    init(version: Int, correction: QRCode.Correction) {
        precondition((1...40).contains(version))
        self.version = version
        self.correction = correction
        self.totalCodewords = QRMatrix.dataModuleCount(version: version) / 8
        self.correctionCodewordsPerBlock = Self.correctionCodewordsPerBlock[correction.tableIndex][version - 1]
        self.blockCount = Self.blockCounts[correction.tableIndex][version - 1]
    }

    /// Data codewords the symbol holds.
    var dataCodewords: Int { totalCodewords - correctionCodewordsPerBlock * blockCount }

    /// Data codewords in each block, the shorter blocks first.
    var dataCodewordsPerBlock: [Int] {
        let shortTotal = totalCodewords / blockCount
        let longBlocks = totalCodewords % blockCount
        let shortData = shortTotal - correctionCodewordsPerBlock
        return (0..<blockCount).map { $0 < blockCount - longBlocks ? shortData : shortData + 1 }
    }

    /// Error correction codewords per block, by level (L, M, Q, H) and version 1–40 (Table 9).
    static let correctionCodewordsPerBlock: [[Int]] = [
        [
            7, 10, 15, 20, 26, 18, 20, 24, 30, 18, 20, 24, 26, 30, 22, 24, 28, 30, 28, 28,
            28, 28, 30, 30, 26, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30,
        ],
        [
            10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26,
            26, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28,
        ],
        [
            13, 22, 18, 26, 18, 24, 18, 22, 20, 24, 28, 26, 24, 20, 30, 24, 28, 28, 26, 30,
            28, 30, 30, 30, 30, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30,
        ],
        [
            17, 28, 22, 16, 22, 28, 26, 26, 24, 28, 24, 28, 22, 24, 24, 30, 28, 28, 26, 28,
            30, 24, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30,
        ],
    ]

    /// Reed–Solomon blocks, by level (L, M, Q, H) and version 1–40 (Table 9, both groups together).
    static let blockCounts: [[Int]] = [
        [
            1, 1, 1, 1, 1, 2, 2, 2, 2, 4, 4, 4, 4, 4, 6, 6, 6, 6, 7, 8,
            8, 9, 9, 10, 12, 12, 12, 13, 14, 15, 16, 17, 18, 19, 19, 20, 21, 22, 24, 25,
        ],
        [
            1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16,
            17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49,
        ],
        [
            1, 1, 2, 2, 4, 4, 6, 6, 8, 8, 8, 10, 12, 16, 12, 17, 16, 18, 21, 20,
            23, 23, 25, 27, 29, 34, 34, 35, 38, 40, 43, 45, 48, 51, 53, 56, 59, 62, 65, 68,
        ],
        [
            1, 1, 2, 4, 4, 4, 5, 6, 8, 8, 11, 11, 16, 16, 18, 16, 19, 21, 25, 25,
            25, 34, 30, 32, 35, 37, 40, 42, 45, 48, 51, 54, 57, 60, 63, 66, 70, 74, 77, 81,
        ],
    ]
}
