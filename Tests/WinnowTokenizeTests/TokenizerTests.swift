import XCTest
import WinnowCore
@testable import WinnowTokenize

final class TokenizerTests: XCTestCase {
    static let data = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/data/tokenizers")

    func load(_ name: String) throws -> Tokenizer {
        let path = Self.data.appendingPathComponent("\(name)/tokenizer.json").path
        guard FileManager.default.fileExists(atPath: path) else { throw XCTSkip("shared tokenizers not found at \(Self.data.path)") }
        return try Tokenizer(contentsOf: path)
    }

    func lines(_ file: URL) throws -> [JSONObject] {
        try String(contentsOf: file, encoding: .utf8).split(separator: "\n").map { try JSONParser.parse(String($0)).objectValue! }
    }

    /// Every reference record must encode to HF's ids exactly and decode back to the text.
    func checkReference(_ name: String) throws {
        let tokenizer = try load(name)
        let texts = try lines(Self.data.appendingPathComponent("reference_text.jsonl"))
        let ids = try lines(Self.data.appendingPathComponent("\(name)/ids.jsonl"))
        XCTAssertEqual(texts.count, 1_970)
        let encoder = tokenizer.makeEncoder()
        var mismatches: [String] = []
        for (t, want) in zip(texts, ids) {
            let text = t["text"]!.stringValue!
            let expected = want["ids"]!.arrayValue!.map { Int32($0.intValue!) }
            let got = try encoder.encode(text)
            if got != expected { mismatches.append(t["id"]!.stringValue!) }
            else if tokenizer.decode(got) != text && name != "qwen2" { mismatches.append("decode:" + t["id"]!.stringValue!) }
        }
        XCTAssertEqual(mismatches, [], "\(name): \(mismatches.count) of \(texts.count) records differ from HF")
    }

    func testGPT2MatchesHFOnEveryReferenceRecord() throws { try checkReference("gpt2") }
    func testQwen2MatchesHFOnEveryReferenceRecord() throws { try checkReference("qwen2") }
    func testDeepSeekMatchesHFOnEveryReferenceRecord() throws { try checkReference("deepseek") }

    /// Characters premerged into one token before the merge loop must give the ids the loop gives
    /// from bytes: on every piece of the reference texts, and on every premerged character next to
    /// neighbours chosen to tempt a cross-boundary merge (its own bytes, spaces, other characters).
    func testPremergedCharactersChangeNoIDs() throws {
        let texts = try lines(Self.data.appendingPathComponent("reference_text.jsonl")).map { $0["text"]!.stringValue! }
        for (name, least) in [("qwen2", 15_000), ("deepseek", 5_000), ("gpt2", 10)] {
            let model = try load(name).model
            XCTAssertGreaterThan(model.premergedCount, least, name)
            print("\(name): \(model.premergedCount) characters may start as one token")
            var checked = 0
            func check(_ piece: [UInt8]) throws {
                var got: [Int32] = []
                try piece.withUnsafeBufferPointer { try model.encode($0, into: &got) }
                let want = piece.withUnsafeBufferPointer { model.encodeFromBytes($0) }
                XCTAssertEqual(got, want, "\(name): \(String(decoding: piece, as: UTF8.self))")
                checked += 1
            }
            for text in texts {
                // Whole texts as one piece exercise long runs; their words exercise the short loop.
                try check(Array(text.utf8.prefix(4_000)))
                for word in text.split(separator: " ") { try check(Array(word.utf8)) }
            }
            var generator = SystemRandomNumberGenerator()
            let tempting: [String] = [" ", "\u{3000}", "a", "的", "é", "、", "中国", "ー", "😀", "\n"]
            for value in stride(from: 0x80, to: 0x10000, by: 7) {
                guard let scalar = Unicode.Scalar(UInt32(value)) else { continue }
                let c = String(scalar)
                let other = String(Unicode.Scalar(UInt32.random(in: 0x4E00...0x9FFF, using: &generator))!)
                for left in tempting + [c, other] { try check(Array((left + c + other + c).utf8)) }
            }
            XCTAssertGreaterThan(checked, 100_000)
        }
    }

