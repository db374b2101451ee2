import Foundation
public import Trust

/// Where the eID card check sends its DER OCSP request and gets the DER OCSP response.
///
/// The node's own ``OCSPResponder`` is one (in process, from the same status records as `/ocsp`); an HTTP
/// client to a remote responder would be another.
public protocol OCSPTransport: Sendable {
    /// The DER OCSPResponse answering `request`.
    func send(_ request: [UInt8]) async throws -> [UInt8]
}

/// The node's in-process responder, answering now.
public struct LocalOCSPTransport: OCSPTransport {
    private let responder: OCSPResponder

    /// Asks `responder` (for example `NationalPKI.ocspResponder()`).
    public init(responder: OCSPResponder) {
        self.responder = responder
    }

    /// The responder's answer, as `/ocsp` would give it.
    public func send(_ request: [UInt8]) async throws -> [UInt8] {
        await responder.respond(to: request, at: Date())
    }
}
