internal import CByteScan
/// Serializes ``JSONValue``s: compact (member order kept), canonical (for hashing) or pretty.
///
/// The canonical form is what makes content addressing work: keys sorted by their UTF-8 bytes,
/// no insignificant whitespace, numbers in ``JSONNumber/canonicalText`` form, and non-ASCII
/// text written as raw UTF-8. Two records with the same content have the same canonical bytes.
public enum JSONWriter {
    public static func compact(_ value: JSONValue) -> String {
        var out: [UInt8] = []
        write(value, into: &out, canonical: false)
        return String(decoding: out, as: UTF8.self)
    }

    public static func canonical(_ value: JSONValue) -> String {
        String(decoding: canonicalBytes(value), as: UTF8.self)
    }

    public static func canonicalBytes(_ value: JSONValue) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(estimatedSize(value))
        write(value, into: &out, canonical: true)
        return out
    }

    /// About the serialised size (strings as if nothing needed escaping): the output buffer is
    /// allocated once instead of doubling eight times or so for a record of a few KB, which every
    /// record hash did.
    static func estimatedSize(_ value: JSONValue) -> Int {
        switch value {
        case .null, .bool: return 5
        case .number(let n): return n.text.utf8.count
        case .string(let s): return s.utf8.count + 2
        case .array(let items): return items.reduce(2) { $0 + estimatedSize($1) + 1 }
        case .object(let object): return object.reduce(2) { $0 + $1.key.utf8.count + 4 + estimatedSize($1.value) }
        }
    }

    /// The compact (original order) and canonical serialisations of a record in one pass.
    ///
    /// Records nearly always have their keys in byte order already (`id`, `label`, `text`) and
    /// only values whose two forms agree (strings, integers, booleans, null): then the record is
    /// written once and both results share that one buffer. Otherwise each top-level member is
    /// written once when its two forms agree, and the pieces are assembled in both orders.
    public static func compactAndCanonical(_ object: JSONObject) -> (compact: [UInt8], canonical: [UInt8]) {
        if writesTheSameBothWays(object) {
            var out: [UInt8] = []
            out.reserveCapacity(estimatedSize(.object(object)))
            write(.object(object), into: &out, canonical: false)
            return (out, out)
        }
        var pieces: [(key: String, compact: [UInt8], canonical: [UInt8]?)] = []
        pieces.reserveCapacity(object.count)
        var total = 2
        for member in object {
            var compact: [UInt8] = []
            writeString(member.key, into: &compact)
            compact.append(UInt8(ascii: ":"))
            let prefix = compact.count
            write(member.value, into: &compact, canonical: false)
            var canonical: [UInt8]?
            if !writesTheSameBothWays(member.value) {
                var c = Array(compact[..<prefix])
                write(member.value, into: &c, canonical: true)
                if c != compact { canonical = c }
            }
            total += compact.count + 1
            pieces.append((member.key, compact, canonical))
        }
        var compact: [UInt8] = [], canonical: [UInt8] = []
        compact.reserveCapacity(total)
        canonical.reserveCapacity(total)
        compact.append(UInt8(ascii: "{"))
        for (k, p) in pieces.enumerated() {
            if k > 0 { compact.append(UInt8(ascii: ",")) }
            compact.append(contentsOf: p.compact)
        }
        compact.append(UInt8(ascii: "}"))
        canonical.append(UInt8(ascii: "{"))
        for (k, p) in pieces.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }).enumerated() {
            if k > 0 { canonical.append(UInt8(ascii: ",")) }
            canonical.append(contentsOf: p.canonical ?? p.compact)
        }
        canonical.append(UInt8(ascii: "}"))
        return (compact, canonical)
    }

    /// Whether the object's members are in strictly increasing key byte order and every value
    /// is a scalar that writes the same compact and canonical (a cheap test, no writing).
    private static func writesTheSameBothWays(_ object: JSONObject) -> Bool {
        var previous: String?
        for member in object {
            if let previous, !previous.utf8.lexicographicallyPrecedes(member.key.utf8) { return false }
            guard writesTheSameBothWays(member.value) else { return false }
            previous = member.key
        }
        return true
    }

    private static func writesTheSameBothWays(_ value: JSONValue) -> Bool {
        switch value {
        case .string, .bool, .null: true
        case .number(let n): n.canonicalText == n.text
        case .array, .object: false
        }
    }

    public static func compactBytes(_ value: JSONValue) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(estimatedSize(value))
        write(value, into: &out, canonical: false)
        return out
    }

    /// Indented output for files people read (the generated JSON Schema, `--json` reports).
    public static func pretty(_ value: JSONValue, indent: Int = 2) -> String {
        var out: [UInt8] = []
        writePretty(value, into: &out, level: 0, indent: indent)
        out.append(0x0A)
        return String(decoding: out, as: UTF8.self)
    }

    public static func write(_ value: JSONValue, into out: inout [UInt8], canonical: Bool) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .number(let n): out.append(contentsOf: (canonical ? n.canonicalText : n.text).utf8)
        case .string(let s): writeString(s, into: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (k, item) in items.enumerated() {
                if k > 0 { out.append(UInt8(ascii: ",")) }
                write(item, into: &out, canonical: canonical)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let object):
            out.append(UInt8(ascii: "{"))
            let members = canonical ? object.members.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
                                    : object.members
            for (k, member) in members.enumerated() {
                if k > 0 { out.append(UInt8(ascii: ",")) }
                writeString(member.key, into: &out)
                out.append(UInt8(ascii: ":"))
                write(member.value, into: &out, canonical: canonical)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    private static func writePretty(_ value: JSONValue, into out: inout [UInt8], level: Int, indent: Int) {
        func newline(_ l: Int) {
            out.append(0x0A)
            out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: l * indent))
        }
        switch value {
        case .array(let items) where !items.isEmpty:
            if items.allSatisfy({ if case .array = $0 { return false }; if case .object = $0 { return false }; return true }) {
                write(value, into: &out, canonical: false)
                return
            }
            out.append(UInt8(ascii: "["))
            for (k, item) in items.enumerated() {
                if k > 0 { out.append(UInt8(ascii: ",")) }
                newline(level + 1)
                writePretty(item, into: &out, level: level + 1, indent: indent)
            }
            newline(level)
            out.append(UInt8(ascii: "]"))
        case .object(let object) where !object.isEmpty:
            out.append(UInt8(ascii: "{"))
            for (k, member) in object.members.enumerated() {
                if k > 0 { out.append(UInt8(ascii: ",")) }
                newline(level + 1)
                writeString(member.key, into: &out)
                out.append(contentsOf: ": ".utf8)
                writePretty(member.value, into: &out, level: level + 1, indent: indent)
            }
            newline(level)
            out.append(UInt8(ascii: "}"))
        default:
            write(value, into: &out, canonical: false)
        }
    }

    /// Appends `s` as a JSON string. Runs of bytes that need no escaping (almost all of real
    /// text) are copied in bulk.
    public static func writeString(_ s: String, into out: inout [UInt8]) {
        var s = s
        out.append(UInt8(ascii: "\""))
        s.withUTF8 { bytes in
            guard let base = bytes.baseAddress else { return }
            let n = bytes.count
            // No byte to escape: one copy. Otherwise escape a chunk at a time into a stack buffer.
            if winnow_next_json_special(base, 0, n) == n {
                out.append(contentsOf: bytes)
                return
            }
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 4096) { chunk in
                var i = 0
                while i < n {
                    let written = winnow_json_escape_chunk(base, &i, n, chunk.baseAddress!, chunk.count)
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: chunk[..<written]))
                }
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
