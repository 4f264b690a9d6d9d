import WinnowText

/// One kind of personal data: a PCRE2 pattern that finds candidates and a validator that
/// confirms them. Patterns carry their own boundaries, so digits inside a longer digit run (order
/// numbers, timestamps, ISBNs) never match.
public struct PIIDetector: Sendable {
    public let type: String
    /// Lower wins when two findings of the same length overlap.
    public let priority: Int
    public let pattern: RegexPattern
    public let validate: @Sendable (String) -> Bool
    /// What a text must show for the pattern to have a chance (``PIITextProfile``); texts that
    /// lack it are not scanned.
    public let requirement: Requirement

    /// A property of a text without which the detector's pattern cannot match it, and so
    /// where in the text a match attempt can start.
    public enum Requirement: Sendable, Equatable {
        /// None known: always scan the whole text (user-defined detectors).
        case none
        /// At least this many digits in one digit stretch; attempts start at most `before` bytes
        /// ahead of the stretch (a `+`, a parenthesis, a label left out of the match by `\K`).
        case digits(Int, before: Int)
        /// An IPv4 address: three `digit.digit` joins in one digit stretch.
        case dottedQuad
        /// An `@`, with the run of local-part characters before it.
        case at
        /// Two colons at most four hex digits apart (IPv6).
        case colonPair
        /// A separator, two hex digits and the same separator (MAC).
        case macStep
        /// Two letters then two digits (IBAN).
        case lettersThenDigits
        /// A literal start of a secret.
        case secretPrefix

        /// Where match attempts can start in `buf`, given its `profile`: disjoint ranges of byte
        /// offsets in ascending order, empty when no match is possible. Lower bounds are on
        /// character boundaries.
        public func starts(in buf: UnsafeBufferPointer<UInt8>, _ profile: PIITextProfile) -> [ClosedRange<Int>] {
            func boundary(_ k: Int) -> Int {
                var k = max(0, k)
                while k > 0 && buf[k] & 0xC0 == 0x80 { k -= 1 }
                return k
            }
            /// Ranges in ascending order, overlapping or touching ones merged.
            func merged(_ ranges: [ClosedRange<Int>]) -> [ClosedRange<Int>] {
                var out: [ClosedRange<Int>] = []
                for range in ranges {
                    if let last = out.last, range.lowerBound <= last.upperBound + 1 {
                        out[out.count - 1] = last.lowerBound...max(last.upperBound, range.upperBound)
                    } else {
                        out.append(range)
                    }
                }
                return out
            }
            func around(_ marks: [Int], before: Int) -> [ClosedRange<Int>] {
                merged(marks.map { boundary($0 - before)...$0 })
            }
            func stretches(before: Int, _ qualifies: (PIITextProfile.Stretch) -> Bool) -> [ClosedRange<Int>] {
                merged(profile.stretches.filter(qualifies).map { boundary($0.start - before)...$0.lastDigit })
            }
            switch self {
            case .none:
                return [0...buf.count]
            case .digits(let n, let before):
                return stretches(before: before) { $0.digits >= n }
            case .dottedQuad:
                return stretches(before: 0) { $0.dotJoins >= 3 }
            case .at:
                // The local part before each `@`, where the match starts.
                return merged(profile.atSigns.map { at in
                    var k = at
                    while k > 0 && Self.isLocalPart(buf[k - 1]) { k -= 1 }
                    return k...at
                })
            case .colonPair: return around(profile.colonPairs, before: 4)
            case .macStep: return around(profile.macSteps, before: 2)
            case .lettersThenDigits: return around(profile.lettersThenDigits, before: 0)
            case .secretPrefix: return around(profile.secretPrefixes, before: 0)
            }
        }

        /// `[A-Za-z0-9._%+-]`: what an e-mail pattern's local part is made of.
        static func isLocalPart(_ b: UInt8) -> Bool {
            (b >= 0x30 && b <= 0x39) || ((b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A) || b == 0x2E || b == 0x5F || b == 0x25 || b == 0x2B || b == 0x2D
        }
    }

    public init(type: String, priority: Int, pattern: String, requirement: Requirement = .none,
                validate: @escaping @Sendable (String) -> Bool) throws {
        self.type = type
        self.priority = priority
        self.pattern = try RegexPattern(pattern, limitsStarts: requirement != .none)
        self.requirement = requirement
        self.validate = validate
    }

