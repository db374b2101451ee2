import Web

extension ClientAddress {
    /// The address a request came from, for the login throttle; a request with no peer (a test router) counts as
    /// `0.0.0.0`, so it is throttled like any other rather than let through.
    static func of(_ context: CivitasRequestContext) -> ClientAddress {
        context.peerAddress.flatMap(ClientAddress.init) ?? ClientAddress("0.0.0.0")!
    }
}
