import Foundation
import WinnowCore

/// A `split` stage's configuration.
public struct SplitSettings: Sendable {
    /// Split names and shares, in the order written (shares are normalized to sum to 1).
    public var names: [String] = ["train", "validation", "test"]
    public var ratios: [Double] = [0.8, 0.1, 0.1]
    /// Fields whose value combination is a stratum.
    public var stratify: [String] = []
    /// Fields whose value combination is a group kept in one split.
    public var group: [String] = []
    /// Time-based splitting: the field, and optional cutoffs (one fewer than splits).
    public var timeField: String?
    public var cutoffs: [Double]?
    public var cutoffTexts: [String] = []
    /// Earlier version whose records keep their split (`stable: true` means `dataset@latest`).
    public var stableReference: String?
    /// Near-duplicate pairs across splits allowed before the build fails; `nil`: report only.
    public var maxLeakage: Int?
    /// Hamming distance for the leakage check.
    public var leakageK = 3

    public init() {}

    public init(config c: JSONObject, dataset: String, path: String, problem: (String, String) -> Void) {
        if let o = c["ratios"]?.objectValue {
            names = o.keys
            ratios = o.keys.map { o[$0]?.doubleValue ?? 0 }
            let total = ratios.reduce(0, +)
            if names.count < 2 { problem("\(path).ratios", "name at least two splits") }
            if total <= 0 { problem("\(path).ratios", "the ratios add up to 0") } else { ratios = ratios.map { $0 / total } }
            if abs(total - 1) > 1e-6, total > 0, abs(total - 100) > 1e-6, abs(total - 10) > 1e-6 {
                problem("\(path).ratios", "the ratios add up to \(total); write shares of 1 (0.8, 0.1, 0.1) or of 10/100 (8, 1, 1)")
            }
        }
        stratify = Self.fields(c["stratify"])
        group = Self.fields(c["group"])
        if let t = c["time"]?.objectValue {
            timeField = t["field"]?.stringValue ?? "time"
            if let list = t["cutoffs"]?.arrayValue {
                var values: [Double] = []
                for (k, item) in list.enumerated() {
                    if let v = TimeValue.parse(item) { values.append(v); cutoffTexts.append(item.displayText) } else {
                        problem("\(path).time.cutoffs[\(k)]", "`\(item.displayText)` is not a date (YYYY-MM-DD, optionally with a time) or a number")
                    }
                }
                if list.count != names.count - 1 {
                    problem("\(path).time.cutoffs", "\(names.count) splits need \(names.count - 1) cutoffs, not \(list.count)")
                }
                if zip(values, values.dropFirst()).contains(where: { $0 >= $1 }) {
                    problem("\(path).time.cutoffs", "cutoffs must be in increasing order")
                }
                cutoffs = values
            }
            if !stratify.isEmpty || !group.isEmpty {
                problem("\(path).time", "a time-based split orders records by time; it cannot also be stratified or grouped")
            }
        }
        switch c["stable"] {
        case .bool(true)?: stableReference = "\(dataset)@latest"
        case .string(let s)?: stableReference = s
        default: break
        }
        if let m = c["max_leakage"]?.intValue { maxLeakage = m }
        if let k = c["leakage_k"]?.intValue { leakageK = k }
    }

    private static func fields(_ value: JSONValue?) -> [String] {
        if let s = value?.stringValue { return [s] }
        return (value?.arrayValue ?? []).compactMap(\.stringValue)
    }
}

/// Times as numbers: JSON numbers as they are (e.g. Unix seconds), strings as ISO 8601 dates
/// (`2024-05-01`, `2024-05-01T12:30:00Z`, `2024-05-01 12:30:00+08:00`) in seconds since 1970 UTC.
public enum TimeValue {
    public static func parse(_ value: JSONValue) -> Double? {
        if case .number = value { return value.doubleValue }
        guard let s = value.stringValue else { return nil }
        return parse(s)
    }

    public static func parse(_ text: String) -> Double? {
        let b = Array(text.trimmingCharacters(in: .whitespaces).utf8)
        func digits(_ at: Int, _ n: Int) -> Int? {
            guard at + n <= b.count else { return nil }
            var v = 0
            for i in at..<(at + n) {
                guard b[i] >= 0x30 && b[i] <= 0x39 else { return nil }
                v = v * 10 + Int(b[i] - 0x30)
            }
            return v
        }
        if b.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E || $0 == 0x2D }), let d = Double(text), b.count != 10 {
            return d
        }
        guard let y = digits(0, 4), b.count >= 10, b[4] == 0x2D, let m = digits(5, 2), b[7] == 0x2D, let d = digits(8, 2),
              (1...12).contains(m), (1...31).contains(d) else { return nil }
        var seconds = Double(daysFromCivil(y, m, d)) * 86400
        var i = 10
        if i < b.count, b[i] == 0x54 || b[i] == 0x20 {
            guard let hh = digits(i + 1, 2), i + 3 < b.count, b[i + 3] == 0x3A, let mm = digits(i + 4, 2) else { return nil }
            seconds += Double(hh * 3600 + mm * 60)
            i += 6
            if i < b.count, b[i] == 0x3A, let ss = digits(i + 1, 2) {
                seconds += Double(ss)
                i += 3
                if i < b.count, b[i] == 0x2E {
                    var j = i + 1
                    var scale = 0.1
                    while j < b.count, b[j] >= 0x30 && b[j] <= 0x39 { seconds += Double(b[j] - 0x30) * scale; scale /= 10; j += 1 }
                    i = j
                }
            }
            if i < b.count {
                if b[i] == 0x5A { i += 1 } else if b[i] == 0x2B || b[i] == 0x2D, let oh = digits(i + 1, 2) {
                    var om = 0
                    var next = i + 3
                    if next < b.count, b[next] == 0x3A { next += 1 }
                    if let m = digits(next, 2) { om = m; next += 2 }
                    let offset = Double(oh * 3600 + om * 60)
                    seconds += b[i] == 0x2B ? -offset : offset
                    i = next
                }
            }
        }
        return i == b.count ? seconds : nil
    }

    /// Days since 1970-01-01 in the proleptic Gregorian calendar (Howard Hinnant's algorithm).
    static func daysFromCivil(_ year: Int, _ month: Int, _ day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
