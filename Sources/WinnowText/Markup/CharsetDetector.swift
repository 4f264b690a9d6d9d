@_implementationOnly import CICU

/// The charset a document was decoded with, and the evidence for it (kept in the record's
/// provenance, so a user looking at mojibake can see which rule chose the charset).
public struct DetectedCharset: Sendable, Equatable, CustomStringConvertible {
    /// A name ICU's converters accept (`utf-8`, `gb18030`, `windows-1252`, `Big5`, ...).
    public var name: String
    /// How it was chosen: `BOM`, `meta charset gb2312`, `XML declaration`, `ICU detector, confidence 62`, ...
    public var evidence: String

    public init(name: String, evidence: String) {
        self.name = name
        self.evidence = evidence
    }

    /// The charset a pipeline's `encoding` names, mapped like a page's declaration.
    public static func declared(_ label: String) -> DetectedCharset {
        DetectedCharset(name: CharsetDetector.normalizedLabel(label), evidence: "declared in the pipeline")
    }

    public var description: String { "\(name) (\(evidence))" }
    public var isUTF8: Bool { name.lowercased() == "utf-8" }
}

/// Finds the charset of an HTML page or XML document the way browsers do, then checks it
/// against the bytes.
///
/// Order: a byte-order mark; the charset the document declares (`<meta charset>`,
/// `<meta http-equiv="Content-Type" content="...; charset=...">`, or the XML declaration);
/// then ICU's statistical detector (`ucsdet`). One check overrides a declaration: bytes that
/// are valid UTF-8 and contain multi-byte sequences are UTF-8 whatever the page says. Pages
/// saved by a browser keep their original `<meta charset=gb2312>` while the file itself was
/// written as UTF-8, and decoding those as GB18030 would turn every character into mojibake;
/// legacy-encoded CJK or accented text, in contrast, is practically never valid UTF-8.
///
/// Labels are mapped as the WHATWG Encoding Standard does where it matters: GB2312 and GBK are
/// decoded as GB18030 (their superset), ISO-8859-1 and ASCII as Windows-1252.
public enum CharsetDetector {
    /// How far into a document a declaration is looked for.
    public static let declarationScanLimit = 16 * 1024

    /// The charset of an HTML page (or any markup with a `<meta>` or XML declaration).
    public static func detect(_ bytes: UnsafeBufferPointer<UInt8>) -> DetectedCharset {
        if let bom = byteOrderMark(bytes) { return DetectedCharset(name: bom, evidence: "BOM") }
        let declared = declaredCharset(bytes)
        let invalidAt = firstInvalidUTF8Offset(bytes)
        if invalidAt == nil {
            let hasMultibyte = bytes.contains { $0 >= 0x80 }
            guard let declared, !isUTF8Label(declared.name) else {
                return DetectedCharset(name: "utf-8", evidence: declared.map { $0.evidence } ?? (hasMultibyte ? "bytes are valid UTF-8" : "ASCII"))
            }
            if hasMultibyte {
                return DetectedCharset(name: "utf-8", evidence: "bytes are valid UTF-8; \(declared.evidence) ignored")
            }
            // Pure ASCII: every ASCII-compatible charset reads it the same way.
            return isASCIICompatible(declared.name) ? declared : DetectedCharset(name: "utf-8", evidence: "ASCII; \(declared.evidence) ignored")
        }
        if let declared, !isUTF8Label(declared.name), CharsetConverter.isKnown(declared.name) {
            return declared
        }
        if let guess = statisticalGuess(bytes), !isUTF8Label(guess.name) {
            return DetectedCharset(name: guess.name,
                                   evidence: (declared.map { "\($0.evidence) but invalid UTF-8; " } ?? "") + guess.evidence)
        }
        return DetectedCharset(name: "utf-8", evidence: (declared?.evidence ?? "no declaration") + ", invalid bytes replaced")
    }

