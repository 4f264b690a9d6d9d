/// GPT-2's `bytes_to_unicode` table: every byte gets a printable character, so byte strings can
/// be written as vocabulary keys. Printable Latin-1 bytes map to themselves; the other 68 bytes
/// map to U+0100, U+0101, … in ascending byte order (space → `Ġ`, newline → `Ċ`).
enum ByteLevelAlphabet {
    /// Byte → character.
    static let characters: [Unicode.Scalar] = {
        var table = [Unicode.Scalar](repeating: " ", count: 256)
        var next: UInt32 = 0x100
        for b in 0..<256 {
            let printable = (0x21...0x7E).contains(b) || (0xA1...0xAC).contains(b) || (0xAE...0xFF).contains(b)
            if printable { table[b] = Unicode.Scalar(UInt8(b)) } else { table[b] = Unicode.Scalar(next)!; next += 1 }
        }
        return table
    }()

    /// Character → byte, for decoding: an array indexed by scalar value (the alphabet ends at
    /// U+0143), 0xFFFF outside the alphabet.
    private static let byteOfScalar: [UInt16] = {
        var table = [UInt16](repeating: 0xFFFF, count: 0x144)
        for (b, c) in characters.enumerated() { table[Int(c.value)] = UInt16(b) }
        return table
    }()

    /// The byte a vocabulary character stands for, or nil outside the alphabet.
    @inline(__always) static func byte(of c: Unicode.Scalar) -> UInt8? {
        Int(c.value) < byteOfScalar.count && byteOfScalar[Int(c.value)] != 0xFFFF ? UInt8(byteOfScalar[Int(c.value)]) : nil
    }

    /// The vocabulary spelling of a byte string.
    static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var s = String.UnicodeScalarView()
        for b in bytes { s.append(characters[Int(b)]) }
        return String(s)
    }

    /// The bytes of a vocabulary token; characters outside the alphabet (added tokens) pass
    /// through as their UTF-8, as HF's ByteLevel decoder does.
    static func decode(_ token: String) -> [UInt8] {
        var out: [UInt8] = []
        for c in token.unicodeScalars {
            if let b = byte(of: c) { out.append(b) } else { out.append(contentsOf: String(c).utf8) }
        }
        return out
    }
}
