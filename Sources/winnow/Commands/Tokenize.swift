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

    @Option(name: .long, help: "Document text built from fields, e.g. '{title}\\n\\n{text}' (instead of --field).")
    var template: String?

    @Option(name: .long, help: "End-of-document token appended to every document that produced tokens (e.g. '<|endoftext|>'); none when omitted.")
    var eos: String?

    @Option(name: .long, help: "Beginning-of-document token prepended to every document that produced tokens (e.g. '<|begin_of_text|>').")
    var bos: String?

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
        var options = ShardOptions()
        for (flag, token) in [("--eos", eos), ("--bos", bos)] {
            guard let token else { continue }
            guard let id = tok.id(of: token) else { throw WinnowError.usage("the tokenizer has no token `\(token)` for \(flag)") }
            if flag == "--eos" { options.eos = id } else { options.bos = id }
        }
        guard let shardFormat = ShardOptions.Format(rawValue: format) else { throw WinnowError.usage("--format must be `megatron` or `nanogpt`") }
        if let maxShardTokens, maxShardTokens < 1 { throw WinnowError.usage("--max-shard-tokens must be at least 1") }
        let documentTemplate: DocumentTemplate
        do { documentTemplate = try template.map { try DocumentTemplate($0) } ?? DocumentTemplate(field: field) } catch {
            throw WinnowError.usage("\(error)")
        }
        options.format = shardFormat
        options.maxShardTokens = maxShardTokens
        options.specialTokens = policy
        options.threads = threads ?? ProcessInfo.processInfo.activeProcessorCount
        let job = TokenShardJob(tokenizer: tok, tokenizerPath: tokenizer, template: documentTemplate, options: options,
                                labels: labels, splits: split.map { [$0] })
        let manifest = try job.write(store: store, version: v, directory: output)
        if outputOptions.json { return Format.printJSON(manifest) }
        for line in TokenShardJob.summary(manifest, directory: output) { print(line) }
    }
}
