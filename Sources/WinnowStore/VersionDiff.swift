import WinnowCore

/// What changed between two versions, record by record, and why.
///
/// Records are compared by content hash per split (as multisets: exact duplicates count).
/// A removed and an added record with the same `id` in the same split are reported as one
/// modified record. Every removed record is explained from the newer version's ledger and
/// quarantine (matched by input file and line), so a new rule shows up as exactly the records
/// it dropped.
public struct VersionDiff: Sendable {
    public struct Entry: Sendable {
        public var hash: RecordHash
        public var split: String
        public var input: String
        public var line: Int
        public var id: String?
        public var label: String?
        /// Why the record left or arrived, from the ledger (`filter.min_chars: chars 7, min 10`).
        public var reasons: [String]
    }

    public struct Modified: Sendable {
        public var before: Entry
        public var after: Entry
    }

    public struct SplitDiff: Sendable {
        public var split: String
        public var added: [Entry] = []
        public var removed: [Entry] = []
        public var modified: [Modified] = []
        public var unchanged = 0
    }

    public struct Move: Sendable {
        public var hash: RecordHash
        public var from: String
        public var to: String
    }

    public struct PipelineChange: Sendable {
        public var path: String
        public var before: JSONValue?
        public var after: JSONValue?
    }

    public struct StageChange: Sendable {
        public var stage: String
        public var before: StageStats?
        public var after: StageStats?
    }

    public var from: VersionInfo
    public var to: VersionInfo
    public var splits: [SplitDiff]
    public var moves: [Move]
    /// Label -> (count before, count after), over all splits.
    public var labels: [(label: String, before: Int, after: Int)]
    public var stages: [StageChange]
    public var pipeline: [PipelineChange]

