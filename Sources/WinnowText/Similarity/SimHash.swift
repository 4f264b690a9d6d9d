@_implementationOnly import CByteScan

/// A Charikar SimHash fingerprint, 64 or 128 bits.
///
/// Bit i of a 64-bit fingerprint is 1 when more of the document's shingle hashes have bit i set
/// than clear (ties give 0). For 128 bits, each shingle's 64-bit XXH64 value is extended with the
/// SplitMix64 finalizer of itself for bits 64–127. Stored as 8 or 16 bytes, high half first,
/// each half big-endian.
public struct SimHashFingerprint: Sendable, Hashable, Comparable {
    /// Bits 0–63.
    public var low: UInt64
    /// Bits 64–127 (zero for 64-bit fingerprints).
    public var high: UInt64

    public init(low: UInt64, high: UInt64 = 0) {
        self.low = low
        self.high = high
    }

    /// Number of differing bits.
    @inline(__always)
    public func distance(to other: SimHashFingerprint) -> Int {
        (low ^ other.low).nonzeroBitCount + (high ^ other.high).nonzeroBitCount
    }

    public static func < (a: SimHashFingerprint, b: SimHashFingerprint) -> Bool {
        a.high != b.high ? a.high < b.high : a.low < b.low
    }

    /// `length` bits starting at bit `start` (length ≤ 64), as the low bits of the result.
    @inline(__always)
    public func bits(from start: Int, count length: Int) -> UInt64 {
        let mask: UInt64 = length >= 64 ? ~0 : (1 << UInt64(length)) - 1
        if start >= 64 { return (high >> UInt64(start - 64)) & mask }
        if start + length <= 64 { return (low >> UInt64(start)) & mask }
        let lowPart = low >> UInt64(start)
        let highPart = high << UInt64(64 - start)
        return (lowPart | highPart) & mask
    }

    /// The stored form: 8 bytes (64-bit) or 16 bytes (128-bit), big-endian.
    public func bytes(width: Int) -> [UInt8] {
        var out: [UInt8] = []
        if width == 128 { for k in (0..<8).reversed() { out.append(UInt8(truncatingIfNeeded: high >> UInt64(8 * k))) } }
        for k in (0..<8).reversed() { out.append(UInt8(truncatingIfNeeded: low >> UInt64(8 * k))) }
        return out
    }

    /// Reads the stored form.
    public init?(bytes: [UInt8]) {
        func word(_ s: ArraySlice<UInt8>) -> UInt64 { s.reduce(0) { $0 << 8 | UInt64($1) } }
        switch bytes.count {
        case 8: self.init(low: word(bytes[0..<8]))
        case 16: self.init(low: word(bytes[8..<16]), high: word(bytes[0..<8]))
        default: return nil
        }
    }

    public var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for word in high == 0 ? [low] : [high, low] {
            for k in (0..<16).reversed() { out.append(digits[Int((word >> UInt64(4 * k)) & 0xF)]) }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Builds SimHash fingerprints from shingle hashes.
///
/// Counting is vertical: each byte of a hash selects a precomputed word holding eight one-byte
/// counters, so a shingle costs eight additions instead of 64 (or 16 instead of 128).
public enum SimHasher {
    /// Each distinct shingle counts once (`set`, the default: a shingle repeated a thousand times,
    /// such as a table border, must not decide the fingerprint), or as often as it occurs.
    public enum Weighting: String, Sendable, CaseIterable {
        case set, frequency
    }

    private static let spread: [UInt64] = (0..<256).map { v in
        var w: UInt64 = 0
        for bit in 0..<8 where v & (1 << bit) != 0 { w |= 1 << UInt64(8 * bit) }
        return w
    }

    /// Sorts `hashes` and removes repeats: the document's shingle set.
    @inlinable  // generic: callers in other modules must get a specialized copy, not witness-table sorting
    public static func makeSet<Value: Comparable>(_ hashes: inout [Value]) {
        hashes.sort()
        dropRepeats(sorted: &hashes)
    }

    /// Removes repeats from sorted `values` (they are adjacent).
    @inlinable
    public static func dropRepeats<Value: Equatable>(sorted values: inout [Value]) {
        var write = 0
        for read in values.indices where read == 0 || values[read] != values[read - 1] {
            values[write] = values[read]
            write += 1
        }
        values.removeLast(values.count - write)
    }

    /// The fingerprint of a document's shingle hashes. `hashes` becomes a sorted set when
    /// `weighting` is `set`. Returns `nil` for no shingles.
    public static func fingerprint(_ hashes: inout [UInt64], width: Int, weighting: Weighting) -> SimHashFingerprint? {
        if weighting == .set { makeSet(&hashes) }
        guard !hashes.isEmpty else { return nil }
        let total = hashes.count
        var low: UInt64 = 0
        // One mask move per hash with AVX-512 where the CPU has it (and counts fit 32 bits).
        let counted = total < 1 << 32 && hashes.withUnsafeBufferPointer { winnow_bit_majority($0.baseAddress!, total, &low) } != 0
        if !counted { low = majority(hashes, total: total) { $0 } }
        guard width == 128 else { return SimHashFingerprint(low: low) }
        let high = majority(hashes, total: total) { splitMix($0) }
        return SimHashFingerprint(low: low, high: high)
    }

    /// The SplitMix64 finalizer: extends a shingle hash to 128 bits.
    @inline(__always)
    static func splitMix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    private static func majority(_ hashes: [UInt64], total: Int, _ transform: (UInt64) -> UInt64) -> UInt64 {
        var ones = [Int](repeating: 0, count: 64)
        var lanes = (UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        func flush() {
            withUnsafeBytes(of: &lanes) { raw in
                // Byte k of the lanes (little-endian) counts hash bit k.
                for k in 0..<64 { ones[k] += Int(raw[k]) }
            }
            lanes = (0, 0, 0, 0, 0, 0, 0, 0)
        }
        spread.withUnsafeBufferPointer { table in
            var pending = 0
            for value in hashes {
                let h = transform(value)
                lanes.0 &+= table[Int(h & 0xFF)]
                lanes.1 &+= table[Int((h >> 8) & 0xFF)]
                lanes.2 &+= table[Int((h >> 16) & 0xFF)]
                lanes.3 &+= table[Int((h >> 24) & 0xFF)]
                lanes.4 &+= table[Int((h >> 32) & 0xFF)]
                lanes.5 &+= table[Int((h >> 40) & 0xFF)]
                lanes.6 &+= table[Int((h >> 48) & 0xFF)]
                lanes.7 &+= table[Int(h >> 56)]
                pending += 1
                if pending == 255 { flush(); pending = 0 }
            }
        }
        flush()
        var fingerprint: UInt64 = 0
        for bit in 0..<64 where ones[bit] * 2 > total { fingerprint |= 1 << UInt64(bit) }
        return fingerprint
    }
}
