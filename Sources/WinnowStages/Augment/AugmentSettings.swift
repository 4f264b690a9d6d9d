import WinnowCore

/// An `augment` stage's configuration, checked as it is read.
public struct AugmentSettings: Sendable {
    /// Splits whose records get children (default `train`); never a test split.
    public var splits: [String] = ["train"]
    public var field = "text"
    /// Children tried per record.
    public var copies = 1
    /// Largest share of augmented records in a stratum of an augmented split, children
    /// included; `nil`: no cap.
    public var maxShare: Double?
    /// Fields whose value combination is a stratum for `max_share`; `nil`: the split stage's.
    public var stratify: [String]?
    public var operations: [AugmentOperation] = []
    /// WordNet folder, when WordNet supplies synonyms.
    public var wordnet: String?
    public var wordnetParts: [WordNet.PartOfSpeech] = WordNet.PartOfSpeech.allCases
    public var dictionaries: [(path: String, layout: SynonymDictionary.Layout)] = []
    public var stopWords: Set<String> = StopWords.builtIn

    public init() {}

    /// Reads `c`; `base` resolves relative dictionary paths (the pipeline's folder).
    public init(config c: JSONObject, base: String, path: String, problem: (String, String) -> Void) {
        if let s = c["splits"] {
            splits = s.stringValue.map { [$0] } ?? (s.arrayValue ?? []).compactMap(\.stringValue)
        }
        for (k, name) in splits.enumerated() where AugmentSettings.isTestSplit(name) {
            problem(c["splits"]?.arrayValue != nil ? "\(path).splits[\(k)]" : "\(path).splits",
                    "`\(name)` is a test split: augmenting it would put made-up records into what the model is measured on; augment `train` (or validation) only")
        }
        if let f = c["field"]?.stringValue { field = f }
        if let n = c["copies"]?.intValue { copies = n }
        if let m = c["max_share"]?.doubleValue {
            if m <= 0 || m >= 1 { problem("\(path).max_share", "`max_share` is a share of a stratum's records, above 0 and below 1 (0.5: at most as many children as originals)") }
            maxShare = m
        }
        if let s = c["stratify"] {
            stratify = s.stringValue.map { [$0] } ?? (s.arrayValue ?? []).compactMap(\.stringValue)
        }
        let ops = c["operations"]?.objectValue ?? JSONObject()
        for member in ops.members {
            guard let kind = AugmentOperation.Kind(rawValue: member.key) else { continue }  // the schema names it
            let o = member.value.objectValue ?? JSONObject()
            var op = AugmentOperation(kind: kind)
            if let p = o["p"]?.doubleValue { op.probability = p }
            if let a = o["alpha"]?.doubleValue { op.alpha = a }
            if let d = o["direction"]?.stringValue.flatMap(AugmentOperation.DigitDirection.init(rawValue:)) { op.direction = d }
            if o["direction"] != nil, kind != .digits { problem("\(path).operations.\(member.key).direction", "`direction` is only used by `digits`") }
            if o["alpha"] != nil, kind == .digits { problem("\(path).operations.digits.alpha", "`digits` rewrites every number; it has no `alpha`") }
            operations.append(op)
        }
        if operations.isEmpty {
            problem(c["operations"] == nil ? path : "\(path).operations",
                    "name at least one operation: " + AugmentOperation.Kind.allCases.map { "`\($0.rawValue)`" }.joined(separator: ", "))
        }
        if operations.allSatisfy({ $0.probability == 0 }), !operations.isEmpty {
            problem("\(path).operations", "every operation has `p: 0`, so no child would ever change")
        }
        let syn = c["synonyms"]?.objectValue ?? JSONObject()
        switch syn["wordnet"] {
        case .bool(true)?: wordnet = WordNet.defaultDirectory
        case .string(let dir)?: wordnet = dir.hasPrefix("/") ? dir : base + "/" + dir
        default: break
        }
        if let parts = syn["pos"]?.arrayValue {
            wordnetParts = parts.compactMap { $0.stringValue.flatMap(WordNet.PartOfSpeech.init(rawValue:)) }
            if wordnet == nil { problem("\(path).synonyms.pos", "`pos` restricts WordNet; set `wordnet` too") }
        }
        for entry in syn["dictionaries"]?.arrayValue ?? [] {
            guard let o = entry.objectValue, let p = o["path"]?.stringValue else { continue }
            let layout = o["format"]?.stringValue.flatMap(SynonymDictionary.Layout.init(rawValue:)) ?? .tsv
            dictionaries.append((p.hasPrefix("/") ? p : base + "/" + p, layout))
        }
        if let needs = operations.first(where: { $0.kind.needsSynonyms }), wordnet == nil, dictionaries.isEmpty {
            problem("\(path).synonyms", "`\(needs.kind.rawValue)` needs synonyms: set `synonyms.wordnet: true` (Debian's wordnet-base) or `synonyms.dictionaries`")
        }
        switch c["stop_words"] {
        case .string("none")?: stopWords = []
        case .string("english")?: stopWords = StopWords.english
        case .string("chinese")?: stopWords = StopWords.chinese
        case .array(let list)?: stopWords = Set(list.compactMap { $0.stringValue?.lowercased() })
        default: break
        }
    }

    /// `test`, `testing`, `test_a`...: splits that measure a model and must stay untouched.
    public static func isTestSplit(_ name: String) -> Bool { name.lowercased().hasPrefix("test") }
}
