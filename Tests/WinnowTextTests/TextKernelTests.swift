import XCTest
import WinnowText

final class NormalizerTests: XCTestCase {
    func testNFKCFoldsFullWidthAndLigatures() throws {
        let nfkc = try UnicodeNormalizer(.nfkc)
        XCTAssertEqual(try nfkc.normalize("Ｆｕｌｌ－ｗｉｄｔｈ １２３ ﬁne"), "Full-width 123 fine")
        XCTAssertEqual(try nfkc.normalize("好，世界！"), "好,世界!")
        XCTAssertNil(try nfkc.normalize("plain ascii stays"), "ASCII is NFKC-invariant and must not be reported as changed")
        XCTAssertNil(try nfkc.normalize("已经规范的中文"))
    }

    func testNFCComposesButKeepsCompatibilityCharacters() throws {
        let nfc = try UnicodeNormalizer(.nfc)
        XCTAssertEqual(try nfc.normalize("e\u{301}"), "é")
        XCTAssertNil(try nfc.normalize("ﬁ"))
    }

    func testCaseFolding() throws {
        let folded = try UnicodeNormalizer(.nfkcCasefold)
        XCTAssertEqual(try folded.normalize("Straße ＡＢＣ"), "strasse abc")
        XCTAssertEqual(try foldCase("ÀB"), "àb")
        XCTAssertNil(try foldCase("already lower"))
    }

