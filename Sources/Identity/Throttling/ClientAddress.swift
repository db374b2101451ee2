#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The network a login attempt came from, as the throttle counts it: an IPv4 address (/32), or the /64 an IPv6
/// address lies in (one subscriber's LAN gets a whole /64, so counting single IPv6 addresses would count nothing).
///
/// An IPv4-mapped IPv6 address (`::ffff:192.0.2.1`, what a dual-stack socket reports) counts as the IPv4 address.
public struct ClientAddress: Sendable, Hashable, CustomStringConvertible {
    /// The counted network in CIDR notation: `192.0.2.1/32` or `2001:db8:1:2::/64`.
    public let network: String

    /// Parses an IPv4 or IPv6 address (brackets and an IPv6 zone, `fe80::1%eth0`, are allowed); `nil` for anything
    /// else.
    public init?(_ text: String) {
        var address = Substring(text)
        if address.hasPrefix("["), address.hasSuffix("]") { address = address.dropFirst().dropLast() }
        if let zone = address.firstIndex(of: "%") { address = address[..<zone] }
        guard !address.isEmpty, address.count <= 45 else { return nil }
        let string = String(address)
        var ipv4 = in_addr()
        if string.withCString({ inet_pton(AF_INET, $0, &ipv4) }) == 1 {
            guard let text = Self.format(AF_INET, withUnsafeBytes(of: ipv4) { [UInt8]($0) }) else { return nil }
            network = text + "/32"
            return
        }
        var ipv6 = in6_addr()
        guard string.withCString({ inet_pton(AF_INET6, $0, &ipv6) }) == 1 else { return nil }
        var bytes = withUnsafeBytes(of: ipv6) { [UInt8]($0) }
        if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF {
            network = bytes[12...].map { String($0) }.joined(separator: ".") + "/32"
            return
        }
        for index in 8..<16 { bytes[index] = 0 }
        guard let text = Self.format(AF_INET6, bytes) else { return nil }
        network = text + "/64"
    }

    /// The canonical text of the address in `bytes` (RFC 5952 for IPv6).
    private static func format(_ family: Int32, _ bytes: [UInt8]) -> String? {
        let length = socklen_t(INET6_ADDRSTRLEN)
        var buffer = [CChar](repeating: 0, count: Int(length))
        let written = bytes.withUnsafeBytes { address in inet_ntop(family, address.baseAddress, &buffer, length) }
        guard written != nil else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The counted network.
    public var description: String { network }
}
