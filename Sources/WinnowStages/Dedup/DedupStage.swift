import WinnowCore
import WinnowText

/// Removes exact and near duplicates (SimHash), and optionally records contained in larger
/// ones, across the whole dataset, and against earlier versions. A barrier: every record is
/// signed (in parallel) and observed before any is decided.
///
/// Clusters are named after their kept record's content hash. With `keep: first` (and no
/// containment) the kept record is a cluster's first, so only kept records are hashed: the
/// executor shows them to ``prepare(_:)`` before the second pass processes their batch, and the
/// removals' ledger details get their names then. A runner that writes no ledger (`winnow bench
/// stages`) skips that, and the details it discards name clusters `pending-<ordinal>`.
///
/// Memory: one ``DedupSignature`` per record reaching the stage (about 60 bytes plus a sketch of
/// up to 256 bytes; about 340 bytes per fingerprinted document), the signatures of `against`
/// versions, and while searching 32 bytes per fingerprint per worker thread. The `containment`
/// method adds 4 bytes per distinct (sampled) shingle of each record, and 12 per shingle while
/// searching. Record bodies stay in the spool on disk. Each worker's signer keeps scratch buffers
/// sized by the largest text it has signed (about 5 bytes per byte of text, and 8 per word or
/// character offset and 32–48 per shingle, the last 16–32 for ``ShingleSet``'s table, which stops
/// growing at a million shingles).
public struct DedupStage: OrdinalDecidingStage {
    public let name = "dedup"
    public let index: Int
    public let settings: DedupSettings
    private let references: [ReferenceMember]
    private var members: [DuplicateClusterer.Member] = []
    private var decisions: [Int: DuplicateDecision] = [:]
    private var clusters: [Int: String] = [:]
    private var result: JSONObject?
    /// Clusters named once their kept record is seen (``prepare(_:)``): its ordinal -> the
    /// cluster's provisional id, and that id -> the kept record's hash.
    private var unnamed: [Int: String] = [:]
    private var named: [String: RecordHash] = [:]

    public init(index: Int, settings: DedupSettings, references: [ReferenceMember] = []) {
        self.index = index
        self.settings = settings
        self.references = references
    }

    public func summarize(_ record: Record, _ context: StageContext) throws -> (any Sendable)? {
        let signer = try context.cached("dedup.\(index)") { try DedupSigner(settings: settings) }
        let keepValue: JSONValue?
        if case .field(let f, _) = settings.keep { keepValue = record.fields[f] } else { keepValue = nil }
        return try signer.sign(record.fields[settings.field]?.stringValue ?? "",
                               recordHash: decidesByHash ? record.hash : nil, keepValue: keepValue)
    }

    /// Whether deciding needs every record's content hash: the keep policies break ties by it,
    /// and containment keeps the larger record, which may come later. With `keep: first` the
    /// kept record of a cluster is its first, so only kept records are hashed, once known, when
    /// they reach ``prepare(_:)`` (canonical JSON and SHA-256 of every record were 7% of a
    /// dedup run).
    private var decidesByHash: Bool {
        guard case .first = settings.keep else { return true }
        return settings.methods.contains(.containment)
    }

    public mutating func observe(_ record: Record, summary: (any Sendable)?) throws {
        guard let signature = summary as? DedupSignature else { return }
        members.append(DuplicateClusterer.Member(ordinal: record.ordinal, signature: signature))
    }

    public mutating func finishObserving(threads: Int) throws {
        let outcome = try DuplicateClusterer(settings: settings).cluster(members, references: references, threads: threads)
        for (k, decision) in outcome.removed {
            decisions[members[k].ordinal] = decision
        }
        if settings.tagField != nil {
            for (k, cluster) in outcome.clusterOf { clusters[members[k].ordinal] = cluster }
        }
        result = outcome.summary
        if settings.tagField != nil { result?["action"] = .string("tag") }
        unnamed = outcome.unnamed
    }

    public var awaitsRecords: Bool { !unnamed.isEmpty }

    public func awaits(ordinal: Int) -> Bool { unnamed[ordinal] != nil }

    public mutating func prepare(_ record: Record) {
        guard let id = unnamed.removeValue(forKey: record.ordinal) else { return }
        named[id] = record.hash
    }

    /// The decision about a record, with its cluster's name once the kept record has been seen.
    private func decision(_ ordinal: Int) -> DuplicateDecision? {
        guard var d = decisions[ordinal] else { return nil }
        if d.keptHash == nil, let hash = named[d.clusterID] {
            d.keptHash = hash
            d.clusterID = DuplicateClusterer.clusterID(keptHash: hash)
        }
        return d
    }

    /// A cluster id, named once its kept record has been seen.
    private func clusterID(_ id: String) -> String { named[id].map { DuplicateClusterer.clusterID(keptHash: $0) } ?? id }

    public func process(_ record: inout Record, _ context: StageContext) throws -> StageVerdict {
        if let field = settings.tagField {
            guard let cluster = clusters[record.ordinal].map(clusterID) else { return .keep }
            record.fields[field] = .string(cluster)
            context.noteChange(rule: "dedup.tag", detail: decision(record.ordinal)?.detail ?? JSONObject([("cluster", .string(cluster))]))
            return .keep
        }
        return verdict(forOrdinal: record.ordinal) ?? .keep
    }

    public func verdict(forOrdinal ordinal: Int) -> StageVerdict? {
        guard settings.tagField == nil else { return nil }
        guard let decision = decision(ordinal) else { return .keep }
        return .drop(rule: decision.rule, detail: decision.detail)
    }

    public var summary: JSONObject? { result }

    public var signatures: RecordSignatures? {
        let rows = members.compactMap { m -> RecordSignatures.Row? in
            guard settings.tagField != nil || decisions[m.ordinal] == nil else { return nil }
            let s = m.signature
            return RecordSignatures.Row(ordinal: m.ordinal, exactKey: s.exactKey?.bytes,
                                        fingerprint: s.fingerprint?.bytes(width: settings.width),
                                        sketch: s.sketch.isEmpty ? nil : BottomKSketch.bytes(s.sketch[...]))
        }
        return RecordSignatures(scheme: settings.scheme, rows: rows)
    }

    /// Reads an earlier version's stored signatures, refusing ones made with other settings.
    public static func references(_ stored: ReferenceSignatures, settings: DedupSettings) throws -> [ReferenceMember] {
        guard stored.scheme == settings.scheme else {
            throw WinnowError.build("`against: \(stored.version)` was fingerprinted with other settings (\(stored.scheme)); this stage uses \(settings.scheme). Rebuild \(stored.version) with the same dedup settings, or match them")
        }
        return stored.rows.map { row in
            ReferenceMember(recordHash: row.recordHash,
                            signature: DedupSignature(exactKey: row.exactKey.flatMap(ExactKeyHash.init(bytes:)),
                                                      fingerprint: row.fingerprint.flatMap(SimHashFingerprint.init(bytes:)),
                                                      sketch: row.sketch.map(BottomKSketch.values) ?? [], length: 0,
                                                      recordHash: row.recordHash),
                            version: stored.version)
        }
    }
}
