import Foundation
import Testing

@testable import Identity

@Suite("Password hasher")
struct PasswordHasherTests {
    /// Cheap parameters for the tests that are about the format and the flow, not the cost.
    static let cheap = ScryptParameters(logRounds: 10, blockSize: 8, parallelism: 1)
    /// The default parameters, on one thread for the whole suite: a debug-build derivation at 128 MiB takes about a
    /// second, and the other suites running beside this one need the other core.
    static let owasp = PasswordHasher(maximumConcurrentHashes: 1)

    static func bytes(_ hex: String) -> [UInt8] {
        var result: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            result.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        return result
    }

    @Test("scrypt gives the RFC 7914 section 12 test vectors")
    func rfc7914Vectors() throws {
        let second = try PasswordHasher.derive(
            Array("password".utf8), salt: Array("NaCl".utf8),
            parameters: ScryptParameters(logRounds: 10, blockSize: 8, parallelism: 16), keyBytes: 64)
        #expect(
            second
                == Self.bytes(
                    "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff109279d9830dac"
                        + "727afb94a83ee6d8360cbdfa2cc0640"))
        let third = try PasswordHasher.derive(
            Array("pleaseletmein".utf8), salt: Array("SodiumChloride".utf8),
            parameters: ScryptParameters(logRounds: 14, blockSize: 8, parallelism: 1), keyBytes: 64)
        #expect(
            third
                == Self.bytes(
                    "7023bdcb3afd7348461c06cd81fd38ebfda8fbba904f8e3ea9b543f6545da1f2d5432955613f0fcf62d49705242a9af9e"
                        + "61e85dc0d651e40dfcf017b45575887"))
    }

    @Test("a hash made by OpenSSL (Python hashlib) at the OWASP parameters verifies, in either Unicode form")
    func opensslHashAtOWASPParameters() async throws {
        // hashlib.scrypt("pässwörd-ნინო".encode(), salt=bytes(range(16)), n=2**17, r=8, p=1, dklen=32)
        let stored = "$scrypt$ln=17,r=8,p=1$AAECAwQFBgcICQoLDA0ODw$ifVazYX5HvMdJHKZUJBZPMqgNykeum7+f2k5uZU7hfo"
        let hasher = Self.owasp
        #expect(try await hasher.verify("p\u{E4}ssw\u{F6}rd-ნინო", against: stored))
        #expect(try await hasher.verify("pa\u{308}sswo\u{308}rd-ნინო", against: stored))
        #expect(hasher.needsRehash(stored) == false)
    }

    @Test("a new hash is a PHC string with the configured parameters, a 16-byte salt and a 32-byte key")
    func newHashFormat() async throws {
        let hasher = Self.owasp
        let stored = try await hasher.hash("correct horse battery staple")
        #expect(stored.hasPrefix("$scrypt$ln=17,r=8,p=1$"))
        let parsed = try PasswordHash(stored)
        #expect(parsed.parameters == .owaspMinimum)
        #expect(parsed.salt.count == 16)
        #expect(parsed.hash.count == 32)
        #expect(parsed.description == stored)
        #expect(try await hasher.verify("correct horse battery staple", against: stored))
    }

    @Test("two hashes of one password differ (fresh salts) and both verify")
    func saltsDiffer() async throws {
        let hasher = PasswordHasher(parameters: Self.cheap)
        let first = try await hasher.hash("the same password twice")
        let second = try await hasher.hash("the same password twice")
        #expect(first != second)
        #expect(try PasswordHash(first).salt != PasswordHash(second).salt)
        #expect(try await hasher.verify("the same password twice", against: first))
        #expect(try await hasher.verify("the same password twice", against: second))
        #expect(try await hasher.verify("the same password twice!", against: second) == false)
    }

    @Test("a hash made by Python hashlib at other parameters verifies and asks to be rehashed")
    func olderParametersNeedRehash() async throws {
        // hashlib.scrypt(b"correct horse battery staple", salt=b"saltsaltsaltsalt", n=2**10, r=8, p=1, dklen=32)
        let stored = "$scrypt$ln=10,r=8,p=1$c2FsdHNhbHRzYWx0c2FsdA$bHXojks4sm1uMH4CDw9EcLZ/muyLxbYYc9xGzvNAnuQ"
        let hasher = Self.owasp
        #expect(try await hasher.verify("correct horse battery staple", against: stored))
        #expect(hasher.needsRehash(stored))
        #expect(PasswordHasher(parameters: Self.cheap).needsRehash(stored) == false)
        let stronger = PasswordHasher(parameters: ScryptParameters(logRounds: 10, blockSize: 16, parallelism: 1))
        #expect(stronger.needsRehash(stored))
        #expect(
            PasswordHasher(parameters: ScryptParameters(logRounds: 10, blockSize: 8, parallelism: 2)).needsRehash(
                stored))
        // An eight-byte salt or a 16-byte key still verifies, but is below what new hashes get.
        let shortSalt = "$scrypt$ln=10,r=8,p=1$c2FsdHNhbHQ$bHXojks4sm1uMH4CDw9EcLZ/muyLxbYYc9xGzvNAnuQ"
        #expect(PasswordHasher(parameters: Self.cheap).needsRehash(shortSalt))
        #expect(PasswordHasher(parameters: Self.cheap).needsRehash("not a hash"))
    }

    @Test("malformed and hostile hash strings are refused as invalid records, not as wrong passwords")
    func malformedHashes() async throws {
        let hasher = PasswordHasher(parameters: Self.cheap)
        let salt = "c2FsdHNhbHRzYWx0c2FsdA"
        let key = "bHXojks4sm1uMH4CDw9EcLZ/muyLxbYYc9xGzvNAnuQ"
        let bad = [
            "",
            "$argon2id$v=19$m=65536,t=3,p=4$\(salt)$\(key)",
            "$scrypt$ln=10,r=8$\(salt)$\(key)",
            "$scrypt$r=8,ln=10,p=1$\(salt)$\(key)",
            "$scrypt$ln=010,r=8,p=1$\(salt)$\(key)",
            "$scrypt$ln=-1,r=8,p=1$\(salt)$\(key)",
            "$scrypt$ln=30,r=8,p=1$\(salt)$\(key)",  // 128 GiB: refused before anything is allocated
            "$scrypt$ln=20,r=16,p=1$\(salt)$\(key)",  // 2 GiB
            "$scrypt$ln=10,r=0,p=1$\(salt)$\(key)",
            "$scrypt$ln=10,r=8,p=0$\(salt)$\(key)",
            "$scrypt$ln=10,r=8,p=1$\(salt)==$\(key)",
            "$scrypt$ln=10,r=8,p=1$\(salt)$\(key)$",
            "$scrypt$ln=10,r=8,p=1$c2Fsd-Nh_HRzYWx0c2FsdA$\(key)",
            "$scrypt$ln=10,r=8,p=1$c2Fs$\(key)",  // three-byte salt
            "$scrypt$ln=10,r=8,p=1$\(salt)$AAAA",  // three-byte key
            "$scrypt$ln=10,r=8,p=1$\(salt)$bHXojks4sm1uMH4CDw9EcLZ/muyLxbYYc9xGzvNAnuR",  // non-canonical last bits
            "scrypt$ln=10,r=8,p=1$\(salt)$\(key)",
        ]
        for stored in bad {
            let error = await #expect(throws: IdentityError.self, "\(stored)") {
                _ = try await hasher.verify("correct horse battery staple", against: stored)
            }
            #expect(error?.code == .invalidRecord)
        }
    }

    @Test("the empty password is never hashed and never matches")
    func emptyPassword() async throws {
        let hasher = PasswordHasher(parameters: Self.cheap)
        let error = await #expect(throws: IdentityError.self) { _ = try await hasher.hash("") }
        #expect(error?.code == .invalidRecord)
        let stored = try await hasher.hash("\u{0}")
        #expect(try await hasher.verify("", against: stored) == false)
        #expect(try await hasher.verify("\u{0}", against: stored))
    }

    @Test("dummyVerify runs a derivation at the configured parameters and reveals nothing")
    func dummyVerify() async throws {
        let hasher = PasswordHasher(parameters: Self.cheap)
        try await hasher.dummyVerify("whatever was typed")
        try await hasher.dummyVerify("")
    }

    @Test("many hashes at once all finish, through two threads, and each verifies only its own password")
    func concurrentHashes() async throws {
        let hasher = PasswordHasher(parameters: Self.cheap, maximumConcurrentHashes: 2, maximumWaitingHashes: 64)
        let results = try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for index in 0..<24 {
                group.addTask { (index, try await hasher.hash("password number \(index)")) }
            }
            var results: [Int: String] = [:]
            for try await (index, stored) in group { results[index] = stored }
            return results
        }
        #expect(results.count == 24)
        for (index, stored) in results {
            #expect(try await hasher.verify("password number \(index)", against: stored))
            #expect(try await hasher.verify("password number \(index + 1)", against: stored) == false)
        }
    }

    @Test("past the waiting limit a hash is refused as overloaded at once; the rest still finish")
    func overload() async throws {
        let hasher = PasswordHasher(
            parameters: ScryptParameters(logRounds: 14, blockSize: 8, parallelism: 1), maximumConcurrentHashes: 1,
            maximumWaitingHashes: 1)
        let outcomes = await withTaskGroup(of: String.self) { group in
            for index in 0..<8 {
                group.addTask {
                    do {
                        _ = try await hasher.hash("password number \(index)")
                        return "hashed"
                    } catch let error as IdentityError {
                        return error.code.description
                    } catch {
                        return "\(error)"
                    }
                }
            }
            var outcomes: [String] = []
            for await outcome in group { outcomes.append(outcome) }
            return outcomes
        }
        #expect(outcomes.count == 8)
        #expect(outcomes.allSatisfy { $0 == "hashed" || $0 == "overloaded" })
        #expect(outcomes.contains("hashed"))
        #expect(outcomes.contains("overloaded"))
        #expect(try await hasher.verify("again", against: try await hasher.hash("again")))
    }

    @Test("a task cancelled while its hash waits leaves the queue with CancellationError")
    func cancellation() async throws {
        let hasher = PasswordHasher(
            parameters: ScryptParameters(logRounds: 15, blockSize: 8, parallelism: 1), maximumConcurrentHashes: 1,
            maximumWaitingHashes: 8)
        let running = Task { try await hasher.hash("the one that runs") }
        let waiting = (0..<4).map { index in Task { try await hasher.hash("waiting \(index)") } }
        for task in waiting { task.cancel() }
        var cancelled = 0
        for task in waiting {
            do {
                _ = try await task.value
            } catch is CancellationError {
                cancelled += 1
            }
        }
        // A waiting task may have started before its cancellation arrived; the rest never ran.
        #expect(cancelled >= 1)
        #expect(try await hasher.verify("the one that runs", against: try await running.value))
    }

    @Test("unsupported parameters are recognised")
    func parameterBounds() {
        #expect(ScryptParameters.owaspMinimum.isSupported)
        #expect(ScryptParameters.owaspMinimum.memoryBytes >= 128 * 1024 * 1024)
        #expect(ScryptParameters(logRounds: 0, blockSize: 8, parallelism: 1).isSupported == false)
        #expect(ScryptParameters(logRounds: 17, blockSize: 8, parallelism: 17).isSupported == false)
        #expect(ScryptParameters(logRounds: 19, blockSize: 8, parallelism: 1).isSupported)
        // 1 GiB and a little: past the cap.
        #expect(ScryptParameters(logRounds: 20, blockSize: 8, parallelism: 1).isSupported == false)
        #expect(ScryptParameters(logRounds: 16, blockSize: 1, parallelism: 1).isSupported == false)
    }
}
