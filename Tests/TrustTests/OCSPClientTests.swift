import AsyncHTTPClient
import CivitasCore
import Crypto
import Foundation
import HTTPTypes
import Storage
import StorageTesting
import SwiftASN1
import Synchronization
import Testing
import X509

@testable import Trust

/// The OCSP revocation source against real responders on loopback: the national PKI's own `/ocsp` on a live node,
/// the project's responder with a clock the test sets, hand-made answers no honest responder sends, and openssl's
/// responder.
@Suite("OCSP client")
struct OCSPClientTests {
    /// Long enough for the live responder on a machine busy with the other suites; the tests that time out
    /// on purpose set their own.
    static let patience: Duration = .seconds(60)

    /// Runs `operation` and returns the TrustError it throws (or records an issue if it throws another or none).
    static func trustError(_ operation: () async throws -> Void) async -> TrustError? {
        do {
            try await operation()
            Issue.record("expected a TrustError, got an answer")
            return nil
        } catch let error as TrustError {
            return error
        } catch {
            Issue.record("expected a TrustError, got \(error)")
            return nil
        }
    }

    static func isGood(_ status: RevocationStatus) -> Bool {
        if case .good = status { return true }
        return false
    }

    static func sleep(until date: Date) async throws {
        let seconds = date.timeIntervalSinceNow
        if seconds > 0 { try await Task.sleep(for: .milliseconds(Int(seconds * 1000) + 1)) }
    }

    /// thisUpdate of an answer the project's responder signs at `time`: DER times have whole seconds.
    static func truncated(_ time: Date) -> Date {
        Date(timeIntervalSince1970: time.timeIntervalSince1970.rounded(.down))
    }

    // MARK: - The national PKI's own responder, in real time

    @Test("a good certificate is good at the node's /ocsp: delegated responder, the root's own key, SHA-1, nonce")
    func goodFromTheNode() async throws {
        try await OCSPClientServers.withNationalNode { url, fixture, counter in
            let citizen = fixture.citizen.certificate
            let citizensCA = fixture.chain[0]
            let root = try await fixture.pki.certificate(role: .root).certificate
            let source = OCSPRevocationSource(responderURL: url, freshness: .seconds(60), timeout: Self.patience)
            let status = try await source.status(of: citizen, issuer: citizensCA)
            guard case .good(let checkedAt) = status else {
                Issue.record("expected good, got \(status)")
                return
            }
            #expect(abs(checkedAt.timeIntervalSinceNow) < 60)
            // The issuing CA's certificate, answered by the root itself rather than a delegated responder.
            #expect(Self.isGood(try await source.status(of: citizensCA, issuer: root)))
            let sha1 = OCSPRevocationSource(
                responderURL: url, freshness: .seconds(60), useNonce: true, hashAlgorithm: .sha1)
            #expect(Self.isGood(try await sha1.status(of: citizen, issuer: citizensCA)))
            #expect(counter.count == 3)
            #expect(source.name == "OCSP \(url)")
        }
    }

    @Test("after revocation the kept good answer stands until it is freshness old; then revoked, with the reason")
    func revocationAfterFreshness() async throws {
        try await OCSPClientServers.withNationalNode { url, fixture, counter in
            let freshness = 8.0
            let citizen = fixture.citizen.certificate
            let issuer = fixture.chain[0]
            // With a nonce the responder signs each answer anew: what is tested is the client's keeping, not how
            // soon a busy responder drops its pre-produced answers.
            let source = OCSPRevocationSource(
                responderURL: url, freshness: .seconds(freshness), timeout: Self.patience, useNonce: true)
            let first = try await source.status(of: citizen, issuer: issuer)
            guard case .good(let thisUpdate) = first else {
                Issue.record("expected good, got \(first)")
                return
            }
            try await fixture.revoke()
            // The defined behaviour: an accepted answer is served until it is `freshness` old, revoked or not.
            #expect(Self.isGood(try await source.status(of: citizen, issuer: issuer)))
            #expect(counter.count == 1)
            try await Self.sleep(until: thisUpdate.addingTimeInterval(freshness + 0.2))
            let after = try await source.status(of: citizen, issuer: issuer)
            guard case .revoked(let since, let reason) = after else {
                Issue.record("expected revoked, got \(after)")
                return
            }
            #expect(reason == .keyCompromise)
            #expect(abs(since.timeIntervalSinceNow) < 60)
            #expect(counter.count == 2)
        }
    }

