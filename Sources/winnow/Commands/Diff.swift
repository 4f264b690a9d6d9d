import ArgumentParser
import Foundation
import WinnowCore
import WinnowStore

struct Diff: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show what changed between two versions, record by record, and why.",
        discussion: "Per split: added, removed, modified (same id, new content) and unchanged records, with the ledger rule that explains each removal; records that moved between splits; label distribution; per-stage statistics; and the pipeline difference.")

    @Argument(help: "The older version.")
    var from: String
    @Argument(help: "The newer version.")
    var to: String

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var output: OutputOptions

    @Option(name: .long, help: "Print the text of up to N records per category.")
    var examples = 0

    @Option(name: .long, help: "List at most N records per category (0 = all).")
    var limit = 50

    func run() throws {
        let store = try storeOptions.open()
        let a = try store.resolve(from), b = try store.resolve(to)
        let diff = try VersionDiff(store: store, from: a, to: b)
        if output.json { return Format.printJSON(DiffRendering.json(diff, store: store, examples: examples)) }
        print(try DiffRendering.text(diff, store: store, examples: examples, limit: limit), terminator: "")
    }
}

/// Renders a ``VersionDiff`` for people and for machines.
enum DiffRendering {
    static func text(_ d: VersionDiff, store: Store, examples: Int, limit: Int) throws -> String {
        var out = "diff \(d.from.name) (\(d.from.shortID)) -> \(d.to.name) (\(d.to.shortID))\n"
        let t = d.totals
        out += "records: \(Format.count(t.added)) added, \(Format.count(t.removed)) removed, \(Format.count(t.modified)) modified, \(Format.count(t.unchanged)) unchanged\n"
        if !d.pipeline.isEmpty {
            out += "\npipeline:\n"
            for c in d.pipeline {
                switch (c.before, c.after) {
                case (nil, let after?): out += "  + \(c.path): \(JSONWriter.compact(after))\n"
                case (let before?, nil): out += "  - \(c.path): \(JSONWriter.compact(before))\n"
                case (let before?, let after?): out += "  ~ \(c.path): \(JSONWriter.compact(before)) -> \(JSONWriter.compact(after))\n"
                default: break
                }
            }
        }
        for s in d.splits {
            out += "\nsplit \(s.split): \(Format.count(s.added.count)) added, \(Format.count(s.removed.count)) removed, \(Format.count(s.modified.count)) modified, \(Format.count(s.unchanged)) unchanged\n"
            out += try list("-", s.removed, store: store, examples: examples, limit: limit)
            out += try list("+", s.added, store: store, examples: examples, limit: limit)
            let shown = limit == 0 ? s.modified : Array(s.modified.prefix(limit))
            for (k, m) in shown.enumerated() {
                out += "  ~ \(m.after.hash.short)  \(m.after.input):\(m.after.line)" + (m.after.id.map { "  id=\($0)" } ?? "") + "  (was \(m.before.hash.short))\n"
                for r in m.after.reasons { out += "      \(r)\n" }
                if k < examples {
                    out += "      before: \(Format.excerpt(try store.body(of: m.before.hash)?.objectValue?["text"]?.displayText ?? ""))\n"
                    out += "      after:  \(Format.excerpt(try store.body(of: m.after.hash)?.objectValue?["text"]?.displayText ?? ""))\n"
                }
            }
            if limit > 0, s.modified.count > limit { out += "  … \(s.modified.count - limit) more modified (--limit 0 for all)\n" }
        }
        if !d.moves.isEmpty {
            out += "\nmoved between splits: \(Format.count(d.moves.count))\n"
            var pairs: [String: Int] = [:]
            for m in d.moves { pairs["\(m.from) -> \(m.to)", default: 0] += 1 }
            for (k, n) in pairs.sorted(by: { $0.key < $1.key }) { out += "  \(k): \(Format.count(n))\n" }
            for m in (limit == 0 ? d.moves : Array(d.moves.prefix(limit))) { out += "  \(m.hash.short)  \(m.from) -> \(m.to)\n" }
        }
        let changedLabels = d.labels.filter { $0.before != $0.after }
        if !changedLabels.isEmpty {
            out += "\nlabels:\n"
            out += Format.table(["label", "before", "after", "change"], d.labels.map {
                [$0.label, Format.count($0.before), Format.count($0.after), ($0.after >= $0.before ? "+" : "") + Format.count($0.after - $0.before)]
            }).split(separator: "\n").map { "  " + $0 }.joined(separator: "\n") + "\n"
        }
        if !d.stages.isEmpty {
            out += "\nstages:\n"
            for c in d.stages {
                switch (c.before, c.after) {
                case (nil, let s?): out += "  + #\(s.index + 1) \(s.name) (new): in \(Format.count(s.input)), out \(Format.count(s.output)), dropped \(Format.count(s.dropped)), changed \(Format.count(s.changed))\(rules(s))\n"
                case (let s?, nil): out += "  - #\(s.index + 1) \(s.name) (removed): it dropped \(Format.count(s.dropped)), changed \(Format.count(s.changed))\(rules(s))\n"
                case (let a?, let b?):
                    out += "  ~ #\(b.index + 1) \(b.name): out \(Format.count(a.output)) -> \(Format.count(b.output)), dropped \(Format.count(a.dropped)) -> \(Format.count(b.dropped)), changed \(Format.count(a.changed)) -> \(Format.count(b.changed))\n"
                default: break
                }
            }
        }
        return out
    }

