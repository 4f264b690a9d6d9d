@_implementationOnly import CPCRE2

/// A regular expression compiled once (PCRE2, JIT when the CPU allows) and checked up front.
///
/// Why PCRE2 rather than Swift `Regex`, `NSRegularExpression` or ICU `uregex`: it matches UTF-8
/// bytes directly (no UTF-16 round trip, offsets are byte offsets), its JIT runs simple cleaning
/// patterns at hundreds of MB/s, and it bounds the work of every match, so a catastrophic
/// pattern cannot hang a build. Patterns use Perl/Python syntax in Unicode mode (`\w`, `\d`,
/// `\s` and `\b` are Unicode-aware). Code points are written `\xHH` or `\x{H…}` as in Perl, or
/// `\uHHHH` and `\UHHHHHHHH` as in Python's `re` (translated before compiling), so patterns
/// written for either carry over.
///
/// The compiled pattern is shared by all threads; each worker makes its own ``RegexMatcher``.
public final class RegexPattern: @unchecked Sendable {
    /// The pattern as the user wrote it.
    public let source: String
    public let caseInsensitive: Bool
    /// Number of capture groups.
    public let groupCount: Int
    /// Named capture groups, in group-number order.
    public let groupNames: [String]
    let code: OpaquePointer
    /// Whether the JIT compiled the pattern (matching then skips the interpreter's set-up).
    let jit: Bool

    /// Whether searches may be told where matches must start
    /// (``RegexMatcher/matchRanges(in:startingIn:)``).
    public let limitsStarts: Bool

    /// Where matches can start, when the pattern asked for it and qualifies (see
    /// ``MatchStartFilter``): searches then call PCRE2 only at those places.
    let startFilter: MatchStartFilter?

    /// Whether searches skip the places no match can start (``MatchStartFilter``).
    public var filtersStarts: Bool { startFilter != nil }

    /// Compiles `source`. Throws a ``TextError`` with PCRE2's message and the offset of the problem.
    /// `limitsStarts` compiles the pattern so that a search can be confined to matches that start
    /// in a given range (PCRE2's offset limit; the JIT needs to know beforehand).
    public convenience init(_ source: String, caseInsensitive: Bool = false, limitsStarts: Bool = false) throws {
        try self.init(source, caseInsensitive: caseInsensitive, limitsStarts: limitsStarts, startFilter: nil)
    }

    /// This pattern with a ``MatchStartFilter``, for patterns searched over much text: the filter is
    /// learnt from this compiled pattern (a few milliseconds) and the pattern compiled once more
    /// with the offset limit, which the filtered search confines each PCRE2 call with. `self`
    /// when it has a filter already or does not qualify.
    public func filteringStarts() throws -> RegexPattern {
        guard startFilter == nil, let filter = MatchStartFilter(code: code, source: source) else { return self }
        return try RegexPattern(source, caseInsensitive: caseInsensitive, limitsStarts: true, startFilter: filter)
    }

