import ArgumentParser
import Foundation
import WinnowCore
import WinnowStages
import WinnowStore

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Build a dataset version from a pipeline.",
        discussion: "Streams the inputs through the stages into the store (.winnow/ beside the pipeline unless --store says otherwise). Same inputs and pipeline give the same version id; rebuilding adds nothing.")

    @Argument(help: "The pipeline file.")
    var pipeline: String

    @Option(name: .long, help: ArgumentHelp("Read these files instead of the pipeline's input paths (pipelines with one input entry).", valueName: "file"))
    var input: [String] = []

    @Option(name: .long, help: "Store directory (default: .winnow/ beside the pipeline).")
    var store: String?

    @Option(name: .long, help: "Worker threads (default: all cores). Never changes the output.")
    var threads: Int?

    @Option(name: .long, help: ArgumentHelp("How record bodies are compressed in the store: lz4 (fastest, the default), zstd (about a quarter smaller) or none. Never changes the version id.", valueName: "codec"))
    var compression: BodyCodec.Compression = .lz4

    @Option(name: .long, help: "Records per batch.")
    var batchSize = 2048

    @Flag(name: .long, help: "Print machine-readable JSON.")
    var json = false

    @Flag(name: .long, help: "List quarantined rows with their reasons.")
    var verbose = false

    @Flag(name: .long, help: "No progress line, even on a terminal.")
    var quiet = false

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        if batchSize < 1 { throw ValidationError("--batch-size must be at least 1") }
    }

    func run() throws {
        var definition = try PipelineLoader.load(path: pipeline)
        if !input.isEmpty {
            let cwd = FileManager.default.currentDirectoryPath
            definition = try definition.withInputPaths(input.map { $0.hasPrefix("/") ? $0 : cwd + "/" + $0 })
        }
        let storeDirectory = store ?? Store.defaultDirectory(forPipeline: pipeline)
        let library = LazySignatureLibrary(directory: storeDirectory)
        let compiled = try PipelineCompiler.compile(definition, file: pipeline, signatures: library)
        let db = try library.store()
        let progress = !quiet && !json && isatty(2) != 0 ? ProgressLine() : nil
        var options = ExecutionOptions(
            threads: threads ?? ProcessInfo.processInfo.activeProcessorCount, batchSize: batchSize,
            maxErrorRate: definition.maxErrorRate, temporaryDirectory: storeDirectory, compression: compression)
        if let progress {
            options.progress = { @Sendable snapshot in progress.update(snapshot) }
        }
        let started = Date()
        let result: BuildResult
        do {
            result = try db.build(definition: definition, source: compiled.makeSource(), decoder: compiled.decoder,
                                  stages: compiled.stages, options: options, toolVersion: Winnow.version)
        } catch {
            progress?.finish()
            throw error
        }
        progress?.finish()
        let elapsed = Date().timeIntervalSince(started)
        let version = result.version
        let report = result.report
        let created: Bool
        if case .created = result { created = true } else { created = false }
        let shards = try writeShards(compiled, db, version, storeDirectory: storeDirectory, threads: options.threads)
        if json {
            Format.printJSON(.object(JSONObject([
                ("status", .string(created ? "created" : "unchanged")),
                ("version", .string(version.name)), ("id", .string(version.id)),
                ("records", .number(JSONNumber(report.recordsOut))), ("rows_read", .number(JSONNumber(report.rowsRead))),
                ("quarantined", .number(JSONNumber(report.quarantined))),
                ("seconds", .number(JSONNumber((elapsed * 1000).rounded() / 1000))),
                ("stages", .array([report.ingest.json] + report.stages.map(\.json))),
                ("store", .string(storeDirectory)),
                ("token_shards", shards.map { $0.manifest ?? .string("up to date: \($0.directory)") } ?? .null),
            ])))
            return
        }
        print(StageTable.render(ingest: report.ingest, stages: report.stages))
        for line in StageSummaryText.lines(report.stages) { print(line) }
        print("")
        let mb = Double(compiled.files.reduce(0) { $0 + $1.size }) / 1e6
        let rate = elapsed > 0 ? String(format: ", %.1f MB/s", mb / elapsed) : ""
        if created {
            print("built \(version.name)  \(version.shortID)  \(Format.count(report.recordsOut)) records, \(Format.count(report.quarantined)) quarantined, \(Format.seconds(elapsed))\(rate)")
        } else {
            print("unchanged: \(version.name)  \(version.shortID)  (same inputs, pipeline and records; nothing added)")
        }
        print("store: \(storeDirectory)")
        if let shards {
            if let manifest = shards.manifest {
                print("")
                for line in TokenShardJob.summary(manifest, directory: shards.directory) { print(line) }
            } else {
                print("token shards: up to date in \(shards.directory)")
            }
        }
        if report.quarantined > 0 {
            if verbose, created {
                let inputs = try db.inputs(of: version).map(\.path)
                for q in try db.quarantine(of: version) {
                    print("  quarantined \(q.input < inputs.count ? inputs[q.input] : "?"):\(q.line): \(q.reason)")
                }
            } else {
                print("see quarantined rows: winnow show \(version.name) --quarantine 20" + (store == nil ? "" : " --store \(storeDirectory)"))
            }
        }
    }
}

