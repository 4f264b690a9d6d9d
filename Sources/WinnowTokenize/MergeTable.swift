/// The merge ranks of a BPE model in a flat open-addressing hash table.
///
/// The merge loop looks a pair up for every candidate it pushes; with `Dictionary` (SipHash)
/// those lookups were about a third of encoding time. Keys are the two ids packed, hashed by one
/// multiplication (Fibonacci hashing) and probed linearly in a table at most half full; each key
/// sits next to its value, so a lookup touches one cache line.
///
/// The lookups are bound by cache misses, so the table is as small as the model allows: when
/// every id and rank fits in 16 bits (vocabularies up to 65,535 tokens: GPT-2, most 32k/50k
/// models) an entry is one 64-bit word (pair in 32 bits, rank and id in 16 each), half the size
/// of the general layout (pair in 64 bits, then rank and id in 32 each), which larger
/// vocabularies (Qwen2, DeepSeek) use.
struct MergeTable {
    /// Compact: one word per slot. Wide: key at 2k, value (rank << 32 | merged id) at 2k + 1.
    private var table: [UInt64]
    private let compact: Bool
    private let shift: UInt64
    private let mask: Int
    private static let empty = UInt64.max

    init(_ entries: [UInt64: (rank: Int32, id: Int32)]) {
        var bits: UInt64 = 4
        while (1 << bits) < entries.count * 2 { bits += 1 }
        let capacity = 1 << Int(bits)
        // 0xFFFF is kept free so that no compact entry equals `empty`.
        compact = entries.allSatisfy { key, value in
            key >> 32 < 0xFFFF && key & 0xFFFF_FFFF < 0xFFFF && value.rank >= 0 && value.rank < 0xFFFF && value.id >= 0 && value.id < 0xFFFF
        }
        var table = [UInt64](repeating: MergeTable.empty, count: compact ? capacity : 2 * capacity)
        shift = 64 - bits
        mask = capacity - 1
        for (key, value) in entries {
            if compact {
                let packed = (key >> 32) << 16 | (key & 0xFFFF)
                var slot = Int((packed &* 0x9E37_79B9_7F4A_7C15) >> shift)
                while table[slot] != MergeTable.empty { slot = (slot + 1) & mask }
                table[slot] = packed << 32 | UInt64(value.rank) << 16 | UInt64(value.id)
            } else {
                var slot = Int((key &* 0x9E37_79B9_7F4A_7C15) >> shift)
                while table[2 * slot] != MergeTable.empty { slot = (slot + 1) & mask }
                table[2 * slot] = key
                table[2 * slot + 1] = UInt64(UInt32(bitPattern: value.rank)) << 32 | UInt64(UInt32(bitPattern: value.id))
            }
        }
        self.table = table
    }

    /// (left << 32 | right) with both under 2^16, as left << 16 | right; pairs with a larger id
    /// (never in a compact table) become 0xFFFF_FFFF, which no entry has.
    @inline(__always) private static func compactKey(_ key: UInt64) -> UInt64 {
        guard key >> 32 < 0xFFFF, key & 0xFFFF_FFFF < 0xFFFF else { return 0xFFFF_FFFF }
        return (key >> 32) << 16 | (key & 0xFFFF)
    }

    /// A key that is in no table: the merge loop looks it up for a neighbour that does not exist.
    static let absentKey = UInt64.max

    /// `rank << 32 | merged id` of a pair, or `UInt64.max` when it has no merge: the form the
    /// merge loop keeps per adjacent pair, where the smallest value is the merge to apply next.
    @inline(__always)
    func rankedID(_ key: UInt64) -> UInt64 { rankedIDs(key, MergeTable.absentKey).0 }

    /// Two lookups whose first probes are loaded together, so that their cache misses (the cost
    /// of the merge loop) overlap instead of following each other.
    @inline(__always)
    func rankedIDs(_ a: UInt64, _ b: UInt64) -> (UInt64, UInt64) {
        table.withUnsafeBufferPointer { t in
            if compact {
                let pa = MergeTable.compactKey(a), pb = MergeTable.compactKey(b)
                var sa = Int((pa &* 0x9E37_79B9_7F4A_7C15) >> shift), sb = Int((pb &* 0x9E37_79B9_7F4A_7C15) >> shift)
                var ea = t[sa], eb = t[sb]
                @inline(__always) func value(_ e: UInt64) -> UInt64 { (e >> 16 & 0xFFFF) << 32 | e & 0xFFFF }
                var ra = UInt64.max, rb = UInt64.max
                while ea != MergeTable.empty {
                    if ea >> 32 == pa { ra = value(ea); break }
                    sa = (sa + 1) & mask
                    ea = t[sa]
                }
                while eb != MergeTable.empty {
                    if eb >> 32 == pb { rb = value(eb); break }
                    sb = (sb + 1) & mask
                    eb = t[sb]
                }
                return (ra, rb)
            }
            var sa = Int((a &* 0x9E37_79B9_7F4A_7C15) >> shift), sb = Int((b &* 0x9E37_79B9_7F4A_7C15) >> shift)
            var ka = t[2 * sa], kb = t[2 * sb]
            var ra = UInt64.max, rb = UInt64.max
            while ka != MergeTable.empty {
                if ka == a { ra = t[2 * sa + 1]; break }
                sa = (sa + 1) & mask
                ka = t[2 * sa]
            }
            while kb != MergeTable.empty {
                if kb == b { rb = t[2 * sb + 1]; break }
                sb = (sb + 1) & mask
                kb = t[2 * sb]
            }
            return (ra, rb)
        }
    }

    @inline(__always)
    subscript(key: UInt64) -> (rank: Int32, id: Int32)? {
        let v = rankedID(key)
        guard v != UInt64.max else { return nil }
        return (Int32(bitPattern: UInt32(truncatingIfNeeded: v >> 32)), Int32(bitPattern: UInt32(truncatingIfNeeded: v)))
    }
}
