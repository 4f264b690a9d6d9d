import WinnowCore
import WinnowText

/// Assigns every record to a named split: random, stratified, group-aware or by time; stable
/// across versions on request; then counts exact and near-duplicate pairs that cross splits.
///
/// A barrier over compact state. Memory per record: about 48 bytes (ordinal, 8-byte key,
/// stratum, group, time, earlier split, exact key and fingerprint for the leakage check), plus
/// one entry per distinct stratum and group value. The split is set on the record, not as a
/// field, so moving a record between splits never changes its content hash.
public struct SplitStage: GlobalStage {
    public let name = "split"
    public let index: Int
    public let settings: SplitSettings
    private let seed: UInt64
    /// Content hash -> split index in the earlier version (`stable`).
    private let earlier: [RecordHash: Int8]
    private let earlierVersion: String?
    private let leakageSettings: DedupSettings

    private var ordinals: [Int] = []
    private var entries: [SplitPlanner.Entry] = []
    private var exactKeys: [ExactKeyHash?] = []
    private var fingerprints: [SimHashFingerprint?] = []
    private var provenance: [(input: Int32, line: Int32)] = []
    private var strata: [String: Int32] = [:]
    private var groups: [String: Int32] = [:]
    private var assignment: [Int8] = []
    private var report: JSONObject?

    struct Observation: Sendable {
        var key: UInt64
        var stratum: String
        var group: String?
        var time: Double
        var fixed: Int8
        var signature: DedupSignature
    }

    public init(index: Int, settings: SplitSettings, seed: Int, earlier: (version: String, splits: [RecordHash: String])? = nil) {
        self.index = index
        self.settings = settings
        self.seed = UInt64(truncatingIfNeeded: seed)
        var map: [RecordHash: Int8] = [:]
        for (hash, split) in earlier?.splits ?? [:] {
            if let k = settings.names.firstIndex(of: split) { map[hash] = Int8(k) }
        }
        self.earlier = map
        earlierVersion = earlier?.version
        var leakage = DedupSettings()
        leakage.maxDistance = settings.leakageK
        leakage.minJaccard = nil
        leakageSettings = leakage
    }

    public func summarize(_ record: Record, _ context: StageContext) throws -> (any Sendable)? {
        let hash = record.hash
        var keyBytes: [UInt8] = []
        withUnsafeBytes(of: seed.littleEndian) { keyBytes.append(contentsOf: $0) }
        keyBytes.append(contentsOf: hash.bytes)
        var time = 0.0
        if let field = settings.timeField {
            guard let value = record.fields[field], let t = TimeValue.parse(value) else {
                throw SplitError("no time in `\(field)` (a date such as 2024-05-01, a date and time, or a number)")
            }
            time = t
        }
        let signer = try context.cached("split.\(index)") { try DedupSigner(settings: leakageSettings) }
        return Observation(
            key: XXHash64.hash(keyBytes), stratum: SplitStage.joined(record, settings.stratify) ?? "",
            group: settings.group.isEmpty ? nil : SplitStage.joined(record, settings.group),
            time: time, fixed: earlier[hash] ?? -1,
            signature: try signer.sign(record.text ?? "", recordHash: hash))
    }

    /// `field=value` pairs joined, or nil when every field is missing.
    static func joined(_ record: Record, _ fields: [String]) -> String? {
        var parts: [String] = []
        var any = false
        for f in fields {
            let v = record.fields[f]
            if let v, v != .null { any = true }
            parts.append("\(f)=\(v.map { $0.stringValue ?? $0.displayText } ?? "")")
        }
        return any ? parts.joined(separator: ", ") : nil
    }

    public mutating func observe(_ record: Record, summary: (any Sendable)?) throws {
        guard let o = summary as? Observation else { return }
        let stratum: Int32
        if let s = strata[o.stratum] { stratum = s } else { stratum = Int32(strata.count); strata[o.stratum] = stratum }
        var group: Int32 = -1
        if let g = o.group {
            if let id = groups[g] { group = id } else { group = Int32(groups.count); groups[g] = group }
        }
        ordinals.append(record.ordinal)
        entries.append(SplitPlanner.Entry(key: o.key, stratum: stratum, group: group, time: o.time, fixed: o.fixed))
        exactKeys.append(o.signature.exactKey)
        fingerprints.append(o.signature.fingerprint)
        provenance.append((Int32(truncatingIfNeeded: record.provenance.input), Int32(truncatingIfNeeded: record.provenance.line)))
    }

