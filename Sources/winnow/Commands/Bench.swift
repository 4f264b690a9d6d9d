import ArgumentParser
import Foundation
import WinnowStages

/// Micro-benchmarks of decision steps that a corpus-sized run would hide (hidden from help).
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Time the split planner on synthetic records (Benchmarks/).", shouldDisplay: false)

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

    private func peakRSSMegabytes() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss / 1024
    }
}
