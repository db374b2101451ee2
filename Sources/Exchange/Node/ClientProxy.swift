public import CivitasCore
import Foundation
public import HTTPTypes
import Logging
import X509

extension ExchangeNodeRuntime {
    /// The client side: one X-Road REST request from this member's own system
    /// (`/r1/INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICE[/path]` with `X-Road-Client`), sealed, logged, sent to the
    /// provider's node, and its answer verified and logged before it is returned.
    ///
    /// `/r1/INSTANCE/listClients` is answered here from the global configuration.
    public func clientRequest(method: String, target: String, fields: HTTPFields, body: MessageBody) async -> NodeAnswer
    {
        let queryID = fields[ExchangeHeaders.id] ?? UUID().uuidString.lowercased()
        do {
            return try await exchange(method: method, target: target, fields: fields, body: body, queryID: queryID)
        } catch {
            logger.notice(
                "exchange refused",
                metadata: ["query": "\(queryID)", "type": "\(error.type)", "why": "\(error.message)"])
            return error.answer(detail: queryID, queryID: queryID)
        }
    }

    private func exchange(
        method: String, target: String, fields: HTTPFields, body: MessageBody, queryID: String
    ) async throws(NodeFault) -> NodeAnswer {
        let path = String(target.prefix { $0 != "?" })
        let configuration: GlobalConfiguration
        do {
            configuration = try self.configuration.snapshot()
        } catch {
            throw NodeFault(.clientProxyOutdatedGlobalConf, error.message)
        }
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        if segments.count == 4, segments[1] == "r1", segments[3] == "listClients" {
            guard method == "GET" else { throw NodeFault(.badRequest, "listClients is called with GET") }
            return NodeAnswer(
                status: .ok, fields: [.contentType: MetadataServices.jsonContentType],
                body: MetadataServices.listClients(
                    configuration, instance: String(segments[2]),
                    offering: URLComponents(string: target)?.queryItems?.first { $0.name == "serviceCode" }?.value))
        }
        guard body.count <= configuration.policies.maximumMessageBytes else {
            throw NodeFault(
                .badRequest,
                "the request body is \(body.count) bytes, over the \(configuration.policies.maximumMessageBytes) "
                    + "bytes a message may have")
        }
        let service: XRoadServiceIdentifier
        do {
            service = try XRoadServiceIdentifier.parse(path: path).service
        } catch {
            throw NodeFault(.badRequest, error.message)
        }
        guard let clientText = fields[ExchangeHeaders.client] else {
            throw NodeFault(.badRequest, "the X-Road-Client header names the calling subsystem; it is missing")
        }
        let client: XRoadClientIdentifier
        do {
            client = try XRoadClientIdentifier(clientText)
        } catch {
            throw NodeFault(.badRequest, "X-Road-Client: \(error.message)")
        }
        guard client.instance == configuration.instance, service.provider.instance == configuration.instance else {
            throw NodeFault(
                .clientProxyUnknownMember, "this node exchanges in the instance \(configuration.instance) only")
        }
        guard
            let own = configuration.nodes.first(where: { $0.id == identity.id.description }),
            own.clients.contains(client.description)
        else {
            throw NodeFault(
                .clientProxyUnknownMember, "\(client) is not registered as a client of this node (\(identity.id))")
        }
        guard let provider = Self.node(serving: service.provider, in: configuration) else {
            throw NodeFault(.clientProxyUnknownMember, "no exchange node serves \(service.provider)")
        }
        let providerCertificates: [Certificate]
        let address: NodeAddress
        do throws(ExchangeError) {
            providerCertificates = try ExchangeTrust.certificates(
                provider.authenticationCertificates, what: "a node's certificate")
            address = try NodeAddress(provider.address)
        } catch {
            throw NodeFault(.clientProxyOutdatedGlobalConf, error.message)
        }

        // The sealed head carries the request line and the end-to-end fields, with the query id always set.
        let carried = RESTMessageHead.carrying(RESTMessageHead.requestFields, of: fields, queryID: queryID)
        let head: RESTMessageHead
        do {
            head = try RESTMessageHead(line: .request(method: method.uppercased(), target: target), fields: carried)
        } catch {
            throw NodeFault(.badRequest, error.message)
        }
        let request = try Self.manifest(
            queryID: queryID, kind: .request, client: client, service: service, head: head, body: body,
            fault: .badRequest)
        let seal = try await seal(request, side: .clientProxyInternalError)
        // The request is committed to the log while it travels, off the critical path; the answer is released only
        // once both its and the response's commits are durable (``accept``). A call that fails on the way still
        // leaves its request in the log: the commit finishes on its own.
        let requestLogged = beginRecord(request, head: head, body: body, seal: seal, fault: .clientProxyLoggingFailed)

        var outgoing = HTTPRequest(
            method: .post, scheme: "https", authority: provider.address, path: ExchangeHeaders.messagePath)
        outgoing.headerFields[.contentType] = "application/octet-stream"
        outgoing.headerFields[ExchangeHeaders.messageHead] = Data(head.bytes).base64EncodedString()
        outgoing.headerFields[ExchangeHeaders.seal] = Data(seal.signature).base64EncodedString()
        let reply: NodeHTTPClient.Response
        do throws(ExchangeError) {
            reply = try await nodes.send(
                outgoing, body: body, to: address, expecting: providerCertificates,
                responseLimit: configuration.policies.maximumMessageBytes + RESTMessageHead.maximumLength * 4,
                timeout: providerTimeout, spool: spool)
        } catch {
            let type: XRoadErrorType =
                switch error.code {
                case .peerRefused, .handshakeFailed: .clientProxySslAuthenticationFailed
                case .bodyUnavailable: .clientProxyInternalError
                default: .clientProxyNetworkError
                }
            throw NodeFault(type, "the provider's node \(provider.id) at \(provider.address): \(error.message)")
        }
        if let type = reply.headerFields[ExchangeHeaders.error] {
            try await requestLogged.durable()
            // The provider's node refused: its own error, passed on as it is (it carries no data).
            guard type.hasPrefix("Server.ServerProxy.") || type.hasPrefix("Client.") else {
                throw NodeFault(.clientProxyNetworkError, "the provider's node answered an unknown error type")
            }
            var fields: HTTPFields = [ExchangeHeaders.error: type, ExchangeHeaders.id: queryID]
            fields[.contentType] = reply.headerFields[.contentType] ?? XRoadErrorBody.contentType
            return NodeAnswer(status: reply.status, fields: fields, body: reply.body)
        }
        return try await accept(
            reply, to: request, requestHead: head, client: client, service: service, configuration: configuration,
            requestLogged: requestLogged)
    }

