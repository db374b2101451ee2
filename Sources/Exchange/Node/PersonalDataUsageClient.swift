public import AsyncHTTPClient
public import CivitasCore
public import Foundation
import NIOCore
import NIOHTTP1

/// A member's system asking, through its own exchange node, every provider for one person's data usage: the
/// citizen portal's side of the Data Tracker, which gathers what each provider's node keeps into one list.
///
/// It asks the own node which subsystems the registry lists the service for (`listClients?serviceCode=…`) and
/// calls `myPersonalDataUsage` of each, at once. A subsystem that does not offer it to this client (access
/// denied, unknown service, no node) is left out quietly; one that offers it and fails is named in
/// ``Report/unanswered``, so that the person is not told a list is whole when it is not.
public struct PersonalDataUsageClient: Sendable {
    /// What the providers answered.
    public struct Report: Sendable {
        /// Every use, newest first.
        public var uses: [PersonalDataUsage]
        /// The provider subsystems that should have answered and did not, with why.
        public var unanswered: [(provider: String, reason: String)]
    }

    /// The own node's client side, e.g. `http://127.0.0.1:8081`.
    public let node: URL
    /// The calling subsystem, sent as `X-Road-Client`.
    public let client: XRoadClientIdentifier
    /// How long each call may take.
    public let timeout: Duration
    private let http: HTTPClient

    /// Creates the client.
    public init(node: URL, client: XRoadClientIdentifier, timeout: Duration = .seconds(10), http: HTTPClient = .shared)
    {
        self.node = node
        self.client = client
        self.timeout = timeout
        self.http = http
    }

    /// Error types that mean "this provider does not offer it to us", not a failure.
    static let notOffered: Set<String> = [
        XRoadErrorType.serverProxyAccessDenied.rawValue, XRoadErrorType.serverProxyUnknownService.rawValue,
        XRoadErrorType.clientProxyUnknownMember.rawValue,
    ]

    /// Every provider's record of `person`'s data usage.
    ///
    /// - Throws: ``ExchangeError`` `.networkError` when the own node cannot list the instance's subsystems.
    public func uses(of person: String, purpose: String = "the person's own data usage list") async throws -> Report {
        let (status, _, body) = try await get(
            "/r1/\(client.instance)/listClients?serviceCode=\(PersonalDataUsage.serviceCode)", purpose: purpose)
        guard status == .ok, let providers = Self.subsystems(inListing: body) else {
            throw ExchangeError(.networkError, "the exchange node at \(node) did not list the subsystems (\(status))")
        }
        var query = URLComponents()
        query.queryItems = [URLQueryItem(name: "userId", value: person)]
        let suffix = query.percentEncodedQuery.map { "?" + $0.replacingOccurrences(of: "+", with: "%2B") } ?? ""
        return await withTaskGroup(of: (String, Result<[PersonalDataUsage], ExchangeError>?).self) { group in
            for provider in providers where provider != client {
                group.addTask {
                    let path = "/r1/\(provider)/\(PersonalDataUsage.serviceCode)\(suffix)"
                    return (provider.description, await self.fetch(path, purpose: purpose))
                }
            }
            var report = Report(uses: [], unanswered: [])
            for await (provider, result) in group {
                switch result {
                case .success(let uses)?: report.uses += uses
                case .failure(let error)?: report.unanswered.append((provider, error.message))
                case nil: break
                }
            }
            report.uses.sort { ($0.searchDateTime, $0.id) > ($1.searchDateTime, $1.id) }
            report.unanswered.sort { $0.provider < $1.provider }
            return report
        }
    }

    /// One provider's list; nil when it does not offer the service to this client.
    private func fetch(_ path: String, purpose: String) async -> Result<[PersonalDataUsage], ExchangeError>? {
        do {
            let (status, headers, body) = try await get(path, purpose: purpose)
            if let type = headers.first(name: "X-Road-Error") {
                if Self.notOffered.contains(type) { return nil }
                let error = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
                let message = error?["message"] as? String ?? ""
                return .failure(ExchangeError(.networkError, "\(type): \(message)"))
            }
            guard status == .ok, let uses = try? JSONDecoder().decode([PersonalDataUsage].self, from: Data(body))
            else {
                return .failure(ExchangeError(.networkError, "answered \(status.code) without a usage list"))
            }
            return .success(uses)
        } catch let error as ExchangeError {
            return .failure(error)
        } catch {
            return .failure(ExchangeError(.networkError, "\(error)"))
        }
    }

    /// The subsystems of a `listClients` answer (GovStack `restClientDetailsListType`).
    static func subsystems(inListing body: [UInt8]) -> [XRoadClientIdentifier]? {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any],
            let members = object["member"] as? [[String: Any]]
        else { return nil }
        return members.compactMap { entry in
            guard let id = entry["id"] as? [String: Any], let instance = id["instanceId"] as? String,
                let memberClass = id["memberClass"] as? String, let code = id["memberCode"] as? String,
                let subsystem = id["applicationCode"] as? String
            else { return nil }
            return try? XRoadClientIdentifier("\(instance)/\(memberClass)/\(code)/\(subsystem)")
        }
    }

    private func get(_ path: String, purpose: String) async throws -> (HTTPResponseStatus, HTTPHeaders, [UInt8]) {
        var base = node.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        var request = HTTPClientRequest(url: base + path)
        request.headers.add(name: "X-Road-Client", value: client.description)
        request.headers.add(name: "X-Road-Issue", value: purpose)
        do {
            let response = try await http.execute(request, timeout: .init(timeout))
            let body = try await response.body.collect(upTo: 16 << 20)
            return (response.status, response.headers, Array(buffer: body))
        } catch {
            throw ExchangeError(.networkError, "the exchange node at \(node): \(error)")
        }
    }
}