    private static func rules(_ s: StageStats) -> String {
        s.rules.isEmpty ? "" : "; " + s.rules.sorted { $0.key < $1.key }.map { "\($0.key) \(Format.count($0.value))" }.joined(separator: ", ")
    }

    private static func list(_ sign: String, _ entries: [VersionDiff.Entry], store: Store, examples: Int, limit: Int) throws -> String {
        var out = ""
        let shown = limit == 0 ? entries : Array(entries.prefix(limit))
        for (k, e) in shown.enumerated() {
            out += "  \(sign) \(e.hash.short)  \(e.input):\(e.line)" + (e.id.map { "  id=\($0)" } ?? "") + (e.label.map { "  label=\($0)" } ?? "") + "\n"
            for r in e.reasons { out += "      \(r)\n" }
            if k < examples, let text = try store.body(of: e.hash)?.objectValue?["text"]?.displayText {
                out += "      text: \(Format.excerpt(text))\n"
            }
        }
        if limit > 0, entries.count > limit {
            out += "  … \(entries.count - limit) more \(sign == "-" ? "removed" : "added") (--limit 0 for all)\n"
        }
        return out
    }

    static func json(_ d: VersionDiff, store: Store, examples: Int) -> JSONValue {
        func entry(_ e: VersionDiff.Entry, _ k: Int) -> JSONValue {
            var o = JSONObject([("hash", .string(e.hash.hex)), ("input", .string(e.input)), ("line", .number(JSONNumber(e.line))),
                                ("id", e.id.map(JSONValue.string) ?? .null), ("label", e.label.map(JSONValue.string) ?? .null),
                                ("reasons", .array(e.reasons.map(JSONValue.string)))])
            if k < examples, let body = try? store.body(of: e.hash) { o["record"] = body }
            return .object(o)
        }
        var o = JSONObject()
        o["from"] = .string(d.from.name)
        o["to"] = .string(d.to.name)
        let t = d.totals
        o["totals"] = .object(JSONObject([("added", .number(JSONNumber(t.added))), ("removed", .number(JSONNumber(t.removed))),
                                          ("modified", .number(JSONNumber(t.modified))), ("unchanged", .number(JSONNumber(t.unchanged)))]))
        o["splits"] = .array(d.splits.map { s in .object(JSONObject([
            ("split", .string(s.split)), ("unchanged", .number(JSONNumber(s.unchanged))),
            ("added", .array(s.added.enumerated().map { entry($1, $0) })),
            ("removed", .array(s.removed.enumerated().map { entry($1, $0) })),
            ("modified", .array(s.modified.enumerated().map { k, m in .object(JSONObject([("before", entry(m.before, k)), ("after", entry(m.after, k))])) })),
        ])) })
        o["moved"] = .array(d.moves.map { .object(JSONObject([("hash", .string($0.hash.hex)), ("from", .string($0.from)), ("to", .string($0.to))])) })
        o["labels"] = .array(d.labels.map { .object(JSONObject([("label", .string($0.label)), ("before", .number(JSONNumber($0.before))), ("after", .number(JSONNumber($0.after)))])) })
        o["stages"] = .array(d.stages.map { .object(JSONObject([("stage", .string($0.stage)), ("before", $0.before?.json ?? .null), ("after", $0.after?.json ?? .null)])) })
        o["pipeline"] = .array(d.pipeline.map { .object(JSONObject([("path", .string($0.path)), ("before", $0.before ?? .null), ("after", $0.after ?? .null)])) })
        return .object(o)
    }
}