    private init(_ source: String, caseInsensitive: Bool, limitsStarts: Bool, startFilter: MatchStartFilter?) throws {
        self.source = source
        self.caseInsensitive = caseInsensitive
        self.limitsStarts = limitsStarts
        self.startFilter = startFilter
        // `\C` (one code unit) could end a match inside a character; replacements are assembled
        // from whole characters, so the pattern is refused instead (Python's `re` has no `\C`).
        var options = UInt32(PCRE2_UTF) | UInt32(PCRE2_UCP) | UInt32(PCRE2_NEVER_BACKSLASH_C)
        if caseInsensitive { options |= UInt32(PCRE2_CASELESS) }
        if limitsStarts { options |= UInt32(PCRE2_USE_OFFSET_LIMIT) }
        let context = pcre2_compile_context_create_8(nil)
        defer { pcre2_compile_context_free_8(context) }
        var errorCode: Int32 = 0
        var errorOffset = 0
        var text = RegexPattern.translatingPythonEscapes(source)
        let compiled: OpaquePointer? = text.withUTF8 { buf in
            pcre2_compile_8(buf.baseAddress ?? UnsafePointer(bitPattern: 1)!, buf.count, options, &errorCode, &errorOffset, context)
        }
        guard let compiled else {
            var reason = RegexPattern.message(errorCode)
            if errorCode == PCRE2_ERROR_BACKSLASH_C_CALLER_DISABLED { reason = "`\\C` matches a single byte and can split a character, so it is not allowed" }
            throw TextError("invalid regex `\(source)`: \(reason) at offset \(errorOffset)")
        }
        // JIT is an optimisation: without it (unsupported CPU) the interpreter gives the same results.
        jit = pcre2_jit_compile_8(compiled, UInt32(PCRE2_JIT_COMPLETE)) == 0
        code = compiled
        var captures: UInt32 = 0
        _ = pcre2_pattern_info_8(compiled, UInt32(PCRE2_INFO_CAPTURECOUNT), &captures)
        groupCount = Int(captures)
        var nameCount: UInt32 = 0, entrySize: UInt32 = 0
        var table: UnsafePointer<UInt8>?
        _ = pcre2_pattern_info_8(compiled, UInt32(PCRE2_INFO_NAMECOUNT), &nameCount)
        _ = pcre2_pattern_info_8(compiled, UInt32(PCRE2_INFO_NAMEENTRYSIZE), &entrySize)
        _ = pcre2_pattern_info_8(compiled, UInt32(PCRE2_INFO_NAMETABLE), &table)
        var names: [(Int, String)] = []
        if let table {
            for k in 0..<Int(nameCount) {
                let entry = table + k * Int(entrySize)
                let number = Int(entry[0]) << 8 | Int(entry[1])
                names.append((number, String(cString: entry + 2)))
            }
        }
        groupNames = names.sorted { $0.0 < $1.0 }.map(\.1)
    }

    deinit { pcre2_code_free_8(code) }

    /// Rewrites Python's `\uHHHH` and `\UHHHHHHHH` escapes as PCRE2's `\x{…}`; everything else,
    /// including escaped backslashes (`\\u`), is left exactly as written.
    public static func translatingPythonEscapes(_ pattern: String) -> String {
        guard pattern.contains("\\u") || pattern.contains("\\U") else { return pattern }
        let chars = Array(pattern.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        func hexRun(_ from: Int, _ count: Int) -> Bool {
            from + count <= chars.count && chars[from..<(from + count)].allSatisfy { $0.properties.isASCIIHexDigit }
        }
        while i < chars.count {
            let c = chars[i]
            guard c == "\\", i + 1 < chars.count else { out.append(c); i += 1; continue }
            let next = chars[i + 1]
            if next == "u", hexRun(i + 2, 4) {
                out.append(contentsOf: "\\x{".unicodeScalars)
                out.append(contentsOf: chars[(i + 2)..<(i + 6)])
                out.append("}")
                i += 6
            } else if next == "U", hexRun(i + 2, 8) {
                out.append(contentsOf: "\\x{".unicodeScalars)
                out.append(contentsOf: chars[(i + 2)..<(i + 10)])
                out.append("}")
                i += 10
            } else {
                out.append(c)
                out.append(next)
                i += 2
            }
        }
        return String(out)
    }

    static func message(_ code: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 256)
        let n = pcre2_get_error_message_8(code, &buffer, buffer.count)
        return n > 0 ? String(decoding: buffer.prefix(Int(n)), as: UTF8.self) : "error \(code)"
    }

    /// The group number of a named group, or `nil` when the pattern has no such group.
    public func groupNumber(named name: String) -> Int? {
        let n = name.withCString { pcre2_substring_number_from_name_8(code, UnsafeRawPointer($0).assumingMemoryBound(to: UInt8.self)) }
        return n > 0 ? Int(n) : nil
    }

    /// Parses a replacement string: `$0`…`$99` and `${name}` refer to groups, `\$` and `\\` escape.
    public func replacement(_ template: String) throws -> ReplacementTemplate {
        try ReplacementTemplate(template, pattern: self)
    }

    /// A fresh matcher for the calling thread. `timeLimit` is in milliseconds (0 = none).
    public func makeMatcher(timeLimit: Int32 = 0) throws -> RegexMatcher {
        try RegexMatcher(pattern: self, timeLimitMilliseconds: Int(timeLimit))
    }
}
