import Dispatch
import Foundation
import WinnowCore

/// One document to tokenize: its text and, optionally, its label.
public struct ShardDocument: Sendable {
    public var text: String
    public var label: String?
    public init(text: String, label: String?) {
        self.text = text
        self.label = label
    }
}

/// How ``ShardBuilder`` writes token shards.
public struct ShardOptions: Sendable {
    public enum Format: String, Sendable, CaseIterable {
        /// Megatron-LM MMIDIDX `.bin` + `.idx`, one sequence per document.
        case megatron
        /// nanoGPT: one flat little-endian `uint16` (or `uint32` for larger vocabularies) token stream.
        case nanogpt

        /// The name manifests and the store record for shards of this format.
        public var manifestName: String { self == .megatron ? "megatron-mmidx-v1" : "nanogpt-flat" }
    }
    public var format: Format = .megatron
    /// Start a new shard before a document that would take the current one past this many tokens
    /// (documents are never cut). `nil`: one shard per split.
    public var maxShardTokens: Int?
    public var eos: Int32?
    /// Prepended to every document that produced tokens (Llama-style BOS).
    public var bos: Int32?
    public var specialTokens: SpecialTokenPolicy = .text
    public var threads = 1
    /// Label names in index order: when set, each shard gets `…​.labels.npy` (int32 index per document, -1 for none).
    public var labels: [String]?
    public init() {}
}

/// A written shard file, with what it holds and its SHA-256.
public struct ShardFileInfo: Sendable {
    public var name: String
    public var split: String
    public var shard: Int
    public var documents: Int
    public var tokens: Int
    public var sha256: String
}

/// Tokenizes documents into shard files, in document order, on several threads.
///
/// Encoding runs in parallel over batches with one ``TokenEncoder`` per worker slot; results are
/// written in input order, so the bytes never depend on the thread count. Files are named
/// `PREFIX_SPLIT_NNNNN.bin` (+ `.idx` for Megatron, + `.labels.npy` with labels).
public final class ShardBuilder {
    public let tokenizer: Tokenizer
    public let directory: String
    public let prefix: String
    public let options: ShardOptions
    public let dtype: MegatronShardWriter.DType
    private let encoders: [TokenEncoder]
    private(set) public var files: [ShardFileInfo] = []
    private var createdPaths: [String] = []

    public init(tokenizer: Tokenizer, directory: String, prefix: String, options: ShardOptions) {
        self.tokenizer = tokenizer
        self.directory = directory
        self.prefix = prefix
        self.options = options
        dtype = MegatronShardWriter.DType.optimal(forVocabularySize: tokenizer.vocabularySize)
        encoders = (0..<max(1, options.threads)).map { _ in tokenizer.makeEncoder() }
    }

    /// The flat-stream item size for nanoGPT files: 2 bytes when every id fits, else 4.
    public var nanoGPTItemSize: Int { tokenizer.vocabularySize <= 65_536 ? 2 : 4 }

    /// Writes one split; `next` hands out documents in order, `nil` at the end.
    public func write(split: String, next: () throws -> [ShardDocument]?) throws {
        var shard = 0
        var current: OpenShard?
        func open() throws {
            let name = "\(prefix)_\(split)_\(String(format: "%05d", shard))"
            let opened = try OpenShard(path: directory + "/" + name, name: name, split: split, shard: shard, builder: self)
            createdPaths += opened.paths
            current = opened
        }
        func close() throws {
            guard let open = current else { return }
            files += try open.finish()
            current = nil
            shard += 1
        }
        while let batch = try next() {
            let encoded = try encode(batch)
            for (doc, ids) in zip(batch, encoded) {
                if let limit = options.maxShardTokens, let open = current, open.tokens > 0, open.tokens + ids.count > limit { try close() }
                if current == nil { try open() }
                try current!.add(ids, label: doc.label)
            }
        }
        // An empty split still gets one (empty) shard, so every split has files.
        if current == nil { try open() }
        try close()
    }

    /// Removes every file this builder created (after a failure).
    public func removeWrittenFiles() {
        for path in createdPaths { try? FileManager.default.removeItem(atPath: path) }
    }

    private func encode(_ batch: [ShardDocument]) throws -> [[Int32]] {
        if encoders.count == 1 || batch.count < 32 {
            return try batch.map { try ShardBuilder.document($0, encoders[0], options) }
        }
        let chunks = encoders.count
        let ranges = BalancedPartition.ranges(batch.map { $0.text.utf8.count }, parts: chunks)
        var results = [[[Int32]]](repeating: [], count: chunks)
        var failures = [Error?](repeating: nil, count: chunks)
        let box = EncodeJob(batch: batch, encoders: encoders, ranges: ranges, options: options)
        results.withUnsafeMutableBufferPointer { out in
            failures.withUnsafeMutableBufferPointer { errors in
                let slots = SendablePointers(results: out.baseAddress!, errors: errors.baseAddress!)
                DispatchQueue.concurrentPerform(iterations: chunks) { k in
                    do { slots.results[k] = try box.run(k) } catch { slots.errors[k] = error }
                }
            }
        }
        if let error = failures.compactMap({ $0 }).first { throw error }
        return results.flatMap { $0 }
    }