    /// A decimal digit, ASCII or full-width.
    static let d = "[0-9\\x{FF10}-\\x{FF19}]"
    /// Not inside a longer number: no digit, and no digit followed by `.` or `,` (prices, versions).
    static let notDigitBefore = "(?<![0-9\\x{FF10}-\\x{FF19}]|[0-9][.,])"
    static let notDigitAfter = "(?![0-9\\x{FF10}-\\x{FF19}]|[.,][0-9])"

    /// What each built-in detector accepts (also the README's table).
    public static let builtInDescriptions: [(type: String, accepts: String)] = [
        ("SECRET", "PEM private-key blocks; AWS access key ids (AKIA/ASIA + 16); GitHub tokens (ghp_, gho_, ghu_, ghs_, ghr_); Slack tokens (xox?-); Google API keys (AIza + 35); `sk-` API keys of 20+ characters"),
        ("EMAIL", "local@domain.tld with a dotted domain and an alphabetic TLD; no leading, trailing or doubled dot in the local part; local ≤ 64 and total ≤ 254 bytes"),
        ("CN_ID", "18-character resident ID with the GB 11643 check character (X or x), province-level region code and a real birth date 1900–today; 15-digit legacy IDs (no check digit) with region and date, only right after a label such as 身份证号 or ID"),
        ("CREDIT_CARD", "12–19 digits, optionally grouped by single spaces or dashes, with a known issuer prefix for the length (Visa, Mastercard incl. 2221–2720, Amex, UnionPay 62/81, Discover, JCB 35 and 2131/1800, Diners, Mir; 12 digits only for Maestro prefixes) and a valid Luhn check"),
        ("IBAN_CODE", "country code, check digits and BBAN, optionally in groups of four; the country's length and ISO 7064 mod 97 = 1"),
        ("PHONE_CN", "mainland mobile numbers 1[3-9]xxxxxxxxx, optionally +86/0086/86, grouped 3-4-4 by spaces or dashes, ASCII or full-width digits"),
        ("PHONE_CN_LANDLINE", "area code 0xx/0xxx in parentheses or followed by a space or dash, then 7–8 digits"),
        ("PHONE_NUMBER", "E.164 (+ and 8–15 digits, spaces or dashes allowed between groups) and North American numbers with separators: (555) 123-4567, 555-123-4567, +1 555 123 4567"),
        ("US_SSN", "ddd-dd-dddd, not area 000/666/9xx, group 00 or serial 0000"),
        ("IP_ADDRESS", "IPv4 dotted quads (no leading zeros, optional /prefix; not inside version strings like 1.2.3.4.5 or v1.2.3.4) and IPv6 accepted by inet_pton (with ::, embedded IPv4, zone and prefix)"),
        ("MAC_ADDRESS", "six hex pairs separated consistently by : or -"),
    ]

