/// A parsed replacement string for ``RegexMatcher/replaceAll(in:with:)``.
///
/// Parsed once per rule so the hot loop only appends pieces of valid text: literal pieces are
/// cut from the template at ASCII bytes (`\\`, `$`, `}`), so each is valid UTF-8 and is kept as a
/// `String` that appends without being validated again.
public struct ReplacementTemplate: Sendable, Equatable {
    public enum Piece: Sendable, Equatable {
        case literal(String)
        case group(Int)
    }
    public let pieces: [Piece]
    /// The replacement when it refers to no group (most cleaning rules), for fast identity checks.
    public let literal: [UInt8]?

    init(_ template: String, pattern: RegexPattern) throws {
        var pieces: [Piece] = []
        var pending: [UInt8] = []
        let bytes = Array(template.utf8)
        var i = 0
        func flush() { if !pending.isEmpty { pieces.append(.literal(String(decoding: pending, as: UTF8.self))); pending = [] } }
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "\\"), i + 1 < bytes.count {
                pending.append(bytes[i + 1]); i += 2; continue
            }
            if b == UInt8(ascii: "$"), i + 1 < bytes.count {
                if bytes[i + 1] == UInt8(ascii: "{"), let close = bytes[(i + 2)...].firstIndex(of: UInt8(ascii: "}")) {
                    let name = String(decoding: bytes[(i + 2)..<close], as: UTF8.self)
                    let number = Int(name) ?? pattern.groupNumber(named: name)
                    guard let number, number <= pattern.groupCount else {
                        throw TextError("replacement `\(template)` refers to group `\(name)`, which the pattern does not have")
                    }
                    flush(); pieces.append(.group(number)); i = close + 1; continue
                }
                var j = i + 1
                var number = 0
                while j < bytes.count, bytes[j] >= 0x30, bytes[j] <= 0x39, number * 10 + Int(bytes[j] - 0x30) <= pattern.groupCount {
                    number = number * 10 + Int(bytes[j] - 0x30); j += 1
                }
                if j > i + 1 { flush(); pieces.append(.group(number)); i = j; continue }
                if bytes[i + 1] >= 0x30, bytes[i + 1] <= 0x39 {
                    throw TextError("replacement `\(template)` refers to group \(bytes[i + 1] - 0x30), but the pattern has \(pattern.groupCount)")
                }
            }
            pending.append(b); i += 1
        }
        flush()
        self.pieces = pieces
        switch pieces.count {
        case 0: literal = []
        case 1: if case .literal(let text) = pieces[0] { literal = Array(text.utf8) } else { literal = nil }
        default: literal = nil
        }
    }
}
