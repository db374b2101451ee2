/// The building blocks a node can be told to serve with `--blocks`.
///
/// Health, metrics and the API description are part of every node. Each block that lands adds its id here and its
/// routes, migrations and OpenAPI paths in ``Node``.
public enum NodeBlocks {
    /// The public web shell (home page, language switch).
    public static let web = "web"

    /// The trust services: certificates, and (as they land) time-stamps, OCSP and CRLs.
    public static let trust = "trust"

    /// Central authentication: sessions, login, the OpenID Connect provider.
    public static let identity = "identity"

    /// The exchange's central registry: members, nodes, services, access rights and the signed global
    /// configuration every exchange node downloads.
    public static let registry = "registry"

    /// An exchange node of one member organisation (`exchange.node`): the X-Road REST door for the member's own
    /// systems on the node's port, sealed messages to and from other nodes on `exchange.port`, the message log.
    public static let exchange = "exchange"

    /// Every block this release can serve.
    public static let servable: Set<String> = [web, trust, identity, registry, exchange]

    /// What a node serves when no `--blocks` are given: the national services, without an exchange node (which
    /// belongs to one member organisation and needs its keys).
    public static let national: Set<String> = [web, trust, identity, registry]
}
