/// The distinct values among a document's shingle hashes, in the order they first occur.
///
/// Why not sort them: SimHash's set weighting needs each shingle once, in no order, and the
/// bottom-k sketch needs only the smallest 64 (``BottomKSketch/make(distinct:size:)`` picks them
/// in one pass). Hash values are uniform, so an open-addressing table indexed by their top bits,
/// at most half full, finds repeats in about one probe: one pass over the values. Sorting them
/// (the standard library's sort, then a bucket sort on the top bits) was 6–13% of a dedup run.
///
/// Memory: the table has 2–4 slots of 8 bytes per value of the largest document below a million
/// values; a larger document is sorted instead, so the table stays under 16 MiB. One per thread:
/// it keeps its table between calls.
public struct ShingleSet {
    private var table: [UInt64] = []
    /// Above this many values a document's set is found by sorting.
    public static let largest = 1 << 20

    public init() {}

    /// Writes the distinct values of `values` to `set` (replacing its contents), each where it
    /// first occurs in `values`, or in ascending order for more than a million values.
    public mutating func distinct(of values: [UInt64], into set: inout [UInt64]) {
        let n = values.count
        set.removeAll(keepingCapacity: true)
        guard n > 0 else { return }
        guard n <= ShingleSet.largest else {
            set.append(contentsOf: values)
            SimHasher.makeSet(&set)
            return
        }
        // 2^bits ≥ 2n slots (at least 16).
        let bits = max(4, Int.bitWidth - (2 * n - 1).leadingZeroBitCount)
        let size = 1 << bits
        if table.count < size { table = [UInt64](repeating: 0, count: size) }
        set.append(contentsOf: repeatElement(0, count: n))
        let written = table.withUnsafeMutableBufferPointer { slots -> Int in
            set.withUnsafeMutableBufferPointer { out -> Int in
                guard let slot = slots.baseAddress, let out = out.baseAddress else { return 0 }
                // Zero marks an empty slot; the value zero itself is tracked apart.
                slot.update(repeating: 0, count: size)
                let shift = UInt64(64 - bits)
                let mask = size - 1
                var count = 0
                var sawZero = false
                values.withUnsafeBufferPointer { values in
                    for v in values {
                        guard v != 0 else {
                            if !sawZero { sawZero = true; out[count] = 0; count += 1 }
                            continue
                        }
                        var k = Int(truncatingIfNeeded: v >> shift)
                        while true {
                            let s = slot[k]
                            if s == v { break }
                            if s == 0 {
                                slot[k] = v
                                out[count] = v
                                count += 1
                                break
                            }
                            k = (k + 1) & mask
                        }
                    }
                }
                return count
            }
        }
        set.removeLast(n - written)
    }
}
