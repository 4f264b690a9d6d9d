@_implementationOnly import CByteScan
@_implementationOnly import CICU

/// Cuts text into ICU word-boundary segments over UTF-8, dictionary-based for Chinese and
/// Japanese, so `我喜欢这本书` gives 我 / 喜欢 / 这 / 本 / 书 and `I like it.` gives
/// I / ␠ / like / ␠ / it / `.`.
///
/// Why one type for counting and for editing: `filter` counts words and `augment` replaces,
/// swaps and deletes them, and both must agree on what a word is. A segment is a word when
/// ICU's rule status says letter, number, kana or ideographic; spaces and punctuation are
/// segments too, so joining every segment gives the text back byte for byte. One segmenter per
/// thread (it owns an ICU break iterator).
public final class WordSegmenter {
    /// A piece of the text: its UTF-8 byte range and whether it is a word.
    public struct Segment: Sendable, Equatable {
        public var range: Range<Int>
        public var isWord: Bool
    }

    private let iterator: OpaquePointer
    /// Whether plain ASCII words may be cut without ICU (the root rules only; a locale may tailor them).
    private let asciiFastPath: Bool

    /// - Parameter asciiFastPath: cut plain ASCII words without ICU (see
    ///   ``forEachSegment(in:_:)``); `false` asks ICU for every segment. Ignored (off) for a locale.
    public init(locale: String = "", asciiFastPath: Bool = true) throws {
        var status = U_ZERO_ERROR
        guard let it = winnow_ubrk_open_word(locale, &status), !failed(status) else {
            throw TextError.icu("opening word-break iterator", status)
        }
        iterator = it
        self.asciiFastPath = asciiFastPath && locale.isEmpty
    }

    deinit { winnow_ubrk_close(iterator) }

    /// Calls `body` with each segment's byte range and word flag, in order.
    public func forEachSegment(_ text: String, _ body: (Range<Int>, Bool) -> Void) throws {
        var text = text
        try text.withUTF8 { try forEachSegment(in: $0, body) }
    }

    /// The same over UTF-8 bytes the caller already holds (valid UTF-8).
    ///
    /// Most of English text is plain ASCII words between spaces, where the word-break rules
    /// (UAX #29) reduce to: a run of letters and digits is one word, every other ASCII character
    /// is a segment of its own, spaces run together, CR LF stays together. Those tokens are cut
    /// here; a token with anything the rules treat specially — a non-ASCII byte, a control
    /// character, `_`, `@` (a letter to ICU), or `.` `:` `,` `;` `'` between two letters or digits (`don't`, `3.14`) —
    /// goes to ICU together with the white space around it. ICU always breaks between a plain
    /// ASCII character and a space or newline, and no rule looks across one, so the segments
    /// are ICU's own (tested against ICU on random and real text). The break iterator was the
    /// largest single item in the dedup profile.
    public func forEachSegment(in utf8: UnsafeBufferPointer<UInt8>, _ body: (Range<Int>, Bool) -> Void) throws {
        guard asciiFastPath else { return try forEachICUSegment(in: utf8, body) }
        let n = utf8.count
        // Start of the open ICU region: a token that needs ICU takes the white space on both
        // sides with it (U+3000 joins a following space, a combining mark a preceding one), and
        // consecutive such tokens share one region.
        var region: Int?
        func flush(to end: Int) throws {
            guard let start = region else { return }
            region = nil
            try forEachICUSegment(in: UnsafeBufferPointer(rebasing: utf8[start..<end])) { r, isWord in
                body(start + r.lowerBound..<start + r.upperBound, isWord)
            }
        }
        var p = 0
        while p < n {
            let spaceStart = p
            while p < n, WordSegmenter.isSeparator(utf8[p]) { p += 1 }
            let tokenStart = p
            while p < n, !WordSegmenter.isSeparator(utf8[p]) { p += 1 }
            guard tokenStart == p || WordSegmenter.isPlain(utf8, tokenStart..<p) else {
                if region == nil { region = spaceStart }
                continue
            }
            var k = spaceStart
            if region != nil {
                try flush(to: tokenStart)
                k = tokenStart
            }
            while k < tokenStart {
                let start = k
                if utf8[k] == 0x20 {
                    while k < tokenStart, utf8[k] == 0x20 { k += 1 }
                } else {
                    k += utf8[k] == 0x0D && k + 1 < tokenStart && utf8[k + 1] == 0x0A ? 2 : 1
                }
                body(start..<k, false)
            }
            while k < p {
                let start = k
                if WordSegmenter.isAlphanumeric(utf8[k]) {
                    while k < p, WordSegmenter.isAlphanumeric(utf8[k]) { k += 1 }
                    body(start..<k, true)
                } else {
                    k += 1
                    body(start..<k, false)
                }
            }
        }
        try flush(to: n)
    }

