/// SplitMix64: the random numbers of anything that must come out the same on every run, such
/// as an augmented child, seeded from (pipeline seed, parent hash, copy number) so that it
/// depends on nothing else: not the clock, the thread, the input order or the Swift version
/// (only this arithmetic draws from it, never the standard library's `random(in:using:)`,
/// whose algorithm is not promised to stay the same).
public struct SeededRandom: Sendable {
    private var state: UInt64

    public init(state: UInt64) { self.state = state }

    /// Seeded by XXH64 of the seed, the record hash and the copy number.
    public init(seed: UInt64, recordHash: [UInt8], copy: Int) {
        var bytes: [UInt8] = []
        withUnsafeBytes(of: seed.littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: recordHash)
        withUnsafeBytes(of: UInt64(copy).littleEndian) { bytes.append(contentsOf: $0) }
        state = XXHash64.hash(bytes)
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in 0..<n (n ≥ 1); the modulo bias is below 2⁻⁴⁰ for any n a text can have.
    public mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }

    /// True with probability `p`.
    public mutating func chance(_ p: Double) -> Bool { Double(next() >> 11) / 9_007_199_254_740_992.0 < p }

    public mutating func shuffle<T>(_ a: inout [T]) {
        guard a.count > 1 else { return }
        for i in stride(from: a.count - 1, to: 0, by: -1) { a.swapAt(i, below(i + 1)) }
    }
}
