/// Writes a ``Schema`` as a JSON Schema (draft 2020-12) document.
public enum SchemaExporter {
    public static func document(_ schema: Schema, id: String, title: String) -> JSONValue {
        var root = JSONObject()
        root["$schema"] = .string("https://json-schema.org/draft/2020-12/schema")
        root["$id"] = .string(id)
        root["title"] = .string(title)
        if case .object(let body) = export(schema) {
            for m in body { root[m.key] = m.value }
        }
        return .object(root)
    }

    public static func export(_ schema: Schema) -> JSONValue {
        var o = JSONObject()
        switch schema.kind {
        case .object(let properties, let additional):
            o["type"] = .string("object")
            if let d = schema.description { o["description"] = .string(d) }
            o["properties"] = .object(JSONObject(properties.map { ($0.name, export($0.schema)) }))
            let required = properties.filter(\.required).map { JSONValue.string($0.name) }
            if !required.isEmpty { o["required"] = .array(required) }
            o["additionalProperties"] = additional.map(export) ?? .bool(false)
            return .object(o)
        case .tagged(let choices):
            o["type"] = .string("object")
            if let d = schema.description { o["description"] = .string(d) }
            o["minProperties"] = .number(JSONNumber(1))
            o["maxProperties"] = .number(JSONNumber(1))
            o["properties"] = .object(JSONObject(choices.map { ($0.name, export($0.schema)) }))
            o["additionalProperties"] = .bool(false)
            return .object(o)
        case .string(let values, let pattern, let minLength, let maxLength):
            o["type"] = .string("string")
            if let values { o["enum"] = .array(values.map(JSONValue.string)) }
            if let pattern { o["pattern"] = .string(pattern) }
            if let minLength { o["minLength"] = .number(JSONNumber(minLength)) }
            if let maxLength { o["maxLength"] = .number(JSONNumber(maxLength)) }
        case .integer(let minimum, let maximum):
            o["type"] = .string("integer")
            if let minimum { o["minimum"] = .number(JSONNumber(minimum)) }
            if let maximum { o["maximum"] = .number(JSONNumber(maximum)) }
        case .number(let minimum, let maximum, let exclusiveMinimum):
            o["type"] = .string("number")
            if let minimum { o["minimum"] = .number(JSONNumber(minimum)) }
            if let maximum { o["maximum"] = .number(JSONNumber(maximum)) }
            if let exclusiveMinimum { o["exclusiveMinimum"] = .number(JSONNumber(exclusiveMinimum)) }
        case .boolean:
            o["type"] = .string("boolean")
        case .array(let items, let minItems):
            o["type"] = .string("array")
            o["items"] = export(items)
            if let minItems { o["minItems"] = .number(JSONNumber(minItems)) }
        case .anyOf(let choices):
            o["anyOf"] = .array(choices.map(export))
        case .scalar:
            o["type"] = .array(["string", "number", "boolean", "null"].map(JSONValue.string))
        }
        if let d = schema.description {
            var withDescription = JSONObject([("description", .string(d))])
            for m in o { withDescription[m.key] = m.value }
            return .object(withDescription)
        }
        return .object(o)
    }
}
