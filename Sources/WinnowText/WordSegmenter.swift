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

    public init(locale: String = "") throws {
        var status = U_ZERO_ERROR
        guard let it = winnow_ubrk_open_word(locale, &status), !failed(status) else {
            throw TextError.icu("opening word-break iterator", status)
        }
        iterator = it
    }

    deinit { winnow_ubrk_close(iterator) }

    /// Calls `body` with each segment's byte range and word flag, in order.
    public func forEachSegment(_ text: String, _ body: (Range<Int>, Bool) -> Void) throws {
        var text = text
        try text.withUTF8 { try forEachSegment(in: $0, body) }
    }

    /// The same over UTF-8 bytes the caller already holds (valid UTF-8).
    public func forEachSegment(in utf8: UnsafeBufferPointer<UInt8>, _ body: (Range<Int>, Bool) -> Void) throws {
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