    public init(store: Store, from a: VersionInfo, to b: VersionInfo) throws {
        from = a
        to = b
        let inputsA = try store.inputs(of: a).map(\.path)
        let inputsB = try store.inputs(of: b).map(\.path)
        let recordsA = try store.records(of: a)
        let recordsB = try store.records(of: b)

        // Pair records by hash, preferring pairs in the same split.
        var byHashB: [RecordHash: [StoredRecordRef]] = [:]
        for r in recordsB { byHashB[r.hash, default: []].append(r) }
        var removedRefs: [StoredRecordRef] = []
        var unchanged: [String: Int] = [:]
        var moves: [Move] = []
        for r in recordsA {
            guard var candidates = byHashB[r.hash], !candidates.isEmpty else { removedRefs.append(r); continue }
            let k = candidates.firstIndex { $0.split == r.split } ?? 0
            let match = candidates.remove(at: k)
            byHashB[r.hash] = candidates
            if match.split == r.split { unchanged[r.split, default: 0] += 1 } else {
                moves.append(Move(hash: r.hash, from: r.split, to: match.split))
            }
        }
        let addedRefs = recordsB.filter { r in
            guard var left = byHashB[r.hash], let k = left.firstIndex(where: { $0.ordinal == r.ordinal }) else { return false }
            left.remove(at: k)
            byHashB[r.hash] = left
            return true
        }
        self.moves = moves

        func entry(_ r: StoredRecordRef, inputs: [String]) -> Entry {
            Entry(hash: r.hash, split: r.split, input: r.input < inputs.count ? inputs[r.input] : "?", line: r.line,
                  id: r.id, label: r.label, reasons: [])
        }
        // Explain removals from B's ledger/quarantine, additions from A's.
        let explainB = try Explainer(store: store, version: b, inputs: inputsB)
        let explainA = try Explainer(store: store, version: a, inputs: inputsA)
        var removed = removedRefs.map { r -> Entry in
            var e = entry(r, inputs: inputsA)
            e.reasons = explainB.whyMissing(input: e.input, line: e.line, hash: r.hash, inputChanged: !inputsB.contains(e.input))
            return e
        }
        var added = addedRefs.map { r -> Entry in
            var e = entry(r, inputs: inputsB)
            let made = explainB.additions(ordinal: r.ordinal)
            e.reasons = !made.isEmpty ? made
                : explainA.whyMissing(input: e.input, line: e.line, hash: r.hash, inputChanged: !inputsA.contains(e.input)).map { "before: " + $0 }
            return e
        }
        // Same id, same split, different content: modified. Then records without an id that
        // come from the same input row but were rewritten differently.
        var modified: [Modified] = []
        func pair(key: (Entry) -> String?, accept: (Entry) -> Bool) {
            var addedByKey: [String: Int] = [:]
            // Augmented children share their parent's input line; only real records pair.
            for (k, e) in added.enumerated() where !(e.reasons.first?.hasPrefix("added by") ?? false) {
                if let key = key(e) { addedByKey[key] = k }
            }
            var used = Set<Int>()
            removed = removed.filter { e in
                guard accept(e), let key = key(e), let k = addedByKey[key], !used.contains(k) else { return true }
                used.insert(k)
                var after = added[k]
                after.reasons = explainB.changes(input: after.input, line: after.line)
                modified.append(Modified(before: e, after: after))
                return false
            }
            added = added.enumerated().filter { !used.contains($0.offset) }.map(\.element)
        }
        pair(key: { e in e.id.map { e.split + "\u{1}" + $0 } }, accept: { _ in true })
        pair(key: { e in e.split + "\u{1}" + e.input + ":\(e.line)" },
             accept: { e in e.reasons.isEmpty || e.reasons == ["not produced by this version"] })

        var names = Set(recordsA.map(\.split)).union(recordsB.map(\.split)).sorted()
        if names.isEmpty { names = ["all"] }
        splits = names.map { name in
            SplitDiff(split: name, added: added.filter { $0.split == name }, removed: removed.filter { $0.split == name },
                      modified: modified.filter { $0.after.split == name }, unchanged: unchanged[name] ?? 0)
        }

        var labelA: [String: Int] = [:], labelB: [String: Int] = [:]
        for r in recordsA { labelA[r.label ?? "(none)", default: 0] += 1 }
        for r in recordsB { labelB[r.label ?? "(none)", default: 0] += 1 }
        labels = Set(labelA.keys).union(labelB.keys).sorted().map { ($0, labelA[$0] ?? 0, labelB[$0] ?? 0) }
        if labels.count == 1, labels[0].label == "(none)" { labels = [] }

        let statsA = a.stageStats, statsB = b.stageStats
        var stageChanges: [StageChange] = []
        var usedB = Set<Int>()
        for s in statsA {
            let k = statsB.indices.first { !usedB.contains($0) && statsB[$0].name == s.name && statsB[$0].index == s.index }
                ?? statsB.indices.first { !usedB.contains($0) && statsB[$0].name == s.name }
            if let k { usedB.insert(k) }
            let other = k.map { statsB[$0] }
            if other == nil || !StageChange.sameCounts(s, other!) { stageChanges.append(StageChange(stage: s.name, before: s, after: other)) }
        }
        for (k, s) in statsB.enumerated() where !usedB.contains(k) { stageChanges.append(StageChange(stage: s.name, before: nil, after: s)) }
        stages = stageChanges

        let pa = (try? JSONParser.parse(a.pipelineJSON)) ?? .null
        let pb = (try? JSONParser.parse(b.pipelineJSON)) ?? .null
        var flatA: [(String, JSONValue)] = [], flatB: [(String, JSONValue)] = []
        flatten(pa, "$", &flatA)
        flatten(pb, "$", &flatB)
        let dictA = Dictionary(flatA, uniquingKeysWith: { x, _ in x }), dictB = Dictionary(flatB, uniquingKeysWith: { x, _ in x })
        var changes: [PipelineChange] = []
        for (path, value) in flatA where dictB[path] != value { changes.append(PipelineChange(path: path, before: value, after: dictB[path])) }
        for (path, value) in flatB where dictA[path] == nil { changes.append(PipelineChange(path: path, before: nil, after: value)) }
        pipeline = changes.sorted { $0.path < $1.path }
    }