    /// ASCII runs skip ICU and the rest goes through ICU's UTF-8 entry points; the result must be
    /// ICU's normalization of the whole text through its UTF-16 C API, for every form, on text built to put combining marks, compatibility characters, conjoining jamo and
    /// upper case right at the cuts (after ASCII letters, `<`, in short and long ASCII gaps,
    /// next to runs of ideographs, kana and Hangul).
    func testCuttingAtASCIIGivesICUsWholeTextResult() throws {
        let pieces = ["e", "A", "<", "=", " ", "\n", "Z", "abc", String(repeating: "Long ASCII run ", count: 2),
                      "\u{301}", "\u{30A}", "\u{338}", "\u{345}", "\u{327}\u{301}", "ﬁ", "Ａ", "１", "ｶﾞ", "\u{1100}\u{1161}",
                      "\u{AC00}\u{11A8}", "ß", "İ", "Σ", "\u{FDFA}", "\u{AD}", "\u{200B}", "中文", "，", "\u{3000}", "😀", "\u{1E9E}",
                      String(repeating: "中文", count: 6), "ひらがなカタカナ漢字の文", String(repeating: "가", count: 10), "\u{3099}", "\u{1161}", "\u{11A8}"]
        var generator = SystemRandomNumberGenerator()
        var texts = ["e\u{301}", "x<\u{338}y", "A\u{30A}BC" + String(repeating: "z", count: 40) + "D\u{301}"]
        for _ in 0..<4000 {
            texts.append((0..<Int.random(in: 1...12, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined())
        }
        for form in NormalizationForm.allCases {
            let cut = try UnicodeNormalizer(form)
            var whole = try UnicodeNormalizer(form)
            whole.cutsAtASCII = false
            whole.convertsToUTF16 = true   // and through ICU's C API, the independent path
            for text in texts {
                let expected = try whole.normalize(text) ?? text
                let got = try cut.normalize(text) ?? text
                XCTAssertTrue(got.hasSameUTF8(as: expected), "\(form): \(text.unicodeScalars.map { String($0.value, radix: 16) }) gave \(got.debugDescription), ICU \(expected.debugDescription)")
                XCTAssertEqual(try cut.normalize(text) == nil, try whole.normalize(text) == nil, "\(form) changed-flag on \(text.debugDescription)")
            }
        }
    }

    func testExpansionBeyondTwiceTheInputLength() throws {
        // U+FDFA expands to 18 code units under NFKC.
        let nfkc = try UnicodeNormalizer(.nfkc)
        let out = try XCTUnwrap(try nfkc.normalize("\u{FDFA}"))
        XCTAssertEqual(out.unicodeScalars.count, 18)
    }
}

final class RegexTests: XCTestCase {
    func testReplaceWithGroupsAndNames() throws {
        let p = try RegexPattern(#"(?<user>\w+)@(\w+)\.com"#)
        XCTAssertEqual(p.groupNames, ["user"])
        let m = try p.makeMatcher()
        let (out, n) = try XCTUnwrap(try m.replaceAll(in: "mail bob@example.com or 张三@例子.com", with: try p.replacement("${user} at $2")))
        XCTAssertEqual(out, "mail bob at example or 张三 at 例子")
        XCTAssertEqual(n, 2)
        // A group that did not take part is empty; text after the last match is kept whole.
        let alternation = try RegexPattern("(a)|b")
        XCTAssertEqual(try alternation.makeMatcher().replaceAll(in: "ab中é", with: try alternation.replacement("[$1]"))?.0, "[a][]中é")
    }

    func testByteOffsetsOnUTF8() throws {
        let m = try RegexPattern("世界").makeMatcher()
        XCTAssertEqual(try m.firstMatch(in: "你好世界"), 6..<12)
    }

    func testEmptyMatchesAdvanceByCharacter() throws {
        let p = try RegexPattern("x*")
        let (out, _) = try XCTUnwrap(try p.makeMatcher().replaceAll(in: "a中b", with: try p.replacement("-")))
        XCTAssertEqual(out, "-a-中-b-")
    }

    func testIdentityReplacementIsNotAChange() throws {
        let p = try RegexPattern(#"[^\S\n]+"#)
        let m = try p.makeMatcher()
        XCTAssertNil(try m.replaceAll(in: "one two three", with: try p.replacement(" ")))
        XCTAssertEqual(try m.replaceAll(in: "one  two\u{3000}three", with: try p.replacement(" "))?.0, "one two three")
    }

    func testPythonStyleEscapes() throws {
        XCTAssertEqual(RegexPattern.translatingPythonEscapes(#"a\u00ADb\\u1234\U0001F600"#), #"a\x{00AD}b\\u1234\x{0001F600}"#)
        let m = try RegexPattern(#"[\u00ad\u200b\x{feff}]"#).makeMatcher()
        XCTAssertTrue(try m.matches("soft\u{AD}hyphen"))
        XCTAssertTrue(try m.matches("\u{FEFF}bom"))
        XCTAssertFalse(try m.matches("clean"))
    }

    func testInvalidPatternNamesTheOffset() {
        XCTAssertThrowsError(try RegexPattern("(unclosed")) { error in
            XCTAssertTrue("\(error)".contains("invalid regex `(unclosed`"), "\(error)")
            XCTAssertTrue("\(error)".contains("offset 9"), "\(error)")
        }
    }

    func testSingleCodeUnitEscapeIsRefused() {
        // `\C` could end a match inside a character; a replacement would then split it.
        XCTAssertThrowsError(try RegexPattern(#"中\C"#)) { error in
            XCTAssertTrue("\(error)".contains("invalid regex"), "\(error)")
        }
    }

    func testCatastrophicPatternIsStoppedNotHung() throws {
        let p = try RegexPattern("(a+)+$")
        let m = try p.makeMatcher(timeLimit: 200)
        let started = ContinuousClock.now
        XCTAssertThrowsError(try m.replaceAll(in: String(repeating: "a", count: 40) + "!", with: try p.replacement(""))) { error in
            XCTAssertTrue((error as? TextError)?.isTimeout == true, "\(error)")
        }
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(5))
    }

    func testManyCheapMatchesStopAtTheTimeLimit() throws {
        // No single match is slow here; the call as a whole runs past its limit.
        let p = try RegexPattern("a")
        let text = String(repeating: "a", count: 4_000_000)
        XCTAssertThrowsError(try p.makeMatcher(timeLimit: 1).replaceAll(in: text, with: try p.replacement("b"))) { error in
            XCTAssertTrue((error as? TextError)?.isTimeout == true, "\(error)")
        }
        let (replaced, count) = try XCTUnwrap(try p.makeMatcher(timeLimit: 0).replaceAll(in: "xaé中a", with: try p.replacement("[$0]")))
        XCTAssertEqual(replaced, "x[a]é中[a]")
        XCTAssertEqual(count, 2)
    }

    func testReplacementTemplateRejectsMissingGroups() throws {
        let p = try RegexPattern("(a)")
        XCTAssertThrowsError(try p.replacement("$3"))
        XCTAssertThrowsError(try p.replacement("${nope}"))
        XCTAssertEqual(try p.replacement(#"\$1 costs $1"#).pieces, [.literal("$1 costs "), .group(1)])
    }
}

final class WordAndCharsetTests: XCTestCase {
    func testWordCountsForChineseAndEnglish() throws {
        let segmenter = try WordSegmenter()
        XCTAssertEqual(try segmenter.wordCount("I like this book."), 4)
        // Dictionary segmentation: several words, never one run of Han characters.
        XCTAssertTrue((3...6).contains(try segmenter.wordCount("我喜欢这本书")))
        XCTAssertEqual(try segmenter.wordCount("  ,,, !!! "), 0)
        // Segments cover the text byte for byte, so editing words never loses the rest.
        let text = "Profit rose 5%, 质量很好！"
        let segments = try segmenter.segments(text)
        XCTAssertEqual(segments.map(\.text).joined(), text)
        XCTAssertEqual(segments.filter(\.isWord).map(\.text), ["Profit", "rose", "5", "质量", "很好"])
    }

    func testLegacyCharsetsDecode() throws {
        let latin1: [UInt8] = [0x43, 0x61, 0x66, 0xE9]
        XCTAssertEqual(String(decoding: try CharsetConverter(charset: "latin1").convertWhole(latin1.withUnsafeBufferPointer { $0 }), as: UTF8.self), "Café")
        let gb: [UInt8] = [0xD6, 0xD0, 0xCE, 0xC4]
        XCTAssertEqual(String(decoding: try gb.withUnsafeBufferPointer { try CharsetConverter(charset: "gb18030").convertWhole($0) }, as: UTF8.self), "中文")
        let utf16: [UInt8] = [0xFF, 0xFE, 0x2D, 0x4E, 0x87, 0x65]
        XCTAssertEqual(String(decoding: try utf16.withUnsafeBufferPointer { try CharsetConverter(charset: "utf-16").convertWhole($0) }, as: UTF8.self), "中文")
    }

    func testStrictConversionReportsTheOffset() throws {
        let bad: [UInt8] = [0x41, 0x42, 0x81]
        XCTAssertThrowsError(try bad.withUnsafeBufferPointer { try CharsetConverter(charset: "shift_jis").convertWhole($0) }) { error in
            XCTAssertTrue("\(error)".contains("byte offset"), "\(error)")
        }
        XCTAssertThrowsError(try CharsetConverter(charset: "no-such-charset"))
    }

    func testStreamingConversionAcrossChunkBoundaries() throws {
        let converter = try CharsetConverter(charset: "gb18030")
        let bytes: [UInt8] = [0xD6, 0xD0, 0xCE, 0xC4]
        var out: [UInt8] = []
        for k in 0..<bytes.count { out += try [bytes[k]].withUnsafeBufferPointer { try converter.convert($0, flush: false) } }
        out += try converter.convert(UnsafeBufferPointer(start: nil, count: 0), flush: true)
        XCTAssertEqual(String(decoding: out, as: UTF8.self), "中文")
    }

    func testInvalidUTF8Offset() {
        let good = Array("ok 中文".utf8), bad: [UInt8] = [0x61, 0x62, 0xFF, 0x63]
        XCTAssertNil(good.withUnsafeBufferPointer { firstInvalidUTF8Offset($0) })
        XCTAssertEqual(bad.withUnsafeBufferPointer { firstInvalidUTF8Offset($0) }, 2)
    }
}
