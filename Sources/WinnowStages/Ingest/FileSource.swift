import WinnowCore

/// Reads a build's input files one after another, in the order the pipeline lists them
/// (files of one entry sorted by path), and hands out raw rows in batches.
public final class FileSource: RecordSource {
    public private(set) var files: [InputFile]
    public var bytesRead: Int { finishedBytes + (current?.raw.bytesRead ?? 0) }
    public let totalBytes: Int
    private let plans: [FilePlan]
    private var index = 0
    private var finishedBytes = 0
    private var current: (raw: FileByteSource, reader: RowReader)?

    /// How to read one file.
    struct FilePlan {
        var format: InputDefinition.Format
        var definition: InputDefinition
        /// Convert the whole stream before splitting lines (UTF-16/32).
        var streamCharset: String?
        /// Record element and fields of an XML input (MediaWiki's for dumps).
        var xml: XMLRecordLayout?
        var mediawiki: MediaWikiOptions?
    }

    /// A batch ends after this many payload bytes even when it has fewer rows than asked for.
    static let maxBatchBytes = 8 << 20

    /// Rows the inputs' own filters skipped (MediaWiki namespaces, redirects), by reason.
    public private(set) var skipped: [String: Int] = [:]

    init(files: [InputFile], plans: [FilePlan]) {
        self.files = files
        self.plans = plans
        self.totalBytes = files.reduce(0) { $0 + $1.size }
    }

    public func nextBatch(maxCount: Int) throws -> [RawItem]? {
        var batch: [RawItem] = []
        var batchBytes = 0
        batch.reserveCapacity(maxCount)
        while batch.count < maxCount {
            if current == nil {
                guard index < files.count else { break }
                current = try open(index)
            }
            if let item = try current!.reader.next() {
                batchBytes += item.payload.byteCount
                batch.append(item)
                // Whole pages and documents are large: a batch is also bounded in bytes, so
                // memory holds a few batches whatever the file size.
                if batchBytes >= FileSource.maxBatchBytes { break }
            } else {
                // Drain anything left so the hash covers the whole file, then move on.
                while !(try current!.raw.next()).isEmpty {}
                files[index].sha256 = current!.raw.digest()
                if let charset = current!.reader.detectedCharset { files[index].encoding = charset.description }
                for (reason, n) in current!.reader.skipped { skipped[reason, default: 0] += n }
                finishedBytes += current!.raw.bytesRead
                current = nil
                index += 1
            }
        }
        return batch.isEmpty ? nil : batch
    }

    private func open(_ k: Int) throws -> (raw: FileByteSource, reader: RowReader) {
        let plan = plans[k]
        let raw = try FileByteSource(path: files[k].absolutePath)
        var bytes: ByteSource = raw
        if let codec = Decompression.codec(of: raw.peek(Decompression.magicLength)) { bytes = try Decompression.source(codec, upstream: bytes) }
        let d = plan.definition
        let declared = d.isUTF8 ? nil : d.encoding
        let reader: RowReader
        switch plan.format {
        case .html:
            reader = HTMLReader(source: bytes, input: k, declared: declared)
        case .xml, .mediawiki:
            reader = try XMLRecordReader(source: bytes, input: k, layout: plan.xml ?? XMLRecordLayout.mediawiki,
                                         mediawiki: plan.mediawiki, declared: declared)
        case .jsonl, .csv, .tsv, .text:
            if let charset = plan.streamCharset { bytes = try CharsetByteSource(upstream: bytes, charset: charset) }
            let lines = LineReader(source: bytes)
            reader = switch plan.format {
            case .csv, .tsv: CSVReader(lines: lines, input: k,
                                       delimiter: d.delimiter ?? (plan.format == .tsv ? 0x09 : UInt8(ascii: ",")),
                                       quote: d.quote, columns: d.header ? nil : d.columns)
            case .text: TextReader(lines: lines, input: k, perFile: d.textUnit == .file, skipEmpty: d.skipEmpty)
            default: JSONLReader(lines: lines, input: k)
            }
        }
        return (raw, reader)
    }
}