    /// Decodes a whole document to UTF-8 with `charset` (malformed sequences become U+FFFD).
    public static func decode(_ bytes: UnsafeBufferPointer<UInt8>, as charset: DetectedCharset) throws -> [UInt8] {
        var body = bytes
        if let bomLength = bomLength(bytes) { body = UnsafeBufferPointer(rebasing: bytes[bomLength...]) }
        if charset.isUTF8 {
            if firstInvalidUTF8Offset(body) == nil { return Array(body) }
            return Array(String(decoding: body, as: UTF8.self).utf8)
        }
        let converter = try CharsetConverter(charset: charset.name, strict: false)
        return try converter.convertWhole(body)
    }

    /// The charset named by a BOM, if the bytes start with one.
    public static func byteOrderMark(_ b: UnsafeBufferPointer<UInt8>) -> String? {
        if b.count >= 3, b[0] == 0xEF, b[1] == 0xBB, b[2] == 0xBF { return "utf-8" }
        if b.count >= 2, b[0] == 0xFF, b[1] == 0xFE { return "UTF-16LE" }
        if b.count >= 2, b[0] == 0xFE, b[1] == 0xFF { return "UTF-16BE" }
        return nil
    }

    static func bomLength(_ b: UnsafeBufferPointer<UInt8>) -> Int? {
        switch byteOrderMark(b) {
        case "utf-8": 3
        case nil: nil
        default: 2
        }
    }

    /// The charset a document declares in its first ``declarationScanLimit`` bytes: an XML
    /// declaration's `encoding`, or a `<meta>` tag's `charset` (either form), normalized.
    public static func declaredCharset(_ bytes: UnsafeBufferPointer<UInt8>) -> DetectedCharset? {
        let scan = UnsafeBufferPointer(rebasing: bytes[..<min(bytes.count, declarationScanLimit)])
        if let xml = xmlDeclarationEncoding(scan) {
            return DetectedCharset(name: normalizedLabel(xml), evidence: "XML declaration \(xml)")
        }
        var i = 0
        while let start = find(lowercase: "<meta", in: scan, from: i) {
            var end = start + 5
            while end < scan.count, scan[end] != UInt8(ascii: ">") { end += 1 }
            let tag = UnsafeBufferPointer(rebasing: scan[start..<end])
            if let at = find(lowercase: "charset", in: tag, from: 0), let label = value(after: at + 7, in: tag) {
                let form = find(lowercase: "http-equiv", in: tag, from: 0) != nil ? "http-equiv charset" : "meta charset"
                return DetectedCharset(name: normalizedLabel(label), evidence: "\(form) \(label)")
            }
            i = end
        }
        return nil
    }

    /// `encoding="..."` inside a leading `<?xml ...?>` (the declaration must come first).
    public static func xmlDeclarationEncoding(_ b: UnsafeBufferPointer<UInt8>) -> String? {
        var start = 0
        while start < b.count, b[start] == 0x20 || b[start] == 0x0A || b[start] == 0x0D || b[start] == 0x09 { start += 1 }
        guard b.count - start > 5, b[start] == UInt8(ascii: "<"), b[start + 1] == UInt8(ascii: "?"),
              b[start + 2] | 0x20 == UInt8(ascii: "x"), b[start + 3] | 0x20 == UInt8(ascii: "m"), b[start + 4] | 0x20 == UInt8(ascii: "l")
        else { return nil }
        var end = start + 5
        while end + 1 < b.count, !(b[end] == UInt8(ascii: "?") && b[end + 1] == UInt8(ascii: ">")) { end += 1 }
        let decl = UnsafeBufferPointer(rebasing: b[start..<end])
        guard let at = find(lowercase: "encoding", in: decl, from: 0) else { return nil }
        return value(after: at + 8, in: decl)
    }

    /// The label after `charset`/`encoding`: skips spaces and `=`, then reads a quoted or bare name.
    private static func value(after index: Int, in tag: UnsafeBufferPointer<UInt8>) -> String? {
        var i = index
        while i < tag.count, tag[i] == 0x20 || tag[i] == 0x09 { i += 1 }
        guard i < tag.count, tag[i] == UInt8(ascii: "=") else { return nil }
        i += 1
        while i < tag.count, tag[i] == 0x20 || tag[i] == 0x09 || tag[i] == UInt8(ascii: "\"") || tag[i] == UInt8(ascii: "'") { i += 1 }
        var end = i
        while end < tag.count, isLabelByte(tag[end]) { end += 1 }
        guard end > i else { return nil }
        return String(decoding: UnsafeBufferPointer(rebasing: tag[i..<end]), as: UTF8.self)
    }

