import Foundation
import Synchronization

/// Fans notifications out to every subscriber of a channel within this process.
final class NotificationHub: Sendable {
    private let subscribers = Mutex<[UUID: (channel: String, continuation: AsyncStream<String>.Continuation)]>([:])

    func subscribe(_ channel: String) -> AsyncStream<String> {
        let id = UUID()
        let (stream, continuation) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingNewest(1024))
        subscribers.withLock { $0[id] = (channel, continuation) }
        continuation.onTermination = { [weak self] _ in
            _ = self?.subscribers.withLock { $0.removeValue(forKey: id) }
        }
        return stream
    }

    func publish(_ channel: String, _ payload: String) {
        let targets = subscribers.withLock { all in all.values.filter { $0.channel == channel }.map(\.continuation) }
        for continuation in targets { continuation.yield(payload) }
    }

    func finishAll() {
        let all = subscribers.withLock { all in
            defer { all.removeAll() }
            return Array(all.values)
        }
        for subscriber in all { subscriber.continuation.finish() }
    }
}
