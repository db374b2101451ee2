public import CivitasCore
public import SwiftASN1
public import X509

/// Reads a personal number from a certificate subject's `serialNumber` attribute (X.520, OID 2.5.4.5) in the
/// ETSI EN 319 412-1 §5.1.3 natural-person semantics: `PNO` + the ISO 3166-1 alpha-2 code of the country that
/// issued the number + `-` + the number, e.g. `PNOCV-01234567892`.
///
/// A node accepts the numbers of its own register only, so the country is its setting: `CV` for the demo
/// country (whose citizenship code is `CVT`), `GE` for a Georgian deployment.
public struct PersonalNumberSemantics: Sendable, Hashable {
    /// The serialNumber attribute type, 2.5.4.5.
    public static let serialNumberAttribute: ASN1ObjectIdentifier = [2, 5, 4, 5]

    /// The two-letter country code.
    public let country: String

    /// The demo country's semantics, `PNOCV-`.
    public static let demoCountry = PersonalNumberSemantics(uncheckedCountry: "CV")

    /// Semantics for `country`, two upper-case ASCII letters.
    ///
    /// - Throws: ``IdentityError`` `invalidRecord` for anything else.
    public init(country: String) throws {
        guard country.utf8.count == 2, country.utf8.allSatisfy({ (0x41...0x5A).contains($0) }) else {
            throw IdentityError(.invalidRecord, "a country code is two upper-case letters (ISO 3166-1 alpha-2)")
        }
        self.country = country
    }

    private init(uncheckedCountry: String) { self.country = uncheckedCountry }

    /// The attribute value for `number`: `PNO<country>-<number>`.
    public func serialNumber(for number: PersonalNumber) -> String { "PNO\(country)-\(number.rawValue)" }

    /// The personal number in a `PNO<country>-` value, validated by its check digit.
    ///
    /// - Throws: ``IdentityError`` `noPersonalNumber`.
    public func personalNumber(in value: String) throws -> PersonalNumber {
        let prefix = "PNO\(country)-"
        guard value.hasPrefix(prefix) else {
            throw IdentityError(
                .noPersonalNumber, "the certificate's serialNumber is not a personal number of \(country) (\(prefix)…)")
        }
        do {
            return try PersonalNumber(String(value.dropFirst(prefix.count)))
        } catch {
            throw IdentityError(.noPersonalNumber, "the certificate's personal number is not valid: \(error.message)")
        }
    }

    /// The personal number in `subject`: exactly one serialNumber attribute, in these semantics.
    ///
    /// - Throws: ``IdentityError`` `noPersonalNumber`.
    public func personalNumber(in subject: DistinguishedName) throws -> PersonalNumber {
        let values = subject.flatMap { $0 }.filter { $0.type == Self.serialNumberAttribute }
        guard values.count == 1, let value = String(values[0].value) else {
            throw IdentityError(
                .noPersonalNumber, "the certificate's subject must carry exactly one serialNumber attribute")
        }
        return try personalNumber(in: value)
    }
}
