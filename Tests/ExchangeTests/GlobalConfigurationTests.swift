import Audit
import CivitasCore
import Crypto
import Foundation
import Storage
import StorageTesting
import Testing
import Trust
import X509

@testable import Exchange

/// Hands the node what the registry publishes, changed by `alter` on the way (the network, for better or worse).
struct PublishedSource: GlobalConfigurationSource {
    let publisher: GlobalConfigurationPublisher
    var alter: @Sendable (_ content: [UInt8], _ signature: [UInt8]) async throws -> ([UInt8], [UInt8]) = { ($0, $1) }

    func download() async throws -> (content: [UInt8], signature: [UInt8]) {
        let signed = try await publisher.current()
        return try await alter(signed.content, signed.signature)
    }
}

/// A registry that cannot be reached.
struct UnreachableSource: GlobalConfigurationSource {
    struct Down: Error {}
    func download() async throws -> (content: [UInt8], signature: [UInt8]) { throw Down() }
}

@Suite("Signed global configuration")
struct GlobalConfigurationTests {
    typealias World = ExchangeWorld

    static func publisher(_ world: World) -> GlobalConfigurationPublisher {
        GlobalConfigurationPublisher(
            registry: world.registry, database: world.database, pki: world.pki, validity: 3_600, republishAfter: 600,
            clock: world.clock)
    }

    static func verifier(_ world: World) async throws -> GlobalConfigurationVerifier {
        GlobalConfigurationVerifier(
            trustAnchor: try await world.pki.certificate(role: .root).certificate, instance: World.instance,
            clock: world.clock)
    }

