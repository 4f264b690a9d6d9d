import WinnowCore
import WinnowText

/// A record of an earlier version that new records are compared against.
public struct ReferenceMember: Sendable {
    public var recordHash: RecordHash
    public var signature: DedupSignature
    /// `dataset@N` it belongs to.
    public var version: String

    public init(recordHash: RecordHash, signature: DedupSignature, version: String) {
        self.recordHash = recordHash
        self.signature = signature
        self.version = version
    }
}

/// Why a record was removed: the cluster it fell into and the copy that was kept.
public struct DuplicateDecision: Sendable, Equatable {
    /// `exact` when its exact key equals the kept copy's, `containment` when it lies inside the
    /// kept copy, `simhash` otherwise.
    public var method: String
    public var clusterID: String
    public var clusterSize: Int
    /// The kept record's position in this build (`nil` when it is in an earlier version).
    public var keptOrdinal: Int?
    /// The kept record's hash (as it entered the stage, or in the earlier version); `nil` until
    /// the stage has seen the kept record (see ``DuplicateClusterer/Result/unnamed``).
    public var keptHash: RecordHash?
    /// The earlier version holding the kept copy, for `against`.
    public var againstVersion: String?
    /// Hamming distance to the kept copy's fingerprint, when both have one.
    public var distance: Int?
    /// Estimated shingle Jaccard similarity with the kept copy, when both have sketches.
    public var jaccard: Double?
    /// Share of this record's shingles found in the kept copy (`containment` method).
    public var containment: Double?

    public var rule: String { againstVersion == nil ? "dedup.\(method)" : "dedup.against" }

    public var detail: JSONObject {
        var o = JSONObject()
        o["method"] = .string(method)
        o["cluster"] = .string(clusterID)
        o["cluster_size"] = .number(JSONNumber(clusterSize))
        if let keptHash { o["kept"] = .string(keptHash.hex) }
        if let keptOrdinal { o["kept_ordinal"] = .number(JSONNumber(keptOrdinal)) }
        if let againstVersion { o["against"] = .string(againstVersion) }
        if let distance { o["distance"] = .number(JSONNumber(distance)) }
        if let jaccard { o["jaccard"] = .number(JSONNumber((jaccard * 1000).rounded() / 1000)) }
        if let containment { o["containment"] = .number(JSONNumber((containment * 1000).rounded() / 1000)) }
        return o
    }
}

/// Turns signatures into duplicate clusters and decides which member of each survives.
///
/// Edges come from equal exact keys and from fingerprint pairs within k bits (found with block
/// tables, then checked by sketch Jaccard when `min_jaccard` is set); clusters are the connected
/// components (union-find), so they do not depend on input order. The survivor is chosen by the
/// keep policy, ties broken by the record's content hash, never by position or thread timing
/// (except for `keep: first`, which asks for input order). A cluster that contains a record of
/// an `against` version keeps that record, and every new member is removed. With the
/// `containment` method, the records left are then checked for lying inside a larger one
/// (``ContainmentSearch``), and a record removed so joins its container's cluster.
public struct DuplicateClusterer {
    public let settings: DedupSettings

    public init(settings: DedupSettings) {
        self.settings = settings
    }

    public struct Member: Sendable {
        public var ordinal: Int
        public var signature: DedupSignature
        public init(ordinal: Int, signature: DedupSignature) {
            self.ordinal = ordinal
            self.signature = signature
        }
    }

    public struct Result: Sendable {
        /// Member index -> why it goes.
        public var removed: [Int: DuplicateDecision]
        /// Member index -> cluster id, for every member of a cluster (kept ones too).
        public var clusterOf: [Int: String]
        public var summary: JSONObject
        /// Clusters whose kept record has no hash yet (``DedupSignature/recordHash``): the kept
        /// record's ordinal -> the cluster's provisional id, `pending-` and that ordinal. Its
        /// decisions have no `keptHash`; both are filled in once the record is seen.
        public var unnamed: [Int: String] = [:]
    }

