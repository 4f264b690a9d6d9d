#if canImport(Glibc)
import Glibc
#endif

/// Settings that change how fast a build runs, never what it produces.
public struct ExecutionOptions: Sendable {
    public var threads: Int
    public var batchSize: Int
    public var maxErrorRate: Double
    /// Where barrier stages spool records.
    public var temporaryDirectory: String
    /// How record bodies are compressed for the store (``BodyCodec``): the bytes on disk, never
    /// the records, their hashes or the version id.
    public var compression: BodyCodec.Compression
    /// Called after each batch (on the calling thread).
    public var progress: (@Sendable (ProgressSnapshot) -> Void)?

    public init(threads: Int = 1, batchSize: Int = 2048, maxErrorRate: Double = 0.01,
                temporaryDirectory: String = "/tmp", compression: BodyCodec.Compression = .lz4,
                progress: (@Sendable (ProgressSnapshot) -> Void)? = nil) {
        self.threads = threads
        self.compression = compression
        self.batchSize = batchSize
        self.maxErrorRate = maxErrorRate
        self.temporaryDirectory = temporaryDirectory
        self.progress = progress
    }
}

/// Where a build is, for progress lines.
public struct ProgressSnapshot: Sendable {
    public var phase: String
    public var rows: Int
    public var bytesRead: Int
    public var totalBytes: Int
}

/// What a finished build did.
public struct ExecutionReport: Sendable {
    public var rowsRead = 0
    public var recordsOut = 0
    public var quarantined = 0
    /// Ingest counted as stage -1: rows in, records out, rows quarantined.
    public var ingest = StageStats(index: -1, name: "ingest")
    public var stages: [StageStats] = []
    /// Per input file: records decoded and rows quarantined.
    public var perFile: [(records: Int, quarantined: Int)] = []
    /// Signatures global stages want kept with the version.
    public var signatures: [RecordSignatures] = []
}

/// Streams records from a source through the stages into a sink.
///
/// Per-record work runs in parallel over batches; results are re-assembled in input order.
/// A ``GlobalStage`` splits the pipeline into segments: the records reaching it are spooled to
/// disk while it observes them, then the next segment streams from the spool. Memory is one
/// batch per segment plus whatever compact state the global stages keep.
public final class Executor {
    private var stages: [any Stage]
    private let options: ExecutionOptions
    private let runner: OrderedParallelMap

    /// The pipeline's `pii` stage, if any: what must never reach the store raw.
    private let scrubber: (any RecordScrubber)?
    /// Keys of the children each expanding stage has added so far (by stage position).
    private var childKeys: [Int: Set<RecordHash>] = [:]
    /// The ordinal the next added child gets: children come after every ingested record.
    private var nextChildOrdinal: Int?

    public init(stages: [any Stage], options: ExecutionOptions) {
        self.stages = stages
        self.options = options
        self.runner = OrderedParallelMap(threads: options.threads)
        scrubber = stages.lazy.compactMap { $0 as? any RecordScrubber }.first
    }

    public func run(source: RecordSource, decoder: any RawItemDecoder, sink: BuildSink) throws -> ExecutionReport {
        // With spare cores, the store writes one batch while the next is processed.
        let pipelined = options.threads > 1 ? PipelinedSink(sink) : nil
        let sink: BuildSink = pipelined ?? sink
        do {
            let report = try execute(source: source, decoder: decoder, sink: sink)
            try pipelined?.drain()
            return report
        } catch {
            try? pipelined?.drain()
            throw error
        }
    }

