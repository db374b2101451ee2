import Foundation

/// A few dedicated threads that run key derivations, with a bounded queue in front of them.
///
/// A memory-hard derivation blocks its thread for a large fraction of a second and takes 128 MiB, so it must not run
/// on Swift's cooperative pool (two of them would stall every request on a two-core node) nor on NIO's shared
/// blocking pool (where file I/O waits behind it). At most `threadCount` derivations run at once, which also bounds
/// the memory they take; at most `queueLimit` wait, and past that a request is refused at once rather than waiting
/// for seconds. A task cancelled while its job waits leaves the queue.
///
/// The threads stop when this object is released (nothing can be running then: every `run` holds it).
final class KDFThreads: Sendable {
    /// The number of threads, which is the number of derivations that may run at once.
    let threadCount: Int
    /// How many jobs may wait for a thread.
    let queueLimit: Int
    private let shared: Shared

    init(threadCount: Int, queueLimit: Int, name: String) {
        precondition(threadCount >= 1 && queueLimit >= 0)
        self.threadCount = threadCount
        self.queueLimit = queueLimit
        self.shared = Shared(queueLimit: queueLimit)
        for index in 0..<threadCount {
            let shared = self.shared
            let thread = Thread { shared.work() }
            thread.name = "\(name)-\(index)"
            thread.start()
        }
    }

    deinit { shared.stop() }

    /// Runs `work` on one of the threads and returns its result.
    ///
    /// - Throws: what `work` throws; `CancellationError` when the task is cancelled before `work` starts;
    ///   ``IdentityError`` `overloaded` when the queue is full.
    func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        let shared = self.shared
        let id = shared.register()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
                let job = Job(
                    run: { continuation.resume(with: Result { try work() }) },
                    abandon: { continuation.resume(throwing: $0) })
                shared.enqueue(id, job)
            }
        } onCancel: {
            shared.cancel(id)
        }
    }

    struct Job: Sendable {
        let run: @Sendable () -> Void
        let abandon: @Sendable (any Error) -> Void
    }

    /// The state the threads and the callers share.
    ///
    /// `@unchecked Sendable`: every stored property is read and written only while `condition` is locked, and jobs
    /// are run and abandoned outside the lock.
    final class Shared: @unchecked Sendable {
        private enum Status {
            case registered
            case cancelled
            case queued(Job)
            case running
        }

        private let condition = NSCondition()
        private let queueLimit: Int
        private var nextID = 0
        private var order: [Int] = []
        private var statuses: [Int: Status] = [:]
        private var stopped = false
        /// Threads waiting for a job: a job handed to one of them starts at once, so it does not count as queued.
        private var waiting = 0

        init(queueLimit: Int) { self.queueLimit = queueLimit }

        func register() -> Int {
            condition.lock()
            defer { condition.unlock() }
            nextID += 1
            statuses[nextID] = .registered
            return nextID
        }

        func enqueue(_ id: Int, _ job: Job) {
            condition.lock()
            let refusal: (any Error)?
            if case .cancelled = statuses[id] {
                refusal = CancellationError()
            } else if stopped {
                refusal = CancellationError()
            } else if order.count >= queueLimit + waiting {
                refusal = IdentityError(.overloaded, "too many password hashes are waiting; try again shortly")
            } else {
                refusal = nil
            }
            if refusal == nil {
                statuses[id] = .queued(job)
                order.append(id)
                condition.signal()
            } else {
                statuses[id] = nil
            }
            condition.unlock()
            if let refusal { job.abandon(refusal) }
        }

        func cancel(_ id: Int) {
            condition.lock()
            var abandoned: Job?
            switch statuses[id] {
            case .registered:
                statuses[id] = .cancelled
            case .queued(let job):
                statuses[id] = nil
                order.removeAll { $0 == id }
                abandoned = job
            case .cancelled, .running, nil:
                break
            }
            condition.unlock()
            abandoned?.abandon(CancellationError())
        }

        func work() {
            while true {
                condition.lock()
                waiting += 1
                while order.isEmpty && !stopped { condition.wait() }
                waiting -= 1
                if order.isEmpty {
                    condition.unlock()
                    return
                }
                let id = order.removeFirst()
                guard case .queued(let job) = statuses[id] else {
                    condition.unlock()
                    continue
                }
                statuses[id] = .running
                condition.unlock()
                job.run()
                condition.lock()
                statuses[id] = nil
                condition.unlock()
            }
        }

        func stop() {
            condition.lock()
            stopped = true
            condition.broadcast()
            condition.unlock()
        }
    }
}