    public func cluster(_ members: [Member], references: [ReferenceMember] = [], threads: Int = 1) throws -> Result {
        let r = references.count
        let n = r + members.count
        func signature(_ node: Int) -> DedupSignature { node < r ? references[node].signature : members[node - r].signature }
        var sets = UnionFind(count: n)

        // Exact keys. With `exact` off, only documents too short to fingerprint are matched exactly.
        var firstWithKey: [ExactKeyHash: Int] = [:]
        var exactOnly = 0, empty = 0, fingerprinted = 0
        let exactAll = settings.methods.contains(.exact)
        for node in 0..<n {
            let s = signature(node)
            if s.fingerprint != nil { if node >= r { fingerprinted += 1 } } else if s.exactKey != nil, node >= r { exactOnly += 1 }
            guard let key = s.exactKey else { if node >= r { empty += 1 }; continue }
            guard exactAll || s.fingerprint == nil else { continue }
            if let first = firstWithKey[key] { sets.union(first, node) } else { firstWithKey[key] = node }
        }
        firstWithKey = [:]

        var summary = JSONObject()
        if settings.methods.contains(.simhash) {
            var nodes: [Int32] = []
            var fingerprints: [SimHashFingerprint] = []
            var referenceFingerprints = 0
            for node in 0..<n {
                guard let fp = signature(node).fingerprint else { continue }
                nodes.append(Int32(node))
                fingerprints.append(fp)
                if node < r { referenceFingerprints += 1 }
            }
            let design = try settings.blocks.map { try BlockTableDesign(width: settings.width, blocks: $0, maxDistance: settings.maxDistance) }
                ?? BlockTableDesign.automatic(width: settings.width, maxDistance: settings.maxDistance, count: fingerprints.count)
            let search = BlockTableSearch.pairs(fingerprints, design: design, referenceCount: referenceFingerprints,
                                                maxBucket: settings.maxBucket, threads: threads)
            var rejected = 0
            for pair in search.pairs {
                let a = Int(nodes[Int(pair.first)]), b = Int(nodes[Int(pair.second)])
                if let minimum = settings.minJaccard,
                   BottomKSketch.jaccard(signature(a).sketch[...], signature(b).sketch[...]) < minimum {
                    rejected += 1
                    continue
                }
                sets.union(a, b)
            }
            summary["simhash"] = .object(JSONObject([
                ("bits", .number(JSONNumber(settings.width))), ("k", .number(JSONNumber(settings.maxDistance))),
                ("blocks", .number(JSONNumber(design.blocks))), ("tables", .number(JSONNumber(design.tables.count))),
                ("fingerprinted", .number(JSONNumber(fingerprinted))),
                ("candidates", .number(JSONNumber(search.candidates))),
                ("pairs_within_k", .number(JSONNumber(search.pairs.count))),
                ("rejected_by_jaccard", .number(JSONNumber(rejected))),
                ("oversized_buckets", .number(JSONNumber(search.oversizedBuckets))),
            ]))
        }

        // Components, in node order.
        var groups: [Int: [Int]] = [:]
        for node in 0..<n { groups[sets.find(node), default: []].append(node) }
        var removed: [Int: DuplicateDecision] = [:]
        var clusterOf: [Int: String] = [:]
        var clusterSizes: [String: Int] = [:]
        var unnamed: [Int: String] = [:]
        for root in groups.keys.sorted() {
            guard let group = groups[root], group.count > 1, group.contains(where: { $0 >= r }) else { continue }
            let kept = group[0] < r ? group[0] : group.dropFirst().reduce(group[0]) { best, node in
                better(members[node - r], than: members[best - r]) ? node : best
            }
            let keptSignature = signature(kept)
            let keptHash = kept < r ? references[kept].recordHash : keptSignature.recordHash
            // A reference always has its hash; a new kept record may not yet.
            let clusterID = name(keptHash, keptOrdinal: kept < r ? -1 : members[kept - r].ordinal, &unnamed)
            clusterSizes[clusterID] = group.count
            for node in group where node >= r { clusterOf[node - r] = clusterID }
            for node in group where node != kept && node >= r {
                let s = members[node - r].signature
                let sameKey = s.exactKey != nil && s.exactKey == keptSignature.exactKey
                removed[node - r] = decision(s, method: sameKey ? "exact" : "simhash", clusterID: clusterID, kept: keptSignature,
                                             keptOrdinal: kept < r ? nil : members[kept - r].ordinal, keptHash: keptHash,
                                             againstVersion: kept < r ? references[kept].version : nil)
            }
        }
        if settings.methods.contains(.containment) {
            summary["containment"] = .object(containment(members, removed: &removed, clusterOf: &clusterOf,
                                                         clusterSizes: &clusterSizes, unnamed: &unnamed, threads: threads))
        }
        for (k, d) in removed { removed[k]?.clusterSize = clusterSizes[d.clusterID] ?? 2 }
        var sizes: [Int: Int] = [:]
        for size in clusterSizes.values { sizes[size, default: 0] += 1 }
        let clusters = clusterSizes.count
        var byRule: [String: Int] = [:]
        for d in removed.values { byRule[d.rule, default: 0] += 1 }
        summary["clusters"] = .number(JSONNumber(clusters))
        summary["removed"] = .number(JSONNumber(removed.count))
        summary["removed_by"] = .object(JSONObject(byRule.sorted { $0.key < $1.key }.map { ($0.key, .number(JSONNumber($0.value))) }))
        summary["cluster_sizes"] = .object(DuplicateClusterer.histogram(sizes))
        summary["exact_only"] = .number(JSONNumber(exactOnly))
        summary["empty"] = .number(JSONNumber(empty))
        if !references.isEmpty {
            summary["against"] = .array(Array(Set(references.map(\.version))).sorted().map(JSONValue.string))
            summary["reference_records"] = .number(JSONNumber(r))
        }
        return Result(removed: removed, clusterOf: clusterOf, summary: summary, unnamed: unnamed)
    }

