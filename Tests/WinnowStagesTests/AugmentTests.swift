import XCTest
import WinnowCore
import WinnowText
@testable import WinnowStages

final class AugmentTests: XCTestCase {
    static let reviews = Fixture.path("fixtures/augment/reviews.jsonl")
    static let english = Fixture.path("fixtures/augment/en-synonyms.tsv")
    static let cilin = Fixture.path("fixtures/augment/zh-synonyms.cilin.txt")

    /// Time split (train < July, validation < October, test after), then augment.
    static func pipeline(_ augment: String, input: String = reviews, seed: Int = 5) -> String {
        """
        {"dataset": "aug", "seed": \(seed), "inputs": [{"path": "\(input)"}],
         "stages": [{"split": {"time": {"field": "time", "cutoffs": ["2024-07-01", "2024-10-01"]}}},
                    {"augment": \(augment)}]}
        """
    }

    static let dictionaries = #"{"dictionaries": [{"path": "\#(english)"}, {"path": "\#(cilin)", "format": "cilin"}]}"#

    func wordnet() throws -> WordNet {
        guard FileManager.default.fileExists(atPath: WordNet.defaultDirectory + "/index.noun") else {
            throw XCTSkip("WordNet is not installed (apt-get install wordnet-base); skipping")
        }
        return try WordNet()
    }

    func testWordNetFilesGiveNLTKsSynonyms() throws {
        let wn = try wordnet()
        // FORMATS.md 6.3: index sizes and the worked lookups.
        XCTAssertEqual([WordNet.PartOfSpeech.noun, .verb, .adjective, .adverb].map { wn.lemmaCount($0) }, [117_798, 11_529, 21_479, 4_481])
        XCTAssertEqual(Set(wn.synonyms(of: "happy")), ["felicitous", "glad", "well chosen"])
        XCTAssertEqual(Set(wn.synonyms(of: "car")), ["auto", "automobile", "cable car", "elevator car", "gondola", "machine",
                                                     "motorcar", "railcar", "railroad car", "railway car"])
        XCTAssertTrue(wn.synonyms(of: "quick").contains("promptly"), "all parts of speech, as EDA")
        XCTAssertFalse(wn.synonyms(of: "quick", in: [.adjective]).contains("promptly"))
        // Morphy: exception lists, then detachment rules.
        XCTAssertEqual(wn.baseForms(of: "geese", .noun), ["goose"])
        XCTAssertEqual(wn.baseForms(of: "cars", .noun), ["car"])
        XCTAssertTrue(wn.synonyms(of: "cars").contains("automobile"))
        XCTAssertEqual(wn.synonyms(of: "qwzxv"), [])
        XCTAssertThrowsError(try WordNet(directory: "/nonexistent")) { XCTAssertTrue("\($0)".contains("wordnet-base"), "\($0)") }
    }

    func testDictionariesInBothLayouts() throws {
        let cilin = try SynonymDictionary(path: Self.cilin, layout: .cilin)
        XCTAssertEqual(cilin.synonyms(of: "便宜"), ["实惠", "廉价"])
        XCTAssertEqual(cilin.synonyms(of: "好像"), [], "`#` entries are related words, not synonyms")
        let tsv = try SynonymDictionary(path: Self.english, layout: .tsv)
        XCTAssertEqual(tsv.synonyms(of: "Wonderful"), ["marvelous", "splendid"])
        XCTAssertThrowsError(try SynonymDictionary(path: Self.english, layout: .cilin)) {
            XCTAssertTrue("\($0)".contains("en-synonyms.tsv:1: expected a Cilin code"), "\($0)")
        }
    }

    func testChineseNumeralsBothWays() {
        XCTAssertEqual([0, 7, 10, 15, 20, 105, 1010, 2000, 3456].map(ChineseNumerals.positional),
                       ["零", "七", "十", "十五", "二十", "一百零五", "一千零一十", "二千", "三千四百五十六"])
        XCTAssertEqual(ChineseNumerals.toChinese("第3次买，用了15天，2024年，iPhone12").0, "第三次买，用了十五天，二〇二四年，iPhone12")
        XCTAssertEqual(ChineseNumerals.toArabic("用了十五天，一百零五元，二〇二四年").0, "用了15天，105元，2024年")
        let words = "我们一起统一了，十分满意，一一核对"
        XCTAssertEqual(ChineseNumerals.toArabic(words).0, words, "numeral characters inside words are not numbers")
    }

