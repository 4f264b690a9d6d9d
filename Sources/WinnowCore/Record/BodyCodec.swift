import CZstd

/// Compression of stored record bodies with zstd.
///
/// Short bodies are kept raw: compression would not pay for its frame header. Compression runs
/// on the worker threads with one reusable context per worker, at zstd level 1 (about half the
/// size of raw text; on the benchmark corpus level -2 was no faster end to end and a third
/// bigger), so the store's writer only inserts bytes.
public enum BodyCodec {
    /// Bodies shorter than this are stored raw.
    public static let threshold = 256
    public static let raw = 0
    public static let zstd = 1

    /// Encodes with a per-thread compressor; falls back to raw when compression does not help.
    public static func encode(_ body: [UInt8], with compressor: ZstdCompressor) -> (encoding: Int, data: [UInt8]) {
        guard body.count >= threshold, let packed = compressor.compress(body), packed.count < body.count else { return (raw, body) }
        return (zstd, packed)
    }

    public static func decode(encoding: Int, data: [UInt8], size: Int) -> [UInt8]? {
        switch encoding {
        case raw: return data
        case zstd:
            var out = [UInt8](repeating: 0, count: max(size, 1))
            let n = out.withUnsafeMutableBytes { o in data.withUnsafeBytes { i in ZSTD_decompress(o.baseAddress, o.count, i.baseAddress, i.count) } }
            guard ZSTD_isError(n) == 0, n == size else { return nil }
            out.removeSubrange(size...)
            return out
        default: return nil
        }
    }
}

/// A reusable zstd compression context (one per worker thread; not thread-safe).
public final class ZstdCompressor {
    private let context: OpaquePointer
    let level: Int32

    public init(level: Int32 = 1) {
        context = ZSTD_createCCtx()
        self.level = level
    }

    deinit { ZSTD_freeCCtx(context) }

    public func compress(_ input: [UInt8]) -> [UInt8]? {
        var failed = false
        let out = [UInt8](unsafeUninitializedCapacity: ZSTD_compressBound(input.count)) { o, count in
            let n = input.withUnsafeBytes { i in ZSTD_compressCCtx(context, o.baseAddress, o.count, i.baseAddress, i.count, level) }
            failed = ZSTD_isError(n) != 0
            count = failed ? 0 : n
        }
        return failed ? nil : out
    }
}
