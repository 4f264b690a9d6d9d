import WinnowText

/// For a replace rule, a pattern that finds only the matches the replacement changes.
///
/// The classic cleaning rule "collapse runs of white space to one space" (`[^\S\n]+` → `" "`)
/// matches every space between two words; nearly all of those matches are a single space
/// replaced by itself. Each is still a full PCRE2 call: on 100 MB of text, millions of calls that
/// change nothing. For a run of one character class replaced by a single character `L`, the
/// matches that change something are exactly the runs of two or more characters and the single
/// characters other than `L`, so the rule searches `(?:C){2,}|(?!L)(?:C)` instead of `C+`:
///
/// - at the start of a run of two or more, both patterns match the whole run (greedy);
/// - a run of one character other than `L` matches the second branch, as `C+` does;
/// - a run of exactly `L` matches neither branch, and the search moves past it, where `C+`
///   would have matched it and changed nothing.
///
/// So the output and the count of changing replacements are the same (tested on random text).
/// A class without a start bitmap is also written out as explicit ranges
/// (``RegexPattern/explicitClass(of:maxRanges:)``), which lets PCRE2 skip to candidates.
/// Only these forms qualify, recognised from the pattern's own text: a bracket expression, `\s`,
/// `\h`, `\v`, `\d`, `\w` (or their negations) or `\p{…}`/`\P{…}`, followed by `+`, without
/// case-insensitive matching, replaced by one literal character.
///
/// The second form is "a literal character with optional neighbours", replaced by that
/// character: `A?LB?` (` ?\n ?` → `"\n"`, trimming the spaces around line breaks), with `*` in
/// place of either `?`, or one side missing, where `A` and `B` are single-character items (a
/// character, an escape or a bracket expression) and `L` is one literal character. The only
/// match that changes nothing is `L` alone, so the rule searches `(?:A)L(?:B)?|L(?:B)` (`+` for
/// the `*` sides): PCRE2 tries a greedy `A?`/`A*` longest first and the empty prefix last, so the
/// first alternative takes exactly the matches with a non-empty prefix and the second those
/// with an empty prefix and a non-empty suffix, each with the same extent.
enum ChangingMatchPattern {
    static func make(for pattern: RegexPattern, replacement: ReplacementTemplate) throws -> RegexPattern? {
        guard !pattern.caseInsensitive, let literal = replacement.literal,
              let text = String(validating: literal, as: UTF8.self), text.unicodeScalars.count == 1,
              let scalar = text.unicodeScalars.first else { return nil }
        if var run = classRun(pattern.source) {
            // A class PCRE2 cannot give a start bitmap (`[^\S\n]`, `\s`) is written out, so that it can.
            if !pattern.hasStartHint, let explicit = try RegexPattern.explicitClass(of: run) { run = explicit }
            let hex = String(scalar.value, radix: 16, uppercase: true)
            return try RegexPattern("(?:\(run)){2,}|(?!\\x{\(hex)})(?:\(run))")
        }
        guard let around = literalWithNeighbours(pattern.source),
              try RegexPattern("\\A(?:\(around.literal))\\z").makeMatcher().matches(text) else { return nil }
        var alternatives: [String] = []
        if let before = around.before {
            alternatives.append("(?:\(before.item))\(before.quantifier == "*" ? "+" : "")\(around.literal)"
                + (around.after.map { "(?:\($0.item))\($0.quantifier)" } ?? ""))
        }
        if let after = around.after {
            alternatives.append("\(around.literal)(?:\(after.item))\(after.quantifier == "*" ? "+" : "")")
        }
        return alternatives.isEmpty ? nil : try RegexPattern(alternatives.joined(separator: "|"))
    }

    /// A single-character item with its quantifier (`?` or `*`).
    struct Neighbour: Equatable {
        var item: String
        var quantifier: String
    }

    /// `A?LB?` (either side optional, `*` allowed for `?`) split into its parts, when `L` is one
    /// literal character and `A`, `B` are single-character items with greedy quantifiers.
    static func literalWithNeighbours(_ source: String) -> (before: Neighbour?, literal: String, after: Neighbour?)? {
        let s = Array(source.utf8)
        var parts: [(item: String, quantifier: String, literal: Bool)] = []
        var i = 0
        while i < s.count {
            let start = i
            guard let end = singleItemEnd(s, from: start) else { return nil }
            let item = String(decoding: s[start..<end], as: UTF8.self)
            var quantifier = ""
            if end < s.count, s[end] == UInt8(ascii: "?") || s[end] == UInt8(ascii: "*") {
                quantifier = String(UnicodeScalar(s[end]))
                i = end + 1
                // Lazy or possessive quantifiers change which extent wins: not recognised.
                if i < s.count, s[i] == UInt8(ascii: "?") || s[i] == UInt8(ascii: "+") { return nil }
            } else {
                i = end
            }
            parts.append((item, quantifier, isLiteral(s[start..<end])))
        }
        guard let center = parts.firstIndex(where: { $0.quantifier.isEmpty }), parts[center].literal,
              parts.filter({ $0.quantifier.isEmpty }).count == 1, center <= 1, parts.count - center <= 2 else { return nil }
        let before = center == 1 ? Neighbour(item: parts[0].item, quantifier: parts[0].quantifier) : nil
        let after = center + 1 < parts.count ? Neighbour(item: parts[center + 1].item, quantifier: parts[center + 1].quantifier) : nil
        return (before, parts[center].item, after)
    }

