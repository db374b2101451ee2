/// The modules of one symbol while it is built: which are dark, and which belong to a function pattern (finder,
/// separator, timing, alignment, format and version information, the dark module) and so carry no data and are
/// never masked.
struct QRMatrix: Hashable, Sendable {
    let version: Int
    /// Modules on a side: 21 for version 1, four more for each version after it.
    let size: Int
    private(set) var modules: [Bool]
    private(set) var isFunction: [Bool]

    /// A symbol with its function patterns drawn and its format information area reserved (light).
    init(version: Int) {
        precondition((1...40).contains(version))
        self.version = version
        self.size = version * 4 + 17
        self.modules = [Bool](repeating: false, count: size * size)
        self.isFunction = [Bool](repeating: false, count: size * size)
        drawFunctionPatterns()
    }

    subscript(x: Int, y: Int) -> Bool {
        modules[y * size + x]
    }

    func isFunctionModule(x: Int, y: Int) -> Bool {
        isFunction[y * size + x]
    }

    mutating func setFunctionModule(x: Int, y: Int, dark: Bool) {
        modules[y * size + x] = dark
        isFunction[y * size + x] = true
    }

    mutating func setDataModule(x: Int, y: Int, dark: Bool) {
        modules[y * size + x] = dark
    }

    /// Modules that carry data or error correction bits (and the remainder bits), for a version.
    static func dataModuleCount(version: Int) -> Int {
        QRMatrix(version: version).isFunction.lazy.filter { !$0 }.count
    }
}
