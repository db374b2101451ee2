import Foundation

/// The list of common passwords the policy refuses, loaded once from the Identity bundle
/// (`CommonPasswords/common-passwords.txt`: source and licence in `common-passwords.LICENSE` beside it).
enum CommonPasswords {
    /// The lowercased, NFC-normalised entries.
    static let entries: Set<String> = {
        guard
            let url = Bundle.module.url(
                forResource: "common-passwords", withExtension: "txt", subdirectory: "CommonPasswords"),
            let text = try? String(contentsOf: url, encoding: .utf8)
        else {
            // The list ships inside the module: without it the build is broken, and accepting every password
            // silently would be worse than stopping.
            fatalError("the Identity bundle has no CommonPasswords/common-passwords.txt")
        }
        return Set(text.split(separator: "\n").map { String($0) })
    }()

    /// Whether `folded` (NFC and lowercased) is on the list.
    static func contains(_ folded: String) -> Bool { entries.contains(folded) }
}
