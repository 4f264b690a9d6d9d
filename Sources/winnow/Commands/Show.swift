import ArgumentParser
import Foundation
import WinnowCore
import WinnowStore

struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show one version: inputs, splits, per-stage statistics, quarantine.")

    @Argument(help: "Version: id prefix, DATASET@N, DATASET@latest or tag.")
    var version: String

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var output: OutputOptions

    @Option(name: .long, help: "List up to N quarantined rows.")
    var quarantine = 5

    func run() throws {
        let store = try storeOptions.open()
        let v = try store.resolve(version)
        let inputs = try store.inputs(of: v)
        let splits = try store.splitCounts(of: v)
        let quarantined = try store.quarantine(of: v, limit: quarantine)
        let stats = v.stats
        let ingest = stats["ingest"].flatMap(StageStats.init(json:)) ?? StageStats(index: -1, name: "ingest")
        let labels = try labelCounts(store, v)
        if output.json {
            var o = JSONObject()
            o["version"] = .string(v.name)
            o["id"] = .string(v.id)
            o["parent"] = v.parent.map(JSONValue.string) ?? .null
            o["created_at"] = .string(v.createdAt)
            o["tool_version"] = .string(v.toolVersion)
            o["pipeline_sha256"] = .string(v.pipelineHash)
            o["tags"] = .array(v.tags.map(JSONValue.string))
            o["records"] = .number(JSONNumber(v.recordCount))
            o["splits"] = .object(JSONObject(splits.map { ($0.split, .number(JSONNumber($0.count))) }))
            o["labels"] = .object(JSONObject(labels.map { ($0.0, .number(JSONNumber($0.1))) }))
            o["inputs"] = .array(inputs.map { f in .object(JSONObject([
                ("path", .string(f.path)), ("format", .string(f.format)), ("encoding", .string(f.encoding)),
                ("size", .number(JSONNumber(f.size))), ("sha256", .string(f.sha256)),
            ])) })
            o["stats"] = .object(stats)
            o["quarantine"] = .array(quarantined.map { q in .object(JSONObject([
                ("input", .string(q.input < inputs.count ? inputs[q.input].path : "?")), ("line", .number(JSONNumber(q.line))),
                ("byte_offset", .number(JSONNumber(q.byteOffset))), ("stage", .string(q.stage)), ("reason", .string(q.reason)),
            ])) })
            o["pipeline"] = (try? JSONParser.parse(v.pipelineJSON)) ?? .null
            for (stage, key) in [("pii", "pii_spans"), ("augment", "augmented_children")] {
                let counts = try store.ruleCountsBySplit(of: v, stage: stage)
                guard !counts.isEmpty else { continue }
                o[key] = .object(JSONObject(counts.sorted { $0.key < $1.key }.map { rule, splits in
                    (String(rule.dropFirst(stage.count + 1)), .object(JSONObject(splits.sorted { $0.key < $1.key }.map { ($0.key, .number(JSONNumber($0.value))) })))
                }))
            }
            o["token_shards"] = .array(try store.shardSets(of: v).map { set in .object(JSONObject([
                ("directory", .string(set.directory)), ("format", .string(set.format)), ("dtype", .string(set.dtype)),
                ("tokenizer_sha256", .string(set.tokenizerSHA256)), ("vocabulary_size", .number(JSONNumber(set.vocabularySize))),
                ("tokens", .object(JSONObject(set.tokensPerSplit.map { ($0.split, .number(JSONNumber($0.tokens))) }))),
            ])) })
            Format.printJSON(.object(o))
            return
        }
        print("\(v.name)  \(v.id)")
        print("created \(v.createdAt) by winnow \(v.toolVersion)" + (v.parent.map { ", parent \(String($0.prefix(12)))" } ?? ""))
        if !v.tags.isEmpty { print("tags: " + v.tags.joined(separator: ", ")) }
        print("records: \(Format.count(v.recordCount))  (" + splits.map { "\($0.split) \(Format.count($0.count))" }.joined(separator: ", ") + ")")
        if !labels.isEmpty { print("labels: " + labels.map { "\($0.0) \(Format.count($0.1))" }.joined(separator: ", ")) }
        print("\ninputs:")
        print(Format.table(["path", "format", "encoding", "size", "sha256"], inputs.map {
            [$0.path, $0.format, $0.encoding, Format.bytes($0.size), String($0.sha256.prefix(16))]
        }))
        print("\nstages:")
        print(StageTable.render(ingest: ingest, stages: v.stageStats))
        for line in StageSummaryText.lines(v.stageStats) { print(line) }
        try printRulesBySplit(store, v, stage: "pii", title: "personal data masked (spans per type and split)", column: "type")
        try printRulesBySplit(store, v, stage: "augment",
                              title: "augmented children per operation and split (a child with several operations counts under each)",
                              column: "operation")
        for s in v.stageStats where s.name == "split" {
            guard let strata = s.summary?["strata"]?.arrayValue, let names = s.summary?["splits"]?.objectValue?.keys else { continue }
            print("\nsplit #\(s.index + 1) per stratum: achieved (exact share)")
            let rows: [[String]] = strata.compactMap(\.objectValue).map { row in
                let share = row["share"]?.objectValue ?? JSONObject(), achieved = row["achieved"]?.objectValue ?? JSONObject()
                return [row["stratum"]?.stringValue ?? "", Format.count(row["records"]?.intValue ?? 0)] + names.map { name in
                    "\(Format.count(achieved[name]?.intValue ?? 0)) (\(share[name]?.doubleValue.map { String(format: "%.1f", $0) } ?? "?"))"
                }
            }
            print(Format.table(["stratum", "records"] + names, rows))
        }
        for set in try store.shardSets(of: v) {
            print("\ntoken shards (\(set.format), \(set.dtype), vocabulary \(Format.count(set.vocabularySize)), tokenizer \(set.tokenizerSHA256.prefix(12))) in \(set.directory):")
            for (split, tokens) in set.tokensPerSplit { print("  \(split): \(Format.count(tokens)) tokens") }
        }
        let total = try store.quarantineCount(of: v)
        if total > 0 {
            print("\nquarantine: \(Format.count(total)) row\(total == 1 ? "" : "s")")
            for q in quarantined {
                print("  \(q.input < inputs.count ? inputs[q.input].path : "?"):\(q.line) [\(q.stage)] \(q.reason)")
            }
            if total > quarantined.count { print("  … \(total - quarantined.count) more (--quarantine N)") }
        }
    }

    /// A table of one stage's ledger rules (without the `stage.` prefix) by split.
    private func printRulesBySplit(_ store: Store, _ v: VersionInfo, stage: String, title: String, column: String) throws {
        let counts = try store.ruleCountsBySplit(of: v, stage: stage)
        guard !counts.isEmpty else { return }
        let splits = Set(counts.values.flatMap(\.keys)).sorted()
        print("\n\(title):")
        print(Format.table([column] + splits, counts.sorted { $0.key < $1.key }.map { rule, perSplit in
            [String(rule.dropFirst(stage.count + 1))] + splits.map { Format.count(perSplit[$0] ?? 0) }
        }))
    }

    private func labelCounts(_ store: Store, _ v: VersionInfo) throws -> [(String, Int)] {
        var counts: [String: Int] = [:]
        for r in try store.records(of: v) { if let l = r.label { counts[l, default: 0] += 1 } }
        return counts.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }
}
