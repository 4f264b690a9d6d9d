import WinnowCore

/// Writes a build's output into the store as it streams, inside the build's transaction.
final class BuildWriter: BuildSink {
    private let vkey: Int
    private let insertObject: Statement
    private let insertRecord: Statement
    private let insertLedger: Statement
    private let insertQuarantine: Statement
    /// Digest of the ordered (split, record hash) list: the data part of the version id.
    private var digest = StreamingHasher()
    private(set) var recordCount = 0
    private(set) var splitCounts: [String: Int] = [:]

    init(database: Database, vkey: Int) throws {
        self.vkey = vkey
        insertObject = try database.prepare("INSERT OR IGNORE INTO objects(hash, encoding, size, body) VALUES(?, ?, ?, ?)")
        insertRecord = try database.prepare("INSERT INTO version_records(vkey, ordinal, split, hash, input, line, label, record_id) VALUES(?, ?, ?, ?, ?, ?, ?, ?)")
        insertLedger = try database.prepare("INSERT INTO ledger(vkey, ordinal, input, line, stage_index, stage, rule, action, hash, detail) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        insertQuarantine = try database.prepare("INSERT INTO quarantine(vkey, input, line, byte_offset, stage, reason, excerpt) VALUES(?, ?, ?, ?, ?, ?, ?)")
    }

    func consume(_ output: BatchOutput) throws {
        for record in output.records {
            try store(record.hash, record.body)
            try insertRecord.run([.int(vkey), .int(record.ordinal), .text(record.split), .blob(record.hash.bytes),
                                  .int(record.provenance.input), .int(record.provenance.line),
                                  record.label.map(SQLValue.text) ?? .null, record.id.map(SQLValue.text) ?? .null])
            digest.update(record.split + "\t" + record.hash.hex + "\n")
            recordCount += 1
            splitCounts[record.split, default: 0] += 1
        }
        for (hash, body) in output.droppedBodies { try store(hash, body) }
        for e in output.ledger {
            try insertLedger.run([.int(vkey), .int(e.ordinal), .int(e.provenance.input), .int(e.provenance.line),
                                  .int(e.stageIndex), .text(e.stage), .text(e.rule), .text(e.action.rawValue),
                                  e.recordHash.map { .blob($0.bytes) } ?? .null, .text(JSONWriter.compact(.object(e.detail)))])
        }
        for q in output.quarantine {
            try insertQuarantine.run([.int(vkey), .int(q.provenance.input), .int(q.provenance.line), .int(q.provenance.byteOffset),
                                      .text(q.stage), .text(q.reason), .text(q.excerpt)])
        }
    }

    /// Stores a body once (records are content-addressed).
    private func store(_ hash: RecordHash, _ body: StoredBody) throws {
        try insertObject.run([.blob(hash.bytes), .int(body.encoding), .int(body.size), .blob(body.data)])
    }

    var recordsDigest: String { digest.finalize() }
}
