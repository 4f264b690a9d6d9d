import WinnowCore

/// The text of one document, built from record fields: `{title}\n\n{text}`.
///
/// Why a template and not a field: models are often trained on several fields joined in a
/// fixed layout (a title over a body, a question and its answer), and the shards must hold
/// exactly that text. `{name}` inserts a field (strings as they are, numbers and booleans as
/// JSON); `{{` and `}}` are literal braces. A record without one of the fields is an error
/// naming it, never a silently shorter document.
public struct DocumentTemplate: Sendable, Equatable {
    enum Piece: Sendable, Equatable {
        case literal(String)
        case field(String)
    }

    let pieces: [Piece]
    public let source: String

    /// The template that is just one field.
    public init(field: String) {
        source = "{\(field)}"
        pieces = [.field(field)]
    }

    public init(_ source: String) throws {
        self.source = source
        var pieces: [Piece] = []
        var literal = ""
        var i = source.startIndex
        while i < source.endIndex {
            let c = source[i]
            let next = source.index(after: i)
            if c == "{", next < source.endIndex, source[next] == "{" {
                literal.append("{"); i = source.index(after: next); continue
            }
            if c == "}", next < source.endIndex, source[next] == "}" {
                literal.append("}"); i = source.index(after: next); continue
            }
            if c == "}" { throw TokenizerError("template `\(source)`: a lone `}`; write `}}` for a brace") }
            if c == "{" {
                guard let close = source[next...].firstIndex(of: "}") else {
                    throw TokenizerError("template `\(source)`: `{` without a closing `}`; write `{{` for a brace")
                }
                let name = String(source[next..<close])
                guard !name.isEmpty, !name.contains("{") else { throw TokenizerError("template `\(source)`: `{\(name)}` is not a field name") }
                if !literal.isEmpty { pieces.append(.literal(literal)); literal = "" }
                pieces.append(.field(name))
                i = source.index(after: close)
                continue
            }
            literal.append(c)
            i = next
        }
        if !literal.isEmpty { pieces.append(.literal(literal)) }
        guard pieces.contains(where: { if case .field = $0 { true } else { false } }) else {
            throw TokenizerError("template `\(source)` names no field; write fields as `{text}`")
        }
        self.pieces = pieces
    }

    /// Fields the template reads, in order.
    public var fields: [String] {
        pieces.compactMap { if case .field(let name) = $0 { name } else { nil } }
    }

    /// The document text, or the first field the record lacks (missing or null).
    public func render(_ fields: JSONObject) -> Result<String, MissingField> {
        if pieces.count == 1, case .field(let name) = pieces[0] {
            guard let v = fields[name], v != .null else { return .failure(MissingField(name: name)) }
            return .success(v.stringValue ?? v.displayText)
        }
        var out = ""
        for piece in pieces {
            switch piece {
            case .literal(let s): out += s
            case .field(let name):
                guard let v = fields[name], v != .null else { return .failure(MissingField(name: name)) }
                out += v.stringValue ?? v.displayText
            }
        }
        return .success(out)
    }

    /// A field the template needs and a record does not have.
    public struct MissingField: Error, Sendable, CustomStringConvertible {
        public let name: String
        public var description: String { "no field `\(name)`" }
    }
}
