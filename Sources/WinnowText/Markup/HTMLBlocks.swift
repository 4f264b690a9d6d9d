@_implementationOnly import CLibXML2
#if canImport(Glibc)
import Glibc
#endif

/// A page flattened into text blocks (paragraphs, headings, list items, cells, `pre`) with the
/// element tree they came from, after the chrome rules of ``HTMLExtractionOptions`` removed
/// what is never content. ``MainContentSelector`` then decides which blocks are the article.
struct HTMLBlocks {
    struct Element {
        var parent: Int32
        /// Characters and characters inside links of every block below this element.
        var chars = 0
        var linkChars = 0
        var score = 0.0
    }

    enum Kind: UInt8 { case paragraph, heading, item, cell, preformatted }

    struct Block {
        /// The nearest block-level element the text belongs to.
        var owner: Int32
        var range: Range<Int>
        var chars: Int
        var linkChars: Int
        /// Commas, and the full-width punctuation of CJK prose (`，、。；！？：`): prose has them,
        /// menus do not. ASCII `.;:` are left out because code and URLs are full of them.
        var punctuation: Int
        var kind: Kind
        /// The table row of a cell, so cells of one row share a line.
        var row: Int32
        var linkDensity: Double { chars == 0 ? 0 : Double(linkChars) / Double(chars) }
    }

    var elements: [Element] = []
    var blocks: [Block] = []
    var text: [UInt8] = []

    // Metadata found on the way.
    var title: String?
    var ogTitle: String?
    var language: String?
    var description: String?
    var ogDescription: String?
    var canonical: String?
    var ogURL: String?

    private let options: HTMLExtractionOptions
    private let boilerplateNames: [[UInt8]]
    private let contentNames: [[UInt8]]
    // The block being filled.
    private var start = 0
    private var chars = 0
    private var linkChars = 0
    private var punctuation = 0
    private var pendingSpace = false
    private var linkDepth = 0
    private var preDepth = 0
    private var owner: Int32 = -1
    private var kind: Kind = .paragraph
    private var row: Int32 = -1

    init(root: UnsafeMutablePointer<xmlNode>, options: HTMLExtractionOptions) {
        self.options = options
        boilerplateNames = options.boilerplateNames.map { Array($0.lowercased().utf8) }
        contentNames = options.contentNames.map { Array($0.lowercased().utf8) }
        elements.reserveCapacity(1024)
        text.reserveCapacity(16 * 1024)
        language = Self.attribute(root, "lang") ?? Self.attribute(root, "xml:lang")
        elements.append(Element(parent: -1))
        owner = 0
        visitChildren(of: root, index: 0)
        flush()
    }

    static let blockTags: Set<String> = [
        "p", "div", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td", "th", "table",
        "thead", "tbody", "tfoot", "caption", "section", "article", "main", "blockquote", "pre", "hr", "figure", "figcaption",
        "body", "center", "address", "details", "summary", "fieldset", "legend",
    ]

    private mutating func visitChildren(of node: UnsafeMutablePointer<xmlNode>, index: Int32) {
        var child = node.pointee.children
        while let current = child {
            switch current.pointee.type {
            case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                if let content = current.pointee.content { append(UnsafeBufferPointer(start: content, count: strlen(content))) }
            case XML_ELEMENT_NODE:
                visit(current, parent: index)
            default:
                break
            }
            child = current.pointee.next
        }
    }

    /// What an element name means to the walk, decided once per distinct name.
    struct TagClass: OptionSet {
        let rawValue: UInt16
        static let dropped = TagClass(rawValue: 1 << 0)
        static let block = TagClass(rawValue: 1 << 1)
        static let heading = TagClass(rawValue: 1 << 2)
        static let item = TagClass(rawValue: 1 << 3)
        static let cell = TagClass(rawValue: 1 << 4)
        static let pre = TagClass(rawValue: 1 << 5)
        static let row = TagClass(rawValue: 1 << 6)
        static let table = TagClass(rawValue: 1 << 7)
        static let link = TagClass(rawValue: 1 << 8)
        static let head = TagClass(rawValue: 1 << 9)
        static let lineBreak = TagClass(rawValue: 1 << 10)
        static let silent = TagClass(rawValue: 1 << 11)  // title, img, wbr: no text of their own
        static let neverChrome = TagClass(rawValue: 1 << 12)  // html, body, article, main
    }

