import XCTest
import WinnowText

/// The ASCII fast paths of `WordSegmenter` (all segments, and words alone) must give ICU's segments exactly.
final class WordSegmenterTests: XCTestCase {
    static let data = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/data")

    func segments(_ segmenter: WordSegmenter, _ text: String) throws -> [String] {
        var out: [String] = []
        try segmenter.forEachSegment(text) { out.append("\($0.lowerBound)-\($0.upperBound)\($1 ? "w" : "")") }
        return out
    }

    func testFastPathGivesICUSegments() throws {
        let segmenter = try WordSegmenter()
        let icu = try WordSegmenter(asciiFastPath: false)
        var texts: [String] = []
        let reference = Self.data.appendingPathComponent("tokenizers/reference_text.jsonl")
        if let lines = try? String(contentsOf: reference, encoding: .utf8) {
            for line in lines.split(separator: "\n") {
                let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
                if let text = object?["text"] as? String { texts.append(text) }
            }
        } else {
            print("skipping real texts: \(reference.path) not found")
        }
        let alphabet: [String] = ["a", "Z", "q", "0", "7", " ", " ", " ", "  ", "\n", "\r", "\r\n", "\t", "\u{0B}", "\u{0C}", ".", ",", ";", ":",
                                  "'", "\"", "_", "-", "!", "$", "%", "@", "#", "/", "(", ")", "\u{7F}", "\u{01}", "é", "\u{301}", "\u{200D}",
                                  "\u{00A0}", "\u{3000}", "中", "文", "，", "😀", "🇫🇷", "ー", "カ", "١", "’", "ab", "cd", "12"]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<30_000 {
            texts.append((0..<Int.random(in: 1...24, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }.joined())
        }
        // Tokens longer than the word scan's bounds buffer (4,096 offsets) go to ICU whole.
        texts += [String(repeating: "ab,", count: 3000), "x " + String(repeating: "word-", count: 2000) + " y",
                  String(repeating: "a", count: 10_000)]
        var differences = 0, wordDifferences = 0
        for text in texts {
            let got = try segments(segmenter, text)
            let want = try segments(icu, text)
            if got != want {
                differences += 1
                if differences <= 5 { XCTFail("\(text.debugDescription): \(got) ≠ \(want)") }
            }
            // `forEachWord` (shingling's one-pass path) gives exactly ICU's word segments.
            var words: [String] = []
            var utf8 = text
            try utf8.withUTF8 { buf in try segmenter.forEachWord(in: buf) { words.append("\($0.lowerBound)-\($0.upperBound)w") } }
            let wantWords = want.filter { $0.hasSuffix("w") }
            if words != wantWords {
                wordDifferences += 1
                if wordDifferences <= 5 { XCTFail("words of \(text.debugDescription): \(words) ≠ \(wantWords)") }
            }
        }
        XCTAssertEqual(differences, 0)
        XCTAssertEqual(wordDifferences, 0)
        XCTAssertGreaterThan(texts.count, 30_000)
    }
}
