import WinnowText
#if canImport(Glibc)
import Glibc
#endif

/// The ids of recently encoded pre-tokens, one cache line per piece.
///
/// Most pre-tokens repeat (words, spaces, punctuation), so an encoder looks each up before
/// running the merges. Lookups are bound by memory latency, not arithmetic: a `Dictionary`
/// keyed by byte arrays (SipHash, separate key and value storage) cost more than the merges it
/// saved. Here each slot is 64 bytes holding the piece's hash, its bytes (up to 28) and its ids
/// (up to 6), and the slot is found by open addressing on the hash, so a hit reads one cache
/// line. Longer pieces (long runs of Chinese characters, which rarely repeat) are not cached.
/// When the table is half full it is emptied and refills as text comes: 8 MB per encoder.
struct PieceCache {
    static let maxBytes = 28
    static let maxIDs = 6
    private static let bits = 17

    private struct Slot {
        /// 0: empty (real hashes have the low bit set).
        var hash: UInt64 = 0
        var byteCount: UInt8 = 0
        var idCount: UInt8 = 0
        var spare: UInt16 = 0
        var ids: (Int32, Int32, Int32, Int32, Int32, Int32) = (0, 0, 0, 0, 0, 0)
        var bytes: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) = (0, 0, 0, 0, 0, 0, 0)
    }

    /// Bytes per slot: one cache line (tested).
    static var slotStride: Int { MemoryLayout<Slot>.stride }

    private var slots = [Slot](repeating: Slot(), count: 1 << bits)
    private var used = 0

    static func hash(_ piece: UnsafeBufferPointer<UInt8>) -> UInt64 { XXHash64.hash(UnsafeRawBufferPointer(piece)) | 1 }

    /// Appends the cached ids of `piece` to `out`; false when it is not cached.
    func lookup(_ piece: UnsafeBufferPointer<UInt8>, hash: UInt64, into out: inout [Int32]) -> Bool {
        guard piece.count <= Self.maxBytes else { return false }
        let mask = (1 << Self.bits) - 1
        var slot = Int(hash >> UInt64(64 - Self.bits))
        return slots.withUnsafeBufferPointer { slots in
            while true {
                let s = slots.baseAddress! + slot
                let h = s.pointee.hash
                if h == 0 { return false }
                if h == hash, Int(s.pointee.byteCount) == piece.count {
                    let same = withUnsafeBytes(of: s.pointee.bytes) { memcmp($0.baseAddress!, piece.baseAddress!, piece.count) == 0 }
                    if same {
                        withUnsafeBytes(of: s.pointee.ids) { raw in
                            out.append(contentsOf: raw.bindMemory(to: Int32.self).prefix(Int(s.pointee.idCount)))
                        }
                        return true
                    }
                }
                slot = (slot + 1) & mask
            }
        }
    }

    mutating func insert(_ piece: UnsafeBufferPointer<UInt8>, hash: UInt64, ids: ArraySlice<Int32>) {
        guard piece.count <= Self.maxBytes, ids.count <= Self.maxIDs else { return }
        if used >= 1 << (Self.bits - 1) {
            for k in slots.indices { slots[k].hash = 0 }
            used = 0
        }
        let mask = (1 << Self.bits) - 1
        var slot = Int(hash >> UInt64(64 - Self.bits))
        while slots[slot].hash != 0 { slot = (slot + 1) & mask }
        var s = Slot()
        s.hash = hash
        s.byteCount = UInt8(piece.count)
        s.idCount = UInt8(ids.count)
        withUnsafeMutableBytes(of: &s.bytes) { $0.copyMemory(from: UnsafeRawBufferPointer(piece)) }
        withUnsafeMutableBytes(of: &s.ids) { raw in
            let target = raw.bindMemory(to: Int32.self)
            for (k, id) in ids.enumerated() { target[k] = id }
        }
        slots[slot] = s
        used += 1
    }
}
