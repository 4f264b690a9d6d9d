import ArgumentParser
import Foundation
import WinnowCore
import WinnowStages

/// Ingest alone: what Winnow makes of HTML pages, XML files or a MediaWiki dump, as JSONL,
/// without building a version. For checking extraction rules on a site before writing the
/// pipeline, and for timing the readers (`Benchmarks/`).
struct Extract: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the records an input makes (HTML, XML, MediaWiki, any input format) as JSONL, without a build.",
        discussion: """
        Runs ingest exactly as `winnow run` would for an input entry with these options: the same
        charset detection, HTML main-text rules, XML streaming and wikitext conversion. Quarantined
        rows and skipped pages are summarised on stderr with throughput and peak memory.
        """)

    @Argument(help: "Files, directories or globs.") var paths: [String]
    @Option(name: .long, help: "Input format (default: from the file name): jsonl, csv, tsv, text, html, xml, mediawiki.") var format: String?
    @Option(name: .long, help: "HTML: main (default) or all.") var mode: String?
    @Option(name: .long, help: "XML: the element that makes one record.") var record: String?
    @Option(name: .long, help: "XML: FIELD=PATH, repeatable (e.g. text=body, id=@id).") var field: [String] = []
    @Option(name: .long, help: "MediaWiki: namespace numbers to keep, comma-separated (default 0).") var namespaces: String?
    @Flag(name: .long, help: "MediaWiki: keep redirect pages.") var redirects = false
    @Option(name: .long, help: "More keys of the input entry as a JSON object, e.g. '{\"html\": {\"mode\": \"all\", \"boilerplate_names\": []}}'.") var options: String?
    @Option(name: .long, help: "Worker threads (default: all cores).") var threads: Int?
    @Flag(name: .long, help: "Print only the summary, not the records.") var quiet = false
    @Flag(name: .long, help: "Add `_source`, the file each record came from.") var source = false

    func run() throws {
        var input = JSONObject([("path", .array(paths.map(JSONValue.string)))])
        if let format { input["format"] = .string(format) }
        if let mode { input["html"] = .object(JSONObject([("mode", .string(mode))])) }
        if let record {
            var fields = JSONObject()
            for spec in field {
                guard let eq = spec.firstIndex(of: "=") else { throw WinnowError.usage("--field is FIELD=PATH, got `\(spec)`") }
                fields[String(spec[..<eq])] = .string(String(spec[spec.index(after: eq)...]))
            }
            var xml = JSONObject([("record", .string(record))])
            if !fields.isEmpty { xml["fields"] = .object(fields) }
            input["xml"] = .object(xml)
        }
        if namespaces != nil || redirects {
            var wiki = JSONObject()
            if let namespaces {
                wiki["namespaces"] = .array(namespaces.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
                    .map { .number(JSONNumber($0)) })
            }
            if redirects { wiki["redirects"] = .string("keep") }
            input["mediawiki"] = .object(wiki)
        }
        if let options {
            let parsed = try? Array(options.utf8).withUnsafeBufferPointer { try JSONParser.parse($0) }
            guard let extra = parsed?.objectValue else { throw WinnowError.usage("--options must be a JSON object, got `\(options)`") }
            for member in extra.members { input[member.key] = member.value }
        }
        let root = JSONObject([("dataset", .string("extract")), ("max_error_rate", .number(JSONNumber(1))),
                               ("inputs", .array([.object(input)]))])
        let origin = FileManager.default.currentDirectoryPath + "/(command line)"
        let definition = try PipelineLoader.load(bytes: JSONWriter.compactBytes(.object(root)), file: origin)
        let compiled = try PipelineCompiler.compile(definition, file: "(command line)")
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let executor = Executor(stages: [], options: ExecutionOptions(threads: max(1, threads ?? cores), maxErrorRate: 1))
        let sink = JSONLinesSink(quiet: quiet, sources: source ? compiled.files.map(\.path) : nil)
        let source = compiled.makeSource()
        let start = Date()
        func printQuarantine() {
            for q in sink.quarantine {
                FileHandle.standardError.write(Data("quarantined: \(source.files[q.provenance.input].path):\(q.provenance.line): \(q.reason)\n".utf8))
            }
        }
        let report: ExecutionReport
        do { report = try executor.run(source: source, decoder: compiled.decoder, sink: sink) } catch {
            printQuarantine()
            throw error
        }
        let seconds = Date().timeIntervalSince(start)
        var summary = "\(report.ingest.output) records from \(source.files.count) files (\(Format.bytes(source.totalBytes)))"
        if report.quarantined > 0 { summary += ", \(report.quarantined) quarantined" }
        for (reason, n) in source.skipped.sorted(by: { $0.key < $1.key }) { summary += ", \(n) skipped (\(reason))" }
        summary += String(format: " in %.2f s: %.2f MB/s; peak RSS %d MB", seconds,
                          Double(source.totalBytes) / 1e6 / max(seconds, 1e-9), peakRSSMegabytes())
        FileHandle.standardError.write(Data((summary + "\n").utf8))
        printQuarantine()
        for file in source.files where !file.encoding.hasPrefix("utf-8") || file.encoding.contains("ignored") || file.encoding.contains("replaced") {
            FileHandle.standardError.write(Data("charset: \(file.path): \(file.encoding)\n".utf8))
        }
    }
}

/// Writes each record's JSON on its own line to stdout.
private final class JSONLinesSink: BuildSink {
    let quiet: Bool
    /// `"_source":"path",` per input file, spliced in after the opening brace.
    let sourceMembers: [[UInt8]]?
    var quarantine: [QuarantineEntry] = []

    init(quiet: Bool, sources: [String]?) {
        self.quiet = quiet
        sourceMembers = sources?.map { JSONWriter.compactBytes(.string("_source")) + [0x3A] + JSONWriter.compactBytes(.string($0)) }
    }

    func consume(_ output: BatchOutput) throws {
        quarantine += output.quarantine
        guard !quiet else { return }
        var out: [UInt8] = []
        for record in output.records {
            guard let json = BodyCodec.decode(encoding: record.body.encoding, data: record.body.data, size: record.body.size) else { continue }
            if let members = sourceMembers, json.first == 0x7B {
                out.append(0x7B)
                out += members[record.provenance.input]
                if json.count > 2 { out.append(0x2C) }
                out += json.dropFirst()
            } else {
                out += json
            }
            out.append(0x0A)
        }
        FileHandle.standardOutput.write(Data(out))
    }
}
