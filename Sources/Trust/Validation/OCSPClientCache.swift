import CivitasCore
import Foundation
import Synchronization

/// The OCSP answers a client accepted, and the requests it has under way, per certificate.
///
/// An answer is served while it is younger than the freshness limit (counted from its thisUpdate) and before its
/// nextUpdate; a `revoked` answer, which cannot change back, until its nextUpdate. Askers about a certificate whose
/// request is under way wait for that request instead of sending their own. Failures are never kept.
///
/// Shared by every task that validates, so its state lives in a `Mutex`; the critical sections are dictionary
/// probes and updates and never await.
final class OCSPClientCache: Sendable {
    /// Which certificate: the hash of its issuer's public key (as its CertID has it) and its serial number's bytes.
    struct Key: Hashable, Sendable {
        let issuerKeyHash: [UInt8]
        let serialNumber: [UInt8]
    }

    /// What a lookup found.
    enum Lookup {
        /// A kept answer that is still usable.
        case answer(OCSPAnswerCheck.Answer)
        /// The request under way (possibly just started by this lookup).
        case pending(Task<OCSPAnswerCheck.Answer, any Error>)
    }

    private struct State {
        var answers: [Key: OCSPAnswerCheck.Answer] = [:]
        var pending: [Key: Task<OCSPAnswerCheck.Answer, any Error>] = [:]
        var requestsSent = 0
    }

    /// The most answers kept; when full, answers no longer usable go first, then arbitrary ones.
    let capacity: Int
    /// How old (from thisUpdate) an answer may be and still be served.
    let freshness: TimeInterval
    private let clock: any WallClock
    private let state = Mutex(State())

    init(freshness: TimeInterval, clock: any WallClock, capacity: Int = 10_000) {
        self.freshness = freshness
        self.clock = clock
        self.capacity = max(1, capacity)
    }

    /// How many requests were started (for tests and metrics).
    var requestsSent: Int { state.withLock { $0.requestsSent } }

    /// How many answers are kept.
    var count: Int { state.withLock { $0.answers.count } }

    /// The kept answer for `key` if it is usable now; else the request under way; else a request started with
    /// `fetch`, which others asking meanwhile share.
    func lookup(_ key: Key, fetch: @escaping @Sendable () async throws -> OCSPAnswerCheck.Answer) -> Lookup {
        let now = clock.now()
        return state.withLock { state in
            if let kept = state.answers[key] {
                if Self.isUsable(kept, at: now, freshness: freshness) { return .answer(kept) }
                state.answers[key] = nil
            }
            if let pending = state.pending[key] { return .pending(pending) }
            // The task cannot finish before it is registered: its last step takes this lock.
            let task = Task<OCSPAnswerCheck.Answer, any Error> {
                do {
                    let answer = try await fetch()
                    self.finish(key, answer: answer)
                    return answer
                } catch {
                    self.finish(key, answer: nil)
                    throw error
                }
            }
            state.pending[key] = task
            state.requestsSent += 1
            return .pending(task)
        }
    }

    /// Whether `answer` may still be served at `now`.
    static func isUsable(_ answer: OCSPAnswerCheck.Answer, at now: Date, freshness: TimeInterval) -> Bool {
        if let nextUpdate = answer.nextUpdate, now >= nextUpdate { return false }
        if answer.isFinal, answer.nextUpdate != nil { return true }
        return now.timeIntervalSince(answer.thisUpdate) < freshness
    }

    private func finish(_ key: Key, answer: OCSPAnswerCheck.Answer?) {
        let now = clock.now()
        state.withLock { state in
            state.pending[key] = nil
            // An `unknown` answer is not kept: the certificate may be issued (and known) a moment later.
            guard let answer, answer.status != .unknown else { return }
            if state.answers[key] == nil, state.answers.count >= capacity {
                state.answers = state.answers.filter { Self.isUsable($0.value, at: now, freshness: freshness) }
                while state.answers.count >= capacity {
                    state.answers.remove(at: state.answers.startIndex)
                }
            }
            state.answers[key] = answer
        }
    }
}
