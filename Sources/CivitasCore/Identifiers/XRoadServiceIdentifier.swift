/// An X-Road service: a provider subsystem and a service code (X-Road Message Protocol for REST §4.1), with the
/// optional version the central registry keeps beside it.
///
/// Civitas registers services under subsystems only, so the service form always has five parts,
/// `INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICE`, and a request path `/r1/INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICE/…` is
/// never ambiguous. The version is not part of the REST forms (a REST service versions its own paths); it is carried
/// as a field.
public struct XRoadServiceIdentifier: Hashable, Sendable, CustomStringConvertible {
    /// The provider subsystem.
    public let provider: XRoadClientIdentifier
    /// The service code, e.g. `persons`.
    public let serviceCode: String
    /// The service version, e.g. `v1`, when the provider gives one.
    public let serviceVersion: String?

    /// The protocol version segment of REST paths.
    public static let protocolVersion = "r1"

    /// Creates a service identifier.
    ///
    /// - Throws: ``IdentifierError`` `.malformed` when `provider` is a member rather than a subsystem, or a part
    ///   breaks the character rules.
    public init(
        provider: XRoadClientIdentifier, serviceCode: String, serviceVersion: String? = nil
    ) throws(IdentifierError) {
        guard provider.isSubsystem else {
            throw IdentifierError.malformed(
                "a service's provider", expected: "a subsystem, INSTANCE/CLASS/MEMBER/SUBSYSTEM")
        }
        try XRoadIdentifierPart.validate(serviceCode, "the service code")
        if let serviceVersion { try XRoadIdentifierPart.validate(serviceVersion, "the service version") }
        self.provider = provider
        self.serviceCode = serviceCode
        self.serviceVersion = serviceVersion
    }

    /// Parses `INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICE`.
    public init(_ text: String, version: String? = nil) throws(IdentifierError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 5 else {
            throw IdentifierError.malformed(
                "an X-Road service identifier", expected: "INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICE")
        }
        try self.init(
            provider: try XRoadClientIdentifier(
                instance: parts[0], memberClass: parts[1], memberCode: parts[2], subsystemCode: parts[3]),
            serviceCode: parts[4], serviceVersion: version)
    }

    /// Parses a request path `/r1/INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICE[/rest]` (no query), each segment
    /// percent-decoded before the character rules are applied, and returns the service and the rest of the path
    /// (`/` when there is none), which goes to the provider unchanged.
    ///
    /// - Throws: ``IdentifierError`` `.malformed` for another protocol version, too few segments, a bad
    ///   percent-escape, or a part that breaks the character rules (an encoded `/` included).
    public static func parse(path: String) throws(IdentifierError) -> (service: XRoadServiceIdentifier, rest: String) {
        let expected = "/r1/INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICE[/path]"
        guard path.hasPrefix("/") else { throw IdentifierError.malformed("an X-Road service path", expected: expected) }
        let segments = path.dropFirst().split(separator: "/", maxSplits: 6, omittingEmptySubsequences: false)
        guard segments.count >= 6, segments[0] == Substring(protocolVersion) else {
            throw IdentifierError.malformed("an X-Road service path", expected: expected)
        }
        var parts: [String] = []
        for segment in segments[1...5] {
            guard let decoded = XRoadIdentifierPart.decodeSegment(segment) else {
                throw IdentifierError.malformed(
                    "a segment of an X-Road service path", expected: "valid percent-escapes")
            }
            parts.append(decoded)
        }
        let service = try XRoadServiceIdentifier(
            provider: try XRoadClientIdentifier(
                instance: parts[0], memberClass: parts[1], memberCode: parts[2], subsystemCode: parts[3]),
            serviceCode: parts[4])
        let rest = segments.count > 6 ? "/" + segments[6] : "/"
        return (service, rest)
    }

    /// `INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICE`.
    public var description: String { "\(provider)/\(serviceCode)" }

    /// `/r1/INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICE`, each part percent-encoded where needed.
    public var path: String {
        "/"
            + ([Self.protocolVersion] + provider.pathSegments + [XRoadIdentifierPart.pathSegment(serviceCode)])
            .joined(separator: "/")
    }
}
