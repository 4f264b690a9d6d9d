import ArgumentParser
import Foundation
import WinnowCore
import WinnowStages

struct PIIEval: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pii-eval",
        abstract: "Precision, recall and F1 of the PII detectors per entity type on span-labelled text.",
        discussion: """
        Formats: `jsonl` — {"text": ..., "spans": [{"type", "start", "end"}]} per line (end exclusive);
        `presidio` — presidio-research's JSON array ({full_text, spans: [{entity_type, start_position,
        end_position}]}); `cluener` — CLUENER lines ({text, label: {type: {value: [[start, end_inclusive]]}}}).
        Offsets count Unicode characters unless --offsets byte. Winnow's EMAIL is scored as EMAIL_ADDRESS
        and its Chinese phone types as PHONE_NUMBER; --map WINNOW=LABEL renames more.
        """)

    @Argument(help: "Labelled file.") var file: String
    @Option(name: .long, help: "jsonl, presidio or cluener (default: presidio for .json, else jsonl).") var format: String?
    @Option(name: .long, help: "char (default) or byte.") var offsets = "char"
    @Option(name: .long, help: "WINNOW_TYPE=LABEL_TYPE, repeatable.") var map: [String] = []
    @Option(name: .long, help: "A pii stage configuration as JSON (types, detectors), default {}.") var config = "{}"
    @OptionGroup var output: OutputOptions

    func run() throws {
        guard let data = FileManager.default.contents(atPath: file) else { throw WinnowError.usage("cannot read `\(file)`") }
        let chosen = format ?? (file.hasSuffix(".json") ? "presidio" : "jsonl")
        guard offsets == "char" || offsets == "byte" else { throw WinnowError.usage("--offsets is char or byte") }
        var documents: [PIIEvaluation.Document] = []
        func parse(_ bytes: some Collection<UInt8>) throws -> JSONValue {
            try Array(bytes).withUnsafeBufferPointer { try JSONParser.parse($0) }
        }
        switch chosen {
        case "presidio":
            for item in try parse(data).arrayValue ?? [] {
                guard let o = item.objectValue, let text = o["full_text"]?.stringValue else { continue }
                let spans = (o["spans"]?.arrayValue ?? []).compactMap(\.objectValue).compactMap { s -> PIIEvaluation.Span? in
                    guard let t = s["entity_type"]?.stringValue, let a = s["start_position"]?.intValue, let b = s["end_position"]?.intValue else { return nil }
                    return PIIEvaluation.Span(type: t, start: a, end: b)
                }
                documents.append(.init(text: text, spans: spans))
            }
        case "jsonl", "cluener":
            for (n, line) in data.split(separator: 0x0A).enumerated() where !line.isEmpty {
                guard let o = try? parse(line).objectValue, let text = o["text"]?.stringValue else {
                    throw WinnowError.usage("\(file):\(n + 1): not an object with `text`")
                }
                var spans: [PIIEvaluation.Span] = []
                if chosen == "jsonl" {
                    for s in (o["spans"]?.arrayValue ?? []).compactMap(\.objectValue) {
                        guard let t = s["type"]?.stringValue, var a = s["start"]?.intValue, var b = s["end"]?.intValue else { continue }
                        if offsets == "byte" { a = scalars(text, bytes: a); b = scalars(text, bytes: b) }
                        spans.append(.init(type: t, start: a, end: b))
                    }
                } else {
                    for type in o["label"]?.objectValue ?? JSONObject() {
                        for value in type.value.objectValue ?? JSONObject() {
                            for pair in value.value.arrayValue ?? [] {
                                guard let p = pair.arrayValue, p.count == 2, let a = p[0].intValue, let b = p[1].intValue else { continue }
                                spans.append(.init(type: type.key, start: a, end: b + 1))
                            }
                        }
                    }
                }
                documents.append(.init(text: text, spans: spans))
            }
        default:
            throw WinnowError.usage("unknown --format `\(chosen)`; use jsonl, presidio or cluener")
        }
        var names: [String: String] = [:]
        for m in map {
            let parts = m.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw WinnowError.usage("--map wants WINNOW_TYPE=LABEL_TYPE, not `\(m)`") }
            names[parts[0]] = parts[1]
        }
        let object = try parse(Array(config.utf8)).objectValue ?? JSONObject()
        var problems: [String] = []
        let stage = try PIIStage(index: 0, config: object, path: "--config") { problems.append("\($0): \($1)") }
        if let first = problems.first { throw WinnowError.usage(first) }
        let producible = Set(stage.types.map { names[$0] ?? PIIEvaluation.defaultNames[$0] ?? $0 })
        let all = try PIIEvaluation.score(documents, stage: stage, names: names)
        let scores = all.filter { producible.contains($0.key) }
        let skipped = all.keys.filter { !producible.contains($0) }.sorted()
        if output.json {
            Format.printJSON(.object(JSONObject(scores.sorted { $0.key < $1.key }.map { type, s in
                (type, .object(JSONObject([
                    ("tp", .number(JSONNumber(s.truePositives))), ("fp", .number(JSONNumber(s.falsePositives))),
                    ("fn", .number(JSONNumber(s.falseNegatives))), ("precision", .number(JSONNumber((s.precision * 10000).rounded() / 10000))),
                    ("recall", .number(JSONNumber((s.recall * 10000).rounded() / 10000))), ("f1", .number(JSONNumber((s.f1 * 10000).rounded() / 10000))),
                ])))
            })))
            return
        }
        print("\(documents.count) documents, \(documents.reduce(0) { $0 + $1.spans.count }) labelled spans from \(file)")
        print(Format.table(["type", "labelled", "tp", "fp", "fn", "precision", "recall", "F1"], scores.sorted { $0.key < $1.key }.map { type, s in
            [type, "\(s.truePositives + s.falseNegatives)", "\(s.truePositives)", "\(s.falsePositives)", "\(s.falseNegatives)",
             String(format: "%.3f", s.precision), String(format: "%.3f", s.recall), String(format: "%.3f", s.f1)]
        }))
        if !skipped.isEmpty { print("not detected by Winnow (names, addresses, organisations and the like are out of scope): " + skipped.joined(separator: ", ")) }
    }

    private func scalars(_ text: String, bytes offset: Int) -> Int {
        String(decoding: Array(text.utf8).prefix(offset), as: UTF8.self).unicodeScalars.count
    }
}
