import XCTest
import WinnowCore
@testable import WinnowStages

final class DedupTests: XCTestCase {
    static let fixture = Fixture.path("fixtures/dedup/reviews.jsonl")

    func pipeline(_ path: String, _ dedup: String = "{}") -> String {
        #"{"dataset": "d", "inputs": [{"path": "\#(path)", "fields": {"id": "id"}}], "stages": [{"dedup": \#(dedup)}]}"#
    }

    func keptIDs(_ sink: MemorySink) -> Set<String> {
        Set(sink.records.compactMap { $0["id"]?.stringValue })
    }

    func testExactNearShortAndEmptyTexts() throws {
        let (sink, report) = try Fixture.run(pipeline(Self.fixture), threads: 1)
        let kept = keptIDs(sink)
        // a2 is the longest of three near copies (a1 differs in punctuation only, a3 by a character).
        XCTAssertTrue(kept.contains("a2"))
        XCTAssertFalse(kept.contains("a1") || kept.contains("a3"))
        // b1 and b2 are equal after NFKC case folding; one survives.
        XCTAssertEqual(kept.intersection(["b1", "b2"]).count, 1)
        // Texts too short to fingerprint are matched exactly: 好评 twice, 差评 once.
        XCTAssertEqual(kept.intersection(["c1", "c2"]).count, 1)
        XCTAssertTrue(kept.contains("c3"))
        // Empty and blank texts are never duplicates of each other.
        XCTAssertTrue(kept.isSuperset(of: ["f1", "f2", "f3", "e1"]))

        let drops = sink.ledger.filter { $0.action == .drop }
        XCTAssertEqual(drops.count, report.stages[0].dropped)
        let near = try XCTUnwrap(drops.first { $0.provenance.line == 3 })
        XCTAssertEqual(near.rule, "dedup.simhash")
        XCTAssertEqual(near.detail["method"]?.stringValue, "simhash")
        XCTAssertEqual(near.detail["kept_ordinal"]?.intValue, 1)
        XCTAssertNotNil(near.detail["distance"]?.intValue)
        XCTAssertGreaterThan(near.detail["jaccard"]?.doubleValue ?? 0, 0.5)
        XCTAssertEqual(near.detail["cluster_size"]?.intValue, 3)
        let short = try XCTUnwrap(drops.first { $0.provenance.line == 7 || $0.provenance.line == 8 })
        XCTAssertEqual(short.rule, "dedup.exact")

        let summary = try XCTUnwrap(report.stages[0].summary)
        XCTAssertEqual(summary["removed"]?.intValue, drops.count)
        XCTAssertEqual(summary["cluster_sizes"]?.objectValue?["3-4"]?.intValue, 1)
    }

    func testInputOrderAndThreadsDoNotChangeTheOutcome() throws {
        let lines = try String(contentsOfFile: Self.fixture, encoding: .utf8).split(separator: "\n")
        let reversed = FileManager.default.temporaryDirectory.appendingPathComponent("dedup-reversed-\(UUID().uuidString).jsonl").path
        try (lines.reversed().joined(separator: "\n") + "\n").write(toFile: reversed, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: reversed) }
        let reference = try Fixture.run(pipeline(Self.fixture), threads: 1).0
        for (path, threads) in [(Self.fixture, 2), (reversed, 1), (reversed, 2)] {
            let other = try Fixture.run(pipeline(path), threads: threads, batchSize: 3).0
            XCTAssertEqual(Set(other.hashes), Set(reference.hashes), "\(path) threads \(threads)")
        }
    }

    func testKeepPolicies() throws {
        let first = keptIDs(try Fixture.run(pipeline(Self.fixture, #"{"keep": "first"}"#)).0)
        XCTAssertTrue(first.isSuperset(of: ["a1", "b1", "c1"]))
        let shortest = keptIDs(try Fixture.run(pipeline(Self.fixture, #"{"keep": "shortest"}"#)).0)
        XCTAssertFalse(shortest.contains("a2"))
        let byField = keptIDs(try Fixture.run(pipeline(Self.fixture, #"{"keep": "field", "keep_field": "id", "keep_order": "max"}"#)).0)
        XCTAssertTrue(byField.isSuperset(of: ["a3", "b2", "c2"]))
        let exactOnly = keptIDs(try Fixture.run(pipeline(Self.fixture, #"{"methods": ["exact"]}"#)).0)
        XCTAssertTrue(exactOnly.isSuperset(of: ["a1", "a2", "a3"]))
    }

    func testImpossibleSettingsAreReportedWithTheirPath() {
        for (config, path, words) in [
            (#"{"simhash": {"k": 6, "blocks": 6}}"#, "$.stages[0].dedup.simhash.blocks", "smaller than the number of blocks"),
            (#"{"keep": "field"}"#, "$.stages[0].dedup.keep", "needs `keep_field`"),
            (#"{"simhash": {"bits": 96}}"#, "$.stages[0].dedup.simhash.bits", "64 or 128"),
        ] {
            XCTAssertThrowsError(try Fixture.compile(pipeline(Self.fixture, config))) { error in
                let text = "\(error)"
                XCTAssertTrue(text.contains(path) && text.contains(words), text)
            }
        }
        XCTAssertThrowsError(try Fixture.compile(pipeline(Self.fixture, #"{"simhash": {"char_n": 0}}"#)))
    }
}
