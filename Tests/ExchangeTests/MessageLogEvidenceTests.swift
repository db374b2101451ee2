import Crypto
import Foundation
import SQLKit
import Storage
import StorageTesting
import SwiftASN1
import Testing
import Trust
import X509

@testable import Exchange

/// The evidence file on its own: what it proves, that every byte of it matters, and that openssl reads its parts.
@Suite("Message log evidence")
struct MessageLogEvidenceTests {
    static let pki = MessageLogTestPKI.shared

    /// One message's evidence (request and response, three other messages in the same batch), as exported.
    static func exported(keepsBodies: Bool = true, signature: [UInt8]? = nil) async throws -> [UInt8] {
        try await TestDatabase.with(.sqlite, migrations: MessageLogTests.migrations) { database in
            var configuration = MessageLogSamples.configuration()
            configuration.keepsBodies = keepsBodies
            let log = MessageLog(database: database, configuration: configuration)
            try await log.append(try await MessageLogSamples.request("other-1"))
            var request = try await MessageLogSamples.request("evidence")
            if let signature { request.signature = signature }
            try await log.append(request)
            try await log.append(try await MessageLogSamples.request("other-2"))
            try await log.append(try await MessageLogSamples.response("evidence"))
            try await log.append(try await MessageLogSamples.request("other-3"))
            try await log.stampPending(using: try pki.authority())
            return try await log.evidence(messageID: "evidence").derEncoded
        }
    }

    static func verify(_ bytes: [UInt8]) async -> MessageLogVerification {
        await MessageLogEvidence.verify(bytes, trustAnchors: [pki.root])
    }

    @Test("changing any one byte of the file makes it fail, at every position")
    func everyByteMatters() async throws {
        let bytes = try await Self.exported()
        #expect(await Self.verify(bytes).verdict == .valid)
        let accepted = await withTaskGroup(of: [Int].self) { group in
            let lanes = 2
            for lane in 0..<lanes {
                group.addTask {
                    var accepted: [Int] = []
                    for position in stride(from: lane, to: bytes.count, by: lanes) {
                        var changed = bytes
                        changed[position] ^= 0x01
                        if await Self.verify(changed).verdict == .valid { accepted.append(position) }
                    }
                    return accepted
                }
            }
            return await group.reduce(into: []) { $0 += $1 }
        }
        #expect(accepted.isEmpty, "changed bytes still verified at \(accepted.sorted()) of \(bytes.count)")
    }

    @Test("a wrong root cannot tell; a truncated, extended or empty file is invalid")
    func wrongRootAndBrokenFiles() async throws {
        let bytes = try await Self.exported()
        let stranger = try MessageLogTestPKI.make(rootName: "Some Other Root")
        let result = await MessageLogEvidence.verify(bytes, trustAnchors: [stranger.root])
        #expect(result.verdict == .indeterminate, "\(result.problems)")
        #expect(result.verdict.exitCode == 2)
        for broken in [Array(bytes.dropLast()), bytes + [0x00], [], Array("not evidence".utf8)] {
            let result = await Self.verify(broken)
            #expect(result.verdict == .invalid)
            #expect(result.verdict.exitCode == 1)
            #expect(!result.problems.isEmpty)
        }
    }

    @Test("a batch no record uses, or a record naming a batch that is not there, is invalid")
    func batchReferences() async throws {
        let evidence = try MessageLogEvidence(derEncoded: try await Self.exported())
        let extra = MessageLogEvidence(batches: evidence.batches + evidence.batches, items: evidence.items)
        #expect(await Self.verify(extra.derEncoded).verdict == .invalid)
        let item = evidence.items[0]
        let dangling = MessageLogEvidence(
            batches: evidence.batches,
            items: [
                MessageLogEvidence.Item(
                    record: item.record, batch: 1, leafIndex: item.leafIndex, auditPath: item.auditPath,
                    body: item.body)
            ])
        #expect(await Self.verify(dangling.derEncoded).verdict == .invalid)
    }

    @Test("a record moved to another leaf index, or with another body, is invalid")
    func movedOrChangedBody() async throws {
        let evidence = try MessageLogEvidence(derEncoded: try await Self.exported())
        let item = evidence.items[0]
        let moved = MessageLogEvidence(
            batches: evidence.batches,
            items: [
                MessageLogEvidence.Item(
                    record: item.record, batch: 0, leafIndex: item.leafIndex + 1, auditPath: item.auditPath,
                    body: item.body)
            ])
        #expect(await Self.verify(moved.derEncoded).verdict == .invalid)
        let otherBody = MessageLogEvidence(
            batches: evidence.batches,
            items: [
                MessageLogEvidence.Item(
                    record: item.record, batch: 0, leafIndex: item.leafIndex, auditPath: item.auditPath,
                    body: Array("{\"personalNumber\":\"01024054864\"}".utf8))
            ])
        let result = await Self.verify(otherBody.derEncoded)
        #expect(result.verdict == .invalid)
        #expect(result.problems.first?.contains("body") == true)
    }

