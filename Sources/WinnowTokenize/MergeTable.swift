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

    /// `entries` in rank order; a pair listed twice keeps its first (lowest) rank.
    init(_ entries: [(key: UInt64, rank: Int32, id: Int32)]) {
        var bits: UInt64 = 4
        while (1 << bits) < entries.count * 2 { bits += 1 }
        let capacity = 1 << Int(bits)
        // 0xFFFF is kept free so that no compact entry equals `empty`.
        compact = entries.allSatisfy { e in
            e.key >> 32 < 0xFFFF && e.key & 0xFFFF_FFFF < 0xFFFF && e.rank >= 0 && e.rank < 0xFFFF && e.id >= 0 && e.id < 0xFFFF
        }
        var table = [UInt64](repeating: MergeTable.empty, count: compact ? capacity : 2 * capacity)
        shift = 64 - bits
        mask = capacity - 1
        for e in entries {
            if compact {
                let packed = (e.key >> 32) << 16 | (e.key & 0xFFFF)
                var slot = Int((packed &* 0x9E37_79B9_7F4A_7C15) >> shift)
                var present = false
                while table[slot] != MergeTable.empty {
                    if table[slot] >> 32 == packed { present = true; break }
                    slot = (slot + 1) & mask
                }
                if !present { table[slot] = packed << 32 | UInt64(e.rank) << 16 | UInt64(e.id) }
            } else {
                var slot = Int((e.key &* 0x9E37_79B9_7F4A_7C15) >> shift)
                var present = false
                while table[2 * slot] != MergeTable.empty {
                    if table[2 * slot] == e.key { present = true; break }
                    slot = (slot + 1) & mask
                }
                if !present {
                    table[2 * slot] = e.key
                    table[2 * slot + 1] = UInt64(UInt32(bitPattern: e.rank)) << 32 | UInt64(UInt32(bitPattern: e.id))
                }
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
    func rankedID(_ key: UInt64) -> UInt64 {
        table.withUnsafeBufferPointer { t in
            let (slot, probe) = start(key)
            return resolve(t, slot, probe, word(t, slot))
        }
    }

    /// Two lookups whose first probes are loaded together, so that their cache misses (the cost
    /// of the merge loop) overlap instead of following each other.
    @inline(__always)
    func rankedIDs(_ a: UInt64, _ b: UInt64) -> (UInt64, UInt64) {
        table.withUnsafeBufferPointer { t in
            let (sa, pa) = start(a), (sb, pb) = start(b)
            let wa = word(t, sa), wb = word(t, sb)
            return (resolve(t, sa, pa, wa), resolve(t, sb, pb, wb))
        }
    }

    /// The first slot of a key's probe and what each slot's word is compared with: the packed
    /// pair (compact) or the key itself (wide).
    @inline(__always) private func start(_ key: UInt64) -> (slot: Int, probe: UInt64) {
        let probe = compact ? MergeTable.compactKey(key) : key
        return (Int((probe &* 0x9E37_79B9_7F4A_7C15) >> shift), probe)
    }

    /// The word of a slot that holds its key: the entry (compact) or the key word (wide).
    @inline(__always) private func word(_ t: UnsafeBufferPointer<UInt64>, _ slot: Int) -> UInt64 {
        compact ? t[slot] : t[2 * slot]
    }

    /// Probes on from `slot`, whose word `first` is already loaded, to the key or an empty slot.
    @inline(__always)
    private func resolve(_ t: UnsafeBufferPointer<UInt64>, _ slot: Int, _ probe: UInt64, _ first: UInt64) -> UInt64 {
        var slot = slot, w = first
        while w != MergeTable.empty {
            if compact {
                if w >> 32 == probe { return (w >> 16 & 0xFFFF) << 32 | w & 0xFFFF }
            } else if w == probe {
                return t[2 * slot + 1]
            }
            slot = (slot + 1) & mask
            w = word(t, slot)
        }
        return UInt64.max
    }

    @inline(__always)
    subscript(key: UInt64) -> (rank: Int32, id: Int32)? {
        let v = rankedID(key)
        guard v != UInt64.max else { return nil }
        return (Int32(bitPattern: UInt32(truncatingIfNeeded: v >> 32)), Int32(bitPattern: UInt32(truncatingIfNeeded: v)))
    }
}
