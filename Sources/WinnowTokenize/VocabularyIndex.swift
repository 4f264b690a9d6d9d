#if canImport(Glibc)
import Glibc
#endif
import WinnowText

/// Vocabulary ids by the UTF-8 bytes of their tokens: how merges are resolved while a
/// `tokenizer.json` loads.
///
/// A 151k-token vocabulary has as many merges, each naming three tokens (left, right, merged).
/// Looking those up in `[String: Int32]` hashed every byte-level string through Swift's
/// Unicode-canonical `String` hashing and built a `String` per part, a large share of the load
/// time. Here a lookup is one XXH64 of the bytes and a byte comparison; equality is byte
/// equality, as in HF `tokenizers`.
struct VocabularyIndex {
    /// Open addressing, at most half full: per slot the id (-1 when empty) and the token's
    /// bytes as a range of `arena`.
    private var ids: [Int32]
    private var starts: [Int32]
    private var lengths: [Int32]
    private let mask: Int
    private var arena: [UInt8] = []

    init(capacity: Int) {
        var size = 16
        while size < 2 * capacity { size <<= 1 }
        ids = [Int32](repeating: -1, count: size)
        starts = [Int32](repeating: 0, count: size)
        lengths = [Int32](repeating: 0, count: size)
        mask = size - 1
    }

    /// Adds `token` with `id`; a token already present keeps its first id.
    mutating func insert(_ token: String, id: Int32) {
        var token = token
        token.withUTF8 { bytes in
            var slot = Int(truncatingIfNeeded: XXHash64.hash(UnsafeRawBufferPointer(bytes))) & mask
            while ids[slot] >= 0 {
                if equal(slot, bytes) { return }
                slot = (slot + 1) & mask
            }
            ids[slot] = id
            starts[slot] = Int32(arena.count)
            lengths[slot] = Int32(bytes.count)
            arena.append(contentsOf: bytes)
        }
    }

    /// The id of the token spelled by `bytes`, or `nil`.
    func id(of bytes: UnsafeBufferPointer<UInt8>) -> Int32? {
        var slot = Int(truncatingIfNeeded: XXHash64.hash(UnsafeRawBufferPointer(bytes))) & mask
        while ids[slot] >= 0 {
            if equal(slot, bytes) { return ids[slot] }
            slot = (slot + 1) & mask
        }
        return nil
    }

    private func equal(_ slot: Int, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard Int(lengths[slot]) == bytes.count else { return false }
        guard let b = bytes.baseAddress, !bytes.isEmpty else { return true }
        return arena.withUnsafeBufferPointer { a in memcmp(a.baseAddress! + Int(starts[slot]), b, bytes.count) == 0 }
    }
}
