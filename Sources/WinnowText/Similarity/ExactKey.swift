@_implementationOnly import CByteScan
@_implementationOnly import CICU

/// The text an exact-duplicate check compares, after the configured whitespace and punctuation
/// handling (Unicode normalization is applied before, by the caller).
public struct ExactKeyRule: Sendable, Hashable {
    public enum Whitespace: String, Sendable, CaseIterable {
        /// Runs of white space become one space; leading and trailing space is removed.
        case collapse
        /// All white space is removed (right for Chinese, where spacing is noise).
        case ignore
        /// Compared as is.
        case keep
    }

    public var whitespace: Whitespace
    /// Remove everything that is neither a letter, a digit nor white space (punctuation,
    /// symbols, emoji).
    public var removePunctuation: Bool

    public init(whitespace: Whitespace = .collapse, removePunctuation: Bool = false) {
        self.whitespace = whitespace
        self.removePunctuation = removePunctuation
    }

    public var signature: String { "ws=\(whitespace.rawValue),punct=\(removePunctuation ? "remove" : "keep")" }

    /// The key bytes of `text`; empty when nothing is left (such texts are never duplicates).
    public func key(_ text: String) -> [UInt8] {
        var text = text
        var out: [UInt8] = []
        text.withUTF8 { key(utf8: $0, into: &out) }
        return out
    }

    /// The key bytes of valid UTF-8 `utf8`, replacing `out`'s contents (reused between calls).
    public func key(utf8: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        let mode: Int32 = switch whitespace { case .collapse: 0; case .ignore: 1; case .keep: 2 }
        let dropsPunctuation: Int32 = removePunctuation ? 1 : 0
        // A collapsed space is one byte and replaces at least one: the key is never longer.
        if out.count < utf8.count { out.append(contentsOf: repeatElement(0, count: utf8.count - out.count)) }
        let written = out.withUnsafeMutableBufferPointer { buffer -> Int in
            guard let src = utf8.baseAddress, let dst = buffer.baseAddress else { return 0 }
            // Collapsing writes a space for the first white space after a kept character and
            // drops one left over at the end.
            let count = utf8.count
            var n = 0, i = 0
            // Collapsing: whether the last byte written was a space, or none was written yet.
            var afterSpace: Int32 = 1
            while i < count {
                if src[i] < 0x80 {
                    // ASCII runs in C, branch-free (a space every few bytes defeats prediction).
                    i = winnow_exact_key_ascii(src, i, count, dst, &n, &afterSpace, mode, dropsPunctuation)
                    continue
                }
                if !removePunctuation && src[i] >= 0xE3 && src[i] <= 0xEF {
                    // Chinese, Japanese and Korean text in one C loop: nothing in it is white space.
                    let end = winnow_exact_key_wide(src, i, count, dst, &n)
                    if end != i {
                        i = end
                        afterSpace = 0
                        continue
                    }
                }
                let (c, length) = Shingler.decodeScalar(src, at: i)
                defer { i += length }
                // Han, Kana and Hangul are letters, never white space: kept without asking ICU
                // (`isLetterOrDigit` answers them by range).
                if !Shingler.isCJK(c) && winnow_u_isUWhiteSpace(Int32(bitPattern: c)) != 0 {
                    switch whitespace {
                    case .keep: break
                    case .ignore: continue
                    case .collapse:
                        if afterSpace == 0 { dst[n] = 0x20; n += 1; afterSpace = 1 }
                        continue
                    }
                } else if removePunctuation && !Shingler.isLetterOrDigit(c) {
                    continue
                }
                for k in 0..<length { dst[n + k] = src[i + k] }
                n += length
                afterSpace = 0
            }
            // A collapsed space at the end has nothing after it: it goes.
            if whitespace == .collapse && n > 0 && dst[n - 1] == 0x20 { n -= 1 }
            return n
        }
        out.removeLast(out.count - written)
    }
}
