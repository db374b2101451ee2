public import AsyncHTTPClient
public import CivitasCore
import Foundation
public import Logging
import NIOCore
import SwiftASN1
import Trust
public import X509

/// An exchange node at work (decision 0026): the client side that takes the member's own systems' X-Road REST
/// requests, and the provider side that takes sealed messages from other nodes over mutual TLS.
///
/// Every message either side sends or accepts is sealed by its sender, verified by its receiver (the seal, its
/// chain to the national root, a fresh OCSP status, and that the signer is the member the message comes from)
/// and committed to the message log before anything is released.
public struct ExchangeNodeRuntime: Sendable {
    /// Who this node is.
    public let identity: ExchangeNodeIdentity
    /// The global configuration, as last verified.
    public let configuration: GlobalConfigurationClient
    /// The CAs and OCSP responder of the configuration.
    public let trust: ExchangeTrust
    /// The message log.
    public let log: MessageLog
    /// The services this node provides.
    public let services: ProvidedServices
    /// Whose data this node's services gave to whom.
    public let tracker: DataTracker
    /// The mutual-TLS client to other nodes.
    public let nodes: NodeHTTPClient
    /// The client to this member's backends.
    public let backends: HTTPClient
    /// How long the client side waits for the provider's node.
    public let providerTimeout: Duration
    /// Where bodies go as they arrive: in memory when small, to a file otherwise.
    public let spool: BodySpool
    let logger: Logger
    let signing = CAdESSigner()

    /// Creates the runtime.
    public init(
        identity: ExchangeNodeIdentity, configuration: GlobalConfigurationClient, trust: ExchangeTrust,
        log: MessageLog, services: ProvidedServices, tracker: DataTracker, nodes: NodeHTTPClient,
        backends: HTTPClient = .shared,
        providerTimeout: Duration = .seconds(60), spool: BodySpool = .temporary, logger: Logger
    ) {
        self.identity = identity
        self.configuration = configuration
        self.trust = trust
        self.log = log
        self.services = services
        self.tracker = tracker
        self.nodes = nodes
        self.backends = backends
        self.providerTimeout = providerTimeout
        self.spool = spool
        self.logger = logger
    }

    /// Whether `certificate` is the authentication certificate of a node in the current configuration: what the
    /// provider side's TLS handshake accepts (the request itself is then checked against the node's clients).
    public func isRegisteredNode(_ certificate: Certificate) -> Bool {
        guard let configuration = try? configuration.snapshot() else { return false }
        return Self.node(presenting: certificate, in: configuration) != nil
    }

    static func node(
        presenting certificate: Certificate, in configuration: GlobalConfiguration
    )
        -> GlobalConfiguration.Node?
    {
        var serializer = DER.Serializer()
        guard (try? serializer.serialize(certificate)) != nil else { return nil }
        let encoded = Data(serializer.serializedBytes).base64EncodedString()
        return configuration.nodes.first { $0.authenticationCertificates.contains(encoded) }
    }

    /// The node that serves `subsystem`, by the configuration.
    static func node(
        serving subsystem: XRoadClientIdentifier, in configuration: GlobalConfiguration
    )
        -> GlobalConfiguration.Node?
    {
        let id = subsystem.description
        return configuration.nodes.first { $0.clients.contains(id) }
    }

    /// Takes a body as it arrives, spooled when large, up to the global configuration's maximum message size.
    func receive<Source: AsyncSequence>(
        _ source: Source, side: XRoadErrorType, fault: XRoadErrorType = .badRequest, what: String = "the message body"
    ) async throws(NodeFault) -> MessageBody where Source.Element == ByteBuffer {
        let limit = (try? configuration.snapshot().policies.maximumMessageBytes) ?? (10 << 20)
        do {
            return try await spool.receive(source, limit: limit)
        } catch {
            switch error {
            case .tooLarge(let limit):
                throw NodeFault(fault, "\(what) is over the \(limit) bytes a message may have")
            case .source:
                throw NodeFault(fault, "\(what) could not be read to its end")
            case .spool(let why):
                logger.error("spooling failed", metadata: ["why": "\(why)"])
                throw NodeFault(side, "the node could not spool \(what)")
            }
        }
    }

    /// Seals `manifest` with this node's owner's seal.
    func seal(_ manifest: MessageManifest, side: XRoadErrorType) async throws(NodeFault) -> MessageSeal {
        do {
            return try await MessageSeal.seal(manifest, signer: identity.seal, signing: signing)
        } catch {
            logger.error("sealing failed", metadata: ["error": "\(error)"])
            throw NodeFault(side, "the node could not seal the message: its seal key is not usable")
        }
    }

    /// Verifies that `seal` is `member`'s, over `manifest`, under `configuration`'s trust.
    func verify(
        _ seal: MessageSeal, over manifest: MessageManifest, by member: XRoadClientIdentifier,
        configuration: GlobalConfiguration, fault: XRoadErrorType
    ) async throws(NodeFault) {
        let validator: SignatureValidator
        do {
            validator = try await trust.validator(for: configuration)
        } catch {
            throw NodeFault(fault, error.message)
        }
        // The seal is parsed once here; a signer whose chain was validated recently is checked on that parse.
        guard let (signedData, signer, signerDER) = MemberSealSubject.signer(of: seal) else {
            throw NodeFault(fault, "the seal is not a CMS signature by one certificate it carries")
        }
        if let issuer = await trust.knownIssuer(of: signer, der: signerDER, configuration: configuration) {
            try await verifyKnown(signedData, over: manifest, signer: signer, issuer: issuer, fault: fault)
        } else {
            do {
                try await seal.verify(manifest, with: validator, acceptsSigner: { _ in true })
            } catch let error as ExchangeError {
                throw NodeFault(fault, error.message)
            } catch {
                throw NodeFault(fault, "the message's seal could not be checked: \(error)")
            }
            await trust.remember(signer, der: signerDER, configuration: configuration)
        }
        guard MemberSealSubject.member(of: signer) == member else {
            throw NodeFault(fault, "the message is not sealed by \(member), the member it comes from")
        }
    }

