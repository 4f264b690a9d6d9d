/// Converts MediaWiki wikitext to the plain text a reader sees, without the markup.
///
/// What is removed with its content: comments, templates and parser functions (`{{...}}`,
/// nested, `{{{params}}}` included), tables (`{| ... |}`, nested), references and other
/// extension tags whose content is not prose (`<ref>`, `<gallery>`, `<math>`, `<timeline>`,
/// ...), file, image and category links (with their captions; the wiki's local namespace
/// names come from the dump's `<siteinfo>`), interlanguage links and behaviour switches
/// (`__TOC__`). What is unwrapped: `[[target|label]]` becomes `label`, `[[target]]` becomes
/// `target`, `[url label]` becomes `label`, bold/italic quotes, headings (`== x ==`), list
/// markers and remaining HTML tags are dropped and their text kept, `<br>` is a line break,
/// and common character references (`&nbsp;`, `&ndash;`, `&#8212;`) are decoded.
///
/// Wikitext has no grammar a converter can follow exactly (the parser is MediaWiki itself),
/// so this aims for what dataset builders want: no markup leaks into the text, and no prose is
/// lost outside templates and tables. It works on UTF-8 bytes, in linear passes.
public struct WikitextConverter: Sendable {
    /// Lowercased link prefixes whose links are removed whole (File, Image, Media, Category and
    /// the wiki's own names for them).
    private let removedPrefixes: Set<String>

    public init(mediaPrefixes: [String] = []) {
        var prefixes: Set<String> = ["file", "image", "media", "category"]
        for p in mediaPrefixes { prefixes.insert(p.lowercased()) }
        removedPrefixes = prefixes
    }

    /// Extension tags dropped with their content.
    static let droppedTags: Set<String> = [
        "ref", "references", "gallery", "math", "chem", "ce", "timeline", "score", "graph", "imagemap", "templatedata",
        "mapframe", "maplink", "inputbox", "categorytree", "hiero", "noinclude", "includeonly", "indicator", "section",
    ]

    public func plainText(_ source: String) -> String {
        var b = Array(source.utf8)
        b = removeComments(b)
        b = removeTemplates(b)
        b = removeTagsWithContent(b)
        b = removeTables(b)
        b = convertLinks(b[...])
        b = convertExternalLinks(b)
        b = removeQuotesAndSwitches(b)
        b = stripTags(b)
        b = decodeEntities(b)
        b = removeStrayBrackets(b)
        return String(decoding: tidyLines(b), as: UTF8.self)
    }

    // MARK: Passes

    private func removeComments(_ b: [UInt8]) -> [UInt8] {
        scan(b) { i, _ in
            guard b[i] == 0x3C, matches(b, i, "<!--") else { return false }
            // An unclosed comment hides the rest of the page, as in MediaWiki.
            i = find(b, "-->", from: i + 4).map { $0 + 3 } ?? b.count
            return true
        }
    }

    private func removeTagsWithContent(_ b: [UInt8]) -> [UInt8] {
        scan(b) { i, _ in
            guard b[i] == 0x3C, let (name, tagEnd, selfClosing) = openingTag(b, i), Self.droppedTags.contains(name) else { return false }
            i = selfClosing ? tagEnd : findClosingTag(b, name, from: tagEnd) ?? tagEnd
            return true
        }
    }

    /// `{{...}}` and `{{{...}}}`, nested: inside a template every brace counts, so parameters
    /// and nested templates close where they should.
    private func removeTemplates(_ b: [UInt8]) -> [UInt8] {
        scan(b) { i, out in
            if b[i] == 0x7B, i + 1 < b.count, b[i + 1] == 0x7B {
                var depth = 0
                var j = i
                while j < b.count {
                    if b[j] == 0x7B { depth += 1 } else if b[j] == 0x7D { depth -= 1; if depth == 0 { break } }
                    j += 1
                }
                if j < b.count { i = j + 1; return true }
                // Unclosed: drop the opening braces only and go on.
                i += 2
                return true
            }
            return false
        }
    }

