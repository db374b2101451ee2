public import AsyncHTTPClient
public import CivitasCore
import Foundation
public import HTTPTypes
import Logging
import NIOCore
import NIOHTTP1
public import X509

extension ExchangeNodeRuntime {
    /// The provider side: one sealed request from another node, whose TLS certificate was `peer`.
    ///
    /// In order: the configuration is valid; the peer is the registered node of the request's client; the seal is
    /// the client member's, over this head and body; this node serves the provider and provides the service; the
    /// access rights allow the client this method on this path. Only then is the request logged and forwarded to
    /// the backend; its answer is sealed, logged and returned with `X-Road-Request-Hash`. A read (GET, HEAD,
    /// OPTIONS) is forwarded while its request commits, since a backend that only reads changes nothing and what
    /// it read leaves only once the commit is durable; any other method reaches the backend only once its request
    /// is in the log (decision 0029).
    public func providerRequest(fields: HTTPFields, body: MessageBody, peer: Certificate?) async -> NodeAnswer {
        do {
            return try await provide(fields: fields, body: body, peer: peer)
        } catch {
            let detail = UUID().uuidString.lowercased()
            logger.notice(
                "exchange request refused",
                metadata: ["detail": "\(detail)", "type": "\(error.type)", "why": "\(error.message)"])
            return error.answer(detail: detail)
        }
    }

