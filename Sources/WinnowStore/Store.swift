import Foundation
import WinnowCore

/// The content-addressed dataset store: one SQLite file in WAL mode under `.winnow/`.
///
/// Records are stored once across versions (keyed by their hash, zlib-compressed when that
/// pays); a version is a list of (split, record hash, provenance) rows plus its pipeline, input
/// hashes, statistics, ledger and quarantine. Builds are single transactions, so a failed or
/// interrupted build leaves no trace.
public final class Store {
    public let database: Database
    public let directory: String

    /// The store directory used for a pipeline when `--store` is not given: `.winnow/` beside it.
    public static func defaultDirectory(forPipeline path: String) -> String {
        URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent(".winnow").path
    }

    /// Opens (creating if needed) the store in `directory` and brings its schema up to date.
    public init(directory: String, create: Bool = true) throws {
        let fm = FileManager.default
        if !fm.fileExists(atPath: directory) {
            guard create else { throw WinnowError.usage("no Winnow store at \(directory); run a pipeline first or pass --store") }
            do { try fm.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
                throw WinnowError.store("cannot create store directory \(directory): \(error.localizedDescription)")
            }
        }
        self.directory = directory
        database = try Database(path: directory + "/store.sqlite")
        // Bodies average kilobytes: 64 KiB pages mean a sixteenth of the page writes and WAL frames
        // of 4 KiB ones (16 KiB before 2026-11-27: the cleaning build of the 100 MB benchmark
        // corpus takes 5% less CPU with 64 KiB, mostly in the kernel, and reads are as fast).
        // Only takes effect when the file is created (before the first table); older stores
        // keep the page size they were made with.
        try database.execute("PRAGMA page_size=65536")
        // Bodies are appended in rowid order (schema 4), so a build's only random inserts are
        // into small indexes (the hash index, ~45 bytes a record): a 16 MiB page cache holds
        // them. With bodies in a hash-keyed B-tree a 64 MiB cache was needed, and the build's
        // peak memory was 40 MB higher.
        try database.execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA cache_size=-16384; PRAGMA temp_store=MEMORY;")
        try Migrations.run(on: database)
    }

    /// The schema version this store is at.
    public var schemaVersion: Int { (try? database.scalarInt("SELECT MAX(version) FROM schema_migrations")) ?? 0 }

    // MARK: Versions

    /// All versions, oldest first.
    public func versions(dataset: String? = nil) throws -> [VersionInfo] {
        let sql = "SELECT \(VersionInfo.columns) FROM versions WHERE id NOT LIKE 'pending:%'" + (dataset == nil ? "" : " AND dataset = ?") + " ORDER BY created_at, vkey"
        let s = try database.prepare(sql)
        try s.bind(dataset.map { [.text($0)] } ?? [])
        var out: [VersionInfo] = []
        while try s.step() { out.append(VersionInfo(s)) }
        let tags = try self.tags()
        for k in out.indices { out[k].tags = tags.filter { $0.value == out[k].id }.map(\.key).sorted() }
        return out
    }

    /// The committed version with exactly this id, if any (one indexed lookup).
    public func version(id: String) throws -> VersionInfo? {
        let s = try database.prepare("SELECT \(VersionInfo.columns) FROM versions WHERE id = ?")
        try s.bind([.text(id)])
        guard try s.step() else { return nil }
        var v = VersionInfo(s)
        v.tags = try tags().filter { $0.value == id }.map(\.key).sorted()
        return v
    }

    /// Resolves a reference: a full id or unique prefix, `dataset@N`, `dataset@latest`, or a tag.
    public func resolve(_ reference: String) throws -> VersionInfo {
        let all = try versions()
        if let at = reference.lastIndex(of: "@") {
            let dataset = String(reference[..<at])
            let which = String(reference[reference.index(after: at)...])
            let candidates = all.filter { $0.dataset == dataset }
            guard !candidates.isEmpty else {
                let names = Array(Set(all.map(\.dataset))).sorted()
                let hint = Suggestion.closest(to: dataset, in: names).map { ", did you mean `\($0)`?" } ?? ""
                throw WinnowError.usage("no dataset `\(dataset)` in the store\(hint)")
            }
            if which == "latest" { return candidates.max { $0.seq < $1.seq }! }
            guard let n = Int(which) else { throw WinnowError.usage("`\(reference)`: write `\(dataset)@N` or `\(dataset)@latest`") }
            guard let v = candidates.first(where: { $0.seq == n }) else {
                throw WinnowError.usage("`\(dataset)` has versions 1…\(candidates.map(\.seq).max() ?? 0); there is no @\(n)")
            }
            return v
        }
        if let tagged = try tags()[reference], let v = all.first(where: { $0.id == tagged }) { return v }
        let lower = reference.lowercased()
        if lower.count >= 4 {
            let matches = all.filter { $0.id.hasPrefix(lower) }
            if matches.count == 1 { return matches[0] }
            if matches.count > 1 { throw WinnowError.usage("`\(reference)` matches \(matches.count) versions; give more characters") }
        }
        throw WinnowError.usage("unknown version `\(reference)`; use an id prefix, DATASET@N, DATASET@latest or a tag (see `winnow versions`)")
    }