extension Run {
    /// A `tokenize` stage's shards for `version`, written into `OUTPUT/DATASET@N` unless a set
    /// made with the same tokenizer is already registered there (then `manifest` is nil).
    func writeShards(_ compiled: CompiledPipeline, _ store: Store, _ version: VersionInfo, storeDirectory: String,
                     threads: Int) throws -> (directory: String, manifest: JSONValue?)? {
        guard let stage = compiled.stages.last as? TokenizeStage else { return nil }
        let root = stage.output ?? storeDirectory + "/shards"
        let directory = URL(fileURLWithPath: root + "/" + version.name).standardizedFileURL.path
        if try store.shardSets(of: version).contains(where: {
            $0.directory == directory && $0.tokenizerSHA256 == stage.tokenizer.fileSHA256 && $0.format == stage.options.format.manifestName
        }), FileManager.default.fileExists(atPath: directory + "/manifest.json") {
            return (directory, nil)
        }
        var options = stage.options
        options.threads = threads
        let job = TokenShardJob(tokenizer: stage.tokenizer, tokenizerPath: stage.tokenizerPath, template: stage.template,
                                options: options, labels: stage.labels, splits: nil)
        return (directory, try job.write(store: store, version: version, directory: directory))
    }
}

/// Opens the store only when a stage asks for earlier signatures, so an invalid pipeline never
/// creates a store.
final class LazySignatureLibrary: SignatureLibrary, SplitLibrary {
    let directory: String
    private var opened: Store?

    init(directory: String) { self.directory = directory }

    func store() throws -> Store {
        if let opened { return opened }
        let s = try Store(directory: directory)
        opened = s
        return s
    }

    func signatures(of reference: String) throws -> ReferenceSignatures {
        try store().signatures(of: reference)
    }

    func splitAssignments(of reference: String) throws -> (version: String, splits: [RecordHash: String]) {
        try store().splitAssignments(of: reference)
    }
}

/// The per-stage summary table printed after a build and by `show`.
enum StageTable {
    static func render(ingest: StageStats, stages: [StageStats]) -> String {
        var rows: [[String]] = [["ingest", Format.count(ingest.input), Format.count(ingest.output), "-", "-",
                                 Format.count(ingest.quarantined), Format.seconds(ingest.seconds)]]
        // Rows an input's own filter passed over (MediaWiki namespaces, redirects).
        for (reason, n) in ingest.discarded.sorted(by: { $0.key < $1.key }) {
            rows.append(["   skipped: \(reason)", "", "", "", "", "", Format.count(n)])
        }
        for s in stages {
            rows.append(["#\(s.index + 1) \(s.name)", Format.count(s.input), Format.count(s.output), Format.count(s.dropped),
                         Format.count(s.changed), Format.count(s.quarantined), Format.seconds(s.seconds)])
            for (rule, n) in s.rules.sorted(by: { $0.key < $1.key }) {
                rows.append(["   \(rule)", "", "", "", "", "", Format.count(n) + " hits"])
            }
            if s.added > 0 || !s.discarded.isEmpty {
                rows.append(["   added", "", "+" + Format.count(s.added), "", "", "", ""])
            }
            for (reason, n) in s.discarded.sorted(by: { $0.key < $1.key }) {
                rows.append(["   discarded: \(reason)", "", "", "", "", "", Format.count(n)])
            }
        }
        return Format.table(["stage", "in", "out", "dropped", "changed", "quarantined", "time"], rows)
    }
}

/// The human-readable form of global stages' summaries (dedup clusters), under the stage table.
enum StageSummaryText {
    static func lines(_ stages: [StageStats]) -> [String] {
        var out: [String] = []
        for s in stages {
            guard let summary = s.summary else { continue }
            if s.name == "dedup" { out += dedup(s, summary) }
            if s.name == "split" { out += split(s, summary) }
            if s.name == "augment" { out += augment(s, summary) }
        }
        return out
    }

    private static func number(_ o: JSONObject?, _ key: String) -> String {
        Format.count(o?[key]?.intValue ?? 0)
    }

    private static func split(_ s: StageStats, _ summary: JSONObject) -> [String] {
        let splits = (summary["splits"]?.objectValue ?? JSONObject()).map { "\($0.key) \(Format.count($0.value.intValue ?? 0))" }
        var lines = ["", "#\(s.index + 1) split (\(summary["mode"]?.stringValue ?? "?")): " + splits.joined(separator: ", ")]
        if let strata = summary["strata"]?.arrayValue {
            let deviation = summary["largest_deviation"]?.doubleValue ?? 0
            lines.append("   \(Format.count(strata.count)) strata; largest deviation from a stratum's exact share: \(deviation) records")
        }
        if let groups = summary["groups"]?.intValue { lines.append("   \(Format.count(groups)) groups, each in one split") }
        if let small = summary["small_strata"]?.arrayValue, !small.isEmpty {
            lines.append("   warning: \(small.count) strata have fewer records than splits (the largest splits get one each): "
                         + small.prefix(10).compactMap(\.stringValue).joined(separator: "; ") + (small.count > 10 ? "; …" : ""))
        }
        if let stable = summary["stable"]?.objectValue {
            lines.append("   stable against \(stable["from"]?.stringValue ?? "?"): \(number(stable, "kept_split")) records kept their split, \(number(stable, "new")) new")
        }
        if let leak = summary["leakage"]?.objectValue {
            lines.append("   leakage across splits: \(number(leak, "exact_pairs")) exact and \(number(leak, "near_pairs")) near-duplicate pairs (SimHash k \(number(leak, "k")))")
        }
        return lines
    }

