/// A step of a pipeline that looks at one record at a time.
///
/// A stage reads top to bottom as "what it does to one record": it may rewrite the record
/// (and say which rule did, through ``StageContext/noteChange(rule:detail:)``), keep it, drop it
/// naming the rule, or quarantine it. Stages are immutable values shared by all worker threads;
/// per-thread scratch (ICU matchers, converters) lives in the ``StageContext``.
public protocol Stage: Sendable {
    /// The stage's name as written in the pipeline (`clean`, `regex`, ...).
    var name: String { get }
    /// Position in the pipeline's `stages` list.
    var index: Int { get }
    /// Processes one record.
    func process(_ record: inout Record, _ context: StageContext) throws -> StageVerdict
}

/// A stage that needs to see every record before deciding about any (statistics such as a
/// median or a z-score, duplicate clusters, splits). The executor makes it a barrier: records
/// before it are spooled to disk while it observes them, then streamed through
/// ``Stage/process(_:_:)``.
///
/// Expensive per-record work (fingerprints, normalized keys) goes in ``summarize(_:_:)``, which
/// runs on the worker threads; ``observe(_:summary:)`` then runs sequentially in input order, so
/// whatever state the stage keeps is deterministic. Keep that state compact (numbers, hashes):
/// it is the only thing that grows with the corpus.
public protocol GlobalStage: Stage {
    /// Per-record work that may run in parallel before ``observe(_:summary:)``; `nil` by default.
    func summarize(_ record: Record, _ context: StageContext) throws -> (any Sendable)?
    mutating func observe(_ record: Record, summary: (any Sendable)?) throws
    /// Called once after the last observed record; may fail the build with a clear message.
    /// `threads` is the build's thread count, for stages whose decision step parallelises.
    mutating func finishObserving(threads: Int) throws
    /// What the stage wants shown with its statistics (`winnow show`), once it has decided.
    var summary: JSONObject? { get }
    /// Per-record signatures to keep with the version (dedup fingerprints), if any.
    var signatures: RecordSignatures? { get }
    /// Whether, having decided, the stage still waits to see some records as they entered it
    /// (``prepare(_:)``) before it processes them: dedup names a cluster after its kept record's
    /// content hash, and hashes only the kept records, once they are known. `false` by default.
    var awaitsRecords: Bool { get }
    /// Whether the stage waits to see the record with this ordinal.
    func awaits(ordinal: Int) -> Bool
    /// Shows the stage a record it awaits. The executor calls it in input order, before it
    /// processes the batch holding the record; a stage never waits for a record after one whose
    /// processing needs it.
    mutating func prepare(_ record: Record)
}

extension GlobalStage {
    public func summarize(_ record: Record, _ context: StageContext) throws -> (any Sendable)? { nil }
    public var summary: JSONObject? { nil }
    public var signatures: RecordSignatures? { nil }
    public var awaitsRecords: Bool { false }
    public func awaits(ordinal: Int) -> Bool { false }
    public mutating func prepare(_ record: Record) {}
}

/// A global stage whose decision about a record, once it has observed them all, depends only on
/// the record's ordinal and leaves the record unchanged (dedup that drops rather than tags): a
/// runner may then pass a record it has not parsed, and parse only the ones it drops.
public protocol OrdinalDecidingStage: GlobalStage {
    /// The verdict ``Stage/process(_:_:)`` would give the record with this ordinal (`keep` or
    /// `drop`), or `nil` when that needs the record after all.
    func verdict(forOrdinal ordinal: Int) -> StageVerdict?
}

/// A global stage that adds records derived from the ones it keeps (augmentation).
///
/// Children are made on the worker threads, right after ``Stage/process(_:_:)`` kept the
/// parent, and continue through the rest of the pipeline after the parent. The executor gives
/// them ordinals after every ingested record, in output order, and keeps only the first child
/// with a given ``Offspring/Child/key`` (two parents may yield the same text), so the result
/// does not depend on the thread count. No global stage may follow an expanding one: children
/// are never spooled.
public protocol ExpandingStage: GlobalStage {
    /// What `record` (kept by this stage) gives rise to; its `split` is already final.
    func offspring(of record: Record, _ context: StageContext) throws -> Offspring
}

/// The children of one record, and the ones made but thrown away (with the reason).
public struct Offspring: Sendable {
    public struct Child: Sendable {
        public var record: Record
        /// Children with equal keys are the same child: only the first in output order stays.
        public var key: RecordHash
        /// Ledger entries (action `add`) for the child: what made it and from which parent.
        public var ledger: [(rule: String, detail: JSONObject)]
        public init(record: Record, key: RecordHash, ledger: [(rule: String, detail: JSONObject)]) {
            self.record = record
            self.key = key
            self.ledger = ledger
        }
    }
    public var children: [Child] = []
    /// One reason per child made and discarded (counted in ``StageStats/discarded``).
    public var discarded: [String] = []
    public init() {}

