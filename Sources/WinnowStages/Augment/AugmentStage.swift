import WinnowCore
import WinnowText

/// Makes new training records from the records of the named splits (EDA operations, WordNet
/// and user-dictionary synonyms, Chinese character and numeral operations), with lineage and
/// leak guards.
///
/// Why a barrier: a child may not repeat any record of the dataset, nor near-duplicate a
/// record of another split, and `max_share` needs each stratum's size, so the stage first sees
/// every record. It keeps per record: a 16-byte exact key; for records of other splits (the
/// leak guard's references) a SimHash fingerprint, a 256-byte bottom-k sketch when the guard
/// checks Jaccard, and the index's 12 bytes per table; for records that get children, one
/// 8-byte slot key per copy while `max_share` is set. Children are made on the worker threads
/// from (pipeline seed, parent hash, copy number) alone, so two builds give byte-identical
/// children whatever the threads or input order.
///
/// A child carries its parent's fields, split and label (its `id`, if any, gets `#aug<copy>`),
/// plus `augmented_from` (the parent's
/// content hash) and `augmentation` (the operations applied); each operation is a ledger entry
/// (action `add`) naming the parent and what changed. Children identical to their parent or to
/// any record, children that near-duplicate a record of another split (SimHash and Jaccard with
/// the pipeline's dedup settings), and children over the `max_share` cap are discarded and
/// counted by reason.
public struct AugmentStage: ExpandingStage {
    public let name = "augment"
    public let index: Int
    public let settings: AugmentSettings
    private let seed: UInt64
    private let synonyms: (any SynonymSource)?
    private let guardSettings: DedupSettings
    private let stratify: [String]

    private var exactKeys: Set<ExactKeyHash> = []
    private var splitIDs: [String: Int8] = [:]
    private var referenceFingerprints: [SimHashFingerprint] = []
    private var referenceSketches: [[UInt32]] = []
    private var referenceSplits: [Int8] = []
    private var guardIndex: SimHashIndex?
    private var strata: [String: Int32] = [:]
    private var slotKeys: [[UInt64]] = []
    private var limits: [SlotLimit] = []
    private var report: JSONObject?

    /// How many of a stratum's (parent, copy) slots may become children.
    enum SlotLimit: Sendable {
        case all, none
        /// Slots whose key is at most this.
        case upTo(UInt64)
    }

    struct Observation: Sendable {
        var key: ExactKeyHash?
        var fingerprint: SimHashFingerprint?
        var sketch: [UInt32]
        var stratum: String?
        var slots: [UInt64]
    }

    /// `guardSettings`: the pipeline's dedup settings (or the defaults); `stratify`: the split
    /// stage's strata, used when the stage names none.
    public init(index: Int, settings: AugmentSettings, seed: Int, synonyms: (any SynonymSource)?,
                guardSettings: DedupSettings, stratify: [String]) {
        self.index = index
        self.settings = settings
        self.seed = UInt64(truncatingIfNeeded: seed)
        self.synonyms = synonyms
        var g = guardSettings
        g.field = settings.field
        self.guardSettings = g
        self.stratify = settings.stratify ?? stratify
    }

    /// Loads the synonym sources `settings` names (WordNet, dictionaries), in that order of
    /// preference: dictionaries first, as users write them for their domain.
    public static func synonymSource(for settings: AugmentSettings) throws -> (any SynonymSource)? {
        var sources: [any SynonymSource] = []
        for d in settings.dictionaries { sources.append(try SynonymDictionary(path: d.path, layout: d.layout)) }
        if let dir = settings.wordnet { sources.append(WordNetSynonyms(wordnet: try WordNet(directory: dir), parts: settings.wordnetParts)) }
        return sources.isEmpty ? nil : sources.count == 1 ? sources[0] : SynonymSources(sources)
    }

    private func isReference(_ split: String) -> Bool {
        // A record guards children of every augmented split but its own.
        settings.splits.contains { $0 != split }
    }

    private func signer(_ context: StageContext) throws -> DedupSigner {
        try context.cached("augment.\(index).signer") { try DedupSigner(settings: guardSettings) }
    }

