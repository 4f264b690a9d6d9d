import WinnowCore
import WinnowText

/// A `dedup` stage's configuration, with the defaults documented in the schema.
public struct DedupSettings: Sendable {
    public enum Method: String, Sendable, CaseIterable { case exact, simhash, containment }

    /// The `containment` method: a document whose shingles lie mostly inside one larger kept
    /// document is removed (excerpts, pasted-together or lightly rewritten copies).
    public struct Containment: Sendable, Equatable {
        /// Word 3-grams and character 5-grams: long enough that unrelated texts on one topic
        /// share few (Clough & Stevenson: at most 9% for independent answers, at least 15% for
        /// light revisions of the source).
        public var shingles = ShingleSettings(unit: .auto, charN: 5, wordN: 3)
        /// Smallest share of a document's shingles found in one other document.
        public var threshold = 0.12
        /// Keep 1 in `sample` shingles (by hash): divides memory by `sample`, at the price of a
        /// noisier share for short documents.
        public var sample = 1
        /// Documents with fewer (sampled) distinct shingles are never removed by containment.
        public var minShingles = 20
        /// Shingles held by more documents are common phrases and give no evidence.
        public var maxPosting = 1000
        public init() {}
    }

    /// Which member of a duplicate cluster survives.
    public enum KeepPolicy: Sendable, Equatable {
        /// The earliest in input order (depends on input order by definition).
        case first
        /// The one with the most characters (default; independent of input order).
        case longest
        case shortest
        /// The largest (`descending`) or smallest value of a field; numbers compare as numbers.
        case field(String, descending: Bool)
    }

    public var field = "text"
    public var methods: Set<Method> = [.exact, .simhash]
    /// Applied before both methods; `nil` compares the text as is.
    public var normalization: NormalizationForm? = .nfkcCasefold
    public var exactKey = ExactKeyRule()
    public var shingles = ShingleSettings()
    public var weighting = SimHasher.Weighting.set
    public var width = 64
    /// Largest Hamming distance between near-duplicate fingerprints.
    public var maxDistance = 10
    /// Blocks for the block tables; `nil` chooses the cheapest design for the corpus size.
    public var blocks: Int?
    /// Documents with fewer distinct shingles get no fingerprint and are matched exactly only.
    public var minShingles = 8
    public var maxBucket = 5000
    /// Candidate pairs below this estimated shingle Jaccard similarity are rejected; `nil` trusts
    /// the Hamming distance alone.
    public var minJaccard: Double? = 0.8
    public var containment = Containment()
    public var keep = KeepPolicy.longest
    /// Earlier versions (`dataset@latest`, tags, ids) whose records count as already kept.
    public var against: [String] = []
    /// With `action: tag`, nothing is removed: every member of a cluster gets its cluster id in
    /// this field (for group-aware splits).
    public var tagField: String?

    public init() {}

    /// Parses a validated `dedup` object; semantic problems go to `problem(path, message)`.
    public init(config c: JSONObject, path: String, problem: (String, String) -> Void) {
        if let f = c["field"]?.stringValue { field = f }
        if let list = c["methods"]?.arrayValue {
            methods = Set(list.compactMap { $0.stringValue.flatMap(Method.init(rawValue:)) })
        }
        if let n = c["normalize"]?.stringValue { normalization = NormalizationForm(rawValue: n) }
        if let e = c["exact"]?.objectValue {
            if let w = e["whitespace"]?.stringValue.flatMap(ExactKeyRule.Whitespace.init(rawValue:)) { exactKey.whitespace = w }
            if let p = e["punctuation"]?.stringValue { exactKey.removePunctuation = p == "remove" }
        }
        if let s = c["simhash"]?.objectValue {
            if let u = s["unit"]?.stringValue.flatMap(ShingleUnit.init(rawValue:)) { shingles.unit = u }
            if let n = s["char_n"]?.intValue { shingles.charN = n }
            if let n = s["word_n"]?.intValue { shingles.wordN = n }
            if let w = s["weighting"]?.stringValue.flatMap(SimHasher.Weighting.init(rawValue:)) { weighting = w }
            if let b = s["bits"]?.intValue {
                width = b
                if b != 64 && b != 128 { problem("\(path).simhash.bits", "`bits` must be 64 or 128") }
            }
            if let k = s["k"]?.intValue { maxDistance = k }
            if let b = s["blocks"]?.intValue { blocks = b }
            if let m = s["min_shingles"]?.intValue { minShingles = m }
            if let m = s["max_bucket"]?.intValue { maxBucket = m }
            if let j = s["min_jaccard"]?.doubleValue { minJaccard = j > 0 ? j : nil }
            if let b = blocks {
                do { _ = try BlockTableDesign(width: width, blocks: b, maxDistance: maxDistance) } catch {
                    problem("\(path).simhash.blocks", "\(error)")
                }
            } else if maxDistance >= width {
                problem("\(path).simhash.k", "k (\(maxDistance)) must be smaller than the fingerprint width (\(width))")
            } else if (try? BlockTableDesign.automatic(width: width, maxDistance: maxDistance, count: 1_000_000)) == nil {
                problem("\(path).simhash.k", "k = \(maxDistance) needs too many block tables at \(width) bits; use k ≤ \(width == 64 ? 16 : 24)")
            }
        }
        if let o = c["containment"]?.objectValue {
            if let u = o["unit"]?.stringValue.flatMap(ShingleUnit.init(rawValue:)) { containment.shingles.unit = u }
            if let n = o["char_n"]?.intValue { containment.shingles.charN = n }
            if let n = o["word_n"]?.intValue { containment.shingles.wordN = n }
            if let t = o["threshold"]?.doubleValue { containment.threshold = t }
            if let m = o["sample"]?.intValue { containment.sample = m }
            if let m = o["min_shingles"]?.intValue { containment.minShingles = m }
            if let m = o["max_posting"]?.intValue { containment.maxPosting = m }
            if !methods.contains(.containment) {
                problem("\(path).containment", "`containment` settings need `containment` in `methods`")
            }
        }
        switch c["keep"]?.stringValue {
        case "first": keep = .first
        case "shortest": keep = .shortest
        case "field":
            if let name = c["keep_field"]?.stringValue {
                keep = .field(name, descending: c["keep_order"]?.stringValue != "min")
            } else {
                problem("\(path).keep", "`keep: field` needs `keep_field`")
            }
        default: keep = .longest
        }
        if c["keep_field"] != nil, c["keep"]?.stringValue != "field" {
            problem("\(path).keep_field", "`keep_field` is only used by `keep: field`")
        }
        if let a = c["against"] {
            against = a.stringValue.map { [$0] } ?? (a.arrayValue ?? []).compactMap(\.stringValue)
        }
        if c["action"]?.stringValue == "tag" {
            tagField = c["cluster_field"]?.stringValue ?? "dedup_cluster"
        } else if c["cluster_field"] != nil {
            problem("\(path).cluster_field", "`cluster_field` is only used by `action: tag`")
        }
        if methods.isEmpty { problem("\(path).methods", "name at least one method (`exact`, `simhash`, `containment`)") }
    }

    /// Everything that shapes stored signatures. Signatures with different schemes are never
    /// compared.
    public var scheme: String {
        "winnow-dedup-1;normalize=\(normalization?.rawValue ?? "none");\(exactKey.signature);\(shingles.signature);"
            + "weighting=\(weighting.rawValue);bits=\(width);hash=xxh64;sketch=bottom\(BottomKSketch.defaultSize)"
    }
}