    public var totals: (added: Int, removed: Int, modified: Int, unchanged: Int) {
        splits.reduce((0, 0, 0, 0)) { ($0.0 + $1.added.count, $0.1 + $1.removed.count, $0.2 + $1.modified.count, $0.3 + $1.unchanged) }
    }
}

extension VersionDiff.StageChange {
    static func sameCounts(_ a: StageStats, _ b: StageStats) -> Bool {
        a.input == b.input && a.output == b.output && a.dropped == b.dropped && a.changed == b.changed
            && a.quarantined == b.quarantined && a.rules == b.rules
    }
}

private func flatten(_ value: JSONValue, _ path: String, _ out: inout [(String, JSONValue)]) {
    switch value {
    case .object(let o) where !o.isEmpty: for m in o { flatten(m.value, path + "." + m.key, &out) }
    case .array(let a) where !a.isEmpty: for (k, v) in a.enumerated() { flatten(v, "\(path)[\(k)]", &out) }
    default: out.append((path, value))
    }
}

/// Answers "why is this record not in the version?" and "what changed it?" from one version's
/// ledger and quarantine.
struct Explainer {
    let version: VersionInfo
    let inputs: [String]
    private var drops: [String: [StoredLedgerEntry]] = [:]
    private var changesByOrigin: [String: [StoredLedgerEntry]] = [:]
    /// Changes and additions by the ordinal of the record they concern (a child shares its
    /// parent's input line, not its ordinal).
    private var byOrdinal: [Int: [StoredLedgerEntry]] = [:]
    private var dropsByHash: [RecordHash: StoredLedgerEntry] = [:]
    private var quarantined: [String: StoredQuarantineEntry] = [:]

    init(store: Store, version: VersionInfo, inputs: [String]) throws {
        self.version = version
        self.inputs = inputs
        for e in try store.ledger(of: version) {
            let key = (e.input < inputs.count ? inputs[e.input] : "?") + ":\(e.line)"
            if e.action == "drop" {
                drops[key, default: []].append(e)
                if let h = e.hash { dropsByHash[h] = e }
            } else {
                if e.action != "add" { changesByOrigin[key, default: []].append(e) }
                byOrdinal[e.ordinal, default: []].append(e)
            }
        }
        for q in try store.quarantine(of: version) {
            quarantined[(q.input < inputs.count ? inputs[q.input] : "?") + ":\(q.line)"] = q
        }
    }

    func whyMissing(input: String, line: Int, hash: RecordHash, inputChanged: Bool) -> [String] {
        let key = input + ":\(line)"
        if let d = drops[key], !d.isEmpty { return d.map(Explainer.describe) }
        if let q = quarantined[key] { return ["quarantined at \(q.stage): \(q.reason)"] }
        if let d = dropsByHash[hash] { return [Explainer.describe(d)] }
        if inputChanged { return ["input `\(input)` is not part of \(version.name)"] }
        return changes(input: input, line: line).isEmpty ? ["not produced by this version"] : []
    }

    func changes(input: String, line: Int) -> [String] {
        (changesByOrigin[input + ":\(line)"] ?? []).map(Explainer.describe)
    }

    /// Every change and addition recorded for the kept record at `ordinal`.
    func entries(ordinal: Int) -> [String] {
        (byOrdinal[ordinal] ?? []).map(Explainer.describe)
    }

    /// The `add` entries of the record at `ordinal`: how an augmented child was made.
    func additions(ordinal: Int) -> [String] {
        (byOrdinal[ordinal] ?? []).filter { $0.action == "add" }.map(Explainer.describe)
    }

    static func describe(_ e: StoredLedgerEntry) -> String {
        let verb = e.action == "drop" ? "dropped by" : e.action == "add" ? "added by" : "changed by"
        let detail = e.detail.isEmpty ? "" : " (" + e.detail.members.map { "\($0.key) \($0.value.displayText)" }.joined(separator: ", ") + ")"
        return "\(verb) \(e.rule) [stage #\(e.stageIndex + 1) \(e.stage)]\(detail)"
    }
}
