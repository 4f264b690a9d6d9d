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
        return text.withUTF8 { utf8 in
            [UInt8](unsafeUninitializedCapacity: utf8.count) { out, written in
                var n = 0
                var pendingSpace = false
                Shingler.forEachScalar(utf8) { c, start, end in
                    let space = c < 0x80 ? (c == 0x20 || (c >= 0x09 && c <= 0x0D)) : winnow_u_isUWhiteSpace(Int32(bitPattern: c)) != 0
                    if space {
                        switch whitespace {
                        case .keep: break
                        case .ignore: return
                        case .collapse: pendingSpace = n > 0; return
                        }
                    } else if removePunctuation {
                        if !Shingler.isLetterOrDigit(c) { return }
                    }
                    // A collapsed space is one byte and replaces at least one: never overflows.
                    if pendingSpace { out[n] = 0x20; n += 1; pendingSpace = false }
                    for k in start..<end { out[n] = utf8[k]; n += 1 }
                }
                written = n
            }
        }
    }
}
