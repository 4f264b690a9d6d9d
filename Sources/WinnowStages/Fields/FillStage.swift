import WinnowCore

/// Fills missing values (absent, null, blank) with a constant or a statistic of the field.
///
/// `mode`, `median` and `mean` need every record's value before any record is filled, so this
/// is a global stage. Memory: `median` keeps one `Double` per record with a value (8 bytes
/// each); `mode` keeps one counter per distinct value; `mean` keeps two numbers.
public struct FillStage: GlobalStage {
    public enum Strategy: String, Sendable { case constant, mode, median, mean }

    struct Spec: Sendable {
        var field: String
        var strategy: Strategy
        var value: JSONValue?
    }

    public let name = "fill"
    public let index: Int
    var specs: [Spec]
    private var modeCounts: [[String: (count: Int, value: JSONValue)]]
    private var numbers: [[Double]]

    public init(index: Int, config: JSONObject) {
        self.index = index
        specs = (config["fields"]?.arrayValue ?? []).compactMap { entry in
            guard let o = entry.objectValue, let field = o["field"]?.stringValue,
                  let strategy = o["strategy"]?.stringValue.flatMap(Strategy.init(rawValue:)) else { return nil }
            return Spec(field: field, strategy: strategy, value: o["value"])
        }
        modeCounts = Array(repeating: [:], count: specs.count)
        numbers = Array(repeating: [], count: specs.count)
    }

    public mutating func observe(_ record: Record, summary: (any Sendable)?) throws {
        for (k, spec) in specs.enumerated() {
            let value = record.fields[spec.field]
            guard !isMissing(value), let value else { continue }
            switch spec.strategy {
            case .constant: break
            case .mode: modeCounts[k][value.displayText, default: (0, value)].count += 1
            case .median, .mean: if let d = numericValue(value) { numbers[k].append(d) }
            }
        }
    }

    public mutating func finishObserving(threads: Int) throws {
        for (k, spec) in specs.enumerated() where spec.strategy != .constant {
            switch spec.strategy {
            case .constant: break
            case .mode:
                // Most frequent; ties broken by the smallest text, so the choice never depends on order.
                guard let best = modeCounts[k].max(by: { a, b in
                    a.value.count != b.value.count ? a.value.count < b.value.count : a.key > b.key
                }) else { throw WinnowError.build("fill: cannot compute the mode of `\(spec.field)`: no record has a value") }
                specs[k].value = best.value.value
            case .median:
                guard !numbers[k].isEmpty else { throw WinnowError.build("fill: cannot compute the median of `\(spec.field)`: no record has a numeric value") }
                let sorted = numbers[k].sorted()
                let mid = sorted.count / 2
                specs[k].value = .number(JSONNumber(sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2))
            case .mean:
                guard !numbers[k].isEmpty else { throw WinnowError.build("fill: cannot compute the mean of `\(spec.field)`: no record has a numeric value") }
                specs[k].value = .number(JSONNumber(numbers[k].reduce(0, +) / Double(numbers[k].count)))
            }
            numbers[k] = []
            modeCounts[k] = [:]
        }
    }

    public func process(_ record: inout Record, _ context: StageContext) throws -> StageVerdict {
        for spec in specs where isMissing(record.fields[spec.field]) {
            let value = spec.value ?? .null
            record.fields[spec.field] = value
            context.noteChange(rule: "fill.\(spec.field)", detail: JSONObject([("strategy", .string(spec.strategy.rawValue)), ("value", value)]))
        }
        return .keep
    }
}
