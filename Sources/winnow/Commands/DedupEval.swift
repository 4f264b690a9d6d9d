import ArgumentParser
import Foundation
import WinnowCore
import WinnowStages
import WinnowText

struct DedupEval: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dedup-eval",
        abstract: "Precision, recall and F1 of dedup settings on labelled pairs or clusters.",
        discussion: """
        Calibrate `k`, shingles and the Jaccard check on your own data before a build.
        Pairs: JSONL or TSV (header row, no quoting) with two text columns and a label (true/false,
        1/0, yes/no). Clusters (--clusters): one text per row and a cluster label; rows with the
        same label are duplicates, scored over all pairs as a build would cluster them.
        Every combination of the listed settings is scored.
        """)

    @Argument(help: "Labelled file (.jsonl or .tsv).")
    var file: String

    @Flag(name: .long, help: "The file holds texts with cluster labels instead of pairs.")
    var clusters = false

    @Flag(name: .long, help: "Read the file as TSV (header row, no quoting) whatever its extension.")
    var tsv = false

    @Option(name: .customLong("a-field"), help: "Pairs: first text column.") var aField = "a"
    @Option(name: .customLong("b-field"), help: "Pairs: second text column.") var bField = "b"
    @Option(name: .customLong("label-field"), help: "Pairs: duplicate label column.") var labelField = "duplicate"
    @Option(name: .customLong("category-field"), help: "Pairs: optional column to break the report down by.") var categoryField: String?
    @Option(name: .customLong("text-field"), help: "Clusters: text column.") var textField = "text"
    @Option(name: .customLong("cluster-field"), help: "Clusters: cluster label column.") var clusterField = "cluster"

    @Option(name: .long, help: "Hamming distances to try, comma-separated.") var k = "3,6,8,10"
    @Option(name: .long, help: "Shingle units to try (auto, char, word).") var unit = "auto"
    @Option(name: .customLong("char-n"), help: "Character n-gram sizes to try.") var charN = "2"
    @Option(name: .customLong("word-n"), help: "Word n-gram sizes to try.") var wordN = "3"
    @Option(name: .long, help: "Fingerprint widths to try (64, 128).") var bits = "64"
    @Option(name: .customLong("min-jaccard"), help: "Jaccard thresholds to try (0 = off).") var minJaccard = "0,0.8"
    @Option(name: .customLong("min-shingles"), help: "Shortest fingerprinted text, in distinct shingles.") var minShingles = 8
    @Option(name: .long, help: "Methods, comma-separated (exact, simhash, containment).") var methods = "exact,simhash"
    @Option(name: .long, help: "Containment thresholds to try (with the containment method).") var containment = "0.12"
    @Option(name: .customLong("containment-sample"), help: "Containment: keep 1 in N shingles.") var containmentSample = 1

    @OptionGroup var output: OutputOptions

    func run() throws {
        let rows = try readRows()
        var results: [JSONValue] = []
        var table: [[String]] = []
        for setting in try grid() {
            var o = JSONObject()
            o["unit"] = .string(setting.shingles.unit.rawValue)
            o["char_n"] = .number(JSONNumber(setting.shingles.charN))
            o["word_n"] = .number(JSONNumber(setting.shingles.wordN))
            o["bits"] = .number(JSONNumber(setting.width))
            o["k"] = .number(JSONNumber(setting.maxDistance))
            o["min_jaccard"] = .number(JSONNumber(setting.minJaccard ?? 0))
            var label = "\(setting.shingles.unit.rawValue) c\(setting.shingles.charN) w\(setting.shingles.wordN) \(setting.width)b k\(setting.maxDistance) j\(setting.minJaccard ?? 0)"
            o["methods"] = .array(DedupSettings.Method.allCases.filter(setting.methods.contains).map { .string($0.rawValue) })
            if setting.methods.contains(.containment) {
                o["containment"] = .number(JSONNumber(setting.containment.threshold))
                label += " containment \(setting.containment.threshold)"
            }
            if clusters {
                let texts = try rows.map { row -> (text: String, cluster: String) in
                    (try field(row, textField), try field(row, clusterField))
                }
                let score = try DedupEvaluation.score(texts: texts, settings: setting,
                                                      threads: ProcessInfo.processInfo.activeProcessorCount)
                o["score"] = json(score)
                table.append(row(label, "all", score))
            } else {
                let pairs = try rows.map { row in
                    DedupEvaluation.LabelledPair(a: try field(row, aField), b: try field(row, bField),
                                                 duplicate: try self.label(row), category: categoryField.flatMap { row[$0]?.displayText })
                }
                let (overall, byCategory) = try DedupEvaluation.score(pairs: pairs, settings: setting)
                o["score"] = json(overall)
                o["categories"] = .object(JSONObject(byCategory.sorted { $0.key < $1.key }.map { ($0.key, json($0.value)) }))
                table.append(row(label, "all", overall))
                for (c, s) in byCategory.sorted(by: { $0.key < $1.key }) { table.append(row("", c, s)) }
            }
            results.append(.object(o))
        }
        if output.json {
            Format.printJSON(.object(JSONObject([("file", .string(file)), ("rows", .number(JSONNumber(rows.count))),
                                                 ("results", .array(results))])))
        } else {
            print("\(rows.count) \(clusters ? "texts" : "pairs") from \(file)")
            print(Format.table(["settings", "category", "tp", "fp", "fn", "flagged", "precision", "recall", "F1"], table))
        }
    }

    private func row(_ label: String, _ category: String, _ s: DedupEvaluation.Score) -> [String] {
        [label, category, "\(s.truePositives)", "\(s.falsePositives)", "\(s.falseNegatives)",
         String(format: "%.3f", s.flagged), String(format: "%.3f", s.precision), String(format: "%.3f", s.recall),
         String(format: "%.3f", s.f1)]
    }

    private func json(_ s: DedupEvaluation.Score) -> JSONValue {
        func r(_ x: Double) -> JSONValue { .number(JSONNumber((x * 10000).rounded() / 10000)) }
        return .object(JSONObject([
            ("tp", .number(JSONNumber(s.truePositives))), ("fp", .number(JSONNumber(s.falsePositives))),
            ("fn", .number(JSONNumber(s.falseNegatives))), ("tn", .number(JSONNumber(s.trueNegatives))),
            ("precision", r(s.precision)), ("recall", r(s.recall)), ("f1", r(s.f1)), ("flagged", r(s.flagged)),
        ]))
    }

    /// Every combination of the listed settings.
    private func grid() throws -> [DedupSettings] {
        func ints(_ s: String, _ name: String) throws -> [Int] {
            try s.split(separator: ",").map { part in
                guard let v = Int(part.trimmingCharacters(in: .whitespaces)) else { throw ValidationError("--\(name): `\(part)` is not a whole number") }
                return v
            }
        }
        let units = try unit.split(separator: ",").map { u -> ShingleUnit in
            guard let v = ShingleUnit(rawValue: String(u)) else { throw ValidationError("--unit: `\(u)` is not auto, char or word") }
            return v
        }
        let jaccards = try minJaccard.split(separator: ",").map { j -> Double in
            guard let v = Double(j), v >= 0, v <= 1 else { throw ValidationError("--min-jaccard: `\(j)` is not between 0 and 1") }
            return v
        }
        let chosen = try Set(methods.split(separator: ",").map { m -> DedupSettings.Method in
            guard let v = DedupSettings.Method(rawValue: m.trimmingCharacters(in: .whitespaces)) else {
                throw ValidationError("--methods: `\(m)` is not exact, simhash or containment")
            }
            return v
        })
        let thresholds = chosen.contains(.containment) ? try containment.split(separator: ",").map { t -> Double in
            guard let v = Double(t), v > 0, v <= 1 else { throw ValidationError("--containment: `\(t)` is not above 0 and at most 1") }
            return v
        } : [DedupSettings.Containment().threshold]
        guard containmentSample >= 1 else { throw ValidationError("--containment-sample must be at least 1") }
        var out: [DedupSettings] = []
        for u in units {
            for c in try ints(charN, "char-n") {
                for w in try ints(wordN, "word-n") {
                    for b in try ints(bits, "bits") {
                        guard b == 64 || b == 128 else { throw ValidationError("--bits must be 64 or 128") }
                        for kk in try ints(k, "k") {
                            guard kk >= 0, kk < b else { throw ValidationError("--k must be between 0 and \(b - 1)") }
                            guard c >= 1, w >= 1 else { throw ValidationError("n-gram sizes must be at least 1") }
                            for j in jaccards {
                                for t in thresholds {
                                    var s = DedupSettings()
                                    s.methods = chosen
                                    s.shingles = ShingleSettings(unit: u, charN: c, wordN: w)
                                    s.width = b
                                    s.maxDistance = kk
                                    s.minJaccard = j > 0 ? j : nil
                                    s.minShingles = minShingles
                                    s.containment.threshold = t
                                    s.containment.sample = containmentSample
                                    out.append(s)
                                }
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    private func readRows() throws -> [JSONObject] {
        guard let data = FileManager.default.contents(atPath: file) else { throw WinnowError.usage("cannot read `\(file)`") }
        var rows: [JSONObject] = []
        if tsv || file.hasSuffix(".tsv") {
            let text = String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n")
            var lines = text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
            guard !lines.isEmpty else { throw WinnowError.usage("`\(file)` is empty") }
            let header = lines.removeFirst().trimmingCharacters(in: CharacterSet(charactersIn: "\u{FEFF}")).components(separatedBy: "\t")
            for (n, line) in lines.enumerated() {
                let cells = line.components(separatedBy: "\t")
                guard cells.count == header.count else { throw WinnowError.usage("\(file):\(n + 2): \(cells.count) fields, the header has \(header.count)") }
                rows.append(JSONObject(zip(header, cells.map(JSONValue.string)).map { ($0, $1) }))
            }
        } else {
            for (n, line) in data.split(separator: 0x0A).enumerated() where !line.isEmpty {
                guard let o = (try? Array(line).withUnsafeBufferPointer { try JSONParser.parse($0) })?.objectValue else {
                    throw WinnowError.usage("\(file):\(n + 1): not a JSON object")
                }
                rows.append(o)
            }
        }
        guard !rows.isEmpty else { throw WinnowError.usage("`\(file)` holds no rows") }
        return rows
    }

    private func field(_ row: JSONObject, _ name: String) throws -> String {
        guard let v = row[name] else { throw WinnowError.usage("a row has no `\(name)` field; name the column with the field options") }
        return v.stringValue ?? v.displayText
    }

    private func label(_ row: JSONObject) throws -> Bool {
        guard let v = row[labelField] else { throw WinnowError.usage("a row has no `\(labelField)` label; set --label-field") }
        if let b = v.boolValue { return b }
        switch v.displayText.lowercased() {
        case "1", "true", "yes", "y", "duplicate": return true
        case "0", "false", "no", "n": return false
        default: throw WinnowError.usage("label `\(v.displayText)` is not true/false, 1/0 or yes/no")
        }
    }
}
