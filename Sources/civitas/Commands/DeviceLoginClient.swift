import ArgumentParser
import Foundation
import Identity

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The card reader app's and the phone's side of a device login, over HTTP: fetch the login by its code, post
/// the signed answer.
struct DeviceLoginClient {
    /// The node's base URL, as the person gave it.
    let baseURL: URL
    /// The origin of that URL, which the login's own origin must equal.
    let origin: String
    /// Extra headers (a session cookie for the device routes).
    var headers: [String: String] = [:]

    init(url: String) throws {
        guard let parsed = URL(string: url), let origin = DeviceLoginRoutes.origin(of: url) else {
            throw ValidationError("--url \(url) is not an http(s) URL")
        }
        baseURL = parsed
        self.origin = origin
    }

    /// The pending login with `code`, refusing one for another site or another method.
    func login(code: String, method: DeviceLoginMethod) async throws -> PendingLogin {
        guard let parsed = DeviceLoginCode(code) else { throw ValidationError("--code is DDDD-DDDD, e.g. 4821-7730") }
        let (status, data) = try await send("GET", "/identity/device-logins/\(parsed)")
        guard status == 200 else { throw Self.refusal(status, data) }
        guard let login = try? JSONDecoder().decode(PendingLogin.self, from: data),
            let challenge = Data(base64Encoded: login.challenge), challenge.count == 32,
            let loginCode = DeviceLoginCode(login.code), let loginMethod = DeviceLoginMethod(rawValue: login.method)
        else { throw ValidationError("the node's answer is not a device login") }
        guard login.origin == origin else {
            throw ValidationError(
                "refusing: the login is for \(login.origin), but you are talking to \(origin); someone may be "
                    + "relaying another site's login")
        }
        guard loginMethod == method, loginCode == parsed else {
            throw ValidationError("this code is for a \(login.method) login, not \(method.rawValue)")
        }
        return login
    }

    /// Posts an answer; returns the node's JSON reply.
    func answer(code: String, body: [String: Any]) async throws -> Data {
        let data = try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])
        let (status, reply) = try await send("POST", "/identity/device-logins/\(code)/answer", json: data)
        guard status == 200 else { throw Self.refusal(status, reply) }
        return reply
    }

    /// Sends a request under the base URL; returns the status and body.
    func send(_ method: String, _ path: String, json: Data? = nil) async throws -> (Int, Data) {
        var base = baseURL.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        guard let url = URL(string: base + path) else { throw ValidationError("bad URL \(base + path)") }
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        if let json {
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.httpBody = json
        }
        do {
            let (data, response) = try await URLSession.shared.data(for: request)
            return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
        } catch {
            throw ValidationError("cannot reach \(url): \(error.localizedDescription)")
        }
    }

    /// The node's refusal, from its problem details.
    static func refusal(_ status: Int, _ data: Data) -> ValidationError {
        if let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let detail = object["detail"] as? String
        {
            let code = (object["type"] as? String)?.split(separator: "/").last.map(String.init) ?? "\(status)"
            return ValidationError("refused (\(status) \(code)): \(detail)")
        }
        return ValidationError("refused with HTTP status \(status)")
    }

    /// `GET /identity/device-logins/{code}`.
    struct PendingLogin: Decodable {
        let code: String
        let method: String
        let origin: String
        let challenge: String
        let state: String
        let expiresAt: String

        /// The structure to sign, signed now.
        func toBeSigned(at seconds: Int64) throws -> DeviceLoginToBeSigned {
            DeviceLoginToBeSigned(
                method: DeviceLoginMethod(rawValue: method)!, origin: origin, code: DeviceLoginCode(code)!,
                challenge: Array(Data(base64Encoded: challenge)!), signedAt: seconds)
        }
    }
}
