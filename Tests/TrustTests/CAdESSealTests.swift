import Audit
import Crypto
import Foundation
import Storage
import StorageTesting
import SwiftASN1
import Testing
import X509

@testable import Trust

@Suite("CAdES e-seals")
struct CAdESSealTests {
    @Test("a B-T seal verifies, and its time-stamp covers the signature value", arguments: DatabaseEngine.allCases)
    func timestampedSeal(engine: DatabaseEngine) async throws {
        try await TestDatabase.with(engine, migrations: NationalPKITests.migrations) { database in
            let pki = NationalPKITests.pki(database)
            try await pki.initialise()
            let created = try await pki.createSeal(
                name: "civil-registry", organisation: "Civil Registry Agency", organisationIdentifier: "GOV-700000015",
                actor: NationalPKITests.actor)
            #expect(created.profile == .organisationSeal)
            let seal = try await pki.seal(named: "civil-registry")
            let document = Array("birth certificate".utf8)
            let tsa = try await pki.timeStampAuthority(serials: SerialAllocator(database: database, name: "tsa"))
            let der = try await CAdESSigner().sign(
                document, key: seal.key, certificate: seal.certificate.certificate, chain: [], level: .timestamped,
                timeStamping: tsa)
            let signedData = try CMSSignedData(contentInfoDER: der)
            #expect(signedData.content == nil, "detached")
            let signerInfo = try #require(signedData.signerInfos.first)
            #expect(signerInfo.isValidSignature(publicKey: seal.certificate.certificate.publicKey))
            // The signature covers the signed attributes; the document is bound by the message digest in them.
            #expect(try signerInfo.messageDigest == Array(SHA256.hash(data: document)))
            #expect(try signerInfo.signingCertificateV2 != nil)
            let attribute = try #require(signerInfo.unsignedAttribute(.CMS.signatureTimeStampToken))
            let tokenDER = try #require(attribute.valueEncodings.first)
            let token = try TimeStampToken(derEncoded: Array(tokenDER))
            #expect(token.info.hashedMessage == Array(SHA256.hash(data: signerInfo.signature)))
            try token.verifySignature(certificate: tsa.certificate)
        }
    }

    @Test("a seal name with path or shell characters is refused, and an unknown seal is not found")
    func names() async throws {
        try await TestDatabase.with(.sqlite, migrations: NationalPKITests.migrations) { database in
            let pki = NationalPKITests.pki(database)
            try await pki.initialise()
            for bad in ["", "../root", "a b", "x;y", String(repeating: "a", count: 65)] {
                let error = await #expect(throws: TrustError.self) {
                    _ = try await pki.createSeal(
                        name: bad, organisation: "O", organisationIdentifier: "1", actor: NationalPKITests.actor)
                }
                #expect(error?.code == .invalidRequest)
            }
            let missing = await #expect(throws: TrustError.self) { _ = try await pki.seal(named: "nobody") }
            #expect(missing?.code == .notFound)
        }
    }
}
