import WinnowCore

/// The BPE model of a `tokenizer.json`: vocabulary, ranked merges, and the merge loop.
///
/// The loop is HF `tokenizers`' `Word::merge_all`: every adjacent pair that has a merge goes into
/// a min-heap ordered by (rank, position); the top is applied unless it went stale, and the new
/// neighbouring pairs are pushed. This equals GPT-2's "merge the best pair everywhere" loop.
struct BPEModel {
    let vocab: [String: Int32]
    let tokens: [Int32: String]
    /// (left id, right id) packed → (rank, merged id).
    let merges: MergeTable
    let ignoreMerges: Bool
    let byteFallback: Bool
    let unk: Int32?
    /// Id of each byte's byte-level character (byte-level models).
    let byteIDs: [Int32]
    /// Characters that start the merge loop as one token (byte-level models).
    private let premerged: PremergedCharacters?

    /// Loads the model; `byteLevel` (the pre-tokenizer is ByteLevel) maps bytes to the
    /// byte-level alphabet, every byte of which must then be in the vocabulary.
    init(json: JSONObject, byteLevel: Bool) throws {
        if let type = json["type"]?.stringValue, type != "BPE" { throw TokenizerError("model `\(type)` is not supported (only BPE)") }
        if let dropout = json["dropout"]?.doubleValue, dropout > 0 { throw TokenizerError("model BPE: `dropout` \(dropout) is not supported (non-deterministic)") }
        for key in ["continuing_subword_prefix", "end_of_word_suffix"] {
            if let v = json[key]?.stringValue, !v.isEmpty { throw TokenizerError("model BPE: `\(key)` \"\(v)\" is not supported") }
        }
        if json["fuse_unk"]?.boolValue == true { throw TokenizerError("model BPE: `fuse_unk` is not supported") }
        guard let v = json["vocab"]?.objectValue else { throw TokenizerError("model BPE: missing `vocab`") }
        var vocab: [String: Int32] = [:]
        vocab.reserveCapacity(v.count)
        var tokens: [Int32: String] = [:]
        tokens.reserveCapacity(v.count)
        var index = VocabularyIndex(capacity: v.count)
        for m in v {
            guard let id = m.value.intValue else { throw TokenizerError("model BPE: vocab entry `\(m.key)` has no integer id") }
            vocab[m.key] = Int32(id)
            tokens[Int32(id)] = m.key
            index.insert(m.key, id: Int32(id))
        }
        // (pair key, rank, merged id) in rank order; the table keeps a pair's first rank.
        let mergeJSON = json["merges"]?.arrayValue ?? []
        var entries: [(key: UInt64, rank: Int32, id: Int32)] = []
        entries.reserveCapacity(mergeJSON.count)
        var joined: [UInt8] = []
        for (rank, entry) in mergeJSON.enumerated() {
            let left: Substring.UTF8View, right: Substring.UTF8View
            switch entry {
            case .string(let s):
                let parts = s.utf8.split(separator: 0x20, omittingEmptySubsequences: false)
                guard parts.count == 2 else { throw TokenizerError("model BPE: merge \(rank) `\(s)` is not two tokens separated by one space") }
                (left, right) = (parts[0], parts[1])
            case .array(let a) where a.count == 2:
                guard let l = a[0].stringValue, let r = a[1].stringValue else { throw TokenizerError("model BPE: merge \(rank) is not a pair of strings") }
                (left, right) = (Substring(l).utf8, Substring(r).utf8)
            default: throw TokenizerError("model BPE: merge \(rank) has an unknown form")
            }
            joined.removeAll(keepingCapacity: true)
            joined.append(contentsOf: left)
            let split = joined.count
            joined.append(contentsOf: right)
            let found = joined.withUnsafeBufferPointer { all in
                (index.id(of: UnsafeBufferPointer(rebasing: all[..<split])), index.id(of: UnsafeBufferPointer(rebasing: all[split...])), index.id(of: all))
            }
            guard let l = found.0, let r = found.1, let merged = found.2 else {
                throw TokenizerError("model BPE: merge \(rank) (`\(String(decoding: left, as: UTF8.self))`, `\(String(decoding: right, as: UTF8.self))`) uses a token missing from the vocabulary")
            }
            entries.append((BPEModel.key(l, r), Int32(rank), merged))
        }
        self.vocab = vocab
        self.tokens = tokens
        let table = MergeTable(entries)
        self.merges = table
        if byteLevel {
            let byteIDs = try ByteLevelAlphabet.characters.enumerated().map { b, c in
                guard let id = vocab[String(c)] else { throw TokenizerError("model BPE: byte-level vocabulary lacks byte 0x\(String(b, radix: 16))") }
                return id
            }
            self.byteIDs = byteIDs
            var edgeBytes = [(first: UInt8, last: UInt8)](repeating: (0, 0), count: Int(tokens.keys.max() ?? 0) + 1)
            for (id, token) in tokens {
                guard let first = token.unicodeScalars.first.flatMap(ByteLevelAlphabet.byte(of:)),
                      let last = token.unicodeScalars.last.flatMap(ByteLevelAlphabet.byte(of:)) else { continue }
                edgeBytes[Int(id)] = (first, last)
            }
            // Each pair once, with the rank the table kept (its first).
            let mergeList = entries.filter { table.rankedID($0.key) >> 32 == UInt64(UInt32(bitPattern: $0.rank)) }
                .map { (left: Int32(truncatingIfNeeded: $0.key >> 32), right: Int32(truncatingIfNeeded: $0.key), rank: $0.rank) }
            premerged = PremergedCharacters(byteIDs: byteIDs, merges: table, mergeList: mergeList, edgeBytes: edgeBytes)
        } else {
            byteIDs = []
            premerged = nil
        }
        ignoreMerges = json["ignore_merges"]?.boolValue ?? false
        byteFallback = json["byte_fallback"]?.boolValue ?? false
        unk = json["unk_token"]?.stringValue.flatMap { vocab[$0] }
    }

