import CLZ4
import CZstd

/// How stored record bodies are compressed.
///
/// Every body is compressed once, on the worker threads, and read back by `export`, `diff`,
/// `why` and `verify`; each row names its own encoding, so one store can hold bodies written
/// with different settings. On the 100 MB benchmark corpus (one thread, per-record frames):
/// LZ4 compresses in 0.18 s to 67 MB, zstd level 1 in 0.43 s to 49 MB. LZ4 is the default
/// because compression is the largest single cost of storing a build (about 40% of an
/// ingest-only build with zstd) and LZ4 also decompresses several times faster; zstd is the
/// choice for stores kept long or shipped (`winnow run --compression zstd`).
public enum BodyCodec {
    /// Bodies shorter than this are stored raw: compression would not pay for its frame header.
    public static let threshold = 256
    /// The encodings stored in each object row.
    public static let raw = 0
    public static let zstd = 1
    public static let lz4 = 2

    /// A build's choice of compression (the `--compression` option).
    public enum Compression: String, Sendable, CaseIterable {
        case lz4, zstd, none
    }

    /// Encodes with a per-thread compressor; falls back to raw when compression does not help.
    public static func encode(_ body: [UInt8], with compressor: BodyCompressor) -> (encoding: Int, data: [UInt8]) {
        guard body.count >= threshold, let (encoding, packed) = compressor.compress(body), packed.count < body.count else {
            return (raw, body)
        }
        return (encoding, packed)
    }

    /// The body of a stored row, or `nil` when the data does not decode to `size` bytes.
    public static func decode(encoding: Int, data: [UInt8], size: Int) -> [UInt8]? {
        switch encoding {
        case raw: return data
        case zstd, lz4:
            var out = [UInt8](repeating: 0, count: max(size, 1))
            let n = out.withUnsafeMutableBytes { o in
                data.withUnsafeBytes { i -> Int in
                    if encoding == zstd {
                        let n = ZSTD_decompress(o.baseAddress, o.count, i.baseAddress, i.count)
                        return ZSTD_isError(n) != 0 ? -1 : n
                    }
                    guard i.count <= Int32.max, o.count <= Int32.max else { return -1 }
                    return Int(LZ4_decompress_safe(i.baseAddress?.assumingMemoryBound(to: CChar.self),
                                                   o.baseAddress?.assumingMemoryBound(to: CChar.self),
                                                   Int32(i.count), Int32(o.count)))
                }
            }
            guard n == size else { return nil }
            out.removeSubrange(size...)
            return out
        default: return nil
        }
    }
}

/// A reusable compressor for record bodies (one per worker thread; not thread-safe): a zstd
/// context at level 1, or LZ4's one-shot fast mode, which needs no context.
public final class BodyCompressor {
    public let compression: BodyCodec.Compression
    private let zstdContext: OpaquePointer?

    public init(_ compression: BodyCodec.Compression = .lz4) {
        self.compression = compression
        zstdContext = compression == .zstd ? ZSTD_createCCtx() : nil
    }

    deinit { if let zstdContext { ZSTD_freeCCtx(zstdContext) } }

    /// The body's encoding and compressed bytes, or `nil` when this compressor stores raw bodies
    /// or compression failed.
    public func compress(_ input: [UInt8]) -> (encoding: Int, data: [UInt8])? {
        switch compression {
        case .none:
            return nil
        case .zstd:
            var failed = false
            let out = [UInt8](unsafeUninitializedCapacity: ZSTD_compressBound(input.count)) { o, count in
                let n = input.withUnsafeBytes { i in ZSTD_compressCCtx(zstdContext, o.baseAddress, o.count, i.baseAddress, i.count, 1) }
                failed = ZSTD_isError(n) != 0
                count = failed ? 0 : n
            }
            return failed ? nil : (BodyCodec.zstd, out)
        case .lz4:
            guard input.count <= Int(LZ4_MAX_INPUT_SIZE) else { return nil }
            let bound = Int(LZ4_compressBound(Int32(input.count)))
            let out = [UInt8](unsafeUninitializedCapacity: bound) { o, count in
                let n = input.withUnsafeBytes { i in
                    LZ4_compress_default(i.baseAddress?.assumingMemoryBound(to: CChar.self),
                                         o.baseAddress.map { UnsafeMutableRawPointer($0).assumingMemoryBound(to: CChar.self) },
                                         Int32(input.count), Int32(bound))
                }
                count = Int(max(n, 0))
            }
            return out.isEmpty ? nil : (BodyCodec.lz4, out)
        }
    }
}
