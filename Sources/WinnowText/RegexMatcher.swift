@_implementationOnly import CICU

/// A per-thread ICU matcher over UTF-8 text. Offsets are UTF-8 byte offsets into the text.
///
/// Not thread-safe by design: create one per worker from a shared ``RegexPattern``.
public final class RegexMatcher {
    public let pattern: RegexPattern
    private let regex: OpaquePointer

    init(pattern: RegexPattern, timeLimit: Int32) throws {
        var status = U_ZERO_ERROR
        guard let clone = winnow_uregex_clone(pattern.compiled, &status), !failed(status) else {
            throw TextError.icu("cloning regex", status)
        }
        if timeLimit > 0 {
            winnow_uregex_setTimeLimit(clone, timeLimit, &status)
            if failed(status) { winnow_uregex_close(clone); throw TextError.icu("setting regex time limit", status) }
        }
        self.pattern = pattern
        self.regex = clone
    }

    deinit { winnow_uregex_close(regex) }

    /// Runs `body` with the matcher attached to `text`; the UText only lives inside the call.
    private func attached<T>(_ text: UnsafeBufferPointer<UInt8>,
                             _ body: (OpaquePointer) throws -> T) throws -> T {
        var status = U_ZERO_ERROR
        let base = UnsafeRawPointer(text.baseAddress).map { $0.assumingMemoryBound(to: CChar.self) }
        var empty: CChar = 0
        let ut = withUnsafePointer(to: &empty) { emptyPointer in
            winnow_utext_openUTF8(nil, base ?? emptyPointer, Int64(text.count), &status)
        }
        defer { winnow_utext_close(ut) }
        if failed(status) { throw TextError.icu("opening UTF-8 text", status) }
        winnow_uregex_setUText(regex, ut, &status)
        if failed(status) { throw TextError.icu("attaching text", status) }
        return try body(regex)
    }

    /// The byte range of the first match, or `nil`.
    public func firstMatch(in text: String) throws -> Range<Int>? {
        var text = text
        return try text.withUTF8 { buf throws in
            try attached(buf) { regex throws -> Range<Int>? in
                var status = U_ZERO_ERROR
                let found = winnow_uregex_find64(regex, 0, &status)
                if failed(status) { throw TextError.icu("regex `\(pattern.source)`", status) }
                guard found != 0 else { return nil }
                let start = winnow_uregex_start64(regex, 0, &status)
                let end = winnow_uregex_end64(regex, 0, &status)
                return Int(start)..<Int(end)
            }
        }
    }

    /// Whether the pattern matches anywhere in `text`.
    public func matches(_ text: String) throws -> Bool {
        try firstMatch(in: text) != nil
    }

    /// The named and numbered groups of the first match, or `nil` when there is no match.
    /// Groups that did not take part in the match are absent.
    public func captures(in text: String) throws -> [Int: String]? {
        var text = text
        let groups = pattern.groupCount
        return try text.withUTF8 { buf throws in
            try attached(buf) { regex throws -> [Int: String]? in
                var status = U_ZERO_ERROR
                let found = winnow_uregex_find64(regex, 0, &status)
                if failed(status) { throw TextError.icu("regex `\(pattern.source)`", status) }
                guard found != 0 else { return nil }
                var result: [Int: String] = [:]
                for g in 0...groups {
                    let start = Int(winnow_uregex_start64(regex, Int32(g), &status))
                    let end = Int(winnow_uregex_end64(regex, Int32(g), &status))
                    if start >= 0, end >= start {
                        result[g] = String(decoding: UnsafeBufferPointer(rebasing: buf[start..<end]), as: UTF8.self)
                    }
                }
                return result
            }
        }
    }

    /// Replaces every match. Returns the new text and the number of replacements, or `nil` when
    /// nothing matched (so callers can count hits and skip a copy).
    public func replaceAll(in text: String, with template: ReplacementTemplate) throws -> (String, Int)? {
        var text = text
        return try text.withUTF8 { buf throws in
            try attached(buf) { regex throws -> (String, Int)? in
                var status = U_ZERO_ERROR
                var output: [UInt8] = []
                var last = 0
                var count = 0
                while winnow_uregex_findNext(regex, &status) != 0 {
                    if failed(status) { break }
                    let start = Int(winnow_uregex_start64(regex, 0, &status))
                    let end = Int(winnow_uregex_end64(regex, 0, &status))
                    if count == 0 { output.reserveCapacity(buf.count + 16) }
                    output.append(contentsOf: UnsafeBufferPointer(rebasing: buf[last..<start]))
                    for piece in template.pieces {
                        switch piece {
                        case .literal(let bytes): output.append(contentsOf: bytes)
                        case .group(let g):
                            let gs = Int(winnow_uregex_start64(regex, Int32(g), &status))
                            let ge = Int(winnow_uregex_end64(regex, Int32(g), &status))
                            if gs >= 0, ge >= gs { output.append(contentsOf: UnsafeBufferPointer(rebasing: buf[gs..<ge])) }
                        }
                    }
                    last = end
                    count += 1
                }
                if failed(status) { throw TextError.icu("regex `\(pattern.source)`", status) }
                guard count > 0 else { return nil }
                output.append(contentsOf: UnsafeBufferPointer(rebasing: buf[last...]))
                return (String(decoding: output, as: UTF8.self), count)
            }
        }
    }
}
