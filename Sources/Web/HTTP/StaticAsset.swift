import CivitasCore
import Crypto
import Foundation
import HTTPTypes
import Hummingbird

/// A bundled file served from memory with a strong `ETag`, answering `If-None-Match` with 304.
struct StaticAsset: Sendable {
    let bytes: ByteBuffer
    let contentType: String
    let etag: String

    static func bundled(name: String, contentType: String) throws -> StaticAsset {
        guard let url = Bundle.module.url(forResource: "Static/" + name, withExtension: nil) else {
            throw HTTPProblem(.internalServerError, code: "asset-missing", detail: "\(name) is not bundled.")
        }
        let data = try Data(contentsOf: url)
        let digest = Hex.encode(SHA256.hash(data: data).prefix(12))
        return StaticAsset(bytes: ByteBuffer(bytes: [UInt8](data)), contentType: contentType, etag: "\"\(digest)\"")
    }

    func response(for request: Request) -> Response {
        let headers: HTTPFields = [.contentType: contentType, .eTag: etag, .cacheControl: "public, max-age=3600"]
        if let match = request.headers[.ifNoneMatch],
            match.split(separator: ",").contains(where: {
                $0.trimmingCharacters(in: .whitespaces) == etag
            })
        {
            return Response(status: .notModified, headers: headers)
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: bytes))
    }
}
