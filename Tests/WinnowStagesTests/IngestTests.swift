import XCTest
import WinnowCore
@testable import WinnowStages

/// Runs ingest + stages into memory, for tests that do not need a store.
final class MemorySink: BuildSink {
    var records: [JSONObject] = []
    var hashes: [RecordHash] = []
    var splits: [String] = []
    var ledger: [LedgerEntry] = []
    var quarantine: [QuarantineEntry] = []
    func consume(_ output: BatchOutput) throws {
        for r in output.records {
            let body = BodyCodec.decode(encoding: r.body.encoding, data: r.body.data, size: r.body.size)!
            records.append(try body.withUnsafeBufferPointer { try JSONParser.parse($0) }.objectValue!)
            hashes.append(r.hash)
            splits.append(r.split)
        }
        ledger += output.ledger
        quarantine += output.quarantine
    }
}

enum Fixture {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }
    static var sharedData: String { root.deletingLastPathComponent().appendingPathComponent("shared/data").path }

    /// Writes `json` as a pipeline in a fresh temporary directory and compiles it.
    static func compile(_ json: String) throws -> CompiledPipeline {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("winnow-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("pipeline.json").path
        try json.write(toFile: file, atomically: true, encoding: .utf8)
        return try PipelineCompiler.compile(try PipelineLoader.load(path: file), file: file)
    }

    static func run(_ json: String, threads: Int = 2, batchSize: Int = 2048) throws -> (MemorySink, ExecutionReport) {
        let compiled = try compile(json)
        let sink = MemorySink()
        let report = try Executor(stages: compiled.stages, options: ExecutionOptions(
            threads: threads, batchSize: batchSize, maxErrorRate: compiled.definition.maxErrorRate,
            temporaryDirectory: NSTemporaryDirectory()))
            .run(source: compiled.makeSource(), decoder: compiled.decoder, sink: sink)
        return (sink, report)
    }
}

final class IngestTests: XCTestCase {
    func testJSONLQuarantinesTruncatedNonJSONAndTextlessLines() throws {
        let (sink, report) = try Fixture.run("""
        { "dataset": "bad", "max_error_rate": 0.5,
          "inputs": [ { "path": "\(Fixture.path("fixtures/ingest/bad-rows.jsonl"))" } ] }
        """)
        XCTAssertEqual(sink.records.count, 10)
        XCTAssertEqual(report.quarantined, 3)
        let reasons = sink.quarantine.map { "\($0.provenance.line): \($0.reason)" }
        XCTAssertEqual(reasons.count, 3)
        XCTAssertTrue(reasons[0].hasPrefix("3: invalid JSON at column 1"), reasons[0])
        XCTAssertEqual(reasons[1], "4: missing text field `text`")
        XCTAssertTrue(reasons[2].hasPrefix("14: invalid JSON"), reasons[2])
        XCTAssertTrue(reasons[2].contains("unterminated string"), reasons[2])
        XCTAssertEqual(sink.quarantine[0].provenance.byteOffset, 92, "byte offset of line 3 = the two UTF-8 lines before it")
    }

    func testErrorBudgetAbortsTheBuild() {
        XCTAssertThrowsError(try Fixture.run("""
        { "dataset": "bad", "inputs": [ { "path": "\(Fixture.path("fixtures/ingest/bad-rows.jsonl"))" } ] }
        """)) { error in
            XCTAssertTrue("\(error)".contains("3 of 13 rows quarantined"), "\(error)")
            XCTAssertTrue("\(error)".contains("max_error_rate 1.0%"), "\(error)")
        }
    }