    private static func augment(_ s: StageStats, _ summary: JSONObject) -> [String] {
        let splits = (summary["splits"]?.arrayValue ?? []).compactMap(\.stringValue).joined(separator: ", ")
        let tried = s.added + s.discarded.values.reduce(0, +)
        var lines = ["", "#\(s.index + 1) augment (\(splits), \(number(summary, "copies")) per record): \(Format.count(s.added)) children added of \(Format.count(tried)) tried"]
        if !s.discarded.isEmpty {
            lines.append("   discarded: " + s.discarded.sorted { $0.key < $1.key }.map { "\($0.key) \(Format.count($0.value))" }.joined(separator: ", "))
        }
        if let g = summary["leak_guard"]?.objectValue {
            let jaccard = g["min_jaccard"]?.doubleValue.map { ", Jaccard ≥ \($0)" } ?? ""
            lines.append("   leak guard: \(number(g, "reference_records")) records of other splits, SimHash k \(number(g, "k"))\(jaccard)")
        }
        if let share = summary["max_share"]?.doubleValue {
            lines.append("   max_share \(share): \(number(summary, "slots_over_cap")) copies over the cap in \(number(summary, "strata")) strata")
        }
        return lines
    }

    private static func dedup(_ s: StageStats, _ summary: JSONObject) -> [String] {
        let verb = summary["action"]?.stringValue == "tag" ? "duplicates tagged with their cluster, none removed" : "records removed"
        var lines = ["", "#\(s.index + 1) dedup: \(number(summary, "clusters")) duplicate clusters, \(number(summary, "removed")) \(verb)"
                     + " (" + (summary["removed_by"]?.objectValue ?? JSONObject()).map { "\($0.key) \(Format.count($0.value.intValue ?? 0))" }.joined(separator: ", ") + ")"]
        let sizes = (summary["cluster_sizes"]?.objectValue ?? JSONObject()).map { "\($0.key): \(Format.count($0.value.intValue ?? 0))" }
        if !sizes.isEmpty { lines.append("   cluster sizes  " + sizes.joined(separator: "  ")) }
        if let sim = summary["simhash"]?.objectValue {
            lines.append("   simhash  \(number(sim, "bits")) bits, k \(number(sim, "k")), \(number(sim, "blocks")) blocks / \(number(sim, "tables")) tables; "
                         + "\(number(sim, "fingerprinted")) fingerprinted, \(number(summary, "exact_only")) too short (exact only), "
                         + "\(number(sim, "candidates")) candidates, \(number(sim, "pairs_within_k")) pairs within k, "
                         + "\(number(sim, "rejected_by_jaccard")) rejected by Jaccard, \(number(sim, "oversized_buckets")) oversized buckets")
        }
        if let c = summary["containment"]?.objectValue {
            lines.append("   containment  threshold \(c["threshold"]?.doubleValue ?? 0), 1 in \(number(c, "sample")) shingles; "
                         + "\(number(c, "compared")) records compared, \(number(c, "removed")) inside a larger one")
        }
        if let against = summary["against"]?.arrayValue {
            lines.append("   against  " + against.compactMap(\.stringValue).joined(separator: ", ") + " (\(number(summary, "reference_records")) records)")
        }
        return lines
    }
}

/// A progress line on stderr, redrawn in place: rows, rows/s, MB/s, and ETA when the input
/// size is known.
final class ProgressLine: @unchecked Sendable {
    private let started = Date()
    private var last = Date.distantPast
    private let lock = NSLock()

    func update(_ s: ProgressSnapshot) {
        lock.lock(); defer { lock.unlock() }
        let now = Date()
        guard now.timeIntervalSince(last) > 0.2 else { return }
        last = now
        let t = max(now.timeIntervalSince(started), 0.001)
        var line = "\(s.phase): \(Format.count(s.rows)) rows, \(Format.count(Int(Double(s.rows) / t)))/s"
        if s.phase == "ingest" {
            line += String(format: ", %.1f MB/s", Double(s.bytesRead) / 1e6 / t)
            if s.totalBytes > 0, s.bytesRead > 0 {
                let fraction = min(1, Double(s.bytesRead) / Double(s.totalBytes))
                line += String(format: ", %.0f%%, ETA %@", fraction * 100, Format.seconds(t / max(fraction, 0.001) - t))
            }
        }
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
    }

    func finish() {
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}

extension BodyCodec.Compression: ExpressibleByArgument {}
