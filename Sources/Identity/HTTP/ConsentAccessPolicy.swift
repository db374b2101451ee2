import Foundation
import HTTPTypes
import Hummingbird
import Trust
import Web

/// Who may call which group of the Consent API: the one place that decides it.
///
/// A caller is a registered API client; each group needs its scope (`consent.config`, `consent.service`,
/// `consent.audit`). Within the service group, a change to a consent record is allowed only for the individual
/// the record belongs to; the store enforces that for every call, answering as if the record did not exist.
enum ConsentAccessPolicy {
    /// The API's groups.
    enum Group: Sendable {
        case configuration, service, audit

        var scope: APIScope {
            switch self {
            case .configuration: .consentConfig
            case .service: .consentService
            case .audit: .consentAudit
            }
        }
    }

    enum Decision: Sendable {
        case allowed(APIClient)
        case refused(HTTPResponse.Status, code: String, challenge: String, detail: String)
    }

    static func authorize(_ request: Request, group: Group, clients: APIClientRegistry) async -> Decision {
        guard let token = BearerToken.ofGovStack(request) else {
            return .refused(
                .unauthorized, code: "unauthenticated", challenge: "Bearer realm=\"civitas\"",
                detail: "Authenticate with Authorization: Bearer <token> (or X-GovStack-AuthenticationToken).")
        }
        guard let client = try? await clients.authenticate(token: token) else {
            return .refused(
                .unauthorized, code: "invalid-token", challenge: "Bearer realm=\"civitas\", error=\"invalid_token\"",
                detail: "The token is unknown or revoked.")
        }
        let scope = group.scope
        guard client.scopes.contains(scope) else {
            return .refused(
                .forbidden, code: "insufficient-scope",
                challenge: "Bearer realm=\"civitas\", error=\"insufficient_scope\", scope=\"\(scope.rawValue)\"",
                detail: "This client does not have the \(scope.rawValue) scope.")
        }
        return .allowed(client)
    }

}
