/// One problem found in a pipeline file, pointing at the JSON path and source position.
public struct Diagnostic: Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var location: SourceLocation?
    public var message: String

    public init(path: String, location: SourceLocation?, message: String) {
        self.path = path
        self.location = location
        self.message = message
    }

    public var description: String {
        let at = location.map { "\($0): " } ?? ""
        return "\(at)\(path): \(message)"
    }

    /// `FILE:LINE:COL: PATH: MESSAGE`, the form editors and terminals link to.
    public func rendered(file: String) -> String {
        "\(file):\(location.map { "\($0.line):\($0.column)" } ?? "1:1"): \(path): \(message)"
    }
}

/// Checks a JSON value against a ``Schema`` and reports every problem at once.
public struct SchemaValidator {
    let locations: [String: SourceLocation]

    public init(locations: [String: SourceLocation] = [:]) { self.locations = locations }

    public func validate(_ value: JSONValue, against schema: Schema, at path: String = "$") -> [Diagnostic] {
        var out: [Diagnostic] = []
        check(value, schema, path, &out)
        return out
    }

    private func location(_ path: String) -> SourceLocation? {
        var p = path
        while true {
            if let loc = locations[p] { return loc }
            guard let cut = p.lastIndex(where: { $0 == "." || $0 == "[" }) else { return nil }
            p = String(p[..<cut])
        }
    }

    private func report(_ path: String, _ message: String, _ out: inout [Diagnostic]) {
        out.append(Diagnostic(path: path, location: location(path), message: message))
    }

    private func check(_ value: JSONValue, _ schema: Schema, _ path: String, _ out: inout [Diagnostic]) {
        switch schema.kind {
        case .object(let properties, let additional):
            guard case .object(let object) = value else { return mismatch(value, schema, path, &out) }
            for member in object {
                let memberPath = path + "." + member.key
                if let property = properties.first(where: { $0.name == member.key }) {
                    check(member.value, property.schema, memberPath, &out)
                } else if let additional {
                    check(member.value, additional, memberPath, &out)
                } else {
                    let names = properties.map(\.name)
                    var message = "unknown key `\(member.key)`"
                    if let s = Suggestion.closest(to: member.key, in: names) { message += ", did you mean `\(s)`?" }
                    else { message += "; allowed keys: " + names.map { "`\($0)`" }.joined(separator: ", ") }
                    report(memberPath, message, &out)
                }
            }
            for property in properties where property.required && object[property.name] == nil {
                report(path, "missing required key `\(property.name)`", &out)
            }

        case .tagged(let choices):
            guard case .object(let object) = value else { return mismatch(value, schema, path, &out) }
            let names = choices.map(\.name)
            guard object.count == 1, let member = object.members.first else {
                let found = object.keys.map { "`\($0)`" }.joined(separator: ", ")
                report(path, object.isEmpty
                       ? "empty stage; write one of " + names.map { "`\($0)`" }.joined(separator: ", ")
                       : "a stage is an object with exactly one key, found \(found)", &out)
                return
            }
            let memberPath = path + "." + member.key
            if let choice = choices.first(where: { $0.name == member.key }) {
                check(member.value, choice.schema, memberPath, &out)
            } else {
                var message = "unknown stage `\(member.key)`"
                if let s = Suggestion.closest(to: member.key, in: names) { message += ", did you mean `\(s)`?" }
                else { message += "; known stages: " + names.map { "`\($0)`" }.joined(separator: ", ") }
                report(memberPath, message, &out)
            }

        case .string(let values, let pattern, let minLength, let maxLength):
            guard case .string(let s) = value else { return mismatch(value, schema, path, &out) }
            if let values, !values.contains(s) {
                var message = "`\(s)` is not one of " + values.map { "`\($0)`" }.joined(separator: ", ")
                if let suggestion = Suggestion.closest(to: s, in: values) { message = "unknown value `\(s)`, did you mean `\(suggestion)`?" }
                report(path, message, &out)
            }
            let length = s.unicodeScalars.count
            if let minLength, length < minLength { report(path, "must have at least \(minLength) character\(minLength == 1 ? "" : "s")", &out) }
            if let maxLength, length > maxLength { report(path, "must have at most \(maxLength) character\(maxLength == 1 ? "" : "s")", &out) }
            if let pattern, !SchemaPattern.matches(pattern, s) {
                report(path, "`\(s)` does not match the pattern `\(pattern)`", &out)
            }

        case .integer(let minimum, let maximum):
            guard case .number(let n) = value, let d = Double(n.text), d == d.rounded() else {
                return mismatch(value, schema, path, &out)
            }
            if let minimum, d < Double(minimum) { report(path, "must be at least \(minimum), got \(n.text)", &out) }
            if let maximum, d > Double(maximum) { report(path, "must be at most \(maximum), got \(n.text)", &out) }

        case .number(let minimum, let maximum, let exclusiveMinimum):
            guard case .number(let n) = value else { return mismatch(value, schema, path, &out) }
            let d = n.doubleValue
            if let minimum, d < minimum { report(path, "must be at least \(JSONNumber(minimum)), got \(n.text)", &out) }
            if let maximum, d > maximum { report(path, "must be at most \(JSONNumber(maximum)), got \(n.text)", &out) }
            if let exclusiveMinimum, d <= exclusiveMinimum { report(path, "must be greater than \(JSONNumber(exclusiveMinimum)), got \(n.text)", &out) }

        case .boolean:
            guard case .bool = value else { return mismatch(value, schema, path, &out) }

        case .array(let items, let minItems):
            guard case .array(let elements) = value else { return mismatch(value, schema, path, &out) }
            if let minItems, elements.count < minItems {
                report(path, "needs at least \(minItems) item\(minItems == 1 ? "" : "s")", &out)
            }
            for (k, element) in elements.enumerated() { check(element, items, "\(path)[\(k)]", &out) }

        case .anyOf(let choices):
            if let choice = choices.first(where: { accepts($0, value) }) {
                check(value, choice, path, &out)
            } else {
                mismatch(value, schema, path, &out)
            }

        case .scalar:
            switch value {
            case .array, .object: mismatch(value, schema, path, &out)
            default: break
            }
        }
    }