    static func directory() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("civitas-gconf-\(UUID().uuidString)").path
    }

    static func refusal(_ body: () async throws -> Void) async -> ExchangeError.Code? {
        do {
            try await body()
            return nil
        } catch let error as ExchangeError {
            return error.code
        } catch {
            return nil
        }
    }

    @Test(
        "the registry's configuration is assembled, canonical, signed with its seal and verifies against the root",
        arguments: DatabaseEngine.allCases)
    func publishes(engine: DatabaseEngine) async throws {
        try await World.with(engine) { world in
            try await world.populate()
            let publisher = Self.publisher(world)
            let signed = try await publisher.current()
            let configuration = signed.configuration
            #expect(configuration.version == 1)
            #expect(configuration.instance == "CVT")
            #expect(configuration.members.map(\.id) == ["CVT/GOV/700000015", "CVT/GOV/700000023"])
            #expect(configuration.services.map(\.id) == ["CVT/GOV/700000015/registry/persons"])
            #expect(configuration.accessRights.count == 1)
            #expect(configuration.trustedCAs.count == 2)
            #expect(configuration.timeStampingURL == "https://trust.civitas.example/tsa")
            #expect(configuration.ocspURL == "https://trust.civitas.example/ocsp")
            #expect(configuration.expiresAt.timeIntervalSince(configuration.createdAt) == 3_600)
            #expect(
                configuration.permits(
                    client: "CVT/GOV/700000023/tax", service: "CVT/GOV/700000015/registry/persons", method: "GET",
                    path: "/persons/7"))
            #expect(
                !configuration.permits(
                    client: "CVT/GOV/700000023/tax", service: "CVT/GOV/700000015/registry/persons", method: "PUT",
                    path: "/persons/7"))
            // Canonical: decoding and encoding again gives the same bytes.
            #expect(try GlobalConfiguration(json: signed.content).canonicalBytes() == signed.content)
            let text = String(decoding: signed.content, as: UTF8.self)
            #expect(!text.contains("\n") && !text.contains("\\/"))
            let verified = try await Self.verifier(world).verify(content: signed.content, signature: signed.signature)
            #expect(verified.configuration == configuration)
            // Nothing changed: the same version is served; a change publishes the next.
            #expect(try await publisher.current() == signed)
            try await world.registry.addSubsystem(World.id("CVT/GOV/700000023/customs"), actor: World.official)
            let next = try await publisher.current()
            #expect(next.configuration.version == 2)
            #expect(try await publisher.configuration(version: 1) == signed)
            // Time passing also publishes a fresh one before nodes get close to expiry.
            world.clock.advance(by: 601)
            #expect(try await publisher.current().configuration.version == 3)
        }
    }

    @Test(
        "a node keeps a verified configuration on disk, and refuses forged or re-signed ones, keeping the old",
        arguments: DatabaseEngine.allCases)
    func refusesForgeries(engine: DatabaseEngine) async throws {
        try await World.with(engine) { world in
            try await world.populate()
            let publisher = Self.publisher(world)
            let verifier = try await Self.verifier(world)
            let directory = Self.directory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let good = GlobalConfigurationClient(
                source: PublishedSource(publisher: publisher), verifier: verifier, directory: directory,
                clock: world.clock)
            #expect(await Self.refusal { _ = try await good.current() } == .globalConfigurationUnavailable)
            try await good.refresh()
            #expect(try await good.current().version == 1)
            #expect(FileManager.default.fileExists(atPath: directory + "/global-configuration.json"))
            #expect(FileManager.default.fileExists(atPath: directory + "/global-configuration.p7s"))

            try await world.registry.addSubsystem(World.id("CVT/GOV/700000023/customs"), actor: World.official)
            // One byte changed in the content.
            let flipped = PublishedSource(publisher: publisher) { content, signature in
                var content = content
                let index = content.firstIndex(of: UInt8(ascii: "C"))!
                content[index] = UInt8(ascii: "D")
                return (content, signature)
            }
            // The right content, signed by another agency's seal of the same PKI.
            let agencySeal = try await world.pki.createSeal(
                name: "revenue-service", organisation: "Revenue Service", organisationIdentifier: "GOV-700000023",
                actor: World.official)
            let sealKey = try await world.pki.seal(named: "revenue-service").key
            let organisations = try await world.pki.certificate(role: .organisationsCA).certificate
            let otherSeal = PublishedSource(publisher: publisher) { content, _ in
                let signature = try await CAdESSigner().sign(
                    content, key: sealKey, certificate: agencySeal.certificate, chain: [organisations], level: .basic)
                return (content, signature)
            }
            // The right content, signed by a look-alike "Civitas Central Registry e-seal" outside the national PKI.
            let impostor = try Self.impostor()
            let outsider = PublishedSource(publisher: publisher) { content, _ in
                let signature = try await CAdESSigner().sign(
                    content, key: impostor.key, certificate: impostor.certificate, chain: [], level: .basic)
                return (content, signature)
            }
            // Not a signature at all; and the signature of version 1 paired with version 2.
            let garbage = PublishedSource(publisher: publisher) { content, _ in (content, Array("not DER".utf8)) }
            let oldSignature = try await publisher.configuration(version: 1)!.signature
            let mismatched = PublishedSource(publisher: publisher) { content, _ in (content, oldSignature) }
            let truncated = PublishedSource(publisher: publisher) { content, signature in
                (content, Array(signature.prefix(signature.count / 2)))
            }
            for source in [flipped, otherSeal, outsider, garbage, mismatched, truncated] {
                let client = GlobalConfigurationClient(
                    source: source, verifier: verifier, directory: directory, clock: world.clock)
                #expect(await client.loadStored())
                #expect(await Self.refusal { try await client.refresh() } == .globalConfigurationRefused)
                #expect(try await client.current().version == 1)
            }
            // The stored copy is untouched: a fresh start still loads version 1.
            let restarted = GlobalConfigurationClient(
                source: UnreachableSource(), verifier: verifier, directory: directory, clock: world.clock)
            #expect(await restarted.loadStored())
            #expect(try await restarted.current().version == 1)
            // And the genuine one is taken.
            try await good.refresh()
            #expect(try await good.current().version == 2)
        }
    }

    @Test(
        "a restart without network uses the stored configuration until it expires, then refuses to exchange",
        arguments: DatabaseEngine.allCases)
    func expiry(engine: DatabaseEngine) async throws {
        try await World.with(engine) { world in
            try await world.populate()
            let publisher = Self.publisher(world)
            let verifier = try await Self.verifier(world)
            let directory = Self.directory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let online = GlobalConfigurationClient(
                source: PublishedSource(publisher: publisher), verifier: verifier, directory: directory,
                clock: world.clock)
            try await online.refresh()

            let offline = GlobalConfigurationClient(
                source: UnreachableSource(), verifier: verifier, directory: directory, clock: world.clock)
            #expect(await offline.loadStored())
            world.clock.advance(by: 3_000)
            #expect(try await offline.current().version == 1)
            await #expect(throws: UnreachableSource.Down.self) { try await offline.refresh() }
            world.clock.advance(by: 601)
            let error = await #expect(throws: ExchangeError.self) { _ = try await offline.current() }
            #expect(error?.code == .globalConfigurationExpired)
            #expect(error?.message.contains("refuses to exchange") == true)
            // After expiry a restart finds nothing usable on disk either.
            let later = GlobalConfigurationClient(
                source: UnreachableSource(), verifier: verifier, directory: directory, clock: world.clock)
            #expect(!(await later.loadStored()))
            #expect(await Self.refusal { _ = try await later.current() } == .globalConfigurationUnavailable)
            // An expired configuration offered by the network is refused too.
            let stale = try await publisher.configuration(version: 1)!
            let replay = GlobalConfigurationClient(
                source: PublishedSource(publisher: publisher) { _, _ in (stale.content, stale.signature) },
                verifier: verifier, directory: Self.directory(), clock: world.clock)
            #expect(await Self.refusal { try await replay.refresh() } == .globalConfigurationRefused)
        }
    }

    @Test(
        "a node never goes back to an older version, nor takes another instance's configuration",
        arguments: DatabaseEngine.allCases)
    func rollbackAndInstance(engine: DatabaseEngine) async throws {
        try await World.with(engine) { world in
            try await world.populate()
            let publisher = Self.publisher(world)
            let verifier = try await Self.verifier(world)
            let directory = Self.directory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let first = try await publisher.current()
            try await world.registry.addSubsystem(World.id("CVT/GOV/700000023/customs"), actor: World.official)
            let client = GlobalConfigurationClient(
                source: PublishedSource(publisher: publisher), verifier: verifier, directory: directory,
                clock: world.clock)
            try await client.refresh()
            #expect(try await client.current().version == 2)
            let replayed = GlobalConfigurationClient(
                source: PublishedSource(publisher: publisher) { _, _ in (first.content, first.signature) },
                verifier: verifier, directory: directory, clock: world.clock)
            #expect(await replayed.loadStored())
            #expect(await Self.refusal { try await replayed.refresh() } == .globalConfigurationRefused)
            #expect(try await replayed.current().version == 2)
            let elsewhere = GlobalConfigurationVerifier(
                trustAnchor: verifier.trustAnchor, instance: "EE", clock: world.clock)
            #expect(
                await Self.refusal {
                    _ = try await elsewhere.verify(content: first.content, signature: first.signature)
                } == .globalConfigurationRefused)
        }
    }

    /// A self-signed certificate with the registry seal's name, outside the national PKI.
    static func impostor() throws -> (key: Certificate.PrivateKey, certificate: Certificate) {
        let key = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let name = try DistinguishedName {
            OrganizationName(GlobalConfigurationPublisher.sealOrganisation)
            CommonName(GlobalConfigurationVerifier.defaultSignerName)
        }
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: key.publicKey,
            notValidBefore: Date().addingTimeInterval(-3_600), notValidAfter: Date().addingTimeInterval(86_400),
            issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions { Critical(KeyUsage(nonRepudiation: true)) }, issuerPrivateKey: key)
        return (key, certificate)
    }
}
