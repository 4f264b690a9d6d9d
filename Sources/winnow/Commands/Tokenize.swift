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
        let fm = FileManager.default
        try fm.createDirectory(atPath: output, withIntermediateDirectories: true)
        let splits = try split.map { [$0] } ?? store.splitCounts(of: v).map(\.split)
        let dtype = MegatronShardWriter.DType.optimal(forVocabularySize: tok.vocabularySize)
        let encoder = tok.makeEncoder()
        var shards: [JSONValue] = []
        var files: [ShardSet.File] = []
        let directory = URL(fileURLWithPath: output).standardizedFileURL.path
        var written: [String] = []
        do {
            for s in splits {
                let prefix = "\(v.dataset)_\(s)_00000"
                let path = output + "/" + prefix
                if fm.fileExists(atPath: path + ".bin") { throw WinnowError.usage("\(path).bin exists; choose an empty --output") }
                let writer = try MegatronShardWriter(prefix: path, dtype: dtype)
                written += [path + ".bin", path + ".idx"]
                for ref in try store.records(of: v, split: s) {
                    guard let body = try store.body(of: ref.hash)?.objectValue else { throw WinnowError.store("record \(ref.hash.short) is missing; run `winnow verify`") }
                    guard let text = body[field]?.stringValue else {
                        throw WinnowError.build("record \(ref.hash.short) (\(ref.line)) has no string field `\(field)`")
                    }
                    var ids = try encoder.encode(text, specialTokens: policy)
                    if let eosID, !ids.isEmpty { ids.append(eosID) }
                    try writer.add(document: ids)
                }
                let (binHash, idxHash) = try writer.finish()
                files.append(.init(path: directory + "/" + prefix + ".bin", split: s, documents: writer.documentCount, tokens: writer.tokenCount, sha256: binHash))
                files.append(.init(path: directory + "/" + prefix + ".idx", split: s, documents: writer.documentCount, tokens: writer.tokenCount, sha256: idxHash))
                shards.append(.object(JSONObject([
                    ("split", .string(s)), ("prefix", .string(prefix)), ("documents", .number(JSONNumber(writer.documentCount))),
                    ("tokens", .number(JSONNumber(writer.tokenCount))), ("bin_sha256", .string(binHash)), ("idx_sha256", .string(idxHash)),
                ])))
            }
        } catch {
            for file in written { try? fm.removeItem(atPath: file) }
            throw error
        }
        let manifest = JSONValue.object(JSONObject([
            ("version", .string(v.name)), ("version_id", .string(v.id)), ("format", .string("megatron-mmidx-v1")),
            ("tokenizer", .string(tokenizer)), ("tokenizer_sha256", .string(tok.fileSHA256)),
            ("vocabulary_size", .number(JSONNumber(tok.vocabularySize))), ("dtype", .string(dtype.name)),
            ("eos", eosID.map { .number(JSONNumber(Int($0))) } ?? .null), ("special_tokens", .string(policy.rawValue)),
            ("field", .string(field)), ("shards", .array(shards)),
        ]))
        try JSONWriter.pretty(manifest).write(toFile: output + "/manifest.json", atomically: true, encoding: .utf8)
        try store.register(ShardSet(directory: directory, format: "megatron-mmidx-v1", tokenizerSHA256: tok.fileSHA256,
                                    vocabularySize: tok.vocabularySize, dtype: dtype.name, files: files), manifest: manifest, for: v)
        if outputOptions.json { return Format.printJSON(manifest) }
        for case .object(let s) in shards {
            print("\(s["prefix"]!.displayText): \(Format.count(s["documents"]!.intValue!)) documents, \(Format.count(s["tokens"]!.intValue!)) tokens (\(dtype.name))")
        }
        print("manifest: \(output)/manifest.json (registered with \(v.name); `winnow verify` re-hashes the shards)")
    }
}