    private static func isLabelByte(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c | 0x20 >= 0x61 && c | 0x20 <= 0x7A) || c == UInt8(ascii: "-") || c == UInt8(ascii: "_")
            || c == UInt8(ascii: ".") || c == UInt8(ascii: ":")
    }

    /// ASCII-case-insensitive search for a lowercase needle.
    private static func find(lowercase needle: StaticString, in hay: UnsafeBufferPointer<UInt8>, from: Int) -> Int? {
        let n = needle.utf8CodeUnitCount
        guard n > 0, hay.count >= n else { return nil }
        let p = needle.utf8Start
        var i = from
        while i + n <= hay.count {
            if hay[i] | 0x20 == p[0] {
                var k = 1
                while k < n, hay[i + k] | (hay[i + k] >= 0x41 && hay[i + k] <= 0x5A ? 0x20 : 0) == p[k] { k += 1 }
                if k == n { return i }
            }
            i += 1
        }
        return nil
    }

    /// Maps a declared label to the charset to decode with (WHATWG where it differs from ICU).
    public static func normalizedLabel(_ label: String) -> String {
        let key = String(label.lowercased().filter { $0 != "-" && $0 != "_" && $0 != " " })
        switch key {
        case "utf8", "unicode11utf8": return "utf-8"
        case "gb2312", "gbk", "xgbk", "gb231280", "cp936", "windows936", "euccn", "csgb2312", "chinese", "gb18030": return "gb18030"
        case "iso88591", "latin1", "l1", "ascii", "usascii", "iso8859", "cp1252", "windows1252", "xcp1252": return "windows-1252"
        case "big5", "big5hkscs", "cnbig5", "xxbig5", "csbig5": return "Big5"
        case "shiftjis", "sjis", "xsjis", "mskanji", "windows31j", "csshiftjis": return "Shift_JIS"
        case "utf16": return "utf-16"
        case "utf16le": return "UTF-16LE"
        case "utf16be": return "UTF-16BE"
        default:
            if key.hasPrefix("windows125"), let digit = key.last { return "windows-125\(digit)" }
            return label
        }
    }

    /// UTF-8, or UTF-16 named in a `<meta>` of a page whose bytes are ASCII-compatible: a
    /// declaration read as ASCII cannot be UTF-16 (browsers read it as UTF-8 too).
    private static func isUTF8Label(_ name: String) -> Bool { name.lowercased() == "utf-8" || name.lowercased().hasPrefix("utf-16") }

    private static func isASCIICompatible(_ name: String) -> Bool {
        let l = name.lowercased()
        return !(l.hasPrefix("utf-16") || l.hasPrefix("utf-32") || l.hasPrefix("ucs"))
    }

    /// ICU's detector over the first 64 KiB; `nil` when it has no answer.
    public static func statisticalGuess(_ bytes: UnsafeBufferPointer<UInt8>) -> DetectedCharset? {
        var status = U_ZERO_ERROR
        guard let detector = winnow_ucsdet_open(&status), status.rawValue <= 0 else { return nil }
        defer { winnow_ucsdet_close(detector) }
        let sample = UnsafeBufferPointer(rebasing: bytes[..<min(bytes.count, 64 * 1024)])
        return sample.withMemoryRebound(to: CChar.self) { chars -> DetectedCharset? in
            winnow_ucsdet_setText(detector, chars.baseAddress, Int32(chars.count), &status)
            guard status.rawValue <= 0, let match = winnow_ucsdet_detect(detector, &status), status.rawValue <= 0,
                  let name = winnow_ucsdet_getName(match, &status) else { return nil }
            let confidence = winnow_ucsdet_getConfidence(match, &status)
            let label = String(cString: name)
            return DetectedCharset(name: normalizedLabel(label), evidence: "ICU detector \(label), confidence \(confidence)")
        }
    }
}
