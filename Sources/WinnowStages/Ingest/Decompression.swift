import CBzip2
import CLZMA
import CZlib
import CZstd
import WinnowCore

/// Compressed inputs: gzip, bzip2, xz and zstd, told apart by their first bytes (not their
/// names) and decoded while streaming, a chunk at a time.
///
/// Why limits: a few kilobytes can expand to terabytes (a decompression bomb). Every stream
/// counts the bytes it has read and written and stops with one clear error when it writes more
/// than `maxBytes`, or more than `maxRatio` times what it read once past `ratioGrace` bytes —
/// real text compresses 3–20×, a bomb 1,000× and more.
enum Decompression {
    enum Codec: String { case gzip, bzip2, xz, zstd }

    struct Limits: Sendable {
        var maxBytes = 64 << 30
        var maxRatio = 200
        var ratioGrace = 64 << 20
    }

    /// Bytes `codec(of:)` needs to see.
    static let magicLength = 10

    /// The codec whose magic number `head` starts with. The checks go past the first bytes
    /// where a text file could start the same way (a CSV beginning with `BZh`).
    static func codec(of head: [UInt8]) -> Codec? {
        if head.starts(with: [0x1F, 0x8B, 0x08]) { return .gzip }  // gzip, deflate
        if head.count >= 10, head.starts(with: [0x42, 0x5A, 0x68]), (0x31...0x39).contains(head[3]) {
            // "BZh" + block size, then the first block's magic (digits of π) or the end-of-stream magic (√π).
            let block = Array(head[4..<10])
            if block == [0x31, 0x41, 0x59, 0x26, 0x53, 0x59] || block == [0x17, 0x72, 0x45, 0x38, 0x50, 0x90] { return .bzip2 }
        }
        if head.starts(with: [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]) { return .xz }
        if head.starts(with: [0x28, 0xB5, 0x2F, 0xFD]) { return .zstd }
        return nil
    }

    static func source(_ codec: Codec, upstream: ByteSource, limits: Limits = Limits()) throws -> ByteSource {
        let step: DecompressingByteSource.Step
        switch codec {
        case .gzip: step = try ZlibStep()
        case .bzip2: step = try Bzip2Step()
        case .xz: step = try LZMAStep()
        case .zstd: step = try ZstdStep()
        }
        return DecompressingByteSource(upstream: upstream, codec: codec, step: step, limits: limits)
    }
}

/// Feeds compressed chunks to a codec step and hands out decoded chunks, within the limits.
final class DecompressingByteSource: ByteSource {
    typealias Step = DecompressionStep

    private let upstream: ByteSource
    private let codec: Decompression.Codec
    private let step: Step
    private let limits: Decompression.Limits
    private var input: [UInt8] = []
    private var offset = 0
    private var upstreamDone = false
    private var streamEnded = false
    private var consumed = 0
    private var produced = 0

    init(upstream: ByteSource, codec: Decompression.Codec, step: Step, limits: Decompression.Limits) {
        self.upstream = upstream
        self.codec = codec
        self.step = step
        self.limits = limits
    }

    func next() throws -> [UInt8] {
        var output = [UInt8](repeating: 0, count: FileByteSource.chunkSize)
        var have = 0
        while have == 0 {
            if offset == input.count, !upstreamDone {
                input = try upstream.next()
                offset = 0
                if input.isEmpty { upstreamDone = true }
            }
            if offset == input.count, upstreamDone {
                if streamEnded { return [] }
                // One last call with no input lets a decoder finish (xz reports its end only then).
                let (_, written, ended) = try output.withUnsafeMutableBufferPointer { outBuf in
                    try step.decode(UnsafeBufferPointer(start: nil, count: 0), into: outBuf)
                }
                have = written
                if ended { streamEnded = true }
                if written == 0, !ended { throw WinnowError.truncatedInput("\(codec.rawValue) stream is truncated") }
                continue
            }
            if streamEnded {
                // More input after the end of a stream: another member (concatenated files).
                try step.reset()
                streamEnded = false
            }
            let (read, written, ended) = try input.withUnsafeBufferPointer { inBuf in
                try output.withUnsafeMutableBufferPointer { outBuf in
                    try step.decode(UnsafeBufferPointer(rebasing: inBuf[offset...]), into: outBuf)
                }
            }
            offset += read
            consumed += read
            have = written
            if ended { streamEnded = true }
            if read == 0, written == 0, !ended {
                throw WinnowError.build("\(codec.rawValue) data is corrupt (the decoder made no progress)")
            }
        }
        produced += have
        if produced > limits.maxBytes {
            throw WinnowError.build("\(codec.rawValue) stream expands beyond \(limits.maxBytes >> 20) MiB; refusing to continue (a decompression bomb?)")
        }
        if produced > limits.ratioGrace, produced > limits.maxRatio * max(consumed, 1) {
            throw WinnowError.build("\(codec.rawValue) stream expands more than \(limits.maxRatio)× (\(produced >> 20) MiB from \(consumed >> 10) KiB read); refusing a likely decompression bomb")
        }
        output.removeSubrange(have...)
        return output
    }
}

