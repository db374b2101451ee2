import Audit
import Crypto

/// A stand-in for the Trust block's RFC 3161 anchor: an HMAC over the head, which only the key holder can make.
struct HMACAnchoring: AuditAnchoring {
    struct Invalid: Error {}
    var key: [UInt8] = Array("test anchoring key".utf8)
    var kind: String { "hmac-test" }

    func anchor(_ head: AuditHead) async throws -> [UInt8] {
        mac(head)
    }

    func verify(token: [UInt8], for head: AuditHead) async throws {
        guard token == mac(head) else { throw Invalid() }
    }

    private func mac(_ head: AuditHead) -> [UInt8] {
        var message = Array(String(head.sequence).utf8)
        message += head.hash
        return Array(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key)))
    }
}