    func testOperationsKeepTextTheyDoNotTouch() throws {
        let source = try SynonymDictionary(path: Self.english, layout: .tsv)
        let augmenter = try TextAugmenter(synonyms: source, stopWords: StopWords.builtIn)
        var random = SeededRandom(seed: 1, recordHash: [1, 2, 3], copy: 0)
        let (replaced, changes) = try augmenter.apply(AugmentOperation(kind: .synonymReplacement, alpha: 0.5),
                                                      to: "Great phone, great price: 5 EUR!", &random)
        XCTAssertEqual(replaced, "Excellent phone, excellent price: 5 EUR!", "every occurrence, in its own case")
        XCTAssertEqual(changes, ["great→excellent"])
        XCTAssertEqual(TextAugmenter.matchCase("excellent", to: "GREAT"), "EXCELLENT")
        for seed in 0..<20 {
            var r = SeededRandom(seed: UInt64(seed), recordHash: [9], copy: 0)
            let (deleted, _) = try augmenter.apply(AugmentOperation(kind: .randomDeletion, alpha: 0.3), to: "The seller was very helpful, thanks.", &r)
            XCTAssertFalse(deleted.hasPrefix(" ") || deleted.contains("  ") || deleted.contains(" ,") || deleted.contains(" ."), deleted)
            XCTAssertTrue(deleted.first?.isUppercase == true, deleted)
            let (swapped, _) = try augmenter.apply(AugmentOperation(kind: .charSwap, alpha: 0.2), to: "质量很好，价格便宜", &r)
            XCTAssertEqual(swapped.sorted(), "质量很好，价格便宜".sorted(), "a swap moves characters, it never breaks them")
            XCTAssertEqual(swapped.firstIndex(of: "，"), "质量很好，价格便宜".firstIndex(of: "，"))
            let (shorter, _) = try augmenter.apply(AugmentOperation(kind: .charDeletion, alpha: 0.2), to: "质量很好，价格便宜", &r)
            XCTAssertTrue(shorter.count < 9 && shorter.count >= 2 && shorter.contains("，"), shorter)
        }
        var a = SeededRandom(seed: 3, recordHash: [7], copy: 1), b = SeededRandom(seed: 3, recordHash: [7], copy: 1)
        let op = AugmentOperation(kind: .randomSwap, alpha: 0.5)
        XCTAssertEqual(try augmenter.apply(op, to: "one two three four five six", &a).0,
                       try augmenter.apply(op, to: "one two three four five six", &b).0)
    }

