@_implementationOnly import CByteScan

/// XXH64 (Yann Collet's xxHash, 64-bit variant), from the system's xxHash library.
///
/// Why this hash: SimHash fingerprints are stored in the store and compared across versions and
/// machines, so the shingle hash must be fixed, documented, fast and well mixed in every bit.
/// XXH64 is all four, and any language can reproduce it (`xxhash.xxh64_intdigest` in Python).
/// The library is compiled inline (see `CByteScan/shim.h`): shingles are a few dozen bytes, and a
/// call per shingle would cost as much as the hash.
public enum XXHash64 {
    /// The hash of `bytes` with `seed`.
    @inlinable
    public static func hash(_ bytes: [UInt8], seed: UInt64 = 0) -> UInt64 {
        bytes.withUnsafeBytes { hash($0, seed: seed) }
    }

    /// The hash of the bytes in `buffer` with `seed`.
    public static func hash(_ buffer: UnsafeRawBufferPointer, seed: UInt64 = 0) -> UInt64 {
        winnow_xxh64(buffer.baseAddress, buffer.count, seed)
    }

    /// Appends the hash (seed 0) of `count` windows of `bytes` to `hashes`: window i is
    /// `bytes[starts[i] ..< starts[i + span] - trim]`. One C loop for a document's shingles.
    public static func appendWindows(of bytes: UnsafeRawBufferPointer, starts: UnsafeBufferPointer<Int>, count: Int, span: Int,
                              trim: Int, to hashes: inout [UInt64]) {
        guard count > 0, let base = bytes.baseAddress, let at = starts.baseAddress else { return }
        precondition(count - 1 + span < starts.count, "window bounds past the starts")
        let old = hashes.count
        hashes.append(contentsOf: repeatElement(0, count: count))
        hashes.withUnsafeMutableBufferPointer { out in
            winnow_xxh64_windows(base.assumingMemoryBound(to: UInt8.self), at, count, span, trim, out.baseAddress! + old)
        }
    }
}
