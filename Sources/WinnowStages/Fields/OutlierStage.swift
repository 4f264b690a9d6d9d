import WinnowCore

/// Drops or flags records whose numeric field lies more than `z` standard deviations from the
/// mean of the whole dataset (population standard deviation, Welford's algorithm in input order,
/// so the result is deterministic). Records without a numeric value are left alone.
/// Memory: three numbers, whatever the corpus size.
public struct OutlierStage: GlobalStage {
    public let name = "outliers"
    public let index: Int
    let field: String
    let z: Double
    let flag: Bool
    let flagField: String
    private var count = 0
    private var mean = 0.0
    private var m2 = 0.0

    public init(index: Int, config: JSONObject) {
        self.index = index
        field = config["field"]?.stringValue ?? ""
        z = config["z"]?.doubleValue ?? 3
        flag = config["action"]?.stringValue == "flag"
        flagField = config["flag_field"]?.stringValue ?? field + "_outlier"
    }

    public mutating func observe(_ record: Record, summary: (any Sendable)?) throws {
        guard let x = numericValue(record.fields[field]) else { return }
        count += 1
        let delta = x - mean
        mean += delta / Double(count)
        m2 += delta * (x - mean)
    }

    public mutating func finishObserving(threads: Int) throws {}

    public func process(_ record: inout Record, _ context: StageContext) throws -> StageVerdict {
        guard count > 1, let x = numericValue(record.fields[field]) else { return .keep }
        let sd = (m2 / Double(count)).squareRoot()
        guard sd > 0 else { return .keep }
        let score = abs(x - mean) / sd
        guard score > z else { return .keep }
        let detail = JSONObject([("value", .number(JSONNumber(x))), ("z", .number(JSONNumber((score * 1000).rounded() / 1000))),
                                 ("mean", .number(JSONNumber((mean * 1000).rounded() / 1000))),
                                 ("stddev", .number(JSONNumber((sd * 1000).rounded() / 1000)))])
        if flag {
            record.fields[flagField] = .bool(true)
            context.noteChange(rule: "outliers.\(field)", detail: detail)
            return .keep
        }
        return .drop(rule: "outliers.\(field)", detail: detail)
    }
}