    /// One document's ids: BOS, the text's ids, EOS — the markers only when the text produced
    /// tokens (as Megatron's `--append-eod` does).
    static func document(_ doc: ShardDocument, _ encoder: TokenEncoder, _ options: ShardOptions) throws -> [Int32] {
        var ids = try encoder.encode(doc.text, specialTokens: options.specialTokens)
        guard !ids.isEmpty else { return ids }
        if let bos = options.bos { ids.insert(bos, at: 0) }
        if let eos = options.eos { ids.append(eos) }
        return ids
    }
}

private struct EncodeJob: @unchecked Sendable {
    let batch: [ShardDocument]
    let encoders: [TokenEncoder]
    /// Worker k's documents: contiguous, of about equal total text size.
    let ranges: [Range<Int>]
    let options: ShardOptions

    func run(_ k: Int) throws -> [[Int32]] {
        try batch[ranges[k]].map { try ShardBuilder.document($0, encoders[k], options) }
    }
}

/// Each worker writes only its own slot.
private struct SendablePointers: @unchecked Sendable {
    let results: UnsafeMutablePointer<[[Int32]]>
    let errors: UnsafeMutablePointer<Error?>
}

/// One shard being written.
private final class OpenShard {
    let name: String, split: String, shard: Int
    let path: String
    private let megatron: MegatronShardWriter?
    private let flat: FileHandle?
    private var flatHasher = StreamingHasher()
    private var flatBuffer: [UInt8] = []
    private let itemSize: Int
    private let labelIndex: [String: Int32]?
    private var labels: [Int32] = []
    private(set) var tokens = 0
    private var documents = 0
    var paths: [String]

    init(path: String, name: String, split: String, shard: Int, builder: ShardBuilder) throws {
        self.path = path
        self.name = name
        self.split = split
        self.shard = shard
        if FileManager.default.fileExists(atPath: path + ".bin") { throw WinnowError.usage("\(path).bin exists; choose an empty output directory") }
        switch builder.options.format {
        case .megatron:
            megatron = try MegatronShardWriter(prefix: path, dtype: builder.dtype)
            flat = nil
            itemSize = builder.dtype.itemSize
            paths = [path + ".bin", path + ".idx"]
        case .nanogpt:
            guard FileManager.default.createFile(atPath: path + ".bin", contents: nil), let h = FileHandle(forWritingAtPath: path + ".bin") else {
                throw WinnowError.build("cannot create \(path).bin")
            }
            megatron = nil
            flat = h
            itemSize = builder.nanoGPTItemSize
            paths = [path + ".bin"]
        }
        labelIndex = builder.options.labels.map { names in Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, Int32($0)) }) }
        if labelIndex != nil { paths.append(path + ".labels.npy") }
    }

    func add(_ ids: [Int32], label: String?) throws {
        if let megatron { try megatron.add(document: ids) } else {
            for id in ids {
                var v = UInt32(bitPattern: id).littleEndian
                withUnsafeBytes(of: &v) { flatBuffer.append(contentsOf: $0.prefix(itemSize)) }
            }
            if flatBuffer.count >= 1 << 20 { flushFlat() }
        }
        if let labelIndex { labels.append(label.flatMap { labelIndex[$0] } ?? -1) }
        tokens += ids.count
        documents += 1
    }

    private func flushFlat() {
        flatHasher.update(flatBuffer)
        flat?.write(Data(flatBuffer))
        flatBuffer.removeAll(keepingCapacity: true)
    }

    func finish() throws -> [ShardFileInfo] {
        var out: [ShardFileInfo] = []
        func info(_ suffix: String, _ sha: String) -> ShardFileInfo {
            ShardFileInfo(name: name + suffix, split: split, shard: shard, documents: documents, tokens: tokens, sha256: sha)
        }
        if let megatron {
            let (bin, idx) = try megatron.finish()
            out += [info(".bin", bin), info(".idx", idx)]
        } else {
            flushFlat()
            try flat?.close()
            out.append(info(".bin", flatHasher.finalize()))
        }
        if labelIndex != nil {
            let npy = NumpyArray.int32(labels)
            guard FileManager.default.createFile(atPath: path + ".labels.npy", contents: Data(npy)) else {
                throw WinnowError.build("cannot write \(path).labels.npy")
            }
            var h = StreamingHasher()
            h.update(npy)
            out.append(info(".labels.npy", h.finalize()))
        }
        return out
    }
}

/// Minimal NumPy `.npy` (format 1.0) writer for one-dimensional int32 arrays.
enum NumpyArray {
    static func int32(_ values: [Int32]) -> [UInt8] {
        var header = "{'descr': '<i4', 'fortran_order': False, 'shape': (\(values.count),), }"
        // Magic (6) + version (2) + length (2) + header must be a multiple of 64, ending in a newline.
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        var out: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0]
        let n = UInt16(header.utf8.count)
        out += [UInt8(n & 0xFF), UInt8(n >> 8)]
        out += Array(header.utf8)
        for v in values { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        return out
    }
}
