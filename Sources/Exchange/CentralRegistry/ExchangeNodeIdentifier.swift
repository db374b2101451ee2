public import CivitasCore

/// An exchange node ("security server" in X-Road): its owner member and its server code, written
/// `INSTANCE/CLASS/MEMBER/SERVER` (X-Road prints it `SERVER:INSTANCE/CLASS/MEMBER/SERVER`).
public struct ExchangeNodeIdentifier: Hashable, Sendable, CustomStringConvertible {
    /// The member that owns and runs the node.
    public let owner: XRoadClientIdentifier
    /// The node's code, unique under its owner.
    public let serverCode: String

    /// Creates an identifier.
    ///
    /// - Throws: ``ExchangeError`` `.invalidRecord` when `owner` is a subsystem or the code breaks the character
    ///   rules.
    public init(owner: XRoadClientIdentifier, serverCode: String) throws(ExchangeError) {
        guard !owner.isSubsystem else {
            throw ExchangeError(.invalidRecord, "a node's owner must be a member, INSTANCE/CLASS/MEMBER")
        }
        do throws(IdentifierError) {
            try XRoadIdentifierPart.validate(serverCode, "the server code")
        } catch {
            throw ExchangeError(.invalidRecord, error.message)
        }
        self.owner = owner
        self.serverCode = serverCode
    }

    /// Parses `INSTANCE/CLASS/MEMBER/SERVER`.
    public init(_ text: String) throws(ExchangeError) {
        let parsed: XRoadClientIdentifier
        do throws(IdentifierError) {
            parsed = try XRoadClientIdentifier(text)
        } catch {
            throw ExchangeError(.invalidRecord, error.message)
        }
        guard let code = parsed.subsystemCode else {
            throw ExchangeError(.invalidRecord, "a node identifier is written INSTANCE/CLASS/MEMBER/SERVER")
        }
        try self.init(owner: parsed.member, serverCode: code)
    }

    /// `INSTANCE/CLASS/MEMBER/SERVER`.
    public var description: String { "\(owner)/\(serverCode)" }
}
