/// The cost parameters of scrypt (RFC 7914): `N = 2^logRounds` (CPU and memory cost), `r` (block size) and `p`
/// (parallelism).
///
/// One derivation needs `128 · N · r` bytes of memory, which is what makes guessing on graphics cards and ASICs
/// expensive; ``owaspMinimum`` is the OWASP Password Storage Cheat Sheet's minimum for scrypt.
public struct ScryptParameters: Sendable, Hashable, CustomStringConvertible {
    /// `log2(N)`: the PHC `ln` parameter.
    public var logRounds: Int
    /// `r`, the block size.
    public var blockSize: Int
    /// `p`, the parallelism (run one after the other here, so it multiplies time, not memory).
    public var parallelism: Int

    /// Creates parameters; ``isSupported`` tells whether the hasher accepts them.
    public init(logRounds: Int, blockSize: Int, parallelism: Int) {
        self.logRounds = logRounds
        self.blockSize = blockSize
        self.parallelism = parallelism
    }

    /// `N = 2^17, r = 8, p = 1`: 128 MiB per derivation, OWASP's minimum for scrypt.
    public static let owaspMinimum = ScryptParameters(logRounds: 17, blockSize: 8, parallelism: 1)

    /// The largest memory one derivation may take: a stored hash asking for more is refused rather than run, so a
    /// crafted hash string cannot make the node allocate gigabytes.
    public static let maximumMemoryBytes = 1 << 30

    /// The memory one derivation takes, in bytes (`128 · N · r`, plus the small `p` and scratch blocks).
    public var memoryBytes: Int { 128 * blockSize * ((1 << logRounds) + parallelism + 1) }

    /// Whether these are parameters the hasher runs: `1 ≤ ln ≤ 24`, `1 ≤ r ≤ 64`, `1 ≤ p ≤ 16`, `N < 2^(16·r)`
    /// (RFC 7914) and at most ``maximumMemoryBytes`` of memory.
    public var isSupported: Bool {
        guard (1...24).contains(logRounds), (1...64).contains(blockSize), (1...16).contains(parallelism) else {
            return false
        }
        guard 16 * blockSize > logRounds else { return false }
        return memoryBytes <= Self.maximumMemoryBytes
    }

    /// Whether any of these parameters is below the same parameter of `other`.
    public func isWeaker(than other: ScryptParameters) -> Bool {
        logRounds < other.logRounds || blockSize < other.blockSize || parallelism < other.parallelism
    }

    /// The PHC parameter string, `ln=17,r=8,p=1`.
    public var description: String { "ln=\(logRounds),r=\(blockSize),p=\(parallelism)" }
}
