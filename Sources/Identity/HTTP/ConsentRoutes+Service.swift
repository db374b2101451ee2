import Foundation
import HTTPTypes
import Hummingbird
import Trust
import Web

extension ConsentRoutes {
    /// The service group: individuals, reading agreements and policies, verification, and each individual's
    /// consent records (`consent.service`).
    func registerService(in routes: RouteTable) {
        let store = self.store
        route(routes, .post, "/service/individual", .service) { request, _, client in
            try await Self.createIndividual(store, request, client)
        }
        route(routes, .get, "/service/individual/{individualId}", .service) { _, context, _ in
            try await Self.readIndividual(store, context)
        }
        route(routes, .put, "/service/individual/{individualId}", .service) { request, context, client in
            let id = try Self.identifier(context.parameters.get("individualId"), "individualId")
            let body = try await Self.decode(IndividualBody.self, from: request)
            return try Self.json([
                "individual": try await store.updateIndividual(id: id, body.fields, actor: Self.actor(client))
            ])
        }
        route(routes, .get, "/service/individuals", .service) { request, _, _ in
            try Self.json(["individuals": try await store.individuals(page: try Self.page(request))])
        }
        route(routes, .get, "/service/data-agreement/{dataAgreementId}", .service) { request, context, _ in
            try await Self.readDataAgreement(store, request, context)
        }
        route(routes, .get, "/service/policy/{policyId}", .service) { request, context, _ in
            try await Self.readPolicy(store, request, context)
        }

        route(routes, .get, "/service/verification/data-agreements", .service) { request, _, _ in
            try Self.json(["dataAgreements": try await store.dataAgreements(page: try Self.page(request))])
        }
        route(routes, .get, "/service/verification/consent-records", .service) { request, _, _ in
            try Self.json([
                "consentRecords": try await store.records(try Self.filter(request), page: try Self.page(request))
            ])
        }
        route(routes, .get, "/service/verification/consent-record/{consentRecordId}", .service) { _, context, _ in
            let id = try Self.identifier(context.parameters.get("consentRecordId"), "consentRecordId")
            guard let (record, revision) = try await store.record(id: id) else {
                throw HTTPProblem.notFound("No consent record \(id).")
            }
            // `valid` is a Civitas addition: every revision's hash, chain and seal checked.
            return try Self.json([
                "consentRecord": record, "revision": revision, "valid": try await store.verifyRecord(id: id),
            ])
        }

        route(routes, .post, "/service/individual/record/data-agreement/{dataAgreementId}", .service) {
            request, context, client in
            let agreement = try Self.identifier(context.parameters.get("dataAgreementId"), "dataAgreementId")
            let individual = try Self.individualID(request)
            let revisionID = try request.uri.queryParameters.get("revisionId").map {
                try Self.identifier($0, "revisionId")
            }
            let (record, revision) = try await store.createRecord(
                dataAgreementID: agreement, revisionID: revisionID, individualID: individual,
                actor: Self.actor(client))
            return try Self.json(["consentRecord": record, "revision": revision])
        }
        route(routes, .get, "/service/individual/record/data-agreement/{dataAgreementId}", .service) {
            request, context, _ in
            let agreement = try Self.identifier(context.parameters.get("dataAgreementId"), "dataAgreementId")
            let individual = try Self.individualID(request)
            guard let (record, _) = try await store.record(individualID: individual, dataAgreementID: agreement)
            else { throw HTTPProblem.notFound("The individual has no consent record for \(agreement).") }
            return try Self.json(["consentRecord": record])
        }
        route(routes, .get, "/service/individual/record/data-agreement/{dataAgreementId}/all", .service) {
            request, context, _ in
            let agreement = try Self.identifier(context.parameters.get("dataAgreementId"), "dataAgreementId")
            let individual = try Self.individualID(request)
            let filter = ConsentStore.RecordFilter(individualID: individual, dataAgreementID: agreement)
            return try Self.json(["consentRecords": try await store.records(filter, page: try Self.page(request))])
        }
        route(routes, .get, "/service/individual/record/consent-record", .service) { request, _, _ in
            let filter = ConsentStore.RecordFilter(individualID: try Self.individualID(request))
            return try Self.json(["consentRecords": try await store.records(filter, page: try Self.page(request))])
        }
        route(routes, .put, "/service/individual/record/consent-record/{consentRecordId}", .service) {
            request, context, client in
            let id = try Self.identifier(context.parameters.get("consentRecordId"), "consentRecordId")
            let individual = try Self.individualID(request)
            let body = try await Self.decode(ConsentRecordBody.self, from: request)
            let (record, revision) = try await store.updateRecord(
                id: id, individualID: individual, optIn: body.consentRecord.optIn, actor: Self.actor(client))
            return try Self.json(["consentRecord": record, "revision": revision])
        }

        // The individual's own signatures and the right to be forgotten are not offered: see decision 0017.
        let unsupported: [(HTTPRequest.Method, String, String)] = [
            (
                .post, "/service/individual/record/consent-record/draft",
                "Drafts for the individual to sign are not offered: every revision is sealed by the service."
            ),
            (
                .post, "/service/individual/record/consent-record",
                "Records signed by the individual are not offered: create one with POST "
                    + "/service/individual/record/data-agreement/{dataAgreementId}/; the service seals it."
            ),
            (
                .post, "/service/individual/record/consent-record/{consentRecordId}/signature",
                "Signatures by the individual are not offered: every revision is sealed by the service."
            ),
            (
                .put, "/service/individual/record/consent-record/{consentRecordId}/signature",
                "Signatures by the individual are not offered: every revision is sealed by the service."
            ),
            (
                .delete, "/service/individual/record",
                "Consent records are an append-only history; they are not deleted."
            ),
        ]
        for (method, path, detail) in unsupported {
            route(routes, method, path, .service) { _, _, _ in
                throw HTTPProblem(.notImplemented, code: "not-implemented", detail: detail)
            }
        }
    }

    /// `individualId` and `dataAgreementId` from the query.
    static func filter(_ request: Request) throws -> ConsentStore.RecordFilter {
        ConsentStore.RecordFilter(
            individualID: try request.uri.queryParameters.get("individualId").map {
                try identifier($0, "individualId")
            },
            dataAgreementID: try request.uri.queryParameters.get("dataAgreementId").map {
                try identifier($0, "dataAgreementId")
            })
    }
}
