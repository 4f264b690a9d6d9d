import Crypto

/// A SHA-256 digest naming a record by its content (see ``JSONWriter/canonical(_:)``).
public struct RecordHash: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let bytes: [UInt8]

    public init(bytes: [UInt8]) { self.bytes = bytes }

    public init(of value: JSONValue) {
        self.init(canonicalBytes: JSONWriter.canonicalBytes(value))
    }

    public init(canonicalBytes: [UInt8]) {
        // The digest's bytes in one copy (`Array(digest)` iterates it as a generic sequence).
        bytes = SHA256.hash(data: canonicalBytes).withUnsafeBytes { Array($0) }
    }

    /// Parses 64 hex digits.
    public init?(hex: String) {
        guard let b = Hex.decode(hex), b.count == 32 else { return nil }
        bytes = b
    }

    public var hex: String { Hex.encode(bytes) }
    /// The first 12 hex digits, as shown to people.
    public var short: String { String(hex.prefix(12)) }
    public var description: String { hex }

    public static func < (a: RecordHash, b: RecordHash) -> Bool { a.bytes.lexicographicallyPrecedes(b.bytes) }
}

/// Lower-case hexadecimal encoding.
public enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var out: [UInt8] = []
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    public static func decode(_ text: String) -> [UInt8]? {
        let chars = Array(text.utf8)
        guard chars.count % 2 == 0 else { return nil }
        func value(_ c: UInt8) -> UInt8? {
            switch c {
            case 0x30...0x39: c - 0x30
            case 0x61...0x66: c - 0x61 + 10
            case 0x41...0x46: c - 0x41 + 10
            default: nil
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(chars.count / 2)
        var k = 0
        while k < chars.count {
            guard let hi = value(chars[k]), let lo = value(chars[k + 1]) else { return nil }
            out.append(hi << 4 | lo)
            k += 2
        }
        return out
    }
}

/// Incremental SHA-256, for file hashes and version ids computed while streaming.
public struct StreamingHasher: Sendable {
    private var hasher = SHA256()
    public init() {}
    public mutating func update(_ bytes: UnsafeRawBufferPointer) { hasher.update(bufferPointer: bytes) }
    public mutating func update(_ bytes: [UInt8]) { bytes.withUnsafeBytes { hasher.update(bufferPointer: $0) } }
    public mutating func update(_ text: String) { update(Array(text.utf8)) }
    public func finalize() -> String { Hex.encode(hasher.finalize()) }
}
