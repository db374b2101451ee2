import NIOCore
import Synchronization

/// The idle keep-alive connections of a ``NodeHTTPClient``, per target: a node's address together with the
/// certificates it must present, so that a connection verified against one set of pins never serves another.
final class NodeConnectionPool: Sendable {
    /// Whom a connection talks to, and which server certificates it was verified to have.
    struct Target: Hashable, Sendable {
        let address: NodeAddress
        /// The DER encodings of the certificates the server may present.
        let pins: Set<[UInt8]>
    }

    private struct State {
        var idle: [Target: [any Channel]] = [:]
        var isShutDown = false
    }

    private let maximumIdlePerTarget: Int
    private let state = Mutex(State())

    init(maximumIdlePerTarget: Int) {
        self.maximumIdlePerTarget = max(maximumIdlePerTarget, 0)
    }

    /// Whether ``shutDown()`` has been called.
    var isShutDown: Bool { state.withLock { $0.isShutDown } }

    /// The most recently used idle connection to `target` that is still open, if any; closed ones are dropped.
    func take(_ target: Target) -> (any Channel)? {
        state.withLock { state in
            while let channel = state.idle[target]?.popLast() {
                if channel.isActive { return channel }
            }
            state.idle[target] = nil
            return nil
        }
    }

    /// Keeps `channel` for the next request to `target`; `false` if the caller should close it instead (the pool
    /// is full for that target, or shut down).
    func put(_ channel: any Channel, for target: Target) -> Bool {
        state.withLock { state in
            guard !state.isShutDown, channel.isActive, state.idle[target, default: []].count < maximumIdlePerTarget
            else { return false }
            state.idle[target, default: []].append(channel)
            return true
        }
    }

    /// Forgets `channel` (it closed while idle: the server ended it).
    func remove(_ channel: any Channel, for target: Target) {
        state.withLock { state in
            state.idle[target]?.removeAll { $0 === channel }
            if state.idle[target]?.isEmpty == true { state.idle[target] = nil }
        }
    }

    /// Refuses further connections and hands back the idle ones to close.
    func shutDown() -> [any Channel] {
        state.withLock { state in
            state.isShutDown = true
            let channels = state.idle.values.flatMap { $0 }
            state.idle = [:]
            return channels
        }
    }

    /// The idle connections, all targets together.
    var idleChannels: [any Channel] {
        state.withLock { $0.idle.values.flatMap { $0 } }
    }
}
