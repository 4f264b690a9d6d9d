import XCTest
import WinnowText

/// Charset detection, HTML main-text extraction, wikitext conversion and the safe XML reader,
/// on small inputs whose right answer is known exactly.
final class MarkupTests: XCTestCase {
    private func detect(_ bytes: [UInt8]) -> DetectedCharset { bytes.withUnsafeBufferPointer { CharsetDetector.detect($0) } }

    private func page(_ html: String, _ options: HTMLExtractionOptions = HTMLExtractionOptions()) throws -> HTMLPage {
        var copy = html
        return try copy.withUTF8 { try HTMLExtractor(options: options).extract(utf8: $0) }
    }

    // MARK: Charsets

    func testCharsetOrderBOMDeclarationBytesDetector() {
        XCTAssertEqual(detect([0xEF, 0xBB, 0xBF] + Array("<p>x</p>".utf8)).evidence, "BOM")
        XCTAssertEqual(detect([0xFF, 0xFE, 0x3C, 0x00]).name, "UTF-16LE")
        let gb = Array(#"<meta charset="gb2312"><p>"#.utf8) + [0xD6, 0xD0, 0xCE, 0xC4]  // 中文 in GB2312
        XCTAssertEqual(detect(gb), DetectedCharset(name: "gb18030", evidence: "meta charset gb2312"))
        let equiv = Array(#"<meta http-equiv="Content-Type" content="text/html; charset=GBK">"#.utf8) + [0xD6, 0xD0]
        XCTAssertEqual(detect(equiv).name, "gb18030")
        XCTAssertEqual(detect(Array(#"<?xml version="1.0" encoding="ISO-8859-1"?><a>caf"#.utf8) + [0xE9]).name, "windows-1252")
        // Saved as UTF-8 by a browser, still declaring gb2312: the bytes win.
        let resaved = detect(Array(#"<meta charset="gb2312"><p>中文</p>"#.utf8))
        XCTAssertEqual(resaved.name, "utf-8")
        XCTAssertTrue(resaved.evidence.contains("ignored"), resaved.evidence)
        XCTAssertEqual(detect(Array("plain ascii".utf8)).name, "utf-8")
        // Nothing declared and not UTF-8: ICU's detector decides (pages in fixtures/html below).
    }

    func testDecodingDeclaredCharsetsMatchesTheSourceText() throws {
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("fixtures/html")
        let expected: [(String, String, String)] = [
            ("zh-gb2312.html", "gb18030", "国家统计局发布了最新的经济数据"),
            ("zh-gbk-undeclared.html", "gb18030", "居民收入稳步增长"),
            ("zh-utf8-declared-gb2312.html", "utf-8", "居民收入稳步增长"),
            ("zh-big5-undeclared.html", "Big5", "臺北市政府今天宣布"),
            ("ja-shift-jis.html", "Shift_JIS", "東京都は本日"),
            ("en-windows-1252.html", "windows-1252", "The café’s owner said the naïve plan — announced"),
            ("en-latin1-undeclared.html", "windows-1252", "The café's owner"),
            ("ru-utf16-bom.html", "UTF-16LE", "Москва — столица России"),
        ]
        for (file, charset, text) in expected {
            let bytes = try [UInt8](Data(contentsOf: fixtures.appendingPathComponent(file)))
            let page = try bytes.withUnsafeBufferPointer { try HTMLExtractor().extract(bytes: $0) }
            XCTAssertEqual(page.charset?.name, charset, file)
            XCTAssertTrue(page.text.contains(text), "\(file): \(page.text)")
            XCTAssertFalse(page.text.contains("\u{FFFD}"), file)
            for chrome in ["首页", "首頁", "トップ", "Home", "Главная", "Copyright", "版權所有", "Авторское", "hidden script", "不應出現", "скрыто"] {
                XCTAssertFalse(page.text.contains(chrome), "\(file) keeps chrome `\(chrome)`")
            }
            XCTAssertEqual(page.canonicalURL, "https://news.example.org/a/1.html".replacingOccurrences(of: "example.org", with: file.hasPrefix("zh-g") || file.hasPrefix("zh-u") ? "example.cn" : "example.org"), file)
        }
    }

    // MARK: HTML

    func testMainTextDropsChromeAndLinkListsAndKeepsStructure() throws {
        let html = """
        <html lang="en"><head><title>Rivers of Europe</title><meta name="description" content="A short guide">
        <meta property="og:url" content="https://example.org/rivers"></head><body>
        <header><a href="/">Home</a> <a href="/about">About</a></header>
        <nav><ul><li><a href="/a">Section A</a></li><li><a href="/b">Section B</a></li></ul></nav>
        <div class="layout"><div class="sidebar"><p>Popular: <a href="/x">one</a>, <a href="/y">two</a></p></div>
        <article><h1>The Danube</h1>
        <p>The Danube is the second-longest river in Europe, after the Volga. It flows through much of Central and Southeastern Europe.</p>
        <p>It rises in the Black Forest and flows east for some 2,850 km, passing through ten countries, more than any other river.</p>
        <table><tr><th>Country</th><th>Length</th></tr><tr><td>Austria</td><td>350 km</td></tr></table>
        <pre>km 0    Donaueschingen
        km 2850 Black Sea</pre>
        <ul class="related-links"><li><a href="/rhine">The Rhine</a></li><li><a href="/elbe">The Elbe</a></li></ul>
        <div style="display: none">Hidden teaser text that nobody sees on the page.</div>
        </article></div>
        <div class="comments"><p>Great article, thanks a lot for writing it, very useful to me!</p></div>
        <footer>© 2024 Example</footer></body></html>
        """
        let p = try page(html)
        XCTAssertEqual(p.title, "Rivers of Europe")
        XCTAssertEqual(p.language, "en")
        XCTAssertEqual(p.description, "A short guide")
        XCTAssertEqual(p.canonicalURL, "https://example.org/rivers")
        let lines = p.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        XCTAssertEqual(lines.first, "The Danube")
        XCTAssertTrue(lines.contains("Country\tLength"), p.text)
        XCTAssertTrue(lines.contains("Austria\t350 km"), p.text)
        XCTAssertTrue(p.text.contains("km 0    Donaueschingen\n"), "pre keeps its spacing: \(p.text)")
        for chrome in ["Home", "Section A", "Popular", "The Rhine", "Hidden teaser", "Great article", "© 2024"] {
            XCTAssertFalse(p.text.contains(chrome), "kept `\(chrome)`: \(p.text)")
        }
        // `all` keeps every visible block the chrome rules leave; here they are loosened so the
        // sidebar paragraph (class `sidebar`, mostly links) stays.
        var all = HTMLExtractionOptions()
        all.mode = .all
        all.boilerplateNames = []
        all.maxLinkDensity = 1
        XCTAssertTrue(try page(html, all).text.contains("Popular: one, two"))
    }

    func testChineseArticleWinsOverLongerLinkLists() throws {
        let links = (1...30).map { "<li><a href=\"/n/\($0)\">推荐新闻标题第\($0)条，点击查看更多精彩内容</a></li>" }.joined()
        let html = """
        <html><body><div id="top"><ul>\(links)</ul></div>
        <div class="box"><div class="txt">
        <p>新华社北京电 记者从有关部门获悉，今年以来，我国经济运行总体平稳，主要指标保持在合理区间。</p>
        <p>专家认为，随着各项政策措施落地见效，经济增长的内生动力将进一步增强，市场信心持续改善。</p>
        <p>下一步，有关部门将继续加大政策支持力度，推动经济实现质的有效提升和量的合理增长。</p>
        </div></div></body></html>
        """
        let p = try page(html)
        XCTAssertTrue(p.text.hasPrefix("新华社北京电"), p.text)
        XCTAssertFalse(p.text.contains("推荐新闻"), p.text)
        XCTAssertEqual(p.text.split(separator: "\n").count, 3)
    }

    func testClassNamesMarkChromeUnlessTheyAlsoSayContent() throws {
        let html = """
        <html><body><div class="share-bar"><p>Share this story on every social network you know of, please.</p></div>
        <div class="article-content share-enabled"><p>The committee met on Tuesday and agreed on the budget for next year, after a long debate.</p></div>
        </body></html>
        """
        let p = try page(html)
        XCTAssertEqual(p.text, "The committee met on Tuesday and agreed on the budget for next year, after a long debate.")
        var custom = HTMLExtractionOptions()
        custom.boilerplateNames = []
        custom.mode = .all
        XCTAssertTrue(try page(html, custom).text.contains("Share this story"))
    }

    // MARK: Wikitext

    func testWikitextMarkupIsRemovedAndLabelsKept() {
        let source = """
        {{Infobox river|name=Danube|length={{convert|2850|km}}}}
        '''The Danube''' (<small>German</small>: ''Donau''<ref name="a">{{cite web|url=http://x}}</ref>) is a [[river]] in [[Central Europe|central]] and [[Southeast Europe]]an countries.<ref>Source</ref><!-- hidden -->
        [[File:Danube.jpg|thumb|The river at [[Vienna]] in {{year|2010}}]]
        == Course ==
        * It rises in the [[Black Forest]].&nbsp;It ends in the [[Black Sea]]&#160;delta.
        # Numbered [http://example.org external label] item.
        {| class="wikitable"
        |-
        | cell || {{flag|AT}}
        {| nested
        | inner
        |}
        |}
        Text after the table.__NOTOC__
        [[Category:Rivers]]
        [[de:Donau]]
        [[wikt:river|wiktionary river]]
        """
        let text = WikitextConverter().plainText(source)
        XCTAssertEqual(text, """
        The Danube (German: Donau) is a river in central and Southeast European countries.

        Course
        It rises in the Black Forest. It ends in the Black Sea delta.
        Numbered external label item.
        Text after the table.

        wiktionary river
        """)
    }

    func testWikitextUsesTheWikisOwnNamespaceNames() {
        let source = "Текст [[Файл:Карта.png|мини|Карта на [[София]]]] край. [[Категория:Градове]]"
        XCTAssertEqual(WikitextConverter(mediaPrefixes: ["Файл", "Категория"]).plainText(source), "Текст  край.")
        XCTAssertTrue(WikitextConverter().plainText(source).contains("Карта"), "without siteinfo the local prefix is an ordinary link")
    }

    func testBrokenWikitextLeaksNoBrackets() {
        let text = WikitextConverter().plainText("Start {{unclosed template and [[unclosed link and }} stray ]] end")
        for marker in ["{{", "}}", "[[", "]]"] { XCTAssertFalse(text.contains(marker), text) }
        XCTAssertTrue(text.hasPrefix("Start"), text)
    }

    // MARK: XML

    private func events(_ xml: String) throws -> [XMLStreamReader.Event] {
        let bytes = Array(xml.utf8)
        var offset = 0
        let reader = try XMLStreamReader(encoding: "UTF-8") { buffer in
            let n = min(buffer.count, bytes.count - offset, 7)  // tiny chunks: nodes span reads
            bytes.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + offset, byteCount: n) }
            offset += n
            return n
        }
        var out: [XMLStreamReader.Event] = []
        while let e = try reader.next() { out.append(e) }
        return out
    }

    func testXMLReaderStreamsElementsTextAndAttributes() throws {
        let got = try events(#"<a x="1"><b>t&amp;u<![CDATA[<c>]]></b><e/><!-- c --></a>"#)
        XCTAssertEqual(got, [
            .start(name: "a", attributes: [(name: "x", value: "1")], empty: false),
            .start(name: "b", attributes: [], empty: false),
            .text(Array("t&u<c>".utf8)),
            .end(name: "b"),
            .start(name: "e", attributes: [], empty: true),
            .end(name: "a"),
        ])
    }

    func testExternalEntitiesAreNeverLoadedOrExpanded() throws {
        let xxe = """
        <?xml version="1.0"?><!DOCTYPE a [<!ENTITY xxe SYSTEM "file:///etc/passwd"><!ENTITY remote SYSTEM "http://127.0.0.1:9/x">]>
        <a><b>&xxe;</b><c>&remote;</c></a>
        """
        let got = try events(xxe)
        XCTAssertTrue(got.contains(.entityReference("xxe")))
        XCTAssertTrue(got.contains(.entityReference("remote")))
        for case .text(let t) in got { XCTAssertFalse(String(decoding: t, as: UTF8.self).contains("root:"), "passwd leaked") }
    }

    func testNestingDepthIsBounded() {
        let deep = "<r>" + String(repeating: "<a>", count: 100_000) + "x" + String(repeating: "</a>", count: 100_000) + "</r>"
        XCTAssertThrowsError(try events(deep)) { error in
            XCTAssertTrue("\(error)".contains("Excessive depth"), "\(error)")
        }
        let html = "<html><body>" + String(repeating: "<div>", count: 200_000) + "deep" + String(repeating: "</div>", count: 200_000) + "</body></html>"
        XCTAssertNoThrow(try page(html), "a page nested beyond any limit neither crashes nor hangs")
    }

    func testBillionLaughsStopsQuicklyWithAnEntityError() {
        var decl = #"<!ENTITY l0 "lol">"#
        for k in 1...9 { decl += "<!ENTITY l\(k) \"" + String(repeating: "&l\(k - 1);", count: 10) + "\">" }
        let start = ContinuousClock.now
        XCTAssertThrowsError(try events("<?xml version=\"1.0\"?><!DOCTYPE a [\(decl)]><a>&l9;</a>")) { error in
            XCTAssertTrue("\(error)".lowercased().contains("entity"), "\(error)")
        }
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(2))
    }
}