    private func provide(
        fields: HTTPFields, body: MessageBody, peer: Certificate?
    ) async throws(NodeFault) -> NodeAnswer {
        let configuration: GlobalConfiguration
        do {
            configuration = try self.configuration.snapshot()
        } catch {
            throw NodeFault(.serverProxyOutdatedGlobalConf, error.message)
        }
        guard let peer, let caller = Self.node(presenting: peer, in: configuration) else {
            throw NodeFault(
                .serverProxySslAuthenticationFailed, "the caller's TLS certificate is not a registered node's")
        }
        guard body.count <= configuration.policies.maximumMessageBytes else {
            throw NodeFault(
                .badRequest, "the message is over the \(configuration.policies.maximumMessageBytes) bytes allowed")
        }
        guard let headText = fields[ExchangeHeaders.messageHead], let headBytes = Data(base64Encoded: headText),
            let sealText = fields[ExchangeHeaders.seal], let sealBytes = Data(base64Encoded: sealText)
        else {
            throw NodeFault(.serverProxyInvalidSignatureValue, "the message has no sealed head or no seal")
        }
        let head: RESTMessageHead
        do {
            head = try RESTMessageHead(bytes: Array(headBytes), kind: .request)
        } catch {
            throw NodeFault(.serverProxyInvalidSignatureValue, error.message)
        }
        guard case .request(let method, let target) = head.line else {
            throw NodeFault(.badRequest, "a request head has a request line")
        }
        let path = String(target.prefix { $0 != "?" })
        let service: XRoadServiceIdentifier
        let rest: String
        let client: XRoadClientIdentifier
        do {
            (service, rest) = try XRoadServiceIdentifier.parse(path: path)
            client = try XRoadClientIdentifier(head["x-road-client"] ?? "")
        } catch {
            throw NodeFault(.badRequest, error.message)
        }
        guard let queryID = head["x-road-id"] else { throw NodeFault(.badRequest, "the sealed head has no X-Road-Id") }
        guard caller.clients.contains(client.description) else {
            throw NodeFault(
                .serverProxySslAuthenticationFailed, "the calling node \(caller.id) does not serve \(client)")
        }
        let request = try Self.manifest(
            queryID: queryID, kind: .request, client: client, service: service, head: head, body: body,
            fault: .badRequest)
        let seal = MessageSeal(signature: Array(sealBytes))
        try await verify(
            seal, over: request, by: client.member, configuration: configuration,
            fault: .serverProxyInvalidSignatureValue)
        guard
            let own = configuration.nodes.first(where: { $0.id == identity.id.description }),
            own.clients.contains(service.provider.description)
        else {
            throw NodeFault(.serverProxyUnknownService, "this node does not serve \(service.provider)")
        }
        let provided: [ProvidedService]
        do {
            provided = try await services.current()
        } catch {
            throw NodeFault(.serverProxyDatabaseError, "the node's list of services could not be read")
        }

        let answer: NodeAnswer
        var logged: LogCommit?
        var tracked: Task<Void, any Error>?
        if service.serviceCode == PersonalDataUsage.serviceCode {
            answer = try await personalDataUsage(
                service: service, rest: rest, query: target.drop { $0 != "?" }, method: method, client: client,
                configuration: configuration)
            try await record(request, head: head, body: body, seal: seal, fault: .serverProxyLoggingFailed)
        } else if MetadataServices.serviceCodes.contains(service.serviceCode) {
            answer = try metadata(
                service: service, query: target.drop { $0 != "?" }, method: method, client: client,
                configuration: configuration, provided: provided)
            try await record(request, head: head, body: body, seal: seal, fault: .serverProxyLoggingFailed)
        } else {
            guard let backend = provided.first(where: { $0.id == service }) else {
                throw NodeFault(.serverProxyUnknownService, "this node does not provide \(service)")
            }
            guard
                configuration.permits(
                    client: client.description, service: service.description, method: method, path: rest)
            else {
                throw NodeFault(
                    .serverProxyAccessDenied, "\(client) may not call \(method) \(rest) of \(service)")
            }
            // A read is committed while the backend works, and its answer waits for that commit (below); a backend
            // never acts on a write its node cannot prove it received.
            let requestLogged = beginRecord(
                request, head: head, body: body, seal: seal, fault: .serverProxyLoggingFailed)
            logged = requestLogged
            if !Self.safeMethods.contains(method) { try await requestLogged.durable() }
            do {
                answer = try await forward(
                    head, method: method, rest: rest, query: String(target.drop { $0 != "?" }), body: body,
                    to: backend, limit: configuration.policies.maximumMessageBytes)
            } catch {
                try await requestLogged.durable()
                throw error
            }
            if let subject = answer.fields[ExchangeHeaders.dataSubject] {
                let use = DataTracker.Use(
                    subject: subject, client: client.description, service: service.description, at: Date(),
                    userID: head["x-road-userid"], issue: head["x-road-issue"], messageID: queryID)
                do throws(ExchangeError) {
                    try DataTracker.validate(use)
                } catch {
                    throw NodeFault(.serverProxyServiceFailed, "the backend's answer: \(error.message)")
                }
                // Committed while the response is sealed and logged; the answer waits for it (below).
                let tracker = self.tracker
                tracked = Task { try await tracker.record(use) }
            }
        }

        let carried = RESTMessageHead.carrying(RESTMessageHead.responseFields, of: answer.fields, queryID: queryID)
        let responseHead: RESTMessageHead
        let requestHash: [UInt8]
        do {
            responseHead = try RESTMessageHead(line: .response(status: answer.status.code), fields: carried)
            requestHash = try request.hash()
        } catch let error as ExchangeError {
            throw NodeFault(.serverProxyServiceFailed, "the backend's answer: \(error.message)")
        } catch {
            throw NodeFault(.serverProxyInternalError, "the request's manifest could not be hashed")
        }
        let response = try Self.manifest(
            queryID: queryID, kind: .response, client: client, service: service, head: responseHead,
            body: answer.body, requestHash: requestHash, fault: .serverProxyInternalError)
        let responseSeal = try await self.seal(response, side: .serverProxyInternalError)
        try await logged?.durable()
        try await record(
            response, head: responseHead, body: answer.body, seal: responseSeal, requestHash: requestHash,
            fault: .serverProxyLoggingFailed)
        if let tracked {
            do {
                try await tracked.value
            } catch {
                throw NodeFault(.serverProxyDatabaseError, "the data tracker could not record the answer")
            }
        }
        return NodeAnswer(
            status: .ok,
            fields: [
                .contentType: "application/octet-stream",
                ExchangeHeaders.messageHead: Data(responseHead.bytes).base64EncodedString(),
                ExchangeHeaders.seal: Data(responseSeal.signature).base64EncodedString(),
                ExchangeHeaders.requestHash: Data(requestHash).base64EncodedString(),
            ],
            body: answer.body)
    }

    /// The methods a backend answers without changing anything (RFC 9110 9.2.1).
    static let safeMethods: Set<String> = ["GET", "HEAD", "OPTIONS"]

