import WinnowCore

/// Everything the store knows about one record: in which versions it appears, where it came
/// from, and every ledger entry that touched it (`winnow why`).
public struct RecordExplanation: Sendable {
    public struct Appearance: Sendable {
        public var version: VersionInfo
        /// The split it is in, or `nil` when the version dropped or quarantined it.
        public var split: String?
        public var hash: RecordHash?
        public var input: String
        public var line: Int
        public var ledger: [String]
        public var quarantine: String?
    }

    public var query: String
    public var appearances: [Appearance]
    /// The record's body, when the query named one record.
    public var body: JSONValue?

    /// Looks a record up by hash prefix (6+ hex digits), `FILE:LINE`, or `id` value.
    public init(store: Store, query: String, version: VersionInfo? = nil) throws {
        self.query = query
        let versions = try version.map { [$0] } ?? store.versions().reversed()
        var appearances: [Appearance] = []
        let isHex = query.count >= 6 && query.count <= 64 && query.allSatisfy(\.isHexDigit)
        let fileLine: (String, Int)? = {
            guard let colon = query.lastIndex(of: ":"), let line = Int(query[query.index(after: colon)...]) else { return nil }
            return (String(query[..<colon]), line)
        }()
        for v in versions {
            let inputs = try store.inputs(of: v).map(\.path)
            let explainer = try Explainer(store: store, version: v, inputs: inputs)
            var matched: [StoredRecordRef] = []
            var ledgerOnly: [StoredLedgerEntry] = []
            if isHex {
                let (lo, hi) = RecordExplanation.bounds(query.lowercased())
                let s = try store.database.prepare("SELECT \(StoredRecordRef.columns) FROM version_records WHERE vkey = ? AND hash BETWEEN ? AND ? ORDER BY ordinal")
                try s.bind([.int(v.vkey), .blob(lo), .blob(hi)])
                while try s.step() { matched.append(StoredRecordRef(s)) }
                let l = try store.database.prepare("SELECT ordinal, input, line, stage_index, stage, rule, action, hash, detail FROM ledger WHERE vkey = ? AND action = 'drop' AND hash BETWEEN ? AND ?")
                try l.bind([.int(v.vkey), .blob(lo), .blob(hi)])
                while try l.step() { ledgerOnly.append(StoredLedgerEntry(l, version: v)) }
            } else if let (file, line) = fileLine, let input = inputs.firstIndex(where: { $0 == file || $0.hasSuffix("/" + file) }) {
                matched = try store.records(of: v).filter { $0.input == input && $0.line == line }
                if matched.isEmpty { ledgerOnly = try store.ledger(of: v, input: input, line: line).filter { $0.action == "drop" } }
                if matched.isEmpty, ledgerOnly.isEmpty, let q = try store.quarantine(of: v).first(where: { $0.input == input && $0.line == line }) {
                    appearances.append(Appearance(version: v, split: nil, hash: nil, input: inputs[input], line: line, ledger: [],
                                                  quarantine: "quarantined at \(q.stage): \(q.reason)"))
                }
            } else {
                let s = try store.database.prepare("SELECT \(StoredRecordRef.columns) FROM version_records WHERE vkey = ? AND record_id = ? ORDER BY ordinal")
                try s.bind([.int(v.vkey), .text(query)])
                while try s.step() { matched.append(StoredRecordRef(s)) }
            }
            for r in matched {
                let input = r.input < inputs.count ? inputs[r.input] : "?"
                appearances.append(Appearance(version: v, split: r.split, hash: r.hash, input: input, line: r.line,
                                              ledger: explainer.entries(ordinal: r.ordinal), quarantine: nil))
            }
            for e in ledgerOnly {
                let input = e.input < inputs.count ? inputs[e.input] : "?"
                let all = try store.ledger(of: v, input: e.input, line: e.line).map(Explainer.describe)
                appearances.append(Appearance(version: v, split: nil, hash: e.hash, input: input, line: e.line, ledger: all, quarantine: nil))
            }
        }
        self.appearances = appearances
        let hashes = Set(appearances.compactMap(\.hash))
        body = hashes.count == 1 ? try store.body(of: hashes.first!) : nil
    }

    /// The smallest and largest 32-byte hashes with a given hex prefix.
    static func bounds(_ prefix: String) -> ([UInt8], [UInt8]) {
        let lo = prefix + String(repeating: "0", count: 64 - prefix.count)
        let hi = prefix + String(repeating: "f", count: 64 - prefix.count)
        return (Hex.decode(lo) ?? [], Hex.decode(hi) ?? [])
    }
}

extension Store {
    /// Ledger rule -> split -> entries, for the rules of one stage (e.g. `pii`: spans per entity
    /// type and split). Entries of kept records carry the record's final hash, which names its
    /// split; entries of dropped records are counted under `dropped`.
    public func ruleCountsBySplit(of version: VersionInfo, stage: String) throws -> [String: [String: Int]] {
        let s = try database.prepare("""
            SELECT l.rule, COALESCE(r.split, 'dropped'), COUNT(*) FROM ledger l
              LEFT JOIN version_records r ON r.vkey = l.vkey AND r.ordinal = l.ordinal
             WHERE l.vkey = ? AND l.stage = ? GROUP BY 1, 2
            """)
        try s.bind([.int(version.vkey), .text(stage)])
        var out: [String: [String: Int]] = [:]
        while try s.step() { out[s.text(0), default: [:]][s.text(1)] = s.int(2) }
        return out
    }
}
