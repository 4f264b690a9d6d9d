import WinnowCore
import WinnowTokenize

/// The last stage of a pipeline that trains a model: after the version is stored, each split is
/// encoded with a Hugging Face `tokenizer.json` into token shards (Megatron `.bin/.idx` or flat
/// nanoGPT files) registered with the version.
///
/// Why it runs after the build instead of while records stream: shards are per split, in the
/// version's record order, and named after the version; writing them from the stored version
/// is the same code as `winnow tokenize`, so a pipeline build and a later re-tokenization give
/// byte-identical files. While records stream, the stage only checks that each record has the
/// fields its template needs: a record that lacks one is quarantined (with the field named)
/// instead of making a half-written shard set fail later.
public struct TokenizeStage: Stage {
    public let name = "tokenize"
    public let index: Int
    public let tokenizer: Tokenizer
    /// The tokenizer file as resolved from the pipeline.
    public let tokenizerPath: String
    public let template: DocumentTemplate
    public let options: ShardOptions
    /// Whether each shard gets a `.labels.npy` of the `label` field.
    public let labels: Bool
    /// Folder under which `DATASET@N/` holds the shards; `nil`: `shards/` in the store.
    public let output: String?

    /// Token strings `append_eos: true` / `prepend_bos: true` look for, in order.
    static let endTokens = ["<|endoftext|>", "<|end_of_text|>", "</s>", "<｜end▁of▁sentence｜>", "<eos>"]
    static let beginTokens = ["<|begin_of_text|>", "<s>", "<｜begin▁of▁sentence｜>", "<bos>", "<|startoftext|>"]

    public init(index: Int, config c: JSONObject, base: String, path: String, problem: (String, String) -> Void) throws {
        self.index = index
        let file = c["tokenizer"]?.stringValue ?? ""
        tokenizerPath = file.hasPrefix("/") ? file : base + "/" + file
        do {
            tokenizer = try Tokenizer(contentsOf: tokenizerPath)
        } catch {
            throw StageConfigError(path: "\(path).tokenizer", message: "tokenizer `\(file)`: \(error)")
        }
        if let t = c["template"]?.stringValue {
            if c["field"] != nil { problem("\(path).template", "give `field` or `template`, not both") }
            do { template = try DocumentTemplate(t) } catch {
                problem("\(path).template", "\(error)")
                template = DocumentTemplate(field: "text")
            }
        } else {
            template = DocumentTemplate(field: c["field"]?.stringValue ?? "text")
        }
        var options = ShardOptions()
        options.format = c["format"]?.stringValue.flatMap(ShardOptions.Format.init(rawValue:)) ?? .megatron
        options.maxShardTokens = c["max_shard_tokens"]?.intValue
        options.specialTokens = c["special_tokens"]?.stringValue.flatMap(SpecialTokenPolicy.init(rawValue:)) ?? .text
        let tokenizer = self.tokenizer
        func marker(_ key: String, _ common: [String]) -> Int32? {
            switch c[key] {
            case .string(let token)?:
                if let id = tokenizer.id(of: token) { return id }
                problem("\(path).\(key)", "the tokenizer has no token `\(token)`")
            case .bool(true)?:
                if let id = common.lazy.compactMap({ tokenizer.id(of: $0) }).first { return id }
                problem("\(path).\(key)", "the tokenizer has none of " + common.map { "`\($0)`" }.joined(separator: ", ") + "; name the token")
            default: break
            }
            return nil
        }
        options.eos = marker("append_eos", Self.endTokens)
        options.bos = marker("prepend_bos", Self.beginTokens)
        self.options = options
        labels = c["labels"]?.boolValue ?? false
        output = c["output"]?.stringValue.map { $0.hasPrefix("/") ? $0 : base + "/" + $0 }
    }

    public func process(_ record: inout Record, _ context: StageContext) throws -> StageVerdict {
        if case .failure(let missing) = template.render(record.fields) {
            return .quarantine(reason: "tokenize: \(missing) for the template `\(template.source)`")
        }
        return .keep
    }
}

/// A stage configuration that cannot be used at all, at a JSON path.
struct StageConfigError: Error, CustomStringConvertible {
    let path: String
    let message: String
    var description: String { message }
}