    @Test("concurrent askers about one certificate share one request; another certificate is its own")
    func coalescing() async throws {
        try await OCSPClientServers.withNationalNode { url, fixture, counter in
            let citizen = fixture.citizen.certificate
            let issuer = fixture.chain[0]
            let source = OCSPRevocationSource(responderURL: url, freshness: .seconds(60), timeout: Self.patience)
            let statuses = try await withThrowingTaskGroup(of: RevocationStatus.self) { group in
                for _ in 0..<16 {
                    group.addTask { try await source.status(of: citizen, issuer: issuer) }
                }
                var statuses: [RevocationStatus] = []
                for try await status in group { statuses.append(status) }
                return statuses
            }
            #expect(statuses.count == 16)
            #expect(statuses.allSatisfy(Self.isGood))
            #expect(Set(statuses).count == 1, "every asker got the one answer")
            #expect(counter.count == 1)
            #expect(source.requestsSent == 1)
            let root = try await fixture.pki.certificate(role: .root).certificate
            #expect(Self.isGood(try await source.status(of: issuer, issuer: root)))
            #expect(counter.count == 2)
        }
    }

    @Test(
        "an answer older than freshness or past nextUpdate is refused as stale, and not kept",
        arguments: [(120.0, "not fresh enough"), (7200.0, "expired at its nextUpdate")])
    func staleByClock(offset: TimeInterval, needle: String) async throws {
        try await OCSPClientServers.withNationalNode { url, fixture, counter in
            let clock = SettableClock(Date().addingTimeInterval(offset))
            let source = OCSPRevocationSource(
                responderURL: url, freshness: .seconds(60), clock: clock, timeout: Self.patience)
            for _ in 0..<2 {
                let error = await Self.trustError {
                    _ = try await source.status(of: fixture.citizen.certificate, issuer: fixture.chain[0])
                }
                #expect(error?.code == .ocspStale)
                #expect(error?.message.contains(needle) == true, "\(String(describing: error))")
                #expect(error?.message.contains(url) == true)
            }
            #expect(counter.count == 2, "a refused answer is not kept")
        }
    }

    @Test(
        "a CAdES signature passes with the OCSP source; a stale answer does not; after revocation and freshness it fails"
    )
    func signatureValidation() async throws {
        try await OCSPClientServers.withNationalNode { url, fixture, _ in
            let freshness = 8.0
            let source = OCSPRevocationSource(responderURL: url, freshness: .seconds(freshness), timeout: Self.patience)
            let validator = try await fixture.validator(sources: [source])
            let signature = try await fixture.sign(.basic)
            let passed = await validator.validate(signature, signed: .document(ValidationFixture.document))
            let answeredBy = Date()
            #expect(passed.indication == .totalPassed, "\(passed)")
            #expect(passed.signatures.first?.revocation?.status == "good")
            #expect(passed.signatures.first?.revocation?.source == source.name)

            let ahead = SettableClock(Date().addingTimeInterval(600))
            let staleSource = OCSPRevocationSource(
                responderURL: url, freshness: .seconds(60), clock: ahead, timeout: Self.patience)
            let stale = try await fixture.validator(sources: [staleSource]).validate(
                signature, signed: .document(ValidationFixture.document))
            #expect(stale.indication == .indeterminate, "\(stale)")
            #expect(stale.subIndication == .tryLater)
            #expect(stale.signatures.first?.messages.contains { $0.contains("not fresh enough") } == true, "\(stale)")

            try await fixture.revoke()
            try await Self.sleep(until: answeredBy.addingTimeInterval(freshness + 0.2))
            let failed = await validator.validate(signature, signed: .document(ValidationFixture.document))
            #expect(failed.indication == .indeterminate, "\(failed)")
            #expect(failed.subIndication == .revokedNoPOE)
            #expect(failed.signatures.first?.revocation?.status == "revoked")
            #expect(failed.signatures.first?.revocation?.reason == "keyCompromise")
        }
    }

