import Foundation
import Identity
import Testing

/// The half of `scripts/lib/system/identity-passwords.sh` that runs in Swift: it reads what Python's `pyotp` and
/// `hashlib.scrypt` (OpenSSL) made, checks that Civitas agrees, and writes what Civitas makes for Python to check.
/// Runs only when the script names its exchange directory in `CIVITAS_TEST_IDENTITY_INTEROP`.
@Suite(
    "Identity interoperability with pyotp and hashlib",
    .enabled(if: ProcessInfo.processInfo.environment["CIVITAS_TEST_IDENTITY_INTEROP"] != nil))
struct IdentityInteropTests {
    struct TOTPVector: Codable {
        var secret: String
        var time: Int64
        var code: String
        var uri: String?
        var account: String?
    }

    struct HashVector: Codable {
        var password: String
        var stored: String
    }

    static var directory: URL {
        URL(fileURLWithPath: ProcessInfo.processInfo.environment["CIVITAS_TEST_IDENTITY_INTEROP"] ?? "/nonexistent")
    }

    static func read<T: Decodable>(_ name: String, as type: T.Type) throws -> T {
        try JSONDecoder().decode(type, from: Data(contentsOf: directory.appendingPathComponent(name)))
    }

    static func write(_ value: some Encodable, to name: String) throws {
        try JSONEncoder().encode(value).write(to: directory.appendingPathComponent(name))
    }

    @Test("pyotp's codes are ours, and pyotp gets our URIs and codes")
    func totp() throws {
        let theirs = try Self.read("pyotp-vectors.json", as: [TOTPVector].self)
        #expect(theirs.count >= 10)
        for vector in theirs {
            let totp = TOTP(secret: try TOTPSecret(base32: vector.secret))
            let date = Date(timeIntervalSince1970: TimeInterval(vector.time))
            #expect(totp.code(at: date) == vector.code, "\(vector.time)")
            #expect(totp.verify(vector.code, at: date) == TOTP.step(at: date))
        }
        var ours: [TOTPVector] = []
        for index in 0..<20 {
            let totp = TOTP(secret: .random())
            let time = Int64.random(in: 0..<4_000_000_000)
            let account = index.isMultiple(of: 2) ? "user\(index)@example.ge" : "ნინო ბერიძე \(index)"
            ours.append(
                TOTPVector(
                    secret: totp.secret.base32, time: time,
                    code: totp.code(at: Date(timeIntervalSince1970: TimeInterval(time))),
                    uri: try totp.provisioningURI(account: account), account: account))
        }
        try Self.write(ours, to: "civitas-totp.json")
    }

    @Test("hashlib's scrypt PHC strings verify here, and ours are written for hashlib")
    func hashes() async throws {
        let hasher = PasswordHasher()
        let theirs = try Self.read("hashlib-hashes.json", as: [HashVector].self)
        #expect(theirs.count >= 1)
        for vector in theirs {
            #expect(try await hasher.verify(vector.password, against: vector.stored))
            #expect(try await hasher.verify(vector.password + "x", against: vector.stored) == false)
        }
        var ours: [HashVector] = []
        for password in ["correct horse battery staple", "ნინო ბერიძე 2026!", "e\u{301}te\u{301} a\u{300} Tbilissi"] {
            ours.append(HashVector(password: password, stored: try await hasher.hash(password)))
        }
        try Self.write(ours, to: "civitas-hashes.json")
    }
}