    func testChildrenCarryLineageAndTheGuardsDiscardLeaksAndRepeats() throws {
        let json = Self.pipeline(#"{"copies": 2, "operations": {"synonym_replacement": {"alpha": 0.1}}, "synonyms": \#(Self.dictionaries)}"#)
        let (sink, report) = try Fixture.run(json, threads: 2, batchSize: 4)
        let stats = report.stages[1]
        let originals = sink.records.filter { $0["augmented_from"] == nil }
        let children = sink.records.enumerated().filter { $0.element["augmented_from"] != nil }
        XCTAssertEqual(originals.count, 18)
        XCTAssertEqual(stats.added, children.count)
        XCTAssertGreaterThan(children.count, 8)
        XCTAssertEqual(stats.added + stats.discarded.values.reduce(0, +), 24, "12 training records × 2 copies, all accounted for")
        // The planted leaks: t01's only child would near-copy test s01, t02's would equal validation v01.
        XCTAssertEqual(stats.discarded["near_duplicate_in_other_split"], 2)
        XCTAssertEqual(stats.discarded["identical_to_record"], 2)
        XCTAssertNil(children.first { ($0.element["id"]?.stringValue ?? "").hasPrefix("t01") || ($0.element["id"]?.stringValue ?? "").hasPrefix("t02") })
        let parentByHash = Dictionary(uniqueKeysWithValues: zip(sink.hashes, sink.records).map { ($0.hex, $1) })
        for (k, child) in children {
            let parent = try XCTUnwrap(parentByHash[child["augmented_from"]?.stringValue ?? ""])
            XCTAssertEqual(sink.splits[k], "train")
            XCTAssertEqual(child["label"], parent["label"])
            XCTAssertNotEqual(child["text"], parent["text"])
            XCTAssertEqual(child["id"]?.stringValue?.hasPrefix((parent["id"]?.stringValue ?? "") + "#aug"), true)
            XCTAssertEqual(child["augmentation"], .array([.string("synonym_replacement")]))
            let adds = sink.ledger.filter { $0.recordHash == sink.hashes[k] && $0.action == .add }
            XCTAssertEqual(adds.map(\.rule), ["augment.synonym_replacement"])
            XCTAssertEqual(adds.first?.detail["augmented_from"], child["augmented_from"])
        }
        XCTAssertTrue(children.contains { $0.element["text"]?.stringValue == "质量很好，价钱便宜，快递也很快" || $0.element["text"]?.stringValue?.contains("很快") == true })
        // Ordinals: children after every ingested record, each once.
        let ordinals = sink.ledger.filter { $0.action == .add }.map(\.ordinal)
        XCTAssertTrue(ordinals.allSatisfy { $0 >= 18 })
        XCTAssertEqual(Set(ordinals).count, children.count)
    }

    func testChildrenAreTheSameOnAnyThreadCountAndInputOrder() throws {
        let augment = #"{"copies": 3, "operations": {"synonym_replacement": {"p": 0.7}, "random_swap": {"p": 0.5}, "random_deletion": {"p": 0.3}, "char_swap": {"p": 0.3}, "digits": {"p": 0.5}}, "synonyms": \#(Self.dictionaries)}"#
        let (one, _) = try Fixture.run(Self.pipeline(augment), threads: 1, batchSize: 3)
        let (two, _) = try Fixture.run(Self.pipeline(augment), threads: 2, batchSize: 50)
        XCTAssertEqual(one.hashes, two.hashes)
        let lines = try String(contentsOfFile: Self.reviews, encoding: .utf8).split(separator: "\n")
        let shuffled = FileManager.default.temporaryDirectory.appendingPathComponent("winnow-shuffled-\(UUID().uuidString).jsonl").path
        addTeardownBlock { try? FileManager.default.removeItem(atPath: shuffled) }
        try (lines.reversed().joined(separator: "\n") + "\n").write(toFile: shuffled, atomically: true, encoding: .utf8)
        let (reversed, _) = try Fixture.run(Self.pipeline(augment, input: shuffled), threads: 2, batchSize: 4)
        XCTAssertEqual(Set(one.hashes), Set(reversed.hashes), "the same children whatever the input order")
        let (otherSeed, _) = try Fixture.run(Self.pipeline(augment, seed: 6), threads: 2)
        XCTAssertNotEqual(Set(one.hashes), Set(otherSeed.hashes))
    }

    func testMaxShareCapsChildrenPerStratum() throws {
        let json = Self.pipeline(#"{"copies": 4, "max_share": 0.5, "stratify": "label", "operations": {"random_swap": {}, "char_swap": {}}}"#)
        let (sink, report) = try Fixture.run(json)
        for label in ["pos", "neg"] {
            let train = sink.records.indices.filter { sink.splits[$0] == "train" && sink.records[$0]["label"]?.stringValue == label }
            let kids = train.filter { sink.records[$0]["augmented_from"] != nil }.count
            XCTAssertLessThanOrEqual(Double(kids), 0.5 * Double(train.count) + 1e-9, label)
        }
        XCTAssertGreaterThan(report.stages[1].discarded["over_max_share"] ?? 0, 0)
    }

    func testInvalidAugmentPipelinesAreExplained() throws {
        let cases: [(String, String)] = [
            (#"{"dataset": "a", "inputs": [{"path": "\#(Self.reviews)"}], "stages": [{"augment": {"operations": {"random_swap": {}}}}, {"split": {}}]}"#,
             "put a `split` stage before it"),
            (Self.pipeline(#"{"splits": ["train", "test"], "operations": {"random_swap": {}}}"#), "`test` is a test split"),
            (Self.pipeline(#"{"splits": "trian", "operations": {"random_swap": {}}}"#), "did you mean `train`?"),
            (Self.pipeline(#"{"operations": {"synonym_replacement": {}}}"#), "needs synonyms"),
            (Self.pipeline(#"{"operations": {}}"#), "name at least one operation"),
            (Self.pipeline(#"{"operations": {"random_swap": {}}, "synonyms": {"wordnet": "/nonexistent"}}"#), "wordnet-base"),
            (Self.pipeline(#"{"operations": {"synonym_replacemnt": {}}}"#), "did you mean `synonym_replacement`?"),
            (#"{"dataset": "a", "inputs": [{"path": "\#(Self.reviews)"}], "stages": [{"split": {}}, {"augment": {"operations": {"random_swap": {}}}}, {"dedup": {}}]}"#,
             "`dedup` cannot follow `augment`"),
        ]
        for (json, words) in cases {
            XCTAssertThrowsError(try Fixture.compile(json), words) { XCTAssertTrue("\($0)".contains(words), "\(words): \($0)") }
        }
    }
}