    /// The id of the cluster whose kept record has this hash.
    static func clusterID(keptHash: RecordHash) -> String { "c-" + keptHash.short }

    /// A cluster's id: `c-` and the kept record's short hash, or a provisional one (noted in
    /// `unnamed`) while that hash is not known.
    private func name(_ keptHash: RecordHash?, keptOrdinal: Int, _ unnamed: inout [Int: String]) -> String {
        if let keptHash { return DuplicateClusterer.clusterID(keptHash: keptHash) }
        let id = "pending-\(keptOrdinal)"
        unnamed[keptOrdinal] = id
        return id
    }

    private func decision(_ s: DedupSignature, method: String, clusterID: String, kept: DedupSignature, keptOrdinal: Int?,
                          keptHash: RecordHash?, againstVersion: String?) -> DuplicateDecision {
        var d = DuplicateDecision(method: method, clusterID: clusterID, clusterSize: 0, keptOrdinal: keptOrdinal,
                                  keptHash: keptHash, againstVersion: againstVersion)
        if let a = s.fingerprint, let b = kept.fingerprint { d.distance = a.distance(to: b) }
        if !s.sketch.isEmpty, !kept.sketch.isEmpty { d.jaccard = BottomKSketch.jaccard(s.sketch[...], kept.sketch[...]) }
        return d
    }

