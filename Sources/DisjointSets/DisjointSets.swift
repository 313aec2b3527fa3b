/// Items 0..<count grouped by the pairs joined so far, directly or through others (union–find
/// with path halving). The disclosure auditor splits its linear program into the parts that share
/// no hidden figure; the student import groups the rows that share an identifier.
public struct DisjointSets: Sendable {
    @usableFromInline var parent: [Int]

    public init(count: Int) { parent = Array(0..<count) }

    /// The item that stands for `item`'s group; the same for every item of one group.
    @inlinable
    public mutating func root(of item: Int) -> Int {
        var item = item
        while parent[item] != item {
            parent[item] = parent[parent[item]]
            item = parent[item]
        }
        return item
    }

    /// Puts `item`'s group into `other`'s.
    @inlinable
    public mutating func join(_ item: Int, into other: Int) {
        let from = root(of: item), to = root(of: other)
        parent[from] = to
    }
}
