/// Decides every record's split from compact per-record state. Pure and deterministic: the
/// result depends on the records' keys (hashes of seed and content), strata, groups, times and
/// earlier assignments, never on input order.
public struct SplitPlanner: Sendable {
    /// One record as the planner sees it.
    public struct Entry: Sendable {
        /// XXH64 of (seed, record content hash): the record's place in its stratum's random order.
        public var key: UInt64
        public var stratum: Int32
        /// Group id, or -1 for a record in no group.
        public var group: Int32
        public var time: Double
        /// Split index from an earlier version (`stable`), or -1.
        public var fixed: Int8

        public init(key: UInt64, stratum: Int32, group: Int32 = -1, time: Double = 0, fixed: Int8 = -1) {
            self.key = key
            self.stratum = stratum
            self.group = group
            self.time = time
            self.fixed = fixed
        }
    }

    public let ratios: [Double]

    public init(ratios: [Double]) {
        self.ratios = ratios
    }

    /// Per split counts for `n` records: largest remainder (Hamilton) on the exact shares, ties
    /// to the earlier split, so every count is within one of its share. When `n` is at least the
    /// number of splits every split with a share gets at least one record; below that, the
    /// largest shares get one each (ties: earlier split).
    public func counts(_ n: Int) -> [Int] {
        let k = ratios.count
        guard n > 0 else { return Array(repeating: 0, count: k) }
        let live = (0..<k).filter { ratios[$0] > 0 }
        if n < live.count {
            var out = Array(repeating: 0, count: k)
            for s in live.sorted(by: { ratios[$0] != ratios[$1] ? ratios[$0] > ratios[$1] : $0 < $1 }).prefix(n) { out[s] = 1 }
            return out
        }
        let quotas = ratios.map { $0 * Double(n) }
        var out = quotas.map { Int($0.rounded(.down)) }
        var need = n - out.reduce(0, +)
        let order = (0..<k).sorted { a, b in
            let ra = quotas[a] - Double(out[a]), rb = quotas[b] - Double(out[b])
            return ra != rb ? ra > rb : a < b
        }
        for s in order where need > 0 { out[s] += 1; need -= 1 }
        // Every split with a share gets one: take it from the split furthest above its quota.
        for s in live where out[s] == 0 {
            guard let donor = (0..<k).filter({ out[$0] > 1 }).max(by: { (Double(out[$0]) - quotas[$0]) < (Double(out[$1]) - quotas[$1]) }) else { break }
            out[donor] -= 1
            out[s] += 1
        }
        return out
    }

    /// Apportions `n` free records over what each split is still owed.
    func share(_ n: Int, owed: [Int]) -> [Int] {
        let total = owed.reduce(0, +)
        if total == n { return owed }
        let weights = total > 0 ? owed.map { Double($0) / Double(total) } : ratios
        return SplitPlanner(ratios: weights).counts(n)
    }

    public struct Plan: Sendable {
        /// Split index per entry.
        public var assignment: [Int8]
        /// Strata with fewer records than splits.
        public var smallStrata: [Int32]
    }