    /// Whether an item stands for one fixed character: a plain character, an escaped
    /// punctuation character, `\n` `\t` `\r` `\f` `\e` `\a`, or a code point (`\xHH`, `\x{…}`,
    /// `\uHHHH`, `\UHHHHHHHH`).
    private static func isLiteral(_ item: ArraySlice<UInt8>) -> Bool {
        guard let first = item.first, first != UInt8(ascii: "[") else { return false }
        guard first == UInt8(ascii: "\\") else { return true }
        guard item.count >= 2 else { return false }
        let kind = item[item.startIndex + 1]
        return "ntrfeaxuU".utf8.contains(kind) || !(isAlphanumeric(kind) || kind >= 0x80)
    }

    private static func isAlphanumeric(_ b: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(b | 0x20)
    }

    /// The end of the single-character item starting at `i`: a plain character (not a
    /// metacharacter), an escape that stands for one character or one class, or a bracket
    /// expression; `nil` for anything else (groups, anchors, `.`, back references).
    static func singleItemEnd(_ s: [UInt8], from i: Int) -> Int? {
        let n = s.count
        let b = s[i]
        if b == UInt8(ascii: "[") { return bracketEnd(s, from: i).map { $0 + 1 } }
        if b == UInt8(ascii: "\\") {
            guard i + 1 < n else { return nil }
            let kind = s[i + 1]
            switch kind {
            case UInt8(ascii: "x"):
                if i + 2 < n, s[i + 2] == UInt8(ascii: "{") { return s[(i + 3)...].firstIndex(of: UInt8(ascii: "}")).map { $0 + 1 } }
                return hexRun(s, from: i + 2, count: 2) ? i + 4 : nil
            case UInt8(ascii: "u"): return hexRun(s, from: i + 2, count: 4) ? i + 6 : nil
            case UInt8(ascii: "U"): return hexRun(s, from: i + 2, count: 8) ? i + 10 : nil
            case UInt8(ascii: "p"), UInt8(ascii: "P"):
                guard i + 2 < n, s[i + 2] == UInt8(ascii: "{") else { return nil }
                return s[(i + 3)...].firstIndex(of: UInt8(ascii: "}")).map { $0 + 1 }
            default:
                if "ntrfeasSdDwWhHvV".utf8.contains(kind) { return i + 2 }
                return isAlphanumeric(kind) || kind >= 0x80 ? nil : i + 2
            }
        }
        if "^$|()*+?{}.]".utf8.contains(b) { return nil }
        var end = i + 1
        while end < n, s[end] & 0xC0 == 0x80 { end += 1 }
        return end
    }

    private static func hexRun(_ s: [UInt8], from i: Int, count: Int) -> Bool {
        i + count <= s.count && s[i..<(i + count)].allSatisfy { isAlphanumeric($0) && ($0 <= UInt8(ascii: "9") || ($0 | 0x20) <= UInt8(ascii: "f")) }
    }

    /// `C` when `source` is `C+` for a single character class `C`, else `nil`.
    static func classRun(_ source: String) -> String? {
        let s = Array(source.utf8)
        guard s.count >= 3, s[s.count - 1] == UInt8(ascii: "+") else { return nil }
        let body = Array(s[..<(s.count - 1)])
        let n = body.count
        if n == 2, body[0] == UInt8(ascii: "\\"), "sShHvVdDwW".utf8.contains(body[1]) { return String(decoding: body, as: UTF8.self) }
        if n > 4, body[0] == UInt8(ascii: "\\"), body[1] == UInt8(ascii: "p") || body[1] == UInt8(ascii: "P"),
           body[2] == UInt8(ascii: "{"), body[n - 1] == UInt8(ascii: "}"),
           !body[3..<(n - 1)].contains(UInt8(ascii: "}")), !body[3..<(n - 1)].contains(UInt8(ascii: "\\")) {
            return String(decoding: body, as: UTF8.self)
        }
        guard body[0] == UInt8(ascii: "["), bracketEnd(body, from: 0) == n - 1 else { return nil }
        return String(decoding: body, as: UTF8.self)
    }

    /// The index of the `]` closing the bracket expression that opens at `start`, or `nil`.
    static func bracketEnd(_ body: [UInt8], from start: Int) -> Int? {
        let n = body.count
        var i = start + 1
        if i < n, body[i] == UInt8(ascii: "^") { i += 1 }
        if i < n, body[i] == UInt8(ascii: "]") { i += 1 }   // a `]` first is a literal
        while i < n {
            switch body[i] {
            case UInt8(ascii: "\\"):
                // `\Q…\E` inside a class could hide a `]`: not recognised.
                if i + 1 < n, body[i + 1] == UInt8(ascii: "Q") { return nil }
                i += 2
            case UInt8(ascii: "["):
                // A POSIX class `[:name:]`; any other `[` is a literal.
                if i + 1 < n, body[i + 1] == UInt8(ascii: ":") {
                    var k = i + 2
                    while k + 1 < n, !(body[k] == UInt8(ascii: ":") && body[k + 1] == UInt8(ascii: "]")) { k += 1 }
                    guard k + 1 < n else { return nil }
                    i = k + 2
                } else {
                    i += 1
                }
            case UInt8(ascii: "]"):
                return i
            default:
                i += 1
            }
        }
        return nil
    }
}
