import SwiftASN1
import X509

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension CertificateRevocationList {
    /// Reads a DER CRL; throws a `CRLError` for anything malformed, for trailing bytes, for a signature algorithm in
    /// tbsCertList that differs from the outer one, and for unknown critical extensions.
    public init(derEncoded: [UInt8]) throws {
        do {
            let root = try DER.parse(derEncoded)
            guard root.identifier == .sequence, case .constructed(let children) = root.content else {
                throw CRLError(.invalidEncoding, "CertificateList is not a SEQUENCE")
            }
            var fields = children.makeIterator()
            guard let tbs = fields.next(), let algorithm = fields.next(), let signatureNode = fields.next(),
                fields.next() == nil
            else {
                throw CRLError(.invalidEncoding, "CertificateList must have three fields")
            }
            let bits = try ASN1BitString(derEncoded: signatureNode)
            guard bits.paddingBits == 0 else { throw CRLError(.invalidEncoding, "signature has unused bits") }
            let fieldsOfTBS = try Self.parseTBSCertList(tbs, outerAlgorithm: algorithm.encodedBytes)
            do {
                signatureAlgorithm = try OCSPSignatureAlgorithmCoding.algorithm(from: algorithm)
            } catch {
                throw CRLError(.unsupportedAlgorithm, "\(error)")
            }
            signature = bits.bytes
            tbsCertList = tbs.encodedBytes
            issuerDER = fieldsOfTBS.issuer
            thisUpdate = fieldsOfTBS.thisUpdate
            nextUpdate = fieldsOfTBS.nextUpdate
            entries = fieldsOfTBS.entries
            crlNumber = fieldsOfTBS.crlNumber
            authorityKeyIdentifier = fieldsOfTBS.keyIdentifier
            self.derEncoded = derEncoded
        } catch let error as CRLError {
            throw error
        } catch {
            throw CRLError(.invalidEncoding, "\(error)")
        }
    }

    private struct TBSFields {
        var issuer: ArraySlice<UInt8> = []
        var thisUpdate = Date(timeIntervalSince1970: 0)
        var nextUpdate: Date?
        var entries: [Entry] = []
        var crlNumber: CRLNumber?
        var keyIdentifier: ArraySlice<UInt8>?
    }

    private static func parseTBSCertList(_ node: ASN1Node, outerAlgorithm: ArraySlice<UInt8>) throws -> TBSFields {
        guard node.identifier == .sequence, case .constructed(let children) = node.content else {
            throw CRLError(.invalidEncoding, "TBSCertList is not a SEQUENCE")
        }
        var result = TBSFields()
        var fields = children.makeIterator()
        var field = fields.next()
        var isV2 = false
        if let version = field, version.identifier == .integer {
            guard case .primitive(let value) = version.content, value.elementsEqual([1]) else {
                throw CRLError(.unsupportedVersion, "only v1 and v2 CRLs exist")
            }
            isV2 = true
            field = fields.next()
        }
        guard let algorithm = field, let issuer = fields.next(), let thisUpdate = fields.next() else {
            throw CRLError(.invalidEncoding, "TBSCertList too short")
        }
        guard algorithm.encodedBytes == outerAlgorithm else {
            throw CRLError(.invalidEncoding, "the signature algorithms inside and outside tbsCertList differ")
        }
        guard issuer.identifier == .sequence else { throw CRLError(.invalidEncoding, "issuer is not a Name") }
        result.issuer = issuer.encodedBytes
        result.thisUpdate = try OCSPTime.time(from: thisUpdate)
        field = fields.next()
        if let next = field, next.identifier == .utcTime || next.identifier == .generalizedTime {
            result.nextUpdate = try OCSPTime.time(from: next)
            field = fields.next()
        }
        if let list = field, list.identifier == .sequence {
            guard case .constructed(let items) = list.content else {
                throw CRLError(.invalidEncoding, "revokedCertificates is not a SEQUENCE")
            }
            result.entries = try items.map(parseEntry)
            guard !result.entries.isEmpty else {
                throw CRLError(.invalidEncoding, "an empty revokedCertificates must be omitted")
            }
            field = fields.next()
        }
        if let extensions = field {
            guard extensions.identifier == tag0, isV2, fields.next() == nil else {
                throw CRLError(.invalidEncoding, "unexpected field in TBSCertList")
            }
            try parseCRLExtensions(extensions, into: &result)
        }
        return result
    }

    private static func parseEntry(_ node: ASN1Node) throws -> Entry {
        guard node.identifier == .sequence, case .constructed(let children) = node.content else {
            throw CRLError(.invalidEncoding, "revoked certificate is not a SEQUENCE")
        }
        var fields = children.makeIterator()
        guard let serial = fields.next(), let date = fields.next() else {
            throw CRLError(.invalidEncoding, "revoked certificate too short")
        }
        var entry = Entry(
            serialNumber: Certificate.SerialNumber(bytes: try OCSPCertID.integer(serial)),
            revocationDate: try OCSPTime.time(from: date)
        )
        if let extensions = fields.next() {
            guard fields.next() == nil else { throw CRLError(.invalidEncoding, "unexpected field in CRL entry") }
            for item in try extensionList(extensions) {
                let parsed = try CRLExtension(derEncoded: item)
                if parsed.oid == reasonCode {
                    let value = try DER.parse(parsed.value)
                    guard value.identifier == .enumerated, case .primitive(let code) = value.content, code.count == 1,
                        let reason = CRLReason(rawValue: code[code.startIndex])
                    else {
                        throw CRLError(.invalidEncoding, "bad reasonCode")
                    }
                    entry.reason = reason
                } else if parsed.isCritical {
                    throw CRLError(.unsupportedCriticalExtension, "unknown critical entry extension \(parsed.oid)")
                }
            }
        }
        return entry
    }

    private static func parseCRLExtensions(_ node: ASN1Node, into result: inout TBSFields) throws {
        guard case .constructed(let wrapper) = node.content else {
            throw CRLError(.invalidEncoding, "crlExtensions is not an explicit tag")
        }
        var wrapped = wrapper.makeIterator()
        guard let list = wrapped.next(), wrapped.next() == nil else {
            throw CRLError(.invalidEncoding, "crlExtensions must hold one SEQUENCE")
        }
        var seen = Set<ASN1ObjectIdentifier>()
        for item in try extensionList(list) {
            let parsed = try CRLExtension(derEncoded: item)
            guard seen.insert(parsed.oid).inserted else {
                throw CRLError(.invalidEncoding, "extension \(parsed.oid) appears twice")
            }
            switch parsed.oid {
            case crlNumberID:
                let value = try DER.parse(parsed.value)
                let contents = try OCSPCertID.integer(value)
                guard contents.first.map({ $0 & 0x80 == 0 }) == true, let number = CRLNumber(magnitude: contents)
                else {
                    throw CRLError(.invalidEncoding, "cRLNumber must be 0 to 2^160 - 1")
                }
                result.crlNumber = number
            case authorityKeyIdentifierID:
                let value = try DER.parse(parsed.value)
                guard value.identifier == .sequence, case .constructed(let parts) = value.content else {
                    throw CRLError(.invalidEncoding, "authorityKeyIdentifier is not a SEQUENCE")
                }
                for part in parts where part.identifier == tag0 {
                    guard case .primitive(let keyIdentifier) = part.content else {
                        throw CRLError(.invalidEncoding, "keyIdentifier is not primitive")
                    }
                    result.keyIdentifier = keyIdentifier
                }
            default:
                if parsed.isCritical {
                    throw CRLError(.unsupportedCriticalExtension, "unknown critical CRL extension \(parsed.oid)")
                }
            }
        }
    }

    private static func extensionList(_ node: ASN1Node) throws -> ASN1NodeCollection {
        guard node.identifier == .sequence, case .constructed(let items) = node.content else {
            throw CRLError(.invalidEncoding, "Extensions is not a SEQUENCE")
        }
        return items
    }
}