    private func classify(_ tag: String) -> TagClass {
        var c: TagClass = []
        if options.dropTags.contains(tag) { c.insert(.dropped) }
        if Self.blockTags.contains(tag) { c.insert(.block) }
        switch tag {
        case "h1", "h2", "h3", "h4", "h5", "h6": c.insert(.heading)
        case "li", "dt", "dd": c.insert(.item)
        case "td", "th": c.insert(.cell)
        case "pre": c.insert(.pre)
        case "tr": c.insert(.row)
        case "table": c.insert(.table)
        case "a": c.insert(.link)
        case "head": c.insert(.head)
        case "br": c.insert(.lineBreak)
        case "title", "img", "wbr": c.insert(.silent)
        case "html", "body", "article", "main": c.insert(.neverChrome)
        default: break
        }
        return c
    }

    /// Element names are interned by libxml2's dictionary, so a name's pointer identifies it.
    private var classes: [UnsafePointer<xmlChar>: TagClass] = [:]

    private mutating func tagClass(_ node: UnsafeMutablePointer<xmlNode>) -> TagClass {
        guard let name = node.pointee.name else { return [] }
        if let known = classes[name] { return known }
        let c = classify(String(cString: name).lowercased())
        classes[name] = c
        return c
    }

    /// The walk is recursive; libxml2 bounds nesting itself, and this bounds it again.
    static let maxDepth = 1024
    private var depth = 0

    private mutating func visit(_ node: UnsafeMutablePointer<xmlNode>, parent: Int32) {
        guard depth < Self.maxDepth else { return }
        depth += 1
        defer { depth -= 1 }
        let tag = tagClass(node)
        if tag.contains(.head) { readHead(node); return }
        if tag.contains(.lineBreak) { flush(); return }
        if tag.contains(.dropped) || (!tag.contains(.neverChrome) && node.pointee.properties != nil && isChrome(node)) { return }
        if tag.contains(.silent) { return }
        if tag.contains(.link) {
            linkDepth += 1
            visitChildren(of: node, index: parent)
            linkDepth -= 1
            return
        }
        guard tag.contains(.block) else {
            // Inline element: its text continues the current block.
            visitChildren(of: node, index: parent)
            return
        }
        flush()
        let index = Int32(elements.count)
        elements.append(Element(parent: parent))
        let saved = (owner, kind, row)
        owner = index
        if tag.contains(.heading) {
            kind = .heading
        } else if tag.contains(.item) {
            kind = .item
        } else if tag.contains(.cell) {
            kind = .cell
        } else if tag.contains(.pre) {
            kind = .preformatted
            preDepth += 1
        } else if tag.contains(.row) {
            row = index
        } else if tag.contains(.table) {
            row = -1
        } else if kind != .cell && kind != .item {
            kind = .paragraph
        }
        visitChildren(of: node, index: index)
        flush()
        if tag.contains(.pre) { preDepth -= 1 }
        (owner, kind, row) = saved
    }

    /// Chrome by attributes: hidden elements, ARIA landmark roles, and class/id names. Works on
    /// the attribute bytes: this runs for every element with attributes.
    private func isChrome(_ node: UnsafeMutablePointer<xmlNode>) -> Bool {
        var boilerplate = false
        var protected = false
        var attr = node.pointee.properties
        while let a = attr {
            defer { attr = a.pointee.next }
            guard let name = a.pointee.name else { continue }
            let value = a.pointee.children?.pointee.content.map { UnsafeBufferPointer(start: $0, count: strlen($0)) }
                ?? UnsafeBufferPointer(start: nil, count: 0)
            switch Self.attributeKind(name) {
            case .hidden: return true
            case .ariaHidden: if Self.equalsIgnoringCase(value, "true") { return true }
            case .style:
                if Self.containsIgnoringCaseAndSpaces(value, Self.displayNone) || Self.containsIgnoringCaseAndSpaces(value, Self.visibilityHidden) { return true }
            case .role:
                if HTMLExtractionOptions.chromeRoles.contains(String(decoding: value, as: UTF8.self).lowercased()) { return true }
            case .classOrID:
                if value.isEmpty || protected { continue }
                if contentNames.contains(where: { Self.containsIgnoringCase(value, $0) }) { protected = true; continue }
                if !boilerplate { boilerplate = boilerplateNames.contains { Self.containsIgnoringCase(value, $0) } }
            case .other:
                break
            }
        }
        return boilerplate && !protected
    }

