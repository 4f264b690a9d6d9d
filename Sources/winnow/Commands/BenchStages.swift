import ArgumentParser
import Dispatch
import Foundation
import WinnowCore
import WinnowStages

/// A pipeline's per-record stages over a JSONL file, without the store: the job the Python
/// cleaning and PII reference tasks do (parse each line, change its text, write it out as
/// JSONL), so the two can be compared like for like. A whole `winnow run` does more: content
/// hashes, compression, the ledger and a transactional store write.
///
/// Lines are read a batch at a time; each batch is cut into contiguous parts of about equal
/// size, one per thread, and written back in input order, so the output does not depend on
/// the thread count. Records a stage drops or quarantines, and lines that are not a JSON object,
/// are counted and not written.
struct BenchStages: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stages", abstract: "Time a pipeline's per-record stages over JSONL, JSONL out, no store.")

    @Option(name: .long, help: "The pipeline whose stages run (per-record stages only).") var pipeline: String
    @Option(name: .long, help: "JSONL file.") var input: String
    @Option(name: .long, help: "Where the JSONL output goes.") var output: String
    @Option(name: .long, help: "Threads.") var threads = 1
    @Option(name: .long, help: "Lines per batch.") var batchSize = 4096

    func validate() throws {
        if threads < 1 { throw ValidationError("--threads must be at least 1") }
        if batchSize < 1 { throw ValidationError("--batch-size must be at least 1") }
    }

    func run() throws {
        let definition = try PipelineLoader.load(path: pipeline)
        let stages = try PipelineCompiler.compile(definition, file: pipeline).stages
        if let global = stages.first(where: { $0 is any GlobalStage }) {
            throw WinnowError.usage("`bench stages` runs per-record stages only; `\(global.name)` needs every record first (use `winnow run`)")
        }
        guard let file = fopen(input, "r") else { throw WinnowError.usage("cannot read `\(input)`") }
        defer { fclose(file) }
        guard let out = fopen(output, "w") else { throw WinnowError.usage("cannot write `\(output)`") }
        defer { fclose(out) }
        let shared = BenchStageWorkers(stages: stages, workers: threads)
        // Input is read in large blocks into one reused buffer; a batch is the complete lines of
        // a block (the partial last line moves to the front of the next block).
        let blockSize = max(1 << 20, batchSize * 4096)
        var block = [UInt8](repeating: 0, count: blockSize)
        var filled = 0
        var lineNumber = 0
        var totals = BenchStageWorkers.Counts()
        let start = Date()
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
                let input = BenchStageWorkers.Input(buffer: buf, lines: lines)
                DispatchQueue.concurrentPerform(iterations: threads) { w in
                    shared.process(input, parts[w], firstLine: first, worker: w)
                }
            }
            for w in 0..<threads {
                shared.withOutput(w) { bytes, counts in
                    bytes.withUnsafeBufferPointer { _ = fwrite($0.baseAddress, 1, $0.count, out) }
                    totals.add(counts)
                }
            }
            if consumed < filled {
                block.withUnsafeMutableBufferPointer { b in
                    _ = memmove(b.baseAddress!, b.baseAddress! + consumed, filled - consumed)
                }
            }
            filled -= consumed
        }
        fflush(out)
        let seconds = Date().timeIntervalSince(start)
        print(String(format: "%d records in (%.1f MB), %d out, %d changed, %d dropped, %d quarantined, %d unreadable; %d threads: %.2f s, %.1f MB/s; peak RSS %d MB",
                     totals.records, Double(totals.bytesIn) / 1e6, totals.written, totals.changed, totals.dropped, totals.quarantined, totals.unreadable,
                     threads, seconds, Double(totals.bytesIn) / 1e6 / seconds, peakRSSMegabytes()))
    }
}

/// The stages and each worker's context and output; each worker touches only its own slot.
private final class BenchStageWorkers: @unchecked Sendable {
    struct Counts {
        var records = 0, bytesIn = 0, written = 0, changed = 0, dropped = 0, quarantined = 0, unreadable = 0
        mutating func add(_ o: Counts) {
            records += o.records; bytesIn += o.bytesIn; written += o.written
            changed += o.changed; dropped += o.dropped; quarantined += o.quarantined; unreadable += o.unreadable
        }
    }
    /// One batch of lines inside the reader's block (read-only while workers run).
    struct Input: @unchecked Sendable {
        let buffer: UnsafeBufferPointer<UInt8>
        let lines: [Range<Int>]
    }

    let stages: [any Stage]
    private let contexts: [StageContext]
    /// Each worker's output for the current batch, reused from batch to batch. Plain memory:
    /// workers write their own slots at the same time.
    private let outputs: UnsafeMutableBufferPointer<[UInt8]>
    private let counts: UnsafeMutableBufferPointer<Counts>

    init(stages: [any Stage], workers: Int) {
        self.stages = stages
        contexts = (0..<workers).map { _ in StageContext() }
        outputs = .allocate(capacity: workers)
        _ = outputs.initialize(from: repeatElement([], count: workers))
        counts = .allocate(capacity: workers)
        _ = counts.initialize(from: repeatElement(Counts(), count: workers))
    }

    deinit {
        outputs.deinitialize().deallocate()
        counts.deinitialize().deallocate()
    }

    func process(_ input: Input, _ range: Range<Int>, firstLine: Int, worker w: Int) {
        var bytes = outputs[w]
        outputs[w] = []
        bytes.removeAll(keepingCapacity: true)
        var c = Counts()
        let context = contexts[w]
        for k in range {
            let line = UnsafeBufferPointer(rebasing: input.buffer[input.lines[k]])
            c.records += 1
            c.bytesIn += line.count + 1
            guard let object = (try? JSONParser.parse(line))?.objectValue else {
                c.unreadable += 1
                continue
            }
            var record = Record(fields: object, provenance: Provenance(input: 0, line: firstLine + k + 1, byteOffset: 0),
                                ordinal: firstLine + k)
            var verdict = StageVerdict.keep, changed = false
            for stage in stages {
                verdict = (try? stage.process(&record, context)) ?? .quarantine(reason: "stage error")
                if !context.takeChanges().isEmpty { changed = true }
                guard case .keep = verdict else { break }
            }
            switch verdict {
            case .keep: break
            case .drop: c.dropped += 1; continue
            case .quarantine: c.quarantined += 1; continue
            }
            if changed { c.changed += 1 }
            JSONWriter.write(.object(record.fields), into: &bytes, canonical: false)
            bytes.append(0x0A)
            c.written += 1
        }
        outputs[w] = bytes
        counts[w] = c
    }

    /// Hands worker `w`'s output and counts for the batch to `body` (on the reader's thread).
    func withOutput(_ w: Int, _ body: ([UInt8], Counts) -> Void) {
        body(outputs[w], counts[w])
    }
}
