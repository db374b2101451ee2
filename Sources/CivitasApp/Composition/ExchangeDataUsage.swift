import CivitasCore
import Exchange
import Foundation
import Identity

/// The citizen's page's source of data usage: every provider's data tracker, asked through the portal's own
/// exchange node (``PersonalDataUsageClient``).
struct ExchangeDataUsage: PersonalDataUsageSource {
    let client: PersonalDataUsageClient

    func dataUsage(of person: PersonalNumber) async throws -> PersonalDataUsageList {
        let report = try await client.uses(of: person.rawValue)
        return PersonalDataUsageList(
            uses: report.uses.map { use in
                PersonalDataUsageList.Use(
                    organisation: use.readerInstitutionName.isEmpty
                        ? use.readerInstitutionId : use.readerInstitutionName,
                    system: use.readerApplicationName, officer: use.readerId.isEmpty ? nil : use.readerId,
                    service: use.serviceCode, purpose: use.purpose, at: use.date ?? .distantPast,
                    reference: use.refrences.first?.referenceID ?? use.id)
            },
            unanswered: report.unanswered.map(\.provider))
    }
}