    private enum AttributeKind { case hidden, ariaHidden, style, role, classOrID, other }

    private static func attributeKind(_ name: UnsafePointer<xmlChar>) -> AttributeKind {
        switch strlen(name) {
        case 2: return (name[0] | 0x20) == 0x69 && (name[1] | 0x20) == 0x64 ? .classOrID : .other  // id
        case 4: return matchesLower(name, "role") ? .role : .other
        case 5: return matchesLower(name, "class") ? .classOrID : matchesLower(name, "style") ? .style : .other
        case 6: return matchesLower(name, "hidden") ? .hidden : .other
        case 11: return matchesLower(name, "aria-hidden") ? .ariaHidden : .other
        default: return .other
        }
    }

    private static func matchesLower(_ p: UnsafePointer<xmlChar>, _ s: StaticString) -> Bool {
        let q = s.utf8Start
        for k in 0..<s.utf8CodeUnitCount where (p[k] >= 0x41 && p[k] <= 0x5A ? p[k] | 0x20 : p[k]) != q[k] { return false }
        return true
    }

    private static let displayNone = Array("display:none".utf8)
    private static let visibilityHidden = Array("visibility:hidden".utf8)

    @inline(__always) private static func lower(_ c: UInt8) -> UInt8 { c >= 0x41 && c <= 0x5A ? c | 0x20 : c }

    private static func equalsIgnoringCase(_ value: UnsafeBufferPointer<UInt8>, _ s: StaticString) -> Bool {
        value.count == s.utf8CodeUnitCount && value.indices.allSatisfy { lower(value[$0]) == s.utf8Start[$0] }
    }

    /// Whether `needle` (lowercase) occurs in `hay`, ASCII case-insensitively.
    static func containsIgnoringCase(_ hay: UnsafeBufferPointer<UInt8>, _ needle: [UInt8]) -> Bool {
        let n = needle.count
        guard n > 0, hay.count >= n else { return n == 0 }
        let first = needle[0]
        var i = 0
        while i + n <= hay.count {
            if lower(hay[i]) == first {
                var k = 1
                while k < n, lower(hay[i + k]) == needle[k] { k += 1 }
                if k == n { return true }
            }
            i += 1
        }
        return false
    }

    /// Like ``containsIgnoringCase(_:_:)`` with spaces in `hay` skipped (`display: none`).
    private static func containsIgnoringCaseAndSpaces(_ hay: UnsafeBufferPointer<UInt8>, _ needle: [UInt8]) -> Bool {
        guard hay.count >= needle.count else { return false }
        var compact: [UInt8] = []
        compact.reserveCapacity(hay.count)
        for c in hay where c != 0x20 && c != 0x09 { compact.append(lower(c)) }
        return compact.withUnsafeBufferPointer { containsIgnoringCase($0, needle) }
    }

    private mutating func readHead(_ head: UnsafeMutablePointer<xmlNode>) {
        var child = head.pointee.children
        while let node = child {
            defer { child = node.pointee.next }
            guard node.pointee.type == XML_ELEMENT_NODE, let raw = node.pointee.name else { continue }
            switch String(cString: raw) {
            case "title":
                if title == nil, let t = Self.content(node), !t.isEmpty { title = t }
            case "meta":
                let content = Self.attribute(node, "content").map(Self.collapse)
                if let name = (Self.attribute(node, "name") ?? Self.attribute(node, "property"))?.lowercased() {
                    switch name {
                    case "description": description = description ?? content
                    case "og:description": ogDescription = ogDescription ?? content
                    case "og:title": ogTitle = ogTitle ?? content
                    case "og:url": ogURL = ogURL ?? content
                    default: break
                    }
                } else if Self.attribute(node, "http-equiv")?.lowercased() == "content-language", language == nil {
                    language = content
                }
            case "link":
                if Self.attribute(node, "rel")?.lowercased() == "canonical" { canonical = canonical ?? Self.attribute(node, "href") }
            default:
                break
            }
        }
    }

