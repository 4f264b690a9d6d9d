import XCTest
import WinnowText

final class SimilarityTests: XCTestCase {
    /// The bottom-k sketch read off a sorted set of shingle hashes: the reference
    /// `BottomKSketch.make(distinct:)` must equal.
    func sketchOfSorted(_ hashes: [UInt64], size: Int = BottomKSketch.defaultSize) -> [UInt32] {
        var out: [UInt32] = []
        for h in hashes {
            let v = UInt32(truncatingIfNeeded: h >> 32)
            if out.last != v { out.append(v) }
            if out.count == size { break }
        }
        return out
    }

    func testXXHash64MatchesTheReferenceImplementation() {
        // Values from Python's `xxhash.xxh64_intdigest` (the C reference implementation).
        let cases: [(String, UInt64, UInt64)] = [
            ("", 0xEF46_DB37_51D8_E999, 0xD5AF_BA13_36A3_BE4B),
            ("abc", 0x44BC_2CF5_AD77_0999, 0xBEA9_CA81_9932_8908),
            (String(repeating: "a", count: 31), 0xFE47_067C_DA80_2916, 0xFD3D_46BA_3E5B_6BEF),
            (String(repeating: "a", count: 32), 0x856E_8432_98F9_9AD7, 0x53AC_5803_E608_DDF7),
            (String(repeating: "a", count: 100), 0x3750_41E8_B1DE_CFB3, 0x65AF_8DED_6639_A61A),
            ("hello 世界", 0xFB2B_6C61_1F76_B1BF, 0x76AA_C260_37BE_5613),
        ]
        for (text, seed0, seed1) in cases {
            XCTAssertEqual(XXHash64.hash(Array(text.utf8)), seed0, text)
            XCTAssertEqual(XXHash64.hash(Array(text.utf8), seed: 1), seed1, text)
        }
    }

    func testWindowHashesEqualTheHashOfEachWindow() {
        // `appendWindows` hashes eight windows at a time with AVX-512 where the CPU has it (windows
        // of 4 to 31 bytes; the others one by one): every length from 0 to past 32, both trims.
        var random = SeededRandom(state: 99)
        let bytes = (0..<6000).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        for trim in 0...1 {
            for span in 1...3 {
                var starts = [0]
                while starts.last! < 5000 { starts.append(starts.last! + trim + Int(random.next() % 45)) }
                let count = starts.count - span
                var hashes: [UInt64] = [7]
                bytes.withUnsafeBytes { raw in
                    starts.withUnsafeBufferPointer { XXHash64.appendWindows(of: raw, starts: $0, count: count, span: span, trim: trim, to: &hashes) }
                }
                XCTAssertEqual(hashes.count, count + 1)
                XCTAssertEqual(hashes[0], 7)
                for i in 0..<count {
                    let window = Array(bytes[starts[i]..<(starts[i + span] - trim)])
                    XCTAssertEqual(hashes[i + 1], XXHash64.hash(window), "window \(i), \(window.count) bytes, trim \(trim)")
                }
            }
        }
    }

    func testSimHashIsTheBitwiseMajorityAndSetWeightingCountsRepeatsOnce() {
        var three: [UInt64] = [0b1011, 0b0110, 0b1100]
        XCTAssertEqual(SimHasher.fingerprint(&three, width: 64, weighting: .frequency)?.low, 0b1110)
        var repeated: [UInt64] = [5, 5, 5, 2]
        // Frequency: bits 0 and 2 in 3 of 4 hashes. Set: {2, 5}, every bit a tie, and ties give 0.
        XCTAssertEqual(SimHasher.fingerprint(&repeated, width: 64, weighting: .frequency)?.low, 5)
        XCTAssertEqual(SimHasher.fingerprint(&repeated, width: 64, weighting: .set)?.low, 0)
        var none: [UInt64] = []
        XCTAssertNil(SimHasher.fingerprint(&none, width: 64, weighting: .set))
        var wide: [UInt64] = [1, 3, 7]
        let fp = SimHasher.fingerprint(&wide, width: 128, weighting: .set)
        XCTAssertEqual(fp?.low, 3)
        XCTAssertNotEqual(fp?.high, 0)
        XCTAssertEqual(SimHashFingerprint(bytes: fp!.bytes(width: 128)), fp)
    }

