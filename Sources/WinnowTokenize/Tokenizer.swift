import Foundation
import WinnowCore
import WinnowText

/// A byte-level BPE tokenizer loaded from a Hugging Face `tokenizer.json`, giving the same ids
/// as HF `tokenizers`' `encode(text, add_special_tokens=False)`.
///
/// Supported components: normalizers NFC, NFKC, Sequence and none; pre-tokenizers Split (regex
/// or string; all five behaviours; invert), ByteLevel (with or without its regex and prefix
/// space), Digits and Sequence; the BPE model (merges as `"a b"` or `["a","b"]`, `ignore_merges`,
/// `byte_fallback`); added tokens with HF's matching rules; post-processors ByteLevel,
/// TemplateProcessing and Sequence; the ByteLevel decoder. Anything else is refused at load time
/// with a ``TokenizerError`` naming the component.
///
/// The tokenizer is immutable and shared; encode through a per-thread ``TokenEncoder``, which
/// caches the ids of frequent pre-tokens.
public final class Tokenizer: @unchecked Sendable {
    let normalizer: Normalizer
    let preTokenizer: PreTokenizer
    let model: BPEModel
    let rawTokens: AddedTokenMatcher
    let normalizedTokens: AddedTokenMatcher
    /// All added tokens (special or not), for the "plain text" policy.
    let specialIDs: Set<Int32>
    let addedByID: [Int32: AddedToken]
    /// Ids the post-processor puts around a single sequence when special tokens are added.
    public let templatePrefix: [Int32]
    public let templateSuffix: [Int32]
    /// Number of ids: one past the largest id in the vocabulary or added tokens.
    public let vocabularySize: Int
    /// SHA-256 of the file, recorded with the shards it produced.
    public let fileSHA256: String

