import Dispatch

/// A Manku–Jain–Das Sarma block-table design: the fingerprint is cut into `blocks` disjoint
/// blocks, and one table is built for every choice of `blocks − maxDistance` of them (C(b, k)
/// tables; ordered permutations would add nothing). Two fingerprints within `maxDistance` bits
/// agree on at least `blocks − maxDistance` whole blocks, so they share a key in some table:
/// no false negatives.
///
/// Block i covers bits [⌊i·f/b⌋, ⌊(i+1)·f/b⌋).
public struct BlockTableDesign: Sendable, Equatable {
    public let width: Int
    public let blocks: Int
    public let maxDistance: Int
    /// The blocks each table keys on, in lexicographic order.
    public let tables: [[Int]]

    /// Fails for impossible designs (k ≥ b, b > f).
    public init(width: Int, blocks: Int, maxDistance: Int) throws {
        guard width == 64 || width == 128 else { throw TextError("SimHash width must be 64 or 128, not \(width)") }
        guard maxDistance >= 0 else { throw TextError("k must be at least 0") }
        guard blocks > maxDistance else {
            throw TextError("k (\(maxDistance)) must be smaller than the number of blocks (\(blocks)): with k ≥ b no block is guaranteed to match")
        }
        guard blocks <= width else { throw TextError("cannot cut \(width) bits into \(blocks) blocks") }
        let count = BlockTableDesign.binomial(blocks, blocks - maxDistance)
        guard count <= 5000 else {
            throw TextError("b = \(blocks), k = \(maxDistance) needs \(count) tables; use fewer blocks (at most 5,000 tables)")
        }
        self.width = width
        self.blocks = blocks
        self.maxDistance = maxDistance
        tables = BlockTableDesign.combinations(blocks, blocks - maxDistance)
    }

    /// The design with the least estimated work for `count` fingerprints: sorting every table
    /// (n log n each) plus comparing candidates (n² / 2^keyBits per table). Few blocks mean few
    /// tables but short keys and many candidates; many blocks the reverse.
    public static func automatic(width: Int, maxDistance: Int, count: Int) throws -> BlockTableDesign {
        let n = Double(max(count, 2))
        var best: (cost: Double, blocks: Int)?
        for b in (maxDistance + 1)...min(width, maxDistance + 12) {
            let tables = Double(binomial(b, b - maxDistance))
            guard tables <= 5000 else { break }
            let keyBits = Double(width) * Double(b - maxDistance) / Double(b)
            let log2n = Double(Int.bitWidth - max(count, 2).leadingZeroBitCount)
            let cost = tables * (3 * n * log2n + n * n / 2 / pow2(keyBits))
            if best == nil || cost < best!.cost { best = (cost, b) }
        }
        return try BlockTableDesign(width: width, blocks: best?.blocks ?? maxDistance + 1, maxDistance: maxDistance)
    }

    /// The bit ranges table `t` keys on.
    func keyRanges(table t: Int) -> [(start: Int, count: Int)] {
        tables[t].map { blockRange($0) }
    }

    /// A fingerprint's key in a table: its chosen blocks concatenated, or hashed together when
    /// they exceed 64 bits (128-bit fingerprints).
    static func key(_ fp: SimHashFingerprint, _ ranges: [(start: Int, count: Int)]) -> UInt64 {
        let keyBits = ranges.reduce(0) { $0 + $1.count }
        var key: UInt64 = 0
        for r in ranges {
            let part = fp.bits(from: r.start, count: r.count)
            key = keyBits <= 64 ? (key << UInt64(r.count)) | part : (key &* 0x9E37_79B9_7F4A_7C15) ^ part
        }
        return key
    }

    func blockRange(_ i: Int) -> (start: Int, count: Int) {
        let start = i * width / blocks
        return (start, (i + 1) * width / blocks - start)
    }

    static func binomial(_ n: Int, _ k: Int) -> Int {
        var r = 1
        for i in 0..<min(k, n - k) { r = r * (n - i) / (i + 1) }
        return r
    }

    static func combinations(_ n: Int, _ k: Int) -> [[Int]] {
        var out: [[Int]] = []
        var current: [Int] = []
        func extend(_ from: Int) {
            if current.count == k { out.append(current); return }
            guard from < n else { return }
            for i in from..<n where n - i >= k - current.count {
                current.append(i)
                extend(i + 1)
                current.removeLast()
            }
        }
        extend(0)
        return out
    }

    /// 2^x, close enough for a cost estimate.
    static func pow2(_ x: Double) -> Double {
        let whole = Int(x)
        return Double(sign: .plus, exponent: whole, significand: 1) * (1 + (x - Double(whole)) * 0.693)
    }
}

/// A pair of fingerprints within the design's distance, by index (first < second).
public struct SimilarPair: Sendable, Equatable {
    public var first: Int32
    public var second: Int32
    public var distance: UInt8

    public init(first: Int32, second: Int32, distance: UInt8) {
        self.first = first
        self.second = second
        self.distance = distance
    }
}

/// All-pairs near-duplicate search over a set of fingerprints with block tables.
///
/// Each table is built, used and freed in turn (memory: 16 bytes per fingerprint on top of the
/// fingerprints themselves); tables are independent, so they run in parallel. A pair is reported
/// only by the first table (in the design's order) whose blocks it agrees on, so no set is
/// needed to de-duplicate pairs, and the output is sorted: the same input gives the same pairs
/// on any thread count.
public enum BlockTableSearch {
    public struct Result: Sendable {
        public var pairs: [SimilarPair]
        /// Fingerprint pairs compared bit by bit.
        public var candidates: Int
        /// Buckets larger than `maxBucket`, where each member was compared only with its next
        /// `maxBucket` neighbours (in fingerprint order).
        public var oversizedBuckets: Int
    }

