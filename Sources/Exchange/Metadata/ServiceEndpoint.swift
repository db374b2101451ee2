/// One endpoint of a REST service: an HTTP method and a path pattern, as the metadata services list them.
///
/// The path is written in the access rules' pattern language (``AccessRight``): `*` is any one segment and a final
/// `**` any rest. An OpenAPI path template's parameters become `*` (`/persons/{id}` is `/persons/*`), as X-Road's
/// `listMethods` writes them, so an endpoint and an access rule can be compared segment by segment. The method `*`
/// means every method.
public struct ServiceEndpoint: Hashable, Sendable, Comparable {
    /// Every method.
    public static let anyMethod = "*"
    /// Every path.
    public static let anyPath = "/**"
    /// Every call: what a service without a (readable) OpenAPI description offers, as far as the node knows.
    public static let any = ServiceEndpoint(method: anyMethod, path: anyPath)

    /// The HTTP method in upper case (`GET`), or ``anyMethod``.
    public let method: String
    /// The path pattern, starting with `/`.
    public let path: String

    /// Creates an endpoint; `method` is upper-cased.
    public init(method: String, path: String) {
        self.method = method.uppercased()
        self.path = path
    }

    /// By path, then by method in the order OpenAPI lists operations (GET, PUT, POST, DELETE, OPTIONS, HEAD,
    /// PATCH, TRACE, then others by name), so an answer lists one path's operations together.
    public static func < (lhs: ServiceEndpoint, rhs: ServiceEndpoint) -> Bool {
        if lhs.path != rhs.path { return lhs.path < rhs.path }
        let left = Self.methodOrder.firstIndex(of: lhs.method) ?? Self.methodOrder.count
        let right = Self.methodOrder.firstIndex(of: rhs.method) ?? Self.methodOrder.count
        return left != right ? left < right : lhs.method < rhs.method
    }

    /// The OpenAPI 3 path item's operation fields, upper-cased, in the specification's order.
    static let methodOrder = ["GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE"]

    /// Whether the access-rule `pattern` allows every call this endpoint stands for: a literal pattern segment
    /// covers only the same literal, `*` any one segment (a literal or `*`), a final `**` the rest.
    func isCovered(byPathPattern pattern: String) -> Bool {
        let wanted = pattern.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        let given = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        var index = given.startIndex
        for (offset, part) in wanted.enumerated() {
            if part == "**" && offset == wanted.count - 1 { return true }
            guard index < given.endIndex, given[index] != "**" else { return false }
            if part == "*" {
                if given[index].isEmpty { return false }
            } else if part != given[index] {
                return false
            }
            index = given.index(after: index)
        }
        return index == given.endIndex
    }
}