    func testFingerprintIsThePerBitMajorityForManyHashes() {
        // The majority is counted with AVX-512 where the CPU has it (byte counters widened every
        // 255 hashes): equal to counting each bit, for lengths around 255 and 510, and with ties.
        var random = SeededRandom(state: 5)
        for count in [1, 2, 254, 255, 256, 509, 510, 511, 2000] {
            var hashes = (0..<count).map { _ in random.next() & random.next() }  // bits set a quarter of the time
            hashes += hashes.prefix(count / 2).map { ~$0 }
            var expected: UInt64 = 0
            for bit in 0..<64 where hashes.filter({ $0 >> UInt64(bit) & 1 == 1 }).count * 2 > hashes.count {
                expected |= 1 << UInt64(bit)
            }
            var copy = hashes
            XCTAssertEqual(SimHasher.fingerprint(&copy, width: 64, weighting: .frequency)?.low, expected, "\(count)")
            var ties = hashes + hashes.map { ~$0 }
            XCTAssertEqual(SimHasher.fingerprint(&ties, width: 64, weighting: .frequency)?.low, 0, "ties \(count)")
        }
    }

    func testBlockTablesFindExactlyThePairsBruteForceFinds() throws {
        var rng = SeededRandom(state: 42)
        for (width, k, blocks) in [(64, 3, 4), (64, 8, 10), (64, 11, 13), (128, 6, 8)] {
            var fps: [SimHashFingerprint] = []
            for _ in 0..<600 {
                let base = SimHashFingerprint(low: rng.next(), high: width == 128 ? rng.next() : 0)
                fps.append(base)
                // A planted neighbour at 0...k+2 bits, so some are just outside.
                var near = base
                for _ in 0..<Int(rng.next() % UInt64(k + 3)) {
                    let bit = Int(rng.next() % UInt64(width))
                    if bit < 64 { near.low ^= 1 << UInt64(bit) } else { near.high ^= 1 << UInt64(bit - 64) }
                }
                fps.append(near)
            }
            var expected: [SimilarPair] = []
            for i in fps.indices { for j in (i + 1)..<fps.count where fps[i].distance(to: fps[j]) <= k {
                expected.append(SimilarPair(first: Int32(i), second: Int32(j), distance: UInt8(fps[i].distance(to: fps[j]))))
            } }
            let design = try BlockTableDesign(width: width, blocks: blocks, maxDistance: k)
            for threads in [1, 2] {
                let found = BlockTableSearch.pairs(fps, design: design, threads: threads)
                XCTAssertEqual(found.pairs, expected, "f=\(width) k=\(k) b=\(blocks) threads=\(threads)")
            }
            let automatic = try BlockTableDesign.automatic(width: width, maxDistance: k, count: fps.count)
            XCTAssertEqual(BlockTableSearch.pairs(fps, design: automatic).pairs, expected)
            // Reference items (the first 100) are never paired with each other.
            let withReferences = BlockTableSearch.pairs(fps, design: design, referenceCount: 100).pairs
            XCTAssertEqual(withReferences, expected.filter { $0.second >= 100 })
        }
    }

    func testBlockTableDesignsAreCombinationsNotPermutations() throws {
        XCTAssertEqual(try BlockTableDesign(width: 64, blocks: 6, maxDistance: 3).tables.count, 20)
        XCTAssertEqual(try BlockTableDesign(width: 64, blocks: 4, maxDistance: 3).tables.count, 4)
        XCTAssertThrowsError(try BlockTableDesign(width: 64, blocks: 3, maxDistance: 3))
        XCTAssertThrowsError(try BlockTableDesign(width: 64, blocks: 60, maxDistance: 30))
        // Few documents: the fewest tables. Many: longer keys, so candidates stay few.
        XCTAssertEqual(try BlockTableDesign.automatic(width: 64, maxDistance: 3, count: 1000).blocks, 4)
        XCTAssertGreaterThan(try BlockTableDesign.automatic(width: 64, maxDistance: 8, count: 10_000_000).blocks,
                             try BlockTableDesign.automatic(width: 64, maxDistance: 8, count: 1000).blocks)
    }

    func testBottomKSketchIsExactForSmallSets() {
        let a = sketchOfSorted([1 << 32, 2 << 32, 3 << 32, 4 << 32])
        let b = sketchOfSorted([2 << 32, 3 << 32, 4 << 32, 5 << 32])
        XCTAssertEqual(BottomKSketch.jaccard(a[...], b[...]), 3.0 / 5.0, accuracy: 1e-9)
        XCTAssertEqual(BottomKSketch.values(BottomKSketch.bytes(a[...])), a)
        let big = (0..<1000).map { UInt64($0) << 33 }
        let sketch = sketchOfSorted(big)
        XCTAssertEqual(sketch.count, BottomKSketch.defaultSize)
        XCTAssertEqual(BottomKSketch.jaccard(sketch[...], sketch[...]), 1)
    }

