/// A small JSON-schema vocabulary in Swift: the single source of truth for pipeline files.
///
/// Why not hand-write `schemas/pipeline.schema.json` and a validator separately: they drift.
/// Here the validator (``SchemaValidator``) interprets these nodes directly and
/// ``SchemaExporter`` writes the JSON Schema 2020-12 file from the same nodes; a test checks the
/// committed file is byte-identical to the generated one.
public struct Schema: Sendable {
    public indirect enum Kind: Sendable {
        /// An object with known properties. `additional` types the values of any other key
        /// (a map such as `rename`); when `nil`, unknown keys are errors.
        case object(properties: [Property], additional: Schema?)
        case string(enumValues: [String]?, pattern: String?, minLength: Int?, maxLength: Int?)
        case integer(minimum: Int?, maximum: Int?)
        case number(minimum: Double?, maximum: Double?, exclusiveMinimum: Double?)
        case boolean
        case array(items: Schema, minItems: Int?)
        /// Any one of several shapes, told apart by JSON type (e.g. a path or a list of paths).
        case anyOf([Schema])
        /// An object with exactly one key out of `choices`: how a stage is written
        /// (`{"clean": {...}}`).
        case tagged([Property])
        /// A string, number, boolean or null.
        case scalar
    }

    public var kind: Kind
    public var description: String?

    public init(_ kind: Kind, _ description: String? = nil) {
        self.kind = kind
        self.description = description
    }

    // Builders that keep the pipeline schema readable.
    public static func object(_ description: String? = nil, _ properties: [Property], additional: Schema? = nil) -> Schema {
        Schema(.object(properties: properties, additional: additional), description)
    }
    public static func object(_ properties: [Property]) -> Schema {
        Schema(.object(properties: properties, additional: nil))
    }
    /// An object whose keys are free and whose values all follow `values`.
    public static func map(_ description: String? = nil, of values: Schema) -> Schema {
        Schema(.object(properties: [], additional: values), description)
    }
    public static func string(_ description: String? = nil, oneOf values: [String]? = nil, pattern: String? = nil,
                              minLength: Int? = nil, maxLength: Int? = nil) -> Schema {
        Schema(.string(enumValues: values, pattern: pattern, minLength: minLength, maxLength: maxLength), description)
    }
    public static func integer(_ description: String? = nil, minimum: Int? = nil, maximum: Int? = nil) -> Schema {
        Schema(.integer(minimum: minimum, maximum: maximum), description)
    }
    public static func number(_ description: String? = nil, minimum: Double? = nil, maximum: Double? = nil,
                              exclusiveMinimum: Double? = nil) -> Schema {
        Schema(.number(minimum: minimum, maximum: maximum, exclusiveMinimum: exclusiveMinimum), description)
    }
    public static func boolean(_ description: String? = nil) -> Schema { Schema(.boolean, description) }
    public static func array(_ description: String? = nil, of items: Schema, minItems: Int? = nil) -> Schema {
        Schema(.array(items: items, minItems: minItems), description)
    }
    public static func anyOf(_ description: String? = nil, _ choices: [Schema]) -> Schema {
        Schema(.anyOf(choices), description)
    }
    public static func scalar(_ description: String? = nil) -> Schema { Schema(.scalar, description) }

    /// The JSON type this node accepts, for "expected ..." messages.
    var typeName: String {
        switch kind {
        case .object, .tagged: "object"
        case .string(let values, _, _, _): values.map { "one of " + $0.map { "`\($0)`" }.joined(separator: ", ") } ?? "string"
        case .integer: "integer"
        case .number: "number"
        case .boolean: "boolean"
        case .array: "array"
        case .anyOf(let choices): choices.map(\.typeName).joined(separator: " or ")
        case .scalar: "string, number, boolean or null"
        }
    }
}

/// One named property of an object schema.
public struct Property: Sendable {
    public var name: String
    public var schema: Schema
    public var required: Bool

    public init(_ name: String, _ schema: Schema, required: Bool = false) {
        self.name = name
        self.schema = schema
        self.required = required
    }
}
