import WinnowCore

/// Writes a version's records as JSONL (each record in its original field order) or CSV
/// (columns in first-seen order, non-string values as JSON).
public enum Exporter {
    public enum Format: String, Sendable, CaseIterable { case jsonl, csv }

    /// `metadata` (JSONL only) appends `_hash` (content hash), `_split` and `_source`
    /// (input file and line) to every record, so exported rows can be traced back and joined
    /// with `augmented_from`.
    public static func export(store: Store, version: VersionInfo, split: String?, format: Format, metadata: Bool = false,
                              write: ([UInt8]) throws -> Void) throws -> Int {
        if let split, try !store.splitCounts(of: version).contains(where: { $0.split == split }) {
            let names = try store.splitCounts(of: version).map(\.split)
            throw WinnowError.usage("\(version.name) has no split `\(split)`; it has " + names.map { "`\($0)`" }.joined(separator: ", "))
        }
        let refs = try store.records(of: version, split: split)
        let inputs = metadata ? try store.inputs(of: version).map(\.path) : []
        switch format {
        case .jsonl:
            for r in refs {
                guard var body = try store.body(of: r.hash) else { throw WinnowError.store("record \(r.hash.short) is missing from the store; run `winnow verify`") }
                if metadata, var o = body.objectValue {
                    o["_hash"] = .string(r.hash.hex)
                    o["_split"] = .string(r.split)
                    o["_source"] = .string("\(r.input < inputs.count ? inputs[r.input] : "?"):\(r.line)")
                    body = .object(o)
                }
                var bytes = JSONWriter.compactBytes(body)
                bytes.append(0x0A)
                try write(bytes)
            }
        case .csv:
            // Two passes keep memory to the column list: first collect columns, then write rows.
            var columns: [String] = []
            var seen = Set<String>()
            for r in refs {
                for key in try store.body(of: r.hash)?.objectValue?.keys ?? [] where seen.insert(key).inserted { columns.append(key) }
            }
            try write(Array((columns.map(csvField).joined(separator: ",") + "\n").utf8))
            for r in refs {
                let o = try store.body(of: r.hash)?.objectValue ?? JSONObject()
                let row = columns.map { c -> String in
                    guard let v = o[c] else { return "" }
                    if case .null = v { return "" }
                    return csvField(v.displayText)
                }
                try write(Array((row.joined(separator: ",") + "\n").utf8))
            }
        }
        return refs.count
    }

    /// Writes the records a version's build dropped, one JSON line each:
    /// `{"stage", "rule", "detail", "input", "line", "record"}`, in input order.
    public static func exportDropped(store: Store, version: VersionInfo, write: ([UInt8]) throws -> Void) throws -> Int {
        let inputs = try store.inputs(of: version).map(\.path)
        var n = 0
        for e in try store.ledger(of: version) where e.action == "drop" {
            guard let hash = e.hash, let body = try store.body(of: hash) else { continue }
            var bytes = JSONWriter.compactBytes(.object(JSONObject([
                ("stage", .string(e.stage)), ("rule", .string(e.rule)), ("detail", .object(e.detail)),
                ("input", .string(e.input < inputs.count ? inputs[e.input] : "?")), ("line", .number(JSONNumber(e.line))),
                ("record", body),
            ])))
            bytes.append(0x0A)
            try write(bytes)
            n += 1
        }
        return n
    }

    static func csvField(_ s: String) -> String {
        if s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + s.replacingQuotes() + "\""
        }
        return s
    }
}

extension String {
    fileprivate func replacingQuotes() -> String {
        var out = ""
        for c in self { out.append(c); if c == "\"" { out.append("\"") } }
        return out
    }
}
