@_implementationOnly import CByteScan
@_implementationOnly import CICU

/// How a document is cut into shingles for similarity.
public enum ShingleUnit: String, Sendable, CaseIterable {
    /// Per document: `char` when Han, Kana and Hangul make up more than 30% of its letters,
    /// otherwise `word`.
    case auto
    /// Character n-grams over the document's letters and digits (whitespace, punctuation and
    /// symbols removed). Right for unsegmented scripts, where a "word" split would turn a
    /// whole sentence into one token.
    case char
    /// Word n-grams, words found by ICU word boundaries (UAX #29, dictionary-based for CJK
    /// runs), joined by one space.
    case word
}

/// The fixed definition of a document's shingles. Fingerprints computed with different settings
/// must never be compared, so the settings travel with stored fingerprints (``signature``).
public struct ShingleSettings: Sendable, Hashable {
    public var unit: ShingleUnit
    /// n for character n-grams.
    public var charN: Int
    /// n for word n-grams.
    public var wordN: Int

    public init(unit: ShingleUnit = .auto, charN: Int = 2, wordN: Int = 3) {
        self.unit = unit
        self.charN = charN
        self.wordN = wordN
    }

    /// A stable text naming these settings.
    public var signature: String { "unit=\(unit.rawValue),char_n=\(charN),word_n=\(wordN)" }
}

/// Cuts normalized text into shingles and hashes each with XXH64 (seed 0) over its UTF-8 bytes.
///
/// The definition is part of the stored-fingerprint format, so it is spelled out exactly:
/// - `char`: the document's letters and digits (ICU `u_isalnum`), in order, everything else
///   removed; every window of n consecutive characters is a shingle. A document with fewer
///   than n such characters has one shingle, all of them.
/// - `word`: ICU word-break segments whose rule status is a letter, number, kana or ideographic
///   word; every window of n consecutive words, joined by a single space (U+0020), is a shingle;
///   fewer than n words give one shingle of all of them.
/// - Text is expected to be normalized by the caller (Winnow uses NFKC_Casefold).
///
/// One shingler per thread (it owns an ICU break iterator and scratch buffers).
public final class Shingler {
    public let settings: ShingleSettings
    private var segmenter: WordSegmenter?
    private var bytes: [UInt8] = []
    /// The words of the current text joined by spaces (kept at its largest size).
    private var wordBytes: [UInt8] = []
    private var bounds: [Int] = []

    public init(settings: ShingleSettings) {
        self.settings = settings
    }

    /// Appends the hash of every shingle of `text` to `hashes` (in document order, repeats
    /// included) and returns the unit used.
    @discardableResult
    public func hashes(of text: String, into hashes: inout [UInt64]) throws -> ShingleUnit {
        var text = text
        return try text.withUTF8 { try self.hashes(ofUTF8: $0, into: &hashes) }
    }

    /// The same over valid UTF-8 bytes.
    @discardableResult
    public func hashes(ofUTF8 utf8: UnsafeBufferPointer<UInt8>, into hashes: inout [UInt64]) throws -> ShingleUnit {
        let unit = settings.unit == .auto ? Shingler.preferredUnit(utf8) : settings.unit
        switch unit {
        case .char, .auto: charShingles(utf8, n: settings.charN, into: &hashes)
        case .word: try wordShingles(utf8, n: settings.wordN, into: &hashes)
        }
        return unit
    }

    /// `char` when Han, Kana and Hangul are more than 30% of the letters, else `word`.
    static func preferredUnit(_ utf8: UnsafeBufferPointer<UInt8>) -> ShingleUnit {
        guard let p = utf8.baseAddress else { return .word }
        let n = utf8.count
        var letters = 0
        var cjk = 0
        var i = 0
        while i < n {
            if p[i] < 0x80 {
                // ASCII runs sixteen bytes at a time.
                var ascii = 0
                i = winnow_count_ascii_letters(p, i, n, &ascii)
                letters += ascii
                continue
            }
            if p[i] & 0xF0 == 0xE0 {
                // Runs of Chinese, Japanese or Korean characters in one C loop.
                let end = winnow_cjk_run_end(p, i, n)
                if end != i {
                    let run = (end - i) / 3
                    cjk += run
                    letters += run
                    i = end
                    continue
                }
            }
            let (c, length) = decodeScalar(p, at: i)
            i += length
            if isCJK(c) {
                cjk += 1
                letters += 1
            } else if winnow_u_isalpha(Int32(bitPattern: c)) != 0 {
                letters += 1
            }
        }
        return cjk * 10 > letters * 3 ? .char : .word
    }

    /// A letter or digit: ASCII by range, others by ICU `u_isalnum` (CJK by range first).
    @inline(__always)
    static func isLetterOrDigit(_ c: UInt32) -> Bool {
        if c < 0x80 {
            let lower = c | 0x20
            return (lower >= 0x61 && lower <= 0x7A) || (c >= 0x30 && c <= 0x39)
        }
        return isCJK(c) || winnow_u_isalnum(Int32(bitPattern: c)) != 0
    }

    /// Han (including extensions and compatibility ideographs), Kana and Hangul.
    @inline(__always)
    public static func isCJK(_ c: UInt32) -> Bool { winnow_is_cjk(c) != 0 }

