import ArgumentParser
import Dispatch
import Foundation
import WinnowCore
import WinnowStages

/// A pipeline's stages over a JSONL file, without the store: the job the Python reference
/// tasks do (parse each line, change or judge its text, write JSONL or the removed ids), so the
/// two can be compared like for like. A whole `winnow run` does more: content hashes of every
/// record, compression, the ledger and a transactional store write.
///
/// A global stage (dedup, split) needs every record before it decides, so it ends a pass: the
/// records reaching it are signed in parallel, observed in input order and written to a
/// temporary JSONL file; once the pass ends it decides, and the next pass reads that file through
/// it and the stages after it. Memory: one batch of records, plus what the global stages keep
/// (for dedup, its signatures) and one ordinal per spooled record.
///
/// Lines are read a batch at a time; each batch is cut into contiguous parts of about equal
/// size, one per thread, and written back in input order, so the output does not depend on
/// the thread count. A record no stage of a pass changed is written as the line it was read from
/// (it parsed, so it is valid JSON and UTF-8); a changed one is serialised again. Records a
/// stage drops or quarantines, and lines that are not a JSON object, are counted and not written.
struct BenchStages: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stages", abstract: "Time a pipeline's stages over JSONL, JSONL out, no store.")

    @Option(name: .long, help: "The pipeline whose stages run.") var pipeline: String
    @Option(name: .long, help: "JSONL file.") var input: String
    @Option(name: .long, help: "Where the JSONL output goes.") var output: String
    @Option(name: .long, help: "Also write the id (the pipeline's `id` field) of every dropped record here, one per line.")
    var droppedIds: String?
    @Option(name: .long, help: "Threads.") var threads = 1
    @Option(name: .long, help: "KiB read per batch (a batch is the complete lines in them; default 512 per thread, at least 1024).")
    var blockKib: Int?

    func validate() throws {
        if threads < 1 { throw ValidationError("--threads must be at least 1") }
        if let blockKib, blockKib < 1 { throw ValidationError("--block-kib must be at least 1") }
    }

    func run() throws {
        let definition = try PipelineLoader.load(path: pipeline)
        var stages = try PipelineCompiler.compile(definition, file: pipeline).stages
        if let expanding = stages.first(where: { $0 is any ExpandingStage }) {
            throw WinnowError.usage("`bench stages` does not run `\(expanding.name)`, which adds records (use `winnow run`)")
        }
        let dropped = try droppedIds.map { path -> UnsafeMutablePointer<FILE> in
            guard let f = fopen(path, "w") else { throw WinnowError.usage("cannot write `\(path)`") }
            return f
        }
        defer { if let dropped { fclose(dropped) } }
        // Fields keep the names they have in the file (no role renames), so the id is the first input's `id` source field.
        let idField = definition.inputs.first?.fields[.id] ?? FieldRole.id.rawValue
        let globals = stages.indices.filter { stages[$0] is any GlobalStage }
        let spool = FileManager.default.temporaryDirectory
            .appendingPathComponent("winnow-bench-\(ProcessInfo.processInfo.processIdentifier)").path
        // Each pass that ends at a global stage writes `spool.N`; none outlives the run, even on an error.
        defer { for pass in globals.indices { try? FileManager.default.removeItem(atPath: spool + ".\(pass)") } }

        var totals = BenchPass.Counts()
        var source = input
        var carried = BenchPass.Carried()
        var from = 0
        let start = Date()
        var phases: [String] = []
        for pass in 0...globals.count {
            let passStart = Date()
            let end = pass < globals.count ? globals[pass] : stages.count
            let observer = pass < globals.count ? stages[end] as? any GlobalStage : nil
            let passStages = Array(stages[from..<end])
            // A pass that only observes (no stage before the global one changes or drops a
            // record) writes nothing: the next pass reads the same file again.
            let spools = observer != nil && !passStages.isEmpty
            let target: String? = observer == nil ? output : spools ? spool + ".\(pass)" : nil
            var runner = BenchPass(stages: passStages, observer: observer, idField: idField,
                                   threads: threads, blockSize: (blockKib ?? max(1024, 512 * threads)) << 10, carried: carried, spools: spools)
            let counts = try runner.run(from: source, to: target, dropped: dropped)
            if pass == 0 {
                totals.records = counts.records
                totals.bytesIn = counts.bytesIn
                totals.unreadable = counts.unreadable
            }
            totals.dropped += counts.dropped
            totals.quarantined += counts.quarantined
            totals.written = counts.written
            totals.changed = counts.changed
            phases.append(String(format: "pass %d %.2f s", pass + 1, Date().timeIntervalSince(passStart)))
            if var global = runner.observer {
                let decideStart = Date()
                try global.finishObserving(threads: threads)
                stages[end] = global
                phases.append(String(format: "%@ decides %.2f s", global.name, Date().timeIntervalSince(decideStart)))
            }
            carried = runner.passedOn
            if let target, observer != nil {
                if source != input { try? FileManager.default.removeItem(atPath: source) }
                source = target
            }
            from = end
        }
        let seconds = Date().timeIntervalSince(start)
        print(String(format: "%d records in (%.1f MB), %d out, %d changed, %d dropped, %d quarantined, %d unreadable; %d threads: %.2f s, %.1f MB/s; peak RSS %d MB",
                     totals.records, Double(totals.bytesIn) / 1e6, totals.written, totals.changed, totals.dropped, totals.quarantined, totals.unreadable,
                     threads, seconds, Double(totals.bytesIn) / 1e6 / seconds, peakRSSMegabytes())
              + (phases.count > 1 ? " (" + phases.joined(separator: ", ") + ")" : ""))
    }
}