    @Test("a forged signature inside a time-stamped record is invalid; a signature that is not CMS cannot tell")
    func signatures() async throws {
        var forged = try await Self.pki.seal(Array("x-road-id: evidence\n".utf8), byProvider: false)
        // A valid seal, but over other headers than the record's: the digest does not match.
        let mismatched = await Self.verify(try await Self.exported(signature: forged))
        #expect(mismatched.verdict == .invalid, "\(mismatched.problems)")
        #expect(mismatched.records[0].signature.contains("invalid"))
        forged = Array("raw signature bytes".utf8)
        let raw = await Self.verify(try await Self.exported(signature: forged))
        #expect(raw.verdict == .indeterminate, "\(raw.problems)")
        #expect(raw.records[0].signature.contains("not a CMS signature"))
    }

    @Test("openssl reads the parts: the token verifies over the tree head, the seal over the signed headers")
    func opensslReadsTheParts() async throws {
        let evidence = try MessageLogEvidence(derEncoded: try await Self.exported())
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("civitas-ev-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        func file(_ name: String, _ bytes: [UInt8]) throws -> String {
            let url = directory.appendingPathComponent(name)
            try Data(bytes).write(to: url)
            return url.path
        }
        var serializer = DER.Serializer()
        try serializer.serialize(Self.pki.root)
        let root = try file("root.der", serializer.serializedBytes)
        let rootPEM = directory.appendingPathComponent("root.pem").path
        _ = try Self.openssl(["x509", "-inform", "DER", "-in", root, "-out", rootPEM])
        let item = evidence.items[0]
        let head = try #require(
            MerkleTree.root(
                fromLeaf: item.record.hash, index: item.leafIndex, size: evidence.batches[0].treeSize,
                path: item.auditPath))
        let token = try file("token.der", evidence.batches[0].timeStampToken)
        let treeHead = try file("tree-head.bin", MerkleTree.treeHead(size: evidence.batches[0].treeSize, root: head))
        let tsOutput = try Self.openssl([
            "ts", "-verify", "-token_in", "-in", token, "-data", treeHead, "-CAfile", rootPEM,
        ])
        #expect(tsOutput.contains("Verification: OK"), "\(tsOutput)")
        let signature = try file("request.p7s", item.record.signature)
        let headers = try file("request-headers.txt", item.record.signedHeaders)
        let cmsOutput = try Self.openssl([
            "cms", "-verify", "-binary", "-inform", "DER", "-in", signature, "-content", headers, "-CAfile", rootPEM,
            "-purpose", "any", "-out", "/dev/null",
        ])
        #expect(cmsOutput.contains("Verification successful"), "\(cmsOutput)")
        // The whole file is plain DER for asn1parse.
        let whole = try file("evidence.der", evidence.derEncoded)
        _ = try Self.openssl(["asn1parse", "-inform", "DER", "-in", whole])
    }

    @Test("the fuzz corpus holds a real evidence file (selector 10), small enough for scripts/fuzz, that parses")
    func fuzzSeed() async throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("FuzzCorpus/message-log-evidence")
        // Regenerate with CIVITAS_WRITE_FUZZ_SEED=1 after a format change.
        if ProcessInfo.processInfo.environment["CIVITAS_WRITE_FUZZ_SEED"] != nil {
            let bytes = try await Self.exported(keepsBodies: false, signature: Array("raw seal".utf8))
            try Data([10] + bytes).write(to: url)
        }
        let seed = Array(try Data(contentsOf: url))
        #expect(seed.first == 10)
        #expect(seed.count <= 4096)
        let evidence = try MessageLogEvidence(derEncoded: Array(seed.dropFirst()))
        #expect(evidence.items.count == 2)
    }

    /// Runs openssl, returns its standard output and error, and fails on a non-zero status.
    static func openssl(_ arguments: [String]) throws -> String {
        let (status, text) = try Subprocess.run("/usr/bin/openssl", arguments)
        guard status == 0 else {
            throw OpenSSLFailure(description: "openssl \(arguments.prefix(2).joined(separator: " ")) failed: \(text)")
        }
        return text
    }
}

/// openssl exited with a failure.
struct OpenSSLFailure: Error, CustomStringConvertible {
    let description: String
}