    /// The reason the executor gives a child whose key an earlier child had.
    public static let duplicateChild = "identical_to_other_child"
}

/// Compact per-record data a stage computed and wants stored with the version, so a later
/// build can compare against it without recomputing (dedup `against`).
public struct RecordSignatures: Sendable {
    /// Names the algorithm and every setting that shaped the values; only signatures with equal
    /// schemes are comparable.
    public var scheme: String
    public var rows: [Row]
    /// The producing stage's position in the pipeline (set by the executor).
    public var stageIndex = 0

    public struct Row: Sendable {
        public var ordinal: Int
        public var exactKey: [UInt8]?
        public var fingerprint: [UInt8]?
        public var sketch: [UInt8]?
        public init(ordinal: Int, exactKey: [UInt8]?, fingerprint: [UInt8]?, sketch: [UInt8]?) {
            self.ordinal = ordinal
            self.exactKey = exactKey
            self.fingerprint = fingerprint
            self.sketch = sketch
        }
    }

    public init(scheme: String, rows: [Row]) {
        self.scheme = scheme
        self.rows = rows
    }
}

/// Signatures of an earlier version, looked up by a stage that compares against it.
public struct ReferenceSignatures: Sendable {
    /// `dataset@N` of the version.
    public var version: String
    public var scheme: String
    public var rows: [Row]

    public struct Row: Sendable {
        /// The record's hash in that version.
        public var recordHash: RecordHash
        public var exactKey: [UInt8]?
        public var fingerprint: [UInt8]?
        public var sketch: [UInt8]?
        public init(recordHash: RecordHash, exactKey: [UInt8]?, fingerprint: [UInt8]?, sketch: [UInt8]?) {
            self.recordHash = recordHash
            self.exactKey = exactKey
            self.fingerprint = fingerprint
            self.sketch = sketch
        }
    }

    public init(version: String, scheme: String, rows: [Row]) {
        self.version = version
        self.scheme = scheme
        self.rows = rows
    }
}

/// Where a stable split finds the splits of an earlier version's records (the store implements it).
public protocol SplitLibrary {
    /// `dataset@N` of the version `reference` names and its records' splits by content hash.
    func splitAssignments(of reference: String) throws -> (version: String, splits: [RecordHash: String])
}

/// Where stages find earlier versions' signatures (the store implements it).
public protocol SignatureLibrary {
    /// The signatures stored with the version `reference` names (`reviews@latest`, a tag, an id).
    func signatures(of reference: String) throws -> ReferenceSignatures
}

/// A stage that knows what must never reach the store (the `pii` stage). While a pipeline has
/// one, the executor passes the body of every record any stage drops through ``scrub(_:_:)``
/// before storing it, and withholds quarantine excerpts.
public protocol RecordScrubber: Sendable {
    func scrub(_ fields: JSONObject, _ context: StageContext) -> JSONObject
}

/// What a stage decided about a record.
public enum StageVerdict: Sendable, Equatable {
    case keep
    /// Drop the record; `rule` names what dropped it (`filter.min_chars`), `detail` says why.
    case drop(rule: String, detail: JSONObject = JSONObject())
    /// The record could not be processed (e.g. a regex hit its time limit).
    case quarantine(reason: String)
}

/// Per-worker scratch space and the change log of the record being processed.
///
/// One context per worker task, never shared between threads, so stages can cache
/// non-thread-safe helpers (ICU matchers) in it without locks.
public final class StageContext {
    private var cache: [String: AnyObject] = [:]
    /// Rules that rewrote the current record in the current stage, with details.
    public private(set) var changes: [(rule: String, detail: JSONObject)] = []

    public init() {}

    /// A helper cached for this worker under `key`, created on first use.
    public func cached<T: AnyObject>(_ key: String, _ make: () throws -> T) rethrows -> T {
        if let hit = cache[key] as? T { return hit }
        let value = try make()
        cache[key] = value
        return value
    }

    /// Records that `rule` rewrote the current record.
    public func noteChange(rule: String, detail: JSONObject = JSONObject()) {
        changes.append((rule, detail))
    }

    /// The changes noted since the last call, which clears them (the executor calls it after
    /// each stage).
    public func takeChanges() -> [(rule: String, detail: JSONObject)] {
        defer { changes.removeAll(keepingCapacity: true) }
        return changes
    }
}