    func testInvalidUTF8QuarantinedOrReplaced() throws {
        let input = Fixture.path("fixtures/ingest/invalid-utf8.jsonl")
        let (strict, _) = try Fixture.run(#"{ "dataset": "u", "max_error_rate": 0.5, "inputs": [ { "path": "\#(input)" } ] }"#)
        XCTAssertEqual(strict.records.count, 2)
        XCTAssertEqual(strict.quarantine.first?.provenance.line, 2)
        XCTAssertTrue(strict.quarantine.first?.reason.contains("invalid UTF-8") == true)
        let (lenient, _) = try Fixture.run(#"{ "dataset": "u", "inputs": [ { "path": "\#(input)", "invalid_utf8": "replace" } ] }"#)
        XCTAssertEqual(lenient.records.count, 3)
        XCTAssertEqual(lenient.records[1]["text"], .string("bad byte \u{FFFD} here"))
    }

    func testCSVQuotesNewlinesBOMAndShortRows() throws {
        let (sink, _) = try Fixture.run("""
        { "dataset": "csv", "max_error_rate": 0.5, "inputs": [ { "path": "\(Fixture.path("fixtures/ingest/tricky.csv"))" } ] }
        """)
        XCTAssertEqual(sink.records.map { $0["id"]?.stringValue ?? "" }, ["t1", "t2", "t3", "t4", "t6"])
        XCTAssertEqual(sink.records[0].keys, ["id", "text", "label"], "the BOM must not stick to the first column name")
        XCTAssertEqual(sink.records[0]["text"], .string("Hello, world"))
        XCTAssertEqual(sink.records[1]["text"], .string(#"She said "hi" twice"#))
        XCTAssertEqual(sink.records[2]["text"], .string("line one\nline two"))
        XCTAssertEqual(sink.records[3]["text"], .string("这是一条中文，带逗号"))
        XCTAssertEqual(sink.records[4]["text"], .string(""))
        XCTAssertEqual(sink.quarantine.map(\.reason), ["row has 2 fields, the header has 3"])
        XCTAssertEqual(sink.quarantine.first?.provenance.line, 7)
    }

    func testTSVAndTextAsOneDocument() throws {
        let (tsv, _) = try Fixture.run(#"{ "dataset": "t", "inputs": [ { "path": "\#(Fixture.path("fixtures/ingest/simple.tsv"))" } ] }"#)
        XCTAssertEqual(tsv.records.map { $0["text"]?.stringValue ?? "" }, ["Tabs separate fields", "quoted\ttab"])
        let (doc, _) = try Fixture.run(#"{ "dataset": "d", "inputs": [ { "path": "\#(Fixture.path("fixtures/ingest/document.txt"))", "text": { "unit": "file" } } ] }"#)
        XCTAssertEqual(doc.records.map { $0["text"]?.stringValue ?? "" }, ["A whole document.\nSecond line of it."])
    }

    func testDeclaredEncodings() throws {
        let (cp1252, _) = try Fixture.run(#"{ "dataset": "e", "inputs": [ { "path": "\#(Fixture.path("fixtures/ingest/windows-1252.txt"))", "encoding": "windows-1252" } ] }"#)
        XCTAssertEqual(cp1252.records.map { $0["text"]?.stringValue ?? "" }, ["Café au lait coûte 3 €", "naïve façade", "Ærøskøbing"])
        let (gb, _) = try Fixture.run(#"{ "dataset": "e", "inputs": [ { "path": "\#(Fixture.path("fixtures/ingest/gb18030.txt"))", "encoding": "GBK" } ] }"#)
        XCTAssertEqual(gb.records.first?["text"], .string("中文编码测试：简体字"))
        XCTAssertEqual(gb.records.last?["text"], .string("𠀀是四字节扩展字"))
        let (utf16, _) = try Fixture.run(#"{ "dataset": "e", "inputs": [ { "path": "\#(Fixture.path("fixtures/ingest/utf16.txt"))", "encoding": "utf-16" } ] }"#)
        XCTAssertEqual(utf16.records.count, 6)
        XCTAssertEqual(utf16.records[0]["text"], .string("中文编码测试：简体字"))
        XCTAssertEqual(utf16.records[3]["text"], .string("Café au lait coûte 3 €"))
    }

    func testLinePatternWithNamedGroups() throws {
        let (sink, _) = try Fixture.run("""
        { "dataset": "l", "max_error_rate": 0.5, "inputs": [ { "path": "\(Fixture.path("fixtures/ingest/latin1-labels.txt"))", "encoding": "latin1",
          "text": { "pattern": "^(?<text>.*)@(?<label>positive|negative|neutral)$" } } ] }
        """)
        XCTAssertEqual(sink.records.map { $0["label"]?.stringValue ?? "" }, ["positive", "negative", "neutral"])
        XCTAssertEqual(sink.records[0]["text"], .string("Le marché est en hausse"))
        XCTAssertEqual(sink.quarantine.first?.provenance.line, 4)
        XCTAssertTrue(sink.quarantine.first?.reason.hasPrefix("line does not match the pattern") == true)
    }

    func testGzipInputAndGlobs() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("winnow-gz-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("sub"), withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let source = try String(contentsOfFile: Fixture.path("fixtures/quickstart/reviews.jsonl"), encoding: .utf8)
        try source.write(to: dir.appendingPathComponent("sub/a.jsonl"), atomically: true, encoding: .utf8)
        try source.write(to: dir.appendingPathComponent("b.jsonl"), atomically: true, encoding: .utf8)
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
        gzip.arguments = ["-k", dir.appendingPathComponent("b.jsonl").path]
        try gzip.run()
        gzip.waitUntilExit()
        let (plain, _) = try Fixture.run(#"{ "dataset": "g", "inputs": [ { "path": "\#(dir.path)/**/*.jsonl" } ] }"#)
        XCTAssertEqual(plain.records.count, 40)
        let (gz, _) = try Fixture.run(#"{ "dataset": "g", "inputs": [ { "path": "\#(dir.path)/b.jsonl.gz" } ] }"#)
        XCTAssertEqual(gz.records.count, 20)
        XCTAssertEqual(gz.hashes, Array(plain.hashes.prefix(20)))
    }

    func testHTMLPagesBecomeRecordsWithTitleAndLanguage() throws {
        let (sink, _) = try Fixture.run(#"{ "dataset": "h", "inputs": [ { "path": ["\#(Fixture.path("fixtures/html/news-gb2312.html"))", "\#(Fixture.path("fixtures/html/plain-utf8.html"))"], "html": { "mode": "all" } } ] }"#)
        XCTAssertEqual(sink.records.count, 2)
        let news = sink.records[0]
        XCTAssertEqual(news["title"], .string("测试页面：新闻"), "GB2312 declared in <meta> is honoured")
        XCTAssertEqual(news["lang"], .string("zh-CN"))
        let text = news["text"]?.stringValue ?? ""
        XCTAssertTrue(text.hasPrefix("标题：本地新闻\n第一段正文，包含加粗文字。"), text)
        XCTAssertTrue(text.contains("Second paragraph & an entity."), text)
        for hidden in ["tracking", "color: red", "请启用脚本"] { XCTAssertFalse(text.contains(hidden), hidden) }
        XCTAssertEqual(sink.records[1]["text"], .string("Hello\nworld"))
    }

    func testRealFinancialPhrasebankLatin1() throws {
        let data = Fixture.sharedData + "/en_financial_phrasebank/Sentences_50Agree.txt"
        guard FileManager.default.fileExists(atPath: data) else { throw XCTSkip("shared data not found at \(data)") }
        let (sink, report) = try Fixture.run(try String(contentsOfFile: Fixture.path("pipelines/financial-phrasebank.json"), encoding: .utf8)
            .replacingOccurrences(of: "../../shared/data", with: Fixture.sharedData))
        XCTAssertEqual(sink.records.count, 4_846)
        XCTAssertEqual(report.quarantined, 0)
        var labels: [String: Int] = [:]
        for r in sink.records { labels[r["label"]?.stringValue ?? "?", default: 0] += 1 }
        XCTAssertEqual(labels, ["neutral": 2_879, "positive": 1_363, "negative": 604])
        let texts = sink.records.compactMap { $0["text"]?.stringValue }
        XCTAssertFalse(texts.contains { $0.contains("\u{FFFD}") }, "Latin-1 must decode without replacement characters")
        XCTAssertTrue(texts.contains { $0.contains("ä") || $0.contains("ö") || $0.contains("é") }, "accented Latin-1 letters survive")
    }

    func testCompressedInputsAreDetectedByMagicAndStreamed() throws {
        func texts(_ path: String) throws -> [String] {
            let (sink, _) = try Fixture.run(#"{"dataset": "z", "inputs": [{"path": "\#(Fixture.path(path))"}]}"#, batchSize: 50)
            return sink.records.compactMap { $0["text"]?.stringValue }
        }
        let plain = try texts("fixtures/split/events.jsonl")
        XCTAssertEqual(plain.count, 240)
        for codec in ["bz2", "xz", "zst"] { XCTAssertEqual(try texts("fixtures/ingest/events.jsonl.\(codec)"), plain, codec) }
        XCTAssertEqual(try texts("fixtures/ingest/events-twice.jsonl.gz"), plain + plain, "concatenated gzip members")
        XCTAssertThrowsError(try texts("fixtures/ingest/events-truncated.jsonl.xz")) { XCTAssertTrue("\($0)".contains("xz stream is truncated"), "\($0)") }
        // Text that happens to start like a magic number stays text.
        XCTAssertNil(Decompression.codec(of: Array("BZh9 is a header\n".utf8)))
        XCTAssertNil(Decompression.codec(of: [0x1F, 0x8B]))
    }

    func testDecompressionBombsStopAtTheRatioLimit() throws {
        // 32 MB of zeros in zstd are a few kilobytes: far over 100× once past the 1 MB grace.
        let zeros = [UInt8](repeating: 0, count: 32 << 20)
        let compressed = try XCTUnwrap(BodyCompressor(.zstd).compress(zeros)).data
        XCTAssertLessThan(compressed.count, 100_000)
        let source = try Decompression.source(.zstd, upstream: MemoryByteSource(compressed),
                                              limits: Decompression.Limits(maxBytes: 1 << 30, maxRatio: 100, ratioGrace: 1 << 20))
        var total = 0
        XCTAssertThrowsError(try { while true { let chunk = try source.next(); if chunk.isEmpty { break }; total += chunk.count } }()) {
            XCTAssertTrue("\($0)".contains("expands more than 100×"), "\($0)")
        }
        XCTAssertLessThanOrEqual(total, 2 << 20, "stopped soon after the grace")
    }
}

/// A byte source over bytes in memory, in 64 KiB chunks.
final class MemoryByteSource: ByteSource {
    private var bytes: [UInt8]
    private var offset = 0
    init(_ bytes: [UInt8]) { self.bytes = bytes }
    func next() throws -> [UInt8] {
        let end = min(bytes.count, offset + 65_536)
        defer { offset = end }
        return Array(bytes[offset..<end])
    }
}
