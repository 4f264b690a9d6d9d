import WinnowCore

/// Dedup signatures kept with versions, so a later build can drop records that duplicate an
/// earlier version (`against`) without recomputing its fingerprints.
extension Store: SignatureLibrary {
    /// Stores the signatures of the records a build kept (those that reached the version).
    func writeSignatures(_ sets: [RecordSignatures], vkey: Int) throws {
        guard !sets.isEmpty else { return }
        let insertSet = try database.prepare("INSERT INTO signature_sets(vkey, stage_index, scheme) VALUES(?, ?, ?)")
        let insert = try database.prepare("INSERT INTO signatures(vkey, stage_index, ordinal, exact_key, fingerprint, sketch) VALUES(?, ?, ?, ?, ?, ?)")
        for set in sets {
            try insertSet.run([.int(vkey), .int(set.stageIndex), .text(set.scheme)])
            for row in set.rows {
                try insert.run([.int(vkey), .int(set.stageIndex), .int(row.ordinal),
                                row.exactKey.map(SQLValue.blob) ?? .null, row.fingerprint.map(SQLValue.blob) ?? .null,
                                row.sketch.map(SQLValue.blob) ?? .null])
            }
        }
        // Records a later stage dropped are not part of the version.
        try database.prepare("""
            DELETE FROM signatures WHERE vkey = ? AND NOT EXISTS
              (SELECT 1 FROM version_records r WHERE r.vkey = signatures.vkey AND r.ordinal = signatures.ordinal)
            """).run([.int(vkey)])
    }

    /// Ledger details that name a kept record by `kept_ordinal` get that record's final hash in
    /// `kept` (stages after dedup may have changed it). Kept records a later stage dropped keep
    /// the hash they had when they were chosen.
    func resolveKeptReferences(vkey: Int) throws {
        try database.prepare("""
            UPDATE ledger SET detail = json_set(detail, '$.kept',
              (SELECT lower(hex(r.hash)) FROM version_records r
                WHERE r.vkey = ledger.vkey AND r.ordinal = json_extract(ledger.detail, '$.kept_ordinal')))
            WHERE vkey = ? AND json_extract(detail, '$.kept_ordinal') IS NOT NULL
              AND EXISTS (SELECT 1 FROM version_records r
                WHERE r.vkey = ledger.vkey AND r.ordinal = json_extract(ledger.detail, '$.kept_ordinal'))
            """).run([.int(vkey)])
    }

    public func signatures(of reference: String) throws -> ReferenceSignatures {
        let version = try resolve(reference)
        let schemes = try database.prepare("SELECT stage_index, scheme FROM signature_sets WHERE vkey = ? ORDER BY stage_index")
        try schemes.bind([.int(version.vkey)])
        var sets: [(Int, String)] = []
        while try schemes.step() { sets.append((schemes.int(0), schemes.text(1))) }
        guard let (stageIndex, scheme) = sets.last else {
            throw WinnowError.store("\(version.name) has no stored fingerprints (it was built without a dedup stage); rebuild it with one to dedup against it")
        }
        let s = try database.prepare("""
            SELECT r.hash, g.exact_key, g.fingerprint, g.sketch FROM signatures g
              JOIN version_records r ON r.vkey = g.vkey AND r.ordinal = g.ordinal
             WHERE g.vkey = ? AND g.stage_index = ? ORDER BY g.ordinal
            """)
        try s.bind([.int(version.vkey), .int(stageIndex)])
        var rows: [ReferenceSignatures.Row] = []
        while try s.step() {
            rows.append(ReferenceSignatures.Row(recordHash: RecordHash(bytes: s.blob(0)),
                                                exactKey: s.isNull(1) ? nil : s.blob(1),
                                                fingerprint: s.isNull(2) ? nil : s.blob(2),
                                                sketch: s.isNull(3) ? nil : s.blob(3)))
        }
        return ReferenceSignatures(version: version.name, scheme: scheme, rows: rows)
    }
}

extension Store: SplitLibrary {
    /// The splits of a version's records by content hash (a stable split keeps them).
    public func splitAssignments(of reference: String) throws -> (version: String, splits: [RecordHash: String]) {
        let version = try resolve(reference)
        var splits: [RecordHash: String] = [:]
        for r in try records(of: version) { splits[r.hash] = r.split }
        return (version.name, splits)
    }
}
