@_implementationOnly import CByteScan
@_implementationOnly import CPCRE2

/// The places in a text where a match of one regex can start, told apart from the rest by their
/// first two bytes, so that the search calls PCRE2 only there.
///
/// Why: cleaning rules such as `[^\S\n]+` → `" "` or ` ?\n ?` → `"\n"` can start at every space.
/// PCRE2 knows only a match's possible first byte, so on 100 MB of prose it attempts a match at
/// each of 12 million spaces, and nearly every attempt fails on the next byte. This filter knows
/// the possible first *pairs* of bytes (a space followed by another space or a tab, a space
/// followed by a newline) and skips the rest 64 bytes at a time with AVX-512 VBMI, 32 with AVX2, a
/// byte at a time elsewhere. Every match is still found and decided by PCRE2.
///
/// The table is learnt from PCRE2 itself, not from parsing the pattern: each possible start —
/// every ASCII byte followed by every ASCII byte, every two-byte character, every three-byte
/// character whose lead byte PCRE2 says a match can start with — is matched anchored with
/// `PCRE2_PARTIAL_HARD`, which succeeds when those bytes are a match or the beginning of one. A
/// start that neither matches nor could begin a match is a place no match starts, whatever
/// follows; starts it cannot enumerate (an ASCII byte before a non-ASCII one, four-byte
/// characters, the last byte of a text) are kept. So the filter only removes places where PCRE2
/// would have failed, and a search with it finds the same matches.
///
/// That reasoning needs a match to depend on nothing before its start but whether the character
/// before is a word character (`\b`, `\B`; and `\A`, true at the start only): such starts are
/// tried after `a`, after a space and at the start of the text, and kept if any allows them.
/// Patterns with lookbehind groups, `\G`, backtracking verbs or callouts get no filter. Nor do
/// patterns that common text would start often — a letter, digit or space that starts a match
/// whatever follows (`\d+`), or pairs of them beyond 2% (`[a-z]{3,}`) — where PCRE2's own
/// search for a first character is as good and a call per candidate would cost more; the URL
/// rule's `ht`, `ft`, `ww` qualify.
final class MatchStartFilter: @unchecked Sendable {
    /// The filter's tables as plain pointers, which a matcher copies once: the search asks for
    /// the next candidate at every candidate, and arrays there would be retained and released
    /// each time. Valid while the filter lives (its pattern, which every matcher keeps).
    struct Tables {
        /// Per byte value: 1 when a match can start with it whatever follows, 2 when only some
        /// next bytes allow a start, 4 when it is such a next byte for some 2-flagged byte.
        let classes: UnsafePointer<UInt8>
        /// Bit `b0 << 8 | b1` set when a match can start with `b0` followed by `b1`.
        let pairs: UnsafePointer<UInt64>
        /// `classes` as nibble tables for the AVX2 scan: for flags 1, 2 and 4, sixteen bytes for
        /// byte values below 0x80 and sixteen above, indexed by the low nibble, bit h for high bits h.
        let truffle: UnsafePointer<UInt8>
        /// Whether an empty match is possible at the very end of a text (tried when no candidate
        /// is left).
        let matchesAtEnd: Bool

        /// The first index at or after `start` where a match may begin, or `buf.count` when none
        /// can (an empty match at the very end is ``matchesAtEnd``'s business).
        @inline(__always)
        func nextCandidate(in buf: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
            guard let base = buf.baseAddress, start < buf.count else { return buf.count }
            return winnow_next_pair_start(base, start, buf.count, classes, pairs, truffle)
        }
    }

    let tables: Tables
    private let storage: UnsafeMutableRawPointer

