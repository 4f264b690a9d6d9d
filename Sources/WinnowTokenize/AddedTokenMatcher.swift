/// Finds added tokens in text with HF's rules: leftmost-longest matching, `single_word` (no
/// word character on either side), `lstrip`/`rstrip` (absorb neighbouring whitespace, never into
/// an earlier match). Text between matches is returned for normal tokenization.
struct AddedTokenMatcher {
    enum Segment { case text([UInt8]), token(Int32) }

    /// Tokens by first byte, longest first.
    private var byFirstByte: [[AddedToken]] = Array(repeating: [], count: 256)
    /// Fixed at construction; checked on every encode, so not recomputed.
    let isEmpty: Bool

    init(_ tokens: [AddedToken]) {
        isEmpty = !tokens.contains { !$0.content.isEmpty }
        for t in tokens where !t.content.isEmpty { byFirstByte[Int(t.content[0])].append(t) }
        for k in 0..<256 { byFirstByte[k].sort { $0.content.count > $1.content.count } }
    }

    func split(_ text: [UInt8]) -> [Segment] {
        guard !isEmpty else { return [.text(text)] }
        var segments: [Segment] = []
        var textStart = 0
        var i = 0
        let n = text.count
        while i < n {
            var hit: AddedToken?
            for candidate in byFirstByte[Int(text[i])] where i + candidate.content.count <= n {
                if text[i..<(i + candidate.content.count)].elementsEqual(candidate.content) { hit = candidate; break }
            }
            guard let token = hit else { i += 1; continue }
            var start = i, end = i + token.content.count
            if token.singleWord, (start > 0 && isWordCharacter(before: start, in: text)) || (end < n && isWordCharacter(at: end, in: text)) {
                i += 1
                continue
            }
            if token.lstrip { while start > textStart, isSpace(text[start - 1]) { start -= 1 } }
            if token.rstrip { while end < n, isSpace(text[end]) { end += 1 } }
            if start > textStart { segments.append(.text(Array(text[textStart..<start]))) }
            segments.append(.token(token.id))
            textStart = end
            i = end
        }
        if textStart < n { segments.append(.text(Array(text[textStart...]))) }
        return segments
    }

    private func isSpace(_ b: UInt8) -> Bool { b == 0x20 || (0x09...0x0D).contains(b) }

    /// `\w` on the character that ends before `index` / starts at `index`.
    private func isWordCharacter(before index: Int, in text: [UInt8]) -> Bool {
        var k = index - 1
        while k > 0, text[k] & 0xC0 == 0x80 { k -= 1 }
        return isWordCharacter(at: k, in: text)
    }

    private func isWordCharacter(at index: Int, in text: [UInt8]) -> Bool {
        var len = 1
        while index + len < text.count, text[index + len] & 0xC0 == 0x80 { len += 1 }
        guard let c = String(decoding: text[index..<(index + len)], as: UTF8.self).unicodeScalars.first else { return false }
        return c == "_" || c.properties.isAlphabetic || c.properties.numericType != nil || c.properties.generalCategory == .nonspacingMark
    }
}
