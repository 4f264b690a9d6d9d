@_implementationOnly import CPCRE2
#if canImport(Glibc)
import Glibc
#endif

/// A per-thread PCRE2 matcher over UTF-8 text. Offsets are UTF-8 byte offsets into the text.
///
/// Work is bounded twice: each match attempt may take at most ``matchLimit`` backtracking steps
/// (PCRE2's match limit, which the JIT honours too), and one call — all matches of one rule on
/// one record — stops when its wall-clock time limit, counted from its 64th replacement, has
/// passed. Either raises a ``TextError`` with
/// `isTimeout` set, which the caller turns into a quarantine entry.
///
/// Not thread-safe by design: create one per worker from a shared ``RegexPattern``.
public final class RegexMatcher {
    public let pattern: RegexPattern
    /// Backtracking steps allowed per match attempt.
    public static let matchLimit: UInt32 = 10_000_000
    private let matchData: OpaquePointer
    private let context: OpaquePointer
    private let jitStack: OpaquePointer?
    private let timeLimit: Duration?

    init(pattern: RegexPattern, timeLimitMilliseconds: Int) throws {
        guard let data = pcre2_match_data_create_from_pattern_8(pattern.code, nil),
              let ctx = pcre2_match_context_create_8(nil) else { throw TextError("out of memory creating a regex matcher") }
        pcre2_set_match_limit_8(ctx, RegexMatcher.matchLimit)
        let stack = pcre2_jit_stack_create_8(32 * 1024, 4 * 1024 * 1024, nil)
        if let stack { pcre2_jit_stack_assign_8(ctx, nil, UnsafeMutableRawPointer(stack)) }
        self.pattern = pattern
        startTables = pattern.startFilter?.tables
        matchData = data
        context = ctx
        jitStack = stack
        timeLimit = timeLimitMilliseconds > 0 ? .milliseconds(timeLimitMilliseconds) : nil
    }

    deinit {
        pcre2_match_data_free_8(matchData)
        pcre2_match_context_free_8(context)
        if let jitStack { pcre2_jit_stack_free_8(jitStack) }
    }

    /// The last start a search may match at (``matchRanges(in:startingIn:)``), or `nil`.
    private var startLimit: Int?
    /// The pattern's start filter, when it has one (its memory lives as long as `pattern`).
    private let startTables: MatchStartFilter.Tables?

    /// The first match at or after `start`: `true` with the ovector filled, `false` when nothing
    /// matches. A pattern with a ``MatchStartFilter`` is tried only at the filter's candidates, one
    /// PCRE2 call confined to each by the offset limit.
    @inline(__always)
    private func find(_ text: UnsafeBufferPointer<UInt8>, from start: Int, options: UInt32 = 0) throws -> Bool {
        guard options == 0, let filter = startTables else {
            if pattern.limitsStarts { pcre2_set_offset_limit_8(context, startLimit ?? winnow_pcre2_unset()) }
            return try attempt(text, from: start, options: options)
        }
        let n = text.count
        var from = start
        while from <= n {
            let candidate = filter.nextCandidate(in: text, from: from)
            if candidate == n, !filter.matchesAtEnd { return false }
            if let startLimit, candidate > startLimit { return false }
            pcre2_set_offset_limit_8(context, candidate)
            if try attempt(text, from: candidate, options: 0) { return true }
            from = candidate + 1
        }
        return false
    }

    /// One PCRE2 search from `start` (JIT when it can), as the offset limit in the context allows.
    @inline(__always)
    private func attempt(_ text: UnsafeBufferPointer<UInt8>, from start: Int, options: UInt32) throws -> Bool {
        let base = text.baseAddress ?? UnsafePointer(bitPattern: 1)!
        let rc = pattern.jit && options & UInt32(PCRE2_ANCHORED) == 0
            ? pcre2_jit_match_8(pattern.code, base, text.count, start, options, matchData, context)
            : pcre2_match_8(pattern.code, base, text.count, start, options | UInt32(PCRE2_NO_UTF_CHECK), matchData, context)
        if rc >= 0 { return true }
        if rc == PCRE2_ERROR_NOMATCH { return false }
        if rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT || rc == PCRE2_ERROR_HEAPLIMIT || rc == PCRE2_ERROR_JIT_STACKLIMIT {
            throw TextError("regex `\(pattern.source)` gave up: \(RegexPattern.message(rc))", isTimeout: true)
        }
        throw TextError("regex `\(pattern.source)`: \(RegexPattern.message(rc))")
    }

    private var ovector: UnsafeMutablePointer<Int> { pcre2_get_ovector_pointer_8(matchData) }

    /// The byte range of group `g` of the last match, or `nil` when the group did not take part.
    private func group(_ g: Int) -> Range<Int>? {
        let start = ovector[2 * g], end = ovector[2 * g + 1]
        return start == winnow_pcre2_unset() || end < start ? nil : start..<end
    }

