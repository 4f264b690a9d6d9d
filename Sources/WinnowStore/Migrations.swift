import WinnowCore

/// The store's schema, grown by numbered, append-only migrations.
///
/// A store written by an older Winnow opens with a newer one: pending migrations run in one
/// transaction when the store is opened. Never edit a shipped migration; add the next one.
enum Migrations {
    static let all: [(version: Int, name: String, sql: String)] = [
        (1, "initial schema", """
        CREATE TABLE objects(
            hash BLOB PRIMARY KEY,          -- SHA-256 of the record's canonical JSON
            encoding INTEGER NOT NULL,      -- 0 = raw compact JSON, 1 = zlib-compressed
            size INTEGER NOT NULL,          -- uncompressed body size in bytes
            body BLOB NOT NULL
        ) WITHOUT ROWID;

        CREATE TABLE versions(
            vkey INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,        -- content hash over pipeline, inputs and records
            dataset TEXT NOT NULL,
            seq INTEGER NOT NULL,
            parent TEXT,
            created_at TEXT NOT NULL,
            pipeline_json TEXT NOT NULL,
            pipeline_hash TEXT NOT NULL,
            tool_version TEXT NOT NULL,
            stats_json TEXT NOT NULL,
            record_count INTEGER NOT NULL,
            UNIQUE(dataset, seq)
        );

        CREATE TABLE version_inputs(
            vkey INTEGER NOT NULL REFERENCES versions(vkey) ON DELETE CASCADE,
            ordinal INTEGER NOT NULL,
            path TEXT NOT NULL,
            format TEXT NOT NULL,
            encoding TEXT NOT NULL,
            size INTEGER NOT NULL,
            sha256 TEXT NOT NULL,
            PRIMARY KEY(vkey, ordinal)
        ) WITHOUT ROWID;

        CREATE TABLE version_records(
            vkey INTEGER NOT NULL,
            ordinal INTEGER NOT NULL,       -- position in the ingest stream
            split TEXT NOT NULL,
            hash BLOB NOT NULL,
            input INTEGER NOT NULL,
            line INTEGER NOT NULL,
            label TEXT,
            record_id TEXT,
            PRIMARY KEY(vkey, ordinal)
        ) WITHOUT ROWID;
        CREATE INDEX version_records_hash ON version_records(hash);

        CREATE TABLE ledger(
            vkey INTEGER NOT NULL,
            ordinal INTEGER NOT NULL,
            input INTEGER NOT NULL,
            line INTEGER NOT NULL,
            stage_index INTEGER NOT NULL,
            stage TEXT NOT NULL,
            rule TEXT NOT NULL,
            action TEXT NOT NULL,           -- drop | change
            hash BLOB,                      -- record hash after the build, or as dropped
            detail TEXT NOT NULL
        );
        CREATE INDEX ledger_version ON ledger(vkey, input, line);
        CREATE INDEX ledger_hash ON ledger(hash);

        CREATE TABLE quarantine(
            vkey INTEGER NOT NULL,
            input INTEGER NOT NULL,
            line INTEGER NOT NULL,
            byte_offset INTEGER NOT NULL,
            stage TEXT NOT NULL,
            reason TEXT NOT NULL,
            excerpt TEXT NOT NULL
        );
        CREATE INDEX quarantine_version ON quarantine(vkey, input, line);

        CREATE TABLE tags(
            name TEXT PRIMARY KEY,
            version_id TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        """),
        (2, "token shards", """
        CREATE TABLE shard_sets(
            set_id INTEGER PRIMARY KEY,
            vkey INTEGER NOT NULL REFERENCES versions(vkey) ON DELETE CASCADE,
            directory TEXT NOT NULL,
            format TEXT NOT NULL,
            tokenizer_sha256 TEXT NOT NULL,
            vocabulary_size INTEGER NOT NULL,
            dtype TEXT NOT NULL,
            manifest_json TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE TABLE shard_files(
            set_id INTEGER NOT NULL REFERENCES shard_sets(set_id) ON DELETE CASCADE,
            path TEXT NOT NULL,              -- absolute path of the .bin or .idx file
            split TEXT NOT NULL,
            documents INTEGER NOT NULL,
            tokens INTEGER NOT NULL,
            sha256 TEXT NOT NULL
        );
        CREATE INDEX shard_sets_version ON shard_sets(vkey);
        """),
        (3, "dedup signatures", """
        CREATE TABLE signature_sets(
            vkey INTEGER NOT NULL REFERENCES versions(vkey) ON DELETE CASCADE,
            stage_index INTEGER NOT NULL,
            scheme TEXT NOT NULL,           -- algorithm and settings; only equal schemes compare
            PRIMARY KEY(vkey, stage_index)
        ) WITHOUT ROWID;
        CREATE TABLE signatures(
            vkey INTEGER NOT NULL,
            stage_index INTEGER NOT NULL,
            ordinal INTEGER NOT NULL,       -- the record in version_records
            exact_key BLOB,                 -- 16 bytes of SHA-256 of the normalized text
            fingerprint BLOB,               -- SimHash, 8 or 16 bytes big-endian
            sketch BLOB,                    -- bottom-k sketch, 4 bytes per value
            PRIMARY KEY(vkey, stage_index, ordinal)
        ) WITHOUT ROWID;
        """),
        // Bodies of kilobytes in a B-tree keyed by their hash were inserted at random places:
        // pages split and were left part full (82 MB for the 100 MB benchmark corpus) and every
        // page of a build was dirty. Appended in rowid order, with the hash in a unique index,
        // the same store is 60 MB and its build 11% faster. Existing stores are copied over.
        (4, "record bodies appended in rowid order", """
        CREATE TABLE objects_by_row(
            id INTEGER PRIMARY KEY,
            hash BLOB NOT NULL UNIQUE,      -- SHA-256 of the record's canonical JSON
            encoding INTEGER NOT NULL,      -- 0 = raw compact JSON, 1 = zstd
            size INTEGER NOT NULL,          -- uncompressed body size in bytes
            body BLOB NOT NULL
        );
        INSERT INTO objects_by_row(hash, encoding, size, body) SELECT hash, encoding, size, body FROM objects;
        DROP TABLE objects;
        ALTER TABLE objects_by_row RENAME TO objects;
        """),
    ]

    static func run(on db: Database) throws {
        try db.execute("CREATE TABLE IF NOT EXISTS schema_migrations(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)")
        let current = try db.scalarInt("SELECT MAX(version) FROM schema_migrations") ?? 0
        let pending = all.filter { $0.version > current }
        if current > (all.last?.version ?? 0) {
            throw WinnowError.store("this store was written by a newer Winnow (schema \(current)); upgrade winnow to open it")
        }
        guard !pending.isEmpty else { return }
        try db.transaction {
            for migration in pending {
                try db.execute(migration.sql)
                let insert = try db.prepare("INSERT INTO schema_migrations(version, name, applied_at) VALUES(?, ?, ?)")
                try insert.run([.int(migration.version), .text(migration.name), .text(Clock.timestamp())])
            }
        }
    }

    static var latestVersion: Int { all.last?.version ?? 0 }
}