    /// The word segments alone (those ``forEachSegment(in:_:)`` flags as words), joined: each
    /// word's bytes followed by one space, written to `joined`, and each word's start in `joined`
    /// to `starts`, with the end of the last word's space after them. Returns the number of words.
    /// This is what word shingling hashes: shingle k is `joined[starts[k]..<starts[k + n] - 1]`.
    ///
    /// The same segments as ``forEachSegment(in:_:)``, with the ASCII tokens of the text cut into
    /// words in one C loop (`winnow_join_ascii_words`: 64 bytes at a time with AVX-512 where the
    /// CPU has it, else sixteen bytes per token), which also cuts ASCII tokens with `_`, `@` or
    /// inner punctuation by ICU's root word rules and hands back only tokens with bytes that
    /// need ICU (non-ASCII, controls); those join an ICU region, as there. Cutting and copying
    /// words through a Swift closure call per word took 12% of a dedup run, and an ICU call per
    /// token with inner punctuation or `_` another 5%.
    ///
    /// - Precondition: `joined` has room for `2 * utf8.count + 18` bytes and `starts` for
    ///   `utf8.count + 2` offsets (every word is at least one byte and gains one space; words
    ///   are copied sixteen bytes at a time).
    public func joinWords(in utf8: UnsafeBufferPointer<UInt8>, into joined: UnsafeMutablePointer<UInt8>,
                          starts: UnsafeMutablePointer<Int>) throws -> Int {
        var used = 0
        var count = 0
        func append(_ range: Range<Int>) {
            starts[count] = used
            count += 1
            (joined + used).update(from: utf8.baseAddress! + range.lowerBound, count: range.count)
            used += range.count
            joined[used] = 0x20
            used += 1
        }
        defer { starts[count] = used }
        guard asciiFastPath, let base = utf8.baseAddress else {
            try forEachICUSegment(in: utf8) { range, isWord in if isWord { append(range) } }
            return count
        }
        let n = utf8.count
        // Start of the open ICU region (as in `forEachSegment`).
        var region: Int?
        func flush(to end: Int) throws {
            guard let start = region else { return }
            region = nil
            try forEachICUSegment(in: UnsafeBufferPointer(rebasing: utf8[start..<end])) { r, isWord in
                if isWord { append(start + r.lowerBound..<start + r.upperBound) }
            }
        }
        var p = 0
        while true {
            var tokenStart = 0, tokenEnd = 0
            let stop = winnow_join_ascii_words(base, &p, n, joined, &used, starts, &count, &tokenStart, &tokenEnd,
                                               region == nil ? 0 : 1)
            if stop == 0 { break }
            if stop == 1 {
                // Not plain: it and the white space before it join the region.
                if region == nil { region = p }
                p = tokenEnd
                continue
            }
            // A plain token after a region: the region's words first, then on from the token.
            try flush(to: tokenStart)
            p = tokenStart
        }
        try flush(to: n)
        return count
    }

    /// Space, LF or CR: the white space tokens are cut at.
    @inline(__always)
    private static func isSeparator(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x0D }

    @inline(__always)
    private static func isAlphanumeric(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b | 0x20 >= 0x61 && b | 0x20 <= 0x7A)
    }

    /// Whether the word-break rules cut `range` (no spaces or newlines in it) as the fast path
    /// does: printable ASCII only, no `_` or `@`, and no `.` `:` `,` `;` `'` `"` between two letters or digits.
    private static func isPlain(_ utf8: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
        for k in range {
            let b = utf8[k]
            // `_` joins words (ExtendNumLet); ICU counts `@` as a letter.
            guard b >= 0x21, b < 0x7F, b != 0x5F, b != 0x40 else { return false }
            if b == 0x2E || b == 0x3A || b == 0x2C || b == 0x3B || b == 0x27 || b == 0x22,
               k > range.lowerBound, k + 1 < range.upperBound,
               isAlphanumeric(utf8[k - 1]), isAlphanumeric(utf8[k + 1]) { return false }
        }
        return true
    }

    /// ICU's segments of `utf8`.
    private func forEachICUSegment(in utf8: UnsafeBufferPointer<UInt8>, _ body: (Range<Int>, Bool) -> Void) throws {
        guard let base = UnsafeRawPointer(utf8.baseAddress)?.assumingMemoryBound(to: CChar.self), utf8.count > 0 else { return }
        var status = U_ZERO_ERROR
        let ut = winnow_utext_openUTF8(nil, base, Int64(utf8.count), &status)
        defer { winnow_utext_close(ut) }
        winnow_ubrk_setUText(iterator, ut, &status)
        if failed(status) { throw TextError.icu("word-break", status) }
        var start = Int(winnow_ubrk_first(iterator))
        let done = winnow_ubrk_done()
        let noneLimit = winnow_ubrk_word_none_limit()
        while true {
            let end = winnow_ubrk_next(iterator)
            if end == done { break }
            body(start..<Int(end), winnow_ubrk_getRuleStatus(iterator) >= noneLimit)
            start = Int(end)
        }
    }

    /// The segments of `text`, as substrings with their word flag.
    public func segments(_ text: String) throws -> [(text: String, isWord: Bool)] {
        let bytes = Array(text.utf8)
        var out: [(String, Bool)] = []
        try forEachSegment(text) { range, isWord in
            out.append((String(decoding: bytes[range], as: UTF8.self), isWord))
        }
        return out
    }

    /// Words in `text` (segments with a word status).
    public func wordCount(_ text: String) throws -> Int {
        var words = 0
        try forEachSegment(text) { _, isWord in if isWord { words += 1 } }
        return words
    }
}
