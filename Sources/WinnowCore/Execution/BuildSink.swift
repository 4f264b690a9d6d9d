/// A record that made it through every stage, ready to store.
public struct FinalRecord: Sendable {
    public var ordinal: Int
    public var provenance: Provenance
    public var hash: RecordHash
    /// Compact JSON in the record's own field order (what `export` writes back), encoded for
    /// storage by ``BodyCodec``.
    public var body: StoredBody
    public var split: String
    public var label: String?
    public var id: String?

    public init(ordinal: Int, provenance: Provenance, hash: RecordHash, body: StoredBody, split: String,
                label: String?, id: String?) {
        self.ordinal = ordinal
        self.provenance = provenance
        self.hash = hash
        self.body = body
        self.split = split
        self.label = label
        self.id = id
    }
}

/// A record body ready for the store: compact JSON, compressed when that pays.
public struct StoredBody: Sendable {
    public var encoding: Int
    public var data: [UInt8]
    /// Uncompressed size.
    public var size: Int

    public init(_ json: [UInt8], compressor: BodyCompressor) {
        (encoding, data) = BodyCodec.encode(json, with: compressor)
        size = json.count
    }
}

/// What one batch produced, in input order.
public struct BatchOutput: Sendable {
    public var records: [FinalRecord] = []
    public var ledger: [LedgerEntry] = []
    /// Bodies of dropped records, so `why` and `diff --examples` can show what was removed.
    public var droppedBodies: [(hash: RecordHash, body: StoredBody)] = []
    public var quarantine: [QuarantineEntry] = []
    public init() {}
}

/// Receives a build's output as it streams (the store implements it).
public protocol BuildSink: AnyObject {
    func consume(_ output: BatchOutput) throws
}
