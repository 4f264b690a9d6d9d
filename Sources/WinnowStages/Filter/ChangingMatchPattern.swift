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
enum ChangingMatchPattern {
    static func make(for pattern: RegexPattern, replacement: ReplacementTemplate) throws -> RegexPattern? {
        guard !pattern.caseInsensitive, let literal = replacement.literal,
              let text = String(validating: literal, as: UTF8.self), text.unicodeScalars.count == 1,
              let scalar = text.unicodeScalars.first, var run = classRun(pattern.source) else { return nil }
        // A class PCRE2 cannot give a start bitmap (`[^\S\n]`, `\s`) is written out, so that it can.
        if !pattern.hasStartHint, let explicit = try RegexPattern.explicitClass(of: run) { run = explicit }
        let hex = String(scalar.value, radix: 16, uppercase: true)
        return try RegexPattern("(?:\(run)){2,}|(?!\\x{\(hex)})(?:\(run))")
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
        guard body[0] == UInt8(ascii: "[") else { return nil }
        var i = 1
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
                return i == n - 1 ? String(decoding: body, as: UTF8.self) : nil
            default:
                i += 1
            }
        }
        return nil
    }
}
