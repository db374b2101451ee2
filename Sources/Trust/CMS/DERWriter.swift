import SwiftASN1

/// Small DER writing helpers for the hot signing paths.
///
/// swift-asn1's `DER.Serializer` is general, but the time-stamp and CMS encoders splice pre-encoded constant
/// parts (certificates, algorithm identifiers, attributes) into a few variable ones; writing tag, length and
/// content directly keeps that to one allocation per constructed value.
enum DERWriter {
    /// Universal tags used here.
    enum Tag {
        static let boolean: UInt8 = 0x01
        static let integer: UInt8 = 0x02
        static let bitString: UInt8 = 0x03
        static let octetString: UInt8 = 0x04
        static let null: UInt8 = 0x05
        static let objectIdentifier: UInt8 = 0x06
        static let utf8String: UInt8 = 0x0C
        static let utcTime: UInt8 = 0x17
        static let generalizedTime: UInt8 = 0x18
        static let sequence: UInt8 = 0x30
        static let set: UInt8 = 0x31

        /// `[n]` context-specific constructed.
        static func contextConstructed(_ number: UInt8) -> UInt8 { 0xA0 | number }
        /// `[n]` context-specific primitive.
        static func contextPrimitive(_ number: UInt8) -> UInt8 { 0x80 | number }
    }

    /// The number of bytes a DER length field takes.
    @inline(__always)
    static func lengthSize(_ length: Int) -> Int {
        if length < 0x80 { return 1 }
        var size = 1
        var remaining = length
        while remaining > 0 {
            size += 1
            remaining >>= 8
        }
        return size
    }

    /// The number of bytes a whole TLV with `length` content bytes takes (single-byte tag).
    @inline(__always)
    static func encodedSize(contentLength length: Int) -> Int {
        1 + lengthSize(length) + length
    }

    /// Appends a tag and a definite, minimal length.
    @inline(__always)
    static func appendHeader(tag: UInt8, length: Int, to out: inout [UInt8]) {
        out.append(tag)
        if length < 0x80 {
            out.append(UInt8(length))
            return
        }
        let count = lengthSize(length) - 1
        out.append(0x80 | UInt8(count))
        var shift = (count - 1) * 8
        while shift >= 0 {
            out.append(UInt8(truncatingIfNeeded: length >> shift))
            shift -= 8
        }
    }

    /// One TLV whose content is the concatenation of `parts`.
    static func tlv(_ tag: UInt8, _ parts: [UInt8]...) -> [UInt8] {
        tlv(tag, parts: parts)
    }

    /// One TLV whose content is the concatenation of `parts`.
    static func tlv(_ tag: UInt8, parts: [[UInt8]]) -> [UInt8] {
        var length = 0
        for part in parts { length += part.count }
        var out: [UInt8] = []
        out.reserveCapacity(encodedSize(contentLength: length))
        appendHeader(tag: tag, length: length, to: &out)
        for part in parts { out.append(contentsOf: part) }
        return out
    }

    /// One TLV with the given content.
    static func tlv(_ tag: UInt8, content: some Collection<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(encodedSize(contentLength: content.count))
        appendHeader(tag: tag, length: content.count, to: &out)
        out.append(contentsOf: content)
        return out
    }

    /// A SET OF whose elements are sorted by their encodings (X.690 11.6), with the given tag.
    static func setOf(_ elements: [[UInt8]], tag: UInt8 = Tag.set) -> [UInt8] {
        tlv(tag, parts: sortedForSetOf(elements))
    }

    /// `elements` in DER SET OF order: compared as octet strings, a shorter one padded with zero octets.
    static func sortedForSetOf(_ elements: [[UInt8]]) -> [[UInt8]] {
        if elements.count < 2 { return elements }
        return elements.sorted(by: setOfLess)
    }

    /// The X.690 11.6 ordering of two encodings.
    static func setOfLess(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        let common = min(lhs.count, rhs.count)
        var index = 0
        while index < common {
            let left = lhs[index]
            let right = rhs[index]
            if left != right { return left < right }
            index += 1
        }
        // Equal over the common prefix: the shorter one is padded with zeros, so it is smaller only if the
        // longer one has a non-zero octet after the prefix.
        if lhs.count < rhs.count {
            return rhs[common...].contains { $0 != 0 }
        }
        return false
    }

    /// The content octets of a DER INTEGER holding the unsigned big-endian `magnitude`.
    static func unsignedIntegerContent(_ magnitude: some Collection<UInt8>) -> [UInt8] {
        let bytes = magnitude.drop { $0 == 0 }
        guard let first = bytes.first else { return [0] }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 1)
        if first & 0x80 != 0 { out.append(0) }
        out.append(contentsOf: bytes)
        return out
    }

    /// A DER INTEGER holding the unsigned big-endian `magnitude`.
    static func unsignedInteger(_ magnitude: some Collection<UInt8>) -> [UInt8] {
        tlv(Tag.integer, content: unsignedIntegerContent(magnitude))
    }

    /// A DER INTEGER of a small non-negative value.
    static func integer(_ value: Int) -> [UInt8] {
        precondition(value >= 0)
        var magnitude: [UInt8] = []
        var remaining = value
        repeat {
            magnitude.insert(UInt8(truncatingIfNeeded: remaining), at: 0)
            remaining >>= 8
        } while remaining > 0
        return unsignedInteger(magnitude)
    }

    /// A DER OBJECT IDENTIFIER.
    static func objectIdentifier(_ oid: ASN1ObjectIdentifier) -> [UInt8] {
        serialize(oid)
    }

    /// A DER OCTET STRING.
    static func octetString(_ bytes: some Collection<UInt8>) -> [UInt8] {
        tlv(Tag.octetString, content: bytes)
    }

    /// The DER of any swift-asn1 serializable value.
    static func serialize(_ value: some DERSerializable) -> [UInt8] {
        var serializer = DER.Serializer()
        // Serializing an already-valid in-memory value only fails for values that could not have been built.
        try! serializer.serialize(value)
        return serializer.serializedBytes
    }

    /// The content octets of a TLV that this module wrote itself (single-byte tag, definite length).
    static func contentOf(_ encoded: [UInt8]) -> ArraySlice<UInt8> {
        let first = encoded[1]
        if first < 0x80 { return encoded[2...] }
        return encoded[(2 + Int(first & 0x7F))...]
    }

    /// The same TLV with its (single-byte) tag replaced, e.g. a SET re-tagged as `[0] IMPLICIT`.
    static func retagged(_ encoded: [UInt8], as tag: UInt8) -> [UInt8] {
        var copy = encoded
        copy[0] = tag
        return copy
    }
}
