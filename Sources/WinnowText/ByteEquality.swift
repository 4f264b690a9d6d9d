#if canImport(Glibc)
import Glibc
#endif

extension String {
    /// Whether the two strings are the same UTF-8 bytes: what "did this rule change the text"
    /// means. `==` is canonical equivalence (an NFC change would compare equal), and
    /// `utf8.elementsEqual` walks both strings through a generic iterator, byte by byte, which
    /// cost 9% of a cleaning run; this compares lengths, then memory.
    public func hasSameUTF8(as other: String) -> Bool {
        guard utf8.count == other.utf8.count else { return false }
        var a = self, b = other
        return a.withUTF8 { x in
            b.withUTF8 { y in x.isEmpty || memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0 }
        }
    }
}
