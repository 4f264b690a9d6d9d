import WinnowCore
import WinnowText

/// A `tokenizer.json` normalizer: none, NFC, NFKC, or a sequence of them.
enum Normalizer {
    case none
    case unicode(UnicodeNormalizer)
    case sequence([Normalizer])

    init(json: JSONValue?) throws {
        guard let json, !json.isNull else { self = .none; return }
        guard let o = json.objectValue, let type = o["type"]?.stringValue else { throw TokenizerError("normalizer: expected an object with a `type`") }
        switch type {
        case "NFC": self = .unicode(try UnicodeNormalizer(.nfc))
        case "NFKC": self = .unicode(try UnicodeNormalizer(.nfkc))
        case "Sequence":
            let items = try (o["normalizers"]?.arrayValue ?? []).map { try Normalizer(json: $0) }
            self = items.isEmpty ? .none : .sequence(items)
        default: throw TokenizerError("normalizer `\(type)` is not supported (supported: NFC, NFKC, Sequence, null)")
        }
    }

    var isIdentity: Bool { if case .none = self { return true }; return false }

    func apply(_ text: String) throws -> String {
        switch self {
        case .none: return text
        case .unicode(let n): return try n.normalize(text) ?? text
        case .sequence(let items): return try items.reduce(text) { try $1.apply($0) }
        }
    }
}

/// A pre-tokenizer step. Each splits byte ranges of the (normalized) text further.
enum PreTokenizer {
    enum Behavior: String { case removed = "Removed", isolated = "Isolated", mergedWithPrevious = "MergedWithPrevious",
                                 mergedWithNext = "MergedWithNext", contiguous = "Contiguous" }
    case split(SplitRegex, Behavior, invert: Bool)
    /// Byte-level: optional prefix space, optional GPT-2 regex split; marks the model as byte-level.
    case byteLevel(addPrefixSpace: Bool, regex: SplitRegex?)
    case sequence([PreTokenizer])

    /// GPT-2's pre-tokenization regex, used by `ByteLevel` with `use_regex: true`.
    static let gpt2Pattern = #"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"#

