import SwiftASN1

/// One extension of an OCSP message, read strictly and without copying.
///
/// ```
/// Extension ::= SEQUENCE {
///     extnID      OBJECT IDENTIFIER,
///     critical    BOOLEAN DEFAULT FALSE,
///     extnValue   OCTET STRING }
/// ```
struct OCSPExtension {
    /// The OBJECT IDENTIFIER's value bytes.
    let oidContent: ArraySlice<UInt8>
    let isCritical: Bool
    /// The extnValue OCTET STRING's contents.
    let value: ArraySlice<UInt8>

    var isNonce: Bool { oidContent.elementsEqual(OCSPObjectIdentifiers.nonceContent) }

    init(derEncoded node: ASN1Node) throws {
        guard node.identifier == .sequence, case .constructed(let children) = node.content else {
            throw OCSPError(.invalidEncoding, "Extension is not a SEQUENCE")
        }
        var fields = children.makeIterator()
        guard let oid = fields.next(), oid.identifier == .objectIdentifier,
            case .primitive(let oidContent) = oid.content,
            !oidContent.isEmpty, var field = fields.next()
        else {
            throw OCSPError(.invalidEncoding, "Extension without extnID")
        }
        var isCritical = false
        if field.identifier == .boolean {
            guard case .primitive(let flag) = field.content, flag.count == 1, let next = fields.next() else {
                throw OCSPError(.invalidEncoding, "malformed critical flag")
            }
            isCritical = flag.first != 0
            field = next
        }
        guard field.identifier == .octetString, case .primitive(let value) = field.content, fields.next() == nil else {
            throw OCSPError(.invalidEncoding, "Extension without extnValue")
        }
        self.oidContent = oidContent
        self.isCritical = isCritical
        self.value = value
    }
}
