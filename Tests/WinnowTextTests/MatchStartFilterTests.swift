import XCTest
import WinnowText

/// The start filter (`RegexPattern.filteringStarts()`) must change only where PCRE2 is called, never
/// what is found: the same matches as the plain search, for patterns that qualify and for those
/// that do not, on random text made of the characters cleaning rules care about.
final class MatchStartFilterTests: XCTestCase {
    static let pieces = [" ", "  ", "\t", "\n", "\n\n\n", " \n", "\n ", "\r\n", "\u{3000}", "\u{A0}", "\u{200B}", "\u{FEFF}",
                         "\u{1B}[31m", "\u{1B}[0m", "\u{7}", "\u{85}", "\u{2028}", ".", "...", ",", "-", "—", "“", "”", "a", "The",
                         "word", "x1", "0", "2024", "中", "文本", "。", "，", "ß", "é", "😀", "\u{301}", "http://x.y/z", "www.a.b"]

    static func randomTexts(count: Int, seed: UInt64) -> [String] {
        var state = seed
        func next() -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int(state >> 33)
        }
        return (0..<count).map { _ in
            var s = ""
            for _ in 0..<(next() % 120) { s += pieces[next() % pieces.count] }
            return s
        }
    }

    func testFilteredSearchFindsTheSameMatches() throws {
        let sources = [#"[^\S\n]+"#, #" ?\n ?"#, #" \n ?|\n "#, #"\n{3,}"#, #"\x1b\[[0-9;]*[A-Za-z]"#,
                       #"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u2028\u2029\u2060\ufeff]"#,
                       #"(?:[\t-\r \x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}]){2,}|(?!\x{20})(?:[\t-\r \x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}])"#,
                       #"(?m)$"#, #"(?=\n)"#, #"-+"#, #"\s*,\s*"#, #"[\p{P}]{2,}"#, #"\r\n|\r"#, #"\.{3}"#, #"[“”]"#, #"😀+"#,
                       #"[^\p{L}\p{N}\s]+"#, #"\h+$"#, #"^\s+"#, #"(?m)^\s+"#, #"\R"#, #"(?i)ß"#, #"\s*"#, #"。+|，"#,
                       #"\x{3000}|\x{a0}"#, #"(?<=a)\s"#, #"\bwww\."#, #"[a-z]+"#, #"\u0301"#, #" (?=\n)"#, #"\n(?! )"#,
                       #"(?:https?|ftp)://\S+|\bwww\.[^\s/]+\S*"#, #"\bThe\b"#, #"\Bor"#, #"-\b"#, #"\B-"#, #"\bx1"#,
                       #"\AThe"#, #"\Awww"#, #"(?<w>wo)rd\b"#, #"\b\d{4}\b"#, #"\b。"#, #"。\B"#,
                       #"x?\b$"#, #"\b$"#, #"\.?\B$"#, #"-?\b\z"#]
        let texts = MatchStartFilterTests.randomTexts(count: 1500, seed: 11)
        var filtered = 0
        for source in sources {
            let plain = try RegexPattern(source).makeMatcher()
            let pattern = try RegexPattern(source).filteringStarts()
            if pattern.filtersStarts { filtered += 1 }
            let skipping = try pattern.makeMatcher()
            for text in texts {
                var bytes = text
                try bytes.withUTF8 { buf in
                    XCTAssertEqual(try plain.matchRanges(in: buf), try skipping.matchRanges(in: buf), "\(source) on \(text.debugDescription)")
                }
                XCTAssertEqual(try plain.firstMatch(in: text), try skipping.firstMatch(in: text), source)
            }
        }
        XCTAssertGreaterThanOrEqual(filtered, 28, "most of these patterns should qualify")
    }

    func testWhichPatternsQualify() throws {
        for source in [#"[^\S\n]{2,}"#, #" ?\n ?"#, #"\n{3,}"#, #"\x1b\[[0-9;]*[A-Za-z]"#, #"[\x{3000}\x{a0}]+"#, #"(?m)$"#,
                       #"\bwww\."#, #"(?:https?|ftp)://\S+|\bwww\.[^\s/]+\S*"#, #"\bThe\b"#] {
            XCTAssertTrue(try RegexPattern(source).filteringStarts().filtersStarts, source)
        }
        // A lookbehind group, `\G`, verbs, starts common text makes often (a space alone), or not asked for.
        for source in [#"[^\S\n]+"#, #"(?<=x)\s"#, #"(?<!x)\b\s"#, #"\G\s"#, #"(*SKIP)\s"#, #"[a-z]+"#, #"\d+"#, #"\s*"#, #"."#, #"a"#,
                       #"[a-z]{3,}"#] {
            XCTAssertFalse(try RegexPattern(source).filteringStarts().filtersStarts, source)
        }
        XCTAssertFalse(try RegexPattern(#"\n{3,}"#).filtersStarts)
    }
}
