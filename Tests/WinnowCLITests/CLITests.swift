import XCTest
import Foundation

/// Drives the real `winnow` binary as a user would and checks exit codes and the text printed.
final class CLITests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    var work: URL!

    override func setUpWithError() throws {
        work = FileManager.default.temporaryDirectory.appendingPathComponent("winnow-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: work) }

    struct Result { var status: Int32; var out: String; var err: String }

    @discardableResult
    func winnow(_ args: String..., in directory: URL? = nil) throws -> Result {
        let process = Process()
        process.executableURL = Bundle.main.bundleURL.appendingPathComponent("winnow")
        process.arguments = args
        process.currentDirectoryURL = directory ?? work
        var env = ProcessInfo.processInfo.environment
        env["WINNOW_STORE"] = nil
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, out: String(decoding: o, as: UTF8.self), err: String(decoding: e, as: UTF8.self))
    }

    func testHelpListsTheCommands() throws {
        let r = try winnow("--help")
        XCTAssertEqual(r.status, 0)
        XCTAssertTrue(r.out.contains("OVERVIEW: Turn raw text into versioned, training-ready datasets."), r.out)
        for command in ["init", "validate", "run", "versions", "show", "diff", "export", "why", "verify", "tag", "tokenize", "schema"] {
            XCTAssertTrue(r.out.contains("\n  \(command) "), "help lacks `\(command)`:\n\(r.out)")
        }
        XCTAssertEqual(try winnow("--version").out, "0.1.0\n")
    }

    func testInvalidPipelinesGiveOneLineEachAndExitTwo() throws {
        let r = try winnow("validate", "fixtures/invalid-pipelines/misspelled-key.json", "fixtures/invalid-pipelines/bad-regex.json", in: Self.root)
        XCTAssertEqual(r.status, 2)
        XCTAssertEqual(r.err, """
        fixtures/invalid-pipelines/misspelled-key.json:5:19: $.stages[0].filter.min_chrs: unknown key `min_chrs`, did you mean `min_chars`?
        fixtures/invalid-pipelines/bad-regex.json:5:49: $.stages[0].regex.rules[0].pattern: invalid regex `(unclosed[group`: missing terminating ] for character class at offset 15

        """)
        let missing = try winnow("run", "no-such-pipeline.json")
        XCTAssertEqual(missing.status, 2)
        XCTAssertEqual(missing.err, "error: cannot read pipeline file `no-such-pipeline.json`: no such file\n")
        let badFlag = try winnow("run", "x.json", "--threads", "0")
        XCTAssertEqual(badFlag.status, 2)
        XCTAssertFalse(badFlag.err.contains("Backtrace"))
    }

    func testTheFiveMinuteTour() throws {
        XCTAssertEqual(try winnow("init", "tour").status, 0)
        let project = work.appendingPathComponent("tour")
        XCTAssertEqual(try winnow("validate", "pipeline.json", in: project).out, "pipeline.json: ok (dataset `reviews`, 1 input file, 4 stages)\n")

        let first = try winnow("run", "pipeline.json", in: project)
        XCTAssertEqual(first.status, 0, first.err)
        XCTAssertTrue(first.out.contains("built reviews@1"), first.out)
        XCTAssertTrue(first.out.contains("   regex.spam "), first.out)
        let again = try winnow("run", "pipeline.json", in: project)
        XCTAssertTrue(again.out.contains("unchanged: reviews@1"), again.out)

        let pipeline = project.appendingPathComponent("pipeline.json")
        let text = try String(contentsOf: pipeline, encoding: .utf8).replacingOccurrences(of: #""min_chars": 4"#, with: #""min_chars": 12"#)
        try text.write(to: pipeline, atomically: true, encoding: .utf8)
        XCTAssertTrue(try winnow("run", "pipeline.json", in: project).out.contains("built reviews@2"))

        let versions = try winnow("versions", in: project)
        XCTAssertTrue(versions.out.contains("reviews@1") && versions.out.contains("reviews@2"), versions.out)

        let diff = try winnow("diff", "reviews@1", "reviews@latest", in: project)
        XCTAssertEqual(diff.status, 0, diff.err)
        XCTAssertTrue(diff.out.contains("records: 0 added, 2 removed, 0 modified, 4 unchanged"), diff.out)
        XCTAssertTrue(diff.out.contains("  ~ $.stages[2].filter.min_chars: 4 -> 12"), diff.out)
        XCTAssertEqual(diff.out.components(separatedBy: "dropped by filter.min_chars [stage #3 filter]").count - 1, 2, diff.out)
        XCTAssertTrue(diff.out.contains("id=r7"), diff.out)

        let json = try JSONSerialization.jsonObject(with: Data(try winnow("diff", "reviews@1", "reviews@2", "--json", in: project).out.utf8)) as! [String: Any]
        let removed = ((json["splits"] as! [[String: Any]])[0]["removed"] as! [[String: Any]])
        XCTAssertEqual(Set(removed.map { $0["id"] as! String }), ["r2", "r7"])

        let why = try winnow("why", "data/reviews.jsonl:7", in: project)
        XCTAssertEqual(why.status, 0, why.err)
        XCTAssertTrue(why.out.contains("reviews@2: dropped  data/reviews.jsonl:7"), why.out)
        XCTAssertTrue(why.out.contains("dropped by filter.min_chars [stage #3 filter] (chars 10, min 12)"), why.out)
        XCTAssertTrue(why.out.contains("reviews@1: kept in split `all`  data/reviews.jsonl:7"), why.out)

        let export = try winnow("export", "reviews@2", "--format", "csv", in: project)
        XCTAssertEqual(export.out.split(separator: "\n").first, "id,text,label")
        XCTAssertEqual(export.out.split(separator: "\n").count, 5)
        XCTAssertTrue(try winnow("tag", "golden", "reviews@2", in: project).out.contains("golden -> reviews@2"))
        XCTAssertTrue(try winnow("show", "golden", in: project).out.contains("reviews@2"))

        let show = try winnow("show", "reviews@1", "--quarantine", "0", in: project)
        XCTAssertTrue(show.out.contains("labels: negative 1, neutral 1, positive 4"), show.out)
        XCTAssertTrue(show.out.contains("records: 6  (all 6)"), show.out)

        XCTAssertEqual(try winnow("verify", in: project).status, 0)
        let db = project.appendingPathComponent(".winnow/store.sqlite").path
        let tamper = Process()
        tamper.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        tamper.arguments = ["python3", "-c", """
        import sqlite3, sys
        c = sqlite3.connect(sys.argv[1])
        h = c.execute("select hash from version_records order by ordinal limit 1").fetchone()[0]
        c.execute("update objects set body = ?, encoding = 0, size = 19 where hash = ?", (b'{"text":"tampered"}', h))
        c.commit()
        print(h.hex())
        """, db]
        let pipe = Pipe()
        tamper.standardOutput = pipe
        try tamper.run()
        tamper.waitUntilExit()
        let hash = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let verify = try winnow("verify", in: project)
        XCTAssertEqual(verify.status, 1)
        XCTAssertTrue(verify.out.contains("BAD record \(hash): content hashes to"), verify.out)
        XCTAssertTrue(verify.out.contains("used by reviews@1 all data/reviews.jsonl:1"), verify.out)
    }

    /// `--compression` changes the bytes on disk, never the version: the same id with each codec,
    /// one store holding bodies of all three encodings reads back and verifies, and an unknown
    /// codec is a usage error.
    func testCompressionChoicesShareOneStore() throws {
        let data = work.appendingPathComponent("long.jsonl")
        let lines = (0..<40).map { k in
            let text = String(repeating: "record \(k) 文本 with enough words to compress. ", count: 12)
            return #"{"id":"d\#(k)","text":"\#(text)"}"#
        }
        try (lines.joined(separator: "\n") + "\n").write(to: data, atomically: true, encoding: .utf8)
        func pipeline(_ name: String, pattern: String) throws {
            let json = #"{"dataset": "long", "inputs": [{"path": "long.jsonl"}], "stages": [{"regex": {"rules": [{"name": "r", "pattern": "\#(pattern)", "replace": "X"}]}}]}"#
            try json.write(to: work.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        try pipeline("a.json", pattern: "record 1")
        try pipeline("b.json", pattern: "record 2")
        try pipeline("c.json", pattern: "record 3")
        func versionID(_ r: Result) -> Substring? { r.out.split(separator: "\n").first { $0.hasPrefix("built ") }?.split(separator: " ").dropFirst(2).first }
        let zstd = try winnow("run", "a.json", "--store", "s", "--compression", "zstd")
        XCTAssertEqual(zstd.status, 0, zstd.err)
        let elsewhere = try winnow("run", "a.json", "--store", "t")
        XCTAssertNotNil(versionID(zstd))
        XCTAssertEqual(versionID(zstd), versionID(elsewhere), "the codec must not change the version id")
        XCTAssertEqual(try winnow("run", "b.json", "--store", "s").status, 0)
        XCTAssertEqual(try winnow("run", "c.json", "--store", "s", "--compression", "none").status, 0)
        let count = Process()
        count.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        count.arguments = ["python3", "-c", "import sqlite3, sys; print(sorted(r[0] for r in sqlite3.connect(sys.argv[1]).execute('select distinct encoding from objects')))",
                           work.appendingPathComponent("s/store.sqlite").path]
        let pipe = Pipe()
        count.standardOutput = pipe
        try count.run()
        count.waitUntilExit()
        XCTAssertEqual(String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self), "[0, 1, 2]\n")
        XCTAssertEqual(try winnow("verify", "--store", "s").status, 0)
        for (version, pattern) in [("long@1", "record 1"), ("long@2", "record 2"), ("long@3", "record 3")] {
            let export = try winnow("export", version, "--store", "s")
            XCTAssertEqual(export.status, 0, export.err)
            let texts = export.out.split(separator: "\n")
            XCTAssertEqual(texts.count, 40)
            XCTAssertEqual(texts.filter { $0.contains(pattern) }.count, 0, version)
            XCTAssertTrue(texts[5].contains("record 5 文本"), version)
        }
        let bad = try winnow("run", "a.json", "--store", "s", "--compression", "gzip")
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.err.contains("lz4") && bad.err.contains("zstd"), bad.err)
    }

    func testBuildErrorsExitOne() throws {
        XCTAssertEqual(try winnow("init", "p").status, 0)
        let project = work.appendingPathComponent("p")
        let pipeline = project.appendingPathComponent("pipeline.json")
        let text = try String(contentsOf: pipeline, encoding: .utf8).replacingOccurrences(of: #""min_chars": 4"#, with: #""min_chars": 4000"#)
        try text.write(to: pipeline, atomically: true, encoding: .utf8)
        let r = try winnow("run", "pipeline.json", in: project)
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.err.hasPrefix("error: stage #3 `filter` dropped all 7 records"), r.err)
        XCTAssertEqual(try winnow("versions", in: project).out, "no versions yet\n")
        let unknown = try winnow("show", "reviews@3", in: project)
        XCTAssertEqual(unknown.status, 2)
        XCTAssertTrue(unknown.err.contains("no dataset `reviews`"), unknown.err)
    }
}

extension CLITests {
    /// `bench stages` runs a pipeline's record stages JSONL to JSONL: the same records out with
    /// one or two threads, PII tagged, and a clear refusal for a stage that needs every record.
    func testBenchStagesWritesTheStagedRecords() throws {
        let input = work.appendingPathComponent("in.jsonl")
        var lines: [String] = []
        for k in 0..<300 {
            lines.append(#"{"id":"r\#(k)","text":"订单 \#(k) 电话 13812345678，邮箱 a\#(k)@example.com\n下一行"}"#)
        }
        try (lines.joined(separator: "\n") + "\n").write(to: input, atomically: true, encoding: .utf8)
        let pipeline = work.appendingPathComponent("pii.json")
        try #"{"dataset": "b", "inputs": [{"path": "in.jsonl"}], "stages": [{"pii": {}}]}"#.write(to: pipeline, atomically: true, encoding: .utf8)
        var outputs: [String] = []
        for threads in ["1", "2"] {
            let out = work.appendingPathComponent("out\(threads).jsonl").path
            let r = try winnow("bench", "stages", "--pipeline", pipeline.path, "--input", input.path, "--output", out, "--threads", threads)
            XCTAssertEqual(r.status, 0, r.err)
            XCTAssertTrue(r.out.hasPrefix("300 records in"), r.out)
            XCTAssertTrue(r.out.contains("300 out, 300 changed, 0 dropped"), r.out)
            outputs.append(try String(contentsOfFile: out, encoding: .utf8))
        }
        XCTAssertEqual(outputs[0], outputs[1])
        XCTAssertTrue(outputs[0].hasPrefix(#"{"id":"r0","text":"订单 0 电话 <PHONE_CN>，邮箱 <EMAIL>\n下一行"}"#), outputs[0])
    }

    /// `bench stages` runs global stages too: dedup observes every record, decides, and a second
    /// pass drops the duplicates. The same records go on any thread count and with a stage before
    /// dedup (whose output is then spooled), and the dropped ids are the ones `winnow run` drops.
    func testBenchStagesRunsDedupLikeABuild() throws {
        let input = work.appendingPathComponent("in.jsonl")
        var lines: [String] = []
        // 120 unrelated texts (40 characters drawn from a pool per text), each three times.
        let pool = Array("的一是了我不人在他有这个上们来到时大地为子中你说生国年着就那和要她出也得里后自以会家可下而过天去能对小多然于心学么之都好看起发当没成只如事把还用第样道想作种开美总从无情己面最女但现前些所同日手又行意动方期它头经长儿回位分爱老因很给名法间斯知世什两次使身者被高已亲其进此话常与活正感")
        for k in 0..<300 {
            var state = UInt64(k % 120) &* 6364136223846793005 &+ 1442695040888963407
            var text = ""
            for _ in 0..<40 {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                text.append(pool[Int(state >> 33) % pool.count])
            }
            lines.append(#"{"id":"r\#(k)","text":"\#(text)"}"#)
        }
        lines.append("not json")
        try (lines.joined(separator: "\n") + "\n").write(to: input, atomically: true, encoding: .utf8)
        let project = work.appendingPathComponent("p")
        try FileManager.default.createDirectory(at: project, withIntermediateDirectories: true)
        var removed: [[String]] = []
        for (name, stages) in [("dedup", #"[{"dedup": {}}]"#), ("clean-dedup", #"[{"clean": {}}, {"dedup": {}}]"#)] {
            let pipeline = project.appendingPathComponent("\(name).json")
            try #"{"dataset": "b", "max_error_rate": 0.1, "inputs": [{"path": "../in.jsonl"}], "stages": \#(stages)}"#
                .write(to: pipeline, atomically: true, encoding: .utf8)
            var outputs: [String] = []
            for threads in ["1", "2"] {
                let out = work.appendingPathComponent("out-\(name)-\(threads).jsonl").path
                let ids = work.appendingPathComponent("ids-\(name)-\(threads).txt").path
                let r = try winnow("bench", "stages", "--pipeline", pipeline.path, "--input", input.path, "--output", out,
                                   "--dropped-ids", ids, "--threads", threads)
                XCTAssertEqual(r.status, 0, r.err)
                XCTAssertTrue(r.out.contains("301 records in"), r.out)
                XCTAssertTrue(r.out.contains("120 out, 0 changed, 180 dropped, 0 quarantined, 1 unreadable"), r.out)
                XCTAssertTrue(r.out.contains("dedup decides"), r.out)
                outputs.append(try String(contentsOfFile: out, encoding: .utf8))
                removed.append(try String(contentsOfFile: ids, encoding: .utf8).split(separator: "\n").map(String.init))
            }
            XCTAssertEqual(outputs[0], outputs[1])
            XCTAssertEqual(outputs[0].split(separator: "\n").count, 120)
            let inputLines = Set(lines)
            XCTAssertTrue(outputs[0].split(separator: "\n").allSatisfy { inputLines.contains(String($0)) },
                          "an unchanged record is written as it was read")
        }
        XCTAssertEqual(Set(removed.map { $0.joined(separator: ",") }).count, 1)
        XCTAssertEqual(removed[0].count, 180)
        // The same ids as a build drops.
        let build = try winnow("run", project.appendingPathComponent("dedup.json").path, "--quiet", in: project)
        XCTAssertEqual(build.status, 0, build.err)
        let dropped = try winnow("export", "b@latest", "--dropped", in: project)
        XCTAssertEqual(dropped.status, 0, dropped.err)
        let ids = dropped.out.split(separator: "\n").compactMap { line -> String? in
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            return (object?["record"] as? [String: Any])?["id"] as? String
        }
        XCTAssertEqual(ids.sorted(), removed[0].sorted())
    }
}
