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

    /// With `keep: first` only kept records are hashed, when the second pass reaches them
    /// (`prepare`): every removal still names its kept copy's hash and cluster, whatever the batch
    /// size (the kept record in an earlier batch or in the same one) and thread count.
    func testKeepFirstNamesEachClusterAfterItsKeptRecordInEveryBatching() throws {
        let json = pipeline(Self.fixture, #"{"keep": "first"}"#)
        let reference = try Fixture.run(json, threads: 1).0
        let drops = reference.ledger.filter { $0.action == .drop }
        XCTAssertGreaterThanOrEqual(drops.count, 3)
        for drop in drops {
            let kept = try XCTUnwrap(drop.detail["kept"]?.stringValue)
            XCTAssertTrue(reference.hashes.contains { $0.hex == kept }, kept)
            XCTAssertEqual(drop.detail["cluster"]?.stringValue, "c-" + kept.prefix(12))
        }
        func details(_ sink: MemorySink) -> [String] { sink.ledger.map { JSONWriter.compact(.object($0.detail)) } }
        for (threads, batch) in [(1, 1), (2, 2), (2, 3)] {
            XCTAssertEqual(details(try Fixture.run(json, threads: threads, batchSize: batch).0), details(reference), "\(threads) threads, batches of \(batch)")
        }
        // Tagging: the members of a cluster carry the id its removals name.
        let tagged = try Fixture.run(pipeline(Self.fixture, #"{"keep": "first", "action": "tag"}"#), threads: 2, batchSize: 2).0
        let clusterOfA = tagged.records.filter { $0["id"]?.stringValue?.hasPrefix("a") == true }.map { $0["dedup_cluster"]?.stringValue }
        let removedA = try XCTUnwrap(drops.first { $0.provenance.line == 2 })
        XCTAssertEqual(clusterOfA, Array(repeating: removedA.detail["cluster"]?.stringValue, count: 3))
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

    func testContainmentRemovesExcerptsAndRewritesInsideALargerRecord() throws {
        let path = Fixture.path("fixtures/dedup/excerpts.jsonl")
        let config = #"{"methods": ["exact", "simhash", "containment"]}"#
        let (sink, report) = try Fixture.run(pipeline(path, config), threads: 1)
        XCTAssertEqual(keptIDs(sink), ["article", "unrelated", "zh-article"])
        let drops = sink.ledger.filter { $0.action == .drop }
        XCTAssertEqual(drops.count, 3)
        for drop in drops {
            XCTAssertEqual(drop.rule, "dedup.containment")
            XCTAssertEqual(drop.detail["method"]?.stringValue, "containment")
            // The kept copy is the article in the same language, which comes first or last in the input.
            let kept = drop.detail["kept_ordinal"]?.intValue
            XCTAssertEqual(kept, drop.provenance.line == 5 ? 5 : 0, "\(drop.detail)")
            XCTAssertGreaterThanOrEqual(drop.detail["containment"]?.doubleValue ?? 0, 0.12)
        }
        let excerpt = try XCTUnwrap(drops.first { $0.provenance.line == 3 })
        XCTAssertEqual(excerpt.detail["containment"]?.doubleValue, 1)
        XCTAssertEqual(excerpt.detail["cluster_size"]?.intValue, 3, "article, excerpt and rewrite")
        let summary = try XCTUnwrap(report.stages[0].summary)
        XCTAssertEqual(summary["removed_by"]?.objectValue?["dedup.containment"]?.intValue, 3)
        XCTAssertEqual(summary["containment"]?.objectValue?["compared"]?.intValue, 6)

        // Without the method, none of them is a near duplicate of the whole article.
        XCTAssertEqual(keptIDs(try Fixture.run(pipeline(path)).0).count, 6)
        // A threshold above the rewrite's share keeps it.
        let strict = keptIDs(try Fixture.run(pipeline(path, #"{"methods": ["containment"], "containment": {"threshold": 0.9}}"#)).0)
        XCTAssertEqual(strict, ["article", "unrelated", "rewrite", "zh-article"])
        // Order and threads do not matter.
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        let reversed = FileManager.default.temporaryDirectory.appendingPathComponent("excerpts-reversed-\(UUID().uuidString).jsonl").path
        try (lines.reversed().joined(separator: "\n") + "\n").write(toFile: reversed, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: reversed) }
        XCTAssertEqual(Set(try Fixture.run(pipeline(reversed, config), threads: 2, batchSize: 2).0.hashes), Set(sink.hashes))
    }

    func testContainmentSettingsWithoutTheMethodAreAnError() {
        let config = #"{"containment": {"threshold": 0.5}}"#
        XCTAssertThrowsError(try Fixture.compile(pipeline(Fixture.path("fixtures/dedup/excerpts.jsonl"), config))) { error in
            XCTAssertTrue("\(error)".contains("need `containment` in `methods`"), "\(error)")
        }
    }
}
