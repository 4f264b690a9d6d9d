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

    /// The sketch of a sorted, de-duplicated list of shingle hashes.
    public static func make(sortedUnique hashes: [UInt64], size: Int = defaultSize) -> [UInt32] {
        var out: [UInt32] = []
        out.reserveCapacity(min(size, hashes.count))
        for h in hashes {
            let v = UInt32(truncatingIfNeeded: h >> 32)
            if out.last != v { out.append(v) }
            if out.count == size { break }
        }
        return out
    }

    /// The same sketch from distinct shingle hashes in any order (``ShingleSet``): the `size`
    /// smallest distinct upper halves, ascending. Hash values are uniform, so the smallest `size`
    /// of n lie below about size/n of the range: the values below 1.5 times that bound (about
    /// 1.5 · size of them) are picked (branch-free, in C) and sorted by their top bits into
    /// buckets (linear), and all of them are sorted only when those hold fewer than `size`
    /// distinct values (short lists, or values made to defeat this).
    public static func make(distinct hashes: [UInt64], size: Int = defaultSize) -> [UInt32] {
        let n = hashes.count
        guard size > 0, n > 0 else { return [] }
        var picked: [UInt32] = []
        if n > 2 * size {
            let limit = UInt64(UInt32.max) * UInt64(3 * size) / UInt64(2 * n)
            // About 1.5 · size values pass; more than 4 · size only for values made to defeat this.
            let capacity = 4 * size
            picked = [UInt32](unsafeUninitializedCapacity: capacity) { out, count in
                let found = hashes.withUnsafeBufferPointer {
                    winnow_upper_halves_below($0.baseAddress!, n, limit, out.baseAddress!, capacity)
                }
                count = found == Int(bitPattern: UInt.max) ? 0 : found
            }
            // All below the limit: sorted by their top bits first (linear for uniform values).
            let count = picked.count
            picked.withUnsafeMutableBufferPointer { values in
                withUnsafeTemporaryAllocation(of: UInt32.self, capacity: max(count, 1)) { scratch in
                    winnow_sort_below_u32(values.baseAddress!, count, limit, scratch.baseAddress!)
                }
            }
            keepSmallestDistinct(&picked, size, sorted: true)
            // Every value left out is above the limit, so above all `size` kept ones.
            if picked.count == size { return trimmed(picked) }
        }
        picked = hashes.map { UInt32(truncatingIfNeeded: $0 >> 32) }
        keepSmallestDistinct(&picked, size)
        return trimmed(picked)
    }

    /// A copy without spare capacity: sketches live as long as the build (the candidates'
    /// array has room for 4 · size values, a whole document's for all of them).
    private static func trimmed(_ values: [UInt32]) -> [UInt32] {
        [UInt32](unsafeUninitializedCapacity: values.count) { out, count in
            values.withUnsafeBufferPointer { if let from = $0.baseAddress { out.baseAddress!.update(from: from, count: $0.count) } }
            count = values.count
        }
    }

    /// Sorts `values` (unless `sorted`), drops repeats and keeps the first `size`.
    private static func keepSmallestDistinct(_ values: inout [UInt32], _ size: Int, sorted: Bool = false) {
        if sorted { SimHasher.dropRepeats(sorted: &values) } else { SimHasher.makeSet(&values) }
        if values.count > size { values.removeLast(values.count - size) }
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
