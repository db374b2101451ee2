public import Audit
import CivitasCore
import Foundation
import SQLKit
import Storage

extension ConsentStore {
    /// What a webhook's secret reads as, except in the answer that created it.
    public static let redactedSecret = "********"

    /// Stores a webhook subscription; a missing secret is generated. Nothing is delivered to it yet.
    ///
    /// - Throws: ``IdentityError`` `.invalidRecord` for a URL that is not https (or http on localhost), a
    ///   content type other than JSON or a form, or a secret shorter than 16 characters.
    public func createWebhook(
        payloadUrl: String, contentType: String, disabled: Bool, secretKey: String?, actor: AuditActor
    ) async throws -> ConsentWebhook {
        let secret = secretKey ?? SessionStore.randomToken()
        let webhook = ConsentWebhook(
            id: Self.newID("wh"), payloadUrl: payloadUrl, contentType: contentType, disabled: disabled,
            secretKey: secret)
        try Self.check(webhook)
        let now = Timestamp(clock.now()).microseconds
        let audit = self.audit
        try await database.transaction { sql in
            try await sql.raw(
                """
                INSERT INTO identity_consent_webhooks (id, payload_url, content_type, disabled, secret_key, created_at)
                VALUES (\(bind: webhook.id), \(bind: payloadUrl), \(bind: contentType), \(bind: disabled ? 1 : 0),
                    \(bind: secret), \(bind: now))
                """
            ).run()
            try await audit.append(
                AuditEvent(
                    actor: actor, action: "identity.consent.webhook.create",
                    object: AuditObject(type: "consent-webhook", id: webhook.id), purpose: "subscribe \(payloadUrl)"),
                in: sql)
        }
        return webhook
    }

    /// Changes a webhook; a `nil` secret keeps the old one.
    ///
    /// - Throws: ``IdentityError`` `.notFound`, `.invalidRecord`.
    public func updateWebhook(
        id: String, payloadUrl: String, contentType: String, disabled: Bool, secretKey: String?, actor: AuditActor
    ) async throws -> ConsentWebhook {
        let audit = self.audit
        return try await database.transaction { sql in
            guard let existing = try await Self.webhook(id: id, redacted: false, in: sql) else {
                throw IdentityError(.notFound, "no webhook \(id)")
            }
            let webhook = ConsentWebhook(
                id: id, payloadUrl: payloadUrl, contentType: contentType, disabled: disabled,
                secretKey: secretKey ?? existing.secretKey)
            try Self.check(webhook)
            try await sql.raw(
                """
                UPDATE identity_consent_webhooks SET payload_url = \(bind: payloadUrl),
                    content_type = \(bind: contentType), disabled = \(bind: disabled ? 1 : 0),
                    secret_key = \(bind: webhook.secretKey)
                WHERE id = \(bind: id)
                """
            ).run()
            try await audit.append(
                AuditEvent(
                    actor: actor, action: "identity.consent.webhook.update",
                    object: AuditObject(type: "consent-webhook", id: id), purpose: "change \(payloadUrl)"),
                in: sql)
            var answer = webhook
            answer.secretKey = Self.redactedSecret
            return answer
        }
    }

    /// Deletes a webhook.
    ///
    /// - Throws: ``IdentityError`` `.notFound`.
    public func deleteWebhook(id: String, actor: AuditActor) async throws {
        let now = Timestamp(clock.now()).microseconds
        let audit = self.audit
        try await database.transaction { sql in
            guard try await Self.webhook(id: id, redacted: true, in: sql) != nil else {
                throw IdentityError(.notFound, "no webhook \(id)")
            }
            try await sql.raw("UPDATE identity_consent_webhooks SET deleted_at = \(bind: now) WHERE id = \(bind: id)")
                .run()
            try await audit.append(
                AuditEvent(
                    actor: actor, action: "identity.consent.webhook.delete",
                    object: AuditObject(type: "consent-webhook", id: id), purpose: "unsubscribe"),
                in: sql)
        }
    }

    /// The webhook `id` (secret redacted), or `nil`.
    public func webhook(id: String) async throws -> ConsentWebhook? {
        try await database.read { sql in try await Self.webhook(id: id, redacted: true, in: sql) }
    }

    /// The webhooks (secrets redacted), by id.
    public func webhooks(page: Page) async throws -> [ConsentWebhook] {
        try await database.read { sql in
            try await sql.raw(
                """
                SELECT id, payload_url, content_type, disabled, secret_key FROM identity_consent_webhooks
                WHERE deleted_at IS NULL ORDER BY id LIMIT \(bind: page.limit) OFFSET \(bind: page.offset)
                """
            ).all().map { try Self.webhook($0, redacted: true) }
        }
    }

    private static func webhook(id: String, redacted: Bool, in sql: any SQLDatabase) async throws -> ConsentWebhook? {
        try await sql.raw(
            """
            SELECT id, payload_url, content_type, disabled, secret_key FROM identity_consent_webhooks
            WHERE id = \(bind: id) AND deleted_at IS NULL
            """
        ).first().map { try webhook($0, redacted: redacted) }
    }

    private static func webhook(_ row: any SQLRow, redacted: Bool) throws -> ConsentWebhook {
        ConsentWebhook(
            id: try row.decode(column: "id", as: String.self),
            payloadUrl: try row.decode(column: "payload_url", as: String.self),
            contentType: try row.decode(column: "content_type", as: String.self),
            disabled: try row.decode(column: "disabled", as: Int64.self) != 0,
            secretKey: redacted ? redactedSecret : try row.decode(column: "secret_key", as: String.self))
    }

    private static func check(_ webhook: ConsentWebhook) throws {
        guard webhook.payloadUrl.count <= 2000, let url = URL(string: webhook.payloadUrl), let host = url.host,
            url.scheme == "https" || (url.scheme == "http" && ["localhost", "127.0.0.1", "::1"].contains(host))
        else { throw IdentityError(.invalidRecord, "payloadUrl is an https URL (http only on localhost)") }
        guard ["application/json", "application/x-www-form-urlencoded"].contains(webhook.contentType) else {
            throw IdentityError(.invalidRecord, "contentType is application/json or application/x-www-form-urlencoded")
        }
        guard (16...200).contains(webhook.secretKey.count) else {
            throw IdentityError(.invalidRecord, "secretKey is 16 to 200 characters")
        }
    }
}
