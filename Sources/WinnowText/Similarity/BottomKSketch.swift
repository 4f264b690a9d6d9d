@_implementationOnly import CByteScan

/// A bottom-k sketch of a document's shingle set: the k smallest shingle hashes (their upper
/// 32 bits), from which the Jaccard similarity of two documents is estimated.
///
/// Why a sketch and not the shingles: verification happens after every record has been seen,
/// and keeping every shingle of a large corpus in memory is what Winnow must not do. The
/// sketch costs 4·k bytes per document (256 bytes at k = 64). For documents with at most k
/// distinct shingles it holds the whole set and the similarity is exact; beyond that the
/// estimate's standard error is about √(J(1−J)/k) (±0.06 at J = 0.5, k = 64).
public enum BottomKSketch {
    public static let defaultSize = 64

    /// The same sketch from distinct shingle hashes in any order (``ShingleSet``): the `size`
    /// smallest distinct upper halves, ascending. Hash values are uniform, so the smallest `size`
    /// of n lie below about size/n of the range: the values below 1.5 times that bound (about
    /// 1.5 · size of them) are picked (branch-free, in C) and sorted by their top bits into
    /// buckets (linear), and all of them are sorted only when those hold fewer than `size`
    /// distinct values (short lists, or values made to defeat this).
    public static func make(distinct hashes: [UInt64], size: Int = defaultSize) -> [UInt32] {
        let n = hashes.count
        guard size > 0, n > 0 else { return [] }
        if n > 2 * size {
            let limit = UInt64(UInt32.max) * UInt64(3 * size) / UInt64(2 * n)
            // About 1.5 · size values pass; more than 4 · size only for values made to defeat this.
            let capacity = 4 * size
            let sketch = withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 2 * capacity) { buffer -> [UInt32]? in
                let picked = buffer.baseAddress!
                let found = hashes.withUnsafeBufferPointer { winnow_upper_halves_below($0.baseAddress!, n, limit, picked, capacity) }
                guard found != Int(bitPattern: UInt.max) else { return nil }
                // All below the limit: sorted by their top bits first (linear for uniform values).
                winnow_sort_below_u32(picked, found, limit, picked + capacity)
                var sorted = Array(UnsafeBufferPointer(start: picked, count: found))
                SimHasher.dropRepeats(sorted: &sorted)
                // Every value left out is above the limit, so above all `size` kept ones.
                return sorted.count >= size ? Array(sorted.prefix(size)) : nil
            }
            if let sketch { return sketch }
        }
        var all = hashes.map { UInt32(truncatingIfNeeded: $0 >> 32) }
        SimHasher.makeSet(&all)
        // A copy of the first `size`: sketches live as long as the build, the set's spare room need not.
        return Array(all.prefix(size))
    }

    /// Estimated Jaccard similarity of the two sketched sets (exact when both are small).
    public static func jaccard(_ a: ArraySlice<UInt32>, _ b: ArraySlice<UInt32>, size: Int = defaultSize) -> Double {
        if a.isEmpty && b.isEmpty { return 1 }
        var i = a.startIndex, j = b.startIndex
        var taken = 0, shared = 0
        while taken < size && (i < a.endIndex || j < b.endIndex) {
            if j == b.endIndex || (i < a.endIndex && a[i] < b[j]) {
                i += 1
            } else if i == a.endIndex || b[j] < a[i] {
                j += 1
            } else {
                shared += 1
                i += 1
                j += 1
            }
            taken += 1
        }
        // A set larger than its sketch contributes nothing beyond its k-th value.
        return taken == 0 ? 0 : Double(shared) / Double(taken)
    }

    /// The sketch as stored: 4 bytes per value, big-endian.
    public static func bytes(_ sketch: ArraySlice<UInt32>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(sketch.count * 4)
        for v in sketch { for k in (0..<4).reversed() { out.append(UInt8(truncatingIfNeeded: v >> UInt32(8 * k))) } }
        return out
    }

    public static func values(_ bytes: [UInt8]) -> [UInt32] {
        var out: [UInt32] = []
        out.reserveCapacity(bytes.count / 4)
        var i = 0
        while i + 4 <= bytes.count {
            var v: UInt32 = 0
            for k in 0..<4 { v = v << 8 | UInt32(bytes[i + k]) }
            out.append(v)
            i += 4
        }
        return out
    }
}
