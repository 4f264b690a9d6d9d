import WinnowText

/// A pre-tokenizer's split pattern, with the hand-written scanner that matches it faster where
/// there is one.
struct SplitRegex {
    let pattern: RegexPattern
    let scanner: PreTokenScanner?

    init(_ source: String) throws {
        pattern = try RegexPattern(source)
        scanner = try PreTokenScanner(pattern: pattern)
    }
}

/// The split patterns of GPT-2 and of the cl100k family (Qwen2, Llama 3) matched over ASCII text
/// by hand, the regex engine taking over wherever a non-ASCII byte could change the outcome.
///
/// Pre-tokenizing with PCRE2's JIT was a fifth of Qwen2's encoding time: every piece is a match
/// attempt that walks the pattern's alternatives with Unicode property lookups. Most pieces of
/// real text are ASCII words, numbers, punctuation and spaces, for which each alternative is a
/// simple byte-class loop. The scanner follows the alternatives in the pattern's order, with
/// the same greedy and backtracking outcome, and returns `nil` for a match whose extent depends
/// on a non-ASCII byte (a letter, digit or space class it does not know, or a case folding such
/// as `ſ` for `s`); that match comes from the engine, so the ranges are always the engine's.
/// Only the exact pattern strings below are recognised; the byte classes are taken from the
/// engine itself (`\p{L}`, `\p{N}`, `\s` under the same options).
struct PreTokenScanner {
    private enum Family {
        /// `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`
        case gpt2
        /// `(?i:'s|…|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,k}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
        case cl100k(maxDigits: Int)
    }

    private let family: Family
    /// Class of each ASCII byte.
    private let classes: [ByteClass]

    private enum ByteClass: UInt8 { case letter, digit, space, newline, other }

    static let qwen2Pattern = #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
    static let llama3Pattern = #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#

