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
                let packed = MergeTable.compactKey(key)
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

    /// (left << 32 | right) with both under 2^16, as left << 16 | right.
    @inline(__always) private static func compactKey(_ key: UInt64) -> UInt64 { (key >> 32) << 16 | (key & 0xFFFF) }

    @inline(__always)
    subscript(key: UInt64) -> (rank: Int32, id: Int32)? {
        table.withUnsafeBufferPointer { t in
            if compact {
                // Ids at or above 0xFFFF never occur in a compact table's pairs.
                guard key >> 32 < 0xFFFF, key & 0xFFFF_FFFF < 0xFFFF else { return nil }
                let packed = MergeTable.compactKey(key)
                var slot = Int((packed &* 0x9E37_79B9_7F4A_7C15) >> shift)
                while true {
                    let e = t[slot]
                    if e >> 32 == packed { return (Int32(e >> 16 & 0xFFFF), Int32(e & 0xFFFF)) }
                    if e == MergeTable.empty { return nil }
                    slot = (slot + 1) & mask
                }
            }
            var slot = Int((key &* 0x9E37_79B9_7F4A_7C15) >> shift)
            while true {
                let k = t[2 * slot]
                if k == key {
                    let v = t[2 * slot + 1]
                    return (Int32(bitPattern: UInt32(truncatingIfNeeded: v >> 32)), Int32(bitPattern: UInt32(truncatingIfNeeded: v)))
                }
                if k == MergeTable.empty { return nil }
                slot = (slot + 1) & mask
            }
        }
    }
}
