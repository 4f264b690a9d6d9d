/// Turns a document's shingle hashes into their sorted set (ascending, no repeats), in linear
/// time for the uniformly spread values a hash function gives.
///
/// Why not `sort()`: every signed document sorts its shingle hashes (hundreds to thousands of
/// them), and the standard library's comparison sort was an eighth of a dedup run. Hash values
/// are uniform, so their top bits place each one in a bucket of about one element: one counting
/// pass, one scatter pass, then an insertion sort that only ever moves values within their
/// bucket. A bucket that is large anyway (the same shingle repeated, or values crafted to share
/// their top bits) is sorted with the standard library, so no input costs more than a comparison
/// sort. The result is the same sorted set `sort()` and removing repeats would give.
///
/// One sorter per thread: it keeps its bucket counts between calls.
public struct HashSetSorter {
    private var counts: [Int32] = []

    public init() {}

    /// Writes the sorted distinct values of `values` to `set` (replacing its contents).
    public mutating func sortedSet(of values: [UInt64], into set: inout [UInt64]) {
        let n = values.count
        set.removeAll(keepingCapacity: true)
        guard n > 0 else { return }
        if n < 32 {
            set.append(contentsOf: values)
            set.withUnsafeMutableBufferPointer { HashSetSorter.insertionSort($0, 0..<n) }
            HashSetSorter.removeRepeats(&set)
            return
        }
        // About one value per bucket: 2^bits ≥ n, at most 2^16 buckets.
        let bits = min(16, Int.bitWidth - (n - 1).leadingZeroBitCount)
        let shift = UInt64(64 - bits)
        let buckets = 1 << bits
        if counts.count < buckets + 1 { counts = [Int32](repeating: 0, count: buckets + 1) }
        set.append(contentsOf: repeatElement(0, count: n))
        counts.withUnsafeMutableBufferPointer { counts in
            for k in 0...buckets { counts[k] = 0 }
            values.withUnsafeBufferPointer { v in
                for x in v { counts[Int(x >> shift) + 1] &+= 1 }
                // counts[b] becomes the first slot of bucket b.
                for b in 0..<buckets { counts[b + 1] &+= counts[b] }
                set.withUnsafeMutableBufferPointer { out in
                    for x in v {
                        let b = Int(x >> shift)
                        out[Int(counts[b])] = x
                        counts[b] &+= 1
                    }
                    // Now counts[b] is the end of bucket b (and the start of bucket b + 1).
                    var start = 0
                    for b in 0..<buckets {
                        let end = Int(counts[b])
                        if end - start > 64 {
                            var bucket = UnsafeMutableBufferPointer(rebasing: out[start..<end])
                            bucket.sort()
                        } else if end - start > 1 {
                            HashSetSorter.insertionSort(out, start..<end)
                        }
                        start = end
                    }
                }
            }
        }
        HashSetSorter.removeRepeats(&set)
    }

    @inline(__always)
    private static func insertionSort(_ a: UnsafeMutableBufferPointer<UInt64>, _ range: Range<Int>) {
        guard range.count > 1 else { return }
        for i in (range.lowerBound + 1)..<range.upperBound {
            let x = a[i]
            var j = i
            while j > range.lowerBound && a[j - 1] > x {
                a[j] = a[j - 1]
                j -= 1
            }
            a[j] = x
        }
    }

    private static func removeRepeats(_ a: inout [UInt64]) {
        let kept = a.withUnsafeMutableBufferPointer { a -> Int in
            var write = 1
            for read in 1..<a.count where a[read] != a[write - 1] {
                a[write] = a[read]
                write += 1
            }
            return write
        }
        a.removeLast(a.count - kept)
    }
}
