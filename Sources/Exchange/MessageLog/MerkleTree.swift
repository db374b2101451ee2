import Crypto

/// The hash tree over one batch of records: RFC 6962's Merkle Tree Hash (RFC 9162 §2.1), with SHA-256.
///
/// ```
/// leaf hash  = SHA-256(0x00 || record DER)
/// MTH(D[n])  = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n])),  k the largest power of two below n
/// ```
///
/// The 0x00/0x01 prefixes keep a leaf from passing for an inner node (the second-preimage attack on plain
/// Merkle trees). An audit path is the list of sibling hashes from the leaf up (RFC 9162 §2.1.3.1).
enum MerkleTree {
    /// The hash of a leaf.
    static func leafHash(_ data: [UInt8]) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(data: [0x00])
        hasher.update(data: data)
        return Array(hasher.finalize())
    }

    /// The hash of an inner node.
    static func nodeHash(_ left: [UInt8], _ right: [UInt8]) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(data: [0x01])
        hasher.update(data: left)
        hasher.update(data: right)
        return Array(hasher.finalize())
    }

    /// What a batch token time-stamps: the tree size as 8 octets big-endian, then the 32-octet root (as RFC 6962's
    /// signed tree head binds both). An audit path alone does not fix the tree size, so the size must be stamped too.
    static func treeHead(size: Int64, root: [UInt8]) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: UInt64(size) >> (56 - 8 * UInt64($0))) } + root
    }

    /// The tree head over `leaves` (leaf hashes, at least one) and each leaf's audit path, in leaf order.
    static func build(_ leaves: [[UInt8]]) -> (root: [UInt8], paths: [[[UInt8]]]) {
        precondition(!leaves.isEmpty, "a batch has at least one record")
        return build(leaves[...])
    }

    private static func build(_ leaves: ArraySlice<[UInt8]>) -> (root: [UInt8], paths: [[[UInt8]]]) {
        if leaves.count == 1 { return (leaves[leaves.startIndex], [[]]) }
        var split = 1
        while split * 2 < leaves.count { split *= 2 }
        let left = build(leaves.prefix(split))
        let right = build(leaves.dropFirst(split))
        let paths = left.paths.map { $0 + [right.root] } + right.paths.map { $0 + [left.root] }
        return (nodeHash(left.root, right.root), paths)
    }

    /// The tree head an audit path leads to from `leaf` at `index` in a tree of `size` leaves, or `nil` when the
    /// path cannot belong to such a tree (RFC 9162 §2.1.3.2).
    static func root(fromLeaf leaf: [UInt8], index: Int64, size: Int64, path: [[UInt8]]) -> [UInt8]? {
        guard index >= 0, index < size else { return nil }
        var fn = index
        var sn = size - 1
        var hash = leaf
        for sibling in path {
            guard sibling.count == 32, sn != 0 else { return nil }
            if fn & 1 == 1 || fn == sn {
                hash = nodeHash(sibling, hash)
                while fn & 1 == 0 && fn != 0 {
                    fn >>= 1
                    sn >>= 1
                }
            } else {
                hash = nodeHash(hash, sibling)
            }
            fn >>= 1
            sn >>= 1
        }
        return sn == 0 ? hash : nil
    }
}