    /// Whether a value has the JSON type a node expects (used to pick an `anyOf` branch).
    private func accepts(_ schema: Schema, _ value: JSONValue) -> Bool {
        switch (schema.kind, value) {
        case (.object, .object), (.tagged, .object), (.string, .string), (.boolean, .bool),
             (.array, .array), (.number, .number): return true
        case (.integer, .number(let n)): return n.isInteger
        case (.scalar, .array), (.scalar, .object): return false
        case (.scalar, _): return true
        case (.anyOf(let choices), _): return choices.contains { accepts($0, value) }
        default: return false
        }
    }

    private func mismatch(_ value: JSONValue, _ schema: Schema, _ path: String, _ out: inout [Diagnostic]) {
        report(path, "expected \(schema.typeName), got \(value.kindName)", &out)
    }
}

/// "Did you mean" suggestions by edit distance.
public enum Suggestion {
    /// The closest candidate within a distance that still looks like a typo, or `nil`.
    public static func closest(to word: String, in candidates: [String]) -> String? {
        let limit = max(2, word.count / 3)
        var best: (String, Int)?
        for candidate in candidates {
            let d = distance(word.lowercased(), candidate.lowercased())
            if d <= limit, best == nil || d < best!.1 { best = (candidate, d) }
        }
        return best?.0
    }

    /// Levenshtein distance over Unicode scalars.
    public static func distance(_ a: String, _ b: String) -> Int {
        let x = Array(a.unicodeScalars), y = Array(b.unicodeScalars)
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var previous = Array(0...y.count)
        var current = previous
        for i in 1...x.count {
            current[0] = i
            for j in 1...y.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[y.count]
    }
}

/// Evaluates the few `pattern` keywords the pipeline schema uses. Swift `Regex` is fine here:
/// this runs once per pipeline file, never per record.
enum SchemaPattern {
    static func matches(_ pattern: String, _ text: String) -> Bool {
        guard let regex = try? Regex(pattern) else { return true }
        return text.firstMatch(of: regex) != nil
    }
}
