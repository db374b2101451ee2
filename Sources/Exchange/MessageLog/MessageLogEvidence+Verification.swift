import Crypto
import Foundation
import SwiftASN1
import Trust
public import X509

extension MessageLogEvidence {
    /// Checks evidence offline, in order from the cheapest check:
    ///
    /// 1. the bytes are DER evidence in canonical form, every batch is used, every item names a batch;
    /// 2. each record's hash and audit path lead to one tree head per batch (RFC 9162 §2.1.3.2);
    /// 3. each body that is present has the record's digest and length;
    /// 4. each batch's RFC 3161 token is over its tree head (size and root, ``MerkleTree/treeHead(size:root:)``), signed by a TSA that chains to one of `trustAnchors`
    ///    at genTime (``TimeStampVerifier``), and carries nothing unsigned besides certificates of that chain;
    /// 5. each message signature that is CMS is valid over its signed headers and chains to `trustAnchors`
    ///    (``SignatureValidator``); revocation cannot be known offline and is noted, not failed. Where the signed
    ///    headers are an exchange node's sealed ``MessageManifest``, it must name the record's message id, direction,
    ///    client and service, and its last part the record's body digest.
    ///
    /// Never throws: whatever the bytes, the answer is a ``MessageLogVerification``.
    public static func verify(
        _ bytes: [UInt8], trustAnchors: [Certificate], intermediates: [Certificate] = []
    ) async -> MessageLogVerification {
        var result = MessageLogVerification(verdict: .valid, problems: [], notes: [], records: [])
        let evidence: MessageLogEvidence
        do {
            evidence = try MessageLogEvidence(derEncoded: bytes)
        } catch {
            result.fail(error.message)
            return result
        }
        result.records = evidence.items.map { item in
            MessageLogVerification.RecordReport(
                messageID: item.record.messageID, direction: item.record.direction, client: item.record.client,
                service: item.record.service, createdAt: item.record.createdDate, timeStampedAt: nil,
                signature: "not checked", bodyIncluded: item.body != nil)
        }
        guard let heads = evidence.treeHeads(&result) else { return result }
        evidence.checkBodies(&result)
        guard result.verdict == .valid else { return result }
        let verifier = TimeStampVerifier(trustAnchors: trustAnchors, intermediates: intermediates)
        var genTimes: [Date] = []
        for (index, batch) in evidence.batches.enumerated() {
            do {
                genTimes.append(try await Self.checkToken(batch.timeStampToken, over: heads[index], with: verifier))
            } catch {
                let reason = "batch \(index + 1): the time-stamp token does not verify: \(error)"
                if error.code == .untrustedSigner {
                    result.undecided(reason)
                } else {
                    result.fail(reason)
                }
                return result
            }
        }
        for (index, item) in evidence.items.enumerated() {
            result.records[index].timeStampedAt = genTimes[item.batch]
        }
        let validator = SignatureValidator(trustAnchors: trustAnchors, intermediates: intermediates)
        for (index, item) in evidence.items.enumerated() {
            await checkSignature(item.record, at: index, with: validator, into: &result)
        }
        return result
    }

    /// Each batch's tree head, from the first of its items; `nil` (with the problem recorded) when the items of a
    /// batch disagree, a path is malformed, or a batch is unused.
    private func treeHeads(_ result: inout MessageLogVerification) -> [[UInt8]]? {
        var heads: [[UInt8]?] = Array(repeating: nil, count: batches.count)
        for (index, item) in items.enumerated() {
            let name = "record \(index + 1) (\(item.record.messageID) \(item.record.direction))"
            guard batches.indices.contains(item.batch) else {
                result.fail("\(name) names batch \(item.batch + 1), but there are \(batches.count)")
                return nil
            }
            let batch = batches[item.batch]
            guard
                let head = MerkleTree.root(
                    fromLeaf: item.record.hash, index: item.leafIndex, size: batch.treeSize, path: item.auditPath)
            else {
                result.fail("\(name): its audit path does not fit a tree of \(batch.treeSize) records")
                return nil
            }
            if let known = heads[item.batch], known != MerkleTree.treeHead(size: batch.treeSize, root: head) {
                result.fail("\(name): its record hash and audit path do not lead to its batch's tree head")
                return nil
            }
            heads[item.batch] = MerkleTree.treeHead(size: batch.treeSize, root: head)
        }
        guard let unused = heads.firstIndex(where: { $0 == nil }) else { return heads.map { $0! } }
        result.fail("batch \(unused + 1) is not used by any record")
        return nil
    }

