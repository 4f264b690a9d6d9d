@_implementationOnly import CICU

/// Counts words with ICU word-boundary rules over UTF-8, dictionary-based for Chinese and
/// Japanese, so "words" means the same thing for `我喜欢这本书` (4) and `I like this book` (4).
///
/// A segment counts as a word when ICU's rule status says it is a letter, number, kana or
/// ideographic word; punctuation and spaces do not count. One counter per thread.
public final class WordCounter {
    private let iterator: OpaquePointer

    public init(locale: String = "") throws {
        var status = U_ZERO_ERROR
        guard let it = winnow_ubrk_open_word(locale, &status), !failed(status) else {
            throw TextError.icu("opening word-break iterator", status)
        }
        iterator = it
    }

    deinit { winnow_ubrk_close(iterator) }

    public func count(_ text: String) throws -> Int {
        var text = text
        return try text.withUTF8 { buf throws -> Int in
            var status = U_ZERO_ERROR
            let base = UnsafeRawPointer(buf.baseAddress).map { $0.assumingMemoryBound(to: CChar.self) }
            guard let base else { return 0 }
            let ut = winnow_utext_openUTF8(nil, base, Int64(buf.count), &status)
            defer { winnow_utext_close(ut) }
            winnow_ubrk_setUText(iterator, ut, &status)
            if failed(status) { throw TextError.icu("word-break", status) }
            var words = 0
            _ = winnow_ubrk_first(iterator)
            let done = winnow_ubrk_done()
            let noneLimit = winnow_ubrk_word_none_limit()
            while winnow_ubrk_next(iterator) != done {
                if winnow_ubrk_getRuleStatus(iterator) >= noneLimit { words += 1 }
            }
            return words
        }
    }
}
