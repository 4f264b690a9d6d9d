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
