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
        // Longer texts of mostly plain words: many tokens are classified from sixteen-byte loads.
        let wordy = alphabet + ["word", "the", "of", " ", " ", " ", "Xy9", "a.b", "don't", "3.14", "e-mail", ".", ","]
        for _ in 0..<5_000 {
            texts.append((0..<Int.random(in: 20...80, using: &generator)).map { _ in wordy.randomElement(using: &generator)! }.joined())
        }
        // Tokens of printable ASCII that are cut by UAX #29 in C (`_`, `@`, and `.` `'` `,` `;` `:` `"`
        // between letters and digits), short and longer than sixteen bytes, beside ones that need ICU.
        let special = ["a", "b", "Q", "1", "9", "_", "__", "@", ".", "'", ",", ";", ":", "\"", "-", "(", "ab", "12", "a.b", "1,2",
                       " ", " ", " ", "\n", "é", "中"]
        for _ in 0..<20_000 {
            texts.append((0..<Int.random(in: 1...40, using: &generator)).map { _ in special.randomElement(using: &generator)! }.joined())
        }
        // Long stretches of plain prose, cut 64 bytes at a time with AVX-512 where the CPU has it,
        // with now and then a token that is not plain or needs ICU.
        let prose = ["word", "the", "of", "Xy9", "12", "a", " ", " ", " ", " ", " ", "\n", "\r\n", ".", ",", "(", ")", "-", "!"]
        let rare = ["don't", "a_b", "x@y", "3.14", "é", "中文", "\t", "\u{7F}", "a\"b"]
        for _ in 0..<5_000 {
            texts.append((0..<Int.random(in: 30...200, using: &generator)).map { _ in
                Int.random(in: 0..<40, using: &generator) == 0 ? rare.randomElement(using: &generator)! : prose.randomElement(using: &generator)!
            }.joined())
        }
        // Long tokens, plain and not.
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
            // `joinWords` (shingling's one-pass path) gives exactly ICU's words, each followed by
            // one space, and their starts.
            var utf8 = text
            let words = try utf8.withUTF8 { buf -> [String] in
                var joined = [UInt8](repeating: 0, count: 2 * buf.count + 18)
                var starts = [Int](repeating: 0, count: buf.count + 2)
                let count = try joined.withUnsafeMutableBufferPointer { j in
                    try starts.withUnsafeMutableBufferPointer { try segmenter.joinWords(in: buf, into: j.baseAddress!, starts: $0.baseAddress!) }
                }
                return (0..<count).map { k in
                    XCTAssertEqual(joined[starts[k + 1] - 1], 0x20)
                    return String(decoding: joined[starts[k]..<(starts[k + 1] - 1)], as: UTF8.self)
                }
            }
            let bytes = Array(text.utf8)
            let wantWords = want.filter { $0.hasSuffix("w") }.map { segment -> String in
                let bounds = segment.dropLast().split(separator: "-").compactMap { Int($0) }
                return String(decoding: bytes[bounds[0]..<bounds[1]], as: UTF8.self)
            }
            if words != wantWords {
                wordDifferences += 1
                if wordDifferences <= 5 { XCTFail("words of \(text.debugDescription): \(words) ≠ \(wantWords)") }
            }
        }
        XCTAssertEqual(differences, 0)
        XCTAssertEqual(wordDifferences, 0)
        XCTAssertGreaterThan(texts.count, 55_000)
    }
}
