import WinnowCore

/// Renames, drops and maps fields — the bookkeeping half of the classic cleaning recipe.
///
/// Order within the stage: rename, then drop, then map. `map` compares a value's text form
/// (`1` and `"1"` both match the key `"1"`); with `unmapped: drop`, a value missing from the
/// table drops the record and names the field.
public struct FieldsStage: Stage {
    public let name = "fields"
    public let index: Int
    let renames: [(String, String)]
    let drops: [String]
    let maps: [(field: String, table: [String: JSONValue])]
    let dropUnmapped: Bool

    public init(index: Int, config: JSONObject) {
        self.index = index
        renames = (config["rename"]?.objectValue ?? JSONObject()).members.compactMap { m in m.value.stringValue.map { (m.key, $0) } }
        drops = config["drop"]?.arrayValue?.compactMap(\.stringValue) ?? []
        maps = (config["map"]?.objectValue ?? JSONObject()).members.map { m in
            var table: [String: JSONValue] = [:]
            for entry in m.value.objectValue ?? JSONObject() { table[entry.key] = entry.value }
            return (m.key, table)
        }
        dropUnmapped = config["unmapped"]?.stringValue == "drop"
    }

    public func process(_ record: inout Record, _ context: StageContext) throws -> StageVerdict {
        var renamed: [JSONValue] = []
        for (old, new) in renames where record.fields[old] != nil {
            record.fields.rename(old, to: new)
            renamed.append(.string("\(old)->\(new)"))
        }
        if !renamed.isEmpty { context.noteChange(rule: "fields.rename", detail: JSONObject([("fields", .array(renamed))])) }
        let dropped = drops.filter { record.fields[$0] != nil }
        for field in dropped { record.fields[field] = nil }
        if !dropped.isEmpty { context.noteChange(rule: "fields.drop", detail: JSONObject([("fields", .array(dropped.map(JSONValue.string)))])) }
        for (field, table) in maps {
            guard let value = record.fields[field] else { continue }
            let key = value.displayText
            if let mapped = table[key] {
                if mapped != value {
                    record.fields[field] = mapped
                    context.noteChange(rule: "fields.map.\(field)", detail: JSONObject([("from", value), ("to", mapped)]))
                }
            } else if dropUnmapped {
                return .drop(rule: "fields.map.\(field)", detail: JSONObject([("unmapped_value", value)]))
            }
        }
        return .keep
    }
}

/// The numeric reading of a field: JSON numbers, and strings that parse as numbers (CSV).
func numericValue(_ value: JSONValue?) -> Double? {
    switch value {
    case .number(let n)?: return n.doubleValue.isFinite ? n.doubleValue : nil
    case .string(let s)?:
        let t = s.trimmingCharacters(in: .whitespaces)
        guard let d = Double(t), d.isFinite else { return nil }
        return d
    default: return nil
    }
}

/// Absent, null, or a string of only whitespace.
func isMissing(_ value: JSONValue?) -> Bool {
    switch value {
    case nil, .null?: return true
    case .string(let s)?: return s.allSatisfy(\.isWhitespace)
    default: return false
    }
}

import Foundation