    /// The input files of a version, in build order.
    public func inputs(of version: VersionInfo) throws -> [InputFile] {
        let s = try database.prepare("SELECT path, format, encoding, size, sha256, ordinal FROM version_inputs WHERE vkey = ? ORDER BY ordinal")
        try s.bind([.int(version.vkey)])
        var out: [InputFile] = []
        while try s.step() {
            out.append(InputFile(path: s.text(0), absolutePath: s.text(0), format: s.text(1), encoding: s.text(2),
                                 size: s.int(3), sha256: s.text(4), inputIndex: s.int(5)))
        }
        return out
    }

    /// Records of a version, in order, optionally one split.
    public func records(of version: VersionInfo, split: String? = nil) throws -> [StoredRecordRef] {
        let sql = "SELECT \(StoredRecordRef.columns) FROM version_records WHERE vkey = ?"
            + (split == nil ? "" : " AND split = ?") + " ORDER BY ordinal"
        let s = try database.prepare(sql)
        try s.bind([.int(version.vkey)] + (split.map { [SQLValue.text($0)] } ?? []))
        var out: [StoredRecordRef] = []
        while try s.step() { out.append(StoredRecordRef(s)) }
        return out
    }

    /// A stored record's body (compact JSON in its original field order).
    public func body(of hash: RecordHash) throws -> JSONValue? {
        let s = try database.prepare("SELECT encoding, body, size FROM objects WHERE hash = ?")
        try s.bind([.blob(hash.bytes)])
        guard try s.step(), let raw = BodyCodec.decode(encoding: s.int(0), data: s.blob(1), size: s.int(2)) else { return nil }
        return try? raw.withUnsafeBufferPointer { try JSONParser.parse($0) }
    }

    /// Split name -> record count.
    public func splitCounts(of version: VersionInfo) throws -> [(split: String, count: Int)] {
        let s = try database.prepare("SELECT split, COUNT(*) FROM version_records WHERE vkey = ? GROUP BY split ORDER BY split")
        try s.bind([.int(version.vkey)])
        var out: [(String, Int)] = []
        while try s.step() { out.append((s.text(0), s.int(1))) }
        return out
    }

    /// Ledger entries of a version, optionally only those touching one provenance or hash.
    public func ledger(of version: VersionInfo, input: Int? = nil, line: Int? = nil, hash: RecordHash? = nil) throws -> [StoredLedgerEntry] {
        var sql = "SELECT ordinal, input, line, stage_index, stage, rule, action, hash, detail FROM ledger WHERE vkey = ?"
        var bindings: [SQLValue] = [.int(version.vkey)]
        if let input, let line { sql += " AND input = ? AND line = ?"; bindings += [.int(input), .int(line)] }
        if let hash { sql += " AND hash = ?"; bindings.append(.blob(hash.bytes)) }
        sql += " ORDER BY ordinal, stage_index, rowid"
        let s = try database.prepare(sql)
        try s.bind(bindings)
        var out: [StoredLedgerEntry] = []
        while try s.step() { out.append(StoredLedgerEntry(s, version: version)) }
        return out
    }

    /// Quarantined rows of a version.
    public func quarantine(of version: VersionInfo, limit: Int = Int.max) throws -> [StoredQuarantineEntry] {
        let s = try database.prepare("SELECT input, line, byte_offset, stage, reason, excerpt FROM quarantine WHERE vkey = ? ORDER BY rowid LIMIT ?")
        try s.bind([.int(version.vkey), .int(min(limit, Int(Int32.max)))])
        var out: [StoredQuarantineEntry] = []
        while try s.step() {
            out.append(StoredQuarantineEntry(input: s.int(0), line: s.int(1), byteOffset: s.int(2), stage: s.text(3),
                                             reason: s.text(4), excerpt: s.text(5)))
        }
        return out
    }