    /// Pairs within `design.maxDistance`. Indices below `referenceCount` are reference items:
    /// pairs between two of them are not reported.
    public static func pairs(_ fingerprints: [SimHashFingerprint], design: BlockTableDesign, referenceCount: Int = 0,
                             maxBucket: Int = 5000, threads: Int = 1) -> Result {
        let tables = design.tables
        let parts = UnsafeMutablePointer<Result>.allocate(capacity: tables.count)
        parts.initialize(repeating: Result(pairs: [], candidates: 0, oversizedBuckets: 0), count: tables.count)
        defer {
            parts.deinitialize(count: tables.count)
            parts.deallocate()
        }
        let box = WorkerSlots(parts)
        let workers = max(1, min(threads, tables.count))
        if workers == 1 {
            for t in tables.indices { parts[t] = search(fingerprints, design, table: t, referenceCount, maxBucket) }
        } else {
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                var t = w
                while t < tables.count {
                    box.pointer[t] = search(fingerprints, design, table: t, referenceCount, maxBucket)
                    t += workers
                }
            }
        }
        var result = Result(pairs: [], candidates: 0, oversizedBuckets: 0)
        for t in tables.indices {
            result.pairs.append(contentsOf: parts[t].pairs)
            result.candidates += parts[t].candidates
            result.oversizedBuckets += parts[t].oversizedBuckets
        }
        result.pairs.sort { $0.first != $1.first ? $0.first < $1.first : $0.second < $1.second }
        return result
    }

    typealias Entry = (key: UInt64, fp: SimHashFingerprint, index: Int32)

    /// The fingerprints grouped by their key in one table, groups in key order. Within a group
    /// the order does not change which pairs are found (every pair in it is compared, and pairs
    /// are sorted afterwards), except in a group larger than `maxBucket`, where each member meets
    /// only its next `maxBucket` neighbours: those groups are sorted by fingerprint, then input
    /// index, so the result does not depend on input order. Keys of up to 20 bits (the usual
    /// designs: 64 bits, k = 10, 12 blocks gives 10–11) are grouped by a counting sort when there
    /// are no more than four possible keys per entry (or 4,096), others by sorting.
    static func bucketed(_ fps: [SimHashFingerprint], ranges: [(start: Int, count: Int)], maxBucket: Int) -> [Entry] {
        let byFingerprint: (Entry, Entry) -> Bool = { a, b in a.fp != b.fp ? a.fp < b.fp : a.index < b.index }
        let keyBits = ranges.reduce(0) { $0 + $1.count }
        // Counting needs a slot per possible key: worth it only when keys are few next to entries.
        guard keyBits <= 20, 1 << keyBits <= max(4096, 4 * fps.count) else {
            var entries: [Entry] = []
            entries.reserveCapacity(fps.count)
            for (i, fp) in fps.enumerated() { entries.append((BlockTableDesign.key(fp, ranges), fp, Int32(i))) }
            entries.sort { a, b in a.key != b.key ? a.key < b.key : byFingerprint(a, b) }
            return entries
        }
        let keys = fps.map { BlockTableDesign.key($0, ranges) }
        var starts = [Int](repeating: 0, count: (1 << keyBits) + 1)
        for key in keys { starts[Int(key) + 1] += 1 }
        for b in 0..<(1 << keyBits) { starts[b + 1] += starts[b] }
        let placeholder: Entry = (0, SimHashFingerprint(low: 0), 0)
        var entries = [Entry](repeating: placeholder, count: fps.count)
        var next = starts
        for (i, fp) in fps.enumerated() {
            let b = Int(keys[i])
            entries[next[b]] = (keys[i], fp, Int32(i))
            next[b] += 1
        }
        for b in 0..<(1 << keyBits) where starts[b + 1] - starts[b] > maxBucket {
            entries[starts[b]..<starts[b + 1]].sort(by: byFingerprint)
        }
        return entries
    }

    private static func search(_ fps: [SimHashFingerprint], _ design: BlockTableDesign, table t: Int,
                               _ referenceCount: Int, _ maxBucket: Int) -> Result {
        let chosen = design.tables[t]
        let ranges = design.keyRanges(table: t)
        let entries = bucketed(fps, ranges: ranges, maxBucket: maxBucket)
        var result = Result(pairs: [], candidates: 0, oversizedBuckets: 0)
        let k = design.maxDistance
        let needed = design.blocks - k
        var start = 0
        while start < entries.count {
            var end = start + 1
            while end < entries.count && entries[end].key == entries[start].key { end += 1 }
            if end - start > maxBucket { result.oversizedBuckets += 1 }
            for a in start..<end {
                let upper = min(end, a + 1 + maxBucket)
                for b in (a + 1)..<max(a + 1, upper) {
                    let x = entries[a], y = entries[b]
                    if x.index < referenceCount && y.index < referenceCount { continue }
                    result.candidates += 1
                    let d = x.fp.distance(to: y.fp)
                    guard d <= k else { continue }
                    // Report the pair only from the first table whose blocks it agrees on.
                    var agreeing = 0
                    var first = true
                    for block in 0..<design.blocks where agreeing < needed {
                        let r = design.blockRange(block)
                        if x.fp.bits(from: r.start, count: r.count) == y.fp.bits(from: r.start, count: r.count) {
                            if chosen[agreeing] != block { first = false; break }
                            agreeing += 1
                        }
                    }
                    guard first else { continue }
                    let (lo, hi) = x.index < y.index ? (x.index, y.index) : (y.index, x.index)
                    result.pairs.append(SimilarPair(first: lo, second: hi, distance: UInt8(d)))
                }
            }
            start = end
        }
        return result
    }
}
