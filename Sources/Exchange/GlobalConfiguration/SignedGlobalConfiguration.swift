/// A global configuration as published: its canonical bytes, the detached CAdES signature over them, and the
/// decoded value.
public struct SignedGlobalConfiguration: Hashable, Sendable {
    /// The canonical JSON, exactly as signed.
    public let content: [UInt8]
    /// The detached CMS SignedData (CAdES B-B), DER.
    public let signature: [UInt8]
    /// What `content` says.
    public let configuration: GlobalConfiguration

    /// Creates a signed configuration.
    public init(content: [UInt8], signature: [UInt8], configuration: GlobalConfiguration) {
        self.content = content
        self.signature = signature
        self.configuration = configuration
    }
}