    func testShinglesFollowTheScript() throws {
        let shingler = Shingler(settings: ShingleSettings(wordN: 2))
        var hashes: [UInt64] = []
        XCTAssertEqual(try shingler.hashes(of: "我喜欢这本书！", into: &hashes), .char)
        XCTAssertEqual(hashes.count, 5)  // six characters, punctuation dropped: five bigrams
        XCTAssertEqual(hashes[0], XXHash64.hash(Array("我喜".utf8)))
        hashes.removeAll()
        XCTAssertEqual(try shingler.hashes(of: "i like this book.", into: &hashes), .word)
        XCTAssertEqual(hashes, ["i like", "like this", "this book"].map { XXHash64.hash(Array($0.utf8)) })
        hashes.removeAll()
        // Shingles are the words joined by one space, whatever separates them in the text
        // (hashed in place only where that is one space).
        try shingler.hashes(of: "i  like\nthis, book", into: &hashes)
        XCTAssertEqual(hashes, ["i like", "like this", "this book"].map { XXHash64.hash(Array($0.utf8)) })
        hashes.removeAll()
        // Mixed text with mostly Han characters is shingled by character, Latin letters included.
        XCTAssertEqual(try shingler.hashes(of: "这个iPad很好用", into: &hashes), .char)
        hashes.removeAll()
        XCTAssertEqual(try shingler.hashes(of: "！？。…", into: &hashes), .word)
        XCTAssertTrue(hashes.isEmpty)
    }

    /// `ShingleSet` keeps each value once, where it first occurs, and the sketch picked from it
    /// equals the one taken from the sorted set: random hashes, many repeats, values sharing
    /// their top bits or their upper halves, zero, short lists, and a list over the table's limit.
    func testShingleSetKeepsEachValueOnceAndGivesTheSortedSetsSketch() {
        var generator = SystemRandomNumberGenerator()
        var shingleSet = ShingleSet()
        var set: [UInt64] = []
        for trial in 0..<600 {
            let n = trial % 3 == 0 ? Int.random(in: 0..<40, using: &generator) : Int.random(in: 0..<5000, using: &generator)
            var values: [UInt64] = (0..<n).map { _ in UInt64.random(in: .min ... .max, using: &generator) }
            if trial % 4 == 1, n > 0 { for k in values.indices where k % 3 == 0 { values[k] = values[k / 2] } }
            if trial % 4 == 2 { values = values.map { $0 & 0x0000_0000_00FF_FFFF } }  // one table region
            if trial % 4 == 3 { values = values.map { $0 & 0xFFFF_FF00_0000_00FF } }  // shared upper halves
            if trial % 5 == 0, n > 2 { values[1] = 0; values[n - 1] = 0 }
            shingleSet.distinct(of: values, into: &set)
            var seen = Set<UInt64>()
            XCTAssertEqual(set, values.filter { seen.insert($0).inserted }, "trial \(trial), n \(n)")
            let sorted = Array(Set(values)).sorted()
            XCTAssertEqual(BottomKSketch.make(distinct: set), sketchOfSorted(sorted), "trial \(trial)")
            XCTAssertEqual(BottomKSketch.make(distinct: set.reversed()), sketchOfSorted(sorted), "trial \(trial)")
        }
        let large = (0..<(ShingleSet.largest + 10)).map { UInt64($0 % 1000) &* 0x9E37_79B9_7F4A_7C15 }
        shingleSet.distinct(of: large, into: &set)
        XCTAssertEqual(set, Array(Set(large)).sorted())
    }

    func testExactKeyRules() {
        XCTAssertEqual(String(decoding: ExactKeyRule().key("  a \t b\n"), as: UTF8.self), "a b")
        XCTAssertEqual(String(decoding: ExactKeyRule(whitespace: .ignore).key("很 好　用"), as: UTF8.self), "很好用")
        XCTAssertEqual(String(decoding: ExactKeyRule(removePunctuation: true).key("Good, very good!"), as: UTF8.self), "Good very good")
        XCTAssertTrue(ExactKeyRule(removePunctuation: true).key("！！…").isEmpty)
    }

