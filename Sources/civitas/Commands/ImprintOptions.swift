import ArgumentParser
import Trust

/// What was time-stamped: a file, or a digest given in hex.
struct ImprintOptions: ParsableArguments {
    @Option(help: "The file to time-stamp (hashed here; the file itself is never sent).")
    var data: String?

    @Option(help: "The digest to time-stamp, in hex.")
    var digest: String?

    @Option(help: "sha256, sha384 or sha512 (default: sha256; for --digest, from its length).")
    var hash: String?

    func validate() throws {
        if let hash, Self.algorithm(named: hash) == nil {
            throw ValidationError("--hash must be sha256, sha384 or sha512")
        }
    }

    static func algorithm(named name: String) -> CMSDigestAlgorithm? {
        CMSDigestAlgorithm.allCases.first { "\($0)" == name.lowercased() }
    }

    /// The algorithm and digest: the file hashed, or the hex decoded and its length checked.
    func digest(defaultAlgorithm: CMSDigestAlgorithm) throws -> (CMSDigestAlgorithm, [UInt8]) {
        let named = hash.flatMap(Self.algorithm(named:))
        if let data {
            let algorithm = named ?? defaultAlgorithm
            return (algorithm, algorithm.hash(try TimeStampCommand.read(data)))
        }
        guard let bytes = Self.bytes(hex: digest ?? "") else {
            throw ValidationError("--digest must be an even number of hex digits")
        }
        let algorithm = named ?? CMSDigestAlgorithm.allCases.first { $0.digestLength == bytes.count }
        guard let algorithm, algorithm.digestLength == bytes.count else {
            throw ValidationError(
                "--digest has \(bytes.count) bytes; SHA-256, SHA-384 and SHA-512 digests have 32, 48 and 64")
        }
        return (algorithm, bytes)
    }

    static func bytes(hex: String) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard !digits.isEmpty, digits.count.isMultiple(of: 2) else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(digits.count / 2)
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else { return nil }
            out.append(high << 4 | low)
        }
        return out
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
