import SwiftASN1

/// One extension of a CRL or CRL entry.
///
/// ```
/// Extension ::= SEQUENCE {
///     extnID      OBJECT IDENTIFIER,
///     critical    BOOLEAN DEFAULT FALSE,
///     extnValue   OCTET STRING }
/// ```
struct CRLExtension {
    let oid: ASN1ObjectIdentifier
    let isCritical: Bool
    /// The extnValue OCTET STRING's contents: the DER of the extension's own type.
    let value: ArraySlice<UInt8>

    init(derEncoded node: ASN1Node) throws {
        (oid, isCritical, value) = try DER.sequence(node, identifier: .sequence) { fields in
            let oid = try ASN1ObjectIdentifier(derEncoded: &fields)
            guard var field = fields.next() else { throw CRLError(.invalidEncoding, "Extension without extnValue") }
            var isCritical = false
            if field.identifier == .boolean {
                isCritical = try Bool(derEncoded: field)
                guard let next = fields.next() else {
                    throw CRLError(.invalidEncoding, "Extension without extnValue")
                }
                field = next
            }
            return (oid, isCritical, try ASN1OctetString(derEncoded: field).bytes)
        }
    }
}
