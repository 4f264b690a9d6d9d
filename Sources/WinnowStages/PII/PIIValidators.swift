import Foundation

/// Checksums and structure checks that turn a pattern hit into a finding. A number that fails
/// its check is not reported as an ID or a card (FORMATS.md section 4).
public enum PIIValidators {
    /// ASCII digits of `text` (full-width digits folded), everything else dropped.
    public static func digits(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        for s in text.unicodeScalars {
            if s.value >= 0x30 && s.value <= 0x39 { out.append(UInt8(s.value)) } else if s.value >= 0xFF10 && s.value <= 0xFF19 {
                out.append(UInt8(s.value - 0xFF10 + 0x30))
            }
        }
        return out
    }

    /// Luhn (mod 10) over ASCII digits.
    public static func luhn(_ digits: [UInt8]) -> Bool {
        guard digits.count >= 2 else { return false }
        var sum = 0
        for (k, d) in digits.reversed().enumerated() {
            var v = Int(d - 0x30)
            if k % 2 == 1 { v *= 2; if v > 9 { v -= 9 } }
            sum += v
        }
        return sum % 10 == 0
    }

    /// Payment card: 12–19 digits, a known issuer prefix for the length, and Luhn.
    public static func card(_ text: String) -> Bool {
        let d = digits(text)
        guard (12...19).contains(d.count), luhn(d) else { return false }
        // An 18-digit number shaped like a resident ID (region and birth date) that failed the ID
        // check is a bad ID, not a card that happens to pass Luhn.
        if d.count == 18, looksLikeChineseID(d) { return false }
        let s = String(decoding: d, as: UTF8.self)
        func prefix(_ n: Int) -> Int { Int(s.prefix(n)) ?? -1 }
        let n = d.count
        let maestro = ["5018", "5020", "5038", "5893", "6304", "6759", "6761", "6762", "6763", "0604"]
        if maestro.contains(where: { s.hasPrefix($0) }) { return (12...19).contains(n) }
        guard n >= 13 else { return false }
        switch true {
        case s.hasPrefix("4"): return [13, 16, 19].contains(n)                             // Visa
        case (51...55).contains(prefix(2)), (2221...2720).contains(prefix(4)): return n == 16 // Mastercard
        case prefix(2) == 34 || prefix(2) == 37: return n == 15                             // Amex
        case s.hasPrefix("62"), s.hasPrefix("81"): return (16...19).contains(n)             // UnionPay
        case s.hasPrefix("6011"), (644...649).contains(prefix(3)), s.hasPrefix("65"): return (16...19).contains(n) // Discover
        case s.hasPrefix("35"): return (16...19).contains(n)                                 // JCB
        case s.hasPrefix("2131"), s.hasPrefix("1800"): return n == 15                        // JCB (15 digits)
        case s.hasPrefix("36"), (300...305).contains(prefix(3)), s.hasPrefix("3095"), s.hasPrefix("38"), s.hasPrefix("39"):
            return (14...19).contains(n)                                                     // Diners
        case (2200...2204).contains(prefix(4)): return (16...19).contains(n)                // Mir
        case s.hasPrefix("50"), (56...69).contains(prefix(2)): return (12...19).contains(n)  // Maestro
        default: return false
        }
    }

    /// Province-level codes of GB/T 2260, plus 71, 81, 82 (residence permits).
    static let provinces: Set<Int> = Set([11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46,
                                          50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82])

