import Foundation
import Identity
import SwiftASN1
import Testing

@Suite("The signed structure and the login code")
struct DeviceLoginToBeSignedTests {
    @Test("the to-be-signed structure is the DER SEQUENCE the decision note defines")
    func encoding() throws {
        let challenge = (0..<32).map { UInt8($0) }
        let structure = DeviceLoginToBeSigned(
            method: .card, origin: "https://id.civitas.example", code: DeviceLoginCode("4821-7730")!,
            challenge: challenge, signedAt: 1_767_225_600)
        let der = try structure.derEncoded()
        let root = try DER.parse(der)
        guard case .constructed(let children) = root.content else {
            Issue.record("not a SEQUENCE")
            return
        }
        let fields = Array(children)
        #expect(root.identifier == .sequence && fields.count == 7)
        #expect(try Int(derEncoded: fields[0]) == 1)
        #expect(try String(ASN1UTF8String(derEncoded: fields[1])) == "civitas-device-login")
        #expect(try String(ASN1UTF8String(derEncoded: fields[2])) == "card")
        #expect(try String(ASN1UTF8String(derEncoded: fields[3])) == "https://id.civitas.example")
        #expect(try String(ASN1UTF8String(derEncoded: fields[4])) == "4821-7730")
        #expect(try Array(ASN1OctetString(derEncoded: fields[5]).bytes) == challenge)
        #expect(fields[6].identifier == .generalizedTime)
        // 2026-01-01T00:00:00Z, whole seconds, no fraction: the bytes are fixed.
        #expect(Array(fields[6].encodedBytes) == [0x18, 0x0F] + Array("20260101000000Z".utf8))
        #expect(try structure.derEncoded() == der, "the encoding is deterministic")
        let mobile = DeviceLoginToBeSigned(
            method: .mobile, origin: structure.origin, code: structure.code, challenge: challenge,
            signedAt: structure.signedAt)
        #expect(try mobile.derEncoded() != der, "the method is signed")
        let invalid = DeviceLoginToBeSigned(
            method: .card, origin: structure.origin, code: structure.code, challenge: challenge, signedAt: -1)
        #expect((#expect(throws: IdentityError.self) { try invalid.derEncoded() })?.code == .malformedAnswer)
    }

    @Test("login codes parse only as DDDD-DDDD or eight digits")
    func codes() {
        #expect(DeviceLoginCode("4821-7730")?.description == "4821-7730")
        #expect(DeviceLoginCode("48217730")?.description == "4821-7730")
        for bad in ["", "4821 7730", "4821-773", "4821-77300", "482a-7730", "٤٨٢١-٧٧٣٠", "4821_7730", "-48217730"] {
            #expect(DeviceLoginCode(bad) == nil, "\(bad)")
        }
        let codes = Set((0..<200).map { _ in DeviceLoginCode.random() })
        #expect(codes.count > 190)
        #expect(codes.allSatisfy { DeviceLoginCode($0.description) == $0 })
    }

    @Test("origins are scheme, host and a non-default port")
    func origins() {
        #expect(DeviceLoginRoutes.origin(of: "http://127.0.0.1:8080/") == "http://127.0.0.1:8080")
        #expect(DeviceLoginRoutes.origin(of: "https://ID.Example.gov:443/login") == "https://id.example.gov")
        #expect(DeviceLoginRoutes.origin(of: "http://node") == "http://node")
        #expect(DeviceLoginRoutes.origin(of: "ftp://node") == nil)
        #expect(DeviceLoginRoutes.origin(of: "not a url") == nil)
    }
}
