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