    // MARK: - The project's responder on a clock the test sets

    /// A responder for the test PKI's issuing CA (delegated responder) and its other CA (the CA's own key).
    static func responder(
        _ pki: OCSPTestPKI, _ statuses: OCSPTestStatuses, cache: OCSPResponseCache? = nil
    ) throws -> OCSPResponder {
        try OCSPResponder(authorities: [pki.authority(), pki.otherAuthority()], validity: 3600, cache: cache) {
            try statuses.lookup($0)
        }
    }

    @Test(
        "good, revoked with reason, on hold and unknown are mapped; the delegated responder and the CA itself sign",
        arguments: OCSPHashAlgorithm.allCases)
    func statusesMapped(hash: OCSPHashAlgorithm) async throws {
        let pki = try OCSPTestPKI()
        let statuses = OCSPTestStatuses()
        let clock = SettableClock(OCSPTestPKI.now)
        let otherLeaf = try OCSPTestPKI.issueLeaf(
            "Other Leaf", serial: 0x2001, key: pki.leafKey, ca: pki.otherCA, caKey: pki.otherCAKey)
        let neverIssued = try OCSPTestPKI.issueLeaf(
            "Never Issued", serial: 0x1003, key: pki.leafKey, ca: pki.ca, caKey: pki.caKey)
        let revokedAt = Date(timeIntervalSince1970: 1_797_990_000)
        statuses.set(pki.leaf.serialNumber, .good)
        statuses.set(pki.secondLeaf.serialNumber, .revoked(time: revokedAt, reason: .keyCompromise))
        statuses.set(otherLeaf.serialNumber, .revoked(time: revokedAt, reason: .certificateHold))
        try await OCSPClientServers.withResponder(Self.responder(pki, statuses), clock: clock) { url, counter throws in
            let source = OCSPRevocationSource(
                responderURL: url, freshness: .seconds(300), clock: clock, hashAlgorithm: hash)
            let thisUpdate = Self.truncated(OCSPTestPKI.now)
            #expect(try await source.status(of: pki.leaf, issuer: pki.ca) == .good(checkedAt: thisUpdate))
            #expect(
                try await source.status(of: pki.secondLeaf, issuer: pki.ca)
                    == .revoked(since: revokedAt, reason: .keyCompromise))
            #expect(try await source.status(of: otherLeaf, issuer: pki.otherCA) == .suspended(since: revokedAt))
            #expect(try await source.status(of: neverIssued, issuer: pki.ca) == .unknown)
            #expect(try await source.status(of: neverIssued, issuer: pki.ca) == .unknown)
            #expect(counter.count == 5, "unknown is not kept")
            #expect(try await source.status(of: pki.leaf, issuer: pki.ca) == .good(checkedAt: thisUpdate))
            #expect(counter.count == 5, "good is kept")
        }
    }

    @Test("a kept answer is served while younger than freshness; a revoked one until nextUpdate")
    func keptAnswers() async throws {
        let pki = try OCSPTestPKI()
        let statuses = OCSPTestStatuses()
        let start = OCSPTestPKI.now
        let clock = SettableClock(start)
        statuses.set(pki.leaf.serialNumber, .good)
        try await OCSPClientServers.withResponder(Self.responder(pki, statuses), clock: clock) { url, counter throws in
            let source = OCSPRevocationSource(
                responderURL: url, freshness: .seconds(300), clock: clock, timeout: Self.patience)
            #expect(Self.isGood(try await source.status(of: pki.leaf, issuer: pki.ca)))
            let revokedAt = Self.truncated(start.addingTimeInterval(10))
            statuses.set(pki.leaf.serialNumber, .revoked(time: revokedAt, reason: .superseded))
            clock.set(start.addingTimeInterval(298))
            #expect(Self.isGood(try await source.status(of: pki.leaf, issuer: pki.ca)))
            #expect(counter.count == 1)
            clock.set(start.addingTimeInterval(301))
            #expect(
                try await source.status(of: pki.leaf, issuer: pki.ca) == .revoked(since: revokedAt, reason: .superseded)
            )
            #expect(counter.count == 2)
            // Revoked is final: kept past freshness, until the answer's nextUpdate (an hour after it was signed).
            clock.set(start.addingTimeInterval(301 + 3000))
            #expect(
                try await source.status(of: pki.leaf, issuer: pki.ca) == .revoked(since: revokedAt, reason: .superseded)
            )
            #expect(counter.count == 2)
            clock.set(start.addingTimeInterval(301 + 3600))
            #expect(
                try await source.status(of: pki.leaf, issuer: pki.ca) == .revoked(since: revokedAt, reason: .superseded)
            )
            #expect(counter.count == 3)
        }
    }

    @Test("a pre-produced answer older than freshness is refused as stale; a nonce gets a fresh one")
    func stalePreProducedAnswer() async throws {
        let pki = try OCSPTestPKI()
        let statuses = OCSPTestStatuses()
        let clock = SettableClock(OCSPTestPKI.now)
        statuses.set(pki.leaf.serialNumber, .good)
        let cache = OCSPResponseCache(refreshMargin: 900)
        try await OCSPClientServers.withResponder(Self.responder(pki, statuses, cache: cache), clock: clock) {
            url, _ throws in
            // Someone asks first: the responder keeps its signed answer and serves it for 45 minutes.
            let early = OCSPRevocationSource(
                responderURL: url, freshness: .seconds(3600), clock: clock, timeout: Self.patience)
            #expect(Self.isGood(try await early.status(of: pki.leaf, issuer: pki.ca)))
            #expect(cache.count == 1)
            clock.set(OCSPTestPKI.now.addingTimeInterval(600))
            let strict = OCSPRevocationSource(
                responderURL: url, freshness: .seconds(300), clock: clock, timeout: Self.patience)
            let error = await Self.trustError { _ = try await strict.status(of: pki.leaf, issuer: pki.ca) }
            #expect(error?.code == .ocspStale)
            #expect(
                error?.message.contains("was 600 s old when it was asked for, more than the 300 s allowed") == true,
                "\(String(describing: error))")
            let withNonce = OCSPRevocationSource(
                responderURL: url, freshness: .seconds(300), clock: clock, useNonce: true)
            #expect(Self.isGood(try await withNonce.status(of: pki.leaf, issuer: pki.ca)))
        }
    }

    @Test("an answer dated more than the allowed skew ahead of the clock is refused as stale; within it, accepted")
    func aheadOfTheClock() async throws {
        let pki = try OCSPTestPKI()
        let statuses = OCSPTestStatuses()
        let clock = SettableClock(OCSPTestPKI.now)
        statuses.set(pki.leaf.serialNumber, .good)
        let responder = try Self.responder(pki, statuses)
        let ahead = Locked<TimeInterval>(600)
        try await OCSPClientServers.withScripted({ body in
            .init(body: await responder.respond(to: body, at: clock.now().addingTimeInterval(ahead.value)))
        }) { url, _ in
            let source = OCSPRevocationSource(
                responderURL: url, freshness: .seconds(300), clock: clock, timeout: Self.patience)
            let error = await Self.trustError { _ = try await source.status(of: pki.leaf, issuer: pki.ca) }
            #expect(error?.code == .ocspStale)
            #expect(error?.message.contains("ahead of this clock") == true, "\(String(describing: error))")
            ahead.value = 30
            let status = try await source.status(of: pki.leaf, issuer: pki.ca)
            #expect(Self.isGood(status), "\(status)")
        }
    }

    @Test("freshness is judged when the request was sent: a slow answer made then passes, one dated before does not")
    func slowResponder() async throws {
        let pki = try OCSPTestPKI()
        let statuses = OCSPTestStatuses()
        let clock = SettableClock(OCSPTestPKI.now)
        statuses.set(pki.leaf.serialNumber, .good)
        let responder = try Self.responder(pki, statuses)
        // The answer is dated `dated` seconds after the request arrives, and takes 400 s of the clock to come back.
        let dated = Locked<TimeInterval>(0)
        try await OCSPClientServers.withScripted({ body in
            let answer = await responder.respond(to: body, at: clock.now().addingTimeInterval(dated.value))
            clock.set(clock.now().addingTimeInterval(400))
            return .init(body: answer)
        }) { url, _ in
            let source = OCSPRevocationSource(
                responderURL: url, freshness: .seconds(300), clock: clock, timeout: Self.patience)
            let status = try await source.status(of: pki.leaf, issuer: pki.ca)
            #expect(Self.isGood(status), "made when asked, 400 s on the way: \(status)")
            dated.value = -301
            let error = await Self.trustError { _ = try await source.status(of: pki.leaf, issuer: pki.ca) }
            #expect(error?.code == .ocspStale)
            #expect(error?.message.contains("when it was asked for") == true, "\(String(describing: error))")
        }
    }

    @Test("with a nonce, an answer that does not echo it is refused as a possible replay")
    func nonceEcho() async throws {
        let pki = try OCSPTestPKI()
        let statuses = OCSPTestStatuses()
        let clock = SettableClock(OCSPTestPKI.now)
        statuses.set(pki.leaf.serialNumber, .good)
        let responder = try Self.responder(pki, statuses)
        for replacement in [nil, OCSPRequest.randomNonce()] {
            // The responder answers another request for the same certificate: without a nonce, or with another.
            try await OCSPClientServers.withScripted({ body in
                let asked = try OCSPRequest(derEncoded: body)
                let other = try OCSPRequest(certIDs: asked.certIDs, nonce: replacement)
                return .init(body: await responder.respond(to: other.derEncoded, at: clock.now()))
            }) { url, _ throws in
                let source = OCSPRevocationSource(
                    responderURL: url, freshness: .seconds(300), clock: clock, useNonce: true)
                let error = await Self.trustError { _ = try await source.status(of: pki.leaf, issuer: pki.ca) }
                #expect(error?.code == .ocspUntrusted)
                #expect(error?.message.contains("did not echo the request's nonce") == true)
                // Without asking for a nonce, the same answers are fine.
                let plain = OCSPRevocationSource(
                    responderURL: url, freshness: .seconds(300), clock: clock, timeout: Self.patience)
                #expect(Self.isGood(try await plain.status(of: pki.leaf, issuer: pki.ca)))
            }
        }
    }

    // MARK: - Answers no honest responder sends

    /// Ways to sign an answer about the test PKI's leaf without the right to.
    enum Forgery: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case strangerWithOwnCertificate
        case strangerClaimingTheCA
        case delegateWithoutOCSPSigning
        case expiredDelegate
        case siblingCA
        case responderNotSent
        case tamperedSignature

        var testDescription: String { rawValue }

        /// The substring the refusal's message must contain.
        var needle: String {
            switch self {
            case .strangerWithOwnCertificate, .siblingCA: "did not issue"
            case .strangerClaimingTheCA, .tamperedSignature: "does not verify with the key of"
            case .delegateWithoutOCSPSigning: "not authorised for OCSP signing"
            case .expiredDelegate: "not valid now"
            case .responderNotSent: "neither"
            }
        }

        /// The forged DER answer to `request`.
        func answer(_ request: OCSPRequest, pki: OCSPTestPKI, at now: Date) async throws -> [UInt8] {
            let certID = request.certIDs[0].derEncoded
            let later = now.addingTimeInterval(3600)
            let strangerKey = P256.Signing.PrivateKey()
            func delegate(ocspSigning: Bool, notAfter: Date) throws -> Certificate {
                try Certificate(
                    version: .v3, serialNumber: .init(), publicKey: .init(strangerKey.publicKey),
                    notValidBefore: now.addingTimeInterval(-7200), notValidAfter: notAfter, issuer: pki.ca.subject,
                    subject: try DistinguishedName { CommonName("Civitas Test OCSP Responder") },
                    signatureAlgorithm: .ecdsaWithSHA256,
                    extensions: try Certificate.Extensions {
                        if ocspSigning { try ExtendedKeyUsage([.ocspSigning]) }
                    },
                    issuerPrivateKey: .init(pki.caKey))
            }
            func signed(
                by key: P256.Signing.PrivateKey, naming: Certificate, sending: [Certificate]
            ) async throws
                -> [UInt8]
            {
                try await OCSPForgery.response(
                    certID: certID, thisUpdate: now, nextUpdate: later, key: .init(key),
                    responderKeyHash: OCSPForgery.keyHash(naming), certificates: sending)
            }
            switch self {
            case .strangerWithOwnCertificate:
                // The real responder's name, id-kp-OCSPSigning and the CA named as issuer, but signed by itself.
                let own = try Certificate(
                    version: .v3, serialNumber: .init(), publicKey: .init(strangerKey.publicKey),
                    notValidBefore: now.addingTimeInterval(-7200), notValidAfter: later,
                    issuer: pki.ca.subject, subject: pki.responder.subject,
                    signatureAlgorithm: .ecdsaWithSHA256,
                    extensions: try Certificate.Extensions { try ExtendedKeyUsage([.ocspSigning]) },
                    issuerPrivateKey: .init(strangerKey))
                return try await signed(by: strangerKey, naming: own, sending: [own])
            case .strangerClaimingTheCA:
                return try await signed(by: strangerKey, naming: pki.ca, sending: [])
            case .delegateWithoutOCSPSigning:
                let certificate = try delegate(ocspSigning: false, notAfter: later)
                return try await signed(by: strangerKey, naming: certificate, sending: [certificate])
            case .expiredDelegate:
                let certificate = try delegate(ocspSigning: true, notAfter: now.addingTimeInterval(-60))
                return try await signed(by: strangerKey, naming: certificate, sending: [certificate])
            case .siblingCA:
                return try await signed(by: pki.otherCAKey, naming: pki.otherCA, sending: [pki.otherCA])
            case .responderNotSent:
                return try await signed(by: pki.responderKey, naming: pki.responder, sending: [])
            case .tamperedSignature:
                var genuine = try await signed(by: pki.responderKey, naming: pki.responder, sending: [pki.responder])
                // The signature BIT STRING ends just before the certs field; flip a bit of its last octet.
                let certs = OCSPResponseEncoder.certificatesField([TrustTestPKI.der(pki.responder)])
                genuine[genuine.count - certs.count - 1] ^= 0x01
                return genuine
            }
        }
    }

    @Test("answers signed by anyone but the CA or a responder it authorised are refused", arguments: Forgery.allCases)
    func forgedSigners(forgery: Forgery) async throws {
        let pki = try OCSPTestPKI()
        let clock = SettableClock(OCSPTestPKI.now)
        try await OCSPClientServers.withScripted({ body in
            .init(body: try await forgery.answer(OCSPRequest(derEncoded: body), pki: pki, at: clock.now()))
        }) { url, counter in
            let source = OCSPRevocationSource(
                responderURL: url, freshness: .seconds(300), clock: clock, timeout: Self.patience)
            for _ in 0..<2 {
                let error = await Self.trustError { _ = try await source.status(of: pki.leaf, issuer: pki.ca) }
                #expect(error?.code == .ocspUntrusted)
                #expect(error?.message.contains(forgery.needle) == true, "\(String(describing: error))")
            }
            #expect(counter.count == 2, "a refused answer is not kept")
        }
    }

    @Test("the genuine delegated responder's hand-made answer passes the same checks (the forgeries' control)")
    func forgeryControl() async throws {
        let pki = try OCSPTestPKI()
        let clock = SettableClock(OCSPTestPKI.now)
        try await OCSPClientServers.withScripted({ body in
            let request = try OCSPRequest(derEncoded: body)
            return .init(
                body: try await OCSPForgery.response(
                    certID: request.certIDs[0].derEncoded, thisUpdate: clock.now(),
                    nextUpdate: clock.now().addingTimeInterval(3600), key: .init(pki.responderKey),
                    responderKeyHash: OCSPForgery.keyHash(pki.responder), certificates: [pki.responder]))
        }) { url, _ throws in
            let source = OCSPRevocationSource(
                responderURL: url, freshness: .seconds(300), clock: clock, timeout: Self.patience)
            #expect(Self.isGood(try await source.status(of: pki.leaf, issuer: pki.ca)))
        }
    }

    /// Replies that are not an OCSP answer about the certificate asked.
    enum BadReply: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case garbage
        case truncated
        case unauthorized
        case serverError
        case html
        case anotherCertificate

        var testDescription: String { rawValue }

        var needle: String {
            switch self {
            case .garbage, .truncated: "not a DER OCSPResponse"
            case .unauthorized: "refused the request: unauthorized"
            case .serverError: "answered HTTP 500"
            case .html: "Content-Type 'text/html'"
            case .anotherCertificate: "answered about another certificate"
            }
        }

        func reply(
            _ body: [UInt8], pki: OCSPTestPKI, responder: OCSPResponder, at now: Date
        ) async throws
            -> OCSPClientServers.Reply
        {
            let genuine = await responder.respond(to: body, at: now)
            switch self {
            case .garbage: return .init(body: Array("not DER at all".utf8))
            case .truncated: return .init(body: Array(genuine.prefix(genuine.count / 2)))
            case .unauthorized: return .init(body: OCSPResponseEncoder.unsuccessful(.unauthorized))
            case .serverError: return .init(status: .internalServerError, body: genuine)
            case .html: return .init(contentType: "text/html", body: Array("<html></html>".utf8))
            case .anotherCertificate:
                let other = try OCSPRequest.make(certificate: pki.secondLeaf, issuer: pki.ca, nonce: nil)
                return .init(body: await responder.respond(to: other, at: now))
            }
        }
    }

    @Test(
        "a reply that is not an OCSP answer about the certificate asked is refused, and not kept",
        arguments: BadReply.allCases)
    func badReplies(kind: BadReply) async throws {
        let pki = try OCSPTestPKI()
        let statuses = OCSPTestStatuses()
        statuses.set(pki.leaf.serialNumber, .good)
        statuses.set(pki.secondLeaf.serialNumber, .good)
        let responder = try Self.responder(pki, statuses)
        let clock = SettableClock(OCSPTestPKI.now)
        try await OCSPClientServers.withScripted({ body in
            try await kind.reply(body, pki: pki, responder: responder, at: clock.now())
        }) { url, counter in
            let source = OCSPRevocationSource(
                responderURL: url, freshness: .seconds(300), clock: clock, timeout: Self.patience)
            for _ in 0..<2 {
                let error = await Self.trustError { _ = try await source.status(of: pki.leaf, issuer: pki.ca) }
                #expect(error?.code == .ocspBadReply)
                #expect(error?.message.contains(kind.needle) == true, "\(String(describing: error))")
                #expect(error?.message.contains(url) == true)
            }
            #expect(counter.count == 2)
        }
    }

    @Test("a responder nobody listens on is ocspUnreachable, connection refused, with a pool that retries or not")
    func unreachable() async throws {
        // A port that was just served and is now closed.
        let url = try await OCSPClientServers.withScripted({ _ in .init(body: []) }) { url, _ in url }
        let pki = try OCSPTestPKI()
        var settings = HTTPClient.Configuration(redirectConfiguration: .disallow)
        settings.connectionPool.retryConnectionEstablishment = false
        let noRetries = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: settings)
        for client in [noRetries, HTTPClient.shared] {
            let source = OCSPRevocationSource(
                responderURL: url, freshness: .seconds(60), httpClient: client, timeout: .seconds(2))
            let error = await Self.trustError { _ = try await source.status(of: pki.leaf, issuer: pki.ca) }
            #expect(error?.code == .ocspUnreachable)
            #expect(error?.message.contains(url) == true)
            #expect(error?.message.contains("connection refused") == true, "\(String(describing: error))")
        }
        try await noRetries.shutdown()
    }

    // MARK: - openssl's responder

    /// Runs openssl; returns its status and its standard output and error.
    static func openssl(_ arguments: [String]) throws -> (status: Int32, output: String) {
        try Subprocess.run("/usr/bin/openssl", arguments)
    }

    @Test("openssl ocsp -index answers the source's requests: good and revoked agree, signed by the CA or a delegate")
    func opensslResponder() async throws {
        let test = TrustTestPKI.shared
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "civitas-ocsp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        @Sendable func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
        let delegateKey = P256.Signing.PrivateKey()
        let delegate = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(delegateKey.publicKey),
            notValidBefore: Date().addingTimeInterval(-3600), notValidAfter: Date().addingTimeInterval(86_400),
            issuer: test.root.subject, subject: try DistinguishedName { CommonName("openssl OCSP delegate") },
            signatureAlgorithm: .ecdsaWithSHA384,
            extensions: try Certificate.Extensions { try ExtendedKeyUsage([.ocspSigning]) },
            issuerPrivateKey: .init(test.rootKey))
        try test.root.serializeAsPEM().pemString.write(toFile: path("root.pem"), atomically: true, encoding: .utf8)
        try test.rootKey.pemRepresentation.write(toFile: path("root.key"), atomically: true, encoding: .utf8)
        try delegate.serializeAsPEM().pemString.write(toFile: path("delegate.pem"), atomically: true, encoding: .utf8)
        try delegateKey.pemRepresentation.write(toFile: path("delegate.key"), atomically: true, encoding: .utf8)
        let serial = test.signer.serialNumber.bytes.map { String(format: "%02X", $0) }.joined()
        @Sendable func index(_ status: String) throws {
            try
                "\(status)\t391231000000Z\t\(status == "R" ? "261101000000Z,keyCompromise" : "")\t\(serial)\tunknown\t/CN=Signer\n"
                .write(toFile: path("index.txt"), atomically: true, encoding: .utf8)
        }
        let useDelegate = Locked(false)
        let lastRequest = Locked<String?>(nil)
        try await OCSPClientServers.withScripted({ body in
            let name = UUID().uuidString
            try Data(body).write(to: URL(fileURLWithPath: path("\(name).req")))
            lastRequest.value = path("\(name).req")
            let signer =
                useDelegate.value
                ? ["-rsigner", path("delegate.pem"), "-rkey", path("delegate.key")]
                : ["-rsigner", path("root.pem"), "-rkey", path("root.key"), "-rmd", "sha384"]
            let run = try Self.openssl(
                [
                    "ocsp", "-index", path("index.txt"), "-CA", path("root.pem"), "-reqin", path("\(name).req"),
                    "-respout", path("\(name).resp"), "-nmin", "5",
                ] + signer)
            guard run.status == 0 else { return .init(status: .internalServerError, body: Array(run.output.utf8)) }
            return .init(body: Array(try Data(contentsOf: URL(fileURLWithPath: path("\(name).resp")))))
        }) { url, counter in
            try index("V")
            for delegated in [false, true] {
                useDelegate.value = delegated
                let source = OCSPRevocationSource(
                    responderURL: url, freshness: .seconds(60), timeout: Self.patience, useNonce: true)
                let status = try await source.status(of: test.signer, issuer: test.root)
                #expect(Self.isGood(status), "signed by \(delegated ? "the delegate" : "the CA"): \(status)")
            }
            // openssl reads the request the source sent: one certificate, by SHA-256, with a nonce.
            let parsed = try Self.openssl(["ocsp", "-reqin", try #require(lastRequest.value), "-req_text"])
            #expect(parsed.status == 0, "\(parsed.output)")
            #expect(parsed.output.contains("Hash Algorithm: sha256"), "\(parsed.output)")
            #expect(parsed.output.contains("Serial Number: \(serial)"), "\(parsed.output)")
            #expect(parsed.output.contains("OCSP Nonce"), "\(parsed.output)")

            try index("R")
            for (delegated, hash) in [(false, OCSPHashAlgorithm.sha1), (true, .sha256)] {
                useDelegate.value = delegated
                let source = OCSPRevocationSource(
                    responderURL: url, freshness: .seconds(60), timeout: Self.patience, hashAlgorithm: hash)
                let status = try await source.status(of: test.signer, issuer: test.root)
                #expect(status == .revoked(since: Date(timeIntervalSince1970: 1_793_491_200), reason: .keyCompromise))
            }
            #expect(counter.count == 4)
        }
    }
}
