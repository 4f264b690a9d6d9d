import XCTest
import WinnowCore
@testable import WinnowStages

final class SplitTests: XCTestCase {
    func testLargestRemainderCountsMatchTheWorkedExamples() {
        // FORMATS.md 5.2, with deterministic ties (earlier split first).
        XCTAssertEqual(SplitPlanner(ratios: [0.75, 0.25]).counts(100), [75, 25])
        XCTAssertEqual(SplitPlanner(ratios: [0.7, 0.3]).counts(10), [7, 3])
        XCTAssertEqual(SplitPlanner(ratios: [0.5, 0.3, 0.2]).counts(3), [1, 1, 1])
        XCTAssertEqual(SplitPlanner(ratios: [0.8, 0.1, 0.1]).counts(575), [460, 58, 57])
    }

    func testEveryCountIsWithinOneOfItsShareAndEverySplitGetsOneWhenPossible() {
        let planner = SplitPlanner(ratios: [0.8, 0.1, 0.1])
        for n in 0...400 {
            let c = planner.counts(n)
            XCTAssertEqual(c.reduce(0, +), n)
            if n >= 3 {
                XCTAssertTrue(c.allSatisfy { $0 >= 1 }, "\(n): \(c)")
            }
            if n >= 20 {
                for (k, r) in [0.8, 0.1, 0.1].enumerated() { XCTAssertLessThanOrEqual(abs(Double(c[k]) - r * Double(n)), 1, "\(n): \(c)") }
            }
        }
        // Fewer records than splits: the largest shares first.
        XCTAssertEqual(planner.counts(2), [1, 1, 0])
        XCTAssertEqual(SplitPlanner(ratios: [0.1, 0.8, 0.1]).counts(1), [0, 1, 0])
    }

    func testGroupsStayTogetherAndStrataStayClose() {
        var entries: [SplitPlanner.Entry] = []
        var rng = UInt64(7)
        func next() -> UInt64 { rng = rng &* 6364136223846793005 &+ 1442695040888963407; return rng }
        for g in 0..<300 {
            let size = 1 + Int(next() % 4)
            for _ in 0..<size { entries.append(.init(key: next(), stratum: Int32(next() % 3), group: Int32(g))) }
        }
        let plan = SplitPlanner(ratios: [0.8, 0.1, 0.1]).plan(entries, strata: 3)
        var splitOfGroup: [Int32: Int8] = [:]
        for (i, e) in entries.enumerated() {
            if let s = splitOfGroup[e.group] { XCTAssertEqual(s, plan.assignment[i]) } else { splitOfGroup[e.group] = plan.assignment[i] }
        }
        let test = plan.assignment.filter { $0 == 2 }.count
        XCTAssertEqual(Double(test), 0.1 * Double(entries.count), accuracy: 0.03 * Double(entries.count))
    }

    func testEarlierAssignmentsAreKeptAndNewRecordsFillWhatIsOwed() {
        var entries = (0..<90).map { SplitPlanner.Entry(key: UInt64($0) &* 0x9E37_79B9_7F4A_7C15, stratum: 0) }
        let first = SplitPlanner(ratios: [0.8, 0.1, 0.1]).plan(entries, strata: 1).assignment
        for i in entries.indices { entries[i].fixed = first[i] }
        entries += (90..<100).map { SplitPlanner.Entry(key: UInt64($0) &* 0x9E37_79B9_7F4A_7C15, stratum: 0) }
        let second = SplitPlanner(ratios: [0.8, 0.1, 0.1]).plan(entries, strata: 1).assignment
        XCTAssertEqual(Array(second.prefix(90)), first)
        XCTAssertEqual([0, 1, 2].map { s in second.filter { $0 == s }.count }, [80, 10, 10])
    }

    func testTimeOrderKeepsEqualTimesTogether() {
        let times: [Double] = [5, 1, 1, 2, 3, 3, 3, 3, 4, 9]
        let entries = times.enumerated().map { SplitPlanner.Entry(key: UInt64($0.offset), stratum: 0, time: $0.element) }
        let a = SplitPlanner(ratios: [0.5, 0.2, 0.3]).planByTime(entries, cutoffs: nil)
        for i in entries.indices { for j in entries.indices where a[i] < a[j] { XCTAssertLessThan(times[i], times[j]) } }
        let c = SplitPlanner(ratios: [0.5, 0.5]).planByTime(entries, cutoffs: [3])
        XCTAssertEqual(c, times.map { $0 >= 3 ? 1 : 0 })
    }

    func testTimeValues() {
        XCTAssertEqual(TimeValue.parse("1970-01-02"), 86400)
        XCTAssertEqual(TimeValue.parse("2024-05-01T12:30:00Z"), 1_714_566_600)
        XCTAssertEqual(TimeValue.parse("2024-05-01 20:30:00+08:00"), 1_714_566_600)
        XCTAssertEqual(TimeValue.parse("2024-05-01T12:30:00.5Z"), 1_714_566_600.5)
        XCTAssertEqual(TimeValue.parse(.number(JSONNumber(1_700_000_000))), 1_700_000_000)
        XCTAssertNil(TimeValue.parse("yesterday"))
        XCTAssertNil(TimeValue.parse("2024-13-01"))
    }

    func testInvalidSplitSettingsAreReported() {
        let fixture = Fixture.path("fixtures/split/events.jsonl")
        for (config, words) in [
            (#"{"ratios": {"train": 0.8, "test": 0.3}}"#, "add up to"),
            (#"{"time": {"cutoffs": ["2024-05-01"]}}"#, "need 2 cutoffs"),
            (#"{"time": {}, "stratify": "label"}"#, "cannot also be stratified"),
            (#"{"ratios": {"a": 0.5, "b": 0.5}, "time": {"cutoffs": ["someday"]}}"#, "not a date"),
        ] {
            let json = #"{"dataset": "s", "inputs": [{"path": "\#(fixture)"}], "stages": [{"split": \#(config)}]}"#
            XCTAssertThrowsError(try Fixture.compile(json), config) { XCTAssertTrue("\($0)".contains(words), "\($0)") }
        }
    }

    func testSplitSetsTheRecordsSplitWithoutChangingItsHash() throws {
        let fixture = Fixture.path("fixtures/split/events.jsonl")
        let json = #"{"dataset": "s", "seed": 3, "inputs": [{"path": "\#(fixture)"}], "stages": [{"split": {"stratify": "label"}}]}"#
        let plain = #"{"dataset": "s", "inputs": [{"path": "\#(fixture)"}]}"#
        let (split, report) = try Fixture.run(json, threads: 2, batchSize: 50)
        let (unsplit, _) = try Fixture.run(plain)
        XCTAssertEqual(split.hashes, unsplit.hashes)
        XCTAssertEqual(report.stages[0].summary?["splits"]?.objectValue?["train"]?.intValue, 192)
    }
}