    /// The hand-written scanner must split exactly as PCRE2 does, for each recognised pattern: on
    /// the reference texts and on random strings mixing ASCII classes with the non-ASCII
    /// characters that decide matches (letters, digits, Unicode spaces, `ſ`, which folds to `s`).
    func testPreTokenScannerSplitsAsTheRegexEngine() throws {
        let texts = try lines(Self.data.appendingPathComponent("reference_text.jsonl")).map { $0["text"]!.stringValue! }
        let alphabet: [String] = ["a", "Z", "s", "S", "t", "e", "r", "v", "l", "L", "m", "d", "D", "k", "0", "7", "'", "'", "'", " ", " ", " ",
                                  "\t", "\n", "\r", "\u{0B}", "\u{0C}", ".", ",", "(", "-", "_", "\u{00A0}", "\u{3000}", "\u{85}",
                                  "é", "ſ", "中", "文", "，", "１", "٣", "Ⅷ", "😀", "\u{301}", "ß", "K"]
        var generator = SystemRandomNumberGenerator()
        let random = (0..<40_000).map { _ in (0..<Int.random(in: 1...24, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }.joined() }
        for source in [PreTokenizer.gpt2Pattern, PreTokenScanner.qwen2Pattern, PreTokenScanner.llama3Pattern] {
            let regex = try SplitRegex(source)
            let scanner = try XCTUnwrap(regex.scanner, source)
            let matcher = try regex.pattern.makeMatcher()
            var differences = 0
            for text in texts + random {
                let bytes = Array(text.utf8)
                try bytes.withUnsafeBufferPointer { buf in
                    let want = try matcher.matchRanges(in: buf)
                    let got = try scanner.matchRanges(in: buf, matcher)
                    if got != want {
                        differences += 1
                        if differences <= 5 { XCTFail("\(source.prefix(12))…: \(text.debugDescription): \(got) ≠ \(want)") }
                    }
                }
            }
            XCTAssertEqual(differences, 0, source)
        }
        XCTAssertNil(try SplitRegex(#"\p{N}{1,3}"#).scanner)
    }

    func testVectorsFromTheSpec() throws {
        let gpt2 = try load("gpt2").makeEncoder()
        XCTAssertEqual(try gpt2.encode("Hello world"), [15496, 995])
        XCTAssertEqual(try gpt2.encode("héllo  \n\nworld"), [71, 2634, 18798, 220, 220, 198, 198, 6894])
        XCTAssertEqual(try gpt2.encode("a<|endoftext|>b"), [64, 50256, 65])
        XCTAssertNotEqual(try gpt2.encode("a<|endoftext|>b", specialTokens: .text), [64, 50256, 65])
        let qwen = try load("qwen2")
        XCTAssertEqual(try qwen.makeEncoder().encode("Hello, world! 你好，世界。12345"), [9707, 11, 1879, 0, 220, 108386, 3837, 99489, 1773, 16, 17, 18, 19, 20])
        XCTAssertEqual(qwen.vocabularySize, 151_646)
    }

    /// Merges load in both written forms, keep the first rank of a repeated pair, and name the
    /// tokens of a merge the vocabulary lacks.
    func testMergesInBothFormsAndMissingTokens() throws {
        func tokenizer(_ merges: String) throws -> Tokenizer {
            let json = #"{"pre_tokenizer":{"type":"Split","pattern":{"Regex":"\\s+"},"behavior":"Removed","invert":false},"# +
                #""model":{"type":"BPE","vocab":{"a":0,"b":1,"c":2,"ab":3,"bc":4,"abc":5},"merges":"# + merges + "}}"
            return try Tokenizer(bytes: Array(json.utf8))
        }
        for merges in [#"["a b","ab c"]"#, #"[["a","b"],["ab","c"]]"#, #"["a b","ab c","a b"]"#] {
            XCTAssertEqual(try tokenizer(merges).makeEncoder().encode("abc ab ba"), [5, 3, 1, 0], merges)
        }
        // "b c" outranks "a b" here, so "abc" becomes a + bc (no merge a + bc exists).
        XCTAssertEqual(try tokenizer(#"["b c","a b","ab c"]"#).makeEncoder().encode("abc"), [0, 4])
        XCTAssertThrowsError(try tokenizer(#"["a b","a d"]"#)) { error in
            XCTAssertEqual("\(error)", "model BPE: merge 1 (`a`, `d`) uses a token missing from the vocabulary")
        }
        XCTAssertThrowsError(try tokenizer(#"["a b c"]"#)) { error in
            XCTAssertEqual("\(error)", "model BPE: merge 0 `a b c` is not two tokens separated by one space")
        }
    }

    func testUnsupportedComponentsAreRefusedByName() {
        let unigram = #"{"normalizer":null,"pre_tokenizer":{"type":"Whitespace"},"model":{"type":"BPE","vocab":{},"merges":[]}}"#
        XCTAssertThrowsError(try Tokenizer(bytes: Array(unigram.utf8))) { error in
            XCTAssertEqual("\(error)", "pre_tokenizer `Whitespace` is not supported (supported: Split, ByteLevel, Digits, Sequence)")
        }
        let model = #"{"pre_tokenizer":{"type":"ByteLevel"},"model":{"type":"Unigram","vocab":[]}}"#
        XCTAssertThrowsError(try Tokenizer(bytes: Array(model.utf8))) { error in
            XCTAssertEqual("\(error)", "model `Unigram` is not supported (only BPE)")
        }
        XCTAssertThrowsError(try Tokenizer(contentsOf: "/no/such/tokenizer.json"))
    }
}