/// One pass over a JSONL file: per-record stages, then (when a global stage ends the pass) its
/// per-record summary and, in input order, its observation of every record that reached it.
private struct BenchPass {
    struct Counts {
        var records = 0, bytesIn = 0, written = 0, changed = 0, dropped = 0, quarantined = 0, unreadable = 0
        mutating func add(_ o: Counts) {
            records += o.records; bytesIn += o.bytesIn; written += o.written
            changed += o.changed; dropped += o.dropped; quarantined += o.quarantined; unreadable += o.unreadable
        }
    }

    /// What the lines of a pass's input stand for: each line's record ordinal (`nil`: the line
    /// number), whether an earlier pass changed it, and whether it takes part at all (a pass
    /// that only observed leaves the lines it did not keep in the file it read).
    struct Carried {
        var ordinals: [Int]?
        var changed: [Bool]?
        var included: [Bool]?

        func ordinal(ofLine line: Int) -> Int { ordinals?[line] ?? line }
        func changed(line: Int) -> Bool { changed?[line] ?? false }
        func includes(line: Int) -> Bool { included?[line] ?? true }
    }

    let stages: [any Stage]
    private(set) var observer: (any GlobalStage)?
    let idField: String
    let threads: Int
    /// Bytes read per batch; a longer line grows the buffer.
    let blockSize: Int
    let carried: Carried
    /// Whether the records this pass keeps are written for the next pass (else the next pass
    /// reads this pass's input again).
    let spools: Bool
    /// What the next pass's input lines stand for.
    private(set) var passedOn: Carried

    init(stages: [any Stage], observer: (any GlobalStage)?, idField: String, threads: Int, blockSize: Int,
         carried: Carried, spools: Bool) {
        self.stages = stages
        self.observer = observer
        self.idField = idField
        self.threads = threads
        self.blockSize = blockSize
        self.carried = carried
        self.spools = spools
        passedOn = spools ? Carried(ordinals: [], changed: [], included: nil)
            : Carried(ordinals: carried.ordinals, changed: carried.changed, included: observer == nil ? nil : [])
    }