    private func execute(source: RecordSource, decoder: any RawItemDecoder, sink: BuildSink) throws -> ExecutionReport {
        var report = ExecutionReport()
        report.stages = stages.map { StageStats(index: $0.index, name: $0.name) }
        report.perFile = Array(repeating: (0, 0), count: source.files.count)

        // Segment boundaries: every global stage starts a new segment.
        var starts = [0]
        for (k, stage) in stages.enumerated() where k > 0 && stage is any GlobalStage { starts.append(k) }
        let segments: [Range<Int>] = starts.enumerated().map { k, start in
            start..<(k + 1 < starts.count ? starts[k + 1] : stages.count)
        }
        let globalFirst = stages.first is any GlobalStage

        // Segment 0 reads the source. If the pipeline starts with a global stage, segment 0 runs
        // no stages and everything is spooled for it.
        let firstRange = globalFirst ? 0..<0 : segments[0]
        let laterSegments = globalFirst ? segments : Array(segments.dropFirst())
        var spool: Spool? = laterSegments.isEmpty ? nil
            : try Spool(directory: options.temporaryDirectory, name: "winnow-spool-\(getpid())-0.jsonl")
        var nextOrdinal = 0

        while let raw = try source.nextBatch(maxCount: options.batchSize) {
            let base = nextOrdinal
            nextOrdinal += raw.count
            report.rowsRead += raw.count
            report.ingest.input += raw.count
            let withholdExcerpts = scrubber != nil
            let decoded: [(Decoded, Double)] = runner.map(Array(raw.enumerated())) { chunk, context in
                let start = ContinuousClock.now
                var out: [(Decoded, Double)] = chunk.map { offset, item in
                    switch decoder.decode(item, context) {
                    case .success(let fields):
                        return (.record(Record(fields: fields, provenance: item.provenance, ordinal: base + offset)), 0)
                    case .failure(let failure):
                        return (.failed(QuarantineEntry(provenance: item.provenance, stage: "ingest", reason: failure.reason,
                                                        excerpt: withholdExcerpts ? QuarantineEntry.withheld : failure.excerpt)), 0)
                    }
                }
                if !out.isEmpty { out[out.count - 1].1 = seconds(ContinuousClock.now - start) }
                return out
            }
            var items: [WorkItem] = []
            var ingestQuarantine: [QuarantineEntry] = []
            for (d, time) in decoded {
                report.ingest.seconds += time
                switch d {
                case .record(let r):
                    report.perFile[r.provenance.input].records += 1
                    items.append(WorkItem(record: r, pending: []))
                case .failed(let q):
                    report.perFile[q.provenance.input].quarantined += 1
                    ingestQuarantine.append(q)
                }
            }
            report.ingest.output += items.count
            report.ingest.quarantined += ingestQuarantine.count
            try process(items, range: firstRange, final: spool == nil, quarantine: ingestQuarantine,
                        spool: spool, observer: laterSegments.first?.lowerBound, sink: sink, report: &report)
            options.progress?(ProgressSnapshot(phase: "ingest", rows: report.rowsRead,
                                               bytesRead: source.bytesRead, totalBytes: source.totalBytes))
        }
        report.ingest.discarded = source.skipped
        try checkIngest(source: source, report: report)

        for (k, segment) in laterSegments.enumerated() {
            guard let input = spool else { break }
            try input.rewind()
            var global = takeGlobalStage(at: segment.lowerBound)
            let finishStart = ContinuousClock.now
            try global.finishObserving(threads: options.threads)
            report.stages[segment.lowerBound].seconds += seconds(ContinuousClock.now - finishStart)
            stages[segment.lowerBound] = global
            report.stages[segment.lowerBound].summary = global.summary
            if var signatures = global.signatures {
                signatures.stageIndex = global.index
                report.signatures.append(signatures)
            }
            let isLast = k == laterSegments.count - 1
            let output: Spool? = isLast ? nil
                : try Spool(directory: options.temporaryDirectory, name: "winnow-spool-\(getpid())-\(k + 1).jsonl")
            var processed = 0
            while let items = try input.read(maxCount: options.batchSize) {
                processed += items.count
                // A later segment starts at the global stage that decided; it may wait for records.
                if (stages[segment.lowerBound] as? any GlobalStage)?.awaitsRecords == true {
                    var first = takeGlobalStage(at: segment.lowerBound)
                    for item in items where first.awaits(ordinal: item.record.ordinal) { first.prepare(item.record) }
                    stages[segment.lowerBound] = first
                }
                try process(items, range: segment, final: isLast, quarantine: [], spool: output,
                            observer: isLast ? nil : laterSegments[k + 1].lowerBound, sink: sink, report: &report)
                options.progress?(ProgressSnapshot(phase: stages[segment.lowerBound].name, rows: processed,
                                                   bytesRead: processed, totalBytes: input.count))
            }
            spool = output
        }

        for stats in report.stages where stats.input > 0 && stats.output == 0 {
            let top = stats.rules.max { $0.value < $1.value }.map { " (rule `\($0.key)`: \($0.value))" } ?? ""
            throw WinnowError.build("stage #\(stats.index + 1) `\(stats.name)` dropped all \(stats.input) records\(top); refusing to build an empty dataset")
        }
        let rate = Double(report.quarantined) / Double(max(report.rowsRead, 1))
        if rate > options.maxErrorRate {
            throw WinnowError.build("\(report.quarantined) of \(report.rowsRead) rows quarantined (\(percent(rate))), over max_error_rate \(percent(options.maxErrorRate)); see the reasons with --verbose or raise max_error_rate")
        }
        return report
    }

