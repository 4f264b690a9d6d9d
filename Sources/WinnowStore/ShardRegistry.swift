import Foundation
import WinnowCore

/// A set of token shards written for a version (`winnow tokenize`), as recorded in the store.
public struct ShardSet: Sendable {
    public struct File: Sendable {
        public var path: String
        public var split: String
        public var documents: Int
        public var tokens: Int
        public var sha256: String

        public init(path: String, split: String, documents: Int, tokens: Int, sha256: String) {
            self.path = path
            self.split = split
            self.documents = documents
            self.tokens = tokens
            self.sha256 = sha256
        }
    }
    public var directory: String
    public var format: String
    public var tokenizerSHA256: String
    public var vocabularySize: Int
    public var dtype: String
    public var createdAt: String
    public var files: [File]

    /// Tokens per split (each split's `.bin` counted once).
    public var tokensPerSplit: [(split: String, tokens: Int)] {
        var seen: [String: Int] = [:]
        for f in files where f.path.hasSuffix(".bin") { seen[f.split, default: 0] += f.tokens }
        return seen.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    public init(directory: String, format: String, tokenizerSHA256: String, vocabularySize: Int, dtype: String,
                createdAt: String = "", files: [File]) {
        self.directory = directory
        self.format = format
        self.tokenizerSHA256 = tokenizerSHA256
        self.vocabularySize = vocabularySize
        self.dtype = dtype
        self.createdAt = createdAt
        self.files = files
    }
}

extension Store {
    /// Records shards written for `version`, with the hash of every file, so `verify` can re-hash them.
    public func register(_ set: ShardSet, manifest: JSONValue, for version: VersionInfo) throws {
        try database.transaction {
            try database.prepare("INSERT INTO shard_sets(vkey, directory, format, tokenizer_sha256, vocabulary_size, dtype, manifest_json, created_at) VALUES(?, ?, ?, ?, ?, ?, ?, ?)")
                .run([.int(version.vkey), .text(set.directory), .text(set.format), .text(set.tokenizerSHA256), .int(set.vocabularySize),
                      .text(set.dtype), .text(JSONWriter.compact(manifest)), .text(Clock.timestamp())])
            let id = Int(database.lastInsertRowID)
            let insert = try database.prepare("INSERT INTO shard_files(set_id, path, split, documents, tokens, sha256) VALUES(?, ?, ?, ?, ?, ?)")
            for f in set.files {
                try insert.run([.int(id), .text(f.path), .text(f.split), .int(f.documents), .int(f.tokens), .text(f.sha256)])
            }
        }
    }

    /// Shard sets of a version, oldest first.
    public func shardSets(of version: VersionInfo) throws -> [ShardSet] {
        let s = try database.prepare("SELECT set_id, directory, format, tokenizer_sha256, vocabulary_size, dtype, created_at FROM shard_sets WHERE vkey = ? ORDER BY set_id")
        try s.bind([.int(version.vkey)])
        var sets: [(Int, ShardSet)] = []
        while try s.step() {
            sets.append((s.int(0), ShardSet(directory: s.text(1), format: s.text(2), tokenizerSHA256: s.text(3), vocabularySize: s.int(4),
                                            dtype: s.text(5), createdAt: s.text(6), files: [])))
        }
        let f = try database.prepare("SELECT path, split, documents, tokens, sha256 FROM shard_files WHERE set_id = ? ORDER BY rowid")
        return try sets.map { id, set in
            var set = set
            try f.bind([.int(id)])
            while try f.step() { set.files.append(.init(path: f.text(0), split: f.text(1), documents: f.int(2), tokens: f.int(3), sha256: f.text(4))) }
            return set
        }
    }
}

/// SHA-256 of a file, streamed.
func fileSHA256(_ path: String) -> String? {
    guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
    defer { try? handle.close() }
    var hasher = StreamingHasher()
    while let chunk = try? handle.read(upToCount: 1 << 20), !chunk.isEmpty {
        chunk.withUnsafeBytes { hasher.update($0) }
    }
    return hasher.finalize()
}
