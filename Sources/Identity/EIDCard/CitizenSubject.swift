public import SwiftASN1
public import X509

/// The subject name of a citizen's eID certificate (ETSI EN 319 412-2 §4.2.4 for natural persons): country,
/// surname and given name in Latin script, the common name "Given Family", and the personal number in the
/// serialNumber attribute in ``PersonalNumberSemantics``.
public enum CitizenSubject {
    /// givenName, 2.5.4.42.
    public static let givenNameAttribute: ASN1ObjectIdentifier = [2, 5, 4, 42]
    /// surname, 2.5.4.4.
    public static let surnameAttribute: ASN1ObjectIdentifier = [2, 5, 4, 4]

    /// The subject for `person`.
    public static func name(for person: Person, semantics: PersonalNumberSemantics) throws -> DistinguishedName {
        let given = person.name.givenLatin
        let family = person.name.familyLatin
        return DistinguishedName([
            RelativeDistinguishedName(
                try .init(type: .RDNAttributeType.countryName, printableString: semantics.country)),
            RelativeDistinguishedName(.init(type: surnameAttribute, utf8String: family)),
            RelativeDistinguishedName(.init(type: givenNameAttribute, utf8String: given)),
            RelativeDistinguishedName(.init(type: .RDNAttributeType.commonName, utf8String: "\(given) \(family)")),
            RelativeDistinguishedName(
                try .init(
                    type: PersonalNumberSemantics.serialNumberAttribute,
                    printableString: semantics.serialNumber(for: person.personalNumber))),
        ])
    }
}
