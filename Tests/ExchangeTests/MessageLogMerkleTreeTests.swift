import Crypto
import Testing

@testable import Exchange

/// The batch hash tree against RFC 6962's definition, written out again here the slow, literal way.
@Suite("Message log hash tree")
struct MessageLogMerkleTreeTests {
    /// MTH as RFC 6962 §2.1 defines it.
    static func literalHead(_ leaves: ArraySlice<[UInt8]>) -> [UInt8] {
        if leaves.count == 1 { return leaves.first! }
        var k = 1
        while k * 2 < leaves.count { k *= 2 }
        var hasher = SHA256()
        hasher.update(data: [0x01])
        hasher.update(data: literalHead(leaves.prefix(k)))
        hasher.update(data: literalHead(leaves.dropFirst(k)))
        return Array(hasher.finalize())
    }

    static func leaves(_ count: Int) -> [[UInt8]] {
        (0..<count).map { MerkleTree.leafHash(Array("record \($0)".utf8)) }
    }

    @Test("every leaf's path leads to the head, for trees of 1 to 70 leaves")
    func pathsLeadToTheHead() {
        for size in 1...70 {
            let leaves = Self.leaves(size)
            let tree = MerkleTree.build(leaves)
            #expect(tree.root == Self.literalHead(leaves[...]), "size \(size)")
            for (index, leaf) in leaves.enumerated() {
                let head = MerkleTree.root(
                    fromLeaf: leaf, index: Int64(index), size: Int64(size), path: tree.paths[index])
                #expect(head == tree.root, "size \(size), leaf \(index)")
            }
        }
    }

    @Test("a path under the wrong index, size or leaf does not lead to the head")
    func wrongPlaces() {
        let leaves = Self.leaves(13)
        let tree = MerkleTree.build(leaves)
        for index in 0..<13 {
            let path = tree.paths[index]
            for otherIndex in 0..<13 where otherIndex != index {
                #expect(
                    MerkleTree.root(fromLeaf: leaves[index], index: Int64(otherIndex), size: 13, path: path)
                        != tree.root)
            }
            // A path alone does not fix the tree size (sizes 9 to 16 give leaf 0 the same path shape): the size
            // is stamped with the root instead (MerkleTree.treeHead). A size the path cannot fit is refused.
            for otherSize in [0, 1, 2] {
                #expect(
                    MerkleTree.root(fromLeaf: leaves[index], index: Int64(index), size: Int64(otherSize), path: path)
                        != tree.root)
            }
            #expect(
                MerkleTree.root(fromLeaf: leaves[(index + 1) % 13], index: Int64(index), size: 13, path: path)
                    != tree.root)
            #expect(
                MerkleTree.root(fromLeaf: leaves[index], index: Int64(index), size: 13, path: path + [leaves[0]]) == nil
            )
            #expect(MerkleTree.root(fromLeaf: leaves[index], index: -1, size: 13, path: path) == nil)
        }
    }

    @Test("a leaf hash is not an inner node hash (the 0x00 and 0x01 prefixes)")
    func domainSeparation() {
        let a = MerkleTree.leafHash([1])
        let b = MerkleTree.leafHash([2])
        #expect(MerkleTree.leafHash(a + b) != MerkleTree.nodeHash(a, b))
    }
}
