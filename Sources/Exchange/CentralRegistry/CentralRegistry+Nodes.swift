public import Audit
public import CivitasCore
import Foundation
import SQLKit
import Storage
import SwiftASN1
public import X509

extension CentralRegistry {
    /// Registers an exchange node of a registered member.
    ///
    /// - Throws: ``ExchangeError`` `.notFound` for an unknown owner, `.alreadyRegistered` when it exists.
    public func addNode(_ id: ExchangeNodeIdentifier, address: NodeAddress, actor: AuditActor) async throws {
        try checkInstance(id.owner)
        let now = clock.timestamp().microseconds
        try await change(
            actor: actor, action: "exchange.node.add", object: AuditObject(type: "exchange-node", id: "\(id)"),
            purpose: "register exchange node \(id) at \(address)"
        ) { sql in
            guard try await Self.exists("exchange_members", "member_id", "\(id.owner)", in: sql) else {
                throw ExchangeError(.notFound, "no member \(id.owner)")
            }
            guard try await Self.exists("exchange_nodes", "node_id", "\(id)", in: sql) == false else {
                throw ExchangeError(.alreadyRegistered, "the node \(id) is registered already")
            }
            try await sql.raw(
                """
                INSERT INTO exchange_nodes (node_id, owner_id, server_code, address, created_at)
                VALUES (\(bind: id.description), \(bind: id.owner.description), \(bind: id.serverCode),
                    \(bind: address.description), \(bind: now))
                """
            ).run()
        }
    }

    /// Adds an authentication certificate to a node, after checking that one of ``nodeCertificateIssuers`` issued
    /// it, that it is valid now and that it allows TLS client authentication.
    ///
    /// - Throws: ``ExchangeError`` `.invalidRecord` for a certificate that fails those checks, `.notFound` for an
    ///   unknown node, `.alreadyRegistered` when the node has it already.
    public func addNodeCertificate(
        _ certificate: Certificate, to node: ExchangeNodeIdentifier, actor: AuditActor
    ) async throws {
        try checkInstance(node.owner)
        let now = clock.now()
        guard
            let issuer = nodeCertificateIssuers.first(where: {
                $0.subject == certificate.issuer
                    && $0.publicKey.isValidSignature(certificate.signature, for: certificate)
            })
        else {
            throw ExchangeError(.invalidRecord, "the certificate is not issued by the organisations CA")
        }
        guard certificate.notValidBefore <= now, now < certificate.notValidAfter else {
            throw ExchangeError(.invalidRecord, "the certificate is not valid now")
        }
        guard let usage = try? certificate.extensions.extendedKeyUsage, usage.contains(.clientAuth) else {
            throw ExchangeError(.invalidRecord, "the certificate does not allow TLS client authentication")
        }
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        let der = Data(serializer.serializedBytes)
        let serial = Hex.encode(certificate.serialNumber.bytes)
        let issuerName = issuer.subject.description
        let notAfter = Timestamp(certificate.notValidAfter).microseconds
        let added = clock.timestamp().microseconds
        try await change(
            actor: actor, action: "exchange.node.certificate.add",
            object: AuditObject(type: "exchange-node", id: "\(node)"),
            purpose: "register authentication certificate \(serial) of \(node)"
        ) { sql in
            guard try await Self.exists("exchange_nodes", "node_id", "\(node)", in: sql) else {
                throw ExchangeError(.notFound, "no node \(node)")
            }
            try await sql.raw(
                """
                INSERT INTO exchange_node_certificates (issuer, serial, node_id, der, not_after, added_at)
                VALUES (\(bind: issuerName), \(bind: serial), \(bind: node.description), \(bind: der),
                    \(bind: notAfter), \(bind: added))
                """
            ).run()
        }
    }

    /// Records that `node` serves `subsystem` (its information systems reach the exchange through it).
    ///
    /// - Throws: ``ExchangeError`` `.notFound` for an unknown node or subsystem, `.alreadyRegistered`.
    public func addNodeClient(
        _ subsystem: XRoadClientIdentifier, to node: ExchangeNodeIdentifier, actor: AuditActor
    ) async throws {
        try checkInstance(subsystem)
        try checkInstance(node.owner)
        let now = clock.timestamp().microseconds
        try await change(
            actor: actor, action: "exchange.node.client.add", object: AuditObject(type: "exchange-node", id: "\(node)"),
            purpose: "node \(node) serves \(subsystem)"
        ) { sql in
            guard try await Self.exists("exchange_nodes", "node_id", "\(node)", in: sql) else {
                throw ExchangeError(.notFound, "no node \(node)")
            }
            guard try await Self.exists("exchange_subsystems", "subsystem_id", "\(subsystem)", in: sql) else {
                throw ExchangeError(.notFound, "no subsystem \(subsystem)")
            }
            try await sql.raw(
                """
                INSERT INTO exchange_node_clients (node_id, subsystem_id, added_at)
                VALUES (\(bind: node.description), \(bind: subsystem.description), \(bind: now))
                """
            ).run()
        }
    }

    /// Every node with its certificates and clients, in identifier order.
    public func nodes() async throws -> [ExchangeNode] {
        try await database.read { sql in
            let nodes = try await sql.raw("SELECT node_id, address FROM exchange_nodes ORDER BY node_id").all()
            let certificates = try await sql.raw(
                "SELECT node_id, der FROM exchange_node_certificates ORDER BY added_at, serial"
            ).all()
            let clients = try await sql.raw(
                "SELECT node_id, subsystem_id FROM exchange_node_clients ORDER BY subsystem_id"
            ).all()
            var certificatesByNode: [String: [Certificate]] = [:]
            for row in certificates {
                let der = try row.decode(column: "der", as: Data.self)
                certificatesByNode[try row.decode(column: "node_id", as: String.self), default: []].append(
                    try Certificate(derEncoded: [UInt8](der)))
            }
            var clientsByNode: [String: [XRoadClientIdentifier]] = [:]
            for row in clients {
                clientsByNode[try row.decode(column: "node_id", as: String.self), default: []].append(
                    try XRoadClientIdentifier(try row.decode(column: "subsystem_id", as: String.self)))
            }
            return try nodes.map { row in
                let id = try row.decode(column: "node_id", as: String.self)
                return ExchangeNode(
                    id: try ExchangeNodeIdentifier(id),
                    address: try NodeAddress(try row.decode(column: "address", as: String.self)),
                    certificates: certificatesByNode[id] ?? [], clients: clientsByNode[id] ?? [])
            }
        }
    }

    /// Removes a node with its certificates and its list of clients.
    ///
    /// - Throws: ``ExchangeError`` `.notFound`.
    public func removeNode(_ id: ExchangeNodeIdentifier, actor: AuditActor) async throws {
        try checkInstance(id.owner)
        try await change(
            actor: actor, action: "exchange.node.remove", object: AuditObject(type: "exchange-node", id: "\(id)"),
            purpose: "remove exchange node \(id)"
        ) { sql in
            guard try await Self.exists("exchange_nodes", "node_id", "\(id)", in: sql) else {
                throw ExchangeError(.notFound, "no node \(id)")
            }
            for table in ["exchange_node_clients", "exchange_node_certificates", "exchange_nodes"] {
                try await sql.raw("DELETE FROM \(unsafeRaw: table) WHERE node_id = \(bind: id.description)").run()
            }
        }
    }
}
