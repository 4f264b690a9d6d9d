/// Splits a byte stream into lines (LF, with a trailing CR removed), tracking the 1-based line
/// number and the byte offset of each line's first byte in the (decoded) stream.
final class LineReader {
    private let source: ByteSource
    private var buffer: [UInt8] = []
    private var position = 0
    private var exhausted = false
    private(set) var lineNumber = 0
    private var offset = 0
    /// Longest line accepted; longer lines are returned cut and flagged.
    let maxLineBytes: Int

    struct Line {
        var bytes: [UInt8]
        var number: Int
        var byteOffset: Int
        /// The last line of the stream had no newline (often a sign of truncation).
        var unterminated: Bool
        var oversized: Bool
    }

    init(source: ByteSource, maxLineBytes: Int = 256 << 20) {
        self.source = source
        self.maxLineBytes = maxLineBytes
    }

    func next() throws -> Line? {
        var collected: [UInt8] = []
        var oversized = false
        while true {
            if position < buffer.count {
                let found: Int? = buffer.withUnsafeBufferPointer { buf in
                    guard let base = buf.baseAddress else { return nil }
                    let start = base + position
                    guard let hit = memchr(start, 0x0A, buf.count - position) else { return nil }
                    return position + (UnsafeRawPointer(hit) - UnsafeRawPointer(start))
                }
                if let nl = found {
                    if !oversized { collected.append(contentsOf: buffer[position..<nl]) }
                    let consumed = nl - position + 1
                    position = nl + 1
                    return finish(&collected, consumed: consumed, unterminated: false, oversized: oversized)
                }
                if !oversized { collected.append(contentsOf: buffer[position...]) }
                if collected.count > maxLineBytes { oversized = true; collected.removeSubrange(maxLineBytes...) }
                pendingConsumed += buffer.count - position
                position = buffer.count
            }
            if exhausted {
                guard !collected.isEmpty || pendingConsumed > 0 else { return nil }
                return finish(&collected, consumed: 0, unterminated: true, oversized: oversized)
            }
            buffer = try source.next()
            position = 0
            if buffer.isEmpty { exhausted = true }
        }
    }

    private var pendingConsumed = 0

    private func finish(_ bytes: inout [UInt8], consumed: Int, unterminated: Bool, oversized: Bool) -> Line {
        lineNumber += 1
        if bytes.last == 0x0D { bytes.removeLast() }
        let line = Line(bytes: bytes, number: lineNumber, byteOffset: offset, unterminated: unterminated, oversized: oversized)
        offset += consumed + pendingConsumed
        pendingConsumed = 0
        return line
    }
}

#if canImport(Glibc)
import Glibc
#endif
