import Dispatch

/// Finds documents whose shingles lie mostly inside one other, larger document: an excerpt, an
/// answer pasted together from a source, a light rewrite of part of an article.
///
/// SimHash and Jaccard compare whole documents, so a 200-word passage copied from a 3,000-word
/// page is far from it by both measures. Containment asks the directed question instead: what
/// share of A's shingles also occur in B? A is removed when that share reaches the threshold
/// for some B that comes before it in the given order (larger, or preferred by the keep
/// policy) and is itself kept.
///
/// Memory: an inverted index over every value of every document's set, about 12 bytes per value
/// (8 more while it is sorted), plus the sets themselves (4 bytes per value).
/// It grows with the corpus's distinct shingles, not its document count; sampling shingles
/// (keeping 1 in m by hash) divides it by m.
public enum ContainmentSearch {
    /// A document found inside another.
    public struct Match: Sendable, Equatable {
        /// Position in the input order.
        public var document: Int
        /// Position of the document that contains it (always earlier, and never itself removed).
        public var container: Int
        /// Share of the document's values found in the container.
        public var containment: Double

        public init(document: Int, container: Int, containment: Double) {
            self.document = document
            self.container = container
            self.containment = containment
        }
    }

    /// - Parameters:
    ///   - sets: per document, its sorted, distinct (sampled) shingle values, in priority order:
    ///     a document can only be contained in one before it, so put larger documents (and,
    ///     among equals, the one to keep) first.
    ///   - threshold: smallest share of a document's values that must occur in its container.
    ///   - minValues: documents with fewer values are never removed (too little evidence); they
    ///     can still contain others.
    ///   - maxPosting: a value shared by more documents than this is a common phrase and gives
    ///     no evidence; it still counts in the document's total.
    ///   - threads: documents are compared in parallel; the outcome does not depend on it.
    /// - Returns: the removed documents in order, each with its best container that is itself
    ///   kept (the highest share; the earliest among equal shares).
    public static func find(_ sets: [[UInt32]], threshold: Double, minValues: Int, maxPosting: Int,
                            threads: Int = 1) -> [Match] {
        let postings = PostingIndex(sets)
        // 1. In parallel: every earlier document holding enough of each document's values,
        //    best first. Removal is ignored here; it depends on the order of decisions.
        let candidates = UnsafeMutablePointer<[(container: Int32, count: Int32)]>.allocate(capacity: sets.count)
        candidates.initialize(repeating: [], count: sets.count)
        defer {
            candidates.deinitialize(count: sets.count)
            candidates.deallocate()
        }
        let box = WorkerSlots(candidates)
        let block = 256
        let workers = max(1, min(threads, sets.count / block + 1))
        let work: @Sendable (Int) -> Void = { worker in
            var counts = [Int32](repeating: 0, count: sets.count)
            var touched: [Int] = []
            var start = worker * block
            while start < sets.count {
                for document in start..<min(start + block, sets.count) {
                    box.pointer[document] = containers(of: document, sets, postings, threshold: threshold, minValues: minValues,
                                                       maxPosting: maxPosting, counts: &counts, touched: &touched)
                }
                start += workers * block
            }
        }
        if workers == 1 { work(0) } else { DispatchQueue.concurrentPerform(iterations: workers, execute: work) }
        // 2. In order: a document goes into its best candidate that is still kept.
        var removed = [Bool](repeating: false, count: sets.count)
        var matches: [Match] = []
        for document in sets.indices {
            guard let best = candidates[document].first(where: { !removed[Int($0.container)] }) else { continue }
            removed[document] = true
            matches.append(Match(document: document, container: Int(best.container),
                                 containment: Double(best.count) / Double(sets[document].count)))
        }
        return matches
    }

