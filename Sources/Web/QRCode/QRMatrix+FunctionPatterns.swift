extension QRMatrix {
    /// Draws every function pattern of the version (ISO/IEC 18004:2015, 6.3) and reserves the format area.
    mutating func drawFunctionPatterns() {
        // Timing patterns first (6.3.5): the finders and alignment patterns drawn after them take their ends.
        for index in 0..<size {
            setFunctionModule(x: 6, y: index, dark: index % 2 == 0)
            setFunctionModule(x: index, y: 6, dark: index % 2 == 0)
        }
        drawFinder(centerX: 3, centerY: 3)
        drawFinder(centerX: size - 4, centerY: 3)
        drawFinder(centerX: 3, centerY: size - 4)

        let centers = Self.alignmentCenters(version: version)
        for (row, y) in centers.enumerated() {
            for (column, x) in centers.enumerated() {
                let last = centers.count - 1
                // The three corners where the finder patterns are hold no alignment pattern.
                if (row == 0 && column == 0) || (row == 0 && column == last) || (row == last && column == 0) {
                    continue
                }
                drawAlignment(centerX: x, centerY: y)
            }
        }

        // Reserve the format information (drawn once the mask is chosen) and set the dark module (7.9.1).
        drawFormatBits(0)
        setFunctionModule(x: 8, y: size - 8, dark: true)
        if version >= 7 { drawVersionInformation() }
    }

    /// A 7 × 7 finder pattern (6.3.3) with its one-module light separator (6.3.4) where it lies in the symbol.
    private mutating func drawFinder(centerX: Int, centerY: Int) {
        for dy in -4...4 {
            for dx in -4...4 {
                let x = centerX + dx
                let y = centerY + dy
                guard (0..<size).contains(x), (0..<size).contains(y) else { continue }
                let ring = max(abs(dx), abs(dy))
                setFunctionModule(x: x, y: y, dark: ring != 2 && ring != 4)
            }
        }
    }

    /// A 5 × 5 alignment pattern (6.3.6): a dark ring, a light ring and a dark centre.
    private mutating func drawAlignment(centerX: Int, centerY: Int) {
        for dy in -2...2 {
            for dx in -2...2 {
                setFunctionModule(x: centerX + dx, y: centerY + dy, dark: max(abs(dx), abs(dy)) != 1)
            }
        }
    }

    /// The row and column coordinates of the alignment pattern centres (Annex E, Table E.1).
    ///
    /// Table E.1 follows a rule: the first centre is at 6, the last at size − 7, and the ones between are evenly
    /// spaced, the spacing being the smallest even number that covers the distance, counted back from the
    /// last; the first gap takes what is left. Version 32 is the one exception, with a spacing of 26 where the
    /// rule gives 28.
    static func alignmentCenters(version: Int) -> [Int] {
        guard version >= 2 else { return [] }
        let count = version / 7 + 2
        let size = version * 4 + 17
        let distance = size - 13
        var step = (distance + count - 2) / (count - 1)
        if step % 2 == 1 { step += 1 }
        if version == 32 { step = 26 }
        var centers = [6]
        for index in 0..<(count - 1) {
            centers.append(size - 7 - (count - 2 - index) * step)
        }
        return centers
    }

    /// Both copies of the 15 format bits (7.9.1, Figure 25), bit 0 being the least significant.
    mutating func drawFormatBits(_ bits: Int) {
        func bit(_ index: Int) -> Bool { bits >> index & 1 == 1 }
        // Around the top-left finder: down column 8 (skipping the timing row), then left along row 8.
        for index in 0...5 { setFunctionModule(x: 8, y: index, dark: bit(index)) }
        setFunctionModule(x: 8, y: 7, dark: bit(6))
        setFunctionModule(x: 8, y: 8, dark: bit(7))
        setFunctionModule(x: 7, y: 8, dark: bit(8))
        for index in 9...14 { setFunctionModule(x: 14 - index, y: 8, dark: bit(index)) }
        // The second copy: along row 8 under the top-right finder, then up column 8 by the bottom-left one.
        for index in 0...7 { setFunctionModule(x: size - 1 - index, y: 8, dark: bit(index)) }
        for index in 8...14 { setFunctionModule(x: 8, y: size - 15 + index, dark: bit(index)) }
    }

    /// Both 6 × 3 copies of the 18 version bits (7.10, Figure 27), by the top-right and bottom-left finders.
    private mutating func drawVersionInformation() {
        let bits = QRFormatInformation.versionBits(version: version)
        for index in 0..<18 {
            let dark = bits >> index & 1 == 1
            let across = size - 11 + index % 3
            let along = index / 3
            setFunctionModule(x: across, y: along, dark: dark)
            setFunctionModule(x: along, y: across, dark: dark)
        }
    }
}
