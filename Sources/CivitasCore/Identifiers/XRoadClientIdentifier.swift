/// An X-Road client: a member (`INSTANCE/CLASS/MEMBER`) or one of its subsystems (`INSTANCE/CLASS/MEMBER/SUBSYSTEM`),
/// as written in the `X-Road-Client` header (X-Road Message Protocol for REST §4.1).
///
/// Every part obeys ``XRoadIdentifierPart``; the text form prints back exactly as it was parsed.
public struct XRoadClientIdentifier: Hashable, Sendable, CustomStringConvertible {
    /// The X-Road instance, e.g. `CVT`.
    public let instance: String
    /// The member class, e.g. `GOV`.
    public let memberClass: String
    /// The member code, e.g. `700000015`.
    public let memberCode: String
    /// The subsystem code, for a subsystem; `nil` for the member itself.
    public let subsystemCode: String?

    /// Creates an identifier from its parts.
    ///
    /// - Throws: ``IdentifierError`` when a part breaks the character rules.
    public init(
        instance: String, memberClass: String, memberCode: String, subsystemCode: String? = nil
    ) throws(IdentifierError) {
        try XRoadIdentifierPart.validate(instance, "the X-Road instance")
        try XRoadIdentifierPart.validate(memberClass, "the member class")
        try XRoadIdentifierPart.validate(memberCode, "the member code")
        if let subsystemCode { try XRoadIdentifierPart.validate(subsystemCode, "the subsystem code") }
        self.instance = instance
        self.memberClass = memberClass
        self.memberCode = memberCode
        self.subsystemCode = subsystemCode
    }

    /// Parses the header form `INSTANCE/CLASS/MEMBER` or `INSTANCE/CLASS/MEMBER/SUBSYSTEM`.
    ///
    /// - Throws: ``IdentifierError`` `.malformed` for another number of parts, or a part that breaks the rules.
    public init(_ text: String) throws(IdentifierError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3 || parts.count == 4 else {
            throw IdentifierError.malformed(
                "an X-Road client identifier", expected: "INSTANCE/CLASS/MEMBER or INSTANCE/CLASS/MEMBER/SUBSYSTEM")
        }
        try self.init(
            instance: parts[0], memberClass: parts[1], memberCode: parts[2],
            subsystemCode: parts.count == 4 ? parts[3] : nil)
    }

    /// Whether this names a subsystem rather than a member.
    public var isSubsystem: Bool { subsystemCode != nil }

    /// The member this client is or belongs to.
    public var member: XRoadClientIdentifier {
        // The parts were checked when self was made.
        try! XRoadClientIdentifier(instance: instance, memberClass: memberClass, memberCode: memberCode)
    }

    /// `INSTANCE/CLASS/MEMBER[/SUBSYSTEM]`, the `X-Road-Client` header form.
    public var description: String {
        [instance, memberClass, memberCode, subsystemCode].compactMap { $0 }.joined(separator: "/")
    }

    /// The parts as path segments, each percent-encoded where needed.
    var pathSegments: [String] {
        [instance, memberClass, memberCode, subsystemCode].compactMap { $0 }.map(XRoadIdentifierPart.pathSegment)
    }
}

extension XRoadClientIdentifier: Codable {
    /// Decodes the header form from a JSON string.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do throws(IdentifierError) {
            try self.init(text)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.message)
        }
    }

    /// Encodes the header form as a JSON string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