    /// `{|` ... `|}` at line starts, nested.
    private func removeTables(_ b: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        var depth = 0
        forEachLine(b) { line in
            var s = line.startIndex
            while s < line.endIndex, line[s] == 0x20 || line[s] == 0x09 || line[s] == 0x3A { s += 1 }
            let opens = line.endIndex - s >= 2 && line[s] == 0x7B && line[s + 1] == 0x7C
            let closes = line.endIndex - s >= 2 && line[s] == 0x7C && line[s + 1] == 0x7D
            if opens { depth += 1; return }
            if depth > 0 {
                if closes { depth -= 1 }
                return
            }
            out.append(contentsOf: line)
            out.append(0x0A)
        }
        return out
    }

    /// `[[...]]`: labels kept, media/category/interlanguage links removed; nested links in a
    /// label are converted too.
    private func convertLinks(_ b: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        var i = b.startIndex
        while i < b.endIndex {
            guard b[i] == 0x5B, i + 1 < b.endIndex, b[i + 1] == 0x5B else {
                out.append(b[i])
                i += 1
                continue
            }
            // Find the matching `]]`, counting nested `[[`.
            var depth = 0
            var j = i
            var end = -1
            while j + 1 < b.endIndex {
                if b[j] == 0x5B, b[j + 1] == 0x5B { depth += 1; j += 2; continue }
                if b[j] == 0x5D, b[j + 1] == 0x5D {
                    depth -= 1
                    if depth == 0 { end = j; break }
                    j += 2
                    continue
                }
                j += 1
            }
            guard end >= 0 else {
                i += 2  // unclosed: drop the brackets
                continue
            }
            let inner = b[(i + 2)..<end]
            i = end + 2
            // The first pipe outside nested links separates target and label.
            var pipe: Int?
            var nested = 0
            var k = inner.startIndex
            while k < inner.endIndex {
                if k + 1 < inner.endIndex, inner[k] == 0x5B, inner[k + 1] == 0x5B { nested += 1; k += 2; continue }
                if k + 1 < inner.endIndex, inner[k] == 0x5D, inner[k + 1] == 0x5D { nested -= 1; k += 2; continue }
                if inner[k] == 0x7C, nested == 0 { pipe = k; break }
                k += 1
            }
            let target = inner[inner.startIndex..<(pipe ?? inner.endIndex)]
            let label = pipe.map { inner[($0 + 1)...] }
            var t = target.startIndex
            while t < target.endIndex, target[t] == 0x20 { t += 1 }
            let leadingColon = t < target.endIndex && target[t] == 0x3A
            if !leadingColon, let colon = target[t...].firstIndex(of: 0x3A) {
                let prefix = String(decoding: target[t..<colon], as: UTF8.self).trimmingWhitespace.lowercased()
                if removedPrefixes.contains(prefix) { continue }
                if label == nil, isLanguageCode(prefix) { continue }
            }
            if let label, !label.isEmpty {
                out.append(contentsOf: convertLinks(label))
            } else {
                out.append(contentsOf: target[(leadingColon ? t + 1 : t)...])
            }
        }
        return out
    }

