import Foundation
import WinnowCore

/// Writes Megatron-LM indexed datasets (`PREFIX.bin` + `PREFIX.idx`, MMIDIDX version 1), the
/// format `megatron.core.datasets.indexed_dataset.IndexedDataset` reads.
///
/// One sequence per document (document-level preprocessing, as `preprocess_data.py` does by
/// default), so `document_indices` is `[0, 1, …, S]`. The token dtype is Megatron's choice for the
/// vocabulary: `uint16` (code 8) below 65,500 ids, else `int32` (code 4). Everything is written
/// little-endian; the `.idx` has no alignment padding. Byte layout: `../shared/specs/FORMATS.md` §1.1.
public final class MegatronShardWriter {
    public enum DType: UInt8, Sendable {
        case uint16 = 8
        case int32 = 4
        public var itemSize: Int { self == .uint16 ? 2 : 4 }
        public var name: String { self == .uint16 ? "uint16" : "int32" }

        /// Megatron's `DType.optimal_dtype(vocab_size)`.
        public static func optimal(forVocabularySize size: Int) -> DType { size < 65_500 ? .uint16 : .int32 }
    }

    public let prefix: String
    public let dtype: DType
    private let bin: FileHandle
    private var lengths: [Int32] = []
    private var buffer: [UInt8] = []
    private(set) public var tokenCount = 0
    private var binHasher = StreamingHasher()

    public init(prefix: String, dtype: DType) throws {
        self.prefix = prefix
        self.dtype = dtype
        guard FileManager.default.createFile(atPath: prefix + ".bin", contents: nil),
              let handle = FileHandle(forWritingAtPath: prefix + ".bin") else {
            throw WinnowError.build("cannot create shard \(prefix).bin")
        }
        bin = handle
    }

    public var documentCount: Int { lengths.count }
    public var binBytes: Int { tokenCount * dtype.itemSize }

    /// Appends one document as one sequence. Empty documents are recorded with length 0.
    public func add(document ids: [Int32]) throws {
        guard ids.count < Int(Int32.max) else { throw WinnowError.build("a document of \(ids.count) tokens exceeds Megatron's int32 sequence length") }
        switch dtype {
        case .uint16:
            for id in ids {
                guard id >= 0, id <= 0xFFFF else { throw WinnowError.build("token id \(id) does not fit uint16 shards") }
                let v = UInt16(id).littleEndian
                buffer.append(UInt8(truncatingIfNeeded: v)); buffer.append(UInt8(truncatingIfNeeded: v >> 8))
            }
        case .int32:
            for id in ids {
                let v = UInt32(bitPattern: id).littleEndian
                buffer.append(UInt8(truncatingIfNeeded: v)); buffer.append(UInt8(truncatingIfNeeded: v >> 8))
                buffer.append(UInt8(truncatingIfNeeded: v >> 16)); buffer.append(UInt8(truncatingIfNeeded: v >> 24))
            }
        }
        lengths.append(Int32(ids.count))
        tokenCount += ids.count
        if buffer.count >= 1 << 20 { flush() }
    }

    private func flush() {
        binHasher.update(buffer)
        bin.write(Data(buffer))
        buffer.removeAll(keepingCapacity: true)
    }

    /// Closes `.bin` and writes `.idx`. Returns the SHA-256 of both files.
    public func finish() throws -> (bin: String, idx: String) {
        flush()
        try bin.close()
        var idx: [UInt8] = Array("MMIDIDX".utf8) + [0, 0]
        func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { idx.append(contentsOf: $0) } }
        func i64(_ v: Int64) { withUnsafeBytes(of: v.littleEndian) { idx.append(contentsOf: $0) } }
        u64(1)
        idx.append(dtype.rawValue)
        u64(UInt64(lengths.count))
        u64(UInt64(lengths.count + 1))
        for l in lengths { withUnsafeBytes(of: l.littleEndian) { idx.append(contentsOf: $0) } }
        var pointer: Int64 = 0
        for l in lengths { i64(pointer); pointer += Int64(l) * Int64(dtype.itemSize) }
        for d in 0...lengths.count { i64(Int64(d)) }
        guard FileManager.default.createFile(atPath: prefix + ".idx", contents: Data(idx)) else {
            throw WinnowError.build("cannot write \(prefix).idx")
        }
        var idxHasher = StreamingHasher()
        idxHasher.update(idx)
        return (binHasher.finalize(), idxHasher.finalize())
    }
}
