import WinnowCore
import WinnowText

/// Streams records out of an XML file: generic XML (a record element and field paths) or a
/// MediaWiki dump (one record per `<page>`, namespace and redirect filters).
///
/// The document goes through ``XMLStreamReader`` in chunks, so memory holds one record, never
/// the file. The charset is found from the BOM, the UTF-16 signature of `<?` or the XML
/// declaration; anything but UTF-8 is converted by ICU before libxml2 sees it. A record that
/// refers to a declared entity is quarantined (entities are never expanded). A document that
/// breaks off (malformed XML, a truncated dump or compressed stream) keeps every complete
/// record and quarantines the one it was in.
final class XMLRecordReader: RowReader {
    private let input: Int
    private let layout: XMLRecordLayout
    private let mediawiki: MediaWikiOptions?
    private var parser: XMLStreamReader!
    private var source: ByteSource
    private var pending: [UInt8] = []
    private var pendingOffset = 0
    private var finished = false
    private var declarationPatched = false
    /// The charset the file is decoded with and why.
    private(set) var charset: DetectedCharset
    var detectedCharset: DetectedCharset? { charset }
    /// Records the MediaWiki filters skipped, by reason.
    private(set) var skipped: [String: Int] = [:]
    /// A wiki's local names of the File/Image and Category namespaces (from `<siteinfo>`).
    private var mediaPrefixes: [String] = []

    /// `declared` is the pipeline's `encoding` when it names one; it wins over detection.
    init(source: ByteSource, input: Int, layout: XMLRecordLayout, mediawiki: MediaWikiOptions?, declared: String?) throws {
        self.input = input
        self.layout = layout
        self.mediawiki = mediawiki
        let first = try source.next()
        charset = declared.map(DetectedCharset.declared)
            ?? first.withUnsafeBufferPointer { Self.detect($0) }
        if charset.isUTF8 {
            self.source = source
            pending = first
            if first.starts(with: [0xEF, 0xBB, 0xBF]) { pendingOffset = 3 }
        } else {
            self.source = try CharsetByteSource(upstream: PrefixedByteSource(first: first, rest: source), charset: charset.name)
        }
        parser = try XMLStreamReader(encoding: "UTF-8") { [unowned self] buffer in try self.fill(buffer) }
    }

    private func fill(_ buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while pendingOffset >= pending.count {
            pending = try source.next()
            pendingOffset = 0
            if pending.isEmpty { return 0 }
            if !charset.isUTF8, !declarationPatched {
                declarationPatched = true
                Self.declareUTF8(&pending)
            }
        }
        let n = min(buffer.count, pending.count - pendingOffset)
        pending.withUnsafeBytes { src in
            buffer.baseAddress!.copyMemory(from: src.baseAddress! + pendingOffset, byteCount: n)
        }
        pendingOffset += n
        return n
    }

    /// The converted stream is UTF-8, but its declaration still names the old charset, which
    /// libxml2 would apply a second time: the label is rewritten to `UTF-8`.
    static func declareUTF8(_ bytes: inout [UInt8]) {
        guard bytes.starts(with: Array("<?xml".utf8)), let end = bytes.prefix(512).firstIndex(of: UInt8(ascii: ">")) else { return }
        let declaration = String(decoding: bytes[..<end], as: UTF8.self)
        guard let label = bytes.withUnsafeBufferPointer({ CharsetDetector.xmlDeclarationEncoding(UnsafeBufferPointer(rebasing: $0[..<end])) }),
              let range = declaration.range(of: label) else { return }
        let patched = declaration.replacingCharacters(in: range, with: "UTF-8")
        bytes.replaceSubrange(..<end, with: Array(patched.utf8))
    }

    /// XML's own rules: a BOM, UTF-16 without one (`<?` as two-byte units), the declaration.
    static func detect(_ b: UnsafeBufferPointer<UInt8>) -> DetectedCharset {
        if let bom = CharsetDetector.byteOrderMark(b) {
            return DetectedCharset(name: bom == "utf-8" ? "utf-8" : "utf-16", evidence: "BOM")
        }
        if b.count >= 4, b[0] == 0x3C, b[1] == 0, b[2] == 0x3F, b[3] == 0 { return DetectedCharset(name: "UTF-16LE", evidence: "UTF-16LE signature") }
        if b.count >= 4, b[0] == 0, b[1] == 0x3C, b[2] == 0, b[3] == 0x3F { return DetectedCharset(name: "UTF-16BE", evidence: "UTF-16BE signature") }
        if let declared = CharsetDetector.xmlDeclarationEncoding(b) {
            let name = CharsetDetector.normalizedLabel(declared)
            return DetectedCharset(name: name, evidence: "XML declaration \(declared)")
        }
        return DetectedCharset(name: "utf-8", evidence: "XML default")
    }

    // MARK: Records

    /// The record being read. A class: text is appended in place, event after event, without
    /// copying what was gathered so far.
    private final class Assembly {
        var values: [Int: [UInt8]] = [:]
        /// Paths of the open elements below the record element, each joined with `/`
        /// (`revision`, `revision/text`): the current one is the last.
        var paths: [String] = []
        var path: String { paths.last ?? "" }
        var entity: String?
        let line: Int
        let offset: Int
        init(line: Int, offset: Int) {
            self.line = line
            self.offset = offset
        }
    }