    private func charShingles(_ utf8: UnsafeBufferPointer<UInt8>, n: Int, into hashes: inout [UInt64]) {
        // Locals, not properties, in the loop: no exclusivity checks per byte.
        var kept = bytes
        var starts = bounds
        bytes = []
        bounds = []
        defer { bytes = kept; bounds = starts }
        // At most one start per byte, and the end after them. Both buffers only grow.
        if starts.count < utf8.count + 1 { starts.append(contentsOf: repeatElement(0, count: utf8.count + 1 - starts.count)) }
        // The letters and digits, in order; never longer than the text.
        if kept.count < utf8.count { kept.append(contentsOf: repeatElement(0, count: utf8.count - kept.count)) }
        var used = 0
        var count = 0
        kept.withUnsafeMutableBufferPointer { out in
            starts.withUnsafeMutableBufferPointer { at in
                guard let dst = out.baseAddress, let src = utf8.baseAddress, let first = at.baseAddress else { return }
                var i = 0
                while i < utf8.count {
                    if src[i] & 0xF0 == 0xE0 {
                        // Runs of Chinese, Japanese or Korean characters in one C loop.
                        let end = winnow_copy_cjk_run(src, i, utf8.count, dst, &used, first, &count)
                        if end != i { i = end; continue }
                    }
                    let (c, length) = Shingler.decodeScalar(src, at: i)
                    if Shingler.isLetterOrDigit(c) {
                        first[count] = used
                        count += 1
                        for k in 0..<length { dst[used + k] = src[i + k] }
                        used += length
                    }
                    i += length
                }
                first[count] = used
            }
        }
        guard count > 0 else { return }
        kept.withUnsafeBytes { raw in
            starts.withUnsafeBufferPointer { at in
                if count < n {
                    hashes.append(XXHash64.hash(UnsafeRawBufferPointer(rebasing: raw[0..<used])))
                    return
                }
                XXHash64.appendWindows(of: raw, starts: at, count: count - n + 1, span: n, trim: 0, to: &hashes)
            }
        }
    }

    private func wordShingles(_ utf8: UnsafeBufferPointer<UInt8>, n: Int, into hashes: inout [UInt64]) throws {
        guard utf8.count > 0 else { return }
        if segmenter == nil { segmenter = try WordSegmenter() }
        guard let segmenter else { return }
        // The words, each followed by one space, in one buffer: shingle i is then the bytes from
        // the start of word i to the end of word i + n - 1, hashed in place (no copy per shingle).
        var starts = bounds
        var joined = wordBytes
        bounds = []
        wordBytes = []
        defer { bounds = starts; wordBytes = joined }
        // Each word is followed by one space; adjacent words (ICU's CJK words) can make that up
        // to twice the text. There is at most one word per byte. The buffers only grow.
        if joined.count < 2 * utf8.count + 18 { joined.append(contentsOf: repeatElement(0, count: 2 * utf8.count + 18 - joined.count)) }
        if starts.count < utf8.count + 2 { starts.append(contentsOf: repeatElement(0, count: utf8.count + 2 - starts.count)) }
        let count = try joined.withUnsafeMutableBufferPointer { out throws in
            try starts.withUnsafeMutableBufferPointer { at throws in
                try segmenter.joinWords(in: utf8, into: out.baseAddress!, starts: at.baseAddress!)
            }
        }
        guard count > 0 else { return }
        let span = min(n, count)
        // Each window ends before the space after its last word.
        joined.withUnsafeBytes { raw in
            starts.withUnsafeBufferPointer { at in
                XXHash64.appendWindows(of: raw, starts: at, count: count - span + 1, span: span, trim: 1, to: &hashes)
            }
        }
    }

    /// The scalar starting at `i` in valid UTF-8 (from a Swift `String`) and its length in bytes.
    @inline(__always)
    static func decodeScalar(_ p: UnsafePointer<UInt8>, at i: Int) -> (value: UInt32, length: Int) {
        let b0 = UInt32(p[i])
        if b0 < 0x80 { return (b0, 1) }
        if b0 < 0xE0 { return ((b0 & 0x1F) << 6 | (UInt32(p[i + 1]) & 0x3F), 2) }
        if b0 < 0xF0 { return ((b0 & 0x0F) << 12 | (UInt32(p[i + 1]) & 0x3F) << 6 | (UInt32(p[i + 2]) & 0x3F), 3) }
        return ((b0 & 0x07) << 18 | (UInt32(p[i + 1]) & 0x3F) << 12 | (UInt32(p[i + 2]) & 0x3F) << 6 | (UInt32(p[i + 3]) & 0x3F), 4)
    }

    /// Calls `body` with each scalar value and its byte range. The input is valid UTF-8 (it
    /// comes from a Swift `String`).
    @inline(__always)
    static func forEachScalar(_ utf8: UnsafeBufferPointer<UInt8>, _ body: (UInt32, Int, Int) -> Void) {
        guard let p = utf8.baseAddress else { return }
        var i = 0
        let count = utf8.count
        while i < count {
            let (c, length) = decodeScalar(p, at: i)
            body(c, i, i + length)
            i += length
        }
    }
}
