public import SwiftASN1

extension ASN1ObjectIdentifier {
    /// The dotted form, right for every arc: swift-asn1 1.7's `description` splits the first subidentifier by 40
    /// alone, so `2.999.1.100` (our TSA policy's arc) prints as `26.39.1.100`. X.690 8.19.4: X is 2 whenever
    /// the first subidentifier is 80 or more, and Y is the rest.
    public var dottedString: String {
        var components = oidComponents
        if components.count >= 2 {
            let first = components[0] * 40 + components[1]
            let head: [UInt] = first >= 80 ? [2, first - 80] : [first / 40, first % 40]
            components.replaceSubrange(0..<2, with: head)
        }
        return components.map(String.init).joined(separator: ".")
    }
}
