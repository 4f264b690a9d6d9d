/// One line of a version's ledger: a record was dropped, changed or added, by what and why.
///
/// The ledger is how Winnow stays honest: `winnow diff` and `winnow why` read it to say which
/// rule removed or rewrote a record.
public struct LedgerEntry: Sendable, Equatable {
    /// `add`: a stage created the record (an augmented child; the detail names its parent).
    public enum Action: String, Sendable { case drop, change, add }

    public var ordinal: Int
    public var provenance: Provenance
    public var stageIndex: Int
    public var stage: String
    public var rule: String
    public var action: Action
    /// The record's hash after the build (kept records) or as it was dropped.
    public var recordHash: RecordHash?
    public var detail: JSONObject

    public init(ordinal: Int, provenance: Provenance, stageIndex: Int, stage: String, rule: String,
                action: Action, recordHash: RecordHash? = nil, detail: JSONObject = JSONObject()) {
        self.ordinal = ordinal
        self.provenance = provenance
        self.stageIndex = stageIndex
        self.stage = stage
        self.rule = rule
        self.action = action
        self.recordHash = recordHash
        self.detail = detail
    }
}

/// An input row that could not become a record, or a record a stage could not process.
public struct QuarantineEntry: Sendable, Equatable {
    public var provenance: Provenance
    /// `ingest` or the stage name.
    public var stage: String
    public var reason: String
    /// The start of the offending bytes, decoded lossily, for people to look at.
    public var excerpt: String

    public init(provenance: Provenance, stage: String, reason: String, excerpt: String) {
        self.provenance = provenance
        self.stage = stage
        self.reason = reason
        self.excerpt = excerpt
    }

    /// The excerpt of a pipeline with a `pii` stage: raw input must not reach the store.
    public static let withheld = "[excerpt withheld: the pipeline masks personal data]"

    /// Decodes up to 200 bytes lossily for display.
    public static func excerpt(of bytes: some Collection<UInt8>) -> String {
        String(decoding: bytes.prefix(200), as: UTF8.self)
    }
}
