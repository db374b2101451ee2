import PostgresKit
import SQLiteKit

extension Database {
    /// Maps a driver error to a ``StorageError``; anything else (a block's own error) passes through unchanged.
    static func classify(_ error: any Error) -> any Error {
        if error is StorageError { return error }
        if let error = error as? PSQLError {
            let state = error.serverInfo?[.sqlState] ?? ""
            let message = describe(error)
            switch state {
            case "23505": return StorageError(.uniqueViolation, message)
            case "23503", "23502", "23514": return StorageError(.constraintViolation, message)
            case "40001", "40P01": return StorageError(.serializationFailure, message)
            default:
                if error.serverInfo == nil { return StorageError(.unreachable, message) }
                return StorageError(.queryFailed, message)
            }
        }
        if let error = error as? SQLiteError {
            switch error.reason {
            case .constraintUniqueFailed, .constraintPrimaryKeyFailed, .constraintUniqueRowIDFailed:
                return StorageError(.uniqueViolation, error.message)
            case .constraint, .constraintCheckFailed, .constraintForeignKeyFailed, .constraintNotNullFailed:
                return StorageError(.constraintViolation, error.message)
            case .busy, .busyTimeout, .locked:
                return StorageError(.serializationFailure, error.message)
            default:
                return StorageError(.queryFailed, error.description)
            }
        }
        return error
    }

    /// Whether a transaction that failed with `error` may be attempted again.
    static func isRetryable(_ error: any Error) -> Bool {
        if let error = error as? PSQLError {
            let state = error.serverInfo?[.sqlState]
            return state == "40001" || state == "40P01"
        }
        if let error = error as? SQLiteError {
            return [.busy, .busyTimeout, .locked].contains(error.reason)
        }
        return false
    }

    /// An operator-readable account of a driver error (PSQLError's own description hides the server's message).
    static func describe(_ error: any Error) -> String {
        if let error = error as? PSQLError {
            if let info = error.serverInfo {
                let state = info[.sqlState] ?? "?"
                return "\(info[.message] ?? "server error") (SQLSTATE \(state))"
            }
            if let underlying = error.underlying {
                return "\(underlying)"
            }
            return "\(error.code)"
        }
        return "\(error)"
    }
}
