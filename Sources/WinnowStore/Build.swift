import Foundation
import WinnowCore

/// The outcome of `Store.build`.
public enum BuildResult {
    /// A new version was committed.
    case created(VersionInfo, ExecutionReport)
    /// The build produced exactly an existing version; nothing was added.
    case unchanged(VersionInfo, ExecutionReport)

    public var version: VersionInfo {
        switch self { case .created(let v, _), .unchanged(let v, _): v }
    }
    public var report: ExecutionReport {
        switch self { case .created(_, let r), .unchanged(_, let r): r }
    }
}

extension Store {
    /// Runs a pipeline into the store as one atomic build.
    ///
    /// The version id is SHA-256 over the canonical pipeline JSON, every input's path and
    /// SHA-256, and the ordered (split, record hash) list, so the same inputs and pipeline give
    /// the same id on any machine and thread count. When that id already exists the build is
    /// rolled back and the existing version returned as `.unchanged`.
    public func build(definition: PipelineDefinition, source: RecordSource, decoder: any RawItemDecoder,
                      stages: [any Stage], options: ExecutionOptions, toolVersion: String) throws -> BuildResult {
        let started = Date()
        try database.execute("BEGIN IMMEDIATE")
        do {
            try database.prepare("""
                INSERT INTO versions(id, dataset, seq, parent, created_at, pipeline_json, pipeline_hash, tool_version, stats_json, record_count)
                VALUES(?, ?, -1, NULL, ?, ?, ?, ?, '{}', 0)
                """).run([.text("pending:\(UUID().uuidString)"), .text(definition.dataset), .text(Clock.timestamp()),
                          .text(definition.canonicalJSON), .text(sha256(definition.canonicalJSON)), .text(toolVersion)])
            let vkey = Int(database.lastInsertRowID)
            let writer = try BuildWriter(database: database, vkey: vkey)
            let report = try Executor(stages: stages, options: options).run(source: source, decoder: decoder, sink: writer)
            let files = source.files

            var id = StreamingHasher()
            id.update("winnow-version-1\n")
            id.update(definition.canonicalJSON + "\n")
            for f in files { id.update("input\t\(f.path)\t\(f.sha256)\n") }
            id.update("records\t\(writer.recordsDigest)\n")
            let versionID = id.finalize()

            if let existing = try version(id: versionID) {
                try database.execute("ROLLBACK")
                return .unchanged(existing, report)
            }
            let latest = try versions(dataset: definition.dataset).max { $0.seq < $1.seq }
            var stats = JSONObject()
            stats["rows_read"] = .number(JSONNumber(report.rowsRead))
            stats["records"] = .number(JSONNumber(writer.recordCount))
            stats["quarantined"] = .number(JSONNumber(report.quarantined))
            stats["splits"] = .object(JSONObject(writer.splitCounts.sorted { $0.key < $1.key }.map { ($0.key, .number(JSONNumber($0.value))) }))
            stats["ingest"] = report.ingest.json
            stats["stages"] = .array(report.stages.map(\.json))
            stats["seconds"] = .number(JSONNumber((Date().timeIntervalSince(started) * 1000).rounded() / 1000))
            stats["threads"] = .number(JSONNumber(options.threads))
            try database.prepare("UPDATE versions SET id = ?, seq = ?, parent = ?, stats_json = ?, record_count = ? WHERE vkey = ?")
                .run([.text(versionID), .int((latest?.seq ?? 0) + 1), latest.map { .text($0.id) } ?? .null,
                      .text(JSONWriter.compact(.object(stats))), .int(writer.recordCount), .int(vkey)])
            try writeSignatures(report.signatures, vkey: vkey)
            try resolveKeptReferences(vkey: vkey)
            let insertInput = try database.prepare("INSERT INTO version_inputs(vkey, ordinal, path, format, encoding, size, sha256) VALUES(?, ?, ?, ?, ?, ?, ?)")
            for (k, f) in files.enumerated() {
                try insertInput.run([.int(vkey), .int(k), .text(f.path), .text(f.format), .text(f.encoding), .int(f.size), .text(f.sha256)])
            }
            try database.execute("COMMIT")
            guard let created = try version(id: versionID) else {
                throw WinnowError.store("the new version vanished after commit")
            }
            return .created(created, report)
        } catch {
            try? database.execute("ROLLBACK")
            throw error
        }
    }
}

func sha256(_ text: String) -> String {
    var h = StreamingHasher()
    h.update(text)
    return h.finalize()
}