    mutating func run(from input: String, to output: String?, dropped: UnsafeMutablePointer<FILE>?) throws -> Counts {
        guard let file = fopen(input, "r") else { throw WinnowError.usage("cannot read `\(input)`") }
        defer { fclose(file) }
        let out = try output.map { path -> UnsafeMutablePointer<FILE> in
            // An existing regular file is replaced, not truncated: ext4 flushes a file that was
            // truncated and rewritten when it is closed (auto_da_alloc; `dd` of 100 MB: 0.13–0.27 s
            // over an existing file, 0.06 s to a new one). Devices (`/dev/null`) are opened as they are.
            var info = stat()
            if stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG { unlink(path) }
            guard let f = fopen(path, "w") else { throw WinnowError.usage("cannot write `\(path)`") }
            return f
        }
        defer { if let out { fclose(out) } }
        let workers = BenchWorkers(stages: stages, summarizer: observer, idField: idField, carried: carried, workers: threads,
                                   writes: out != nil, keepsOrdinals: spools, tracksInclusion: passedOn.included != nil)
        // Input is read in blocks into one reused buffer; a batch is the complete lines of a
        // block (the partial last line moves to the front of the next block). Blocks of about a
        // MiB keep the memory touched small: the PII bench with 16 MiB blocks peaked at 65 MB
        // with 14,400 page faults, with 1 MiB at 33 MB with 2,200, and ran about 4% faster.
        var block = [UInt8](repeating: 0, count: blockSize)
        var filled = 0
        var lineNumber = 0
        var totals = Counts()
        var atEnd = false
        while !atEnd || filled > 0 {
            if !atEnd {
                if filled == block.count { block += [UInt8](repeating: 0, count: block.count) }  // a line longer than a block
                let got = block.withUnsafeMutableBufferPointer { fread($0.baseAddress! + filled, 1, $0.count - filled, file) }
                filled += got
                if got == 0 { atEnd = true }
            }
            var lines: [Range<Int>] = []
            var consumed = 0
            block.withUnsafeBufferPointer { buf in
                var k = 0
                while k < filled {
                    guard let nl = memchr(buf.baseAddress! + k, 0x0A, filled - k) else { break }
                    let end = buf.baseAddress!.distance(to: nl.assumingMemoryBound(to: UInt8.self))
                    lines.append(k..<end)
                    k = end + 1
                }
                consumed = k
                if atEnd && k < filled { lines.append(k..<filled); consumed = filled }  // no final newline
            }
            guard !lines.isEmpty else { if atEnd { break }; continue }
            let first = lineNumber
            lineNumber += lines.count
            let parts = BalancedPartition.ranges(lines.map(\.count), parts: threads)
            block.withUnsafeBufferPointer { buf in
                let batch = BenchWorkers.Input(buffer: buf, lines: lines)
                DispatchQueue.concurrentPerform(iterations: threads) { w in
                    workers.process(batch, parts[w], firstLine: first, worker: w)
                }
            }
            for w in 0..<threads {
                try workers.withOutput(w) { output in
                    if let out { output.bytes.withUnsafeBufferPointer { _ = fwrite($0.baseAddress, 1, $0.count, out) } }
                    if let dropped, !output.droppedIDs.isEmpty {
                        output.droppedIDs.withUnsafeBufferPointer { _ = fwrite($0.baseAddress, 1, $0.count, dropped) }
                    }
                    for item in output.observed { try observer?.observe(item.record, summary: item.summary) }
                    if spools {
                        passedOn.ordinals?.append(contentsOf: output.ordinals)
                        passedOn.changed?.append(contentsOf: output.changed)
                    }
                    passedOn.included?.append(contentsOf: output.included)
                    totals.add(output.counts)
                }
            }
            if consumed < filled {
                block.withUnsafeMutableBufferPointer { b in
                    _ = memmove(b.baseAddress!, b.baseAddress! + consumed, filled - consumed)
                }
            }
            filled -= consumed
        }
        if let out { fflush(out) }
        return totals
    }
}

/// The stages and each worker's context and output; each worker touches only its own slot.
private final class BenchWorkers: @unchecked Sendable {
    /// One batch of lines inside the reader's block (read-only while workers run).
    struct Input: @unchecked Sendable {
        let buffer: UnsafeBufferPointer<UInt8>
        let lines: [Range<Int>]
    }

    /// A worker's share of one batch, reused from batch to batch.
    struct Output {
        var bytes: [UInt8] = []
        var droppedIDs: [UInt8] = []
        var observed: [(record: Record, summary: (any Sendable)?)] = []
        var ordinals: [Int] = []
        var changed: [Bool] = []
        /// Per input line of the part, whether its record reached the observer.
        var included: [Bool] = []
        var counts = BenchPass.Counts()

        mutating func reset() {
            included.removeAll(keepingCapacity: true)
            bytes.removeAll(keepingCapacity: true)
            droppedIDs.removeAll(keepingCapacity: true)
            observed.removeAll(keepingCapacity: true)
            ordinals.removeAll(keepingCapacity: true)
            changed.removeAll(keepingCapacity: true)
            counts = BenchPass.Counts()
        }
    }

    let stages: [any Stage]
    let summarizer: (any GlobalStage)?
    let idField: String
    let carried: BenchPass.Carried
    let writes: Bool
    let keepsOrdinals: Bool
    let tracksInclusion: Bool
    /// Set when the pass's one stage decides by ordinal alone: kept lines are copied unparsed.
    let byOrdinal: (any OrdinalDecidingStage)?
    private let contexts: [StageContext]
    /// Plain memory: workers write their own slots at the same time.
    private let outputs: UnsafeMutableBufferPointer<Output>

