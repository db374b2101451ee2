/// Where an exchange node listens for other nodes: `host:port`, a DNS name or an IP address (IPv6 in brackets).
public struct NodeAddress: Hashable, Sendable, CustomStringConvertible {
    /// The host name or address, without brackets.
    public let host: String
    /// The TCP port.
    public let port: Int

    /// Parses `host:port` (`[2001:db8::1]:5500` for IPv6).
    ///
    /// - Throws: ``ExchangeError`` `.invalidRecord` for anything else: no port, a port outside 1–65535, a host with
    ///   characters a DNS name or an address cannot have, or longer than 253 characters.
    public init(_ text: String) throws(ExchangeError) {
        let refused = ExchangeError(.invalidRecord, "a node address is host:port, e.g. node.agency.example:5500")
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                throw refused
            }
            host = text[text.index(after: text.startIndex)..<close]
            portText = text[text.index(close, offsetBy: 2)...]
            guard !host.isEmpty, host.utf8.count <= 45,
                host.utf8.allSatisfy({
                    (0x30...0x39).contains($0) || (0x61...0x66).contains($0) || (0x41...0x46).contains($0) || $0 == 0x3A
                        || $0 == 0x2E
                })
            else { throw refused }
        } else {
            guard let colon = text.lastIndex(of: ":") else { throw refused }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
            let labels = host.split(separator: ".", omittingEmptySubsequences: false)
            guard !host.isEmpty, host.utf8.count <= 253,
                labels.allSatisfy({ label in
                    !label.isEmpty && label.utf8.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                        && label.utf8.allSatisfy(Self.isHostByte)
                })
            else { throw refused }
        }
        guard portText.count <= 5, portText.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let port = Int(portText),
            (1...65_535).contains(port)
        else { throw refused }
        self.host = String(host)
        self.port = port
    }

    /// `host:port`, with brackets around an IPv6 address.
    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    private static func isHostByte(_ byte: UInt8) -> Bool {
        (0x61...0x7A).contains(byte) || (0x41...0x5A).contains(byte) || (0x30...0x39).contains(byte) || byte == 0x2D
    }
}