    public mutating func finishObserving(threads: Int) throws {
        let planner = SplitPlanner(ratios: settings.ratios)
        var small: [Int32] = []
        if settings.timeField != nil {
            assignment = planner.planByTime(entries, cutoffs: settings.cutoffs)
        } else {
            let plan = planner.plan(entries, strata: strata.count)
            assignment = plan.assignment
            small = plan.smallStrata
        }
        var o = JSONObject()
        o["mode"] = .string(settings.timeField != nil ? "time" : !settings.group.isEmpty ? "group" : !settings.stratify.isEmpty ? "stratified" : "random")
        let k = settings.names.count
        var totals = Array(repeating: 0, count: k)
        for a in assignment { totals[Int(a)] += 1 }
        o["splits"] = .object(JSONObject(settings.names.enumerated().map { ($1, .number(JSONNumber(totals[$0]))) }))
        if settings.timeField == nil {
            let names = strata.sorted { $0.value < $1.value }.map(\.key)
            var achieved = Array(repeating: Array(repeating: 0, count: k), count: strata.count)
            for (i, e) in entries.enumerated() { achieved[Int(e.stratum)][Int(assignment[i])] += 1 }
            o["strata"] = .array(strataReport(names: names, achieved: achieved))
            o["largest_deviation"] = .number(JSONNumber((largestDeviation(achieved) * 100).rounded() / 100))
            if !small.isEmpty {
                o["small_strata"] = .array(small.map { .string(names[Int($0)]) })
            }
        }
        if !settings.group.isEmpty { o["groups"] = .number(JSONNumber(groups.count)) }
        if let earlierVersion {
            let kept = entries.filter { $0.fixed >= 0 }.count
            o["stable"] = .object(JSONObject([("from", .string(earlierVersion)), ("kept_split", .number(JSONNumber(kept))),
                                              ("new", .number(JSONNumber(entries.count - kept)))]))
        }
        let leakage = try leakageReport(threads: threads)
        o["leakage"] = .object(leakage.report)
        report = o
        if let limit = settings.maxLeakage, leakage.pairs > limit {
            throw WinnowError.build("the split leaks \(leakage.pairs) exact or near-duplicate pairs across splits (max_leakage \(limit)); group records by duplicate cluster (a dedup stage with `action: tag`, then `group: dedup_cluster`) or raise max_leakage")
        }
    }

    public func process(_ record: inout Record, _ context: StageContext) throws -> StageVerdict {
        // Observed ordinals are increasing: binary search instead of a per-record dictionary.
        var lo = 0, hi = ordinals.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if ordinals[mid] < record.ordinal { lo = mid + 1 } else { hi = mid }
        }
        guard lo < ordinals.count, ordinals[lo] == record.ordinal else { return .keep }
        record.split = settings.names[Int(assignment[lo])]
        return .keep
    }

    public var summary: JSONObject? { report }

    /// Per stratum (sorted by name, at most 1,000): records, exact share and achieved count per split.
    private func strataReport(names: [String], achieved: [[Int]]) -> [JSONValue] {
        let order = names.indices.sorted { names[$0] < names[$1] }
        return order.prefix(1000).map { s in
            let n = achieved[s].reduce(0, +)
            var row = JSONObject()
            row["stratum"] = .string(names[s])
            row["records"] = .number(JSONNumber(n))
            row["share"] = .object(JSONObject(settings.names.enumerated().map {
                ($1, .number(JSONNumber((settings.ratios[$0] * Double(n) * 100).rounded() / 100)))
            }))
            row["achieved"] = .object(JSONObject(settings.names.enumerated().map { ($1, .number(JSONNumber(achieved[s][$0]))) }))
            return .object(row)
        }
    }

    /// Largest |achieved − exact share| over strata and splits, in records.
    private func largestDeviation(_ achieved: [[Int]]) -> Double {
        var worst = 0.0
        for row in achieved {
            let n = Double(row.reduce(0, +))
            for (k, count) in row.enumerated() { worst = max(worst, abs(Double(count) - settings.ratios[k] * n)) }
        }
        return worst
    }

    /// Exact (same exact key) and near (SimHash within `leakage_k`) pairs whose records are in
    /// different splits, with up to 20 examples.
    private func leakageReport(threads: Int) throws -> (pairs: Int, report: JSONObject) {
        var examples: [JSONValue] = []
        func example(_ a: Int, _ b: Int, _ kind: String, _ distance: Int?) {
            guard examples.count < 20 else { return }
            var o = JSONObject()
            o["kind"] = .string(kind)
            o["a"] = .string("input \(provenance[a].input) line \(provenance[a].line) (\(settings.names[Int(assignment[a])]))")
            o["b"] = .string("input \(provenance[b].input) line \(provenance[b].line) (\(settings.names[Int(assignment[b])]))")
            if let distance { o["distance"] = .number(JSONNumber(distance)) }
            examples.append(.object(o))
        }
        var exact = 0
        var byKey: [ExactKeyHash: [Int]] = [:]
        for (i, key) in exactKeys.enumerated() { if let key { byKey[key, default: []].append(i) } }
        for list in byKey.values where list.count > 1 {
            var perSplit: [Int8: Int] = [:]
            for i in list { perSplit[assignment[i], default: 0] += 1 }
            guard perSplit.count > 1 else { continue }
            let n = list.count
            exact += (n * n - perSplit.values.reduce(0) { $0 + $1 * $1 }) / 2
            let sorted = list.sorted()
            if let b = sorted.first(where: { assignment[$0] != assignment[sorted[0]] }) { example(sorted[0], b, "exact", nil) }
        }
        var nodes: [Int] = []
        var fps: [SimHashFingerprint] = []
        for (i, fp) in fingerprints.enumerated() { if let fp { nodes.append(i); fps.append(fp) } }
        let design = try BlockTableDesign.automatic(width: 64, maxDistance: settings.leakageK, count: fps.count)
        var near = 0
        for pair in BlockTableSearch.pairs(fps, design: design, threads: threads).pairs {
            let a = nodes[Int(pair.first)], b = nodes[Int(pair.second)]
            guard assignment[a] != assignment[b] else { continue }
            if let ka = exactKeys[a], ka == exactKeys[b] { continue }  // counted as exact
            near += 1
            example(a, b, "near", Int(pair.distance))
        }
        return (exact + near, JSONObject([
            ("exact_pairs", .number(JSONNumber(exact))), ("near_pairs", .number(JSONNumber(near))),
            ("k", .number(JSONNumber(settings.leakageK))), ("examples", .array(examples)),
        ]))
    }
}

/// A record the split stage cannot place (quarantined with this reason).
struct SplitError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
