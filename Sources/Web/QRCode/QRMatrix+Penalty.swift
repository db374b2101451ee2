extension QRMatrix {
    /// The penalty score of the masked symbol (7.8.3.1, Table 11); the encoder keeps the mask with the lowest.
    ///
    /// The symbol is scored as a reader sees it, with its format and version information drawn. For the
    /// finder-like pattern (rule 3), modules beyond the edge count as light, since the quiet zone is.
    var penalty: Int {
        var score = 0
        for line in 0..<size {
            score += lineScore(row: line)
            score += lineScore(column: line)
        }
        // Rule 2: each 2 × 2 block of one colour, 3 points (N2); an m × n block is (m − 1)(n − 1) such blocks.
        for y in 0..<(size - 1) {
            for x in 0..<(size - 1) {
                let colour = self[x, y]
                if self[x + 1, y] == colour && self[x, y + 1] == colour && self[x + 1, y + 1] == colour {
                    score += 3
                }
            }
        }
        // Rule 4: 10 points (N4) for each full 5 % by which the dark share departs from 50 %.
        let dark = modules.lazy.filter { $0 }.count
        let total = size * size
        score += abs(dark * 100 - total * 50) / (total * 5) * 10
        return score
    }

    private func lineScore(row y: Int) -> Int {
        Self.lineScore((0..<size).map { self[$0, y] })
    }

    private func lineScore(column x: Int) -> Int {
        Self.lineScore((0..<size).map { self[x, $0] })
    }

    /// Rules 1 and 3 along one row or column.
    static func lineScore(_ line: [Bool]) -> Int {
        var score = 0
        // Rule 1: a run of 5 + i modules of one colour, 3 + i points (N1 = 3).
        var runStart = 0
        for index in 1...line.count where index == line.count || line[index] != line[runStart] {
            let length = index - runStart
            if length >= 5 { score += 3 + (length - 5) }
            runStart = index
        }
        // Rule 3: dark-light-dark-dark-dark-light-dark with four light modules before or after it, 40 points (N3).
        let pattern = [true, false, true, true, true, false, true]
        func isLight(_ index: Int) -> Bool { index < 0 || index >= line.count || !line[index] }
        if line.count >= 7 {
            for start in 0...(line.count - 7) where (0..<7).allSatisfy({ line[start + $0] == pattern[$0] }) {
                let lightBefore = (start - 4..<start).allSatisfy(isLight)
                let lightAfter = (start + 7..<start + 11).allSatisfy(isLight)
                if lightBefore || lightAfter { score += 40 }
            }
        }
        return score
    }
}
