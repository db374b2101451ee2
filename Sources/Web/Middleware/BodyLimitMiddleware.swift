import HTTPTypes
public import Hummingbird

/// Refuses request bodies larger than the context's ``CivitasRequestContext/maxUploadSize`` with 413.
///
/// A declared `Content-Length` over the limit is refused before any byte is read; a body without a length
/// (chunked) is read up to the limit and refused as soon as it goes past it.
public struct BodyLimitMiddleware: RouterMiddleware {
    /// Paths under these prefixes are left to their handlers, which bound their bodies themselves.
    public let exemptPathPrefixes: [String]

    /// Creates the middleware.
    public init(exemptPathPrefixes: [String] = []) {
        self.exemptPathPrefixes = exemptPathPrefixes
    }

    /// Checks the body, then calls the rest of the chain.
    public func handle(
        _ request: Request, context: CivitasRequestContext,
        next: (Request, CivitasRequestContext) async throws -> Response
    ) async throws -> Response {
        let path = request.uri.path
        if exemptPathPrefixes.contains(where: { path.hasPrefix($0) }) { return try await next(request, context) }
        let limit = context.maxUploadSize
        if let declared = request.headers[.contentLength] {
            guard let length = Int(declared), length >= 0 else {
                throw HTTPProblem.badRequest("The Content-Length header is not a number.")
            }
            if length > limit { throw Self.tooLarge(limit) }
            return try await next(request, context)
        }
        guard request.headers[.transferEncoding] != nil else {
            return try await next(request, context)
        }
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw Self.tooLarge(limit)
        }
        request.body = RequestBody(buffer: buffer)
        return try await next(request, context)
    }

    static func tooLarge(_ limit: Int) -> HTTPProblem {
        HTTPProblem(.contentTooLarge, code: "body-too-large", detail: "The request body is larger than \(limit) bytes.")
    }
}