    private func isLanguageCode(_ s: String) -> Bool {
        (2...12).contains(s.utf8.count) && s.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2D }
    }

    /// `[http://x label]` becomes `label`; a bare `[http://x]` disappears.
    private func convertExternalLinks(_ b: [UInt8]) -> [UInt8] {
        scan(b) { i, out in
            if b[i] == 0x5B, matches(b, i + 1, "http://") || matches(b, i + 1, "https://") || matches(b, i + 1, "ftp://")
                || matches(b, i + 1, "//") || matches(b, i + 1, "mailto:"),
               let close = b[(i + 1)...].prefix(2048).firstIndex(of: 0x5D), !b[(i + 1)..<close].contains(0x0A) {
                if let space = b[(i + 1)..<close].firstIndex(of: 0x20) { out.append(contentsOf: b[(space + 1)..<close]) }
                i = close + 1
                return true
            }
            return false
        }
    }

    /// Bold/italic apostrophe runs and `__SWITCHES__`.
    private func removeQuotesAndSwitches(_ b: [UInt8]) -> [UInt8] {
        scan(b) { i, out in
            if b[i] == 0x27, i + 1 < b.count, b[i + 1] == 0x27 {
                while i < b.count, b[i] == 0x27 { i += 1 }
                return true
            }
            if b[i] == 0x5F, i + 1 < b.count, b[i + 1] == 0x5F {
                var j = i + 2
                while j < b.count, b[j] >= 0x41 && b[j] <= 0x5A { j += 1 }
                if j > i + 2, j + 1 < b.count, b[j] == 0x5F, b[j + 1] == 0x5F { i = j + 2; return true }
            }
            return false
        }
    }

    /// Remaining HTML-like tags: `<br>` becomes a line break, others vanish, text stays.
    private func stripTags(_ b: [UInt8]) -> [UInt8] {
        scan(b) { i, out in
            if b[i] == 0x3C, i + 1 < b.count, isASCIILetter(b[i + 1]) || (b[i + 1] == 0x2F && i + 2 < b.count && isASCIILetter(b[i + 2])),
               let close = b[(i + 1)...].prefix(1024).firstIndex(of: 0x3E) {
                let nameStart = b[i + 1] == 0x2F ? i + 2 : i + 1
                var nameEnd = nameStart
                while nameEnd < close, isASCIILetter(b[nameEnd]) || (b[nameEnd] >= 0x30 && b[nameEnd] <= 0x39) { nameEnd += 1 }
                let name = String(decoding: b[nameStart..<nameEnd], as: UTF8.self).lowercased()
                if name == "br" || name == "p" || name == "div" || name == "li" { out.append(0x0A) }
                i = close + 1
                return true
            }
            return false
        }
    }

    static let namedEntities: [String: String] = [
        "nbsp": " ", "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "ndash": "–", "mdash": "—",
        "minus": "−", "times": "×", "hellip": "…", "laquo": "«", "raquo": "»", "lsquo": "‘", "rsquo": "’",
        "ldquo": "“", "rdquo": "”", "deg": "°", "middot": "·", "thinsp": " ", "ensp": " ", "emsp": " ", "shy": "",
        "zwj": "", "zwnj": "", "copy": "©", "reg": "®", "euro": "€", "pound": "£", "sect": "§", "frac12": "½",
    ]

    private func decodeEntities(_ b: [UInt8]) -> [UInt8] {
        guard b.contains(0x26) else { return b }
        return scan(b) { i, out in
            guard b[i] == 0x26, let semi = b[(i + 1)...].prefix(12).firstIndex(of: 0x3B) else { return false }
            let body = b[(i + 1)..<semi]
            if body.first == 0x23 {
                let hex = body.count > 1 && (body[body.startIndex + 1] | 0x20) == 0x78
                let digits = String(decoding: body.dropFirst(hex ? 2 : 1), as: UTF8.self)
                guard let value = UInt32(digits, radix: hex ? 16 : 10), let scalar = Unicode.Scalar(value) else { return false }
                // A no-break space is written as a plain space, as `&nbsp;` is.
                out.append(contentsOf: value == 0xA0 ? [0x20] : Array(String(Character(scalar)).utf8))
            } else {
                guard let text = Self.namedEntities[String(decoding: body, as: UTF8.self)] else { return false }
                out.append(contentsOf: Array(text.utf8))
            }
            i = semi + 1
            return true
        }
    }

    /// Doubled braces or brackets left by markup broken in the source (an unclosed template,
    /// a link cut by a stray tag) are dropped rather than passed on as text.
    private func removeStrayBrackets(_ b: [UInt8]) -> [UInt8] {
        scan(b) { i, out in
            let c = b[i]
            if c == 0x7B || c == 0x7D || c == 0x5B || c == 0x5D, i + 1 < b.count, b[i + 1] == c {
                while i < b.count, b[i] == c { i += 1 }
                return true
            }
            // A parenthesis whose templates are gone: "(; ; 14 March" -> "(14 March", "()" -> "".
            guard c == 0x28 else { return false }
            var j = i + 1
            while j < b.count, b[j] == 0x3B || b[j] == 0x2C || b[j] == 0x20 { j += 1 }
            if j < b.count, b[j] == 0x29 {
                i = j + 1
                if out.last == 0x20, i < b.count, b[i] == 0x20 || b[i] == 0x2C || b[i] == 0x2E { out.removeLast() }
            } else {
                out.append(c)
                i = j
            }
            return true
        }
    }

    /// Headings and list markers unwrapped, lines trimmed, runs of blank lines made one.
    private func tidyLines(_ b: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        var blank = true
        forEachLine(b) { raw in
            var line = raw
            while let f = line.first, f == 0x20 || f == 0x09 { line = line.dropFirst() }
            while let l = line.last, l == 0x20 || l == 0x09 || l == 0x0D { line = line.dropLast() }
            if line.first == 0x3D, line.last == 0x3D {
                while line.first == 0x3D { line = line.dropFirst() }
                while line.last == 0x3D { line = line.dropLast() }
            } else {
                while let f = line.first, f == 0x2A || f == 0x23 || f == 0x3A || f == 0x3B { line = line.dropFirst() }
            }
            if line.count >= 4, line.allSatisfy({ $0 == 0x2D }) { line = line.prefix(0) }
            while let f = line.first, f == 0x20 || f == 0x09 { line = line.dropFirst() }
            while let l = line.last, l == 0x20 || l == 0x09 { line = line.dropLast() }
            if line.isEmpty {
                if !blank { out.append(0x0A) }
                blank = true
                return
            }
            out.append(contentsOf: line)
            out.append(0x0A)
            blank = false
        }
        while out.last == 0x0A { out.removeLast() }
        return out
    }

    // MARK: Byte helpers

    /// One left-to-right pass over `b`: `step` either consumes the bytes at `i` (advancing `i`,
    /// appending whatever replaces them) and returns true, or returns false and the byte is copied.
    private func scan(_ b: [UInt8], _ step: (_ i: inout Int, _ out: inout [UInt8]) -> Bool) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        var i = 0
        while i < b.count {
            if !step(&i, &out) {
                out.append(b[i])
                i += 1
            }
        }
        return out
    }

    private func forEachLine(_ b: [UInt8], _ body: (ArraySlice<UInt8>) -> Void) {
        var start = 0
        while start <= b.count {
            let end = b[start...].firstIndex(of: 0x0A) ?? b.count
            body(b[start..<end])
            start = end + 1
        }
    }

    private func matches(_ b: [UInt8], _ i: Int, _ s: StaticString) -> Bool {
        let n = s.utf8CodeUnitCount
        guard i >= 0, i + n <= b.count else { return false }
        let p = s.utf8Start
        for k in 0..<n where b[i + k] | (b[i + k] >= 0x41 && b[i + k] <= 0x5A ? 0x20 : 0) != p[k] { return false }
        return true
    }

    private func find(_ b: [UInt8], _ s: StaticString, from: Int) -> Int? {
        var i = from
        while i < b.count {
            if matches(b, i, s) { return i }
            i += 1
        }
        return nil
    }

    private func isASCIILetter(_ c: UInt8) -> Bool { (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A }

    /// `<name ...>` or `<name .../>` at `i`: the lowercased name, the index after `>`, and
    /// whether it closes itself.
    private func openingTag(_ b: [UInt8], _ i: Int) -> (String, Int, Bool)? {
        var j = i + 1
        while j < b.count, isASCIILetter(b[j]) { j += 1 }
        guard j > i + 1, j < b.count, b[j] == 0x20 || b[j] == 0x3E || b[j] == 0x2F || b[j] == 0x09 || b[j] == 0x0A else { return nil }
        let name = String(decoding: b[(i + 1)..<j], as: UTF8.self).lowercased()
        guard let close = b[j...].prefix(4096).firstIndex(of: 0x3E) else { return nil }
        return (name, close + 1, b[close - 1] == 0x2F)
    }

    /// The index after `</name>` (case-insensitive), searching from `from`.
    private func findClosingTag(_ b: [UInt8], _ name: String, from: Int) -> Int? {
        let needle = Array(("</" + name).utf8)
        var i = from
        while i + needle.count <= b.count {
            if b[i] == 0x3C, b[i + 1] == 0x2F {
                var k = 2
                while k < needle.count, (b[i + k] | 0x20) == needle[k] { k += 1 }
                if k == needle.count, let close = b[(i + k)...].prefix(64).firstIndex(of: 0x3E) { return close + 1 }
            }
            i += 1
        }
        return nil
    }
}