    /// The `containment` method, over the records the other methods kept: larger documents
    /// first (ties by the keep policy), each smaller one removed when its shingles lie mostly in
    /// one of them. The removed record joins its container's cluster. Records of `against`
    /// versions are not compared (their shingles are not stored).
    private func containment(_ members: [Member], removed: inout [Int: DuplicateDecision], clusterOf: inout [Int: String],
                             clusterSizes: inout [String: Int], unnamed: inout [Int: String], threads: Int) -> JSONObject {
        let c = settings.containment
        let order = members.indices.filter { removed[$0] == nil }.sorted { a, b in
            let x = members[a].signature.containment.count, y = members[b].signature.containment.count
            return x != y ? x > y : better(members[a], than: members[b])
        }
        let matches = ContainmentSearch.find(order.map { members[$0].signature.containment }, threshold: c.threshold,
                                             minValues: c.minShingles, maxPosting: c.maxPosting, threads: threads)
        for match in matches {
            let node = order[match.document], container = order[match.container]
            let kept = members[container].signature
            let clusterID: String
            if let existing = clusterOf[container] {
                clusterID = existing
            } else {
                clusterID = name(kept.recordHash, keptOrdinal: members[container].ordinal, &unnamed)
                clusterOf[container] = clusterID
                clusterSizes[clusterID] = 1
            }
            clusterOf[node] = clusterID
            clusterSizes[clusterID, default: 1] += 1
            var d = decision(members[node].signature, method: "containment", clusterID: clusterID, kept: kept,
                             keptOrdinal: members[container].ordinal, keptHash: kept.recordHash, againstVersion: nil)
            d.containment = match.containment
            removed[node] = d
        }
        return JSONObject([
            ("threshold", .number(JSONNumber(c.threshold))), ("sample", .number(JSONNumber(c.sample))),
            ("compared", .number(JSONNumber(order.count))), ("removed", .number(JSONNumber(matches.count))),
        ])
    }

    /// Whether `a` should be kept over `b`.
    func better(_ a: Member, than b: Member) -> Bool {
        let x = a.signature, y = b.signature
        switch settings.keep {
        case .first:
            return a.ordinal < b.ordinal
        case .longest:
            if x.length != y.length { return x.length > y.length }
        case .shortest:
            if x.length != y.length { return x.length < y.length }
        case .field(_, let descending):
            switch (x.keepValue.flatMap(DuplicateClusterer.orderKey), y.keepValue.flatMap(DuplicateClusterer.orderKey)) {
            case (nil, nil): break
            case (.some, nil): return true
            case (nil, .some): return false
            case (.some(let p), .some(let q)):
                if p != q { return descending ? q < p : p < q }
            }
        }
        if let p = x.recordHash, let q = y.recordHash, p != q { return p < q }
        return a.ordinal < b.ordinal
    }

    /// Numbers before strings; numbers by value, strings by bytes.
    enum OrderKey: Comparable {
        case number(Double)
        case text([UInt8])
        static func < (a: OrderKey, b: OrderKey) -> Bool {
            switch (a, b) {
            case (.number(let x), .number(let y)): return x < y
            case (.text(let x), .text(let y)): return x.lexicographicallyPrecedes(y)
            case (.number, .text): return true
            case (.text, .number): return false
            }
        }
    }

    static func orderKey(_ value: JSONValue) -> OrderKey? {
        if let d = value.doubleValue { return .number(d) }
        if let s = value.stringValue { return Double(s).map(OrderKey.number) ?? .text(Array(s.utf8)) }
        return nil
    }

    /// Cluster sizes in power-of-two buckets: "2", "3-4", "5-8", ...
    static func histogram(_ sizes: [Int: Int]) -> JSONObject {
        var buckets: [(Int, String, Int)] = []
        for (size, count) in sizes {
            var upper = 2
            while upper < size { upper *= 2 }
            let lower = upper / 2 + 1
            let name = upper == 2 ? "2" : "\(lower)-\(upper)"
            if let i = buckets.firstIndex(where: { $0.0 == upper }) { buckets[i].2 += count } else { buckets.append((upper, name, count)) }
        }
        return JSONObject(buckets.sorted { $0.0 < $1.0 }.map { ($0.1, .number(JSONNumber($0.2))) })
    }
}
