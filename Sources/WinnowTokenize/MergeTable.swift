/// The merge ranks of a BPE model in a flat open-addressing hash table.
///
/// The merge loop looks a pair up for every candidate it pushes; with `Dictionary` (SipHash)
/// those lookups were about a third of encoding time. Keys are the two ids packed in 64 bits,
/// hashed by one multiplication (Fibonacci hashing) and probed linearly in a table at most half
/// full; each key sits next to its value, so a lookup touches one cache line.
struct MergeTable {
    /// Interleaved: key at 2k, value (rank << 32 | merged id) at 2k + 1.
    private var table: [UInt64]
    private let shift: UInt64
    private let mask: Int
    private static let empty = UInt64.max

    init(_ entries: [UInt64: (rank: Int32, id: Int32)]) {
        var bits: UInt64 = 4
        while (1 << bits) < entries.count * 2 { bits += 1 }
        let capacity = 1 << Int(bits)
        var table = [UInt64](repeating: MergeTable.empty, count: 2 * capacity)
        shift = 64 - bits
        mask = capacity - 1
        for (key, value) in entries {
            var slot = Int((key &* 0x9E37_79B9_7F4A_7C15) >> shift)
            while table[2 * slot] != MergeTable.empty { slot = (slot + 1) & mask }
            table[2 * slot] = key
            table[2 * slot + 1] = UInt64(UInt32(bitPattern: value.rank)) << 32 | UInt64(UInt32(bitPattern: value.id))
        }
        self.table = table
    }

    @inline(__always)
    subscript(key: UInt64) -> (rank: Int32, id: Int32)? {
        var slot = Int((key &* 0x9E37_79B9_7F4A_7C15) >> shift)
        return table.withUnsafeBufferPointer { t in
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