    /// listMethods, allowedMethods and getOpenAPI of a subsystem this node serves.
    private func metadata(
        service: XRoadServiceIdentifier, query: Substring, method: String, client: XRoadClientIdentifier,
        configuration: GlobalConfiguration, provided: [ProvidedService]
    ) throws(NodeFault) -> NodeAnswer {
        guard method == "GET" else { throw NodeFault(.badRequest, "\(service.serviceCode) is called with GET") }
        let json: HTTPFields = [.contentType: MetadataServices.jsonContentType]
        switch service.serviceCode {
        case "listMethods":
            return NodeAnswer(
                status: .ok, fields: json,
                body: MetadataServices.listMethods(provider: service.provider, services: provided))
        case "allowedMethods":
            return NodeAnswer(
                status: .ok, fields: json,
                body: MetadataServices.allowedMethods(
                    provider: service.provider, client: client, configuration: configuration, services: provided))
        case "getOpenAPI":
            let code = URLComponents(string: "/x" + query)?.queryItems?.first { $0.name == "serviceCode" }?.value
            do {
                let (contentType, body) = try MetadataServices.openAPI(
                    serviceCode: code ?? "", provider: service.provider, services: provided)
                return NodeAnswer(status: .ok, fields: [.contentType: contentType], body: body)
            } catch {
                switch error.code {
                case .invalidRecord: throw NodeFault(.badRequest, error.message)
                case .notFound: throw NodeFault(.serverProxyUnknownService, error.message)
                default: throw NodeFault(.serverProxyInternalError, error.message)
                }
            }
        default:
            throw NodeFault(.badRequest, "\(service.serviceCode) is answered by the client's own node")
        }
    }

    /// `myPersonalDataUsage` of a subsystem this node serves: whose data its services gave, for one person
    /// (`userId`), to a client whose access right covers it; optionally only of one service (`databaseId`, the
    /// GovStack parameter, here a service code).
    private func personalDataUsage(
        service: XRoadServiceIdentifier, rest: String, query: Substring, method: String, client: XRoadClientIdentifier,
        configuration: GlobalConfiguration
    ) async throws(NodeFault) -> NodeAnswer {
        guard method == "GET" else { throw NodeFault(.badRequest, "\(service.serviceCode) is called with GET") }
        guard
            configuration.permits(client: client.description, service: service.description, method: method, path: rest)
        else {
            throw NodeFault(.serverProxyAccessDenied, "\(client) may not call \(method) \(rest) of \(service)")
        }
        let items = URLComponents(string: "/x" + query)?.queryItems ?? []
        guard let person = items.first(where: { $0.name == "userId" })?.value, !person.isEmpty else {
            throw NodeFault(.badRequest, "myPersonalDataUsage needs userId, the person's identifier")
        }
        let uses: [DataTracker.Use]
        do {
            uses = try await tracker.uses(of: person)
        } catch {
            throw NodeFault(.serverProxyDatabaseError, "the data tracker could not be read")
        }
        let code = items.first { $0.name == "databaseId" }?.value.flatMap { $0.isEmpty ? nil : $0 }
        return NodeAnswer(
            status: .ok, fields: [.contentType: MetadataServices.jsonContentType],
            body: PersonalDataUsage.answer(
                uses: uses, provider: service.provider, serviceCode: code, configuration: configuration))
    }

    /// Calls the backend with the verified head's method, path rest, query and fields.
    private func forward(
        _ head: RESTMessageHead, method: String, rest: String, query: String, body: MessageBody,
        to backend: ProvidedService,
        limit: Int
    ) async throws(NodeFault) -> NodeAnswer {
        var base = backend.backendURL.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        var request = HTTPClientRequest(url: base + (rest == "/" ? "" : rest) + query)
        request.method = .init(rawValue: method)
        for field in head.fields where field.name != "host" {
            request.headers.add(name: field.name, value: field.value)
        }
        if let bytes = body.inMemory {
            if !bytes.isEmpty || ["POST", "PUT", "PATCH"].contains(method) {
                request.body = .bytes(ByteBuffer(bytes: bytes))
            }
        } else {
            request.body = .stream(body.chunks(), length: .known(Int64(body.count)))
        }
        do {
            let response = try await backends.execute(request, timeout: .init(backend.timeout))
            let received = try await receive(
                response.body, side: .serverProxyInternalError, fault: .serverProxyServiceFailed,
                what: "the backend's answer")
            var fields = HTTPFields()
            for (name, value) in response.headers {
                if let name = HTTPField.Name(name) { fields.append(HTTPField(name: name, value: value)) }
            }
            return NodeAnswer(
                status: HTTPResponse.Status(code: Int(response.status.code)), fields: fields, body: received)
        } catch let fault as NodeFault {
            throw fault
        } catch {
            logger.warning(
                "the backend did not answer", metadata: ["service": "\(backend.id)", "error": "\(error)"])
            throw NodeFault(.serverProxyServiceFailed, "the service \(backend.id) did not answer")
        }
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
