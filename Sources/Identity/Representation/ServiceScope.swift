/// Which services a power of attorney covers: named services, or all of them.
///
/// A service code is, for now, a relying party's `client_id`; later, a code of the Portal's service catalogue.
public enum ServiceScope: Sendable, Hashable {
    /// Every service.
    case all
    /// These services only (sorted, without repeats, at least one).
    case services([String])

    /// Checks and normalises a list of service codes; `["*"]` means every service.
    ///
    /// - Throws: ``IdentityError`` `invalidRecord` for an empty list, more than 50 codes, or a code that is not 1 to
    ///   64 characters of `a-z 0-9 . _ -`.
    public init(codes: [String]) throws(IdentityError) {
        if codes == ["*"] {
            self = .all
            return
        }
        let unique = Set(codes)
        guard !unique.isEmpty, unique.count <= 50 else {
            throw IdentityError(.invalidRecord, "name between 1 and 50 services, or * for all of them")
        }
        for code in unique where !Self.isServiceCode(code) {
            throw IdentityError(.invalidRecord, "a service code is 1 to 64 characters of a-z, 0-9, '.', '_' and '-'")
        }
        self = .services(unique.sorted())
    }

    /// Whether the scope includes the service `code`.
    public func covers(_ code: String) -> Bool {
        switch self {
        case .all: true
        case .services(let codes): codes.contains(code)
        }
    }

    /// The codes, `["*"]` for every service.
    public var codes: [String] {
        switch self {
        case .all: ["*"]
        case .services(let codes): codes
        }
    }

    static func isServiceCode(_ code: String) -> Bool {
        (1...64).contains(code.utf8.count)
            && code.utf8.allSatisfy {
                (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x2E || $0 == 0x5F || $0 == 0x2D
            }
    }
}