    func next() throws -> RawItem? {
        guard !finished else { return nil }
        var record: Assembly?
        var siteinfoNamespace: Int?
        var siteinfoText: [UInt8] = []
        while true {
            let event: XMLStreamReader.Event?
            do { event = try parser.next() } catch {
                finished = true
                return try brokenOff(error, inside: record)
            }
            guard let event else {
                finished = true
                return nil
            }
            switch event {
            case .start(let name, let attributes, let empty):
                if let r = record {
                    r.paths.append(r.paths.isEmpty ? name : r.path + "/" + name)
                    take(attributes, at: r.path, into: r)
                    if empty { r.paths.removeLast() }
                } else if name == layout.record {
                    let r = Assembly(line: parser.line, offset: parser.byteOffset)
                    take(attributes, at: "", into: r)
                    if empty {
                        if let item = try finish(r) { return item }
                        continue
                    }
                    record = r
                } else if mediawiki != nil, name == "namespace" {
                    let key = attributes.first { $0.name == "key" }.flatMap { Int($0.value) }
                    siteinfoNamespace = key == 6 || key == 14 ? key : nil
                    siteinfoText = []
                }
            case .end(let name):
                if let r = record {
                    if r.paths.isEmpty {
                        record = nil
                        if let item = try finish(r) { return item }
                    } else {
                        r.paths.removeLast()
                    }
                } else if name == "namespace", siteinfoNamespace != nil {
                    let prefix = String(decoding: siteinfoText, as: UTF8.self)
                    if !prefix.isEmpty { mediaPrefixes.append(prefix) }
                    siteinfoNamespace = nil
                }
            case .text(let bytes):
                if let r = record {
                    let here = r.path
                    for (k, field) in layout.fields.enumerated() where field.attribute == nil {
                        if field.elementPath.isEmpty || here == field.elementPath || here.hasPrefix(field.elementPath + "/") {
                            r.values[k, default: []].append(contentsOf: bytes)
                        }
                    }
                } else if siteinfoNamespace != nil {
                    siteinfoText += bytes
                }
            case .entityReference(let name):
                if let r = record, r.entity == nil { r.entity = name }
            }
        }
    }

    private func take(_ attributes: [(name: String, value: String)], at path: String, into r: Assembly) {
        for (k, field) in layout.fields.enumerated() where field.attribute != nil && field.elementPath == path {
            if let a = attributes.first(where: { $0.name == field.attribute }) { r.values[k] = Array(a.value.utf8) }
        }
    }

    /// The record as a raw item, or `nil` when a MediaWiki filter skips it.
    private func finish(_ r: Assembly) throws -> RawItem? {
        let provenance = Provenance(input: input, line: r.line, byteOffset: r.offset)
        if let entity = r.entity {
            return RawItem(provenance: provenance, payload: .failed(
                reason: "the record refers to the entity `&\(entity);`; Winnow never expands entities a document declares (XXE, billion laughs)",
                bytes: Array((r.values.values.first ?? []).prefix(200))))
        }
        var fields = JSONObject()
        for (k, field) in layout.fields.enumerated() {
            guard let bytes = r.values[k] else { continue }
            fields[field.name] = .string(String(decoding: bytes, as: UTF8.self))
        }
        if let options = mediawiki {
            for key in ["namespace", "page_id", "revision_id"] {
                if let s = fields[key]?.stringValue, let n = Int(s) { fields[key] = .number(JSONNumber(n)) }
            }
            let namespace = fields["namespace"]?.intValue ?? 0
            if !options.namespaces.contains(namespace) {
                skipped["namespace \(namespace)", default: 0] += 1
                return nil
            }
            if fields["redirect"] != nil, !options.keepRedirects {
                skipped["redirect", default: 0] += 1
                return nil
            }
            if fields["text"] == nil { fields["text"] = .string("") }
        }
        return RawItem(provenance: provenance, payload: .fields(fields, context: mediaPrefixes))
    }

    /// The document broke off: the record being read (if any) is quarantined, the rest kept.
    private func brokenOff(_ error: Error, inside record: Assembly?) throws -> RawItem? {
        let reason: String
        switch error {
        case let e as WinnowError:
            guard case .truncatedInput(let message) = e else { throw error }
            reason = message
        case let e as XMLStreamReader.ParseError:
            let lower = e.message.lowercased()
            if lower.contains("entity") && (lower.contains("loop") || lower.contains("amplification") || lower.contains("depth")) {
                reason = "entity expansion refused: the document's entities nest or grow without bound (a billion-laughs attack?); libxml2: \(e)"
            } else {
                reason = "malformed XML: \(e)"
            }
        default:
            throw error
        }
        guard let record else {
            return RawItem(provenance: Provenance(input: input, line: parser.line, byteOffset: parser.byteOffset),
                           payload: .failed(reason: reason, bytes: []))
        }
        let titleField = layout.fields.firstIndex { $0.name == "title" }
        let title = titleField.flatMap { record.values[$0] }.map { " `" + String(decoding: $0, as: UTF8.self) + "`" } ?? ""
        return RawItem(provenance: Provenance(input: input, line: record.line, byteOffset: record.offset),
                       payload: .failed(reason: "the document breaks off inside <\(layout.record)>\(title): \(reason)",
                                        bytes: Array((record.values.values.first ?? []).prefix(200))))
    }
}

/// A chunk already read, then the rest of a stream.
final class PrefixedByteSource: ByteSource {
    private var first: [UInt8]?
    private let rest: ByteSource

    init(first: [UInt8], rest: ByteSource) {
        self.first = first
        self.rest = rest
    }

    func next() throws -> [UInt8] {
        if let chunk = first {
            first = nil
            if !chunk.isEmpty { return chunk }
        }
        return try rest.next()
    }
}
