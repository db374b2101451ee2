import HTTPTypes
import Web

/// Maps the Exchange block's errors to RFC 9457 problems: the one place where they become HTTP statuses.
enum ExchangeProblems {
    /// Runs `body`, turning an ``ExchangeError`` into the matching ``HTTPProblem``.
    static func mapping<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as ExchangeError {
            throw problem(for: error)
        }
    }

    static func problem(for error: ExchangeError) -> HTTPProblem {
        switch error.code {
        case .notFound: HTTPProblem(.notFound, code: "not-found", detail: error.message)
        case .alreadyRegistered: HTTPProblem(.conflict, code: "already-registered", detail: error.message)
        case .inUse: HTTPProblem(.conflict, code: "in-use", detail: error.message)
        case .invalidRecord: HTTPProblem(.unprocessableContent, code: "invalid-record", detail: error.message)
        default: HTTPProblem(.serviceUnavailable, code: "exchange-unavailable", detail: error.message)
        }
    }
}
