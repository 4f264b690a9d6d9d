@_implementationOnly import CLibXML2

/// Turns an HTML page into its main text and metadata with libxml2's HTML parser.
///
/// The bytes are decoded to UTF-8 first (``CharsetDetector``: BOM, declaration, checked
/// against the bytes, ICU's detector as fallback), so libxml2 only ever sees UTF-8 and the
/// charset decision is ours and recorded. The parser runs with network access off, error
/// output off and recovery on; HTML has no DTD or entity declarations to expand.
/// Chrome is removed by element (`nav`, `footer`, `script`...), ARIA role, `hidden`/`display:none`
/// and class/id names, then ``MainContentSelector`` picks the article. All rules are in
/// ``HTMLExtractionOptions``.
public struct HTMLExtractor: Sendable {
    public var options: HTMLExtractionOptions

    public init(options: HTMLExtractionOptions = HTMLExtractionOptions()) {
        self.options = options
    }

    /// Extracts a page given as raw bytes in any charset.
    public func extract(bytes: UnsafeBufferPointer<UInt8>, charset declared: String? = nil) throws -> HTMLPage {
        let charset = declared.map(DetectedCharset.declared) ?? CharsetDetector.detect(bytes)
        let utf8 = try CharsetDetector.decode(bytes, as: charset)
        var page = try utf8.withUnsafeBufferPointer { try extract(utf8: $0) }
        page.charset = charset
        return page
    }

    /// Extracts a page that is already UTF-8 (HTML held in a JSON or CSV field).
    public func extract(utf8: UnsafeBufferPointer<UInt8>) throws -> HTMLPage {
        let doc: htmlDocPtr? = utf8.withMemoryRebound(to: CChar.self) { chars in
            winnow_htmlReadMemory(chars.baseAddress, Int32(clamping: chars.count), "UTF-8")
        }
        guard let doc else { throw TextError("the HTML could not be parsed") }
        defer { xmlFreeDoc(doc) }
        guard let root = xmlDocGetRootElement(doc) else { throw TextError("the HTML document is empty") }
        var blocks = HTMLBlocks(root: root, options: options)
        let kept = MainContentSelector(options: options).select(&blocks)
        return HTMLPage(text: render(kept, blocks), title: blocks.title ?? blocks.ogTitle, language: blocks.language,
                        description: blocks.description ?? blocks.ogDescription, canonicalURL: blocks.canonical ?? blocks.ogURL)
    }

    /// One block per line; cells of one table row share a line, separated by tabs.
    private func render(_ kept: [Int], _ page: HTMLBlocks) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(page.text.count)
        var previousRow: Int32 = -1
        for index in kept {
            let block = page.blocks[index]
            if !out.isEmpty { out.append(block.row >= 0 && block.row == previousRow ? 0x09 : 0x0A) }
            out.append(contentsOf: page.text[block.range])
            previousRow = block.row
        }
        return String(decoding: out, as: UTF8.self)
    }
}
