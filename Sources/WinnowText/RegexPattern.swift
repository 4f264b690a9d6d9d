@_implementationOnly import CICU

/// A regular expression compiled once by ICU and checked up front.
///
/// Why ICU rather than Swift `Regex` or `NSRegularExpression`: ICU's `uregex` runs directly on
/// UTF-8 through a `UText`, reports byte offsets, and has a per-match time limit, so a
/// catastrophic pattern cannot hang a build. The compiled pattern is shared; each worker thread
/// gets its own ``RegexMatcher`` (ICU matchers are not thread-safe, but cloning is cheap).
public final class RegexPattern: @unchecked Sendable {
    /// The pattern as the user wrote it.
    public let source: String
    public let caseInsensitive: Bool
    /// Number of capture groups.
    public let groupCount: Int
    /// Named capture groups, in group-number order.
    public let groupNames: [String]
    let compiled: OpaquePointer

    /// Compiles `source`. Throws a ``TextError`` naming the offset of the first syntax error.
    public init(_ source: String, caseInsensitive: Bool = false) throws {
        self.source = source
        self.caseInsensitive = caseInsensitive
        var status = U_ZERO_ERROR
        var parseError = UParseError()
        var pattern = source
        let flags: UInt32 = caseInsensitive ? UInt32(UREGEX_CASE_INSENSITIVE.rawValue) : 0
        let regex: OpaquePointer? = pattern.withUTF8 { buf in
            let text = UnsafeRawPointer(buf.baseAddress ?? UnsafePointer(bitPattern: 1)!).assumingMemoryBound(to: CChar.self)
            var textStatus = U_ZERO_ERROR
            let ut = winnow_utext_openUTF8(nil, text, Int64(buf.count), &textStatus)
            defer { winnow_utext_close(ut) }
            return winnow_uregex_openUText(ut, flags, &parseError, &status)
        }
        guard let regex, !failed(status) else {
            let name = String(cString: winnow_u_errorName(status))
            let detail = name.hasPrefix("U_REGEX_") ? String(name.dropFirst(8)).lowercased().replacingUnderscores()
                                                    : name
            throw TextError("invalid regex `\(source)`: \(detail) at offset \(parseError.offset)")
        }
        self.compiled = regex
        status = U_ZERO_ERROR
        let groups = Int(winnow_uregex_groupCount(regex, &status))
        self.groupCount = groups
        self.groupNames = RegexPattern.namedGroups(in: source).filter { name in
            var s = U_ZERO_ERROR
            _ = winnow_uregex_groupNumberFromCName(regex, name, Int32(name.utf8.count), &s)
            return !failed(s)
        }
    }

    deinit { winnow_uregex_close(compiled) }

    /// The group number of a named group, or `nil` when the pattern has no such group.
    public func groupNumber(named name: String) -> Int? {
        var status = U_ZERO_ERROR
        let n = winnow_uregex_groupNumberFromCName(compiled, name, Int32(name.utf8.count), &status)
        return failed(status) ? nil : Int(n)
    }

    /// Parses a replacement string: `$0`…`$99` and `${name}` refer to groups, `\$` and `\\` escape.
    public func replacement(_ template: String) throws -> ReplacementTemplate {
        try ReplacementTemplate(template, pattern: self)
    }

    /// A fresh matcher for the calling thread.
    public func makeMatcher(timeLimit: Int32 = 0) throws -> RegexMatcher {
        try RegexMatcher(pattern: self, timeLimit: timeLimit)
    }

    private static func namedGroups(in source: String) -> [String] {
        var names: [String] = []
        var bytes = Array(source.utf8)[...]
        while let open = bytes.firstIndex(of: UInt8(ascii: "(")) {
            let rest = bytes[(open + 1)...]
            if rest.starts(with: "?<".utf8), let after = rest.dropFirst(2).first,
               after != UInt8(ascii: "="), after != UInt8(ascii: "!"),
               let close = rest.firstIndex(of: UInt8(ascii: ">")) {
                names.append(String(decoding: bytes[(open + 3)..<close], as: UTF8.self))
            }
            bytes = rest
        }
        return names
    }
}

extension String {
    fileprivate func replacingUnderscores() -> String {
        String(self.map { $0 == "_" ? " " : $0 })
    }
}
