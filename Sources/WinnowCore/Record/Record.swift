/// One row of a dataset: an ordered JSON object plus where it came from.
///
/// After ingest, the fields that play a role are stored under their role names (``FieldRole``):
/// an input column `review` mapped to the text role arrives as `text`, so every stage reads the
/// same names whatever the source files called them. Other fields travel along untouched.
public struct Record: Sendable, Equatable {
    public var fields: JSONObject
    public var provenance: Provenance
    /// Position in the ingest stream (0-based, across all inputs). Output order follows it, which
    /// keeps builds deterministic whatever the thread count.
    public var ordinal: Int
    /// The split a `split` stage assigned. Not a field: a record's content hash (its identity
    /// across versions) does not change when it moves between splits.
    public var split: String?

    public init(fields: JSONObject, provenance: Provenance, ordinal: Int, split: String? = nil) {
        self.fields = fields
        self.provenance = provenance
        self.ordinal = ordinal
        self.split = split
    }

    /// The value of a string field, or `nil` when the field is missing or not a string.
    public func string(_ field: String) -> String? { fields[field]?.stringValue }

    /// The text role's value.
    public var text: String? {
        get { fields[FieldRole.text.rawValue]?.stringValue }
        set { fields[FieldRole.text.rawValue] = newValue.map(JSONValue.string) }
    }

    /// SHA-256 of the canonical serialisation: the record's identity in the store.
    public var hash: RecordHash { RecordHash(of: .object(fields)) }
}

/// The roles a pipeline can give to input fields.
public enum FieldRole: String, Sendable, CaseIterable {
    case text, id, label, group, time
}

/// Where a record came from: the input file (index into the build's input list), the 1-based
/// line (or the first line of a multi-line CSV row) and the byte offset of its first byte.
public struct Provenance: Sendable, Equatable, Hashable {
    public var input: Int
    public var line: Int
    public var byteOffset: Int
    public init(input: Int, line: Int, byteOffset: Int) {
        self.input = input
        self.line = line
        self.byteOffset = byteOffset
    }
}