    /// Verifies and logs the provider's sealed answer to `request`, and makes what the member's system gets.
    private func accept(
        _ reply: NodeHTTPClient.Response, to request: MessageManifest, requestHead: RESTMessageHead,
        client: XRoadClientIdentifier, service: XRoadServiceIdentifier, configuration: GlobalConfiguration,
        requestLogged: LogCommit
    ) async throws(NodeFault) -> NodeAnswer {
        guard reply.status == .ok,
            let headText = reply.headerFields[ExchangeHeaders.messageHead],
            let headBytes = Data(base64Encoded: headText),
            let sealText = reply.headerFields[ExchangeHeaders.seal],
            let sealBytes = Data(base64Encoded: sealText)
        else {
            throw NodeFault(
                .clientProxyInvalidSignatureValue,
                "the provider's node answered \(reply.status.code) without a sealed message")
        }
        let head: RESTMessageHead
        let requestHash: [UInt8]
        do {
            head = try RESTMessageHead(bytes: Array(headBytes), kind: .response)
            requestHash = try request.hash()
        } catch let error as ExchangeError {
            throw NodeFault(.clientProxyInvalidSignatureValue, "the provider's answer: \(error.message)")
        } catch {
            throw NodeFault(.clientProxyInternalError, "the request's manifest could not be hashed")
        }
        guard reply.headerFields[ExchangeHeaders.requestHash] == Data(requestHash).base64EncodedString() else {
            throw NodeFault(
                .clientProxyInvalidSignatureValue, "the answer's X-Road-Request-Hash does not name this request")
        }
        let response = try Self.manifest(
            queryID: request.queryID, kind: .response, client: client, service: service, head: head, body: reply.body,
            requestHash: requestHash, fault: .clientProxyInvalidSignatureValue)
        let seal = MessageSeal(signature: Array(sealBytes))
        try await verify(
            seal, over: response, by: service.provider.member, configuration: configuration,
            fault: .clientProxyInvalidSignatureValue)
        try await requestLogged.durable()
        try await record(
            response, head: head, body: reply.body, seal: seal, requestHash: requestHash,
            fault: .clientProxyLoggingFailed)
        guard case .response(let status) = head.line else {
            throw NodeFault(.clientProxyInternalError, "a response head has a status")
        }
        var fields = HTTPFields()
        for field in head.fields {
            if let name = HTTPField.Name(field.name) { fields.append(HTTPField(name: name, value: field.value)) }
        }
        fields[ExchangeHeaders.id] = request.queryID
        fields[ExchangeHeaders.requestHash] = Data(requestHash).base64EncodedString()
        return NodeAnswer(status: HTTPResponse.Status(code: status), fields: fields, body: reply.body)
    }
}
