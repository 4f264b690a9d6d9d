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
/// median or a z-score; later dedup and split). The executor makes it a barrier: records before
/// it are spooled to disk while it observes them, then streamed through ``Stage/process(_:_:)``.
///
/// Observation is sequential and in input order, so whatever state it keeps is deterministic.
/// Keep that state compact (numbers, hashes): it is the only thing that grows with the corpus.
public protocol GlobalStage: Stage {
    mutating func observe(_ record: Record) throws
    /// Called once after the last observed record; may fail the build with a clear message.
    mutating func finishObserving() throws
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

    func takeChanges() -> [(rule: String, detail: JSONObject)] {
        defer { changes.removeAll(keepingCapacity: true) }
        return changes
    }
}
