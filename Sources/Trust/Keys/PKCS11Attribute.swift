import CPKCS11

/// One entry of a PKCS #11 attribute template (`CK_ATTRIBUTE`), with its value in the token's byte form.
struct PKCS11Attribute {
    let type: CK_ATTRIBUTE_TYPE
    let value: [UInt8]

    /// A `CK_BBOOL` attribute.
    static func bool(_ type: UInt, _ value: Bool) -> PKCS11Attribute {
        PKCS11Attribute(type: CK_ATTRIBUTE_TYPE(type), value: [CK_BBOOL(value ? CK_TRUE : CK_FALSE)])
    }

    /// A `CK_ULONG` attribute (`CKA_CLASS`, `CKA_KEY_TYPE`): the platform's `unsigned long`, in its byte order.
    static func ulong(_ type: UInt, _ value: UInt) -> PKCS11Attribute {
        PKCS11Attribute(type: CK_ATTRIBUTE_TYPE(type), value: withUnsafeBytes(of: CK_ULONG(value)) { Array($0) })
    }

    /// A byte-array attribute (`CKA_ID`, `CKA_EC_PARAMS`).
    static func bytes(_ type: UInt, _ value: [UInt8]) -> PKCS11Attribute {
        PKCS11Attribute(type: CK_ATTRIBUTE_TYPE(type), value: value)
    }

    /// An RFC 2279 (UTF-8) string attribute such as `CKA_LABEL`, without a terminating NUL.
    static func string(_ type: UInt, _ value: String) -> PKCS11Attribute {
        PKCS11Attribute(type: CK_ATTRIBUTE_TYPE(type), value: Array(value.utf8))
    }

    /// Calls `body` with `attributes` laid out as a `CK_ATTRIBUTE` array whose values stay valid for the call.
    static func withTemplate<Result>(
        _ attributes: [PKCS11Attribute], _ body: (UnsafeMutablePointer<CK_ATTRIBUTE>?, CK_ULONG) throws -> Result
    ) rethrows -> Result {
        let buffers = attributes.map { attribute in
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(attribute.value.count, 1), alignment: 8)
            buffer.copyBytes(from: attribute.value)
            return buffer
        }
        defer { for buffer in buffers { buffer.deallocate() } }
        var template = zip(attributes, buffers).map { attribute, buffer in
            CK_ATTRIBUTE(type: attribute.type, pValue: buffer.baseAddress, ulValueLen: CK_ULONG(attribute.value.count))
        }
        return try template.withUnsafeMutableBufferPointer { try body($0.baseAddress, CK_ULONG($0.count)) }
    }

    /// Reads a `CK_BBOOL` value back.
    static func bool(from bytes: [UInt8]?) -> Bool? {
        guard let bytes, bytes.count == 1 else { return nil }
        return bytes[0] != CK_FALSE
    }

    /// Reads a `CK_ULONG` value back.
    static func ulong(from bytes: [UInt8]?) -> UInt? {
        guard let bytes, bytes.count == MemoryLayout<CK_ULONG>.size else { return nil }
        return UInt(bytes.withUnsafeBytes { $0.loadUnaligned(as: CK_ULONG.self) })
    }
}
