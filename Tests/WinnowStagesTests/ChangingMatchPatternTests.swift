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

    func testRecognisesALiteralWithOptionalNeighbours() {
        let around = ChangingMatchPattern.literalWithNeighbours(#" ?\n ?"#)
        XCTAssertEqual(around?.before, .init(item: " ", quantifier: "?"))
        XCTAssertEqual(around?.literal, #"\n"#)
        XCTAssertEqual(around?.after, .init(item: " ", quantifier: "?"))
        XCTAssertEqual(ChangingMatchPattern.literalWithNeighbours(#"[ \t]*\n"#)?.before, .init(item: #"[ \t]"#, quantifier: "*"))
        XCTAssertNil(ChangingMatchPattern.literalWithNeighbours(#"\s*\n"#)?.after)
        for other in [#" ?\n ??"#, #" *+\n"#, #"\s\n"#, #" ?[\n] ?"#, #" ?\s ?"#, #"a?b?c?"#, #"(a)?b"#, #"\1?\n"#, #"x?.?"#, #" ?\n ?x"#, #"\b?\n"#] {
            XCTAssertNil(ChangingMatchPattern.literalWithNeighbours(other), other)
        }
    }

    /// The derived pattern gives the same output and the same count of changing replacements as
    /// the rule's own pattern, on random text made of the class's members and their neighbours.
    func testSameReplacementsAsTheRulesOwnPattern() throws {
        let rules: [(String, String)] = [(#"[^\S\n]+"#, " "), (#"\s+"#, " "), (#"[ \t]+"#, " "), (#"[.]+"#, "."),
                                         (#"\p{Zs}+"#, " "), (#"[\x{3000} ]+"#, "\u{3000}"), (#"\d+"#, "0"), (#"[-–—]+"#, "-"),
                                         (#" ?\n ?"#, "\n"), (#"[ \t]*\n[ \t]*"#, "\n"), (#"\s*\n\s*"#, "\n"), (#"\s?\n"#, "\n"),
                                         (#"\n\s*"#, "\n"), (#" ?\x{3000} ?"#, "\u{3000}"), (#"\h*-\h?"#, "-")]
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
            // As the regex stage searches it: with the start filter where the pattern qualifies.
            let filtered = try derived.filteringStarts()
            let plain = try pattern.makeMatcher(), changing = try derived.makeMatcher(), skipping = try filtered.makeMatcher()
            for text in texts {
                let a = try plain.replaceAll(in: text, with: template)
                let b = try changing.replaceAll(in: text, with: template)
                let c = try skipping.replaceAll(in: text, with: template)
                XCTAssertEqual(a?.0, b?.0, "\(source) on \(text.debugDescription)")
                XCTAssertEqual(a?.1, b?.1, "\(source) on \(text.debugDescription)")
                XCTAssertEqual(b?.0, c?.0, "\(source) filtered on \(text.debugDescription)")
                XCTAssertEqual(b?.1, c?.1, "\(source) filtered on \(text.debugDescription)")
            }
        }
        XCTAssertNil(try ChangingMatchPattern.make(for: RegexPattern(#"\s+"#, caseInsensitive: true), replacement: RegexPattern(#"\s+"#).replacement(" ")))
        XCTAssertNil(try ChangingMatchPattern.make(for: RegexPattern(#"\s+"#), replacement: RegexPattern(#"\s+"#).replacement("  ")))
    }
}
