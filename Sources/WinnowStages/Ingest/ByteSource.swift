import CZlib
import Foundation
import WinnowCore
import WinnowText

/// A stream of bytes read in chunks: a file, a decompressor over a file, or a charset
/// converter over either. Readers above it never see the whole input at once.
protocol ByteSource: AnyObject {
    /// Reads the next chunk; an empty array means end of stream.
    func next() throws -> [UInt8]
}

/// Reads a file in 1 MiB chunks and hashes the raw bytes as they pass (the input's SHA-256).
final class FileByteSource: ByteSource {
    private let handle: UnsafeMutablePointer<FILE>
    private var hasher = StreamingHasher()
    private(set) var bytesRead = 0
    let path: String
    static let chunkSize = 1 << 20

    init(path: String) throws {
        guard let f = fopen(path, "rb") else { throw WinnowError.build("cannot open input `\(path)`: \(String(cString: strerror(errno)))") }
        handle = f
        self.path = path
    }

    deinit { fclose(handle) }

    func next() throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: FileByteSource.chunkSize)
        let n = buffer.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, handle) }
        if n == 0, ferror(handle) != 0 { throw WinnowError.build("error reading `\(path)`") }
        buffer.removeSubrange(n...)
        buffer.withUnsafeBytes { hasher.update($0) }
        bytesRead += n
        return buffer
    }

    /// Peeks at the first bytes without consuming them (for magic-number detection).
    func peek(_ count: Int) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        let n = buffer.withUnsafeMutableBytes { fread($0.baseAddress, 1, count, handle) }
        fseek(handle, 0, SEEK_SET)
        return Array(buffer.prefix(n))
    }

    /// SHA-256 of everything read; call after the stream is exhausted.
    func digest() -> String { hasher.finalize() }
}

/// Streams a gzip file through zlib (detected by its magic bytes, not its name).
///
/// Bounded: decompression stops with an error past `maxOutputBytes`, so a small bomb file
/// cannot fill the disk or memory. Concatenated gzip members are read one after another.
final class GzipByteSource: ByteSource {
    private let upstream: ByteSource
    private var stream = z_stream()
    private var input: [UInt8] = []
    private var inputOffset = 0
    private var upstreamDone = false
    private var finished = false
    private var produced = 0
    let maxOutputBytes: Int

    init(upstream: ByteSource, maxOutputBytes: Int = 64 << 30) throws {
        self.upstream = upstream
        self.maxOutputBytes = maxOutputBytes
        // 15 + 32: accept gzip or zlib headers automatically.
        guard winnow_inflate_init(&stream, 15 + 32) == Z_OK else { throw WinnowError.build("zlib initialisation failed") }
    }

    deinit { inflateEnd(&stream) }

    func next() throws -> [UInt8] {
        var output = [UInt8](repeating: 0, count: FileByteSource.chunkSize)
        var have = 0
        while have == 0 && !finished {
            if inputOffset == input.count {
                input = upstreamDone ? [] : try upstream.next()
                inputOffset = 0
                if input.isEmpty { upstreamDone = true; throw WinnowError.build("gzip stream is truncated") }
            }
            let status: Int32 = input.withUnsafeMutableBufferPointer { inBuf in
                output.withUnsafeMutableBufferPointer { outBuf in
                    stream.next_in = inBuf.baseAddress! + inputOffset
                    stream.avail_in = UInt32(inBuf.count - inputOffset)
                    stream.next_out = outBuf.baseAddress
                    stream.avail_out = UInt32(outBuf.count)
                    let r = inflate(&stream, Z_NO_FLUSH)
                    have = outBuf.count - Int(stream.avail_out)
                    inputOffset = inBuf.count - Int(stream.avail_in)
                    return r
                }
            }
            if status == Z_STREAM_END {
                if inputOffset == input.count {
                    input = try upstream.next()
                    inputOffset = 0
                    if input.isEmpty { upstreamDone = true }
                }
                if input.isEmpty { finished = true } else { inflateReset(&stream) }
            } else if status != Z_OK && status != Z_BUF_ERROR {
                throw WinnowError.build("gzip data is corrupt (zlib error \(status))")
            }
        }
        produced += have
        if produced > maxOutputBytes {
            throw WinnowError.build("gzip stream expands beyond \(maxOutputBytes) bytes; refusing to continue")
        }
        output.removeSubrange(have...)
        return output
    }
}

/// Converts a stream in a non-ASCII-compatible charset (UTF-16/32) to UTF-8 before lines are split.
final class CharsetByteSource: ByteSource {
    private let upstream: ByteSource
    private let converter: CharsetConverter
    private var done = false

    init(upstream: ByteSource, charset: String) throws {
        self.upstream = upstream
        self.converter = try CharsetConverter(charset: charset, strict: false)
    }

    func next() throws -> [UInt8] {
        while !done {
            let chunk = try upstream.next()
            if chunk.isEmpty { done = true }
            let out = try chunk.withUnsafeBufferPointer { try converter.convert($0, flush: chunk.isEmpty) }
            if !out.isEmpty { return out }
        }
        return []
    }
}
