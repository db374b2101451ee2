public import Logging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A swift-log handler that writes one JSON object per line to standard error.
///
/// Structured lines are what log collectors (journald, Loki, Elasticsearch) index without parsing rules. Each line
/// carries `time`, `level`, `label`, `message`, and the metadata (request id, actor id) as top-level fields.
public struct JSONLogHandler: LogHandler {
    /// Metadata attached to every line from this handler.
    public var metadata: Logger.Metadata = [:]
    /// The lowest level written.
    public var logLevel: Logger.Level = .info
    /// Supplies metadata computed per line (for example the tracing context).
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String

    /// Creates a handler for the logger named `label`.
    public init(label: String, metadataProvider: Logger.MetadataProvider? = nil) {
        self.label = label
        self.metadataProvider = metadataProvider
    }

    /// Reads or writes one metadata value.
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Writes one line.
    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() {
            merged.merge(provided, uniquingKeysWith: { _, new in new })
        }
        if let extra = event.metadata {
            merged.merge(extra, uniquingKeysWith: { _, new in new })
        }
        var line = "{\"time\":\"\(Timestamp(SystemClock().now()))\",\"level\":\"\(event.level)\""
        line += ",\"label\":" + Self.quoted(label) + ",\"message\":" + Self.quoted(event.message.description)
        for key in merged.keys.sorted() where !["time", "level", "label", "message"].contains(key) {
            line += "," + Self.quoted(key) + ":" + Self.encode(merged[key]!)
        }
        line += "}\n"
        // One write(2) per line: lines from concurrent tasks do not interleave.
        let bytes = Array(line.utf8)
        _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    }

    private static func encode(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let string): quoted(string)
        case .stringConvertible(let convertible): quoted(convertible.description)
        case .array(let values): "[" + values.map(encode).joined(separator: ",") + "]"
        case .dictionary(let dictionary):
            "{" + dictionary.keys.sorted().map { quoted($0) + ":" + encode(dictionary[$0]!) }.joined(separator: ",")
                + "}"
        }
    }

    /// A JSON string literal (RFC 8259, section 7).
    static func quoted(_ string: String) -> String {
        var out = "\""
        out.reserveCapacity(string.utf8.count + 2)
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