/// One codec's decoder state: decodes from `input` into `output` and says how many bytes it
/// read and wrote and whether the current stream ended.
protocol DecompressionStep: AnyObject {
    func decode(_ input: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt8>) throws -> (Int, Int, Bool)
    /// Starts over for a concatenated stream.
    func reset() throws
}

final class ZlibStep: DecompressionStep {
    private var stream = z_stream()
    init() throws {
        // 15 + 32: gzip or zlib headers, detected.
        guard winnow_inflate_init(&stream, 15 + 32) == Z_OK else { throw WinnowError.build("zlib initialisation failed") }
    }
    deinit { inflateEnd(&stream) }
    func decode(_ input: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt8>) throws -> (Int, Int, Bool) {
        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
        stream.avail_in = UInt32(input.count)
        stream.next_out = output.baseAddress
        stream.avail_out = UInt32(output.count)
        let r = inflate(&stream, Z_NO_FLUSH)
        guard r == Z_OK || r == Z_STREAM_END || r == Z_BUF_ERROR else { throw WinnowError.build("gzip data is corrupt (zlib error \(r))") }
        return (input.count - Int(stream.avail_in), output.count - Int(stream.avail_out), r == Z_STREAM_END)
    }
    func reset() throws { inflateReset(&stream) }
}

final class Bzip2Step: DecompressionStep {
    private var stream = bz_stream()
    init() throws {
        guard BZ2_bzDecompressInit(&stream, 0, 0) == BZ_OK else { throw WinnowError.build("bzip2 initialisation failed") }
    }
    deinit { BZ2_bzDecompressEnd(&stream) }
    func decode(_ input: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt8>) throws -> (Int, Int, Bool) {
        let inBase = UnsafeMutableRawPointer(mutating: input.baseAddress).map { $0.assumingMemoryBound(to: CChar.self) }
        stream.next_in = inBase
        stream.avail_in = UInt32(input.count)
        stream.next_out = UnsafeMutableRawPointer(output.baseAddress).map { $0.assumingMemoryBound(to: CChar.self) }
        stream.avail_out = UInt32(output.count)
        let r = BZ2_bzDecompress(&stream)
        guard r == BZ_OK || r == BZ_STREAM_END else { throw WinnowError.build("bzip2 data is corrupt (libbz2 error \(r))") }
        return (input.count - Int(stream.avail_in), output.count - Int(stream.avail_out), r == BZ_STREAM_END)
    }
    func reset() throws {
        BZ2_bzDecompressEnd(&stream)
        stream = bz_stream()
        guard BZ2_bzDecompressInit(&stream, 0, 0) == BZ_OK else { throw WinnowError.build("bzip2 initialisation failed") }
    }
}

final class LZMAStep: DecompressionStep {
    private var stream = lzma_stream()
    init() throws {
        guard winnow_lzma_open(&stream) == LZMA_OK else { throw WinnowError.build("xz initialisation failed") }
    }
    deinit { lzma_end(&stream) }
    func decode(_ input: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt8>) throws -> (Int, Int, Bool) {
        stream.next_in = input.baseAddress
        stream.avail_in = input.count
        stream.next_out = output.baseAddress
        stream.avail_out = output.count
        // LZMA_CONCATENATED: the decoder itself reads stream after stream; LZMA_FINISH once the
        // input is known to be complete is not needed, a final empty read ends the loop.
        let r = lzma_code(&stream, input.isEmpty ? LZMA_FINISH : LZMA_RUN)
        if r == LZMA_MEMLIMIT_ERROR {
            throw WinnowError.build("xz stream asks for more than 1 GiB of decoder memory; refusing (a memory bomb?)")
        }
        guard r == LZMA_OK || r == LZMA_STREAM_END || r == LZMA_BUF_ERROR else {
            throw WinnowError.build("xz data is corrupt (liblzma error \(r.rawValue))")
        }
        return (input.count - stream.avail_in, output.count - stream.avail_out, r == LZMA_STREAM_END)
    }
    func reset() throws {}
}

final class ZstdStep: DecompressionStep {
    private let stream: OpaquePointer
    init() throws {
        guard let s = ZSTD_createDStream() else { throw WinnowError.build("zstd initialisation failed") }
        stream = s
        ZSTD_initDStream(stream)
    }
    deinit { ZSTD_freeDStream(stream) }
    func decode(_ input: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt8>) throws -> (Int, Int, Bool) {
        var inBuf = ZSTD_inBuffer(src: input.baseAddress, size: input.count, pos: 0)
        var outBuf = ZSTD_outBuffer(dst: output.baseAddress, size: output.count, pos: 0)
        let r = ZSTD_decompressStream(stream, &outBuf, &inBuf)
        if ZSTD_isError(r) != 0 { throw WinnowError.build("zstd data is corrupt (\(String(cString: ZSTD_getErrorName(r))))") }
        // r == 0: a frame is complete; the next bytes (if any) start a new frame by themselves.
        return (inBuf.pos, outBuf.pos, r == 0)
    }
    func reset() throws {}
}
