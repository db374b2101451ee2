extension Language {
    /// Picks the best language from an HTTP `Accept-Language` header (RFC 9110, section 12.5.4).
    ///
    /// Entries are weighed by their `q` value; among equal weights the first listed wins. A `q=0` entry excludes the
    /// language. Returns `nil` when the header names nothing we speak, so that the caller can fall back.
    public static func negotiate(acceptLanguage header: String) -> Language? {
        var best: (language: Language, quality: Double)?
        var excluded: Set<Language> = []
        for rawEntry in header.split(separator: ",").prefix(32) {
            let parts = rawEntry.split(separator: ";")
            guard let tagPart = parts.first else { continue }
            let tag = tagPart.trimmingSpaces()
            var quality = 1.0
            for parameter in parts.dropFirst() {
                let pair = parameter.trimmingSpaces().split(separator: "=", maxSplits: 1)
                if pair.count == 2, pair[0] == "q" || pair[0] == "Q" {
                    quality = Double(pair[1]) ?? 0
                }
            }
            guard let language = Language(tag: tag) else { continue }
            if quality <= 0 {
                excluded.insert(language)
                continue
            }
            if best == nil || quality > best!.quality {
                best = (language, quality)
            }
        }
        guard let best, !excluded.contains(best.language) else { return nil }
        return best.language
    }
}

extension Substring {
    fileprivate func trimmingSpaces() -> Substring {
        var result = self
        while let first = result.first, first == " " || first == "\t" { result.removeFirst() }
        while let last = result.last, last == " " || last == "\t" { result.removeLast() }
        return result
    }
}
