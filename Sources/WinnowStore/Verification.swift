import WinnowCore

/// Integrity check of a whole store (`winnow verify`): every stored record is decompressed,
/// re-serialized canonically and re-hashed; every version's id is recomputed from its pipeline,
/// inputs and record list. Anything that does not match is named.
public struct VerificationReport: Sendable {
    public struct BadRecord: Sendable {
        public var hash: RecordHash
        public var problem: String
        /// Where the record is used: `dataset@N split FILE:LINE`.
        public var usedBy: [String]
    }

    public var recordsChecked = 0
    public var versionsChecked = 0
    public var badRecords: [BadRecord] = []
    public var badVersions: [(version: String, problem: String)] = []
    public var shardFilesChecked = 0
    /// Shard files that are missing or whose bytes changed since `winnow tokenize` wrote them.
    public var badShards: [(path: String, version: String, problem: String)] = []

    public var ok: Bool { badRecords.isEmpty && badVersions.isEmpty && badShards.isEmpty }

    public init(store: Store) throws {
        let s = try store.database.prepare("SELECT hash, encoding, size, body FROM objects ORDER BY hash")
        var bad: [(RecordHash, String)] = []
        while try s.step() {
            recordsChecked += 1
            let hash = RecordHash(bytes: s.blob(0))
            guard let raw = BodyCodec.decode(encoding: s.int(1), data: s.blob(3), size: s.int(2)) else {
                bad.append((hash, "body cannot be decompressed")); continue
            }
            guard let value = try? raw.withUnsafeBufferPointer({ try JSONParser.parse($0) }) else {
                bad.append((hash, "body is not valid JSON")); continue
            }
            let actual = RecordHash(of: value)
            if actual != hash { bad.append((hash, "content hashes to \(actual.short)")) }
        }
        let versions = try store.versions()
        for (hash, problem) in bad {
            var usedBy: [String] = []
            let u = try store.database.prepare("SELECT v.dataset, v.seq, r.split, i.path, r.line FROM version_records r JOIN versions v ON v.vkey = r.vkey LEFT JOIN version_inputs i ON i.vkey = r.vkey AND i.ordinal = r.input WHERE r.hash = ? ORDER BY v.dataset, v.seq")
            try u.bind([.blob(hash.bytes)])
            while try u.step() { usedBy.append("\(u.text(0))@\(u.int(1)) \(u.text(2)) \(u.text(3)):\(u.int(4))") }
            badRecords.append(BadRecord(hash: hash, problem: problem, usedBy: usedBy))
        }
        for v in versions {
            versionsChecked += 1
            let missing = try store.database.scalarInt("SELECT COUNT(*) FROM version_records r LEFT JOIN objects o ON o.hash = r.hash WHERE r.vkey = ? AND o.hash IS NULL", [.int(v.vkey)]) ?? 0
            if missing > 0 { badVersions.append((v.name, "\(missing) record bodies are missing")) }
            var digest = StreamingHasher()
            for r in try store.records(of: v) { digest.update(r.split + "\t" + r.hash.hex + "\n") }
            var id = StreamingHasher()
            id.update("winnow-version-1\n")
            id.update(v.pipelineJSON + "\n")
            for f in try store.inputs(of: v) { id.update("input\t\(f.path)\t\(f.sha256)\n") }
            id.update("records\t\(digest.finalize())\n")
            if id.finalize() != v.id { badVersions.append((v.name, "version id does not match its pipeline, inputs and records")) }
            for set in try store.shardSets(of: v) {
                for file in set.files {
                    shardFilesChecked += 1
                    guard let actual = fileSHA256(file.path) else { badShards.append((file.path, v.name, "missing")); continue }
                    if actual != file.sha256 { badShards.append((file.path, v.name, "content changed (sha256 \(actual.prefix(12)))")) }
                }
            }
        }
    }
}