    /// The exact key's ASCII runs and the `auto` unit's letter count run in C, sixteen bytes or
    /// one branch-free byte at a time, and runs of CJK characters in C too; both must equal a
    /// plain per-character reading of the rules, for every key mode, on random text mixing ASCII,
    /// Han, other letters and white space.
    func testExactKeysAndUnitChoiceMatchAPerCharacterReading() throws {
        // (piece, is white space, is letter or digit, letters for `auto`, CJK letters)
        let pieces: [(String, Bool, Bool, Int, Int)] = [
            ("a", false, true, 1, 0), ("Z", false, true, 1, 0), ("7", false, true, 0, 0), (",", false, false, 0, 0),
            ("_", false, false, 0, 0), ("@", false, false, 0, 0), (" ", true, false, 0, 0), ("\t", true, false, 0, 0),
            ("\n", true, false, 0, 0), ("\r", true, false, 0, 0), ("\u{0B}", true, false, 0, 0), ("\u{1C}", false, false, 0, 0),
            ("中", false, true, 1, 1), ("。", false, false, 0, 0), ("\u{3000}", true, false, 0, 0), ("\u{A0}", true, false, 0, 0),
            ("é", false, true, 1, 0), ("😀", false, false, 0, 0), ("–", false, false, 0, 0), ("ｶ", false, true, 1, 1),
            ("abcdefghijklmnopqrstuvwxyz", false, true, 26, 0), ("Hello", false, true, 5, 0), ("好的", false, true, 2, 2),
        ]
        var generator = SystemRandomNumberGenerator()
        let shingler = Shingler(settings: ShingleSettings(unit: .auto))
        for _ in 0..<5000 {
            let picked = (0..<Int.random(in: 0...80, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }
            let text = picked.map(\.0).joined()
            for whitespace in ExactKeyRule.Whitespace.allCases {
                for removePunctuation in [false, true] {
                    var expected = ""
                    var pending = false
                    for (piece, isSpace, isAlnum, _, _) in picked {
                        if isSpace {
                            switch whitespace {
                            case .keep: expected += piece
                            case .ignore: break
                            case .collapse: pending = pending || !expected.isEmpty
                            }
                            continue
                        }
                        if removePunctuation && !isAlnum { continue }
                        if pending { expected += " "; pending = false }
                        expected += piece
                    }
                    let key = ExactKeyRule(whitespace: whitespace, removePunctuation: removePunctuation).key(text)
                    XCTAssertEqual(String(decoding: key, as: UTF8.self), expected, "\(whitespace) \(removePunctuation) \(text.debugDescription)")
                }
            }
            let letters = picked.reduce(0) { $0 + $1.3 }, cjk = picked.reduce(0) { $0 + $1.4 }
            var hashes: [UInt64] = []
            XCTAssertEqual(try shingler.hashes(of: text, into: &hashes), cjk * 10 > letters * 3 ? .char : .word, text.debugDescription)
        }
    }
}

final class SimHashIndexTests: XCTestCase {
    func testQueriesFindExactlyTheFingerprintsWithinK() throws {
        var random = SeededRandom(state: 11)
        func next() -> UInt64 { random.next() }
        let stored = (0..<2000).map { _ in SimHashFingerprint(low: next()) }
        for k in [3, 10] {
            for count in [50, 2000] {
                let fps = Array(stored.prefix(count))
                let index = SimHashIndex(fps, design: try SimHashIndex.design(width: 64, maxDistance: k, count: count))
                for q in 0..<200 {
                    // Queries near a stored fingerprint (flip up to k+2 bits) and random ones.
                    var bits = q % 2 == 0 ? fps[q % count].low : next()
                    for _ in 0..<(q % (k + 3)) { bits ^= 1 << (next() % 64) }
                    let query = SimHashFingerprint(low: bits)
                    let expected = fps.indices.filter { fps[$0].distance(to: query) <= k }
                    XCTAssertEqual(index.matches(query).map(\.index), expected, "k \(k), n \(count), query \(q)")
                }
            }
        }
    }
}

final class ContainmentSearchTests: XCTestCase {
    func testContainmentSearchAgreesWithBruteForce() {
        var random = SeededRandom(state: 7)
        // Documents drawn from a small vocabulary of values so that many overlap, sorted by size.
        var sets: [[UInt32]] = (0..<60).map { _ in
            let size = 5 + Int(random.next() % 60)
            return Array(Set((0..<size).map { _ in UInt32(random.next() % 200) })).sorted()
        }
        sets.sort { $0.count > $1.count }
        let matches = ContainmentSearch.find(sets, threshold: 0.4, minValues: 8, maxPosting: 1000)
        var removed = Set<Int>()
        var expected: [ContainmentSearch.Match] = []
        for (d, set) in sets.enumerated() where set.count >= 8 {
            var best: (Int, Double)?
            for c in 0..<d where !removed.contains(c) {
                let share = ContainmentSearch.containment(of: set, in: sets[c])
                if share > (best?.1 ?? -1) { best = (c, share) }
            }
            if let (c, share) = best, share >= 0.4 {
                removed.insert(d)
                expected.append(ContainmentSearch.Match(document: d, container: c, containment: share))
            }
        }
        XCTAssertFalse(expected.isEmpty)
        XCTAssertEqual(matches, expected)
        XCTAssertEqual(ContainmentSearch.find(sets, threshold: 0.4, minValues: 8, maxPosting: 1000, threads: 3), expected)
        // Sampling keeps the values whose hash is 0 modulo the rate, upper halves, sorted and distinct.
        XCTAssertEqual(ContainmentSearch.values(ofShingleHashes: [5 << 32 | 4, 3 << 32 | 2, 5 << 32 | 4, 9 << 32 | 1], sample: 2), [3, 5])
        XCTAssertEqual(ContainmentSearch.values(ofShingleHashes: [5 << 32 | 4, 3 << 32 | 2, 9 << 32 | 1], sample: 1), [3, 5, 9])
    }
}
