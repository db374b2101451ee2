/// Where a node downloads the global configuration from: the content and the signature of one version.
public protocol GlobalConfigurationSource: Sendable {
    /// Downloads the newest configuration's bytes and the detached signature over them.
    func download() async throws -> (content: [UInt8], signature: [UInt8])
}
