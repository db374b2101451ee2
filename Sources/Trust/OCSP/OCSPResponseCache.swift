import Synchronization
public import X509

#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// Pre-produced OCSP answers (RFC 5019 §2.2.1), so that the hot path of nonce-less single-certificate requests does
/// a dictionary lookup and no signing.
///
/// The responder fills the cache on a miss and serves the full response DER from it until `refreshMargin` before
/// the answer's nextUpdate. Only `good` and `revoked` answers are kept: `unknown` serials come from scanners and
/// would push out useful entries, and issuing a certificate is not a status change anyone is told about.
///
/// Call ``invalidate(issuer:serialNumber:)`` after every committed status change (revocation, suspension, lifting
/// a suspension): the next request then gets a freshly signed answer. A generation counter makes this race-free: an
/// answer whose status was looked up before an invalidation is not stored after it.
///
/// The cache is a copy of what the database says, local to one node: across nodes, drive the invalidations from
/// PostgreSQL `LISTEN/NOTIFY`, and call ``invalidateAll()`` after rotating a responder certificate or key (cached
/// answers carry the old one until they expire) and whenever notifications may have been missed.
///
/// Shared by every task that answers requests, so its state lives in a `Mutex`; the critical sections are a
/// dictionary probe or update and never await, which a lock serves faster than an actor hop.
public final class OCSPResponseCache: Sendable {
    /// The most answers kept; when full, arbitrary entries make room.
    public let capacity: Int
    /// How long before nextUpdate an answer stops being served and is signed anew.
    public let refreshMargin: TimeInterval

    struct Key: Hashable {
        let issuer: OCSPIssuer
        let serialNumber: ArraySlice<UInt8>

        /// Hashes the serial's bytes in one call rather than octet by octet; the issuer (one of a handful) is told
        /// apart by equality.
        func hash(into hasher: inout Hasher) {
            serialNumber.withUnsafeBytes { hasher.combine(bytes: $0) }
        }
    }

    struct Entry: Sendable {
        /// The CertID DER the answer was signed for (the hash algorithm and its parameters vary by client).
        let certID: [UInt8]
        let response: [UInt8]
        let producedAt: Date
        let nextUpdate: Date
        let freshUntil: Date
    }

    private struct State {
        var entries: [Key: [Entry]] = [:]
        var count = 0
        var generation: UInt64 = 0
    }

    private let state = Mutex(State())

    /// Creates an empty cache.
    ///
    /// - Parameters:
    ///   - capacity: The most answers kept.
    ///   - refreshMargin: Seconds before nextUpdate at which an answer is replaced; it must be shorter than the
    ///     responder's validity, or nothing is ever served from the cache.
    public init(capacity: Int = 100_000, refreshMargin: TimeInterval = 900) {
        self.capacity = max(1, capacity)
        self.refreshMargin = refreshMargin
    }

    /// How many answers are kept.
    public var count: Int { state.withLock { $0.count } }

    /// Forgets the answers about one certificate.
    public func invalidate(issuer: OCSPIssuer, serialNumber: Certificate.SerialNumber) {
        let key = Key(issuer: issuer, serialNumber: serialNumber.bytes)
        state.withLock { state in
            state.generation &+= 1
            if let removed = state.entries.removeValue(forKey: key) { state.count -= removed.count }
        }
    }

    /// Forgets every answer (after a bulk change, or when a notification may have been missed).
    public func invalidateAll() {
        state.withLock { state in
            state.generation &+= 1
            state.entries.removeAll(keepingCapacity: true)
            state.count = 0
        }
    }

    /// The generation to pass to ``store(_:issuer:serialNumber:generation:)`` for a status looked up after now.
    var generation: UInt64 { state.withLock { $0.generation } }

    /// A fresh answer for exactly this CertID, if one is kept.
    func entry(issuer: OCSPIssuer, serialNumber: ArraySlice<UInt8>, certID: ArraySlice<UInt8>, at time: Date) -> Entry?
    {
        let key = Key(issuer: issuer, serialNumber: serialNumber)
        return state.withLock { state in
            guard let bucket = state.entries[key] else { return nil }
            for entry in bucket where entry.certID[...] == certID {
                return time < entry.freshUntil ? entry : nil
            }
            return nil
        }
    }

    /// Keeps `entry` unless an invalidation happened since `generation` was read.
    func store(_ entry: Entry, issuer: OCSPIssuer, serialNumber: ArraySlice<UInt8>, generation: UInt64) {
        // Owned copies, so that the cache does not keep request buffers alive.
        let key = Key(issuer: issuer, serialNumber: Array(serialNumber)[...])
        state.withLock { state in
            guard state.generation == generation else { return }
            var bucket = state.entries.removeValue(forKey: key) ?? []
            state.count -= bucket.count
            bucket.removeAll { $0.certID == entry.certID }
            bucket.append(entry)
            while state.count + bucket.count > capacity, !state.entries.isEmpty {
                let evicted = state.entries.remove(at: state.entries.startIndex)
                state.count -= evicted.value.count
            }
            state.count += bucket.count
            state.entries[key] = bucket
        }
    }
}
