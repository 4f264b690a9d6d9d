/// Fingerprints indexed for queries: "which stored fingerprints are within k bits of this
/// one?", answered without comparing against all of them.
///
/// ``BlockTableSearch`` finds all pairs inside one set in a batch; an index answers one query at
/// a time, for items that arrive later and are not themselves stored (augmented records
/// checked against other splits). It keeps every table of the design at once, each a list of
/// fingerprint numbers sorted by that table's key (4 bytes per fingerprint per table, keys are
/// recomputed while searching), and ``design(width:maxDistance:count:)`` balances the number
/// of tables against bucket sizes within a memory budget. Immutable once built: any number of
/// threads may query it.
public struct SimHashIndex: Sendable {
    public let design: BlockTableDesign
    private let fingerprints: [SimHashFingerprint]
    private let ranges: [[(start: Int, count: Int)]]
    /// Per table: fingerprint numbers sorted by (key, number).
    private let tables: [[UInt32]]

    public init(_ fingerprints: [SimHashFingerprint], design: BlockTableDesign) {
        self.design = design
        self.fingerprints = fingerprints
        ranges = design.tables.indices.map { design.keyRanges(table: $0) }
        tables = ranges.map { r in
            let keys = fingerprints.map { BlockTableDesign.key($0, r) }
            return fingerprints.indices.sorted { keys[$0] != keys[$1] ? keys[$0] < keys[$1] : $0 < $1 }.map { UInt32($0) }
        }
    }

    /// The design with the least estimated work per query for `count` fingerprints: a binary
    /// search per table plus the expected bucket (count / 2^key bits) compared bit by bit,
    /// among designs whose tables fit in `memoryBudget` bytes.
    public static func design(width: Int, maxDistance: Int, count: Int, memoryBudget: Int = 512 << 20) throws -> BlockTableDesign {
        let n = Double(max(count, 2))
        let log2n = Double(Int.bitWidth - max(count, 2).leadingZeroBitCount)
        var best: (cost: Double, blocks: Int)?
        for b in (maxDistance + 1)...min(width, maxDistance + 12) {
            let tables = Double(BlockTableDesign.binomial(b, b - maxDistance))
            guard tables * n * 4 <= Double(memoryBudget) || best == nil else { break }
            let keyBits = Double(width) * Double(b - maxDistance) / Double(b)
            let cost = tables * (4 * log2n + n / BlockTableDesign.pow2(keyBits))
            if best == nil || cost < best!.cost { best = (cost, b) }
        }
        return try BlockTableDesign(width: width, blocks: best?.blocks ?? maxDistance + 1, maxDistance: maxDistance)
    }

    public var count: Int { fingerprints.count }

    /// Indices of stored fingerprints within `design.maxDistance` of `fp`, with their distance,
    /// sorted by index.
    public func matches(_ fp: SimHashFingerprint) -> [(index: Int, distance: Int)] {
        var found: [(index: Int, distance: Int)] = []
        for t in tables.indices {
            let r = ranges[t]
            let key = BlockTableDesign.key(fp, r)
            tables[t].withUnsafeBufferPointer { table in
                var lo = 0, hi = table.count
                while lo < hi {
                    let mid = (lo + hi) / 2
                    if BlockTableDesign.key(fingerprints[Int(table[mid])], r) < key { lo = mid + 1 } else { hi = mid }
                }
                while lo < table.count {
                    let i = Int(table[lo])
                    let other = fingerprints[i]
                    guard BlockTableDesign.key(other, r) == key else { break }
                    lo += 1
                    let d = fp.distance(to: other)
                    if d <= design.maxDistance, !found.contains(where: { $0.index == i }) { found.append((i, d)) }
                }
            }
        }
        return found.sorted { $0.index < $1.index }
    }
}
