import CivitasCore
import Foundation
import HTTPTypes
import Hummingbird
public import Web

/// The citizen's two-step login page: turn a TOTP authenticator on (scan the code or type the key, then prove it
/// with a current code and the password) or off (the password and a current code). A stolen session alone can do
/// neither: the password is checked through the login throttle, and the code through the authenticator.
public struct TwoStepRoutes: Sendable {
    private let sessions: BrowserSessions
    private let accounts: AccountStore
    private let renderer: PageRenderer

    /// Creates the routes.
    public init(sessions: BrowserSessions, accounts: AccountStore, renderer: PageRenderer) {
        self.sessions = sessions
        self.accounts = accounts
        self.renderer = renderer
    }

    /// Adds the routes.
    public func register(in routes: RouteTable) {
        routes.get("/account/two-step") { request, context in
            guard let (_, session) = try await sessions.current(request) else { return Self.toLogin }
            return try await page(
                session.personalNumber, secret: TOTPSecret.random(), request: request, context: context)
        }
        routes.post("/account/two-step/enable") { request, context in
            guard let (_, session) = try await sessions.current(request) else { return Self.toLogin }
            var request = request
            let fields = FormFields(String(buffer: try await request.collectBody(upTo: context.maxUploadSize)))
            let person = session.personalNumber
            // A secret the form did not come with (edited, truncated) is replaced, never trusted half-way.
            guard let secret = fields["secret"].flatMap({ try? TOTPSecret(base32: $0) }) else {
                return try await page(
                    person, secret: TOTPSecret.random(), request: request, context: context, status: .badRequest,
                    error: "two_step_error_secret")
            }
            if let refusal = try await checkPassword(of: person, fields["password"] ?? "", context: context) {
                return try await page(
                    person, secret: secret, request: request, context: context, status: refusal.status,
                    error: refusal.key)
            }
            guard try await accounts.enableSecondFactor(of: person, secret: secret, code: Self.digits(fields["code"]))
            else {
                return try await page(
                    person, secret: secret, request: request, context: context, status: .unprocessableContent,
                    error: "two_step_error_code")
            }
            return Self.done
        }
        routes.post("/account/two-step/disable") { request, context in
            guard let (_, session) = try await sessions.current(request) else { return Self.toLogin }
            var request = request
            let fields = FormFields(String(buffer: try await request.collectBody(upTo: context.maxUploadSize)))
            let person = session.personalNumber
            if let refusal = try await checkPassword(of: person, fields["password"] ?? "", context: context) {
                return try await page(
                    person, secret: TOTPSecret.random(), request: request, context: context, status: refusal.status,
                    error: refusal.key)
            }
            guard try await accounts.disableSecondFactor(of: person, code: Self.digits(fields["code"])) else {
                return try await page(
                    person, secret: TOTPSecret.random(), request: request, context: context,
                    status: .unprocessableContent, error: "two_step_error_code")
            }
            return Self.done
        }
    }

    static let toLogin = BrowserSessions.loginRedirect(returning: "/account/two-step")
    static let done = Response(status: .seeOther, headers: [.location: "/account", .cacheControl: "no-store"])

    /// What the person typed as a code, without the spaces authenticator apps show in the middle.
    static func digits(_ text: String?) -> String {
        (text ?? "").filter { !$0.isWhitespace }
    }

    /// The refusal of a wrong password (through the throttle, so guessing here counts as guessing at the login).
    private func checkPassword(
        of person: PersonalNumber, _ password: String, context: CivitasRequestContext
    ) async throws -> (status: HTTPResponse.Status, key: String)? {
        guard let account = try await accounts.account(of: person) else {
            return (.conflict, "two_step_no_password")
        }
        let address = ClientAddress.of(context)
        switch try await accounts.authenticate(username: account.username, password: password, address: address) {
        case .success: return nil
        case .failure: return (.unauthorized, "two_step_error_password")
        case .locked: return (.tooManyRequests, "login_error_locked")
        }
    }

    private func page(
        _ person: PersonalNumber, secret: TOTPSecret, request: Request, context: CivitasRequestContext,
        status: HTTPResponse.Status = .ok, error: String? = nil
    ) async throws -> Response {
        let account = try await accounts.account(of: person)
        let catalogue = renderer.catalogues[context.language]
        var values: [String: Any] = ["has_account": account != nil]
        if let error { values["error"] = catalogue[error] }
        if let account {
            values["enabled"] = account.hasSecondFactor
            values["disabled"] = !account.hasSecondFactor
            if !account.hasSecondFactor {
                let key = secret.base32
                values["secret"] = key
                values["secret_grouped"] = stride(from: 0, to: key.count, by: 4).map { offset -> String in
                    let start = key.index(key.startIndex, offsetBy: offset)
                    return String(key[start..<(key.index(start, offsetBy: 4, limitedBy: key.endIndex) ?? key.endIndex)])
                }.joined(separator: " ")
                values["uri"] = try TOTP(secret: secret).provisioningURI(account: account.username)
            }
        }
        return try renderer.page("account_two_step", status: status, values: values, request: request, context: context)
    }
}
