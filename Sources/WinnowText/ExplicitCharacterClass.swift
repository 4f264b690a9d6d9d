@_implementationOnly import CPCRE2

extension RegexPattern {
    /// Whether PCRE2 knows which bytes a match can start with (a first code unit or a start
    /// bitmap). Without either, a search tries a match at every character of the text.
    public var hasStartHint: Bool {
        var bitmap: UnsafePointer<UInt8>?
        var firstType: UInt32 = 0
        _ = pcre2_pattern_info_8(code, UInt32(PCRE2_INFO_FIRSTBITMAP), &bitmap)
        _ = pcre2_pattern_info_8(code, UInt32(PCRE2_INFO_FIRSTCODETYPE), &firstType)
        return bitmap != nil || firstType != 0
    }

    /// The code points a one-character pattern (a bracket expression, `\s`, `\p{…}`) matches,
    /// written out as a bracket expression of ranges, or `nil` when that takes more than
    /// `maxRanges` ranges.
    ///
    /// Why: PCRE2 cannot tell which bytes can start a match of a class defined by Unicode
    /// properties (`[^\S\n]`, `\s` under Unicode rules), so a search for it tries every position
    /// of the text: the usual "collapse white space" rule ran at 70 MB/s. The same set written
    /// out (`[\x{9}\x{B}-\x{D}\x{20}…]`) gets a start bitmap and runs twice as fast. The set is
    /// found by asking PCRE2 itself about every code point (about 50 ms), so it is the class's
    /// exact meaning under the same options, not a hand-made copy.
    public static func explicitClass(of singleCharacter: String, maxRanges: Int = 256) throws -> String? {
        let pattern = try RegexPattern("(?:\(singleCharacter))")
        guard let data = pcre2_match_data_create_from_pattern_8(pattern.code, nil) else { return nil }
        defer { pcre2_match_data_free_8(data) }
        var ranges: [ClosedRange<UInt32>] = []
        var bytes = [UInt8](repeating: 0, count: 4)
        for value in UInt32(0)...0x10FFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }   // surrogates
            var count = 0
            for b in UTF8.encode(scalar)! { bytes[count] = b; count += 1 }
            let rc = bytes.withUnsafeBufferPointer { buf in
                pattern.jit
                    ? pcre2_jit_match_8(pattern.code, buf.baseAddress, count, 0, UInt32(PCRE2_ANCHORED), data, nil)
                    : pcre2_match_8(pattern.code, buf.baseAddress, count, 0, UInt32(PCRE2_ANCHORED) | UInt32(PCRE2_NO_UTF_CHECK), data, nil)
            }
            guard rc >= 0, pcre2_get_ovector_pointer_8(data)[1] == count else { continue }
            if let last = ranges.last, last.upperBound + 1 == value {
                ranges[ranges.count - 1] = last.lowerBound...value
            } else {
                if ranges.count == maxRanges { return nil }
                ranges.append(value...value)
            }
        }
        guard !ranges.isEmpty else { return nil }
        func hex(_ v: UInt32) -> String { "\\x{" + String(v, radix: 16, uppercase: true) + "}" }
        return "[" + ranges.map { $0.count == 1 ? hex($0.lowerBound) : hex($0.lowerBound) + "-" + hex($0.upperBound) }.joined() + "]"
    }
}
