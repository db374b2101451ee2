public import CivitasCore

/// Permission for one client subsystem to call one service, optionally only with one method and on matching
/// paths. Without an access right a call is refused: access is denied by default.
///
/// A path pattern is a path whose segments may be `*` (any one segment) and whose last segment may be `**` (any
/// rest, including nothing): `/persons/*` allows `/persons/01001011116` but not `/persons` nor `/persons/1/acts`.
public struct AccessRight: Hashable, Sendable {
    /// The registry's number for this right.
    public let id: Int64
    /// The client subsystem.
    public let client: XRoadClientIdentifier
    /// The service it may call.
    public let service: XRoadServiceIdentifier
    /// The one HTTP method allowed (upper case), or `nil` for every method.
    public let method: String?
    /// The path pattern allowed, or `nil` for every path.
    public let path: String?

    /// Creates a record.
    public init(
        id: Int64, client: XRoadClientIdentifier, service: XRoadServiceIdentifier, method: String?, path: String?
    ) {
        self.id = id
        self.client = client
        self.service = service
        self.method = method
        self.path = path
    }

    /// Whether this right lets `client` call `service` with `method` on `requestPath` (the provider-side path).
    public func permits(
        client: XRoadClientIdentifier, service: XRoadServiceIdentifier, method: String, path requestPath: String
    ) -> Bool {
        guard client == self.client, service.provider == self.service.provider,
            service.serviceCode == self.service.serviceCode
        else { return false }
        if let allowed = self.method, allowed != method.uppercased() { return false }
        guard let pattern = path else { return true }
        return Self.matches(pattern: pattern, path: requestPath)
    }

    /// Matches `path` against `pattern` segment by segment (`*` one segment, a final `**` the rest).
    static func matches(pattern: String, path: String) -> Bool {
        let wanted = pattern.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        let given = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        var index = given.startIndex
        for (offset, part) in wanted.enumerated() {
            if part == "**" && offset == wanted.count - 1 { return true }
            guard index < given.endIndex else { return false }
            if part != "*" && part != given[index] { return false }
            if part == "*" && given[index].isEmpty { return false }
            index = given.index(after: index)
        }
        return index == given.endIndex
    }

    /// Checks a method (an RFC 9110 token, upper-cased) and a path pattern given by an administrator.
    ///
    /// - Throws: ``ExchangeError`` `.invalidRecord` for a method that is no token, or a pattern that does not start
    ///   with `/`, has characters outside RFC 3986 path characters, or puts `**` anywhere but last.
    static func validate(method: String?, path: String?) throws(ExchangeError) -> (String?, String?) {
        var normalisedMethod: String?
        if let method {
            let upper = method.uppercased()
            guard !upper.isEmpty, upper.utf8.count <= 16, upper.utf8.allSatisfy({ (65...90).contains($0) }) else {
                throw ExchangeError(.invalidRecord, "a method is an HTTP method name such as GET or POST")
            }
            normalisedMethod = upper
        }
        if let path {
            let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()*+,;=:@/".utf8)
            let segments = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
            guard path.hasPrefix("/"), path.utf8.count <= 512, path.utf8.allSatisfy(allowed.contains),
                segments.dropLast().allSatisfy({ $0 != "**" })
            else {
                throw ExchangeError(
                    .invalidRecord, "a path pattern starts with / and uses path characters, * and a final **")
            }
        }
        return (normalisedMethod, path)
    }
}
