@_implementationOnly import CLibXML2
#if canImport(Glibc)
import Glibc
#endif

/// A pull parser over an XML stream of any size (libxml2's `xmlTextReader`), fed chunk by
/// chunk from a closure, so memory holds the current node and never the document.
///
/// Safety is part of the type, not of its callers: the network is off, no DTD or external
/// entity is ever loaded (a process-wide loader refuses every request), and entities are not
/// substituted, so a reference to a declared entity comes out as ``Event/entityReference(_:)``
/// and the caller refuses the record; XXE and "billion laughs" documents therefore expand
/// nothing. Nesting depth and text node sizes keep libxml2's default limits.
public final class XMLStreamReader {
    public enum Event: Equatable {
        /// An element opens; `empty` when it is written `<name/>` (no end event follows).
        case start(name: String, attributes: [(name: String, value: String)], empty: Bool)
        case end(name: String)
        /// Character data (CDATA sections included), as UTF-8.
        case text([UInt8])
        /// A reference to an entity the document declared itself (`&xxe;`): never expanded.
        case entityReference(String)

        public static func == (a: Event, b: Event) -> Bool {
            switch (a, b) {
            case let (.start(n1, a1, e1), .start(n2, a2, e2)): n1 == n2 && e1 == e2 && a1.elementsEqual(a2) { $0 == $1 }
            case let (.end(x), .end(y)): x == y
            case let (.text(x), .text(y)): x == y
            case let (.entityReference(x), .entityReference(y)): x == y
            default: false
            }
        }
    }

    /// A parse error: the document is malformed, cut off, or breaks a safety limit.
    public struct ParseError: Error, Sendable, CustomStringConvertible {
        public var message: String
        public var line: Int
        public var description: String { line > 0 ? "\(message) (line \(line))" : message }
    }

    private var reader: xmlTextReaderPtr?
    private let read: (UnsafeMutableRawBufferPointer) throws -> Int
    /// The error the byte source threw, if any; libxml2 only sees "read failed".
    public private(set) var sourceError: Error?
    private var finished = false

    private static let installLoader: Void = winnow_xml_refuse_external_entities()

    /// `read` fills the buffer and returns the count, 0 at the end; `encoding` overrides the
    /// document's own declaration (pass `UTF-8` after converting the stream yourself).
    public init(encoding: String?, read: @escaping (UnsafeMutableRawBufferPointer) throws -> Int) throws {
        _ = Self.installLoader
        self.read = read
        let context = Unmanaged.passUnretained(self).toOpaque()
        let callback: xmlInputReadCallback = { context, buffer, length in
            guard let context, let buffer else { return -1 }
            let me = Unmanaged<XMLStreamReader>.fromOpaque(context).takeUnretainedValue()
            return me.fill(UnsafeMutableRawBufferPointer(start: buffer, count: Int(length)))
        }
        guard let r = winnow_xmlReaderForIO(callback, context, encoding) else {
            throw ParseError(message: "libxml2 could not start an XML reader", line: 0)
        }
        reader = r
    }

    deinit { if let reader { xmlFreeTextReader(reader) } }

    private func fill(_ buffer: UnsafeMutableRawBufferPointer) -> Int32 {
        do { return Int32(try read(buffer)) } catch {
            sourceError = error
            return -1
        }
    }

    /// The line the parser is at (for provenance).
    public var line: Int { reader.map { Int(xmlTextReaderGetParserLineNumber($0)) } ?? 0 }
    /// Input bytes consumed so far.
    public var byteOffset: Int { reader.map { Int(xmlTextReaderByteConsumed($0)) } ?? 0 }

    /// The next event, or `nil` at the end of the document. Comments and processing
    /// instructions are skipped; whitespace between elements is text (an element's text is all
    /// the text below it, as XPath's string value, so `<a><b>x</b> <c>y</c></a>` reads `x y`).
    public func next() throws -> Event? {
        guard let reader, !finished else { return nil }
        while true {
            winnow_xml_reset_last_error()
            let status = xmlTextReaderRead(reader)
            if status == 0 { finished = true; return nil }
            if status < 0 {
                finished = true
                if let sourceError { throw sourceError }
                var line: Int32 = 0
                let message = winnow_xml_last_error(&line).map { String(cString: $0) } ?? "malformed XML"
                throw ParseError(message: message.trimmingWhitespace, line: Int(line))
            }
            switch xmlTextReaderNodeType(reader) {
            case 1:  // element
                let name = string(xmlTextReaderConstName(reader))
                let empty = xmlTextReaderIsEmptyElement(reader) == 1
                var attributes: [(name: String, value: String)] = []
                if xmlTextReaderHasAttributes(reader) == 1 {
                    while xmlTextReaderMoveToNextAttribute(reader) == 1 {
                        attributes.append((string(xmlTextReaderConstName(reader)), string(xmlTextReaderConstValue(reader))))
                    }
                    xmlTextReaderMoveToElement(reader)
                }
                return .start(name: name, attributes: attributes, empty: empty)
            case 15:  // end element
                return .end(name: string(xmlTextReaderConstName(reader)))
            case 3, 4, 13, 14:  // text, CDATA, whitespace, significant whitespace
                guard let value = xmlTextReaderConstValue(reader) else { continue }
                return .text(Array(UnsafeBufferPointer(start: value, count: strlen(value))))
            case 5:  // entity reference (not substituted)
                return .entityReference(string(xmlTextReaderConstName(reader)))
            default:
                continue
            }
        }
    }

    private func string(_ p: UnsafePointer<xmlChar>?) -> String {
        p.map { String(cString: $0) } ?? ""
    }
}

extension String {
    var trimmingWhitespace: String {
        var s = Substring(self)
        while s.first?.isWhitespace == true { s.removeFirst() }
        while s.last?.isWhitespace == true { s.removeLast() }
        return String(s)
    }
}
