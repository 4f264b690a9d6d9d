import XCTest
import WinnowCore
@testable import WinnowStages

final class StageTests: XCTestCase {
    func record(_ text: String, _ extra: [(String, JSONValue)] = []) -> Record {
        Record(fields: JSONObject([("text", .string(text))] + extra), provenance: Provenance(input: 0, line: 1, byteOffset: 0), ordinal: 0)
    }

    func apply(_ stage: any Stage, _ r: inout Record) throws -> (StageVerdict, [String]) {
        let context = StageContext()
        let verdict = try stage.process(&r, context)
        return (verdict, context.changes.map(\.rule))
    }

    func testCleanNamesEachRuleThatFired() throws {
        let clean = try CleanStage(index: 0, config: JSONObject())
        var r = record("  Ｈｅｌｌｏ\u{200B}\u{7}  world \n\n\n again ")
        let (verdict, rules) = try apply(clean, &r)
        XCTAssertEqual(verdict, .keep)
        XCTAssertEqual(rules, ["clean.control", "clean.nfkc", "clean.whitespace", "clean.trim"])
        XCTAssertEqual(r.text, "Hello world\nagain")
        var untouched = record("Already clean.")
        XCTAssertEqual(try apply(clean, &untouched).1, [])
    }

    func testWhitespaceModes() throws {
        let collapse = try CleanStage(index: 0, config: JSONObject([("whitespace", .string("collapse"))]))
        var r = record("a \u{3000} b\n\nc")
        _ = try apply(collapse, &r)
        XCTAssertEqual(r.text, "a b c")
        let keep = try CleanStage(index: 0, config: JSONObject([("whitespace", .string("keep")), ("trim", .bool(false)), ("normalize", .string("none"))]))
        var k = record(" a  b ")
        XCTAssertEqual(try apply(keep, &k).1, [])
    }

    func testRegexActions() throws {
        let compiled = try Fixture.compile("""
        { "dataset": "r", "inputs": [ { "path": "\(Fixture.path("fixtures/quickstart/reviews.jsonl"))" } ],
          "stages": [ { "regex": { "rules": [
            { "name": "mask", "pattern": "\\\\d{3,}", "replace": "<NUM>" },
            { "name": "spam", "pattern": "buy now", "ignore_case": true, "action": "drop" },
            { "name": "needs-letter", "pattern": "\\\\p{L}", "action": "keep" } ] } } ] }
        """)
        let stage = compiled.stages[0]
        var a = record("order 12345 shipped")
        XCTAssertEqual(try apply(stage, &a).1, ["regex.mask"])
        XCTAssertEqual(a.text, "order <NUM> shipped")
        var b = record("BUY NOW please")
        XCTAssertEqual(try apply(stage, &b).0, .drop(rule: "regex.spam", detail: JSONObject([("match_at_byte", .number(JSONNumber(0)))])))
        var c = record("12 !!")
        if case .drop(let rule, _) = try apply(stage, &c).0 { XCTAssertEqual(rule, "regex.needs-letter") } else { XCTFail() }
    }

    func testRegexTimeLimitQuarantines() throws {
        let compiled = try Fixture.compile("""
        { "dataset": "r", "inputs": [ { "path": "\(Fixture.path("fixtures/quickstart/reviews.jsonl"))" } ],
          "stages": [ { "regex": { "time_limit_ms": 100, "rules": [ { "name": "evil", "pattern": "(a+)+$", "replace": "" } ] } } ] }
        """)
        var r = record(String(repeating: "a", count: 40) + "!")
        if case .quarantine(let reason) = try apply(compiled.stages[0], &r).0 {
            XCTAssertTrue(reason.contains("regex.evil"), reason)
            XCTAssertTrue(reason.contains("match limit"), reason)
        } else { XCTFail("expected quarantine") }
    }

    func testLengthFilterCountsCharactersAndWords() throws {
        let f = LengthFilterStage(index: 2, config: JSONObject([("min_chars", .number(JSONNumber(5))), ("min_words", .number(JSONNumber(3)))]))
        var short = record("好的")
        if case .drop(let rule, let detail) = try apply(f, &short).0 {
            XCTAssertEqual(rule, "filter.min_chars")
            XCTAssertEqual(detail["chars"], .number(JSONNumber(2)))
        } else { XCTFail() }
        var fewWords = record("Hello there")
        if case .drop(let rule, _) = try apply(f, &fewWords).0 { XCTAssertEqual(rule, "filter.min_words") } else { XCTFail() }
        var fine = record("我喜欢这本书")
        XCTAssertEqual(try apply(f, &fine).0, .keep)
    }

