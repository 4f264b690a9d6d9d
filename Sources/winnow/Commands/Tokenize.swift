import ArgumentParser
import Foundation
import WinnowCore
import WinnowStore
import WinnowTokenize

struct Tokenize: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a version's records as Megatron token shards (.bin/.idx) with a manifest.",
        discussion: """
        Encodes each split with a Hugging Face tokenizer.json (ids equal to HF `tokenizers`), one sequence per
        document, and writes OUTPUT/DATASET_SPLIT_00000.bin/.idx plus manifest.json (tokenizer hash, vocabulary
        size, dtype, documents and tokens per shard, SHA-256 of every file). The version itself is not rebuilt.
        """)

    @Argument(help: "Version: id prefix, DATASET@N, DATASET@latest or tag.")
    var version: String

    @Option(name: .long, help: "Path of a tokenizer.json.")
    var tokenizer: String

    @Option(name: [.short, .long], help: "Output directory (created; must not hold shards already).")
    var output: String

    @Option(name: .long, help: "Only this split.")
    var split: String?

    @Option(name: .long, help: "Field to tokenize.")
    var field = "text"

    @Option(name: .long, help: "End-of-document token appended to every document that produced tokens (e.g. '<|endoftext|>'); none when omitted.")
    var eos: String?

    @Option(name: .long, help: "`control`: special-token strings in the text become control ids (HF default); `text`: encode them as plain text.")
    var specialTokens = "text"

    @Option(name: .long, help: "`megatron` (.bin/.idx, default) or `nanogpt` (flat uint16/uint32 .bin).")
    var format = "megatron"

    @Option(name: .long, help: "Start a new shard before a document that would take a shard past N tokens.")
    var maxShardTokens: Int?

    @Flag(name: .long, help: "Write each shard's document labels (the `label` field) as an int32 .labels.npy; names in the manifest.")
    var labels = false

    @Option(name: .long, help: "Encoding threads (default: all cores). Never changes the bytes written.")
    var threads: Int?

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var outputOptions: OutputOptions

    func run() throws {
        guard let policy = SpecialTokenPolicy(rawValue: specialTokens) else {
            throw WinnowError.usage("--special-tokens must be `control` or `text`")
        }
        let store = try storeOptions.open()
        let v = try store.resolve(version)
        let tok: Tokenizer
        do { tok = try Tokenizer(contentsOf: tokenizer) } catch let e as TokenizerError { throw WinnowError.usage("tokenizer `\(tokenizer)`: \(e.message)") }
        var eosID: Int32?
        if let eos {
            guard let id = tok.id(of: eos) else { throw WinnowError.usage("the tokenizer has no token `\(eos)` for --eos") }
            eosID = id
        }
        guard let shardFormat = ShardOptions.Format(rawValue: format) else { throw WinnowError.usage("--format must be `megatron` or `nanogpt`") }
        if let maxShardTokens, maxShardTokens < 1 { throw WinnowError.usage("--max-shard-tokens must be at least 1") }
        let fm = FileManager.default
        try fm.createDirectory(atPath: output, withIntermediateDirectories: true)
        let directory = URL(fileURLWithPath: output).standardizedFileURL.path
        let splits = try split.map { [$0] } ?? store.splitCounts(of: v).map(\.split)
        var options = ShardOptions()
        options.format = shardFormat
        options.maxShardTokens = maxShardTokens
        options.eos = eosID
        options.specialTokens = policy
        options.threads = threads ?? ProcessInfo.processInfo.activeProcessorCount
        let labelNames = labels ? Array(Set(try store.records(of: v).compactMap(\.label))).sorted() : nil
        options.labels = labelNames
        let builder = ShardBuilder(tokenizer: tok, directory: directory, prefix: v.dataset, options: options)
        do {
            for s in splits {
                var refs = try store.records(of: v, split: s)[...]
                try builder.write(split: s) {
                    guard !refs.isEmpty else { return nil }
                    let batch = refs.prefix(1024)
                    refs = refs.dropFirst(batch.count)
                    return try batch.map { ref in
                        guard let body = try store.body(of: ref.hash)?.objectValue else { throw WinnowError.store("record \(ref.hash.short) is missing; run `winnow verify`") }
                        guard let text = body[field]?.stringValue else {
                            throw WinnowError.build("record \(ref.hash.short) (line \(ref.line)) has no string field `\(field)`")
                        }
                        return ShardDocument(text: text, label: ref.label)
                    }
                }
            }
        } catch {
            builder.removeWrittenFiles()
            throw error
        }
        let dtypeName = shardFormat == .megatron ? builder.dtype.name : (builder.nanoGPTItemSize == 2 ? "uint16" : "uint32")
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
        let manifest = JSONValue.object(JSONObject([
            ("version", .string(v.name)), ("version_id", .string(v.id)),
            ("format", .string(shardFormat == .megatron ? "megatron-mmidx-v1" : "nanogpt-flat")),
            ("tokenizer", .string(tokenizer)), ("tokenizer_sha256", .string(tok.fileSHA256)),
            ("vocabulary_size", .number(JSONNumber(tok.vocabularySize))), ("dtype", .string(dtypeName)),
            ("eos", eosID.map { .number(JSONNumber(Int($0))) } ?? .null), ("special_tokens", .string(policy.rawValue)),
            ("field", .string(field)), ("max_shard_tokens", maxShardTokens.map { .number(JSONNumber($0)) } ?? .null),
            ("labels", labelNames.map { .array($0.map(JSONValue.string)) } ?? .null), ("shards", .array(shards)),
        ]))
        try JSONWriter.pretty(manifest).write(toFile: output + "/manifest.json", atomically: true, encoding: .utf8)
        let files = builder.files.map { ShardSet.File(path: directory + "/" + $0.name, split: $0.split, documents: $0.documents, tokens: $0.tokens, sha256: $0.sha256) }
        try store.register(ShardSet(directory: directory, format: shardFormat == .megatron ? "megatron-mmidx-v1" : "nanogpt-flat",
                                    tokenizerSHA256: tok.fileSHA256, vocabularySize: tok.vocabularySize, dtype: dtypeName, files: files),
                           manifest: manifest, for: v)
        if outputOptions.json { return Format.printJSON(manifest) }
        for case .object(let s) in shards {
            print("\(s["prefix"]!.displayText): \(Format.count(s["documents"]!.intValue!)) documents, \(Format.count(s["tokens"]!.intValue!)) tokens (\(dtypeName))")
        }
        print("manifest: \(output)/manifest.json (registered with \(v.name); `winnow verify` re-hashes the shards)")
    }
}