    init(json: JSONValue?) throws {
        guard let o = json?.objectValue, let type = o["type"]?.stringValue else { throw TokenizerError("pre_tokenizer: missing (null pre-tokenizers are not supported)") }
        switch type {
        case "Split":
            let pattern: String
            if let regex = o["pattern"]?.objectValue?["Regex"]?.stringValue {
                pattern = regex
            } else if let literal = o["pattern"]?.objectValue?["String"]?.stringValue {
                pattern = "\\Q" + literal.replacingOccurrences(of: "\\E", with: "\\E\\\\E\\Q") + "\\E"
            } else { throw TokenizerError("pre_tokenizer Split: `pattern` must be {\"Regex\": …} or {\"String\": …}") }
            guard let behavior = o["behavior"]?.stringValue.flatMap(Behavior.init(rawValue:)) else {
                throw TokenizerError("pre_tokenizer Split: unknown `behavior` \(o["behavior"]?.displayText ?? "null")")
            }
            do { self = .split(try SplitRegex(pattern), behavior, invert: o["invert"]?.boolValue ?? false) } catch {
                throw TokenizerError("pre_tokenizer Split: \(error)")
            }
        case "ByteLevel":
            let useRegex = o["use_regex"]?.boolValue ?? true
            self = .byteLevel(addPrefixSpace: o["add_prefix_space"]?.boolValue ?? false,
                              regex: useRegex ? try SplitRegex(PreTokenizer.gpt2Pattern) : nil)
        case "Digits":
            let individual = o["individual_digits"]?.boolValue ?? false
            self = .split(try SplitRegex(individual ? #"\p{N}"# : #"\p{N}+"#), .isolated, invert: false)
        case "Sequence":
            self = .sequence(try (o["pretokenizers"]?.arrayValue ?? []).map { try PreTokenizer(json: $0) })
        default:
            throw TokenizerError("pre_tokenizer `\(type)` is not supported (supported: Split, ByteLevel, Digits, Sequence)")
        }
    }

    var isByteLevel: Bool {
        switch self {
        case .byteLevel: true
        case .sequence(let items): items.contains { $0.isByteLevel }
        case .split: false
        }
    }

    /// Splits `text` (UTF-8) into pre-tokens, as byte ranges of the returned buffer.
    ///
    /// Pieces are ranges over one buffer, not arrays of their own: a document has as many
    /// pre-tokens as words, and allocating each was a large share of encoding time. The buffer
    /// is `text` itself unless ByteLevel's `add_prefix_space` inserts spaces.
    func apply(_ text: [UInt8], _ matchers: inout [ObjectIdentifier: RegexMatcher]) throws -> (buffer: [UInt8], pieces: [Range<Int>]) {
        var buffer = text
        var pieces = [0..<text.count]
        try apply(&buffer, &pieces, &matchers)
        return (buffer, pieces.filter { !$0.isEmpty })
    }

    private func apply(_ buffer: inout [UInt8], _ pieces: inout [Range<Int>], _ matchers: inout [ObjectIdentifier: RegexMatcher]) throws {
        switch self {
        case .sequence(let items):
            for item in items { try item.apply(&buffer, &pieces, &matchers) }
        case .byteLevel(let addPrefixSpace, let regex):
            if addPrefixSpace, pieces.contains(where: { buffer[$0].first != 0x20 }) {
                // Rebuild the buffer with a space before every piece that lacks one.
                var rebuilt: [UInt8] = []
                var ranges: [Range<Int>] = []
                for r in pieces {
                    let start = rebuilt.count
                    if buffer[r].first != 0x20 { rebuilt.append(0x20) }
                    rebuilt.append(contentsOf: buffer[r])
                    ranges.append(start..<rebuilt.count)
                }
                buffer = rebuilt
                pieces = ranges
            }
            if let regex { pieces = try PreTokenizer.split(buffer, pieces, regex, .isolated, invert: false, &matchers) }
        case .split(let regex, let behavior, let invert):
            pieces = try PreTokenizer.split(buffer, pieces, regex, behavior, invert: invert, &matchers)
        }
    }

    static func split(_ buffer: [UInt8], _ pieces: [Range<Int>], _ regex: SplitRegex, _ behavior: Behavior, invert: Bool,
                      _ matchers: inout [ObjectIdentifier: RegexMatcher]) throws -> [Range<Int>] {
        let key = ObjectIdentifier(regex.pattern)
        let matcher: RegexMatcher
        if let m = matchers[key] { matcher = m } else { matcher = try regex.pattern.makeMatcher(); matchers[key] = matcher }
        var out: [Range<Int>] = []
        out.reserveCapacity(pieces.count * 2)
        try buffer.withUnsafeBufferPointer { all in
            for piece in pieces where !piece.isEmpty {
                let base = piece.lowerBound
                let text = UnsafeBufferPointer(rebasing: all[piece])
                let matches = try regex.scanner?.matchRanges(in: text, matcher) ?? matcher.matchRanges(in: text)
                if behavior == .isolated {
                    // The common case (GPT-2 style): every match and every gap is a piece.
                    var last = 0
                    for m in matches {
                        if m.lowerBound > last { out.append(base + last..<base + m.lowerBound) }
                        if !m.isEmpty { out.append(base + m.lowerBound..<base + m.upperBound) }
                        last = m.upperBound
                    }
                    if last < piece.count { out.append(base + last..<piece.upperBound) }
                    continue
                }
                // The whole piece as alternating (range, isMatch) parts.
                var parts: [(Range<Int>, Bool)] = []
                var last = 0
                for m in matches {
                    if m.lowerBound > last { parts.append((last..<m.lowerBound, invert)) }
                    parts.append((m, !invert))
                    last = m.upperBound
                }
                if last < piece.count { parts.append((last..<piece.count, invert)) }
                var ranges: [Range<Int>] = []
                switch behavior {
                case .removed:
                    ranges = parts.filter { !$0.1 }.map(\.0)
                case .isolated:
                    ranges = parts.map(\.0)
                case .mergedWithPrevious:
                    var previousMatch = false
                    for (r, isMatch) in parts {
                        if isMatch, !previousMatch, let tail = ranges.last { ranges[ranges.count - 1] = tail.lowerBound..<r.upperBound }
                        else { ranges.append(r) }
                        previousMatch = isMatch
                    }
                case .mergedWithNext:
                    var previousMatch = false
                    for (r, isMatch) in parts.reversed() {
                        if isMatch, !previousMatch, let head = ranges.last { ranges[ranges.count - 1] = r.lowerBound..<head.upperBound }
                        else { ranges.append(r) }
                        previousMatch = isMatch
                    }
                    ranges.reverse()
                case .contiguous:
                    var previous: Bool?
                    for (r, isMatch) in parts {
                        if isMatch, previous == true, let tail = ranges.last { ranges[ranges.count - 1] = tail.lowerBound..<r.upperBound }
                        else { ranges.append(r) }
                        previous = isMatch
                    }
                }
                for r in ranges where !r.isEmpty { out.append(base + r.lowerBound..<base + r.upperBound) }
            }
        }
        return out
    }
}

/// One entry of `added_tokens`.
struct AddedToken {
    var content: [UInt8]
    var id: Int32
    var special: Bool
    var normalized: Bool
    var singleWord: Bool
    var lstrip: Bool
    var rstrip: Bool
}