    /// Earlier documents holding at least `threshold` of the document's values, by count
    /// (descending) then position.
    private static func containers(of document: Int, _ sets: [[UInt32]], _ postings: PostingIndex, threshold: Double,
                                   minValues: Int, maxPosting: Int, counts: inout [Int32],
                                   touched: inout [Int]) -> [(container: Int32, count: Int32)] {
        let set = sets[document]
        guard set.count >= max(1, minValues) else { return [] }
        touched.removeAll(keepingCapacity: true)
        for value in set {
            guard let run = postings.documents(containing: value), run.count <= maxPosting else { continue }
            for other in run {
                let o = Int(other)
                if o >= document { break }  // runs are in document order
                if counts[o] == 0 { touched.append(o) }
                counts[o] += 1
            }
        }
        var found: [(container: Int32, count: Int32)] = []
        for o in touched {
            if Double(counts[o]) / Double(set.count) >= threshold { found.append((Int32(o), counts[o])) }
            counts[o] = 0
        }
        found.sort { $0.count != $1.count ? $0.count > $1.count : $0.container < $1.container }
        return found
    }

    /// Value → the documents holding it, in document order: every (value, document) pair sorted
    /// once into runs, the distinct values in order, and a directory by the values' top bits
    /// (values are hashes, so each directory slot covers a handful of them). 12 bytes per pair
    /// (less for repeated values); no hash table.
    private struct PostingIndex: Sendable {
        private var documents: [Int32] = []
        private var values: [UInt32] = []
        /// Run of `values[k]` in `documents`: `runStarts[k]..<runStarts[k + 1]`.
        private var runStarts: [Int32] = []
        /// Values with top bits t are `values[directory[t]..<directory[t + 1]]`.
        private var directory: [Int32] = []
        private var shift: UInt32 = 32

        init(_ sets: [[UInt32]]) {
            var pairs: [UInt64] = []
            pairs.reserveCapacity(sets.reduce(0) { $0 + $1.count })
            for (document, set) in sets.enumerated() {
                for value in set { pairs.append(UInt64(value) << 32 | UInt64(document)) }
            }
            pairs.sort()
            documents = pairs.map { Int32(truncatingIfNeeded: $0) }
            for (k, pair) in pairs.enumerated() {
                let value = UInt32(truncatingIfNeeded: pair >> 32)
                if values.last != value || values.isEmpty {
                    values.append(value)
                    runStarts.append(Int32(k))
                }
            }
            runStarts.append(Int32(pairs.count))
            var bits: UInt32 = 1
            while bits < 24 && (1 << (bits + 3)) < values.count { bits += 1 }
            shift = 32 - bits
            directory = [Int32](repeating: 0, count: (1 << Int(bits)) + 1)
            var k = 0
            for slot in 0...(1 << Int(bits)) {
                while k < values.count && Int(values[k] >> shift) < slot { k += 1 }
                directory[slot] = Int32(k)
            }
        }

        func documents(containing value: UInt32) -> ArraySlice<Int32>? {
            let slot = Int(value >> shift)
            var k = Int(directory[slot])
            let end = Int(directory[slot + 1])
            while k < end && values[k] < value { k += 1 }
            guard k < end, values[k] == value else { return nil }
            return documents[Int(runStarts[k])..<Int(runStarts[k + 1])]
        }
    }

    /// The sorted, distinct values kept from shingle hashes: the upper 32 bits of those whose
    /// hash is 0 modulo `sample` (all of them for 1). Both sides of a comparison must be sampled
    /// the same way, so the rule is fixed: the lower bits choose, the upper bits are stored.
    public static func values(ofShingleHashes hashes: [UInt64], sample: Int) -> [UInt32] {
        var out: [UInt32] = []
        out.reserveCapacity(sample <= 1 ? hashes.count : hashes.count / sample + 1)
        let m = UInt64(max(1, sample))
        for h in hashes where m == 1 || h % m == 0 { out.append(UInt32(truncatingIfNeeded: h >> 32)) }
        SimHasher.makeSet(&out)
        return out
    }

    /// Share of `a`'s values found in `b` (both sorted and distinct).
    public static func containment(of a: [UInt32], in b: [UInt32]) -> Double {
        guard !a.isEmpty else { return 0 }
        var i = 0, j = 0, shared = 0
        while i < a.count && j < b.count {
            if a[i] < b[j] { i += 1 } else if b[j] < a[i] { j += 1 } else { shared += 1; i += 1; j += 1 }
        }
        return Double(shared) / Double(a.count)
    }
}
