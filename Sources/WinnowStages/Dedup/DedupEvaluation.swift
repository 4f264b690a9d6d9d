import WinnowCore
import WinnowText

/// Precision and recall of dedup settings on labelled data, so users can calibrate `k`,
/// shingles and the Jaccard check on their own texts (`winnow dedup-eval`).
public enum DedupEvaluation {
    /// Two texts and whether they are duplicates; `category` groups the report (e.g. `cut`).
    public struct LabelledPair: Sendable {
        public var a: String
        public var b: String
        public var duplicate: Bool
        public var category: String?
        public init(a: String, b: String, duplicate: Bool, category: String? = nil) {
            self.a = a
            self.b = b
            self.duplicate = duplicate
            self.category = category
        }
    }

    /// Confusion counts over pairs.
    public struct Score: Sendable, Equatable {
        public var truePositives = 0
        public var falsePositives = 0
        public var falseNegatives = 0
        public var trueNegatives = 0
        public init() {}

        public var precision: Double { ratio(truePositives, truePositives + falsePositives) }
        public var recall: Double { ratio(truePositives, truePositives + falseNegatives) }
        public var f1: Double { precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall) }
        /// Share of pairs predicted as duplicates.
        public var flagged: Double {
            ratio(truePositives + falsePositives, truePositives + falsePositives + falseNegatives + trueNegatives)
        }

        mutating func add(predicted: Bool, actual: Bool) {
            switch (predicted, actual) {
            case (true, true): truePositives += 1
            case (true, false): falsePositives += 1
            case (false, true): falseNegatives += 1
            case (false, false): trueNegatives += 1
            }
        }

        private func ratio(_ a: Int, _ b: Int) -> Double { b == 0 ? 0 : Double(a) / Double(b) }
    }

    /// Whether dedup with `settings` would call the two signatures duplicates (directly, not
    /// through a cluster). The block tables have no false negatives, so this is exactly what
    /// the index would confirm.
    public static func matches(_ x: DedupSignature, _ y: DedupSignature, settings: DedupSettings) -> Bool {
        if let kx = x.exactKey, kx == y.exactKey,
           settings.methods.contains(.exact) || x.fingerprint == nil || y.fingerprint == nil {
            return true
        }
        if settings.methods.contains(.containment) {
            // The smaller set inside the larger, as the stage orders them.
            let (inner, outer) = x.containment.count <= y.containment.count ? (x, y) : (y, x)
            if inner.containment.count >= max(1, settings.containment.minShingles),
               ContainmentSearch.containment(of: inner.containment, in: outer.containment) >= settings.containment.threshold {
                return true
            }
        }
        guard settings.methods.contains(.simhash), let fx = x.fingerprint, let fy = y.fingerprint,
              fx.distance(to: fy) <= settings.maxDistance else { return false }
        if let minimum = settings.minJaccard {
            return BottomKSketch.jaccard(x.sketch[...], y.sketch[...]) >= minimum
        }
        return true
    }

    /// Scores labelled pairs: overall and per category.
    public static func score(pairs: [LabelledPair], settings: DedupSettings) throws -> (overall: Score, byCategory: [String: Score]) {
        let signer = try DedupSigner(settings: settings)
        let none = RecordHash(canonicalBytes: [])
        var overall = Score()
        var byCategory: [String: Score] = [:]
        for pair in pairs {
            let predicted = matches(try signer.sign(pair.a, recordHash: none), try signer.sign(pair.b, recordHash: none),
                                    settings: settings)
            overall.add(predicted: predicted, actual: pair.duplicate)
            if let c = pair.category { byCategory[c, default: Score()].add(predicted: predicted, actual: pair.duplicate) }
        }
        return (overall, byCategory)
    }

    /// Scores clustering of labelled texts (`cluster` labels; texts with the same label are
    /// duplicates) by the pairs the dedup clusters put together, transitively, as a build would.
    public static func score(texts: [(text: String, cluster: String)], settings: DedupSettings, threads: Int = 1) throws -> Score {
        let signer = try DedupSigner(settings: settings)
        var members: [DuplicateClusterer.Member] = []
        for (k, item) in texts.enumerated() {
            var hash = StreamingHasher()
            hash.update("\(k)")
            members.append(DuplicateClusterer.Member(ordinal: k, signature: try signer.sign(item.text, recordHash: RecordHash(hex: hash.finalize()) ?? RecordHash(canonicalBytes: []))))
        }
        let result = try DuplicateClusterer(settings: settings).cluster(members, threads: threads)
        // Predicted cluster of each text: its kept record's ordinal (itself when kept).
        let predicted = texts.indices.map { result.removed[$0]?.keptOrdinal ?? $0 }
        func pairs(_ sizes: [Int]) -> Int { sizes.reduce(0) { $0 + $1 * ($1 - 1) / 2 } }
        var joint: [String: Int] = [:], truth: [String: Int] = [:], guess: [Int: Int] = [:]
        for (k, item) in texts.enumerated() {
            joint["\(predicted[k])\u{1F}\(item.cluster)", default: 0] += 1
            truth[item.cluster, default: 0] += 1
            guess[predicted[k], default: 0] += 1
        }
        var score = Score()
        let total = texts.count * (texts.count - 1) / 2
        score.truePositives = pairs(Array(joint.values))
        score.falsePositives = pairs(Array(guess.values)) - score.truePositives
        score.falseNegatives = pairs(Array(truth.values)) - score.truePositives
        score.trueNegatives = total - score.truePositives - score.falsePositives - score.falseNegatives
        return score
    }
}
