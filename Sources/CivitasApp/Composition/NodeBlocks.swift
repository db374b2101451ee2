/// The building blocks a node can be told to serve with `--blocks`.
///
/// Health, metrics and the API description are part of every node. Each block that lands adds its id here and its
/// routes, migrations and OpenAPI paths in ``Node``.
public enum NodeBlocks {
    /// The public web shell (home page, language switch).
    public static let web = "web"

    /// Every block this release can serve.
    public static let servable: Set<String> = [web]
}
