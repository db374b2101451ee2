import CivitasCore
import Testing

@Suite("X-Road identifiers")
struct XRoadIdentifierTests {
    @Test(
        "client identifiers in the X-Road-Client form parse and print back unchanged",
        arguments: ["CVT/GOV/700000015", "CVT/GOV/700000015/registry", "EE/COM/12345678/a'(b)+c,d-e.f=g?h", "a/b/c/d"])
    func clientRoundTrip(text: String) throws {
        let id = try XRoadClientIdentifier(text)
        #expect(id.description == text)
        #expect(try XRoadClientIdentifier(id.description) == id)
        #expect(id.isSubsystem == (text.split(separator: "/").count == 4))
    }

    @Test("the parts of a subsystem identifier are kept, and its member is the first three")
    func clientParts() throws {
        let id = try XRoadClientIdentifier("CVT/GOV/700000015/registry")
        #expect(id.instance == "CVT")
        #expect(id.memberClass == "GOV")
        #expect(id.memberCode == "700000015")
        #expect(id.subsystemCode == "registry")
        #expect(id.member.description == "CVT/GOV/700000015")
        #expect(!id.member.isSubsystem)
    }

    @Test(
        "client identifiers with a forbidden character, an empty part or the wrong number of parts are refused",
        arguments: [
            "", "CVT", "CVT/GOV", "CVT/GOV/700000015/registry/extra", "CVT//700000015", "CVT/GOV/700000015/",
            "/CVT/GOV/700000015", "CVT/GOV/7000\\00015", "CVT/GOV/700000015;x", "CVT/GOV/70%2F0", "CVT/GOV/700 015",
            "CVT/GOV/700000015/reg\u{0}istry", "CVT/GOV/700000015/reg\nistry", "CVT/GÖV/700000015",
            "CVT/GOV/７00000015", "CVT/GOV/700000015/a*b", "CVT/GOV/700000015/a#b", "CVT/GOV/700000015/a&b",
            "CVT/GOV/\u{200B}7", "CVT/GOV/\"7\"",
        ])
    func clientRefused(text: String) {
        #expect(throws: IdentifierError.self) { try XRoadClientIdentifier(text) }
    }

    @Test("a part longer than 255 characters is refused; 255 is accepted")
    func length() throws {
        let longest = String(repeating: "a", count: XRoadIdentifierPart.maximumLength)
        _ = try XRoadClientIdentifier("CVT/GOV/\(longest)")
        let error = #expect(throws: IdentifierError.self) { try XRoadClientIdentifier("CVT/GOV/\(longest)a") }
        #expect(error?.code == .wrongLength)
    }

    @Test("the error names the offending character as a code point and never echoes the input")
    func errorMessage() {
        let error = #expect(throws: IdentifierError.self) { try XRoadClientIdentifier("CVT/GOV/secret;7") }
        #expect(error?.code == .malformed)
        #expect(error?.message.contains("U+003B") == true)
        #expect(error?.message.contains("secret") == false)
    }

    @Test("a service identifier is a subsystem and a code; it prints to the service and path forms")
    func service() throws {
        let service = try XRoadServiceIdentifier("CVT/GOV/700000015/registry/persons", version: "v1")
        #expect(service.provider.description == "CVT/GOV/700000015/registry")
        #expect(service.serviceCode == "persons")
        #expect(service.serviceVersion == "v1")
        #expect(service.description == "CVT/GOV/700000015/registry/persons")
        #expect(service.path == "/r1/CVT/GOV/700000015/registry/persons")
        let member = try XRoadClientIdentifier("CVT/GOV/700000015")
        #expect(throws: IdentifierError.self) { try XRoadServiceIdentifier(provider: member, serviceCode: "persons") }
        #expect(throws: IdentifierError.self) { try XRoadServiceIdentifier("CVT/GOV/700000015/persons") }
        #expect(throws: IdentifierError.self) { try XRoadServiceIdentifier("CVT/GOV/700000015/registry/pers/ons") }
        #expect(throws: IdentifierError.self) {
            try XRoadServiceIdentifier("CVT/GOV/700000015/registry/persons", version: "v/1")
        }
    }

    @Test("a request path gives the service and the rest of the path for the provider")
    func parsePath() throws {
        let (service, rest) = try XRoadServiceIdentifier.parse(
            path: "/r1/CVT/GOV/700000015/registry/persons/v1/people/1")
        #expect(service.description == "CVT/GOV/700000015/registry/persons")
        #expect(rest == "/v1/people/1")
        let (bare, nothing) = try XRoadServiceIdentifier.parse(path: "/r1/CVT/GOV/700000015/registry/persons")
        #expect(bare == service)
        #expect(nothing == "/")
        // A `?` in a part travels percent-encoded, and prints back so.
        let (odd, _) = try XRoadServiceIdentifier.parse(path: "/r1/CVT/GOV/7/sub/what%3F/x")
        #expect(odd.serviceCode == "what?")
        #expect(odd.path == "/r1/CVT/GOV/7/sub/what%3F")
        #expect(try XRoadServiceIdentifier.parse(path: odd.path).service == odd)
    }

    @Test(
        "bad request paths are refused: another protocol version, too few parts, encoded slashes, bad escapes",
        arguments: [
            "", "r1/CVT/GOV/7/sub/svc", "/r2/CVT/GOV/7/sub/svc", "/r1/CVT/GOV/7/sub", "/r1/CVT/GOV/7/sub/",
            "/r1/CVT/GOV/7/sub%2Fx/svc", "/r1/CVT/GOV/7/sub/svc%2", "/r1/CVT/GOV/7/sub/svc%zz", "/r1/CVT/GOV/7/sub/%00",
            "/r1/CVT/GOV/7/sub/%25", "/r1/CVT/GOV/7/sub/%5C", "/r1/CVT//7/sub/svc", "/r1/CVT/GOV/7/sub/%C3%A9",
        ])
    func pathRefused(path: String) {
        #expect(throws: IdentifierError.self) { try XRoadServiceIdentifier.parse(path: path) }
    }
}
