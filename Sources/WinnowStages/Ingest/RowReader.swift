import WinnowCore
import WinnowText

/// Finds row boundaries in one input file. The implementations are sequential and cheap;
/// all decoding happens later on worker threads (``RowDecoder``).
protocol RowReader: AnyObject {
    func next() throws -> RawItem?
    /// The charset the file was decoded with and why, for readers that work it out themselves
    /// (HTML, XML); recorded with the file once it is read.
    var detectedCharset: DetectedCharset? { get }
    /// Rows the input's own filters passed over, by reason.
    var skipped: [String: Int] { get }
}

extension RowReader {
    var detectedCharset: DetectedCharset? { nil }
    var skipped: [String: Int] { [:] }
}

/// One JSON document per line; blank lines are skipped.
final class JSONLReader: RowReader {
    private let lines: LineReader
    private let input: Int

    init(lines: LineReader, input: Int) {
        self.lines = lines
        self.input = input
    }

    func next() throws -> RawItem? {
        while let line = try lines.next() {
            if line.bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            var bytes = line.bytes
            if line.number == 1 { stripBOM(&bytes) }
            let provenance = Provenance(input: input, line: line.number, byteOffset: line.byteOffset)
            if line.oversized {
                return RawItem(provenance: provenance, payload: .failed(reason: "line longer than \(lines.maxLineBytes) bytes", bytes: Array(bytes.prefix(200))))
            }
            return RawItem(provenance: provenance, payload: .jsonLine(bytes))
        }
        return nil
    }
}

/// Plain text: one record per line (optionally skipping blank lines) or one per file.
final class TextReader: RowReader {
    private let lines: LineReader
    private let input: Int
    private let perFile: Bool
    private let skipEmpty: Bool
    private var done = false

    init(lines: LineReader, input: Int, perFile: Bool, skipEmpty: Bool) {
        self.lines = lines
        self.input = input
        self.perFile = perFile
        self.skipEmpty = skipEmpty
    }

    func next() throws -> RawItem? {
        if perFile {
            guard !done else { return nil }
            done = true
            var all: [UInt8] = []
            var first = true
            while let line = try lines.next() {
                if !first { all.append(0x0A) }
                all.append(contentsOf: line.bytes)
                first = false
            }
            stripBOM(&all)
            return RawItem(provenance: Provenance(input: input, line: 1, byteOffset: 0), payload: .document(all))
        }
        while let line = try lines.next() {
            var bytes = line.bytes
            if line.number == 1 { stripBOM(&bytes) }
            if skipEmpty, bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            return RawItem(provenance: Provenance(input: input, line: line.number, byteOffset: line.byteOffset),
                           payload: .line(bytes))
        }
        return nil
    }
}

/// Removes a UTF-8 byte-order mark from the start.
func stripBOM(_ bytes: inout [UInt8]) {
    if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { bytes.removeFirst(3) }
}

/// One HTML page per file. The charset is found here, on the reader thread, so the build can
/// record it with the file; parsing happens on the workers.
final class HTMLReader: RowReader {
    private let source: ByteSource
    private let input: Int
    private let declared: String?
    private var done = false
    /// The charset the page is decoded with and why, once it is read.
    private(set) var detectedCharset: DetectedCharset?
    /// A page is parsed as a whole (a DOM), so one page's size is bounded.
    static let maxPageBytes = 64 << 20

    init(source: ByteSource, input: Int, declared: String?) {
        self.source = source
        self.input = input
        self.declared = declared
    }

    func next() throws -> RawItem? {
        guard !done else { return nil }
        done = true
        var all: [UInt8] = []
        while case let chunk = try source.next(), !chunk.isEmpty {
            all.append(contentsOf: chunk)
            if all.count > HTMLReader.maxPageBytes {
                // The file source drains the rest (for the hash); the page itself is refused.
                return RawItem(provenance: Provenance(input: input, line: 1, byteOffset: 0), payload: .failed(
                    reason: "HTML page larger than \(HTMLReader.maxPageBytes >> 20) MiB; not parsed", bytes: Array(all.prefix(200))))
            }
        }
        let found = declared.map(DetectedCharset.declared) ?? all.withUnsafeBufferPointer { CharsetDetector.detect($0) }
        detectedCharset = found
        return RawItem(provenance: Provenance(input: input, line: 1, byteOffset: 0), payload: .html(all, charset: found.name))
    }
}