    /// The built-in detectors, in priority order.
    public static func builtIns() throws -> [PIIDetector] {
        let d = Self.d, nb = notDigitBefore, na = notDigitAfter
        var list: [PIIDetector] = []
        var priority = 0
        func add(_ type: String, _ requirement: Requirement, _ pattern: String, _ validate: @escaping @Sendable (String) -> Bool) throws {
            list.append(try PIIDetector(type: type, priority: priority, pattern: pattern, requirement: requirement, validate: validate))
            priority += 1
        }
        try add("SECRET", .secretPrefix, "-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----[\\s\\S]{1,16384}?-----END (?:[A-Z0-9]+ )*PRIVATE KEY-----"
                + "|(?<![A-Za-z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])"
                + "|(?<![A-Za-z0-9_])gh[pousr]_[A-Za-z0-9]{36,255}(?![A-Za-z0-9_])"
                + "|(?<![A-Za-z0-9-])xox[abposr]-[A-Za-z0-9-]{10,}"
                + "|(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])"
                + "|(?<![A-Za-z0-9_-])sk-[A-Za-z0-9_-]{20,}(?![A-Za-z0-9_-])") { _ in true }
        try add("EMAIL", .at, "(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+[A-Za-z]{2,63}(?![A-Za-z0-9-])",
                PIIValidators.email)
        try add("CN_ID", .digits(17, before: 4), "(?<![0-9A-Za-z\\x{FF10}-\\x{FF19}])\(d){17}[0-9Xx](?![0-9A-Za-z\\x{FF10}-\\x{FF19}])",
                PIIValidators.chineseID)
        // Legacy 15-digit IDs have no check digit, so any 15-digit number with a plausible region
        // and date would match: they are only taken right after an ID label.
        try add("CN_ID", .digits(15, before: 24), "(?:身份证(?:号码?)?|证件号码?|ID(?: ?(?:No\\.?|number))?)[:：]?[ ]?\\K\(d){15}(?![0-9A-Za-z\\x{FF10}-\\x{FF19}])",
                PIIValidators.chineseID)
        try add("CREDIT_CARD", .digits(12, before: 4), "(?<![0-9A-Za-z\\x{FF10}-\\x{FF19}]|[0-9][.,])(?:\(d){12,19}|\(d){4}([ -])\(d){4}(?:\\1\(d){4}){1,2}(?:\\1\(d){1,4})?|\(d){4}([ -])\(d){6}\\2\(d){4,5})(?![0-9A-Za-z\\x{FF10}-\\x{FF19}]|[.,][0-9])",
                PIIValidators.card)
        try add("IBAN_CODE", .lettersThenDigits, "(?<![A-Za-z0-9])[A-Za-z]{2}[0-9]{2}(?:[ ]?[A-Za-z0-9]{4}){2,7}(?:[ ]?[A-Za-z0-9]{1,4})?(?![A-Za-z0-9])",
                PIIValidators.iban)
        try add("PHONE_CN", .digits(11, before: 4), "(?<![0-9\\x{FF10}-\\x{FF19}+]|[0-9][.,])(?:(?:\\+|\\x{FF0B}|00|\\x{FF10}\\x{FF10})?(?:86|\\x{FF18}\\x{FF16})[ -]?)?[1\\x{FF11}][3-9\\x{FF13}-\\x{FF19}]\(d)(?:[ -]?\(d){4}){2}\(na)",
                PIIValidators.chineseMobile)
        try add("PHONE_CN_LANDLINE", .digits(10, before: 4), "\(nb)(?:\\(0\(d){2,3}\\)[ -]?|0\(d){2,3}[ -])\(d){7,8}\(na)") { _ in true }
        try add("PHONE_NUMBER", .digits(10, before: 4), "(?<![0-9A-Za-z+])(?:\\+[1-9][0-9]{0,2}[ -]?(?:\\(?[0-9]{1,4}\\)?[ -]?){1,4}[0-9]{2,4}"
                + "|(?:\\+?1[ .-]?)?\\(?[2-9][0-9]{2}\\)?[ .-][0-9]{3}[ .-][0-9]{4}|\\([2-9][0-9]{2}\\)[0-9]{3}-[0-9]{4})(?![0-9])") { text in
            let n = PIIValidators.digits(text).count
            return n >= 10 && n <= 15
        }
        try add("US_SSN", .digits(9, before: 4), "\(nb)[0-9]{3}-[0-9]{2}-[0-9]{4}\(na)", PIIValidators.usSSN)
        try add("IP_ADDRESS", .dottedQuad, "(?<![0-9A-Za-z.])(?:[0-9]{1,3}\\.){3}[0-9]{1,3}(?:/[0-9]{1,2})?(?![0-9]|\\.[0-9])", PIIValidators.ipv4)
        try add("IP_ADDRESS", .colonPair, "(?<![0-9A-Za-z:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|(?:[0-9]{1,3}\\.){3}[0-9]{1,3})?(?:%[0-9A-Za-z]+)?(?:/[0-9]{1,3})?(?![0-9A-Za-z:]|\\.[0-9])",
                PIIValidators.ipv6)
        try add("MAC_ADDRESS", .macStep, "(?<![0-9A-Fa-f:-])[0-9A-Fa-f]{2}([:-])(?:[0-9A-Fa-f]{2}\\1){4}[0-9A-Fa-f]{2}(?![0-9A-Fa-f:-])") { _ in true }
        return list
    }
}