    private enum Decoded { case record(Record), failed(QuarantineEntry) }

    /// Moves a global stage out of `stages` (leaving a placeholder) so it can be mutated in place.
    private func takeGlobalStage(at k: Int) -> any GlobalStage {
        let global = stages[k] as! any GlobalStage
        stages[k] = PlaceholderStage(index: global.index)
        return global
    }

    private enum Fate {
        /// Kept: stored (final), or spooled for the next barrier with its summary.
        case kept(FinalRecord?, WorkItem, [LedgerEntry], (any Sendable)?)
        case dropped([LedgerEntry], RecordHash, StoredBody)
        case quarantined(QuarantineEntry)

        /// The same fate for a record renumbered to `ordinal` (an added child).
        func renumbered(_ ordinal: Int) -> Fate {
            func fix(_ ledger: [LedgerEntry]) -> [LedgerEntry] { ledger.map { var e = $0; e.ordinal = ordinal; return e } }
            switch self {
            case .kept(var final, var item, let ledger, let summary):
                final?.ordinal = ordinal
                item.record.ordinal = ordinal
                item.pending = fix(item.pending)
                return .kept(final, item, fix(ledger), summary)
            case .dropped(let ledger, let hash, let body):
                return .dropped(fix(ledger), hash, body)
            case .quarantined:
                return self
            }
        }
    }

    /// A record an expanding stage added: the stage's position and the child's key.
    private struct ChildMark {
        var stage: Int
        var key: RecordHash
    }

    /// Runs one batch through a segment's stages and hands the results on, in input order.
    private func process(_ items: [WorkItem], range: Range<Int>, final: Bool, quarantine: [QuarantineEntry],
                         spool: Spool?, observer: Int?, sink: BuildSink, report: inout ExecutionReport) throws {
        let results = runStages(items, range: range, final: final, observer: observer)
        var output = BatchOutput()
        output.quarantine = quarantine
        // The observing stage leaves the array while it observes, so its state (which may hold a
        // growing array) is uniquely referenced and appends never copy it.
        var observing = observer.map { takeGlobalStage(at: $0) }
        defer { if let observer, let observing { stages[observer] = observing } }
        report.quarantined += quarantine.count
        for (outcome, stats) in results {
            if let stats { for (k, s) in stats.enumerated() { report.stages[k].merge(s) } }
            var fate = outcome.fate
            if let mark = outcome.child {
                // Children are checked for repeats and numbered here, in output order, so the
                // result does not depend on which worker made them.
                guard childKeys[mark.stage, default: []].insert(mark.key).inserted else {
                    report.stages[mark.stage].added -= 1
                    report.stages[mark.stage].discarded[Offspring.duplicateChild, default: 0] += 1
                    continue
                }
                let ordinal = nextChildOrdinal ?? report.rowsRead
                nextChildOrdinal = ordinal + 1
                fate = fate.renumbered(ordinal)
            }
            switch fate {
            case .kept(let final, let item, let ledger, let summary):
                if let final {
                    output.records.append(final)
                    output.ledger.append(contentsOf: ledger)
                    report.recordsOut += 1
                } else if let spool {
                    try spool.append(item)
                    try observing?.observe(item.record, summary: summary)
                }
            case .dropped(let ledger, let hash, let body):
                output.ledger.append(contentsOf: ledger)
                output.droppedBodies.append((hash, body))
            case .quarantined(let q):
                output.quarantine.append(q)
                report.quarantined += 1
            }
        }
        try sink.consume(output)
    }

