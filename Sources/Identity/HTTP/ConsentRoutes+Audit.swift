import Foundation
import Hummingbird
import Web

extension ConsentRoutes {
    /// One revision of a record's history, as the audit group shows it (a Civitas addition to the record).
    struct AuditedRevision: Encodable, Sendable {
        var revision: ConsentRevision
        var signature: ConsentSignature?
        var optIn: Bool
        var sharedAttributes: [String]
        var verified: Bool
    }

    /// The audit group: every record, agreement and the full history of a record (`consent.audit`).
    func registerAudit(in routes: RouteTable) {
        let store = self.store
        route(routes, .get, "/audit/consent-records", .audit) { request, _, _ in
            try Self.json([
                "consentRecords": try await store.records(try Self.filter(request), page: try Self.page(request))
            ])
        }
        route(routes, .get, "/audit/consent-record/{consentRecordId}", .audit) { _, context, _ in
            let id = try Self.identifier(context.parameters.get("consentRecordId"), "consentRecordId")
            guard let (record, _) = try await store.record(id: id) else {
                throw HTTPProblem.notFound("No consent record \(id).")
            }
            let history = try await store.history(ofRecord: id).map {
                AuditedRevision(
                    revision: $0.revision, signature: $0.signature, optIn: $0.optIn,
                    sharedAttributes: $0.sharedAttributes, verified: $0.verified)
            }
            return try Self.json(["consentRecord": record, "revisions": history])
        }
        route(routes, .get, "/audit/data-agreements", .audit) { request, _, _ in
            try Self.json(["dataAgreements": try await store.dataAgreements(page: try Self.page(request))])
        }
        route(routes, .get, "/audit/data-agreement/{dataAgreementId}", .audit) { request, context, _ in
            let id = try Self.identifier(context.parameters.get("dataAgreementId"), "dataAgreementId")
            guard let (agreement, _) = try await store.dataAgreement(id: id) else {
                throw HTTPProblem.notFound("No data agreement \(id).")
            }
            return try Self.json(["dataAgreement": agreement])
        }
    }
}