    @inline(__always) static func key(_ a: Int32, _ b: Int32) -> UInt64 { UInt64(UInt32(bitPattern: a)) << 32 | UInt64(UInt32(bitPattern: b)) }

    /// Encodes one pre-token (raw bytes) into ids.
    func encode(_ piece: UnsafeBufferPointer<UInt8>, into out: inout [Int32]) throws {
        var symbols: [Int32]
        if let premerged {
            if ignoreMerges, let whole = vocab[ByteLevelAlphabet.encode(piece)] { out.append(whole); return }
            if piece.count <= BPEModel.shortPiece {
                // The common case, without a heap allocation per piece.
                withUnsafeTemporaryAllocation(of: Int32.self, capacity: piece.count) { sym in
                    let count = byteIDs.withUnsafeBufferPointer { premerged.startingSymbols(piece, byteIDs: $0, into: sym) }
                    let n = count > 1 ? mergeShort(sym, count: count) : count
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: sym[..<n]))
                }
                return
            }
            symbols = [Int32](unsafeUninitializedCapacity: piece.count) { buffer, initialized in
                initialized = byteIDs.withUnsafeBufferPointer { premerged.startingSymbols(piece, byteIDs: $0, into: buffer) }
            }
        } else {
            let text = String(decoding: piece, as: UTF8.self)
            if ignoreMerges, let whole = vocab[text] { out.append(whole); return }
            symbols = []
            for scalar in text.unicodeScalars {
                if let id = vocab[String(scalar)] { symbols.append(id); continue }
                if byteFallback {
                    for b in String(scalar).utf8 {
                        let name = "<0x" + String(b, radix: 16, uppercase: true).leftPadded(2) + ">"
                        guard let id = vocab[name] else { throw TokenizerError("model BPE: byte_fallback token \(name) is missing") }
                        symbols.append(id)
                    }
                } else if let unk {
                    symbols.append(unk)
                } else {
                    throw TokenizerError("model BPE: character U+\(String(scalar.value, radix: 16, uppercase: true)) is not in the vocabulary and there is no unk_token")
                }
            }
        }
        if symbols.count > 1 { merge(&symbols) }
        out.append(contentsOf: symbols)
    }

    /// The merge loop started from one symbol per byte, without premerged characters: the
    /// plain algorithm, which tests compare ``encode(_:into:)`` with.
    func encodeFromBytes(_ piece: UnsafeBufferPointer<UInt8>) -> [Int32] {
        var symbols = piece.map { byteIDs[Int($0)] }
        if symbols.count > 1 { merge(&symbols) }
        return symbols
    }

    /// How many characters start the merge loop as one token.
    var premergedCount: Int { premerged?.count ?? 0 }

    private struct Candidate: Comparable {
        var rank: Int32, position: Int32, id: Int32
        static func < (a: Candidate, b: Candidate) -> Bool { a.rank != b.rank ? a.rank < b.rank : a.position < b.position }
    }

    /// Applies the merges: for short pieces a scan for the lowest-ranked pair (leftmost on ties)
    /// over a cached rank per adjacent pair; for long ones HF's heap over a linked list. Both
    /// merge the same pairs in the same order: the heap pops the lowest (rank, position) first,
    /// and positions keep the symbols' left-to-right order.
    /// Pieces up to this many symbols merge by scanning (``mergeShort(_:count:)``).
    static let shortPiece = 256

    private func merge(_ symbols: inout [Int32]) {
        if symbols.count <= BPEModel.shortPiece {
            let n = symbols.withUnsafeMutableBufferPointer { mergeShort($0, count: $0.count) }
            symbols.removeLast(symbols.count - n)
        } else {
            mergeLong(&symbols)
        }
    }

    /// Merges `sym[0..<count]` in place; returns the number of symbols left.
    private func mergeShort(_ sym: UnsafeMutableBufferPointer<Int32>, count: Int) -> Int {
        var n = count
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: n) { pairs in
            // Per adjacent pair: rank << 32 | merged id, or UInt64.max when the pair has no merge.
            // One rank means one merge, so the smallest value is the lowest-ranked pair, and the
            // strict comparison keeps the leftmost of equal ones.
            for k in 0..<(n - 1) { pairs[k] = merges.rankedID(BPEModel.key(sym[k], sym[k + 1])) }
            while n > 1 {
                var best = 0
                var bestValue = pairs[0]
                for k in 1..<(n - 1) where pairs[k] < bestValue {
                    best = k
                    bestValue = pairs[k]
                }
                guard bestValue != UInt64.max else { break }
                sym[best] = Int32(bitPattern: UInt32(truncatingIfNeeded: bestValue))
                // Remove symbol best+1 and pair best+1.
                for k in (best + 1)..<(n - 1) { sym[k] = sym[k + 1] }
                for k in (best + 1)..<max(best + 1, n - 2) { pairs[k] = pairs[k + 1] }
                n -= 1
                let left = best > 0 ? BPEModel.key(sym[best - 1], sym[best]) : MergeTable.absentKey
                let right = best < n - 1 ? BPEModel.key(sym[best], sym[best + 1]) : MergeTable.absentKey
                let (l, r) = merges.rankedIDs(left, right)
                if best > 0 { pairs[best - 1] = l }
                if best < n - 1 { pairs[best] = r }
            }
        }
        return n
    }

    /// HF's merge loop over a doubly linked list of symbols.
    private func mergeLong(_ symbols: inout [Int32]) {
        let n = symbols.count
        var prev = (0..<n).map { Int32($0) - 1 }
        var next = (0..<n).map { $0 + 1 < n ? Int32($0 + 1) : -1 }
        var alive = [Bool](repeating: true, count: n)
        var heap = MinHeap<Candidate>()
        for k in 0..<(n - 1) {
            if let m = merges[BPEModel.key(symbols[k], symbols[k + 1])] { heap.push(Candidate(rank: m.rank, position: Int32(k), id: m.id)) }
        }
        while let top = heap.pop() {
            let p = Int(top.position)
            guard alive[p], next[p] >= 0 else { continue }
            let q = Int(next[p])
            guard let m = merges[BPEModel.key(symbols[p], symbols[q])], m.id == top.id else { continue }
            symbols[p] = m.id
            alive[q] = false
            next[p] = next[q]
            if next[q] >= 0 { prev[Int(next[q])] = Int32(p) }
            if prev[p] >= 0, let left = merges[BPEModel.key(symbols[Int(prev[p])], symbols[p])] {
                heap.push(Candidate(rank: left.rank, position: prev[p], id: left.id))
            }
            if next[p] >= 0, let right = merges[BPEModel.key(symbols[p], symbols[Int(next[p])])] {
                heap.push(Candidate(rank: right.rank, position: Int32(p), id: right.id))
            }
        }
        var out: [Int32] = []
        out.reserveCapacity(n)
        var k: Int32 = 0
        while k >= 0 { out.append(symbols[Int(k)]); k = next[Int(k)] }
        symbols = out
    }
}

/// A binary min-heap.
struct MinHeap<Element: Comparable> {
    private var items: [Element] = []

    mutating func push(_ e: Element) {
        items.append(e)
        var k = items.count - 1
        while k > 0 {
            let parent = (k - 1) / 2
            guard items[k] < items[parent] else { break }
            items.swapAt(k, parent)
            k = parent
        }
    }

    mutating func pop() -> Element? {
        guard !items.isEmpty else { return nil }
        let top = items[0]
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            var k = 0
            while true {
                let l = 2 * k + 1, r = l + 1
                var m = k
                if l < items.count, items[l] < items[m] { m = l }
                if r < items.count, items[r] < items[m] { m = r }
                if m == k { break }
                items.swapAt(k, m)
                k = m
            }
        }
        return top
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
