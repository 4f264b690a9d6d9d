import XCTest
import WinnowCore
@testable import WinnowStages

/// HTML, XML and MediaWiki inputs through the real readers and decoder, on fixtures and on the
/// dumps in ../shared/data (read in place).
final class MarkupIngestTests: XCTestCase {
    /// Runs a pipeline and also returns its source, whose files carry the detected charsets.
    private func run(_ json: String) throws -> (MemorySink, ExecutionReport, FileSource) {
        let compiled = try Fixture.compile(json)
        let sink = MemorySink()
        let source = compiled.makeSource()
        let report = try Executor(stages: compiled.stages, options: ExecutionOptions(
            threads: 2, maxErrorRate: compiled.definition.maxErrorRate, temporaryDirectory: NSTemporaryDirectory()))
            .run(source: source, decoder: compiled.decoder, sink: sink)
        return (sink, report, source)
    }

    private func requireShared(_ relative: String) throws -> String {
        let path = Fixture.sharedData + "/" + relative
        guard FileManager.default.fileExists(atPath: path) else { throw XCTSkip("shared data not found at \(path)") }
        return path
    }

    func testHTMLCharsetIsRecordedWithEachFile() throws {
        let (sink, _, source) = try run(#"{ "dataset": "h", "inputs": [ { "path": "\#(Fixture.path("fixtures/html"))/*.html" } ] }"#)
        XCTAssertEqual(sink.records.count, 10)
        let encodings = Dictionary(uniqueKeysWithValues: source.files.map { (($0.path as NSString).lastPathComponent, $0.encoding) })
        XCTAssertEqual(encodings["zh-gb2312.html"], "gb18030 (http-equiv charset gb2312)")
        XCTAssertEqual(encodings["zh-utf8-declared-gb2312.html"], "utf-8 (bytes are valid UTF-8; http-equiv charset gb2312 ignored)")
        XCTAssertTrue(encodings["zh-big5-undeclared.html"]?.hasPrefix("Big5 (ICU detector Big5") == true, encodings["zh-big5-undeclared.html"] ?? "")
        XCTAssertEqual(encodings["ru-utf16-bom.html"], "UTF-16LE (BOM)")
        let ru = try XCTUnwrap(sink.records.first { $0["lang"] == .string("ru") })
        XCTAssertEqual(ru["title"], .string("Москва"))
        XCTAssertEqual(ru["url"], .string("https://news.example.org/a/1.html"))
        XCTAssertEqual(ru["description"], .string("Москва"))
    }

    func testCompressedHTMLPageReadsLikeThePlainOne() throws {
        let (plain, _, _) = try run(#"{ "dataset": "p", "inputs": [ { "path": "\#(Fixture.path("fixtures/html/zh-gb2312.html"))" } ] }"#)
        let (gz, _, source) = try run(#"{ "dataset": "g", "inputs": [ { "path": "\#(Fixture.path("fixtures/html/zh-gb2312.html.gz"))" } ] }"#)
        XCTAssertEqual(source.files[0].format, "html", "the format comes from the name under `.gz`")
        XCTAssertEqual(source.files[0].encoding, "gb18030 (http-equiv charset gb2312)")
        XCTAssertEqual(gz.records, plain.records)
        XCTAssertEqual(gz.hashes, plain.hashes)
    }

    func testHTMLStageExtractsFromAJSONLField() throws {
        let (sink, report, _) = try run("""
        { "dataset": "crawl", "inputs": [ { "path": "\(Fixture.path("fixtures/html/crawl.jsonl"))", "fields": { "text": "url" } } ],
          "stages": [ { "fields": { "rename": { "text": "page_url" } } }, { "html": { "field": "html", "to": "text" } } ] }
        """)
        XCTAssertEqual(sink.records.count, 2)
        XCTAssertEqual(sink.records[0]["text"], .string("High tide today is at 06:12 and low tide at 12:30, with a coefficient of 95, one of the largest of the year."))
        XCTAssertEqual(sink.records[0]["title"], .string("Tide tables"))
        XCTAssertEqual(sink.records[0]["lang"], .string("en"))
        XCTAssertNil(sink.records[0]["html"], "the HTML field goes unless keep_html")
        XCTAssertTrue(sink.records[1]["text"]?.stringValue?.hasPrefix("北京时间昨日") == true)
        XCTAssertEqual(report.stages[1].rules["html.empty"], 1, "a page with no text is dropped and counted")
        XCTAssertEqual(sink.ledger.filter { $0.rule == "html.empty" }.count, 1)
    }

    func testGenericXMLFieldsAttributesAndDeclaredCharset() throws {
        let (sink, report, source) = try run("""
        { "dataset": "catalog", "max_error_rate": 0.5,
          "inputs": [ { "path": "\(Fixture.path("fixtures/xml/catalog.xml"))",
                        "xml": { "record": "product", "fields": { "id": "@sku", "text": "description", "name": "name",
                                                                 "brand": "meta/brand", "currency": "meta/price/@currency" } } } ] }
        """)
        XCTAssertEqual(source.files[0].encoding, "windows-1252 (XML declaration ISO-8859-1)")
        XCTAssertEqual(sink.records.count, 2)
        XCTAssertEqual(sink.records[0]["id"], .string("A-100"))
        XCTAssertEqual(sink.records[0]["text"], .string("Un café <b>doux</b>, torréfié à Lyon."), "CDATA is text")
        XCTAssertEqual(sink.records[0]["name"], .string("Café crème"))
        XCTAssertEqual(sink.records[1]["brand"], .string("Bäckerei Groß"))
        XCTAssertEqual(sink.records[1]["currency"], .string("EUR"))
        XCTAssertEqual(report.quarantined, 1)
        XCTAssertEqual(sink.quarantine.first?.reason, "missing text field `text`")
        XCTAssertEqual(sink.quarantine.first?.provenance.line, 16)

        // Without `fields`, the text is all text of the record element (whitespace between
        // child elements included), attributes aside.
        let (whole, _, _) = try run("""
        { "dataset": "catalog", "max_error_rate": 0.5,
          "inputs": [ { "path": "\(Fixture.path("fixtures/xml/catalog.xml"))", "xml": { "record": "product" } } ] }
        """)
        let words = (whole.records.first?["text"]?.stringValue ?? "").split(whereSeparator: \.isWhitespace).joined(separator: " ")
        XCTAssertEqual(words, "Café crème Un café <b>doux</b>, torréfié à Lyon. Maison Dupré4.50")
    }

    func testXXEAndBillionLaughsAreQuarantinedNotExpanded() throws {
        let (xxe, _, _) = try run("""
        { "dataset": "x", "max_error_rate": 1, "inputs": [ { "path": "\(Fixture.path("fixtures/xml/xxe.xml"))",
          "xml": { "record": "item", "fields": { "text": "body", "id": "@id" } } } ] }
        """)
        XCTAssertEqual(xxe.records.map { $0["id"] }, [.string("1")])
        XCTAssertEqual(xxe.quarantine.count, 1)
        XCTAssertTrue(xxe.quarantine[0].reason.contains("`&xxe;`"), xxe.quarantine[0].reason)
        XCTAssertFalse(xxe.quarantine[0].excerpt.contains("root:"))

        let start = ContinuousClock.now
        XCTAssertThrowsError(try run("""
        { "dataset": "b", "max_error_rate": 1, "inputs": [ { "path": "\(Fixture.path("fixtures/xml/billion-laughs.xml"))",
          "xml": { "record": "item", "fields": { "text": "body" } } } ] }
        """)) { error in
            XCTAssertTrue("\(error)".contains("yielded no records (1 rows quarantined)"), "\(error)")
        }
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(5))
        let compiled = try Fixture.compile("""
        { "dataset": "b", "max_error_rate": 1, "inputs": [ { "path": "\(Fixture.path("fixtures/xml/billion-laughs.xml"))",
          "xml": { "record": "item", "fields": { "text": "body" } } } ] }
        """)
        let sink = MemorySink()
        _ = try? Executor(stages: [], options: ExecutionOptions(maxErrorRate: 1)).run(source: compiled.makeSource(), decoder: compiled.decoder, sink: sink)
        XCTAssertTrue(sink.quarantine.first?.reason.hasPrefix("the document breaks off inside <item> `") == false)
        XCTAssertTrue(sink.quarantine.first?.reason.contains("entity expansion refused") == true, sink.quarantine.first?.reason ?? "none")
    }

    func testXMLInputNeedsARecordElement() {
        XCTAssertThrowsError(try Fixture.compile(#"{ "dataset": "x", "inputs": [ { "path": "\#(Fixture.path("fixtures/xml/catalog.xml"))" } ] }"#)) { error in
            XCTAssertTrue("\(error)".contains("is XML: set `xml.record`"), "\(error)")
        }
    }

    func testEnwikiDumpStreamsPagesWithFiltersAndPlainText() throws {
        let dump = try requireShared("mediawiki_xml_samples/enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2")
        let (sink, report, source) = try run(#"{ "dataset": "w", "inputs": [ { "path": "\#(dump)", "format": "mediawiki" } ] }"#)
        XCTAssertEqual(sink.records.count, 106)
        XCTAssertEqual(report.ingest.discarded, ["redirect": 99, "namespace 4": 1], "206 pages: 106 articles, 99 redirects, 1 project page")
        XCTAssertEqual(source.files[0].encoding, "utf-8 (XML default)")
        let anarchism = try XCTUnwrap(sink.records.first { $0["title"] == .string("Anarchism") })
        XCTAssertEqual(anarchism["page_id"], .number(JSONNumber(12)))
        XCTAssertEqual(anarchism["namespace"], .number(JSONNumber(0)))
        XCTAssertNotNil(anarchism["revision_id"]?.intValue)
        XCTAssertTrue(anarchism["timestamp"]?.stringValue?.hasSuffix("Z") == true)
        XCTAssertTrue(anarchism["text"]?.stringValue?.hasPrefix("Anarchism is a political philosophy") == true)
        for record in sink.records {
            let text = record["text"]?.stringValue ?? ""
            for marker in ["{{", "}}", "[[", "]]", "'''", "<ref", "{|", "|}", "&nbsp;", "<!--"] {
                XCTAssertFalse(text.contains(marker), "\(record["title"]?.stringValue ?? "?") leaks \(marker)")
            }
        }
        let kept = try run(#"{ "dataset": "w", "inputs": [ { "path": "\#(dump)", "format": "mediawiki", "mediawiki": { "namespaces": [0, 4], "redirects": "keep", "markup": "wikitext" } } ] }"#)
        XCTAssertEqual(kept.0.records.count, 206)
        XCTAssertTrue(kept.0.records.contains { $0["redirect"] != nil && ($0["text"]?.stringValue?.hasPrefix("#REDIRECT") ?? false) })
    }

    func testUTF16BulgarianDumpAndLocalNamespaceNames() throws {
        let dump = try requireShared("mediawiki_xml_samples/bgwiki-latest-pages-articles-shortened.xml.bz2")
        let (sink, report, source) = try run(#"{ "dataset": "bg", "inputs": [ { "path": "\#(dump)", "format": "mediawiki" } ] }"#)
        XCTAssertEqual(source.files[0].encoding, "utf-16 (BOM)")
        XCTAssertEqual(sink.records.count, 1)
        XCTAssertEqual(report.ingest.discarded, ["namespace 4": 2])
        XCTAssertEqual(sink.records[0]["title"], .string("Григориански календар"))
        let text = sink.records[0]["text"]?.stringValue ?? ""
        XCTAssertTrue(text.hasPrefix("Григорианският календар"), String(text.prefix(80)))
        XCTAssertFalse(text.contains("Файл:"), "file links use the wiki's own namespace name")
    }

    func testTruncatedDumpKeepsCompletePagesAndQuarantinesTheCutOne() throws {
        let dump = try requireShared("mediawiki_xml_samples/enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2")
        let full = try run(#"{ "dataset": "w", "inputs": [ { "path": "\#(dump)", "format": "mediawiki", "mediawiki": { "redirects": "keep", "namespaces": [0, 4], "markup": "wikitext" } } ] }"#).0
        // Cut the uncompressed dump in the middle of a page, 2.5 MB in.
        let xml = try decompressed(dump)
        let cut = Array(xml.prefix(2_500_000))
        let completePages = String(decoding: cut, as: UTF8.self).components(separatedBy: "</page>").count - 1
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("winnow-cut-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("cut.xml").path
        FileManager.default.createFile(atPath: file, contents: Data(cut))
        let (sink, report, _) = try run(#"{ "dataset": "w", "max_error_rate": 1, "inputs": [ { "path": "\#(file)", "format": "mediawiki", "mediawiki": { "redirects": "keep", "namespaces": [0, 4], "markup": "wikitext" } } ] }"#)
        XCTAssertEqual(sink.records.count, completePages)
        XCTAssertEqual(sink.records.map { $0["title"] }, full.records.prefix(completePages).map { $0["title"] })
        XCTAssertEqual(report.quarantined, 1)
        let reason = sink.quarantine[0].reason
        let cutTitle = full.records[completePages]["title"]?.stringValue ?? "?"
        XCTAssertTrue(reason.hasPrefix("the document breaks off inside <page> `\(cutTitle)`"), reason)
    }

    private func decompressed(_ path: String) throws -> [UInt8] {
        let raw = try FileByteSource(path: path)
        let source = try Decompression.source(.bzip2, upstream: raw)
        var out: [UInt8] = []
        while case let chunk = try source.next(), !chunk.isEmpty { out += chunk }
        return out
    }
}
