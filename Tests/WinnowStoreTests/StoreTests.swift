import XCTest
import WinnowCore
import WinnowStages
@testable import WinnowStore

final class StoreTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("winnow-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    /// The quickstart pipeline with a given minimum length, written next to the fixtures' absolute path.
    func pipeline(minChars: Int, name: String = "p.json") throws -> String {
        let text = try String(contentsOf: Self.root.appendingPathComponent("pipelines/quickstart.json"), encoding: .utf8)
            .replacingOccurrences(of: "../fixtures", with: Self.root.appendingPathComponent("fixtures").path)
            .replacingOccurrences(of: #""min_chars": 2"#, with: #""min_chars": \#(minChars)"#)
        let file = dir.appendingPathComponent(name).path
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    @discardableResult
    func build(_ file: String, store: Store, threads: Int = 2) throws -> BuildResult {
        let compiled = try PipelineCompiler.compile(try PipelineLoader.load(path: file), file: file)
        return try store.build(definition: compiled.definition, source: compiled.makeSource(), decoder: compiled.decoder,
                               stages: compiled.stages, options: ExecutionOptions(threads: threads, maxErrorRate: compiled.definition.maxErrorRate,
                                                                                   temporaryDirectory: dir.path),
                               toolVersion: "test")
    }

    func testRebuildIsUnchangedAndNewRuleShowsInDiffAndWhy() throws {
        let store = try Store(directory: dir.appendingPathComponent(".winnow").path)
        let first = try build(try pipeline(minChars: 2), store: store)
        guard case .created(let v1, _) = first else { return XCTFail("first build must create a version") }
        XCTAssertEqual(v1.name, "quickstart@1")
        guard case .unchanged(let again, _) = try build(try pipeline(minChars: 2), store: store, threads: 1) else {
            return XCTFail("same inputs and pipeline must not add a version")
        }
        XCTAssertEqual(again.id, v1.id)
        XCTAssertEqual(try store.versions().count, 1)

        guard case .created(let v2, _) = try build(try pipeline(minChars: 10), store: store) else { return XCTFail() }
        XCTAssertEqual(v2.name, "quickstart@2")
        XCTAssertEqual(v2.parent, v1.id)
        let diff = try VersionDiff(store: store, from: v1, to: v2)
        let removed = diff.splits.flatMap(\.removed)
        XCTAssertEqual(removed.map { $0.id ?? "" }.sorted(), ["q06", "q20"], "exactly the records shorter than 10 characters")
        for r in removed {
            XCTAssertEqual(r.reasons.count, 1)
            XCTAssertTrue(r.reasons[0].hasPrefix("dropped by filter.min_chars [stage #3 filter]"), r.reasons[0])
        }
        XCTAssertEqual(diff.totals.added, 0)
        XCTAssertEqual(diff.totals.unchanged, 20)
        XCTAssertEqual(diff.pipeline.map(\.path), ["$.stages[2].filter.min_chars"])
        XCTAssertEqual(diff.labels.first { $0.label == "neutral" }.map { [$0.before, $0.after] }, [8, 6])

        let why = try RecordExplanation(store: store, query: removed[0].hash.short)
        let dropped = try XCTUnwrap(why.appearances.first { $0.version.id == v2.id })
        XCTAssertNil(dropped.split)
        XCTAssertTrue(dropped.ledger.contains { $0.hasPrefix("dropped by filter.min_chars") })
        XCTAssertNotNil(why.appearances.first { $0.version.id == v1.id && $0.split == "all" })
        let byLine = try RecordExplanation(store: store, query: "reviews.jsonl:\(removed[0].line)", version: v2)
        XCTAssertTrue(byLine.appearances.first?.ledger.first?.hasPrefix("dropped by filter.min_chars") == true)

        XCTAssertEqual(try store.resolve("quickstart@latest").id, v2.id)
        XCTAssertEqual(try store.resolve(String(v1.id.prefix(8))).id, v1.id)
        try store.tag("baseline", v1)
        XCTAssertEqual(try store.resolve("baseline").id, v1.id)
        XCTAssertThrowsError(try store.resolve("quickstart@9"))
        XCTAssertThrowsError(try store.resolve("quickstrat@1")) { error in
            XCTAssertTrue("\(error)".contains("did you mean `quickstart`?"), "\(error)")
        }
    }

    func testVerifyNamesATamperedRecord() throws {
        let store = try Store(directory: dir.appendingPathComponent(".winnow").path)
        let v = try build(try pipeline(minChars: 2), store: store).version
        XCTAssertTrue(try VerificationReport(store: store).ok)
        let victim = try store.records(of: v)[4]
        try store.database.prepare("UPDATE objects SET body = ?, encoding = 0, size = ? WHERE hash = ?")
            .run([.blob(Array(#"{"text":"tampered"}"#.utf8)), .int(19), .blob(victim.hash.bytes)])
        let report = try VerificationReport(store: store)
        XCTAssertFalse(report.ok)
        XCTAssertEqual(report.badRecords.map(\.hash), [victim.hash])
        let input = try store.inputs(of: v)[victim.input].path
        XCTAssertEqual(report.badRecords.first?.usedBy, ["quickstart@1 all \(input):\(victim.line)"])
    }

    func testFailedBuildLeavesNoTrace() throws {
        let store = try Store(directory: dir.appendingPathComponent(".winnow").path)
        _ = try build(try pipeline(minChars: 2), store: store)
        XCTAssertThrowsError(try build(try pipeline(minChars: 100_000), store: store))
        XCTAssertEqual(try store.versions().count, 1)
        XCTAssertEqual(try store.database.scalarInt("SELECT COUNT(*) FROM versions"), 1, "no pending version row may survive")
        XCTAssertEqual(try store.database.scalarInt("SELECT COUNT(*) FROM version_records"), 22)
    }

    func testExportRoundTripsRecordsInOriginalFieldOrder() throws {
        let store = try Store(directory: dir.appendingPathComponent(".winnow").path)
        let v = try build(try pipeline(minChars: 2), store: store).version
        var jsonl: [UInt8] = []
        XCTAssertEqual(try Exporter.export(store: store, version: v, split: nil, format: .jsonl) { jsonl += $0 }, 22)
        let lines = String(decoding: jsonl, as: UTF8.self).split(separator: "\n")
        XCTAssertEqual(lines.count, 22)
        XCTAssertTrue(lines[0].hasPrefix(#"{"id":"q01","text":"#), String(lines[0]))
        var csv: [UInt8] = []
        _ = try Exporter.export(store: store, version: v, split: "all", format: .csv) { csv += $0 }
        XCTAssertTrue(String(decoding: csv, as: UTF8.self).hasPrefix("id,text,label,source\n"))
        XCTAssertThrowsError(try Exporter.export(store: store, version: v, split: "test", format: .csv) { _ in })
    }

    func testMigrationsAreRecordedAndIdempotent() throws {
        let path = dir.appendingPathComponent(".winnow").path
        let store = try Store(directory: path)
        XCTAssertEqual(store.schemaVersion, Migrations.latestVersion)
        let reopened = try Store(directory: path)
        XCTAssertEqual(try reopened.database.scalarInt("SELECT COUNT(*) FROM schema_migrations"), Migrations.all.count)
        let mode = try reopened.database.prepare("PRAGMA journal_mode")
        XCTAssertTrue(try mode.step())
        XCTAssertEqual(mode.text(0), "wal")
    }

    func testAStoreFromTheFirstSchemaIsUpgradedInPlace() throws {
        let path = dir.appendingPathComponent(".winnow").path
        let v = try build(try pipeline(minChars: 2), store: try Store(directory: path)).version
        // Turn the store back into a schema-1 store, as the first release wrote it.
        let old = try Database(path: path + "/store.sqlite")
        try old.execute("DROP TABLE signatures; DROP TABLE signature_sets; DROP TABLE shard_files; DROP TABLE shard_sets; DELETE FROM schema_migrations WHERE version > 1;")
        // Schema 1 kept bodies in a table keyed by hash (WITHOUT ROWID).
        try old.execute("""
            CREATE TABLE objects_v1(hash BLOB PRIMARY KEY, encoding INTEGER NOT NULL, size INTEGER NOT NULL, body BLOB NOT NULL) WITHOUT ROWID;
            INSERT INTO objects_v1 SELECT hash, encoding, size, body FROM objects; DROP TABLE objects; ALTER TABLE objects_v1 RENAME TO objects;
            """)
        let bodies = try old.scalarInt("SELECT COUNT(*) FROM objects")
        let upgraded = try Store(directory: path)
        XCTAssertEqual(upgraded.schemaVersion, Migrations.latestVersion)
        XCTAssertEqual(try upgraded.database.scalarInt("SELECT COUNT(*) FROM objects"), bodies)
        XCTAssertEqual(try upgraded.database.scalarInt("SELECT COUNT(*) FROM pragma_table_info('objects') WHERE name = 'id'"), 1)
        XCTAssertEqual(try upgraded.versions().map(\.id), [v.id], "data written by the old schema survives the upgrade")
        XCTAssertEqual(try upgraded.shardSets(of: v).count, 0)
        XCTAssertTrue(try VerificationReport(store: upgraded).ok)
    }

    func testRegisteredShardsAreReHashedByVerify() throws {
        let store = try Store(directory: dir.appendingPathComponent(".winnow").path)
        let v = try build(try pipeline(minChars: 2), store: store).version
        let file = dir.appendingPathComponent("x_all_00000.bin").path
        try Data([1, 2, 3, 4]).write(to: URL(fileURLWithPath: file))
        let set = ShardSet(directory: dir.path, format: "megatron-mmidx-v1", tokenizerSHA256: "t", vocabularySize: 50_257, dtype: "uint16",
                           files: [.init(path: file, split: "all", documents: 1, tokens: 2, sha256: fileSHA256(file)!)])
        try store.register(set, manifest: .null, for: v)
        XCTAssertEqual(try store.shardSets(of: v).first?.tokensPerSplit.map(\.tokens), [2])
        XCTAssertTrue(try VerificationReport(store: store).ok)
        try Data([9, 9, 9, 9]).write(to: URL(fileURLWithPath: file))
        let report = try VerificationReport(store: store)
        XCTAssertEqual(report.badShards.map(\.path), [file])
        XCTAssertFalse(report.ok)
    }

    func testQuarantineIsStoredWithProvenance() throws {
        let file = dir.appendingPathComponent("bad.json").path
        try """
        { "dataset": "bad", "max_error_rate": 0.5, "inputs": [ { "path": "\(Self.root.appendingPathComponent("fixtures/ingest/bad-rows.jsonl").path)" } ] }
        """.write(toFile: file, atomically: true, encoding: .utf8)
        let store = try Store(directory: dir.appendingPathComponent(".winnow").path)
        let v = try build(file, store: store).version
        let q = try store.quarantine(of: v)
        XCTAssertEqual(q.map(\.line), [3, 4, 14])
        XCTAssertEqual(q.map(\.stage), ["ingest", "ingest", "ingest"])
        XCTAssertEqual(v.stats["quarantined"]?.intValue, 3)
    }
}
