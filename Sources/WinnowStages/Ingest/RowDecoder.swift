import WinnowCore
import WinnowText

/// Turns raw rows into records on worker threads: charset conversion, UTF-8 validation, JSON
/// parsing, line patterns and field-role mapping. Every failure becomes a quarantine reason
/// that names the problem; nothing here can crash a build.
public struct RowDecoder: RawItemDecoder {
    struct FileRule: Sendable {
        var roles: [FieldRole: String]
        var invalidUTF8: InputDefinition.InvalidUTF8
        /// Convert each row from this charset (ASCII-compatible charsets only).
        var rowCharset: String?
        var linePattern: RegexPattern?
        /// How HTML pages of this input become text.
        var html = HTMLExtractionOptions()
        /// Convert the text field of `.fields` rows from wikitext to plain text.
        var wikitext = false
    }

    let rules: [FileRule]

    public func decode(_ item: RawItem, _ context: StageContext) -> Result<JSONObject, DecodeFailure> {
        let rule = rules[item.provenance.input]
        do {
            var fields: JSONObject
            switch item.payload {
            case .failed(let reason, let bytes):
                return .failure(DecodeFailure(reason: reason, excerpt: QuarantineEntry.excerpt(of: bytes)))
            case .jsonLine(let raw):
                // UTF-8 input is validated by the parser itself, string by string (one pass).
                let bytes = rule.rowCharset == nil ? raw : Array(try utf8(raw, rule, context).utf8)
                let value: JSONValue
                do {
                    value = try bytes.withUnsafeBufferPointer { try JSONParser.parse($0, repairInvalidUTF8: rule.invalidUTF8 == .replace) }
                } catch let e as JSONParser.SyntaxError {
                    let what = e.message.hasPrefix("invalid UTF-8") ? "\(e.message) at byte \(e.offset)" : "invalid JSON at column \(e.location.column): \(e.message)"
                    return .failure(DecodeFailure(reason: what,
                                                  excerpt: QuarantineEntry.excerpt(of: bytes)))
                }
                guard case .object(let object) = value else {
                    return .failure(DecodeFailure(reason: "line is a JSON \(value.kindName), not an object",
                                                  excerpt: QuarantineEntry.excerpt(of: bytes)))
                }
                fields = object
            case .row(let header, let values):
                fields = JSONObject()
                for (name, value) in zip(header, values) { fields[name] = .string(try utf8(value, rule, context)) }
            case .line(let bytes):
                let text = try utf8(bytes, rule, context)
                if let pattern = rule.linePattern {
                    let matcher = try context.cached("line-pattern.\(ObjectIdentifier(pattern).hashValue)") {
                        try pattern.makeMatcher(timeLimit: 1000)
                    }
                    guard let groups = try matcher.captures(in: text) else {
                        return .failure(DecodeFailure(reason: "line does not match the pattern `\(pattern.source)`",
                                                      excerpt: QuarantineEntry.excerpt(of: bytes)))
                    }
                    fields = JSONObject()
                    for name in pattern.groupNames {
                        if let n = pattern.groupNumber(named: name), let value = groups[n] { fields[name] = .string(value) }
                    }
                } else {
                    fields = JSONObject([(rule.roles[.text] ?? "text", .string(text))])
                }
            case .html(let bytes, let charset):
                let page: HTMLPage
                do {
                    page = try bytes.withUnsafeBufferPointer {
                        try HTMLExtractor(options: rule.html).extract(bytes: $0, charset: charset)
                    }
                } catch {
                    return .failure(DecodeFailure(reason: "\(error)", excerpt: QuarantineEntry.excerpt(of: bytes)))
                }
                fields = page.fields(text: rule.roles[.text] ?? "text")
            case .fields(let assembled, let context):
                fields = assembled
                if rule.wikitext, let source = fields["text"]?.stringValue {
                    fields["text"] = .string(WikitextConverter(mediaPrefixes: context).plainText(source))
                }
            case .document(let bytes):
                fields = JSONObject([(rule.roles[.text] ?? "text", .string(try utf8(bytes, rule, context)))])
            }
            for (role, source) in rule.roles where source != role.rawValue && fields[source] != nil {
                fields.rename(source, to: role.rawValue)
            }
            switch fields[FieldRole.text.rawValue] {
            case .string: return .success(fields)
            case nil, .null?:
                return .failure(DecodeFailure(reason: "missing text field `\(rule.roles[.text] ?? "text")`",
                                              excerpt: QuarantineEntry.excerpt(of: JSONWriter.compactBytes(.object(fields)))))
            case .some(let other):
                return .failure(DecodeFailure(reason: "text field `\(rule.roles[.text] ?? "text")` is a \(other.kindName), not a string",
                                              excerpt: QuarantineEntry.excerpt(of: JSONWriter.compactBytes(.object(fields)))))
            }
        } catch let failure as DecodeFailure {
            return .failure(failure)
        } catch {
            return .failure(DecodeFailure(reason: "\(error)", excerpt: ""))
        }
    }

    /// Decodes one row's bytes to a `String`: converts from the input's charset or validates UTF-8.
    private func utf8(_ bytes: [UInt8], _ rule: FileRule, _ context: StageContext) throws -> String {
        if let charset = rule.rowCharset {
            let strict = rule.invalidUTF8 == .quarantine
            let converter = try context.cached("charset.\(charset).\(strict)") { try CharsetConverter(charset: charset, strict: strict) }
            do {
                let converted = try bytes.withUnsafeBufferPointer { try converter.convertWhole($0) }
                return String(decoding: converted, as: UTF8.self)
            } catch let e as TextError {
                throw DecodeFailure(reason: e.message, excerpt: QuarantineEntry.excerpt(of: bytes))
            }
        }
        if let bad = bytes.withUnsafeBufferPointer({ firstInvalidUTF8Offset($0) }) {
            if rule.invalidUTF8 == .quarantine {
                throw DecodeFailure(reason: "invalid UTF-8 at byte \(bad) of the row", excerpt: QuarantineEntry.excerpt(of: bytes))
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension DecodeFailure: CustomStringConvertible {
    public var description: String { reason }
}

extension HTMLPage {
    /// The page's metadata as record fields, in a fixed order: `title`, `lang`, `description`,
    /// `url`, each only where the page has it.
    var metadataFields: [(name: String, value: String)] {
        [("title", title), ("lang", language), ("description", description), ("url", canonicalURL)]
            .compactMap { name, value in value.map { (name, $0) } }
    }

    /// The record fields of a page: the text under `text`, then the metadata.
    func fields(text name: String) -> JSONObject {
        var fields = JSONObject([(name, .string(text))])
        for (key, value) in metadataFields { fields[key] = .string(value) }
        return fields
    }
}
