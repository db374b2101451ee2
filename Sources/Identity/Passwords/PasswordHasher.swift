import Crypto
import Foundation
import _CryptoExtras

/// Hashes and verifies passwords with scrypt, and stores them as PHC strings (``PasswordHash``).
///
/// - New hashes use the configured ``parameters`` (by default ``ScryptParameters/owaspMinimum``), a 16-byte random
///   salt and a 32-byte key.
/// - Passwords are NFC-normalised before hashing, so the same password typed on two keyboards that compose
///   accents differently verifies.
/// - Each derivation takes `128 · N · r` bytes (128 MiB by default) and a large fraction of a second, so the
///   derivations run on a few dedicated threads, never on Swift's cooperative pool, and at most
///   `maximumConcurrentHashes` run at once; at most `maximumWaitingHashes` more wait, and past that the hasher
///   throws ``IdentityError`` `overloaded` at once.
/// - ``dummyVerify(_:)`` costs what ``verify(_:against:)`` costs, for usernames that do not exist.
///
/// Create one per node and share it: copies share one set of threads, which stop when the last copy is released.
public struct PasswordHasher: Sendable {
    /// The parameters new hashes are made with; stored hashes below them ``needsRehash(_:)``.
    public let parameters: ScryptParameters
    private let threads: KDFThreads
    /// A PHC string of random bytes at ``parameters``: no password derives to it.
    private let dummy: String

    /// The salt and key lengths of new hashes.
    static let saltBytes = 16
    static let keyBytes = 32

    /// Creates a hasher.
    ///
    /// - Parameters:
    ///   - parameters: the scrypt parameters for new hashes; they must be ``ScryptParameters/isSupported``.
    ///   - maximumConcurrentHashes: how many derivations may run at once (each takes its memory while it runs).
    ///   - maximumWaitingHashes: how many may wait for a free thread before further requests are refused (16 is
    ///     about four seconds of work for two threads at the default parameters).
    public init(
        parameters: ScryptParameters = .owaspMinimum, maximumConcurrentHashes: Int = 2, maximumWaitingHashes: Int = 16
    ) {
        precondition(parameters.isSupported, "unsupported scrypt parameters \(parameters)")
        precondition(maximumConcurrentHashes >= 1, "at least one hash must be able to run")
        precondition(maximumWaitingHashes >= 0, "the queue cannot be shorter than empty")
        self.parameters = parameters
        self.threads = KDFThreads(
            threadCount: maximumConcurrentHashes, queueLimit: maximumWaitingHashes, name: "civitas-scrypt")
        self.dummy =
            PasswordHash(
                parameters: parameters, salt: Self.randomBytes(Self.saltBytes), hash: Self.randomBytes(Self.keyBytes)
            ).description
    }

    /// How many derivations may run at once.
    public var maximumConcurrentHashes: Int { threads.threadCount }

    /// Hashes `password` with a new random salt under ``parameters``; returns the PHC string to store.
    ///
    /// The password should have passed ``PasswordPolicy`` first; this only refuses the empty password.
    ///
    /// - Throws: ``IdentityError`` `invalidRecord` for an empty password, `overloaded` when too many hashes wait.
    public func hash(_ password: String) async throws -> String {
        let bytes = Self.normalizedBytes(password)
        guard !bytes.isEmpty else { throw IdentityError(.invalidRecord, "an empty password cannot be hashed") }
        let parameters = self.parameters
        let salt = Self.randomBytes(Self.saltBytes)
        let key = try await threads.run {
            try Self.derive(bytes, salt: salt, parameters: parameters, keyBytes: Self.keyBytes)
        }
        return PasswordHash(parameters: parameters, salt: salt, hash: key).description
    }

    /// Whether `password` is the one `stored` was made from, compared in constant time.
    ///
    /// An empty password costs a full derivation too and never matches.
    ///
    /// - Throws: ``IdentityError`` `invalidRecord` when `stored` is not a PHC scrypt string this hasher runs (a
    ///   corrupt record, not a wrong password), `overloaded` when too many hashes wait.
    public func verify(_ password: String, against stored: String) async throws -> Bool {
        try await verify(Self.normalizedBytes(password), against: try PasswordHash(stored))
    }

    /// Does the work of ``verify(_:against:)`` against a hash of no password, and forgets the answer.
    ///
    /// Call it when the username is unknown, so that an unknown username takes as long as a wrong password
    /// (a stored hash under older, cheaper parameters is the one case that is faster; rehashing on login removes it).
    ///
    /// - Throws: ``IdentityError`` `overloaded` when too many hashes wait.
    public func dummyVerify(_ password: String) async throws {
        // The same path as a real verification, parsing included: only the answer is thrown away.
        _ = try await verify(password, against: dummy)
    }

    /// Whether `stored` should be replaced by a new hash of the same password (after a successful verification):
    /// its parameters, salt or key are below what new hashes use, or it is not a hash this hasher reads.
    public func needsRehash(_ stored: String) -> Bool {
        guard let hash = try? PasswordHash(stored) else { return true }
        return hash.parameters.isWeaker(than: parameters) || hash.salt.count < Self.saltBytes
            || hash.hash.count < Self.keyBytes
    }

    private func verify(_ password: [UInt8], against stored: PasswordHash) async throws -> Bool {
        // BoringSSL's scrypt cannot take an empty input: derive from one byte instead, then refuse the match.
        let input = password.isEmpty ? [0] : password
        let key = try await threads.run {
            try Self.derive(input, salt: stored.salt, parameters: stored.parameters, keyBytes: stored.hash.count)
        }
        let matches = Self.constantTimeEqual(key, stored.hash)
        return matches && !password.isEmpty
    }

    /// scrypt as RFC 7914 defines it (internal so that tests can check the RFC's vectors).
    static func derive(
        _ password: [UInt8], salt: [UInt8], parameters: ScryptParameters, keyBytes: Int
    ) throws -> [UInt8] {
        let key = try KDF.Scrypt.deriveKey(
            from: password, salt: salt, outputByteCount: keyBytes, rounds: 1 << parameters.logRounds,
            blockSize: parameters.blockSize, parallelism: parameters.parallelism)
        return key.withUnsafeBytes { [UInt8]($0) }
    }

    /// The UTF-8 bytes of the NFC form of `password`.
    static func normalizedBytes(_ password: String) -> [UInt8] {
        Array(password.precomposedStringWithCanonicalMapping.utf8)
    }

    /// Equal length and bytes, reading every byte whatever the first difference is.
    static func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for index in lhs.indices { difference |= lhs[index] ^ rhs[index] }
        return difference == 0
    }

    static func randomBytes(_ count: Int) -> [UInt8] {
        SymmetricKey(size: SymmetricKeySize(bitCount: count * 8)).withUnsafeBytes { [UInt8]($0) }
    }
}
