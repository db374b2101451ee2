import Foundation

/// Something that answers RFC 3161 queries: our own time-stamping unit in process, or a remote TSA over HTTP.
///
/// Signers that add signature time-stamps (CAdES B-T) and the exchange message log take one of these, so
/// that the same code runs against the node's own TSA and against any other TSA.
public protocol TimeStampSource: Sendable {
    /// Sends a DER TimeStampReq and returns the DER TimeStampResp, granted or rejected.
    ///
    /// Throws only when no reply could be had at all (the TSA could not be reached, or answered with
    /// something that is not a time-stamp reply).
    func reply(to query: [UInt8]) async throws -> [UInt8]
}

extension TimeStampAuthority: TimeStampSource {
    /// Answers the query in process, at the current time.
    public func reply(to query: [UInt8]) async throws -> [UInt8] {
        await respond(to: query, at: Date())
    }
}
