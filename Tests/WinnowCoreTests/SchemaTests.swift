import XCTest
@testable import WinnowCore

final class SchemaTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func diagnostics(_ text: String) -> [Diagnostic] {
        do {
            _ = try PipelineLoader.load(bytes: Array(text.utf8), file: "p.json")
            return []
        } catch WinnowError.invalidPipeline(_, let d) {
            return d
        } catch {
            XCTFail("unexpected \(error)")
            return []
        }
    }

    func testReportsEveryProblemAtOnceWithSuggestions() {
        let d = diagnostics("""
        {
          "dataset": "x",
          "sed": 1,
          "inputs": [ { "path": "a.jsonl", "format": "csb", "fields": { "txt": "review" } } ],
          "stages": [ { "filter": { "min_chars": "ten" } }, { "cleen": {} }, {} ]
        }
        """)
        let lines = d.map(\.description)
        XCTAssertEqual(lines, [
            "3:3: $.sed: unknown key `sed`, did you mean `seed`?",
            "4:36: $.inputs[0].format: unknown value `csb`, did you mean `csv`?",
            "4:65: $.inputs[0].fields.txt: unknown key `txt`, did you mean `text`?",
            "5:29: $.stages[0].filter.min_chars: expected integer, got string",
            "5:55: $.stages[1].cleen: unknown stage `cleen`, did you mean `clean`?",
            "5:70: $.stages[2]: empty stage; write one of `html`, `clean`, `regex`, `filter`, `fields`, `fill`, `outliers`, `dedup`, `split`, `pii`, `augment`, `tokenize`",
        ])
    }

    func testMissingRequiredKeysAndBounds() {
        let d = diagnostics(#"{"max_error_rate": 2, "inputs": []}"#).map(\.message)
        XCTAssertTrue(d.contains("missing required key `dataset`"), "\(d)")
        XCTAssertTrue(d.contains("needs at least 1 item"), "\(d)")
        XCTAssertTrue(d.contains("must be at most 1, got 2"), "\(d)")
    }

    func testSyntaxErrorIsOneLine() {
        let d = diagnostics("{\n \"dataset\": \"x\",,\n}")
        XCTAssertEqual(d.count, 1)
        XCTAssertEqual(d.first?.location, SourceLocation(line: 2, column: 17))
    }

    func testCommittedSchemaFileMatchesTheSwiftDefinition() throws {
        let committed = try String(contentsOf: Self.root.appendingPathComponent("schemas/pipeline.schema.json"), encoding: .utf8)
        XCTAssertEqual(committed, PipelineSchema.jsonSchema,
                       "schemas/pipeline.schema.json is stale: regenerate it with `swift run winnow schema > schemas/pipeline.schema.json`")
    }

    func testSuggestionDistance() {
        XCTAssertEqual(Suggestion.closest(to: "rato", in: ["ratio", "seed"]), "ratio")
        XCTAssertNil(Suggestion.closest(to: "completely", in: ["seed", "dataset"]))
    }
}
