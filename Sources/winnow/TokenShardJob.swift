import Foundation
import WinnowCore
import WinnowStore
import WinnowTokenize

/// Writes a stored version's splits as token shards, with a manifest, and registers them: what
/// `winnow tokenize` and a pipeline's `tokenize` stage both do, so both give the same bytes.
///
/// Records are read back in version order, a batch at a time (memory: one batch of bodies and
/// token ids per encoding thread). On any failure every file written so far is removed.
struct TokenShardJob {
    var tokenizer: Tokenizer
    var tokenizerPath: String
    var template: DocumentTemplate
    var options: ShardOptions
    var labels: Bool
    /// Only these splits (default: all of the version's).
    var splits: [String]?

    /// Writes into `directory` (created) and returns the manifest.
    func write(store: Store, version v: VersionInfo, directory output: String) throws -> JSONValue {
        let fm = FileManager.default
        try fm.createDirectory(atPath: output, withIntermediateDirectories: true)
        let directory = URL(fileURLWithPath: output).standardizedFileURL.path
        let names = try splits ?? store.splitCounts(of: v).map(\.split)
        var options = self.options
        let labelNames = labels ? Array(Set(try store.records(of: v).compactMap(\.label))).sorted() : nil
        options.labels = labelNames
        let builder = ShardBuilder(tokenizer: tokenizer, directory: directory, prefix: v.dataset, options: options)
        do {
            for s in names {
                var refs = try store.records(of: v, split: s)[...]
                try builder.write(split: s) {
                    guard !refs.isEmpty else { return nil }
                    let batch = refs.prefix(1024)
                    refs = refs.dropFirst(batch.count)
                    return try batch.map { ref in
                        guard let body = try store.body(of: ref.hash)?.objectValue else { throw WinnowError.store("record \(ref.hash.short) is missing; run `winnow verify`") }
                        switch template.render(body) {
                        case .success(let text): return ShardDocument(text: text, label: ref.label)
                        case .failure(let missing):
                            throw WinnowError.build("record \(ref.hash.short) (line \(ref.line)) has \(missing) for `\(template.source)`; no shards were written")
                        }
                    }
                }
            }
        } catch {
            builder.removeWrittenFiles()
            throw error
        }
        let format = options.format.manifestName
        let dtypeName = options.format == .megatron ? builder.dtype.name : (builder.nanoGPTItemSize == 2 ? "uint16" : "uint32")
        var shards: [JSONValue] = []
        for group in Dictionary(grouping: builder.files, by: { "\($0.split)\u{1}\($0.shard)" }).values.sorted(by: { ($0[0].split, $0[0].shard) < ($1[0].split, $1[0].shard) }) {
            let first = group[0]
            var o = JSONObject([("split", .string(first.split)), ("prefix", .string(String(first.name.dropLast(4)))),
                                ("documents", .number(JSONNumber(first.documents))), ("tokens", .number(JSONNumber(first.tokens)))])
            for f in group {
                let key = f.name.hasSuffix(".labels.npy") ? "labels_sha256" : f.name.hasSuffix(".idx") ? "idx_sha256" : "bin_sha256"
                o[key] = .string(f.sha256)
            }
            shards.append(.object(o))
        }
        func token(_ id: Int32?) -> JSONValue { id.map { .number(JSONNumber(Int($0))) } ?? .null }
        let manifest = JSONValue.object(JSONObject([
            ("version", .string(v.name)), ("version_id", .string(v.id)), ("format", .string(format)),
            ("tokenizer", .string(tokenizerPath)), ("tokenizer_sha256", .string(tokenizer.fileSHA256)),
            ("vocabulary_size", .number(JSONNumber(tokenizer.vocabularySize))), ("dtype", .string(dtypeName)),
            ("bos", token(options.bos)), ("eos", token(options.eos)), ("special_tokens", .string(options.specialTokens.rawValue)),
            ("template", .string(template.source)),
            ("max_shard_tokens", options.maxShardTokens.map { .number(JSONNumber($0)) } ?? .null),
            ("labels", labelNames.map { .array($0.map(JSONValue.string)) } ?? .null), ("shards", .array(shards)),
        ]))
        do {
            try JSONWriter.pretty(manifest).write(toFile: directory + "/manifest.json", atomically: true, encoding: .utf8)
            let files = builder.files.map { ShardSet.File(path: directory + "/" + $0.name, split: $0.split, documents: $0.documents, tokens: $0.tokens, sha256: $0.sha256) }
            try store.register(ShardSet(directory: directory, format: format, tokenizerSHA256: tokenizer.fileSHA256,
                                        vocabularySize: tokenizer.vocabularySize, dtype: dtypeName, files: files),
                               manifest: manifest, for: v)
        } catch {
            builder.removeWrittenFiles()
            try? fm.removeItem(atPath: directory + "/manifest.json")
            throw error
        }
        return manifest
    }

    /// One line per shard, for people.
    static func summary(_ manifest: JSONValue, directory: String) -> [String] {
        let dtype = manifest.objectValue?["dtype"]?.stringValue ?? "?"
        var lines: [String] = []
        for case .object(let s) in manifest.objectValue?["shards"]?.arrayValue ?? [] {
            lines.append("\(s["prefix"]?.displayText ?? "?"): \(Format.count(s["documents"]?.intValue ?? 0)) documents, \(Format.count(s["tokens"]?.intValue ?? 0)) tokens (\(dtype))")
        }
        lines.append("manifest: \(directory)/manifest.json (registered with \(manifest.objectValue?["version"]?.stringValue ?? "?"); `winnow verify` re-hashes the shards)")
        return lines
    }
}