    /// The parallel part of a batch. A separate function so that its copy of `stages` is gone
    /// before the observing stage is mutated.
    private func runStages(_ items: [WorkItem], range: Range<Int>, final: Bool, observer: Int?) -> [((fate: Fate, child: ChildMark?), [StageStats]?)] {
        let stages = self.stages
        let scrubber = self.scrubber
        let template = stages.map { StageStats(index: $0.index, name: $0.name) }
        // Looked up once per batch rather than cast for every record at every stage.
        let expanders = stages.map { $0 as? any ExpandingStage }
        let compression = options.compression
        return runner.map(items) { chunk, context in
            var stats = template
            var out: [((fate: Fate, child: ChildMark?), [StageStats]?)] = []
            out.reserveCapacity(chunk.count)
            let summarizer = observer.map { stages[$0] as? any GlobalStage } ?? nil
            // The worker's compressor, looked up once per chunk rather than for every record.
            let compressor = context.cached("compressor") { BodyCompressor(compression) }
            for item in chunk {
                for var outcome in Executor.run(item, through: stages, expanders, range: range, final: final, scrubber: scrubber,
                                                compressor: compressor, context, &stats) {
                    if let summarizer, let observer, case .kept(nil, let item, let ledger, _) = outcome.fate {
                        let start = ContinuousClock.now
                        defer { stats[observer].seconds += seconds(ContinuousClock.now - start) }
                        do {
                            outcome.fate = .kept(nil, item, ledger, try summarizer.summarize(item.record, context))
                        } catch {
                            outcome.fate = .quarantined(QuarantineEntry(provenance: item.record.provenance, stage: summarizer.name,
                                                                        reason: "\(summarizer.name): \(error)",
                                                                        excerpt: Executor.excerpt(item.record, withheld: scrubber != nil)))
                        }
                    }
                    out.append((outcome, nil))
                }
            }
            if !out.isEmpty { out[out.count - 1].1 = stats }
            return out
        }
    }

    /// What the quarantine keeps of a record: its start, or nothing while the pipeline masks PII.
    private static func excerpt(_ record: Record, withheld: Bool) -> String {
        withheld ? QuarantineEntry.withheld : QuarantineEntry.excerpt(of: JSONWriter.compactBytes(.object(record.fields)))
    }