    public convenience init(contentsOf path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TokenizerError("cannot read tokenizer file `\(path)`: no such file")
        }
        try self.init(bytes: [UInt8](data))
    }

    public init(bytes: [UInt8]) throws {
        let json: JSONValue
        do { json = try bytes.withUnsafeBufferPointer { try JSONParser.parse($0) } } catch {
            throw TokenizerError("tokenizer file is not valid JSON: \(error)")
        }
        guard let root = json.objectValue, let modelJSON = root["model"]?.objectValue else {
            throw TokenizerError("tokenizer file has no `model`")
        }
        var hasher = StreamingHasher()
        hasher.update(bytes)
        fileSHA256 = hasher.finalize()
        let normalizer = try Normalizer(json: root["normalizer"])
        self.normalizer = normalizer
        preTokenizer = try PreTokenizer(json: root["pre_tokenizer"])
        model = try BPEModel(json: modelJSON, byteLevel: preTokenizer.isByteLevel)
        if let decoder = root["decoder"], !decoder.isNull {
            let type = decoder.objectValue?["type"]?.stringValue ?? "?"
            guard type == "ByteLevel" else { throw TokenizerError("decoder `\(type)` is not supported (only ByteLevel)") }
        }
        var added: [AddedToken] = []
        for entry in root["added_tokens"]?.arrayValue ?? [] {
            guard let o = entry.objectValue, let content = o["content"]?.stringValue, let id = o["id"]?.intValue else {
                throw TokenizerError("added_tokens: each entry needs `content` and `id`")
            }
            added.append(AddedToken(content: Array(content.utf8), id: Int32(id), special: o["special"]?.boolValue ?? false,
                                    normalized: o["normalized"]?.boolValue ?? !(o["special"]?.boolValue ?? false),
                                    singleWord: o["single_word"]?.boolValue ?? false,
                                    lstrip: o["lstrip"]?.boolValue ?? false, rstrip: o["rstrip"]?.boolValue ?? false))
        }
        rawTokens = AddedTokenMatcher(added.filter { !$0.normalized })
        normalizedTokens = AddedTokenMatcher(try added.filter(\.normalized).map { t in
            var t = t
            t.content = Array(try normalizer.apply(String(decoding: t.content, as: UTF8.self)).utf8)
            return t
        })
        specialIDs = Set(added.filter(\.special).map(\.id))
        addedByID = Dictionary(added.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        (templatePrefix, templateSuffix) = try Tokenizer.template(root["post_processor"])
        let maxID = max(model.tokens.keys.max() ?? -1, added.map(\.id).max() ?? -1)
        vocabularySize = Int(maxID) + 1
    }

    /// The single-sequence template of the post-processor: ids before and after `$A`.
    private static func template(_ json: JSONValue?) throws -> ([Int32], [Int32]) {
        guard let o = json?.objectValue, let type = o["type"]?.stringValue else { return ([], []) }
        switch type {
        case "ByteLevel": return ([], [])
        case "Sequence":
            var prefix: [Int32] = [], suffix: [Int32] = []
            for p in o["processors"]?.arrayValue ?? [] {
                let (a, b) = try template(p)
                prefix += a
                suffix += b
            }
            return (prefix, suffix)
        case "TemplateProcessing":
            var prefix: [Int32] = [], suffix: [Int32] = []
            var seenA = false
            let specials = o["special_tokens"]?.objectValue ?? JSONObject()
            for piece in o["single"]?.arrayValue ?? [] {
                if piece.objectValue?["Sequence"] != nil { seenA = true; continue }
                guard let name = piece.objectValue?["SpecialToken"]?.objectValue?["id"]?.stringValue,
                      let ids = specials[name]?.objectValue?["ids"]?.arrayValue?.compactMap(\.intValue) else {
                    throw TokenizerError("post_processor TemplateProcessing: cannot read the `single` template")
                }
                if seenA { suffix += ids.map(Int32.init) } else { prefix += ids.map(Int32.init) }
            }
            return (prefix, suffix)
        default:
            throw TokenizerError("post_processor `\(type)` is not supported (supported: ByteLevel, TemplateProcessing, Sequence)")
        }
    }

    /// The id of a token string (vocabulary or added token), if any.
    public func id(of token: String) -> Int32? {
        model.vocab[token] ?? addedByID.first { String(decoding: $0.value.content, as: UTF8.self) == token }?.key
    }

    /// A per-thread encoder.
    public func makeEncoder() -> TokenEncoder { TokenEncoder(self) }

    /// Decodes ids back to text (ByteLevel decoder, lossy UTF-8), optionally skipping special tokens.
    public func decode(_ ids: [Int32], skipSpecialTokens: Bool = false) -> String {
        var bytes: [UInt8] = []
        for id in ids {
            if let added = addedByID[id] {
                if skipSpecialTokens && added.special { continue }
                bytes += added.content
            } else if let token = model.tokens[id] {
                bytes += model.byteIDs.isEmpty ? Array(token.utf8) : ByteLevelAlphabet.decode(token)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// How special-token strings that appear inside the text are treated.
public enum SpecialTokenPolicy: String, Sendable {
    /// As HF does by default: `<|endoftext|>` in the text becomes the control id.
    case control
    /// As plain text (tiktoken's `encode_ordinary`, HF's `encode_special_tokens`): safest for
    /// untrusted training text.
    case text
}

/// Encodes text with a shared ``Tokenizer``; keeps a cache of pre-token ids. One per thread.
public final class TokenEncoder {
    public let tokenizer: Tokenizer
    /// Taken out while a document is encoded (`nil` meanwhile), so the hot loop works on a
    /// local value instead of a class property checked for exclusive access on every use.
    private var cache: PieceCache? = PieceCache()
    private var matchers: [ObjectIdentifier: RegexMatcher] = [:]

    init(_ tokenizer: Tokenizer) { self.tokenizer = tokenizer }

    /// `encode(text, add_special_tokens=False)`.
    public func encode(_ text: String, specialTokens: SpecialTokenPolicy = .control) throws -> [Int32] {
        var out: [Int32] = []
        let t = tokenizer
        let raw = specialTokens == .control ? t.rawTokens.split(Array(text.utf8)) : [.text(Array(text.utf8))]
        for segment in raw {
            guard case .text(let bytes) = segment else {
                if case .token(let id) = segment { out.append(id) }
                continue
            }
            let normalized = t.normalizer.isIdentity ? bytes : Array(try t.normalizer.apply(String(decoding: bytes, as: UTF8.self)).utf8)
            let pieces = specialTokens == .control ? t.normalizedTokens.split(normalized) : [.text(normalized)]
            for piece in pieces {
                switch piece {
                case .token(let id): out.append(id)
                case .text(let text):
                    let (buffer, pieces) = try t.preTokenizer.apply(text, &matchers)
                    var local = cache ?? PieceCache()
                    cache = nil
                    defer { cache = local }
                    let model = t.model
                    try buffer.withUnsafeBufferPointer { all in
                        try TokenEncoder.encodePieces(all, pieces, model, &local, into: &out)
                    }
                }
            }
        }
        return out
    }

    /// How many pieces ahead the cache sets are prefetched.
    private static let prefetchDistance = 8

    /// Encodes the pieces in order, hashing each `prefetchDistance` pieces before it is encoded
    /// and prefetching its cache set then, so the cache's memory latency overlaps the work on
    /// the pieces in between.
    private static func encodePieces(_ all: UnsafeBufferPointer<UInt8>, _ pieces: [Range<Int>], _ model: BPEModel,
                                     _ cache: inout PieceCache, into out: inout [Int32]) throws {
        let ahead = prefetchDistance
        try withUnsafeTemporaryAllocation(of: UInt64.self, capacity: ahead) { hashes in
            @inline(__always) func hashAndPrefetch(_ k: Int) -> UInt64 {
                let piece = UnsafeBufferPointer(rebasing: all[pieces[k]])
                guard piece.count <= PieceCache.maxBytes else { return 0 }
                let hash = PieceCache.hash(piece)
                cache.prefetch(hash: hash)
                return hash
            }
            for k in 0..<min(ahead, pieces.count) { hashes[k] = hashAndPrefetch(k) }
            for k in pieces.indices {
                let hash = hashes[k % ahead]
                if k + ahead < pieces.count { hashes[k % ahead] = hashAndPrefetch(k + ahead) }
                let piece = UnsafeBufferPointer(rebasing: all[pieces[k]])
                guard hash != 0 else {
                    try model.encode(piece, into: &out)
                    continue
                }
                if cache.lookup(piece, hash: hash, into: &out) { continue }
                let start = out.count
                try model.encode(piece, into: &out)
                cache.insert(piece, hash: hash, ids: out[start...])
            }
        }
    }
}