    /// The checks that change for a signer whose chain was validated recently: its revocation status now (the
    /// same OCSP source and freshness as the full validator's), the digest of the manifest, the signature value.
    private func verifyKnown(
        _ signedData: CMSSignedData, over manifest: MessageManifest, signer: Certificate, issuer: Certificate,
        fault: XRoadErrorType
    ) async throws(NodeFault) {
        let status: RevocationStatus
        do {
            status = try await trust.status(of: signer, issuer: issuer)
        } catch let error as TrustError {
            throw NodeFault(fault, "the seal's revocation status is not available: \(error.message)")
        } catch {
            throw NodeFault(fault, "the seal's revocation status is not available: \(error)")
        }
        switch status {
        case .good: break
        case .revoked(let since, let reason):
            throw NodeFault(fault, "the seal's certificate was revoked at \(Timestamp(since)) (\(reason))")
        case .suspended(let since):
            throw NodeFault(fault, "the seal's certificate is suspended since \(Timestamp(since))")
        case .unknown:
            throw NodeFault(fault, "the OCSP responder does not know the seal's certificate")
        }
        guard signedData.signerInfos.count == 1, let manifestDER = try? manifest.derEncoded(),
            let algorithm = CMSDigestAlgorithm(signedData.signerInfos[0].digestAlgorithm),
            let digest = try? signedData.signerInfos[0].messageDigest, digest == algorithm.hash(manifestDER),
            signedData.signerInfos[0].isValidSignature(publicKey: signer.publicKey)
        else {
            throw NodeFault(fault, "the message's seal is TOTAL-FAILED: it does not verify over this message")
        }
    }

    /// Commits one message to the log, or refuses with `fault` saying why.
    func record(
        _ manifest: MessageManifest, head: RESTMessageHead, body: MessageBody, seal: MessageSeal,
        requestHash: [UInt8]? = nil, fault: XRoadErrorType
    ) async throws(NodeFault) {
        let signed: [UInt8]
        do {
            signed = try manifest.derEncoded()
        } catch {
            throw NodeFault(fault, "the message's manifest could not be encoded")
        }
        // What the log keeps as signed is exactly what the seal signs: the manifest, which carries the head.
        let entry = MessageLogEntry(
            messageID: manifest.queryID, client: manifest.client, service: manifest.service,
            direction: manifest.kind == .request ? .request : .response, signedHeaders: signed, body: body,
            signature: seal.signature, requestHash: requestHash.map { Data($0).base64EncodedString() })
        do {
            try await log.append(entry)
        } catch let error as ExchangeError {
            throw NodeFault(fault, error.message)
        } catch {
            logger.error("the message log failed", metadata: ["error": "\(error)"])
            throw NodeFault(fault, "the message log could not store the message")
        }
    }

    /// Begins logging a message while the exchange goes on (the request travels, or the backend works);
    /// ``LogCommit/durable()`` waits for it. A commit begun finishes on its own even when the exchange fails, so a
    /// failed call still leaves its request in the log.
    func beginRecord(
        _ manifest: MessageManifest, head: RESTMessageHead, body: MessageBody, seal: MessageSeal, fault: XRoadErrorType
    ) -> LogCommit {
        LogCommit(
            task: Task { try await record(manifest, head: head, body: body, seal: seal, fault: fault) }, fault: fault)
    }

    /// The manifest of a message of `head` and `body`.
    static func manifest(
        queryID: String, kind: MessageManifest.Kind, client: XRoadClientIdentifier, service: XRoadServiceIdentifier,
        head: RESTMessageHead, body: MessageBody, requestHash: [UInt8]? = nil, fault: XRoadErrorType
    ) throws(NodeFault) -> MessageManifest {
        do {
            return try MessageManifest(
                queryID: queryID, kind: kind, client: client.description, service: service.description,
                requestHash: requestHash, head: head.bytes,
                parts: [
                    MessagePart(
                        contentType: kind == .request ? MessagePart.restRequest : MessagePart.restResponse,
                        bytes: head.bytes),
                    MessagePart(contentType: MessagePart.restBody, digest: body.digest),
                ])
        } catch {
            throw NodeFault(fault, error.message)
        }
    }
}

/// A message-log commit under way (``ExchangeNodeRuntime/beginRecord(_:head:body:seal:fault:)``).
struct LogCommit: Sendable {
    let task: Task<Void, any Error>
    let fault: XRoadErrorType

    /// Waits until the message is durably logged; a failure there is the logging fault the commit was begun with.
    func durable() async throws(NodeFault) {
        do {
            try await task.value
        } catch let fault as NodeFault {
            throw fault
        } catch {
            throw NodeFault(self.fault, "the message log could not store the message")
        }
    }
}