    /// Chinese resident ID: 18 characters with the GB 11643 (ISO 7064 MOD 11-2) check character,
    /// or the 15-digit legacy form; a province-level region prefix and a real birth date between
    /// 1900 and today.
    public static func chineseID(_ text: String) -> Bool {
        var chars = Array(text.uppercased().unicodeScalars.map { s -> UInt8 in
            s.value >= 0xFF10 && s.value <= 0xFF19 ? UInt8(s.value - 0xFF10 + 0x30) : UInt8(truncatingIfNeeded: s.value)
        })
        guard chars.count == 18 || chars.count == 15 else { return false }
        guard chars.prefix(chars.count == 18 ? 17 : 15).allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return false }
        guard let region = Int(String(decoding: chars.prefix(2), as: UTF8.self)), provinces.contains(region) else { return false }
        if chars.count == 15 { chars.insert(contentsOf: Array("19".utf8), at: 6) }
        guard let year = Int(String(decoding: chars[6..<10], as: UTF8.self)),
              let month = Int(String(decoding: chars[10..<12], as: UTF8.self)),
              let day = Int(String(decoding: chars[12..<14], as: UTF8.self)),
              validDate(year, month, day) else { return false }
        if text.unicodeScalars.count == 15 { return true }
        return chars[17] == chineseIDCheck(Array(chars.prefix(17)))
    }

    static func looksLikeChineseID(_ d: [UInt8]) -> Bool {
        guard d.count == 18, let region = Int(String(decoding: d.prefix(2), as: UTF8.self)), provinces.contains(region),
              let y = Int(String(decoding: d[6..<10], as: UTF8.self)), let m = Int(String(decoding: d[10..<12], as: UTF8.self)),
              let day = Int(String(decoding: d[12..<14], as: UTF8.self)) else { return false }
        return validDate(y, m, day)
    }

    /// The check character for 17 ASCII digits.
    public static func chineseIDCheck(_ first17: [UInt8]) -> UInt8 {
        let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
        var sum = 0
        for (k, d) in first17.prefix(17).enumerated() { sum += Int(d - 0x30) * weights[k] }
        return Array("10X98765432".utf8)[sum % 11]
    }

    static func validDate(_ y: Int, _ m: Int, _ d: Int) -> Bool {
        guard (1900...currentYear).contains(y), (1...12).contains(m), d >= 1 else { return false }
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]
        return d <= days
    }

    static let currentYear = Calendar(identifier: .gregorian).component(.year, from: Date())

    /// Mainland mobile: 11 digits `1[3-9]…` after an optional 86 country code.
    public static func chineseMobile(_ text: String) -> Bool {
        var d = digits(text)
        if d.count == 13, d.starts(with: Array("86".utf8)) { d.removeFirst(2) }
        if d.count == 15, d.starts(with: Array("0086".utf8)) { d.removeFirst(4) }
        return d.count == 11 && d[0] == 0x31 && d[1] >= 0x33
    }

    /// IBAN: country length (for the countries listed) and mod 97 = 1.
    public static func iban(_ text: String) -> Bool {
        let s = Array(text.uppercased().utf8.filter { $0 != 0x20 })
        guard s.count >= 15, s.count <= 34 else { return false }
        let country = String(decoding: s.prefix(2), as: UTF8.self)
        if let length = ibanLengths[country], length != s.count { return false }
        guard ibanLengths[country] != nil else { return false }
        return mod97(s) == 1
    }

    /// ISO 7064 mod 97 of an IBAN-style string (first four characters moved to the end,
    /// letters as 10–35), computed in chunks.
    public static func mod97(_ chars: [UInt8]) -> Int {
        let rearranged = Array(chars.dropFirst(4)) + chars.prefix(4)
        var remainder = 0
        for c in rearranged {
            switch c {
            case 0x30...0x39: remainder = (remainder * 10 + Int(c - 0x30)) % 97
            case 0x41...0x5A: remainder = (remainder * 100 + Int(c - 0x41 + 10)) % 97
            default: return -1
            }
        }
        return remainder
    }

    static let ibanLengths: [String: Int] = [
        "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BR": 29, "CH": 21,
        "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FO": 18,
        "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23,
        "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20,
        "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MR": 27, "MT": 31, "MU": 30, "NL": 18, "NO": 15, "PK": 24,
        "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "SA": 24, "SC": 31, "SE": 24, "SI": 19, "SK": 24,
        "SM": 27, "ST": 25, "SV": 28, "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
    ]

    /// IPv4 dotted quad: octets 0–255 without leading zeros, optional /0–32.
    public static func ipv4(_ text: String) -> Bool {
        let parts = text.split(separator: "/", maxSplits: 1)
        if parts.count == 2 { guard let p = Int(parts[1]), (0...32).contains(p) else { return false } }
        let octets = parts[0].split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets.allSatisfy { o in
            guard let v = Int(o), (0...255).contains(v), o.count <= 3 else { return false }
            return o.count == 1 || o.first != "0"
        }
    }

    /// IPv6 by `inet_pton`, with an optional zone and /0–128 prefix.
    public static func ipv6(_ text: String) -> Bool {
        var address = Substring(text)
        if let slash = address.firstIndex(of: "/") {
            guard let p = Int(address[address.index(after: slash)...]), (0...128).contains(p) else { return false }
            address = address[..<slash]
        }
        if let percent = address.firstIndex(of: "%") { address = address[..<percent] }
        // Bytes, not Foundation's `contains`: validators run on every candidate match.
        let colons = address.utf8.reduce(0) { $0 + ($1 == 0x3A ? 1 : 0) }
        guard colons == 7 || PIIValidators.hasAdjacent(address.utf8, 0x3A) else { return false }
        var buffer = in6_addr()
        return inet_pton(AF_INET6, String(address), &buffer) == 1
    }

    /// US social security number: not area 000, 666 or 9xx, group 00 or serial 0000.
    public static func usSSN(_ text: String) -> Bool {
        let d = digits(text)
        guard d.count == 9 else { return false }
        let s = String(decoding: d, as: UTF8.self)
        let area = Int(s.prefix(3)) ?? 0, group = Int(s.dropFirst(3).prefix(2)) ?? 0, serial = Int(s.suffix(4)) ?? 0
        return area != 0 && area != 666 && area < 900 && group != 0 && serial != 0
    }

    /// Practical e-mail rules on top of the extraction pattern.
    public static func email(_ text: String) -> Bool {
        let utf8 = text.utf8
        guard let at = utf8.lastIndex(of: 0x40) else { return false }
        let local = utf8[..<at]
        return !local.isEmpty && local.count <= 64 && utf8.count <= 254
            && local.first != 0x2E && local.last != 0x2E && !PIIValidators.hasAdjacent(local, 0x2E)
    }

    /// Whether `byte` occurs twice in a row (`..`, `::`): a byte loop instead of Foundation's
    /// generic substring search, which cost 2% of a PII run when validating e-mail addresses.
    static func hasAdjacent(_ utf8: Substring.UTF8View, _ byte: UInt8) -> Bool {
        var previous: UInt8 = 0
        for b in utf8 {
            if b == byte && previous == byte { return true }
            previous = b
        }
        return false
    }

    /// Validators a user-defined detector may name.
    public static let named: [String: @Sendable (String) -> Bool] = [
        "luhn": { luhn(digits($0)) }, "cn_id": { chineseID($0) }, "iban": { iban($0) },
        "mod97": { mod97(Array($0.uppercased().utf8.filter { $0 != 0x20 })) == 1 },
    ]
}