    private func checkBodies(_ result: inout MessageLogVerification) {
        for (index, item) in items.enumerated() {
            guard let body = item.body else { continue }
            guard Array(SHA256.hash(data: body)) == item.record.bodyDigest, Int64(body.count) == item.record.bodyLength
            else {
                result.fail("record \(index + 1): the body does not match the record's digest")
                return
            }
        }
        if items.contains(where: { $0.body == nil }) {
            result.notes.append("Some bodies are not included: their digests are time-stamped, their bytes are not.")
        }
    }

    /// Verifies one batch token over `head`, and that it carries no bytes its signature and chain do not vouch for.
    private static func checkToken(
        _ der: [UInt8], over head: [UInt8], with verifier: TimeStampVerifier
    ) async throws(TimeStampError) -> Date {
        let token = try TimeStampToken(derEncoded: der)
        guard token.signedData.contentInfoDER == der else {
            throw TimeStampError(.malformedResponse, "the token is not in its canonical DER encoding")
        }
        let verified = try await verifier.verify(token: token, expecting: .init(data: head, hashAlgorithm: .sha256))
        // The parts of a SignedData that no signature covers: the version numbers, the digest algorithm list and
        // the certificates. Each must be exactly what the signer and the validated chain imply.
        let signer = token.signedData.signerInfos[0]
        guard token.signedData.version == 3, signer.version == signer.signerIdentifier.signerInfoVersion,
            token.signedData.digestAlgorithms.map(\.derEncoded) == [signer.digestAlgorithm.derEncoded],
            token.signedData.revocationInformation.isEmpty, signer.unsignedAttributes.isEmpty
        else {
            throw TimeStampError(.invalidToken, "the token's unsigned fields are not what its signer implies")
        }
        let chain = Set(verified.chain.map(Self.der))
        guard token.signedData.certificates.allSatisfy(chain.contains) else {
            throw TimeStampError(.invalidToken, "the token carries a certificate outside the TSA's validated chain")
        }
        return verified.genTime
    }

    private static func checkSignature(
        _ record: MessageLogRecord, at index: Int, with validator: SignatureValidator,
        into result: inout MessageLogVerification
    ) async {
        let name = "record \(index + 1) (\(record.messageID) \(record.direction))"
        guard (try? CMSSignedData(contentInfoDER: record.signature)) != nil else {
            result.records[index].signature = "not a CMS signature: not checked"
            result.undecided("\(name): the signature is not CMS, so it cannot be checked here")
            return
        }
        // An exchange node's record keeps the sealed manifest as what was signed: it must describe this record.
        if let manifest = try? MessageManifest(derEncoded: record.signedHeaders) {
            let kind: MessageManifest.Kind = record.direction == .request ? .request : .response
            guard manifest.queryID == record.messageID, manifest.kind == kind, manifest.client == record.client,
                manifest.service == record.service, manifest.parts.last?.digest == record.bodyDigest
            else {
                result.records[index].signature = "invalid (the sealed manifest is not this record's)"
                result.fail("\(name): the sealed manifest names another message, direction, party or body")
                return
            }
        }
        let report = await validator.validate(record.signature, signed: .document(record.signedHeaders))
        let signer = report.signatures.first?.signer?.subject ?? "an unidentified signer"
        switch (report.indication, report.subIndication) {
        case (.totalPassed, _):
            result.records[index].signature = "valid, sealed by \(signer)"
        case (.indeterminate, .tryLater):
            // Every cryptographic check passed; only the revocation status is unknown, which offline it must be.
            result.records[index].signature = "valid, sealed by \(signer); revocation not checked offline"
            result.notes.append("\(name): \(report.message ?? "revocation status unknown")")
        case (.totalFailed, let sub):
            result.records[index].signature = "invalid (\(sub?.rawValue ?? "TOTAL-FAILED"))"
            result.fail("\(name): the signature is not valid: \(report.message ?? "no reason given")")
        case (_, let sub):
            result.records[index].signature = "cannot tell (\(sub?.rawValue ?? "INDETERMINATE"))"
            result.undecided("\(name): the signature cannot be validated: \(report.message ?? "no reason given")")
        }
    }

    private static func der(_ certificate: Certificate) -> [UInt8] {
        var serializer = DER.Serializer()
        try? serializer.serialize(certificate)
        return serializer.serializedBytes
    }
}

extension MessageLogVerification {
    mutating func fail(_ problem: String) {
        verdict = .invalid
        problems.append(problem)
    }

    mutating func undecided(_ problem: String) {
        if verdict == .valid { verdict = .indeterminate }
        problems.append(problem)
    }
}