    private func slotKey(_ hash: RecordHash, copy: Int) -> UInt64 {
        var bytes = hash.bytes
        withUnsafeBytes(of: UInt64(copy).littleEndian) { bytes.append(contentsOf: $0) }
        return XXHash64.hash(bytes, seed: seed ^ 0x6175_676D_656E_7431)
    }

    private func stratumKey(_ record: Record, split: String) -> String {
        split + "\u{1}" + stratify.map { record.fields[$0].map { $0.stringValue ?? $0.displayText } ?? "" }.joined(separator: "\u{1}")
    }

    public func summarize(_ record: Record, _ context: StageContext) throws -> (any Sendable)? {
        let split = record.split ?? "all"
        let text = record.fields[settings.field]?.stringValue ?? ""
        let hash = record.hash
        let signature = try signer(context).sign(text, recordHash: hash)
        var o = Observation(key: signature.exactKey, fingerprint: nil, sketch: [], stratum: nil, slots: [])
        if isReference(split) {
            o.fingerprint = signature.fingerprint
            if guardSettings.minJaccard != nil { o.sketch = signature.sketch }
        }
        if settings.splits.contains(split), settings.maxShare != nil {
            o.stratum = stratumKey(record, split: split)
            o.slots = (0..<settings.copies).map { slotKey(hash, copy: $0) }
        }
        return o
    }

    public mutating func observe(_ record: Record, summary: (any Sendable)?) throws {
        guard let o = summary as? Observation else { return }
        if let key = o.key { exactKeys.insert(key) }
        if let fp = o.fingerprint {
            let split = record.split ?? "all"
            let id: Int8
            if let known = splitIDs[split] { id = known } else { id = Int8(truncatingIfNeeded: splitIDs.count); splitIDs[split] = id }
            referenceFingerprints.append(fp)
            referenceSketches.append(o.sketch)
            referenceSplits.append(id)
        }
        if let s = o.stratum {
            let id: Int32
            if let known = strata[s] { id = known } else { id = Int32(strata.count); strata[s] = id; slotKeys.append([]) }
            slotKeys[Int(id)].append(contentsOf: o.slots)
        }
    }

    public mutating func finishObserving(threads: Int) throws {
        if !referenceFingerprints.isEmpty {
            let design = try SimHashIndex.design(width: guardSettings.width, maxDistance: guardSettings.maxDistance,
                                                 count: referenceFingerprints.count)
            guardIndex = SimHashIndex(referenceFingerprints, design: design)
        }
        var capped = 0
        if let share = settings.maxShare {
            limits = slotKeys.map { keys in
                let parents = keys.count / max(settings.copies, 1)
                let allowed = Int((share / (1 - share) * Double(parents)).rounded(.down) + 1e-9)
                guard allowed < keys.count else { return .all }
                capped += keys.count - allowed
                guard allowed > 0 else { return .none }
                return .upTo(keys.sorted()[allowed - 1])
            }
            slotKeys = []
        }
        var o = JSONObject()
        o["splits"] = .array(settings.splits.map(JSONValue.string))
        o["copies"] = .number(JSONNumber(settings.copies))
        o["operations"] = .array(settings.operations.map { .string($0.kind.rawValue) })
        if let share = settings.maxShare {
            o["max_share"] = .number(JSONNumber(share))
            o["strata"] = .number(JSONNumber(strata.count))
            o["slots_over_cap"] = .number(JSONNumber(capped))
        }
        var guardReport = JSONObject()
        guardReport["reference_records"] = .number(JSONNumber(referenceFingerprints.count))
        guardReport["k"] = .number(JSONNumber(guardSettings.maxDistance))
        guardReport["bits"] = .number(JSONNumber(guardSettings.width))
        guardReport["min_jaccard"] = guardSettings.minJaccard.map { .number(JSONNumber($0)) } ?? .null
        o["leak_guard"] = .object(guardReport)
        report = o
    }

    public var summary: JSONObject? { report }

