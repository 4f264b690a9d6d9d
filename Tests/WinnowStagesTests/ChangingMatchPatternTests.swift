import XCTest
import WinnowCore
import WinnowText
@testable import WinnowStages

final class ChangingMatchPatternTests: XCTestCase {
    func testRecognisesOnlySingleClassRuns() {
        XCTAssertEqual(ChangingMatchPattern.classRun(#"[^\S\n]+"#), #"[^\S\n]"#)
        XCTAssertEqual(ChangingMatchPattern.classRun(#"\s+"#), #"\s"#)
        XCTAssertEqual(ChangingMatchPattern.classRun(#"\p{Zs}+"#), #"\p{Zs}"#)
        XCTAssertEqual(ChangingMatchPattern.classRun(#"[]a]+"#), #"[]a]"#)
        XCTAssertEqual(ChangingMatchPattern.classRun(#"[[:space:]x]+"#), #"[[:space:]x]"#)
        XCTAssertEqual(ChangingMatchPattern.classRun(#"[\]\\ ]+"#), #"[\]\\ ]"#)
        for other in [#"[ab][cd]+"#, #"a+"#, #"[ab]+?"#, #"[ab]*"#, #"\R+"#, #"[\Q]\E]+"#, #"(?i)[a]+"#, #"[ab]"#, #"\s+\n"#] {
            XCTAssertNil(ChangingMatchPattern.classRun(other), other)
        }
    }

    /// The derived pattern gives the same output and the same count of changing replacements as
    /// the rule's own pattern, on random text made of the class's members and their neighbours.
    func testSameReplacementsAsTheRulesOwnPattern() throws {
        let rules: [(String, String)] = [(#"[^\S\n]+"#, " "), (#"\s+"#, " "), (#"[ \t]+"#, " "), (#"[.]+"#, "."),
                                         (#"\p{Zs}+"#, " "), (#"[\x{3000} ]+"#, "\u{3000}"), (#"\d+"#, "0"), (#"[-–—]+"#, "-")]
        let pieces = [" ", "  ", "\t", "\n", "\u{3000}", "\u{A0}", ".", "..", "a", "中", "0", "12", "-", "–", "—", "\r\n",
                      "\u{85}", "\u{2028}", "\u{180E}", "\u{200B}", "\u{B}", "\u{C}", "٣", "\u{1680}"]
        var state: UInt64 = 3
        func next() -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int(state >> 33)
        }
        var texts: [String] = []
        for _ in 0..<3000 {
            var s = ""
            for _ in 0..<(next() % 30) { s += pieces[next() % pieces.count] }
            texts.append(s)
        }
        for (source, replace) in rules {
            let pattern = try RegexPattern(source)
            let template = try pattern.replacement(replace)
            let derived = try XCTUnwrap(ChangingMatchPattern.make(for: pattern, replacement: template), source)
            let plain = try pattern.makeMatcher(), changing = try derived.makeMatcher()
            for text in texts {
                let a = try plain.replaceAll(in: text, with: template)
                let b = try changing.replaceAll(in: text, with: template)
                XCTAssertEqual(a?.0, b?.0, "\(source) on \(text.debugDescription)")
                XCTAssertEqual(a?.1, b?.1, "\(source) on \(text.debugDescription)")
            }
        }
        XCTAssertNil(try ChangingMatchPattern.make(for: RegexPattern(#"\s+"#, caseInsensitive: true), replacement: RegexPattern(#"\s+"#).replacement(" ")))
        XCTAssertNil(try ChangingMatchPattern.make(for: RegexPattern(#"\s+"#), replacement: RegexPattern(#"\s+"#).replacement("  ")))
    }
}
