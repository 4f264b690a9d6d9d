internal import CByteScan

/// What one pass over a text's UTF-8 bytes says about which built-in detectors could match it.
///
/// Running every detector's PCRE2 program over every text costs one full scan per detector,
/// although most texts hold no e-mail address, no 10-digit number and no IP address. Each
/// built-in pattern needs something a single byte loop can count: so many digits joined only by
/// short runs of separators, an `@`, two colons among hex digits. A detector whose need is not
/// met cannot match, so its scan is skipped, and where it is met the scan covers only the places a
/// match can start (``PIIDetector/Requirement/starts(in:_:)``); the findings are exactly those of
/// the full scans
/// (tested against them on the presidio-research texts, Chinese reviews and random strings made
/// of the pieces the detectors' boundaries are made of).
///
/// The profile holds upper bounds: it may let a detector run that finds nothing, never the
/// reverse. User-defined detectors have no requirement and always run.
public struct PIITextProfile: Sendable, Equatable {
    /// A stretch of digits (ASCII or full-width) where consecutive digits are separated by at
    /// most three of space, `-`, `.`, `(`, `)`, `+`. Only stretches that some built-in detector
    /// could use are kept: nine or more digits, or three `digit.digit` joins.
    public struct Stretch: Sendable, Equatable {
        /// Byte offset of the first digit.
        public var start: Int
        /// Byte offset of the last digit.
        public var lastDigit: Int
        public var digits: Int
        /// `digit.digit` joins: a single dot between two ASCII digits.
        public var dotJoins: Int
    }

    public var stretches: [Stretch] = []
    // Byte offsets, ascending, of:
    /// `@` signs;
    public var atSigns: [Int] = []
    /// colons followed, after at most four hex digits, by another colon (an IPv6 address's start);
    public var colonPairs: [Int] = []
    /// a `:` or `-` followed by two hex digits and the same separator (one step of a MAC address);
    public var macSteps: [Int] = []
    /// two ASCII letters followed by two ASCII digits (an IBAN's start), at the first letter;
    public var lettersThenDigits: [Int] = []
    /// the literal starts of the secret shapes: `-----BEGIN`, `AKIA`, `ASIA`, `AIza`, `xox`,
    /// `sk-`, `gh?_`.
    public var secretPrefixes: [Int] = []

    /// A profile that admits nothing but detectors without a requirement.
    public init() {}

    /// Profiles `buf`, valid UTF-8, in one pass. Only digits and a few marks need work (see
    /// `winnow_next_pii_mark`: an `A` only before K, S or I, a `-` only before a hex digit or
    /// after `k`, ...); everything else is skipped sixteen bytes at a time, and the bytes around
    /// a digit or mark are read back where a check needs them.
    public init(_ buf: UnsafeBufferPointer<UInt8>) {
        profile(buf)
    }

    private mutating func profile(_ buf: UnsafeBufferPointer<UInt8>) {
        let n = buf.count
        func at(_ k: Int) -> UInt8 { k >= 0 && k < n ? buf[k] : 0 }
        func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
        func isLetter(_ b: UInt8) -> Bool { (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A }
        func isHex(_ b: UInt8) -> Bool { isDigit(b) || ((b | 0x20) >= 0x61 && (b | 0x20) <= 0x66) }
        func isSeparator(_ b: UInt8) -> Bool { b == 0x20 || b == 0x2D || b == 0x2E || b == 0x28 || b == 0x29 || b == 0x2B }
        // The current stretch, and where its last digit ended.
        var stretch = Stretch(start: 0, lastDigit: 0, digits: 0, dotJoins: 0)
        var lastDigitEnd = -10
        func close(_ s: Stretch) {
            if s.digits >= 9 || s.dotJoins >= 3 { stretches.append(s) }
        }
        var i = 0
        guard let base = buf.baseAddress else { return }
        while i < n {
            i = winnow_next_pii_mark(base, i, n)
            guard i < n else { break }
            let b = buf[i]
            // A run of digits: ASCII ones together, a full-width one (EF BC 90–99) alone.
            var end = i
            if isDigit(b) {
                end = i + 1
                while end < n && isDigit(buf[end]) { end += 1 }
            } else if b == 0xEF && at(i + 1) == 0xBC && at(i + 2) >= 0x90 && at(i + 2) <= 0x99 {
                end = i + 3
            }
            if end > i {
                let gap = i - lastDigitEnd
                var joined = gap == 0
                if gap > 0 && gap <= 3 {
                    joined = true
                    for k in lastDigitEnd..<i where !isSeparator(buf[k]) { joined = false }
                }
                let count = b == 0xEF ? 1 : end - i
                if joined {
                    if gap == 1 && b != 0xEF && buf[i - 1] == 0x2E && isDigit(at(i - 2)) { stretch.dotJoins += 1 }
                    stretch.digits += count
                } else {
                    close(stretch)
                    stretch = Stretch(start: i, lastDigit: i, digits: count, dotJoins: 0)
                }
                stretch.lastDigit = b == 0xEF ? i : end - 1
                if b != 0xEF && end - i >= 2 && isLetter(at(i - 1)) && isLetter(at(i - 2)) { lettersThenDigits.append(i - 2) }
                lastDigitEnd = end
                i = end
                continue
            }
            switch b {
            case 0x40:
                atSigns.append(i)
            case 0x3A, 0x2D:
                if isHex(at(i + 1)) && isHex(at(i + 2)) && at(i + 3) == b { macSteps.append(i) }
                if b == 0x3A {
                    var k = i + 1
                    while k < n && k < i + 5 && isHex(buf[k]) { k += 1 }
                    if at(k) == 0x3A { colonPairs.append(i) }
                } else if at(i - 1) == 0x6B && at(i - 2) == 0x73 {
                    secretPrefixes.append(i - 2)
                }
            case 0x42:
                // Found by its `B`: a line of dashes is not a run of candidates.
                if i >= 5 && Self.starts(buf, i - 5, "-----BEGIN") { secretPrefixes.append(i - 5) }
            case 0x41:
                if Self.starts(buf, i, "AKIA") || Self.starts(buf, i, "ASIA") || Self.starts(buf, i, "AIza") { secretPrefixes.append(i) }
            case 0x78:
                if Self.starts(buf, i, "xox") { secretPrefixes.append(i) }
            case 0x5F:
                if at(i - 3) == 0x67 && at(i - 2) == 0x68 { secretPrefixes.append(i - 3) }
            default:
                break
            }
            i += 1
        }
        close(stretch)
    }

    static func starts(_ buf: UnsafeBufferPointer<UInt8>, _ i: Int, _ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard i + count <= buf.count else { return false }
        let base = literal.utf8Start
        for k in 0..<count where buf[i + k] != base[k] { return false }
        return true
    }
}
