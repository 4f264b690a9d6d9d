import WinnowCore
import WinnowText

/// What dedup remembers about one record: about 60 bytes plus a sketch of up to 256 bytes, and
/// with the `containment` method 4 bytes per distinct (sampled) shingle. This, not the records,
/// is what grows with the corpus.
public struct DedupSignature: Sendable {
    /// First 16 bytes of SHA-256 of the exact key; `nil` when the key is empty (empty or
    /// punctuation-only text), which is never a duplicate.
    public var exactKey: ExactKeyHash?
    /// `nil` when simhash is off or the text has fewer than `min_shingles` distinct shingles.
    public var fingerprint: SimHashFingerprint?
    public var sketch: [UInt32]
    /// The `containment` method's sorted, distinct sampled shingle values (empty when it is off).
    public var containment: [UInt32] = []
    /// Unicode scalars in the text as it entered the stage (for `longest`/`shortest`).
    public var length: Int
    /// The record's content hash as it entered the stage, for the final tie-break of the keep
    /// policies that need one; `nil` when the policy does not (`keep: first` without
    /// containment), and then computed for kept records alone, once they are known.
    public var recordHash: RecordHash?
    /// The `keep_field` value, for `keep: field`.
    public var keepValue: JSONValue?

    public init(exactKey: ExactKeyHash?, fingerprint: SimHashFingerprint?, sketch: [UInt32], length: Int,
                recordHash: RecordHash?, keepValue: JSONValue? = nil) {
        self.exactKey = exactKey
        self.fingerprint = fingerprint
        self.sketch = sketch
        self.length = length
        self.recordHash = recordHash
        self.keepValue = keepValue
    }
}

/// 128 bits identifying an exact key.
public struct ExactKeyHash: Sendable, Hashable {
    public var high: UInt64
    public var low: UInt64

    public init(keyBytes: [UInt8]) {
        self.init(first16: RecordHash(canonicalBytes: keyBytes).bytes)
    }

    public init?(bytes: [UInt8]) {
        guard bytes.count == 16 else { return nil }
        self.init(first16: bytes)
    }

    /// The first 16 of `bytes` (at least 16), big-endian.
    private init(first16 bytes: [UInt8]) {
        high = bytes[0..<8].reduce(0) { $0 << 8 | UInt64($1) }
        low = bytes[8..<16].reduce(0) { $0 << 8 | UInt64($1) }
    }

    public var bytes: [UInt8] {
        (0..<8).reversed().map { UInt8(truncatingIfNeeded: high >> UInt64(8 * $0)) }
            + (0..<8).reversed().map { UInt8(truncatingIfNeeded: low >> UInt64(8 * $0)) }
    }
}

/// Computes signatures; one per worker thread (it owns a shingler and scratch buffers).
public final class DedupSigner {
    public let settings: DedupSettings
    private let normalizer: UnicodeNormalizer?
    private let shingler: Shingler
    private let containmentShingler: Shingler?
    private var hashes: [UInt64] = []
    /// Scratch: the distinct shingle hashes.
    private var unique: [UInt64] = []
    private var shingleSet = ShingleSet()
    /// Scratch: the normalized text and the exact key.
    private var normalized: [UInt8] = []
    private var keyBytes: [UInt8] = []

    public init(settings: DedupSettings) throws {
        self.settings = settings
        normalizer = try settings.normalization.map { try UnicodeNormalizer($0) }
        shingler = Shingler(settings: settings.shingles)
        containmentShingler = settings.methods.contains(.containment) ? Shingler(settings: settings.containment.shingles) : nil
    }

    /// The exact key alone (no shingles), for callers that only compare keys; `nil` when the
    /// key is empty.
    public func exactKey(of text: String) throws -> ExactKeyHash? {
        var text = text
        return try text.withUTF8 { utf8 in try withNormalized(utf8) { exactKey(normalized: $0) } }
    }

    /// Calls `body` with the normalized UTF-8 of `utf8` (the bytes themselves when normalization
    /// is off or changes nothing; else the reused scratch buffer).
    private func withNormalized<T>(_ utf8: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) throws -> T) throws -> T {
        guard let normalizer else { return try body(utf8) }
        var out = normalized
        normalized = []
        defer { normalized = out }
        guard try normalizer.normalize(utf8: utf8, into: &out) else { return try body(utf8) }
        return try out.withUnsafeBufferPointer { try body($0) }
    }

    private func exactKey(normalized: UnsafeBufferPointer<UInt8>) -> ExactKeyHash? {
        settings.exactKey.key(utf8: normalized, into: &keyBytes)
        return keyBytes.isEmpty ? nil : ExactKeyHash(keyBytes: keyBytes)
    }

    /// Whether containment would cut the same shingles SimHash just cut by `unit`: both by word
    /// with the same n (the defaults, for alphabetic text), so the text is segmented once.
    private func reusesSimHashShingles(_ unit: ShingleUnit) -> Bool {
        let c = settings.containment.shingles
        guard unit == .word, c.wordN == settings.shingles.wordN else { return false }
        // `auto` on both sides decides the same way for the same text.
        return c.unit == .word || (c.unit == .auto && settings.shingles.unit == .auto)
    }

    /// The signature of `text` (`recordHash` and `keepValue` describe the record it came from).
    public func sign(_ text: String, recordHash: RecordHash?, keepValue: JSONValue? = nil) throws -> DedupSignature {
        var text = text
        var signature = try text.withUTF8 { utf8 in
            try withNormalized(utf8) { normalized in try sign(normalized: normalized, recordHash: recordHash, keepValue: keepValue) }
        }
        signature.length = scalarCount(text)
        return signature
    }

    private func sign(normalized: UnsafeBufferPointer<UInt8>, recordHash: RecordHash?, keepValue: JSONValue?) throws -> DedupSignature {
        // The exact key is computed whatever the methods: documents too short to fingerprint
        // fall back to it.
        let exact = exactKey(normalized: normalized)
        var fingerprint: SimHashFingerprint?
        var sketch: [UInt32] = []
        // SimHash's distinct shingle hashes and the unit they were cut by, when computed.
        var simhashShingles: (unit: ShingleUnit, unique: [UInt64])?
        if settings.methods.contains(.simhash) {
            hashes.removeAll(keepingCapacity: true)
            let unit = try shingler.hashes(ofUTF8: normalized, into: &hashes)
            shingleSet.distinct(of: hashes, into: &unique)
            if unique.count >= settings.minShingles {
                // `unique` is already a set: counting it by frequency is the set weighting.
                fingerprint = settings.weighting == .set
                    ? SimHasher.fingerprint(&unique, width: settings.width, weighting: .frequency)
                    : SimHasher.fingerprint(&hashes, width: settings.width, weighting: .frequency)
                sketch = BottomKSketch.make(distinct: unique)
            }
            simhashShingles = (unit, unique)
        }
        var signature = DedupSignature(exactKey: exact, fingerprint: fingerprint, sketch: sketch,
                                       length: 0, recordHash: recordHash, keepValue: keepValue)
        if let containmentShingler {
            if let shared = simhashShingles, reusesSimHashShingles(shared.unit) {
                signature.containment = ContainmentSearch.values(ofShingleHashes: shared.unique, sample: settings.containment.sample)
            } else {
                hashes.removeAll(keepingCapacity: true)
                try containmentShingler.hashes(ofUTF8: normalized, into: &hashes)
                signature.containment = ContainmentSearch.values(ofShingleHashes: hashes, sample: settings.containment.sample)
            }
        }
        return signature
    }
}
