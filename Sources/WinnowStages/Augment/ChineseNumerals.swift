/// Writes numbers in Chinese numerals and reads them back, for the `digits` augmentation.
///
/// Arabic → Chinese: a run of ASCII digits not touching an ASCII letter (so `iPhone12` and
/// `B2B` stay) becomes positional numerals when it is 1–4 digits without a leading zero
/// (`15` → 十五, `105` → 一百零五, `2000` → 二千), otherwise digit by digit with 〇
/// (a year before 年, `2024年` → 二〇二四年, and `00123` → 〇〇一二三).
/// Chinese → Arabic: only runs that are unmistakably numbers: two or more numeral characters
/// including a unit (十, 百, 千) or 〇, which leaves words such as 一起, 统一 and 十分 alone.
public enum ChineseNumerals {
    static let digits: [Character] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"]

    /// `n` (0…9999) in positional numerals.
    public static func positional(_ n: Int) -> String {
        guard n > 0 else { return "零" }
        if n >= 10, n < 20 { return "十" + (n % 10 == 0 ? "" : String(digits[n % 10])) }
        let units: [(Int, String)] = [(1000, "千"), (100, "百"), (10, "十"), (1, "")]
        var out = ""
        var pendingZero = false
        for (value, unit) in units {
            let d = n / value % 10
            if d == 0 {
                if !out.isEmpty { pendingZero = true }
                continue
            }
            if pendingZero { out += "零"; pendingZero = false }
            out += String(digits[d]) + unit
        }
        return out
    }

    /// Every ASCII digit run that stands alone, in Chinese numerals; and the changes made.
    public static func toChinese(_ text: String) -> (String, [String]) {
        var out = ""
        var changes: [String] = []
        let scalars = Array(text.unicodeScalars)
        var i = 0
        while i < scalars.count {
            guard isASCIIDigit(scalars[i]) else { out.unicodeScalars.append(scalars[i]); i += 1; continue }
            var j = i
            while j < scalars.count, isASCIIDigit(scalars[j]) { j += 1 }
            let run = String(String.UnicodeScalarView(scalars[i..<j]))
            let touchesLetter = (i > 0 && isASCIILetter(scalars[i - 1])) || (j < scalars.count && isASCIILetter(scalars[j]))
            if touchesLetter {
                out += run
            } else {
                let year = run.count == 4 && j < scalars.count && scalars[j] == "年"
                let converted = run.count <= 4 && !year && !(run.count > 1 && run.hasPrefix("0"))
                    ? positional(Int(run) ?? 0)
                    : String(run.map { $0 == "0" ? "〇" : digits[Int(String($0)) ?? 0] })
                out += converted
                changes.append("\(run)→\(converted)")
            }
            i = j
        }
        return (out, changes)
    }

    /// Numeral runs that are clearly numbers, in ASCII digits; and the changes made.
    public static func toArabic(_ text: String) -> (String, [String]) {
        var out = ""
        var changes: [String] = []
        let chars = Array(text)
        var i = 0
        while i < chars.count {
            guard isNumeral(chars[i]) else { out.append(chars[i]); i += 1; continue }
            var j = i
            while j < chars.count, isNumeral(chars[j]) { j += 1 }
            let run = String(chars[i..<j])
            if run.count >= 2, run.contains(where: { "十百千〇".contains($0) }), let value = parse(run) {
                out += value
                changes.append("\(run)→\(value)")
            } else {
                out += run
            }
            i = j
        }
        return (out, changes)
    }

    /// A numeral run as ASCII digits: positional (三千零五) or digit by digit (二〇二四).
    static func parse(_ run: String) -> String? {
        func digit(_ c: Character) -> Int? {
            if c == "〇" || c == "零" { return 0 }
            if c == "两" { return 2 }
            return digits.firstIndex(of: c)
        }
        if !run.contains(where: { "十百千".contains($0) }) {
            let ds = run.compactMap(digit)
            return ds.count == run.count ? ds.map(String.init).joined() : nil
        }
        var total = 0, current = 0
        var lastUnit = 10_000
        for c in run {
            if let d = digit(c) {
                current = d
            } else {
                let unit = c == "十" ? 10 : c == "百" ? 100 : 1000
                guard unit < lastUnit else { return nil }
                total += (current == 0 && unit == 10 && total == 0 ? 1 : current) * unit
                current = 0
                lastUnit = unit
            }
        }
        return String(total + current)
    }

    static func isNumeral(_ c: Character) -> Bool { "〇零一二两三四五六七八九十百千".contains(c) }
    static func isASCIIDigit(_ s: Unicode.Scalar) -> Bool { s.value >= 0x30 && s.value <= 0x39 }
    static func isASCIILetter(_ s: Unicode.Scalar) -> Bool { (s.value | 0x20) >= 0x61 && (s.value | 0x20) <= 0x7A }
}
