import CivitasCore
import Foundation

extension AccountRoutes {
    /// The rows of "what you shared, with whom and when", from the consent records, newest first.
    static func sharingHistory(
        of person: PersonalNumber, provider: OpenIDProvider, _ catalogue: Catalogue
    ) async throws -> [[String: Any]] {
        try await provider.consentRecords.sharingHistory(of: person).map { event -> [String: Any] in
            [
                "controller": event.controller,
                "shared": event.categories.map { catalogue["consent_scope_\($0)"] }.joined(separator: "; "),
                "opt_in": event.optIn, "at": Timestamp(event.at).description, "sealed": event.sealed,
            ]
        }
    }
}
