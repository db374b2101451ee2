import Foundation
import Hummingbird
import Trust
import Web

extension ConsentRoutes {
    /// The config group: policies, data agreements, individuals and webhooks (`consent.config`).
    func registerConfiguration(in routes: RouteTable) {
        let store = self.store
        route(routes, .post, "/config/policy", .configuration) { request, _, client in
            let body = try await Self.decode(PolicyBody.self, from: request)
            let (policy, revision) = try await store.createPolicy(body.value, actor: Self.actor(client))
            return try Self.json(["policy": policy, "revision": revision])
        }
        route(routes, .get, "/config/policy/{policyId}", .configuration) { request, context, _ in
            try await Self.readPolicy(store, request, context)
        }
        route(routes, .put, "/config/policy/{policyId}", .configuration) { request, context, client in
            let id = try Self.identifier(context.parameters.get("policyId"), "policyId")
            let body = try await Self.decode(PolicyBody.self, from: request)
            let (policy, revision) = try await store.updatePolicy(id: id, body.value, actor: Self.actor(client))
            return try Self.json(["policy": policy, "revision": revision])
        }
        route(routes, .delete, "/config/policy/{policyId}", .configuration) { _, context, client in
            let id = try Self.identifier(context.parameters.get("policyId"), "policyId")
            return try Self.json(["revision": try await store.deletePolicy(id: id, actor: Self.actor(client))])
        }
        route(routes, .get, "/config/policy/{policyId}/revisions", .configuration) { request, context, _ in
            let id = try Self.identifier(context.parameters.get("policyId"), "policyId")
            let revisions = try await store.policyRevisions(id: id, page: try Self.page(request))
            let policy = try await store.policy(id: id)?.policy
            return try Self.json(["policy": policy, "revisions": revisions])
        }
        route(routes, .get, "/config/policies", .configuration) { request, _, _ in
            try Self.json(["policies": try await store.policies(page: try Self.page(request))])
        }

        route(routes, .post, "/config/data-agreement", .configuration) { request, _, client in
            let body = try await Self.decode(DataAgreementBody.self, from: request)
            let (agreement, revision) = try await store.createDataAgreement(body.fields, actor: Self.actor(client))
            return try Self.json(["dataAgreement": agreement, "revision": revision])
        }
        route(routes, .get, "/config/data-agreement/{dataAgreementId}", .configuration) { request, context, _ in
            try await Self.readDataAgreement(store, request, context)
        }
        route(routes, .put, "/config/data-agreement/{dataAgreementId}", .configuration) { request, context, client in
            let id = try Self.identifier(context.parameters.get("dataAgreementId"), "dataAgreementId")
            let body = try await Self.decode(DataAgreementBody.self, from: request)
            let (agreement, revision) = try await store.updateDataAgreement(
                id: id, body.fields, actor: Self.actor(client))
            return try Self.json(["dataAgreement": agreement, "revision": revision])
        }
        route(routes, .delete, "/config/data-agreement/{dataAgreementId}", .configuration) { _, context, client in
            let id = try Self.identifier(context.parameters.get("dataAgreementId"), "dataAgreementId")
            return try Self.json(["revision": try await store.deleteDataAgreement(id: id, actor: Self.actor(client))])
        }
        route(routes, .get, "/config/data-agreements", .configuration) { request, _, _ in
            // The specification names this list `dataAgreement` (singular), unlike the audit and verification lists.
            try Self.json(["dataAgreement": try await store.dataAgreements(page: try Self.page(request))])
        }

        route(routes, .post, "/config/individual", .configuration) { request, _, client in
            try await Self.createIndividual(store, request, client)
        }
        route(routes, .get, "/config/individual/{individualId}", .configuration) { _, context, _ in
            try await Self.readIndividual(store, context)
        }
        route(routes, .get, "/config/individuals", .configuration) { request, _, _ in
            try Self.json(["individuals": try await store.individuals(page: try Self.page(request))])
        }

        route(routes, .post, "/config/webhook", .configuration) { request, _, client in
            let body = try await Self.decode(WebhookBody.self, from: request).webhook
            let webhook = try await store.createWebhook(
                payloadUrl: body.payloadUrl, contentType: body.contentType, disabled: body.disabled ?? false,
                secretKey: body.secretKey, actor: Self.actor(client))
            return try Self.json(["webhook": webhook])
        }
        route(routes, .get, "/config/webhook/{webhookId}", .configuration) { _, context, _ in
            let id = try Self.identifier(context.parameters.get("webhookId"), "webhookId")
            guard let webhook = try await store.webhook(id: id) else { throw HTTPProblem.notFound("No webhook \(id).") }
            return try Self.json(["webhook": webhook])
        }
        route(routes, .put, "/config/webhook/{webhookId}", .configuration) { request, context, client in
            let id = try Self.identifier(context.parameters.get("webhookId"), "webhookId")
            let body = try await Self.decode(WebhookBody.self, from: request).webhook
            let webhook = try await store.updateWebhook(
                id: id, payloadUrl: body.payloadUrl, contentType: body.contentType, disabled: body.disabled ?? false,
                secretKey: body.secretKey, actor: Self.actor(client))
            return try Self.json(["webhook": webhook])
        }
        route(routes, .delete, "/config/webhook/{webhookId}", .configuration) { _, context, client in
            let id = try Self.identifier(context.parameters.get("webhookId"), "webhookId")
            try await store.deleteWebhook(id: id, actor: Self.actor(client))
            return try Self.json([:])
        }
        route(routes, .get, "/config/webhooks", .configuration) { request, _, _ in
            try Self.json(["webhooks": try await store.webhooks(page: try Self.page(request))])
        }
    }

    // MARK: - Shared by the groups

    static func readPolicy(
        _ store: ConsentStore, _ request: Request, _ context: CivitasRequestContext
    ) async throws -> Response {
        let id = try identifier(context.parameters.get("policyId"), "policyId")
        let revisionID = try request.uri.queryParameters.get("revisionId").map { try identifier($0, "revisionId") }
        guard let (policy, revision) = try await store.policy(id: id, revisionID: revisionID) else {
            throw HTTPProblem.notFound("No policy \(id)" + (revisionID.map { " with revision \($0)" } ?? "") + ".")
        }
        return try json(["policy": policy, "revision": revision])
    }

    static func readDataAgreement(
        _ store: ConsentStore, _ request: Request, _ context: CivitasRequestContext
    ) async throws -> Response {
        let id = try identifier(context.parameters.get("dataAgreementId"), "dataAgreementId")
        let revisionID = try request.uri.queryParameters.get("revisionId").map { try identifier($0, "revisionId") }
        guard let (agreement, revision) = try await store.dataAgreement(id: id, revisionID: revisionID) else {
            throw HTTPProblem.notFound("No data agreement \(id).")
        }
        return try json(["dataAgreement": agreement, "revision": revision])
    }

    static func createIndividual(
        _ store: ConsentStore, _ request: Request, _ client: APIClient
    ) async throws -> Response {
        let body = try await decode(IndividualBody.self, from: request)
        return try json(["individual": try await store.createIndividual(body.fields, actor: actor(client))])
    }

    static func readIndividual(_ store: ConsentStore, _ context: CivitasRequestContext) async throws -> Response {
        let id = try identifier(context.parameters.get("individualId"), "individualId")
        guard let individual = try await store.individual(id: id) else {
            throw HTTPProblem.notFound("No individual \(id).")
        }
        return try json(["individual": individual])
    }
}
