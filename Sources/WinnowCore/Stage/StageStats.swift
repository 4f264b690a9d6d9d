/// Counters for one stage in one build, shown by `winnow run` and `winnow show` and compared
/// by `winnow diff`.
public struct StageStats: Sendable, Equatable {
    public var index: Int
    public var name: String
    public var input = 0
    public var output = 0
    public var dropped = 0
    public var changed = 0
    public var quarantined = 0
    /// Rule name -> number of records it dropped or rewrote.
    public var rules: [String: Int] = [:]
    /// Records the stage added (augmented children); they are not counted in `output`.
    public var added = 0
    /// Records the stage generated but discarded before they became records, by reason
    /// (a child identical to its parent, a child that would leak into another split).
    public var discarded: [String: Int] = [:]
    /// Summed worker time in seconds.
    public var seconds = 0.0
    /// What a global stage reports about its decision (dedup clusters, split counts).
    public var summary: JSONObject?

    public init(index: Int, name: String) {
        self.index = index
        self.name = name
    }

    mutating func merge(_ other: StageStats) {
        input += other.input
        output += other.output
        dropped += other.dropped
        changed += other.changed
        quarantined += other.quarantined
        seconds += other.seconds
        added += other.added
        for (rule, n) in other.rules { rules[rule, default: 0] += n }
        for (reason, n) in other.discarded { discarded[reason, default: 0] += n }
    }

    public var json: JSONValue {
        var o = JSONObject()
        o["index"] = .number(JSONNumber(index))
        o["stage"] = .string(name)
        o["in"] = .number(JSONNumber(input))
        o["out"] = .number(JSONNumber(output))
        o["dropped"] = .number(JSONNumber(dropped))
        o["changed"] = .number(JSONNumber(changed))
        o["quarantined"] = .number(JSONNumber(quarantined))
        o["rules"] = .object(JSONObject(rules.sorted { $0.key < $1.key }.map { ($0.key, .number(JSONNumber($0.value))) }))
        if added > 0 { o["added"] = .number(JSONNumber(added)) }
        if !discarded.isEmpty {
            o["discarded"] = .object(JSONObject(discarded.sorted { $0.key < $1.key }.map { ($0.key, .number(JSONNumber($0.value))) }))
        }
        o["seconds"] = .number(JSONNumber((seconds * 1000).rounded() / 1000))
        if let summary { o["summary"] = .object(summary) }
        return .object(o)
    }

    public init?(json: JSONValue) {
        guard let o = json.objectValue, let name = o["stage"]?.stringValue else { return nil }
        self.index = o["index"]?.intValue ?? 0
        self.name = name
        input = o["in"]?.intValue ?? 0
        output = o["out"]?.intValue ?? 0
        dropped = o["dropped"]?.intValue ?? 0
        changed = o["changed"]?.intValue ?? 0
        quarantined = o["quarantined"]?.intValue ?? 0
        seconds = o["seconds"]?.doubleValue ?? 0
        summary = o["summary"]?.objectValue
        for m in o["rules"]?.objectValue ?? JSONObject() { rules[m.key] = m.value.intValue ?? 0 }
        added = o["added"]?.intValue ?? 0
        for m in o["discarded"]?.objectValue ?? JSONObject() { discarded[m.key] = m.value.intValue ?? 0 }
    }
}