    /// Random or stratified assignment; with groups, whole groups go to one split, chosen
    /// greedily to fill each (stratum, split) target (largest groups first).
    ///
    /// Work is sorting: O(n log n) over 12-byte (key, index) pairs, no per-record dictionaries.
    public func plan(_ entries: [Entry], strata: Int) -> Plan {
        let k = ratios.count
        var sizes = Array(repeating: 0, count: strata)
        for e in entries { sizes[Int(e.stratum)] += 1 }
        let targets = sizes.map { counts($0) }
        let live = ratios.filter { $0 > 0 }.count
        let small = sizes.enumerated().filter { $0.element > 0 && $0.element < live }.map { Int32($0.offset) }
        var assignment = [Int8](repeating: -1, count: entries.count)
        var assigned = Array(repeating: Array(repeating: 0, count: k), count: strata)
        for (i, e) in entries.enumerated() where e.fixed >= 0 && Int(e.fixed) < k {
            assignment[i] = e.fixed
            assigned[Int(e.stratum)][Int(e.fixed)] += 1
        }
        if !entries.contains(where: { $0.group >= 0 }) {
            // Free records of each stratum in key order, dealt out to what each split is owed.
            var order: [(stratum: Int32, key: UInt64, index: Int32)] = []
            order.reserveCapacity(entries.count)
            for (i, e) in entries.enumerated() where assignment[i] < 0 { order.append((e.stratum, e.key, Int32(i))) }
            order.sort { $0.stratum != $1.stratum ? $0.stratum < $1.stratum : ($0.key != $1.key ? $0.key < $1.key : $0.index < $1.index) }
            var start = 0
            while start < order.count {
                let s = Int(order[start].stratum)
                var end = start
                while end < order.count && order[end].stratum == order[start].stratum { end += 1 }
                let owed = (0..<k).map { max(0, targets[s][$0] - assigned[s][$0]) }
                var cursor = start
                for (split, count) in share(end - start, owed: owed).enumerated() {
                    for j in cursor..<(cursor + count) { assignment[Int(order[j].index)] = Int8(split) }
                    cursor += count
                }
                start = end
            }
            return Plan(assignment: assignment, smallStrata: small)
        }

        // Groups (a record in no group is a group of one), as runs of a sorted (group, index) list.
        var byGroup: [(group: Int64, index: Int32)] = entries.enumerated().map { i, e in
            (e.group >= 0 ? Int64(e.group) : -1 - Int64(i), Int32(i))
        }
        byGroup.sort { $0.group != $1.group ? $0.group < $1.group : $0.index < $1.index }
        var runs: [(start: Int32, count: Int32, minKey: UInt64)] = []
        var start = 0
        while start < byGroup.count {
            var end = start
            var minKey = UInt64.max
            var anchor: Int8 = -1
            while end < byGroup.count && byGroup[end].group == byGroup[start].group {
                let i = Int(byGroup[end].index)
                minKey = min(minKey, entries[i].key)
                if anchor < 0 && assignment[i] >= 0 { anchor = assignment[i] }
                end += 1
            }
            if anchor >= 0 {
                // A group with a record from the earlier version follows it.
                for j in start..<end where assignment[Int(byGroup[j].index)] < 0 {
                    let i = Int(byGroup[j].index)
                    assignment[i] = anchor
                    assigned[Int(entries[i].stratum)][Int(anchor)] += 1
                }
            } else {
                runs.append((Int32(start), Int32(end - start), minKey))
            }
            start = end
        }
        runs.sort { $0.count != $1.count ? $0.count > $1.count : $0.minKey < $1.minKey }
        var perStratum: [(stratum: Int, count: Int)] = []
        for run in runs {
            perStratum.removeAll(keepingCapacity: true)
            for j in Int(run.start)..<Int(run.start + run.count) {
                let s = Int(entries[Int(byGroup[j].index)].stratum)
                if let at = perStratum.firstIndex(where: { $0.stratum == s }) { perStratum[at].count += 1 } else { perStratum.append((s, 1)) }
            }
            var best = 0
            var bestFit = -1, bestRoom = Int.min
            for split in 0..<k where ratios[split] > 0 {
                var fit = 0, room = 0
                for (s, n) in perStratum {
                    let left = targets[s][split] - assigned[s][split]
                    fit += min(n, max(0, left))
                    room += left
                }
                if fit > bestFit || (fit == bestFit && room > bestRoom) { best = split; bestFit = fit; bestRoom = room }
            }
            for j in Int(run.start)..<Int(run.start + run.count) { assignment[Int(byGroup[j].index)] = Int8(best) }
            for (s, n) in perStratum { assigned[s][best] += n }
        }
        return Plan(assignment: assignment, smallStrata: small)
    }

    /// Time-based assignment: with cutoffs, a record goes to the first split whose cutoff is
    /// after its time; with ratios only, records are ordered by (time, key) and cut by count,
    /// each boundary moved forward past records with the same time, so every record of a later
    /// split is strictly later than every record of an earlier one.
    public func planByTime(_ entries: [Entry], cutoffs: [Double]?) -> [Int8] {
        if let cutoffs {
            return entries.map { e in
                e.fixed >= 0 ? e.fixed : Int8(cutoffs.filter { $0 <= e.time }.count)
            }
        }
        let order = entries.indices.sorted { a, b in
            entries[a].time != entries[b].time ? entries[a].time < entries[b].time : entries[a].key < entries[b].key
        }
        var out = [Int8](repeating: 0, count: entries.count)
        let sizes = counts(entries.count)
        var position = 0
        var cumulative = 0
        for (split, size) in sizes.enumerated() {
            cumulative += size
            var boundary = split == sizes.count - 1 ? order.count : min(order.count, max(position, cumulative))
            while boundary > 0, boundary < order.count, entries[order[boundary]].time == entries[order[boundary - 1]].time {
                boundary += 1
            }
            while position < boundary {
                out[order[position]] = Int8(split)
                position += 1
            }
        }
        return out
    }
}
