/// Byte-level text passes used by ``CleanStage``. Each returns `nil` when nothing changes, so
/// the common case allocates nothing.
enum TextScrubber {
    /// Removes C0/C1 controls (except tab, LF, CR) and invisible characters: U+00AD soft hyphen,
    /// U+180E, U+200B zero-width space, U+2060–U+2064 (word joiner, invisible operators) and
    /// U+FEFF. ZWJ/ZWNJ are kept: they change how emoji and several scripts render.
    static func removeInvisible(_ text: String, control: Bool, zeroWidth: Bool) -> (String, Int)? {
        let bytes = Array(text.utf8)
        // Fast check: only these lead bytes can start a removable character.
        var suspicious = false
        for b in bytes where (b < 0x20 && b != 0x09 && b != 0x0A && b != 0x0D) || b == 0x7F || b == 0xC2 || b == 0xE1 || b == 0xE2 || b == 0xEF {
            suspicious = true
            break
        }
        guard suspicious else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var removed = 0
        var i = 0
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            if control, (b < 0x20 && b != 0x09 && b != 0x0A && b != 0x0D) || b == 0x7F { removed += 1; i += 1; continue }
            if b == 0xC2, i + 1 < n {
                let c = bytes[i + 1]
                if (control && c >= 0x80 && c <= 0x9F && c != 0x85) || (zeroWidth && c == 0xAD) { removed += 1; i += 2; continue }
            }
            if zeroWidth, i + 2 < n {
                let c = bytes[i + 1], d = bytes[i + 2]
                if (b == 0xE1 && c == 0xA0 && d == 0x8E) || (b == 0xE2 && c == 0x80 && d == 0x8B)
                    || (b == 0xE2 && c == 0x81 && d >= 0xA0 && d <= 0xA4) || (b == 0xEF && c == 0xBB && d == 0xBF) {
                    removed += 1; i += 3; continue
                }
            }
            out.append(b)
            i += 1
        }
        guard removed > 0 else { return nil }
        return (String(decoding: out, as: UTF8.self), removed)
    }

    /// Length in bytes of the whitespace character at `i`, whether it is a line break, or `nil`.
    /// White_Space per Unicode: ASCII space/tab/LF/VT/FF/CR, U+0085, U+00A0, U+1680,
    /// U+2000–U+200A, U+2028, U+2029, U+202F, U+205F, U+3000.
    @inline(__always)
    static func whitespace(_ bytes: UnsafeBufferPointer<UInt8>, _ i: Int) -> (length: Int, newline: Bool)? {
        let b = bytes[i]
        switch b {
        case 0x20, 0x09, 0x0B, 0x0C: return (1, false)
        case 0x0A, 0x0D: return (1, true)
        case 0xC2 where i + 1 < bytes.count:
            let c = bytes[i + 1]
            if c == 0x85 { return (2, true) }
            if c == 0xA0 { return (2, false) }
        case 0xE1 where i + 2 < bytes.count:
            if bytes[i + 1] == 0x9A && bytes[i + 2] == 0x80 { return (3, false) }
        case 0xE2 where i + 2 < bytes.count:
            let c = bytes[i + 1], d = bytes[i + 2]
            if c == 0x80 && d <= 0x8A { return (3, false) }
            if c == 0x80 && (d == 0xA8 || d == 0xA9) { return (3, true) }
            if c == 0x80 && d == 0xAF { return (3, false) }
            if c == 0x81 && d == 0x9F { return (3, false) }
        case 0xE3 where i + 2 < bytes.count:
            if bytes[i + 1] == 0x80 && bytes[i + 2] == 0x80 { return (3, false) }
        default: break
        }
        return nil
    }

    /// Collapses every whitespace run to one space, or (with `keepNewlines`) to one newline when
    /// the run contains a line break.
    static func collapseWhitespace(_ text: String, keepNewlines: Bool) -> String? {
        var text = text
        return text.withUTF8 { bytes -> String? in
            var out: [UInt8] = []
            var changedAt: Int? = nil
            var i = 0
            let n = bytes.count
            while i < n {
                guard let ws = whitespace(bytes, i) else {
                    if changedAt != nil { out.append(bytes[i]) }
                    i += 1
                    continue
                }
                var j = i
                var newline = false
                while j < n, let w = whitespace(bytes, j) { newline = newline || w.newline; j += w.length }
                let replacement: UInt8 = keepNewlines && newline ? 0x0A : 0x20
                let unchanged = j - i == ws.length && bytes[i] == replacement
                if changedAt == nil && !unchanged {
                    changedAt = i
                    out.reserveCapacity(n)
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[..<i]))
                }
                if changedAt != nil { out.append(replacement) }
                i = j
            }
            return changedAt == nil ? nil : String(decoding: out, as: UTF8.self)
        }
    }

    /// Removes leading and trailing whitespace, scanning only the ends of the text.
    static func trim(_ text: String) -> String? {
        var text = text
        return text.withUTF8 { bytes -> String? in
            var start = 0
            while start < bytes.count, let w = whitespace(bytes, start) { start += w.length }
            var end = bytes.count
            while end > start {
                var k = end - 1
                while k > start, bytes[k] & 0xC0 == 0x80 { k -= 1 }
                guard let w = whitespace(bytes, k), k + w.length == end else { break }
                end = k
            }
            if start == 0 && end == bytes.count { return nil }
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
        }
    }
}
