/// The `type` of an X-Road error answer, also sent as the `X-Road-Error` header (X-Road Message Protocol for REST
/// §4.3, §4.6): it says where the error arose. "The X-Road errors start with `Client` (consumer service),
/// `Server.ClientProxy` (consumer Security Server) or `Server.ServerProxy` (provider Security Server)."
///
/// The names are X-Road's (PR-REST §4.6 and X-Road's error codes, a prefix and a code joined by `.`), so a client
/// written for X-Road recognises them. An error the node answers has no `X-Road-Error` header only when it came
/// from the provider's backend, which is passed through as it is.
public struct XRoadErrorType: Hashable, Sendable, CustomStringConvertible, Encodable {
    /// The name of the header that carries the type (PR-REST §4.3).
    public static let headerName = "X-Road-Error"

    /// The type, such as `Server.ServerProxy.AccessDenied`.
    public let rawValue: String

    /// A type by its full name, for one not listed here (X-Road appends detail codes, as in
    /// `Server.ClientProxy.ServiceFailed.MissingBody`).
    public init(_ rawValue: String) { self.rawValue = rawValue }

    /// The full name.
    public var description: String { rawValue }

    /// The HTTP status of the answer (PR-REST §4.6): 400 for an error of the client's request (`Client…`), 500 for
    /// an error on a node (`Server…`).
    public var httpStatus: Int { rawValue.hasPrefix("Client") ? 400 : 500 }

    /// Encodes the full name as a JSON string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    // The client's request.

    /// The request does not follow the REST protocol: a path other than `/r1/INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICE`,
    /// a missing, repeated or malformed `X-Road-Client` header, an identifier part outside §4.8's characters, or a
    /// metadata request without a valid `serviceCode` (PR-REST §4.6, example 3).
    public static let badRequest = XRoadErrorType("Client.BadRequest")

    // The client's node (Server.ClientProxy).

    /// The client's node has no valid global configuration (never downloaded, or expired): it refuses to exchange
    /// until it has a fresh one (PR-REST §4.6, example 5; `ExchangeError.globalConfigurationExpired`).
    public static let clientProxyOutdatedGlobalConf = XRoadErrorType("Server.ClientProxy.OutdatedGlobalConf")
    /// The client, or the provider the request names, is not a member or subsystem in the global configuration, or
    /// no node serves the provider.
    public static let clientProxyUnknownMember = XRoadErrorType("Server.ClientProxy.UnknownMember")
    /// The client's node cannot reach the provider's node (connection refused, timed out, name not resolved).
    public static let clientProxyNetworkError = XRoadErrorType("Server.ClientProxy.NetworkError")
    /// The provider's node did not present an authentication certificate the global configuration lists for it.
    public static let clientProxySslAuthenticationFailed = XRoadErrorType(
        "Server.ClientProxy.SslAuthenticationFailed")
    /// The provider node's answer carries a seal that does not verify, or is not the provider's
    /// (`ExchangeError.sealRefused`).
    public static let clientProxyInvalidSignatureValue = XRoadErrorType("Server.ClientProxy.InvalidSignatureValue")
    /// The client's node cannot log the message (its message log refuses records while time-stamping is overdue:
    /// `ExchangeError.timeStampingOverdue`), so it does not send it.
    public static let clientProxyLoggingFailed = XRoadErrorType("Server.ClientProxy.LoggingFailed")
    /// Anything else that fails on the client's node; the node logs the cause and answers no detail of it.
    public static let clientProxyInternalError = XRoadErrorType("Server.ClientProxy.InternalError")

    // The provider's node (Server.ServerProxy).

    /// No access right of the global configuration lets the client call this service with this method on this
    /// path: access is denied by default.
    public static let serverProxyAccessDenied = XRoadErrorType("Server.ServerProxy.AccessDenied")
    /// The provider's node does not provide the service the request names (none of its provided services has that
    /// code, or a metadata request's `serviceCode` names none: `ExchangeError.notFound`).
    public static let serverProxyUnknownService = XRoadErrorType("Server.ServerProxy.UnknownService")
    /// The provider's backend did not give a usable answer: it closed the connection, or its answer could not be
    /// read (PR-REST §4.6, example 5).
    public static let serverProxyServiceFailed = XRoadErrorType("Server.ServerProxy.ServiceFailed")
    /// The provider's node cannot reach its backend, or the backend did not answer within the service's timeout
    /// (PR-REST §4.6, example 2). The message must not name the backend's address.
    public static let serverProxyNetworkError = XRoadErrorType("Server.ServerProxy.NetworkError")
    /// The provider's node could not read or write its database (PR-REST §4.6, example 4).
    public static let serverProxyDatabaseError = XRoadErrorType("Server.ServerProxy.DatabaseError")
    /// The client's node did not present an authentication certificate the global configuration lists for it.
    public static let serverProxySslAuthenticationFailed = XRoadErrorType(
        "Server.ServerProxy.SslAuthenticationFailed")
    /// The request carries a seal that does not verify, or is not the client member's (`ExchangeError.sealRefused`).
    public static let serverProxyInvalidSignatureValue = XRoadErrorType("Server.ServerProxy.InvalidSignatureValue")
    /// The provider's node has no valid global configuration (never downloaded, or expired).
    public static let serverProxyOutdatedGlobalConf = XRoadErrorType("Server.ServerProxy.OutdatedGlobalConf")
    /// The provider's node cannot log the message (`ExchangeError.timeStampingOverdue`), so it does not pass it on.
    public static let serverProxyLoggingFailed = XRoadErrorType("Server.ServerProxy.LoggingFailed")
    /// Anything else that fails on the provider's node; the node logs the cause and answers no detail of it. X-Road
    /// also answers it to `getOpenAPI` for a service without an OpenAPI description
    /// (`ExchangeError.noServiceDescription`), with a message saying so.
    public static let serverProxyInternalError = XRoadErrorType("Server.ServerProxy.InternalError")
}
