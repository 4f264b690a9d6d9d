import ArgumentParser
import Dispatch
import Foundation
import WinnowCore
import WinnowStages
import WinnowTokenize

/// Micro-benchmarks of steps that a whole build would hide (hidden from help; Benchmarks/).
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Micro-benchmarks: the split planner, encoding, per-record stages without the store.", shouldDisplay: false,
        subcommands: [BenchSplit.self, BenchTokenize.self, BenchStages.self], defaultSubcommand: BenchSplit.self)
}

/// Peak resident memory of this process. Linux's `VmHWM` first: `getrusage`'s maximum survives
/// `exec`, so a winnow started by a large process would report that process's peak.
func peakRSSMegabytes() -> Int {
    if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
       let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
       let kb = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") {
        return kb / 1024
    }
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return usage.ru_maxrss / 1024
}

/// The split planner on synthetic records.
struct BenchSplit: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "split", abstract: "Time the split planner on synthetic records.")

    @Option(name: .long, help: "Records.") var records = 10_000_000
    @Option(name: .long, help: "Strata.") var strata = 20
    @Option(name: .long, help: "Records per group (0: no groups).") var groupSize = 0

    func run() throws {
        var rng: UInt64 = 42
        func next() -> UInt64 {
            rng &+= 0x9E37_79B9_7F4A_7C15
            var z = rng
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        let build = Date()
        var entries: [SplitPlanner.Entry] = []
        entries.reserveCapacity(records)
        for i in 0..<records {
            entries.append(SplitPlanner.Entry(key: next(), stratum: Int32(next() % UInt64(strata)),
                                              group: groupSize > 0 ? Int32(i / groupSize) : -1))
        }
        let made = Date().timeIntervalSince(build)
        let start = Date()
        let plan = SplitPlanner(ratios: [0.8, 0.1, 0.1]).plan(entries, strata: strata)
        let seconds = Date().timeIntervalSince(start)
        let test = plan.assignment.lazy.filter { $0 == 2 }.count
        print(String(format: "%d records, %d strata%@: planned in %.2f s (entries built in %.2f s; %d in test); %d bytes per planner entry; peak RSS %d MB",
                     records, strata, groupSize > 0 ? ", groups of \(groupSize)" : "", seconds, made, test,
                     MemoryLayout<SplitPlanner.Entry>.stride, peakRSSMegabytes()))
    }
}

/// Encoding alone, as the tokenizer benchmarks of other tools measure it: the texts of a JSONL
/// file are read a batch of 1,000 at a time (as the Python tasks read them) and each batch is
/// encoded on N threads (one encoder each, contiguous chunks of about equal text size, as
/// `winnow tokenize` cuts them); prints MB/s and tokens/s, and
/// the SHA-256 of all ids (little-endian int32, in document order) so that runs and tools can be
/// compared id for id (`Benchmarks/compare_ids.py`).
struct BenchTokenize: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tokenize", abstract: "Time encoding the texts of a JSONL file.")

    @Option(name: .long, help: "tokenizer.json") var tokenizer: String
    @Option(name: .long, help: "JSONL file.") var input: String
    @Option(name: .long, help: "Text field.") var field = "text"
    @Option(name: .long, help: "Threads.") var threads = 1

    func run() throws {
        let tok = try Tokenizer(contentsOf: tokenizer)
        guard let file = fopen(input, "r") else { throw WinnowError.usage("cannot read `\(input)`") }
        defer { fclose(file) }
        let workers = max(1, threads)
        let encoders = (0..<workers).map { _ in tok.makeEncoder() }
        var hasher = StreamingHasher()
        var documents = 0, bytes = 0, tokens = 0
        var line: UnsafeMutablePointer<CChar>?
        var capacity = 0
        defer { free(line) }
        let start = Date()
        var done = false
        while !done {
            var texts: [String] = []
            while texts.count < 1000 {
                let n = getline(&line, &capacity, file)
                if n <= 0 { done = true; break }
                guard let line, n > 1 else { continue }
                let buffer = UnsafeBufferPointer(start: UnsafeRawPointer(line).assumingMemoryBound(to: UInt8.self), count: n - 1)
                if let text = try JSONParser.parse(buffer).objectValue?[field]?.stringValue { texts.append(text) }
            }
            guard !texts.isEmpty else { continue }
            let batch = texts
            let ranges = BalancedPartition.ranges(batch.map(\.utf8.count), parts: workers)
            let results = ResultSlots(count: workers)
            let jobs = EncoderSlots(encoders)
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                var ids: [[Int32]] = []
                for k in ranges[w] {
                    ids.append((try? jobs.encoders[w].encode(batch[k], specialTokens: .text)) ?? [])
                }
                results.set(w, ids)
            }
            for w in 0..<workers {
                for doc in results.get(w) {
                    tokens += doc.count
                    var le: [UInt8] = []
                    le.reserveCapacity(doc.count * 4)
                    for id in doc { withUnsafeBytes(of: id.littleEndian) { le.append(contentsOf: $0) } }
                    hasher.update(le)
                }
            }
            documents += batch.count
            bytes += batch.reduce(0) { $0 + $1.utf8.count }
        }
        let seconds = Date().timeIntervalSince(start)
        print(String(format: "%d documents, %.1f MB, %d tokens, %d threads: %.2f s, %.2f MB/s, %.0f tokens/s; peak RSS %d MB; ids sha256 %@",
                     documents, Double(bytes) / 1e6, tokens, workers, seconds, Double(bytes) / 1e6 / seconds,
                     Double(tokens) / seconds, peakRSSMegabytes(), hasher.finalize()))
    }
}

/// The per-thread encoders, handed to the worker closures (each worker uses only its own).
private final class EncoderSlots: @unchecked Sendable {
    let encoders: [TokenEncoder]
    init(_ encoders: [TokenEncoder]) { self.encoders = encoders }
}

/// One slot per worker thread; each thread writes only its own.
private final class ResultSlots: @unchecked Sendable {
    private var slots: [[[Int32]]]
    private let lock = NSLock()
    init(count: Int) { slots = Array(repeating: [], count: count) }
    func set(_ k: Int, _ value: [[Int32]]) { lock.lock(); slots[k] = value; lock.unlock() }
    func get(_ k: Int) -> [[Int32]] { lock.lock(); defer { lock.unlock() }; return slots[k] }
}