    /// A scanner for `pattern`, or `nil` when it is not one of the recognised patterns.
    init?(pattern: RegexPattern) throws {
        guard !pattern.caseInsensitive else { return nil }
        switch pattern.source {
        case PreTokenizer.gpt2Pattern: family = .gpt2
        case PreTokenScanner.qwen2Pattern: family = .cl100k(maxDigits: 1)
        case PreTokenScanner.llama3Pattern: family = .cl100k(maxDigits: 3)
        default: return nil
        }
        let letter = try RegexPattern(#"\A\p{L}\z"#).makeMatcher()
        let digit = try RegexPattern(#"\A\p{N}\z"#).makeMatcher()
        let space = try RegexPattern(#"\A\s\z"#).makeMatcher()
        classes = try (0..<128).map { b in
            let s = String(Unicode.Scalar(UInt8(b)))
            if b == 0x0A || b == 0x0D { return .newline }
            if try letter.matches(s) { return .letter }
            if try digit.matches(s) { return .digit }
            if try space.matches(s) { return .space }
            return .other
        }
    }

    /// Every match of the pattern in `buf`, left to right: what `matcher.matchRanges(in:)` gives.
    func matchRanges(in buf: UnsafeBufferPointer<UInt8>, _ matcher: RegexMatcher) throws -> [Range<Int>] {
        var out: [Range<Int>] = []
        out.reserveCapacity(buf.count / 4)
        var matchedEmpty = false
        try classes.withUnsafeBufferPointer { classes in
            var p = 0
            while p < buf.count {
                let end: Int?
                switch family {
                case .gpt2: end = gpt2Match(buf, at: p, classes)
                case .cl100k(let maxDigits): end = cl100kMatch(buf, at: p, maxDigits: maxDigits, classes)
                }
                if let end {
                    out.append(p..<end)
                    p = end
                    continue
                }
                // Patterns that match every character never match empty; fall back wholesale
                // rather than reimplement the engine's empty-match stepping.
                guard let m = try matcher.firstMatch(in: buf, from: p) else { break }
                if m.isEmpty { matchedEmpty = true; return }
                out.append(m)
                p = m.upperBound
            }
        }
        return matchedEmpty ? try matcher.matchRanges(in: buf) : out
    }

    /// The class of byte `k`, or `nil` for a non-ASCII byte (unknown to the scanner).
    @inline(__always)
    private func byteClass(_ buf: UnsafeBufferPointer<UInt8>, _ k: Int, _ classes: UnsafeBufferPointer<ByteClass>) -> ByteClass? {
        buf[k] < 0x80 ? classes[Int(buf[k])] : nil
    }

    /// The end of the run of `cls` bytes from `start`, or `nil` when the run stops at a
    /// non-ASCII byte (which might continue it).
    @inline(__always)
    private func run(_ buf: UnsafeBufferPointer<UInt8>, from start: Int, of cls: ByteClass,
                     _ classes: UnsafeBufferPointer<ByteClass>) -> Int? {
        var r = start
        while r < buf.count, buf[r] < 0x80, classes[Int(buf[r])] == cls { r += 1 }
        return r < buf.count && buf[r] >= 0x80 ? nil : r
    }

    /// The end of a run of white space (spaces and newlines) from `start`, or `nil` at a
    /// non-ASCII byte.
    @inline(__always)
    private func whiteRun(_ buf: UnsafeBufferPointer<UInt8>, from start: Int, _ classes: UnsafeBufferPointer<ByteClass>) -> Int? {
        var r = start
        while r < buf.count, buf[r] < 0x80, classes[Int(buf[r])] == .space || classes[Int(buf[r])] == .newline { r += 1 }
        return r < buf.count && buf[r] >= 0x80 ? nil : r
    }

    /// `\s+(?!\S)|\s+` over the white run `p..<r`: all of it at the end of the text, else all but
    /// its last character when that leaves one, else the one character.
    @inline(__always)
    private func whiteTail(_ p: Int, _ r: Int, _ n: Int) -> Int {
        r == n || r - p < 2 ? r : r - 1
    }

    private func gpt2Match(_ buf: UnsafeBufferPointer<UInt8>, at p: Int, _ classes: UnsafeBufferPointer<ByteClass>) -> Int? {
        let n = buf.count
        let c = buf[p]
        guard c < 0x80 else { return nil }
        if c == 0x27, p + 1 < n {
            // 's 't 'm 'd, then 're 've 'll (case-sensitive).
            let d = buf[p + 1]
            if d == 0x73 || d == 0x74 || d == 0x6D || d == 0x64 { return p + 2 }
            if p + 2 < n {
                let e = buf[p + 2]
                if (d == 0x72 && e == 0x65) || (d == 0x76 && e == 0x65) || (d == 0x6C && e == 0x6C) { return p + 3 }
            }
        }
        // ` ?\p{L}+`, ` ?\p{N}+`, ` ?[^\s\p{L}\p{N}]+`: the class of the first byte after an
        // optional space decides which.
        let q = c == 0x20 ? p + 1 : p
        if q < n {
            guard let d = byteClass(buf, q, classes) else { return nil }
            switch d {
            case .letter, .digit, .other: return run(buf, from: q, of: d, classes)
            case .space, .newline: break
            }
        }
        // White space: `\s+(?!\S)`, then `\s+`.
        guard let r = whiteRun(buf, from: p, classes) else { return nil }
        return whiteTail(p, r, n)
    }

    private func cl100kMatch(_ buf: UnsafeBufferPointer<UInt8>, at p: Int, maxDigits: Int,
                             _ classes: UnsafeBufferPointer<ByteClass>) -> Int? {
        let n = buf.count
        let c = buf[p]
        guard c < 0x80 else { return nil }
        if c == 0x27, p + 1 < n {
            // (?i:'s|'t|'re|'ve|'m|'ll|'d); a non-ASCII letter may fold to one of these (ſ → s).
            let d = buf[p + 1]
            guard d < 0x80 else { return nil }
            let dl = d | 0x20
            if dl == 0x73 || dl == 0x74 || dl == 0x6D || dl == 0x64 { return p + 2 }
            if (dl == 0x72 || dl == 0x76 || dl == 0x6C), p + 2 < n {
                let e = buf[p + 2]
                guard e < 0x80 else { return nil }
                let el = e | 0x20
                if (dl == 0x72 && el == 0x65) || (dl == 0x76 && el == 0x65) || (dl == 0x6C && el == 0x6C) { return p + 3 }
            }
        }
        let cls = classes[Int(c)]
        // `[^\r\n\p{L}\p{N}]?\p{L}+`
        if cls == .letter { return run(buf, from: p, of: .letter, classes) }
        if cls == .space || cls == .other, p + 1 < n {
            guard let d = byteClass(buf, p + 1, classes) else { return nil }
            if d == .letter { return run(buf, from: p + 1, of: .letter, classes) }
        }
        // `\p{N}{1,k}`
        if cls == .digit {
            var r = p
            while r < n, r - p < maxDigits, buf[r] < 0x80, classes[Int(buf[r])] == .digit { r += 1 }
            return r - p < maxDigits && r < n && buf[r] >= 0x80 ? nil : r
        }
        // ` ?[^\s\p{L}\p{N}]+[\r\n]*`
        let q = c == 0x20 ? p + 1 : p
        if q < n {
            guard let d = byteClass(buf, q, classes) else { return nil }
            if d == .other {
                guard var r = run(buf, from: q, of: .other, classes) else { return nil }
                while r < n, buf[r] == 0x0A || buf[r] == 0x0D { r += 1 }
                return r
            }
        }
        // White space: `\s*[\r\n]+` (through the last newline of the run), `\s+(?!\S)`, `\s+`.
        guard let r = whiteRun(buf, from: p, classes) else { return nil }
        var k = r
        while k > p, buf[k - 1] != 0x0A, buf[k - 1] != 0x0D { k -= 1 }
        if k > p { return k }
        return whiteTail(p, r, n)
    }
}
