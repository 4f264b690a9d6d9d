@_implementationOnly import CLibXML2
#if canImport(Glibc)
import Glibc
#endif

/// The visible text of an HTML page, parsed with libxml2's HTML parser.
///
/// A deliberately simple extractor (main-content detection is a separate concern): the text of
/// every element except `script`, `style`, `noscript`, `template` and the `head`, with a line
/// break around block elements (`p`, `div`, headings, list items, table rows, `br`, …) so that
/// paragraphs do not run together. The parser never touches the network (`HTML_PARSE_NONET`) and
/// recovers from broken markup. Without a declared charset libxml2 honours the BOM and
/// `<meta charset>`.
public struct HTMLText: Sendable {
    public var text: String
    public var title: String?
    public var language: String?

    public static func extract(_ bytes: [UInt8], encoding: String?) throws -> HTMLText {
        let doc: htmlDocPtr? = bytes.withUnsafeBufferPointer { buf in
            buf.withMemoryRebound(to: CChar.self) { chars in
                winnow_htmlReadMemory(chars.baseAddress, Int32(clamping: chars.count), encoding)
            }
        }
        guard let doc else { throw TextError("the HTML could not be parsed") }
        defer { xmlFreeDoc(doc) }
        guard let root = xmlDocGetRootElement(doc) else { throw TextError("the HTML document is empty") }
        var walker = Walker()
        walker.visit(root)
        return HTMLText(text: walker.finish(), title: walker.title.map { collapse($0) }.flatMap { $0.isEmpty ? nil : $0 },
                        language: attribute(root, "lang"))
    }

    static let skipped: Set<String> = ["script", "style", "noscript", "template", "head", "svg", "iframe", "object"]
    static let blocks: Set<String> = ["p", "div", "br", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6",
                                      "tr", "table", "section", "article", "header", "footer", "nav", "aside", "main",
                                      "blockquote", "pre", "hr", "figure", "figcaption", "form", "body", "title"]

    private static func name(_ node: xmlNodePtr) -> String {
        node.pointee.name.map { String(cString: $0).lowercased() } ?? ""
    }

    private static func attribute(_ node: xmlNodePtr, _ key: String) -> String? {
        guard let value = xmlGetProp(node, key) else { return nil }
        defer { winnow_xmlFree(value) }
        return String(cString: value)
    }

    private static func collapse(_ s: String) -> String {
        s.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    private struct Walker {
        var out: [UInt8] = []
        var title: String?

        mutating func visit(_ node: xmlNodePtr) {
            var child = node.pointee.children
            while let current = child {
                switch current.pointee.type {
                case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                    if let content = current.pointee.content {
                        out.append(contentsOf: UnsafeBufferPointer(start: content, count: strlen(content)))
                    }
                case XML_ELEMENT_NODE:
                    let tag = HTMLText.name(current)
                    if tag == "head" { findTitle(current) }
                    if !HTMLText.skipped.contains(tag) {
                        let block = HTMLText.blocks.contains(tag)
                        if block { out.append(0x0A) }
                        visit(current)
                        if block { out.append(0x0A) }
                    }
                default: break
                }
                child = current.pointee.next
            }
        }

        mutating func findTitle(_ head: xmlNodePtr) {
            var child = head.pointee.children
            while let current = child {
                if current.pointee.type == XML_ELEMENT_NODE, HTMLText.name(current) == "title", let text = xmlNodeGetContent(current) {
                    title = String(cString: text)
                    winnow_xmlFree(text)
                    return
                }
                child = current.pointee.next
            }
        }

        /// Lines trimmed, blank runs reduced to one paragraph break.
        func finish() -> String {
            let text = String(decoding: out, as: UTF8.self)
            var lines: [String] = []
            for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
                let line = HTMLText.collapse(String(raw))
                if line.isEmpty { if lines.last?.isEmpty == false { lines.append("") } } else { lines.append(line) }
            }
            while lines.last?.isEmpty == true { lines.removeLast() }
            return lines.joined(separator: "\n")
        }
    }
}
