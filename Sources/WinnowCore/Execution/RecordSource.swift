/// A resolved input file of a build, with what the build learned about it.
public struct InputFile: Sendable, Equatable {
    /// The path as shown to users and stored: relative to the pipeline's directory when inside it.
    public var path: String
    public var absolutePath: String
    public var format: String
    public var encoding: String
    public var size: Int
    /// SHA-256 of the file's bytes as stored on disk, computed while reading.
    public var sha256: String
    /// Index of the `inputs` entry this file came from.
    public var inputIndex: Int

    public init(path: String, absolutePath: String, format: String, encoding: String, size: Int,
                sha256: String = "", inputIndex: Int) {
        self.path = path
        self.absolutePath = absolutePath
        self.format = format
        self.encoding = encoding
        self.size = size
        self.sha256 = sha256
        self.inputIndex = inputIndex
    }
}

/// An input row as split off by a reader, before it is decoded into a record.
///
/// Readers only find row boundaries (sequential work); decoding (UTF-8 validation, charset
/// conversion, JSON parsing, field mapping) happens on worker threads through a
/// ``RawItemDecoder``.
public struct RawItem: Sendable {
    public enum Payload: Sendable {
        /// One JSONL line, bytes as read.
        case jsonLine([UInt8])
        /// One CSV/TSV row with the file's column names.
        case row(header: [String], values: [[UInt8]])
        /// One line of a plain-text file.
        case line([UInt8])
        /// A whole file as one record.
        case document([UInt8])
        /// A whole HTML page as one record, with the charset to decode it with.
        case html([UInt8], charset: String)
        /// Fields a reader assembled itself (XML records, MediaWiki pages). `context` carries
        /// per-file strings the decoder needs (a wiki's names for its File and Category namespaces).
        case fields(JSONObject, context: [String])
        /// The reader already knows this row is bad (wrong field count, unterminated quote).
        case failed(reason: String, bytes: [UInt8])
    }
    public var provenance: Provenance
    public var payload: Payload

    public init(provenance: Provenance, payload: Payload) {
        self.provenance = provenance
        self.payload = payload
    }
}

extension RawItem.Payload {
    /// Bytes the payload holds (roughly, for batch sizing).
    public var byteCount: Int {
        switch self {
        case .jsonLine(let b), .line(let b), .document(let b), .html(let b, _): b.count
        case .row(_, let values): values.reduce(0) { $0 + $1.count }
        case .fields(let fields, _): fields.members.reduce(0) { $0 + ($1.value.stringValue?.utf8.count ?? 8) }
        case .failed(_, let b): b.count
        }
    }
}

/// Streams raw rows from a build's input files, in a deterministic order.
public protocol RecordSource: AnyObject {
    /// The files being read; `sha256` is filled in as each file is finished.
    var files: [InputFile] { get }
    /// Bytes consumed so far and in total, for progress and MB/s.
    var bytesRead: Int { get }
    var totalBytes: Int { get }
    /// The next rows, or `nil` at the end of the last file.
    func nextBatch(maxCount: Int) throws -> [RawItem]?
    /// Rows an input's own filter skipped (MediaWiki pages outside the chosen namespaces,
    /// redirects), by reason: reported with ingest so nothing disappears silently.
    var skipped: [String: Int] { get }
}

extension RecordSource {
    public var skipped: [String: Int] { [:] }
}

/// Turns a raw row into record fields, or explains why it cannot.
public protocol RawItemDecoder: Sendable {
    func decode(_ item: RawItem, _ context: StageContext) -> Result<JSONObject, DecodeFailure>
}

/// Why a raw row could not become a record.
public struct DecodeFailure: Error, Sendable {
    public var reason: String
    public var excerpt: String
    public init(reason: String, excerpt: String) {
        self.reason = reason
        self.excerpt = excerpt
    }
}