    /// Calls `body` with every non-overlapping match, left to right, over raw UTF-8 bytes (which
    /// must be valid). After an empty match the next attempt may not be empty at the same place,
    /// then moves one character on, as Perl and PCRE2's own global matching do. The match's groups
    /// can be read with ``group(_:)`` inside `body`.
    private func forEachMatch(in buf: UnsafeBufferPointer<UInt8>, from first: Int = 0, _ body: (Range<Int>) throws -> Void) throws {
        var start = first
        var options: UInt32 = 0
        let n = buf.count
        while start <= n {
            guard try find(buf, from: start, options: options) else {
                if options == 0 || start >= n { break }
                start += 1
                while start < n, buf[start] & 0xC0 == 0x80 { start += 1 }
                options = 0
                continue
            }
            let whole = group(0)!
            options = whole.isEmpty ? UInt32(PCRE2_NOTEMPTY_ATSTART) | UInt32(PCRE2_ANCHORED) : 0
            start = whole.upperBound
            try body(whole)
        }
    }

    /// Every non-empty match, left to right, as byte ranges (what a tokenizer's `Split` needs).
    public func matchRanges(in buf: UnsafeBufferPointer<UInt8>) throws -> [Range<Int>] {
        var out: [Range<Int>] = []
        try forEachMatch(in: buf) { if !$0.isEmpty { out.append($0) } }
        return out
    }

    /// Every non-empty match that starts in `starts`, left to right: the same matches as
    /// ``matchRanges(in:)`` would give there when no match can start before `starts`, found
    /// without scanning the rest of the text. `starts.lowerBound` must be on a character
    /// boundary; the pattern must be compiled with `limitsStarts`.
    public func matchRanges(in buf: UnsafeBufferPointer<UInt8>, startingIn starts: ClosedRange<Int>) throws -> [Range<Int>] {
        precondition(pattern.limitsStarts, "matchRanges(in:startingIn:) needs a pattern compiled with limitsStarts")
        startLimit = starts.upperBound
        defer { startLimit = nil }
        var out: [Range<Int>] = []
        try forEachMatch(in: buf, from: starts.lowerBound) { if !$0.isEmpty { out.append($0) } }
        return out
    }

    /// The first match that starts at or after byte `start` of `buf` (valid UTF-8, `start` on a
    /// character boundary), or `nil`.
    public func firstMatch(in buf: UnsafeBufferPointer<UInt8>, from start: Int) throws -> Range<Int>? {
        try find(buf, from: start) ? group(0) : nil
    }

    /// The byte range of the first match, or `nil`.
    public func firstMatch(in text: String) throws -> Range<Int>? {
        var text = text
        return try text.withUTF8 { try firstMatch(in: $0, from: 0) }
    }

    /// Whether the pattern matches anywhere in `text`.
    public func matches(_ text: String) throws -> Bool {
        try firstMatch(in: text) != nil
    }

    /// The groups of the first match by number (0 is the whole match), or `nil` when there is
    /// no match. Groups that did not take part are absent.
    public func captures(in text: String) throws -> [Int: String]? {
        var text = text
        return try text.withUTF8 { buf -> [Int: String]? in
            guard try find(buf, from: 0) else { return nil }
            var result: [Int: String] = [:]
            for g in 0...pattern.groupCount {
                if let r = group(g) { result[g] = String(decoding: UnsafeBufferPointer(rebasing: buf[r]), as: UTF8.self) }
            }
            return result
        }
    }

    /// Replaces every match. Returns the new text and the number of replacements that changed
    /// something, or `nil` when nothing changed (so callers can count hits and skip a copy).
    /// A match whose replacement is the same text (a single space replaced by a space) is not
    /// a change and costs no copying.
    public func replaceAll(in text: String, with template: ReplacementTemplate) throws -> (String, Int)? {
        // The result is assembled from slices of `text` and the template's literal pieces, all
        // valid UTF-8 cut at character boundaries (PCRE2 matches whole characters), so appending
        // them copies bytes without validating them again (`String(decoding:)` on an assembled
        // byte buffer did: 9% of a regex-only run).
        let original = text
        let utf8 = original.utf8
        func slice(_ lower: Int, _ upper: Int) -> Substring {
            original[utf8.index(utf8.startIndex, offsetBy: lower)..<utf8.index(utf8.startIndex, offsetBy: upper)]
        }
        var text = text
        // The clock starts at the 64th replacement: each match before it is bounded by PCRE2's
        // own step limit, and most calls make fewer (one clock read per call was 1% of a run).
        var deadline: ContinuousClock.Instant?
        return try text.withUTF8 { buf -> (String, Int)? in
            var output = ""
            var last = 0
            var count = 0
            try forEachMatch(in: buf) { whole in
                if let literal = template.literal, literal.count == whole.count,
                   (literal.isEmpty || literal.withUnsafeBufferPointer({ memcmp($0.baseAddress!, buf.baseAddress! + whole.lowerBound, whole.count) == 0 })) {
                    return
                }
                if count == 0 { output.reserveCapacity(buf.count + 16) }
                output.append(contentsOf: slice(last, whole.lowerBound))
                for piece in template.pieces {
                    switch piece {
                    case .literal(let literal): output.append(literal)
                    case .group(let g): if let r = group(g) { output.append(contentsOf: slice(r.lowerBound, r.upperBound)) }
                    }
                }
                last = whole.upperBound
                count += 1
                if let timeLimit, count & 63 == 0 {
                    let now = ContinuousClock.now
                    if let deadline, now > deadline {
                        throw TextError("regex `\(pattern.source)` exceeded its time limit of \(timeLimit)", isTimeout: true)
                    }
                    if deadline == nil { deadline = now + timeLimit }
                }
            }
            guard count > 0 else { return nil }
            output.append(contentsOf: slice(last, buf.count))
            return (output, count)
        }
    }
}
