public import HTTPTypes

extension HTTPField.Name {
    /// `X-Request-Id`: the request id, accepted from clients and echoed in every response.
    public static let xRequestID = HTTPField.Name("X-Request-Id")!
    /// `X-CSRF-Token`: the CSRF token for requests that cannot carry it in a form field.
    public static let csrfToken = HTTPField.Name("X-CSRF-Token")!
    /// `Referrer-Policy`.
    public static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
    /// `X-Frame-Options`, for browsers that predate `frame-ancestors`.
    public static let xFrameOptions = HTTPField.Name("X-Frame-Options")!
    /// `Cross-Origin-Opener-Policy`.
    public static let crossOriginOpenerPolicy = HTTPField.Name("Cross-Origin-Opener-Policy")!
    /// `Permissions-Policy`.
    public static let permissionsPolicy = HTTPField.Name("Permissions-Policy")!
    /// `Sec-Fetch-Site`, which browsers set to `cross-site` on requests from other sites.
    public static let secFetchSite = HTTPField.Name("Sec-Fetch-Site")!
}