    func testFieldsRenameDropMap() throws {
        let s = FieldsStage(index: 0, config: try JSONParser.parse(#"{"rename":{"cat":"label"},"drop":["junk"],"map":{"label":{"1":"positive","0":"negative"}},"unmapped":"drop"}"#).objectValue!)
        var r = record("t", [("cat", .number(JSONNumber(1))), ("junk", .null)])
        let (verdict, rules) = try apply(s, &r)
        XCTAssertEqual(verdict, .keep)
        XCTAssertEqual(rules, ["fields.rename", "fields.drop", "fields.map.label"])
        XCTAssertEqual(r.fields.keys, ["text", "label"])
        XCTAssertEqual(r.fields["label"], .string("positive"))
        var odd = record("t", [("cat", .string("7"))])
        if case .drop(let rule, _) = try apply(s, &odd).0 { XCTAssertEqual(rule, "fields.map.label") } else { XCTFail() }
    }

    func testFillAndOutliersOnProducts() throws {
        let (sink, report) = try Fixture.run(try String(contentsOfFile: Fixture.path("pipelines/product-catalog.json"), encoding: .utf8)
            .replacingOccurrences(of: "../fixtures", with: Fixture.path("fixtures")))
        XCTAssertEqual(sink.records.count, 11, "the 9999 price is an outlier")
        XCTAssertFalse(sink.records.contains { $0["id"] == .string("p7") })
        let p2 = sink.records.first { $0["id"] == .string("p2") }!
        XCTAssertEqual(p2["rating"], .number(JSONNumber(4)), "median of the present ratings")
        let p3 = sink.records.first { $0["id"] == .string("p3") }!
        XCTAssertEqual(p3["label"], .string("household"), "mode tie between home and kitchen goes to the smaller text, then mapped")
        XCTAssertEqual(report.stages[1].rules["outliers.price"], 1)
        XCTAssertTrue(sink.ledger.contains { $0.rule == "outliers.price" && $0.action == .drop })
    }

    func testStageThatDropsEverythingFailsTheBuild() {
        XCTAssertThrowsError(try Fixture.run("""
        { "dataset": "x", "inputs": [ { "path": "\(Fixture.path("fixtures/quickstart/reviews.jsonl"))" } ],
          "stages": [ { "filter": { "min_chars": 100000 } } ] }
        """)) { error in
            XCTAssertTrue("\(error)".contains("stage #1 `filter` dropped all 20 records"), "\(error)")
        }
    }

    func testOutputIsIdenticalAcrossThreadsAndBatchSizes() throws {
        let json = try String(contentsOfFile: Fixture.path("pipelines/quickstart.json"), encoding: .utf8)
            .replacingOccurrences(of: "../fixtures", with: Fixture.path("fixtures"))
        let (one, _) = try Fixture.run(json, threads: 1, batchSize: 3)
        let (many, _) = try Fixture.run(json, threads: 4, batchSize: 7)
        XCTAssertEqual(one.hashes, many.hashes)
        XCTAssertEqual(one.ledger.map(\.rule), many.ledger.map(\.rule))
    }
}

final class CompilerTests: XCTestCase {
    func testSemanticProblemsAreReportedTogether() {
        XCTAssertThrowsError(try Fixture.compile("""
        {
          "dataset": "x",
          "inputs": [ { "path": "nowhere/*.jsonl", "encoding": "latn1" } ],
          "stages": [ { "regex": { "rules": [ { "pattern": "(" }, { "pattern": "a", "action": "drop", "replace": "b" } ] } },
                      { "filter": { "min_chars": 9, "max_chars": 3 } } ]
        }
        """)) { error in
            guard case WinnowError.invalidPipeline(_, let d) = error else { return XCTFail("\(error)") }
            let messages = d.map { "\($0.path): \($0.message)" }
            XCTAssertEqual(messages.count, 5, "\(messages)")
            XCTAssertTrue(messages.contains("$.inputs[0].encoding: unknown encoding `latn1`, did you mean `latin1`?"), "\(messages)")
            XCTAssertTrue(messages.contains { $0.hasPrefix("$.inputs[0].path: no input file matches `nowhere/*.jsonl`") }, "\(messages)")
            XCTAssertTrue(messages.contains { $0.hasPrefix("$.stages[0].regex.rules[0].pattern: invalid regex `(`") }, "\(messages)")
            XCTAssertTrue(messages.contains("$.stages[0].regex.rules[1].replace: `replace` is only used by `action: replace`"), "\(messages)")
            XCTAssertTrue(messages.contains("$.stages[1].filter.min_chars: `min_chars` (9) is larger than `max_chars` (3); every record would be dropped"), "\(messages)")
        }
    }

    func testInvalidFixturePipelines() throws {
        let expected = try JSONParser.parse(try String(contentsOfFile: Fixture.path("fixtures/invalid-pipelines.expected.json"), encoding: .utf8)).objectValue!
        for case let m in expected {
            let file = Fixture.path("fixtures/invalid-pipelines/\(m.key)")
            let want = m.value.objectValue!
            do {
                _ = try PipelineCompiler.compile(try PipelineLoader.load(path: file), file: file)
                XCTFail("\(m.key) should be invalid")
            } catch WinnowError.invalidPipeline(_, let diagnostics) {
                let first = diagnostics[0]
                XCTAssertEqual(first.path, want["path"]?.stringValue, m.key)
                XCTAssertEqual(first.location?.line, want["line"]?.intValue, m.key)
                XCTAssertEqual(first.location?.column, want["column"]?.intValue, m.key)
                XCTAssertTrue(first.message.contains(want["contains"]!.stringValue!), "\(m.key): \(first.message)")
            }
        }
    }
}

extension StageTests {
    /// The vector count of Unicode scalars agrees with the standard library's on every length and
    /// mix of one- to four-byte characters.
    func testScalarCountMatchesTheStandardLibrary() {
        let pieces = ["a", "é", "中", "😀", " ", "\n"]
        var state: UInt64 = 5
        for length in 0..<200 {
            var s = ""
            for _ in 0..<length {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                s += pieces[Int(state >> 33) % pieces.count]
            }
            XCTAssertEqual(scalarCount(s), s.unicodeScalars.count, s)
        }
    }
}