    init(stages: [any Stage], summarizer: (any GlobalStage)?, idField: String, carried: BenchPass.Carried, workers: Int,
         writes: Bool, keepsOrdinals: Bool, tracksInclusion: Bool) {
        self.stages = stages
        self.summarizer = summarizer
        self.idField = idField
        self.carried = carried
        self.writes = writes
        self.keepsOrdinals = keepsOrdinals
        self.tracksInclusion = tracksInclusion
        byOrdinal = summarizer == nil && stages.count == 1 ? stages[0] as? any OrdinalDecidingStage : nil
        contexts = (0..<workers).map { _ in StageContext() }
        outputs = .allocate(capacity: workers)
        _ = outputs.initialize(from: repeatElement(Output(), count: workers))
    }

    deinit { outputs.deinitialize().deallocate() }

    func process(_ input: Input, _ range: Range<Int>, firstLine: Int, worker w: Int) {
        var o = outputs[w]
        outputs[w] = Output()
        o.reset()
        let context = contexts[w]
        for k in range {
            let lineNumber = firstLine + k
            guard carried.includes(line: lineNumber) else {
                if tracksInclusion { o.included.append(false) }
                continue
            }
            var line = UnsafeBufferPointer(rebasing: input.buffer[input.lines[k]])
            o.counts.records += 1
            o.counts.bytesIn += line.count + 1
            if line.last == 0x0D { line = UnsafeBufferPointer(rebasing: line.dropLast()) }
            let ordinal = carried.ordinal(ofLine: lineNumber)
            let changedBefore = carried.changed(line: lineNumber)
            if let byOrdinal, let verdict = byOrdinal.verdict(forOrdinal: ordinal) {
                if case .drop = verdict {
                    o.counts.dropped += 1
                    if let object = (try? JSONParser.parse(line))?.objectValue { noteDropped(object, &o) }
                } else {
                    write(line: line, changed: changedBefore, ordinal: ordinal, &o)
                }
                continue
            }
            guard let object = (try? JSONParser.parse(line))?.objectValue else {
                o.counts.unreadable += 1
                if tracksInclusion { o.included.append(false) }
                continue
            }
            var record = Record(fields: object, provenance: Provenance(input: 0, line: ordinal + 1, byteOffset: 0), ordinal: ordinal)
            var verdict = StageVerdict.keep, changed = false
            for stage in stages {
                verdict = (try? stage.process(&record, context)) ?? .quarantine(reason: "stage error")
                if !context.takeChanges().isEmpty { changed = true }
                guard case .keep = verdict else { break }
            }
            if case .keep = verdict, let summarizer {
                do {
                    o.observed.append((record, try summarizer.summarize(record, context)))
                } catch {
                    verdict = .quarantine(reason: "\(summarizer.name): \(error)")
                }
            }
            if tracksInclusion {
                if case .keep = verdict { o.included.append(true) } else { o.included.append(false) }
            }
            switch verdict {
            case .keep: break
            case .drop:
                o.counts.dropped += 1
                noteDropped(record.fields, &o)
                continue
            case .quarantine: o.counts.quarantined += 1; continue
            }
            if changed {
                write(record: record, ordinal: ordinal, &o)
            } else {
                write(line: line, changed: changedBefore, ordinal: ordinal, &o)
            }
        }
        outputs[w] = o
    }

    /// Counts a kept record and, when the pass writes, adds its line to the output.
    private func write(line: UnsafeBufferPointer<UInt8>, changed: Bool, ordinal: Int, _ o: inout Output) {
        if writes {
            o.bytes.append(contentsOf: line)
            o.bytes.append(0x0A)
        }
        noteWritten(changed: changed, ordinal: ordinal, &o)
    }

    /// The same for a record a stage of this pass changed: serialised again.
    private func write(record: Record, ordinal: Int, _ o: inout Output) {
        if writes {
            JSONWriter.write(.object(record.fields), into: &o.bytes, canonical: false)
            o.bytes.append(0x0A)
        }
        noteWritten(changed: true, ordinal: ordinal, &o)
    }

    private func noteWritten(changed: Bool, ordinal: Int, _ o: inout Output) {
        if changed { o.counts.changed += 1 }
        o.counts.written += 1
        if keepsOrdinals {
            o.ordinals.append(ordinal)
            o.changed.append(changed)
        }
    }

    /// Adds a dropped record's id to the dropped-ids output.
    private func noteDropped(_ fields: JSONObject, _ o: inout Output) {
        guard let id = fields[idField] else { return }
        if let s = id.stringValue { o.droppedIDs.append(contentsOf: s.utf8) } else { JSONWriter.write(id, into: &o.droppedIDs, canonical: false) }
        o.droppedIDs.append(0x0A)
    }

    /// Hands worker `w`'s output for the batch to `body` (on the reader's thread).
    func withOutput(_ w: Int, _ body: (Output) throws -> Void) rethrows {
        try body(outputs[w])
    }
}
