/// A JSON value that keeps object members in their original order.
///
/// Records are ordered JSON objects: unknown fields travel through a build untouched and come
/// back out in the order they came in. Hashing uses ``JSONWriter/canonical(_:)`` instead, so
/// member order never changes a record's identity.
public enum JSONValue: Sendable, Equatable, Hashable {
    case null
    case bool(Bool)
    case number(JSONNumber)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// The string payload, or `nil` for any other kind.
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The numeric payload as a `Double`, or `nil` for any other kind.
    public var doubleValue: Double? {
        if case .number(let n) = self { return n.doubleValue }
        return nil
    }

    /// The integer payload, or `nil` when the value is not an integral number.
    public var intValue: Int? {
        guard case .number(let n) = self, let d = Double(n.text), d == d.rounded(), abs(d) < 9e15 else { return nil }
        return Int(d)
    }

    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    public var objectValue: JSONObject? {
        if case .object(let o) = self { return o }
        return nil
    }

    public var isNull: Bool { self == .null }

    /// The JSON type name used in error messages ("string", "number", ...).
    public var kindName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .number(let n): n.isInteger ? "integer" : "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    /// A short display form: strings unquoted, everything else as compact JSON.
    public var displayText: String {
        if case .string(let s) = self { return s }
        return JSONWriter.compact(self)
    }
}

/// A JSON number kept as its source text, so integers of any size round-trip exactly.
public struct JSONNumber: Sendable, Equatable, Hashable, CustomStringConvertible {
    public let text: String

    public init(text: String) { self.text = text }
    public init(_ value: Int) { self.text = String(value) }
    public init(_ value: Double) { self.text = JSONNumber.format(value) }

    public var doubleValue: Double { Double(text) ?? .nan }
    public var isInteger: Bool { !text.utf8.contains { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") } }
    public var description: String { text }

    /// The canonical spelling: integers without exponent or fraction (`1.0`, `1e0` -> `1`),
    /// everything else as the shortest text that round-trips the `Double`.
    public var canonicalText: String {
        if isInteger, let i = Int64(text) { return String(i) }
        return JSONNumber.format(doubleValue)
    }

    static func format(_ d: Double) -> String {
        if d.isFinite, d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) }
        return d.description
    }
}

/// An ordered JSON object. Lookups are linear, which is fastest for the handful of fields a
/// record has; keys are unique (the parser keeps the last duplicate, like most JSON readers).
public struct JSONObject: Sendable, Equatable, Hashable, Sequence {
    public struct Member: Sendable, Equatable, Hashable {
        public var key: String
        public var value: JSONValue
        public init(key: String, value: JSONValue) { self.key = key; self.value = value }
    }

    public private(set) var members: [Member]

    public init() { members = [] }
    public init(_ members: [(String, JSONValue)]) {
        self.members = []
        for (k, v) in members { self[k] = v }
    }

    public var count: Int { members.count }
    public var keys: [String] { members.map(\.key) }
    public var isEmpty: Bool { members.isEmpty }

    public subscript(key: String) -> JSONValue? {
        get { members.first { $0.key == key }?.value }
        set {
            if let i = members.firstIndex(where: { $0.key == key }) {
                if let newValue { members[i].value = newValue } else { members.remove(at: i) }
            } else if let newValue {
                members.append(Member(key: key, value: newValue))
            }
        }
    }

    /// Builds an object from parsed members in one pass. A repeated key keeps its first position
    /// and its last value, as the subscript setter does, but in linear time for large objects
    /// (a tokenizer vocabulary has 150,000 keys).
    init(parsed: [Member]) {
        self.init()
        if parsed.count <= 16 {
            for m in parsed { self[m.key] = m.value }
            return
        }
        var index: [String: Int] = [:]
        index.reserveCapacity(parsed.count)
        var out: [Member] = []
        out.reserveCapacity(parsed.count)
        for m in parsed {
            if let k = index[m.key] { out[k].value = m.value } else { index[m.key] = out.count; out.append(m) }
        }
        members = out
    }

    /// Renames `old` to `new` in place, keeping the member's position. Replaces an existing `new`.
    public mutating func rename(_ old: String, to new: String) {
        guard old != new, let i = members.firstIndex(where: { $0.key == old }) else { return }
        if let j = members.firstIndex(where: { $0.key == new }) {
            members[j].value = members[i].value
            members.remove(at: i)
        } else {
            members[i].key = new
        }
    }

    public func makeIterator() -> IndexingIterator<[Member]> { members.makeIterator() }
}