    /// Runs one record through `range`; returns its fate, then the fates of any children an
    /// expanding stage added (each run through the stages after that one).
    private static func run(_ item: WorkItem, through stages: [any Stage], _ expanders: [(any ExpandingStage)?],
                            range: Range<Int>, final: Bool, scrubber: (any RecordScrubber)?, compressor: BodyCompressor,
                            _ context: StageContext, _ stats: inout [StageStats]) -> [(fate: Fate, child: ChildMark?)] {
        var item = item
        var children: [(fate: Fate, child: ChildMark?)] = []
        for k in range {
            let stage = stages[k]
            stats[k].input += 1
            let start = ContinuousClock.now
            let verdict: StageVerdict
            do { verdict = try stage.process(&item.record, context) } catch {
                verdict = .quarantine(reason: "\(stage.name): \(error)")
            }
            stats[k].seconds += seconds(ContinuousClock.now - start)
            let changes = context.takeChanges()
            if !changes.isEmpty {
                stats[k].changed += 1
                for change in changes {
                    stats[k].rules[change.rule, default: 0] += 1
                    item.pending.append(LedgerEntry(ordinal: item.record.ordinal, provenance: item.record.provenance,
                                                    stageIndex: stage.index, stage: stage.name, rule: change.rule,
                                                    action: .change, detail: change.detail))
                }
            }
            switch verdict {
            case .keep:
                stats[k].output += 1
                if let expanding = expanders[k] {
                    let offspring: Offspring
                    let made = ContinuousClock.now
                    do { offspring = try expanding.offspring(of: item.record, context) } catch {
                        // The parent stays; only its children are lost, and counted.
                        stats[k].discarded["error: \(error)", default: 0] += 1
                        continue
                    }
                    stats[k].seconds += seconds(ContinuousClock.now - made)
                    for reason in offspring.discarded { stats[k].discarded[reason, default: 0] += 1 }
                    for child in offspring.children {
                        stats[k].added += 1
                        let pending = child.ledger.map {
                            LedgerEntry(ordinal: child.record.ordinal, provenance: child.record.provenance, stageIndex: stage.index,
                                        stage: stage.name, rule: $0.rule, action: .add, detail: $0.detail)
                        }
                        let rest = (k + 1)..<range.upperBound
                        for outcome in run(WorkItem(record: child.record, pending: pending), through: stages, expanders, range: rest,
                                           final: final, scrubber: scrubber, compressor: compressor, context, &stats) {
                            children.append((outcome.fate, outcome.child ?? ChildMark(stage: k, key: child.key)))
                        }
                    }
                }
            case .drop(let rule, let detail):
                stats[k].dropped += 1
                stats[k].rules[rule, default: 0] += 1
                let stored = scrubber?.scrub(item.record.fields, context) ?? item.record.fields
                let (compact, canonical) = JSONWriter.compactAndCanonical(stored)
                let body = StoredBody(compact, compressor: compressor)
                let hash = RecordHash(canonicalBytes: canonical)
                var ledger = item.pending.map { e -> LedgerEntry in var e = e; e.recordHash = hash; return e }
                ledger.append(LedgerEntry(ordinal: item.record.ordinal, provenance: item.record.provenance,
                                          stageIndex: stage.index, stage: stage.name, rule: rule, action: .drop,
                                          recordHash: hash, detail: detail))
                return [(.dropped(ledger, hash, body), nil)] + children
            case .quarantine(let reason):
                stats[k].quarantined += 1
                return [(.quarantined(QuarantineEntry(provenance: item.record.provenance, stage: stage.name, reason: reason,
                                                      excerpt: excerpt(item.record, withheld: scrubber != nil))), nil)] + children
            }
        }
        guard final else { return [(.kept(nil, item, [], nil), nil)] + children }
        let (compact, canonical) = JSONWriter.compactAndCanonical(item.record.fields)
        let hash = RecordHash(canonicalBytes: canonical)
        let ledger = item.pending.map { e -> LedgerEntry in var e = e; e.recordHash = hash; return e }
        let record = FinalRecord(ordinal: item.record.ordinal, provenance: item.record.provenance, hash: hash,
                                 body: StoredBody(compact, compressor: compressor),
                                 split: item.record.split ?? item.record.string("split") ?? "all",
                                 label: item.record.fields[FieldRole.label.rawValue].map(\.displayText),
                                 id: item.record.fields[FieldRole.id.rawValue].map(\.displayText))
        return [(.kept(record, item, ledger, nil), nil)] + children
    }

    private func checkIngest(source: RecordSource, report: ExecutionReport) throws {
        let skipped = source.skipped.isEmpty ? ""
            : "; the input's filters skipped " + source.skipped.sorted { $0.key < $1.key }.map { "\($0.value) (\($0.key))" }.joined(separator: ", ")
        if report.rowsRead == 0 {
            throw WinnowError.build("the inputs hold no rows (\(source.files.map(\.path).joined(separator: ", ")))" + skipped)
        }
        for (k, file) in source.files.enumerated() where report.perFile[k].records == 0 {
            let q = report.perFile[k].quarantined
            throw WinnowError.build("input `\(file.path)` yielded no records"
                                    + (q > 0 ? " (\(q) rows quarantined)" : skipped.isEmpty ? " (the file is empty)" : "") + skipped)
        }
    }
}

/// Stands in for a global stage while it is being mutated.
private struct PlaceholderStage: Stage {
    let name = "placeholder"
    let index: Int
    func process(_ record: inout Record, _ context: StageContext) throws -> StageVerdict { .keep }
}

func seconds(_ d: Duration) -> Double {
    Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
}

func percent(_ x: Double) -> String {
    let p = (x * 10000).rounded() / 100
    return "\(p)%"
}