    public func quarantineCount(of version: VersionInfo) throws -> Int {
        try database.scalarInt("SELECT COUNT(*) FROM quarantine WHERE vkey = ?", [.int(version.vkey)]) ?? 0
    }

    // MARK: Tags

    public func tags() throws -> [String: String] {
        let s = try database.prepare("SELECT name, version_id FROM tags")
        var out: [String: String] = [:]
        while try s.step() { out[s.text(0)] = s.text(1) }
        return out
    }

    /// Points `name` at `version`, replacing an existing tag of that name.
    public func tag(_ name: String, _ version: VersionInfo) throws {
        guard !name.contains("@"), !name.isEmpty, name.rangeOfCharacter(from: .whitespaces) == nil else {
            throw WinnowError.usage("tag names cannot be empty or contain `@` or spaces")
        }
        try database.prepare("INSERT OR REPLACE INTO tags(name, version_id, created_at) VALUES(?, ?, ?)")
            .run([.text(name), .text(version.id), .text(Clock.timestamp())])
    }

    public func removeTag(_ name: String) throws {
        guard try tags()[name] != nil else { throw WinnowError.usage("no tag `\(name)`") }
        try database.prepare("DELETE FROM tags WHERE name = ?").run([.text(name)])
    }
}

/// A version as listed and shown.
public struct VersionInfo: Sendable, Equatable {
    static let columns = "vkey, id, dataset, seq, parent, created_at, pipeline_json, pipeline_hash, tool_version, stats_json, record_count"

    let vkey: Int
    public var id: String
    public var dataset: String
    public var seq: Int
    public var parent: String?
    public var createdAt: String
    public var pipelineJSON: String
    public var pipelineHash: String
    public var toolVersion: String
    public var statsJSON: String
    public var recordCount: Int
    public var tags: [String] = []

    init(_ s: Statement) {
        vkey = s.int(0)
        id = s.text(1)
        dataset = s.text(2)
        seq = s.int(3)
        parent = s.optionalText(4)
        createdAt = s.text(5)
        pipelineJSON = s.text(6)
        pipelineHash = s.text(7)
        toolVersion = s.text(8)
        statsJSON = s.text(9)
        recordCount = s.int(10)
    }

    /// `dataset@seq`, how people refer to a version.
    public var name: String { "\(dataset)@\(seq)" }
    public var shortID: String { String(id.prefix(12)) }

    public var stats: JSONObject { (try? JSONParser.parse(statsJSON))?.objectValue ?? JSONObject() }

    public var stageStats: [StageStats] {
        (stats["stages"]?.arrayValue ?? []).compactMap(StageStats.init(json:))
    }
}

/// One row of a version's record list.
public struct StoredRecordRef: Sendable, Equatable {
    public var ordinal: Int
    public var split: String
    public var hash: RecordHash
    public var input: Int
    public var line: Int
    public var label: String?
    public var id: String?

    static let columns = "ordinal, split, hash, input, line, label, record_id"

    init(_ s: Statement) {
        ordinal = s.int(0)
        split = s.text(1)
        hash = RecordHash(bytes: s.blob(2))
        input = s.int(3)
        line = s.int(4)
        label = s.optionalText(5)
        id = s.optionalText(6)
    }
}

/// A ledger row as stored.
public struct StoredLedgerEntry: Sendable {
    public var version: VersionInfo
    public var ordinal: Int
    public var input: Int
    public var line: Int
    public var stageIndex: Int
    public var stage: String
    public var rule: String
    public var action: String
    public var hash: RecordHash?
    public var detail: JSONObject

    init(_ s: Statement, version: VersionInfo) {
        self.version = version
        ordinal = s.int(0)
        input = s.int(1)
        line = s.int(2)
        stageIndex = s.int(3)
        stage = s.text(4)
        rule = s.text(5)
        action = s.text(6)
        hash = s.isNull(7) ? nil : RecordHash(bytes: s.blob(7))
        detail = (try? JSONParser.parse(s.text(8)))?.objectValue ?? JSONObject()
    }
}

/// A quarantined row as stored.
public struct StoredQuarantineEntry: Sendable {
    public var input: Int
    public var line: Int
    public var byteOffset: Int
    public var stage: String
    public var reason: String
    public var excerpt: String
}