    // MARK: Text

    private mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        if preDepth > 0 {
            for b in bytes {
                text.append(b)
                count(b)
            }
            return
        }
        var i = 0
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            if b == 0x20 || b == 0x0A || b == 0x09 || b == 0x0D || b == 0x0C {
                pendingSpace = true
                i += 1
                continue
            }
            // No-break space (C2 A0) and ideographic space (E3 80 80) are spacing too: pages
            // indent Chinese paragraphs with them.
            if b == 0xC2, i + 1 < n, bytes[i + 1] == 0xA0 { pendingSpace = true; i += 2; continue }
            if b == 0xE3, i + 2 < n, bytes[i + 1] == 0x80, bytes[i + 2] == 0x80 { pendingSpace = true; i += 3; continue }
            if pendingSpace {
                if text.count > start { text.append(0x20) }
                pendingSpace = false
            }
            text.append(b)
            count(b)
            i += 1
        }
    }

    @inline(__always) private mutating func count(_ b: UInt8) {
        guard b & 0xC0 != 0x80 else {
            // Continuation byte: CJK punctuation is E3 80 81/82 (、。) and EF BC 8C/81/9B/9F/9A (，！；？：).
            let n = text.count
            if n >= 3 {
                let a = text[n - 3], c = text[n - 2]
                if (a == 0xE3 && c == 0x80 && (b == 0x81 || b == 0x82))
                    || (a == 0xEF && c == 0xBC && (b == 0x8C || b == 0x81 || b == 0x9B || b == 0x9F || b == 0x9A)) {
                    punctuation += 1
                }
            }
            return
        }
        chars += 1
        if linkDepth > 0 { linkChars += 1 }
        if b == UInt8(ascii: ",") { punctuation += 1 }
    }

    /// Ends the current block; a block of only whitespace (or only no-break spaces) is dropped.
    private mutating func flush() {
        pendingSpace = false
        var end = text.count
        while end > start, text[end - 1] == 0x20 || text[end - 1] == 0x0A || text[end - 1] == 0x09 || text[end - 1] == 0x0D {
            end -= 1
        }
        if end > start, !isBlank(start..<end) {
            text.removeSubrange(end...)
            blocks.append(Block(owner: owner, range: start..<end, chars: chars, linkChars: linkChars,
                                punctuation: punctuation, kind: kind, row: kind == .cell ? row : -1))
        } else {
            text.removeSubrange(start...)
        }
        start = text.count
        chars = 0
        linkChars = 0
        punctuation = 0
    }

    private func isBlank(_ range: Range<Int>) -> Bool {
        var i = range.lowerBound
        while i < range.upperBound {
            let b = text[i]
            if b == 0x20 || b == 0x0A || b == 0x09 || b == 0x0D { i += 1; continue }
            if b == 0xC2, i + 1 < range.upperBound, text[i + 1] == 0xA0 { i += 2; continue }
            if b == 0xE3, i + 2 < range.upperBound, text[i + 1] == 0x80, text[i + 2] == 0x80 { i += 3; continue }
            return false
        }
        return true
    }

    // MARK: libxml2 helpers

    static func attribute(_ node: UnsafeMutablePointer<xmlNode>, _ key: String) -> String? {
        guard let value = xmlGetProp(node, key) else { return nil }
        defer { winnow_xmlFree(value) }
        return String(cString: value)
    }

    static func content(_ node: UnsafeMutablePointer<xmlNode>) -> String? {
        guard let value = xmlNodeGetContent(node) else { return nil }
        defer { winnow_xmlFree(value) }
        return collapse(String(cString: value))
    }

    static func collapse(_ s: String) -> String {
        s.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }
}