    public func process(_ record: inout Record, _ context: StageContext) throws -> StageVerdict { .keep }

    private func allowed(_ record: Record, split: String, hash: RecordHash, copy: Int) -> Bool {
        guard settings.maxShare != nil, let s = strata[stratumKey(record, split: split)], Int(s) < limits.count else { return true }
        switch limits[Int(s)] {
        case .all: return true
        case .none: return false
        case .upTo(let cutoff): return slotKey(hash, copy: copy) <= cutoff
        }
    }

    /// Whether a child near-duplicates a record of a split other than `split`.
    private func leaks(_ signature: DedupSignature, split: String) -> Bool {
        guard let fp = signature.fingerprint, let guardIndex else { return false }
        let own = splitIDs[split]
        for match in guardIndex.matches(fp) where referenceSplits[match.index] != own {
            guard let minJaccard = guardSettings.minJaccard else { return true }
            if BottomKSketch.jaccard(signature.sketch[...], referenceSketches[match.index][...]) >= minJaccard { return true }
        }
        return false
    }

    public func offspring(of record: Record, _ context: StageContext) throws -> Offspring {
        var out = Offspring()
        guard let split = record.split, settings.splits.contains(split),
              let text = record.fields[settings.field]?.stringValue, !text.isEmpty else { return out }
        let augmenter = try context.cached("augment.\(index).augmenter") {
            try TextAugmenter(synonyms: synonyms, stopWords: settings.stopWords)
        }
        let signer = try signer(context)
        let hash = record.hash
        let parentKey = try signer.exactKey(of: text)
        for copy in 0..<settings.copies {
            guard allowed(record, split: split, hash: hash, copy: copy) else { out.discarded.append("over_max_share"); continue }
            var random = SeededRandom(seed: seed, recordHash: hash.bytes, copy: copy)
            var chosen = settings.operations.filter { random.chance($0.probability) }
            if chosen.isEmpty {
                // Never a child without an operation: pick one, weighted by the probabilities.
                let total = settings.operations.reduce(0) { $0 + $1.probability }
                var r = Double(random.next() >> 11) / 9_007_199_254_740_992.0 * total
                chosen = [settings.operations.first { r -= $0.probability; return r < 0 } ?? settings.operations[0]]
            }
            var childText = text
            var applied: [(String, [String])] = []
            for op in chosen {
                let (t, changes) = try augmenter.apply(op, to: childText, &random)
                if !changes.isEmpty, t != childText {
                    childText = t
                    applied.append((op.kind.rawValue, changes))
                }
            }
            let signature = try signer.sign(childText, recordHash: hash)
            guard !applied.isEmpty, let key = signature.exactKey, key != parentKey else {
                out.discarded.append("identical_to_parent")
                continue
            }
            if exactKeys.contains(key) { out.discarded.append("identical_to_record"); continue }
            if leaks(signature, split: split) { out.discarded.append("near_duplicate_in_other_split"); continue }
            var fields = record.fields
            fields[settings.field] = .string(childText)
            if let id = fields[FieldRole.id.rawValue], id != .null {
                // Ids stay unique: the child's names its parent and copy.
                fields[FieldRole.id.rawValue] = .string("\(id.stringValue ?? id.displayText)#aug\(copy)")
            }
            fields["augmented_from"] = .string(hash.hex)
            fields["augmentation"] = .array(applied.map { .string($0.0) })
            let child = Record(fields: fields, provenance: record.provenance, ordinal: record.ordinal, split: split)
            let ledger = applied.map { op, changes -> (rule: String, detail: JSONObject) in
                var changed = changes.joined(separator: "; ")
                if changed.count > 200 { changed = String(changed.prefix(199)) + "…" }
                return ("augment.\(op)", JSONObject([("augmented_from", .string(hash.hex)), ("copy", .number(JSONNumber(copy))),
                                                     ("changes", .string(changed))]))
            }
            out.children.append(Offspring.Child(record: child, key: RecordHash(bytes: key.bytes), ledger: ledger))
        }
        return out
    }
}
