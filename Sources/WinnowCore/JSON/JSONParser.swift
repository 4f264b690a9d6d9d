internal import CByteScan
/// A strict RFC 8259 JSON parser over UTF-8 bytes.
///
/// Two uses with one parser: JSONL records (fast path, no bookkeeping), and pipeline files, where
/// it also records the line and column of every value and object key by JSON path
/// (`$.stages[0].clean.min_chars`), so validation errors can point at the exact spot.
public struct JSONParser {
    /// A syntax error with the byte offset and line/column where parsing stopped.
    public struct SyntaxError: Error, Sendable, CustomStringConvertible {
        public var message: String
        public var offset: Int
        public var location: SourceLocation
        public var description: String { "\(location): \(message)" }
    }

    /// Parses one complete JSON document; trailing non-whitespace is an error. Invalid UTF-8
    /// inside a string is an error unless `repairInvalidUTF8` (then it becomes U+FFFD).
    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>, repairInvalidUTF8: Bool = false) throws -> JSONValue {
        var parser = JSONParser(bytes: bytes, recordLocations: false)
        parser.repairInvalidUTF8 = repairInvalidUTF8
        return try parser.parseDocument()
    }

    public static func parse(_ text: String) throws -> JSONValue {
        var copy = text
        return try copy.withUTF8 { buf throws in try parse(buf) }
    }

    /// Parses a document and returns where each JSON path starts (keys for object members).
    public static func parseWithLocations(_ bytes: UnsafeBufferPointer<UInt8>) throws
        -> (JSONValue, [String: SourceLocation]) {
        var parser = JSONParser(bytes: bytes, recordLocations: true)
        let value = try parser.parseDocument()
        return (value, parser.locations)
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private var i = 0
    private let recordLocations: Bool
    private var locations: [String: SourceLocation] = [:]
    private var depth = 0
    private var repairInvalidUTF8 = false

    private init(bytes: UnsafeBufferPointer<UInt8>, recordLocations: Bool) {
        self.bytes = bytes
        self.recordLocations = recordLocations
    }

    private mutating func parseDocument() throws -> JSONValue {
        skipWhitespace()
        if recordLocations { locations["$"] = location(at: i) }
        let value = try parseValue(path: "$")
        skipWhitespace()
        if i < bytes.count { throw error("unexpected text after the JSON value") }
        return value
    }

    func location(at offset: Int) -> SourceLocation {
        var line = 1
        var column = 1
        var k = 0
        while k < offset && k < bytes.count {
            if bytes[k] == 0x0A { line += 1; column = 1 }
            else if bytes[k] & 0xC0 != 0x80 { column += 1 }
            k += 1
        }
        return SourceLocation(line: line, column: column)
    }

    private func error(_ message: String) -> SyntaxError {
        SyntaxError(message: message, offset: i, location: location(at: i))
    }

    @inline(__always)
    private mutating func skipWhitespace() {
        while i < bytes.count {
            let b = bytes[i]
            if b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 { i += 1 } else { break }
        }
    }

    private mutating func parseValue(path: String) throws -> JSONValue {
        guard i < bytes.count else { throw error("unexpected end of input") }
        switch bytes[i] {
        case UInt8(ascii: "{"): return try parseObject(path: path)
        case UInt8(ascii: "["): return try parseArray(path: path)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw error("unexpected character `\(Unicode.Scalar(bytes[i]))`")
        }
    }

    private mutating func literal(_ word: StaticString) throws {
        let n = word.utf8CodeUnitCount
        guard i + n <= bytes.count else { throw error("unexpected end of input") }
        for k in 0..<n where bytes[i + k] != word.utf8Start[k] { throw error("invalid literal") }
        i += n
    }

    private mutating func parseObject(path: String) throws -> JSONValue {
        depth += 1
        if depth > 512 { throw error("nesting deeper than 512 levels") }
        defer { depth -= 1 }
        i += 1
        var members: [JSONObject.Member] = []
        skipWhitespace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return .object(JSONObject()) }
        while true {
            skipWhitespace()
            guard i < bytes.count else { throw error("unexpected end of input in object") }
            guard bytes[i] == UInt8(ascii: "\"") else { throw error("expected a string key") }
            let keyStart = i
            let key = try parseString()
            let memberPath = recordLocations ? path + "." + key : ""
            if recordLocations { locations[memberPath] = location(at: keyStart) }
            skipWhitespace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw error("expected `:` after key") }
            i += 1
            skipWhitespace()
            members.append(JSONObject.Member(key: key, value: try parseValue(path: memberPath)))
            skipWhitespace()
            guard i < bytes.count else { throw error("unexpected end of input in object") }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            if bytes[i] == UInt8(ascii: "}") { i += 1; return .object(JSONObject(parsed: members)) }
            throw error("expected `,` or `}` in object")
        }
    }

    private mutating func parseArray(path: String) throws -> JSONValue {
        depth += 1
        if depth > 512 { throw error("nesting deeper than 512 levels") }
        defer { depth -= 1 }
        i += 1
        var items: [JSONValue] = []
        skipWhitespace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
        while true {
            skipWhitespace()
            let itemPath = recordLocations ? "\(path)[\(items.count)]" : ""
            if recordLocations { locations[itemPath] = location(at: i) }
            items.append(try parseValue(path: itemPath))
            skipWhitespace()
            guard i < bytes.count else { throw error("unexpected end of input in array") }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            if bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
            throw error("expected `,` or `]` in array")
        }
    }

    private mutating func parseNumber() throws -> JSONNumber {
        let start = i
        if bytes[i] == UInt8(ascii: "-") { i += 1 }
        func digits(_ p: inout JSONParser) -> Int {
            let s = p.i
            while p.i < p.bytes.count, p.bytes[p.i] >= 0x30, p.bytes[p.i] <= 0x39 { p.i += 1 }
            return p.i - s
        }
        guard i < bytes.count else { throw error("invalid number") }
        if bytes[i] == UInt8(ascii: "0") { i += 1 } else if digits(&self) == 0 { throw error("invalid number") }
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            i += 1
            if digits(&self) == 0 { throw error("invalid number: digits expected after `.`") }
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            i += 1
            if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
            if digits(&self) == 0 { throw error("invalid number: digits expected in exponent") }
        }
        return JSONNumber(text: String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self))
    }

    private mutating func parseString() throws -> String {
        i += 1
        let n = bytes.count
        guard let base = bytes.baseAddress else { throw error("unterminated string") }
        // No escape: the run up to the closing quote is the string.
        let end = winnow_next_json_special(base, i, n)
        if end < n && base[end] == UInt8(ascii: "\"") {
            let s = try makeString(UnsafeBufferPointer(start: base + i, count: end - i))
            i = end + 1
            return s
        }
        // Escapes: runs and two-character escapes are decoded in C, `\u` escapes, errors and the
        // end here, straight into one buffer. Every escape is longer than what it decodes to, so
        // the rest of the input bounds the string.
        return try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: n - i) { out in
            guard let dst = out.baseAddress else { throw error("unterminated string") }
            var k = i
            var written = 0
            while true {
                written += winnow_json_unescape_chunk(base, &k, n, dst + written, out.count - written)
                guard k < n else { i = k; throw error("unterminated string") }
                let b = base[k]
                if b == UInt8(ascii: "\"") {
                    i = k + 1
                    return try makeString(UnsafeBufferPointer(start: dst, count: written))
                }
                if b == UInt8(ascii: "\\") {
                    i = k
                    written += try decodeEscape(into: dst + written)
                    k = i
                    continue
                }
                i = k
                throw error(b < 0x20 ? "control character in string" : "unterminated string")
            }
        }
    }

    /// Builds a `String`, rejecting invalid UTF-8 unless the parser was asked to repair it.
    @inline(__always)
    private func makeString(_ buffer: UnsafeBufferPointer<UInt8>) throws -> String {
        // `String(decoding:)` validates as it copies and repairs what is invalid. The input was
        // valid exactly when nothing was repaired, that is when the string holds the same bytes.
        // (`String(validating:as:)` is generic and unspecialized here: two metadata lookups per
        // string cost 3% of a PII run.)
        var s = String(decoding: buffer, as: UTF8.self)
        if repairInvalidUTF8 { return s }
        let same = s.utf8.count == buffer.count
            && s.withUTF8 { winnow_bytes_equal($0.baseAddress, buffer.baseAddress, $0.count) != 0 }
        guard same else { throw error("invalid UTF-8 in a string") }
        return s
    }

    /// Decodes the escape at `i` (which points at the backslash) into `out`, advances past it and
    /// returns how many bytes it wrote (at most 4, never more than the escape's length).
    private mutating func decodeEscape(into out: UnsafeMutablePointer<UInt8>) throws -> Int {
        i += 1
        guard i < bytes.count else { throw error("unterminated string") }
        let e = bytes[i]
        i += 1
        switch e {
        case UInt8(ascii: "\""): out[0] = 0x22
        case UInt8(ascii: "\\"): out[0] = 0x5C
        case UInt8(ascii: "/"): out[0] = 0x2F
        case UInt8(ascii: "b"): out[0] = 0x08
        case UInt8(ascii: "f"): out[0] = 0x0C
        case UInt8(ascii: "n"): out[0] = 0x0A
        case UInt8(ascii: "r"): out[0] = 0x0D
        case UInt8(ascii: "t"): out[0] = 0x09
        case UInt8(ascii: "u"):
            var scalar = try hex4()
            if scalar >= 0xD800, scalar < 0xDC00 {
                // A high surrogate must be followed by an escaped low surrogate.
                if i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") {
                    i += 2
                    let low = try hex4()
                    if low >= 0xDC00, low < 0xE000 {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else { scalar = 0xFFFD }
                } else { scalar = 0xFFFD }
            } else if scalar >= 0xDC00, scalar < 0xE000 { scalar = 0xFFFD }
            var count = 0
            for unit in (Unicode.Scalar(scalar) ?? "\u{FFFD}").utf8 {
                out[count] = unit
                count += 1
            }
            return count
        default: throw error("invalid escape `\\\(Unicode.Scalar(e))`")
        }
        return 1
    }

    private mutating func hex4() throws -> UInt32 {
        guard i + 4 <= bytes.count else { throw error("truncated \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[i]
            let d: UInt32
            switch c {
            case 0x30...0x39: d = UInt32(c - 0x30)
            case 0x41...0x46: d = UInt32(c - 0x41 + 10)
            case 0x61...0x66: d = UInt32(c - 0x61 + 10)
            default: throw error("invalid \\u escape")
            }
            v = v << 4 | d
            i += 1
        }
        return v
    }
}
