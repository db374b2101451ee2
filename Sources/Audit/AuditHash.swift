import CivitasCore
import Crypto

/// The canonical encoding of an audit entry and its SHA-256 hash (format `civitas.audit.v1`).
///
/// ```
/// entry-hash = SHA-256( "civitas.audit.v1" 0x00
///                       u64be(sequence) i64be(time-µs)
///                       str(actor.kind) str(actor.id) opt(actor.onBehalfOf)
///                       str(action) str(object.type) str(object.id)
///                       opt(subject) str(purpose) opt(requestID)
///                       previous-hash[32] )
/// str(s) = u32be(byte length of UTF-8 s) || UTF-8 s
/// opt(s) = 0x00 when absent, 0x01 || str(s) when present
/// ```
/// Length prefixes make the encoding injective: no two different entries share an encoding, so no change to any
/// field, or a move of bytes between fields, keeps the hash. See `docs/decisions/0003-audit-chain-format.md`.
enum AuditHash {
    static let domain = Array("civitas.audit.v1".utf8) + [0]

    static func compute(sequence: Int64, time: Timestamp, event: AuditEvent, previousHash: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = domain
        bytes.reserveCapacity(256)
        append(UInt64(bitPattern: sequence), to: &bytes)
        append(UInt64(bitPattern: time.microseconds), to: &bytes)
        append(string: event.actor.kind.rawValue, to: &bytes)
        append(string: event.actor.id, to: &bytes)
        append(optional: event.actor.onBehalfOf, to: &bytes)
        append(string: event.action, to: &bytes)
        append(string: event.object.type, to: &bytes)
        append(string: event.object.id, to: &bytes)
        append(optional: event.subject?.rawValue, to: &bytes)
        append(string: event.purpose, to: &bytes)
        append(optional: event.requestID, to: &bytes)
        bytes += previousHash
        return Array(SHA256.hash(data: bytes))
    }

    private static func append(_ value: UInt64, to bytes: inout [UInt8]) {
        for shift in stride(from: 56, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
        }
    }

    private static func append(string: String, to bytes: inout [UInt8]) {
        let utf8 = string.utf8
        let count = UInt32(utf8.count)
        for shift in stride(from: 24, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: count >> UInt32(shift)))
        }
        bytes += utf8
    }

    private static func append(optional: String?, to bytes: inout [UInt8]) {
        if let optional {
            bytes.append(1)
            append(string: optional, to: &bytes)
        } else {
            bytes.append(0)
        }
    }
}
