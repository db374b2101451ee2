import NIOCore
import NIOPosix

/// Whether a failed HTTP call was a refused connection: nothing listens there, which is an answer, not a reason
/// to retry until the deadline.
enum ConnectionRefusal {
    /// A refusal comes as the errno itself, or, for a host name, once per address the name resolved to (a pool
    /// that retries refused connections reports the last one when the deadline passes).
    static func isRefusal(_ error: any Error) -> Bool {
        if let error = error as? IOError { return error.errnoCode == ECONNREFUSED }
        if let error = error as? NIOConnectionError {
            return !error.connectionErrors.isEmpty
                && error.connectionErrors.allSatisfy { ($0.error as? IOError)?.errnoCode == ECONNREFUSED }
        }
        return false
    }
}