    /// The filter for a compiled pattern, or `nil` when the pattern does not qualify.
    init?(code: OpaquePointer, source: String) {
        var lookbehind: UInt32 = 0
        _ = pcre2_pattern_info_8(code, UInt32(PCRE2_INFO_MAXLOOKBEHIND), &lookbehind)
        // A one-character lookbehind with no lookbehind group is `\b`, `\B` or `\A`: each start is
        // then tried after a word character, after a non-word character and at the text's start.
        let wordBoundaries = lookbehind == 1 && !source.contains("(?<")
        guard lookbehind == 0 || wordBoundaries, !source.contains("\\G"), !source.contains("(*"), !source.contains("(?C") else {
            return nil
        }
        guard let data = pcre2_match_data_create_from_pattern_8(code, nil) else { return nil }
        defer { pcre2_match_data_free_8(data) }
        var leadBitmap: UnsafePointer<UInt8>?
        _ = pcre2_pattern_info_8(code, UInt32(PCRE2_INFO_FIRSTBITMAP), &leadBitmap)
        // subject[0] is the character before the start (when tried); the start is subject[1...].
        var subject = [UInt8](repeating: 0, count: 4)
        let options = UInt32(PCRE2_ANCHORED | PCRE2_PARTIAL_HARD | PCRE2_NO_UTF_CHECK)
        /// Whether the `count` bytes from `subject[1]` are a match, or the start of one.
        func canStart(_ count: Int) -> Bool {
            subject.withUnsafeMutableBufferPointer { buf in
                guard let base = buf.baseAddress else { return true }
                var rc = pcre2_match_8(code, base + 1, count, 0, options, data, nil)
                if rc >= 0 || rc == PCRE2_ERROR_PARTIAL { return true }
                guard wordBoundaries else { return false }
                for before in [UInt8(ascii: "a"), UInt8(ascii: " ")] {
                    base[0] = before
                    rc = pcre2_match_8(code, base, count + 1, 1, options, data, nil)
                    if rc >= 0 || rc == PCRE2_ERROR_PARTIAL { return true }
                }
                return false
            }
        }
        /// Whether PCRE2's bitmap of first bytes (when it has one) allows `lead`.
        func leadAllowed(_ lead: Int) -> Bool {
            guard let leadBitmap else { return true }
            return leadBitmap[lead >> 3] & (1 << (lead & 7)) != 0
        }
        var pairs = [UInt64](repeating: 0, count: 1024)
        func allow(_ b0: Int, _ b1: Int) { pairs[(b0 << 8 | b1) >> 6] |= 1 << UInt64(b1 & 63) }
        for b0 in 0..<0x80 {
            subject[1] = UInt8(b0)
            guard canStart(1) else { continue }
            for b1 in 0..<0x80 {
                subject[2] = UInt8(b1)
                if canStart(2) { allow(b0, b1) }
            }
            for b1 in 0x80..<0x100 { allow(b0, b1) }   // the next character is not ASCII: kept
        }
        for b0 in 0xC2..<0xE0 where leadAllowed(b0) {
            subject[1] = UInt8(b0)
            for b1 in 0x80..<0xC0 {
                subject[2] = UInt8(b1)
                if canStart(2) { allow(b0, b1) }
            }
        }
        for b0 in 0xE0..<0xF0 where leadAllowed(b0) {
            subject[1] = UInt8(b0)
            let seconds = b0 == 0xE0 ? 0xA0..<0xC0 : b0 == 0xED ? 0x80..<0xA0 : 0x80..<0xC0
            for b1 in seconds {
                subject[2] = UInt8(b1)
                for b2 in 0x80..<0xC0 {
                    subject[3] = UInt8(b2)
                    if canStart(3) { allow(b0, b1); break }
                }
            }
        }
        for b0 in 0xF0..<0xF5 where leadAllowed(b0) {
            for b1 in 0x80..<0xC0 { allow(b0, b1) }
        }
        func allows(_ b0: Int, _ b1: Int) -> Bool { pairs[(b0 << 8 | b1) >> 6] & (1 << UInt64(b1 & 63)) != 0 }
        var classes = [UInt8](repeating: 0, count: 256)
        for b0 in 0..<256 where pairs[(b0 << 2)..<(b0 << 2 + 4)].contains(where: { $0 != 0 }) {
            // A start whatever follows; a multi-byte lead is followed by continuation bytes only.
            if (b0 < 0x80 ? 0..<0x100 : 0x80..<0xC0).allSatisfy({ allows(b0, $0) }) {
                classes[b0] |= 1
            } else {
                classes[b0] |= 2
                for b1 in 0..<256 where allows(b0, b1) { classes[b1] |= 4 }
            }
        }
        // Worth it only when common text rarely starts a candidate: no letter, digit or space
        // may start a match whatever follows, and under 2% of the pairs of them may.
        let common = (Array(UInt8(ascii: "0")...UInt8(ascii: "9")) + Array(UInt8(ascii: "A")...UInt8(ascii: "Z"))
            + Array(UInt8(ascii: "a")...UInt8(ascii: "z")) + [UInt8(ascii: " ")]).map(Int.init)
        guard !common.contains(where: { classes[$0] & 1 != 0 }) else { return nil }
        let commonPairs = common.reduce(0) { sum, b0 in sum + common.filter { allows(b0, $0) }.count }
        guard commonPairs * 50 < common.count * common.count else { return nil }
        // An empty match at the very end (`$`, or `\b$` after a word character).
        var matchesAtEnd = false
        subject.withUnsafeMutableBufferPointer { buf in
            guard let base = buf.baseAddress else { return }
            matchesAtEnd = pcre2_match_8(code, base, 0, 0, UInt32(PCRE2_NO_UTF_CHECK), data, nil) >= 0
            for before in [UInt8(ascii: "a"), UInt8(ascii: " ")] where wordBoundaries && !matchesAtEnd {
                base[0] = before
                matchesAtEnd = pcre2_match_8(code, base, 1, 1, UInt32(PCRE2_NO_UTF_CHECK), data, nil) >= 0
            }
        }
        var truffle = [UInt8](repeating: 0, count: 96)
        for (k, flag) in [UInt8(1), 2, 4].enumerated() {
            for b in 0..<256 where classes[b] & flag != 0 {
                truffle[k * 32 + (b >= 0x80 ? 16 : 0) + (b & 0x0F)] |= 1 << UInt8((b >> 4) & 7)
            }
        }
        // One block: the pairs (8 KiB, aligned for their words), then the classes and the truffle.
        storage = UnsafeMutableRawPointer.allocate(byteCount: 8192 + 256 + 96, alignment: 64)
        let pairsAt = storage.bindMemory(to: UInt64.self, capacity: 1024)
        pairsAt.initialize(from: pairs, count: 1024)
        let classesAt = (storage + 8192).bindMemory(to: UInt8.self, capacity: 256 + 96)
        classesAt.initialize(from: classes, count: 256)
        (classesAt + 256).initialize(from: truffle, count: 96)
        tables = Tables(classes: classesAt, pairs: pairsAt, truffle: classesAt + 256, matchesAtEnd: matchesAtEnd)
    }

    deinit { storage.deallocate() }
}
