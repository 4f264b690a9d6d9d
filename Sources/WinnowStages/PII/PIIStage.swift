import Crypto
import Foundation
import WinnowCore
import WinnowText

/// Finds personal data in text fields and replaces it, per entity type: a tag (`<EMAIL>`), a
/// mask keeping a prefix and suffix (`138****5678`), a keyed pseudonym (HMAC-SHA256: the same
/// value gets the same pseudonym in every record and version built with the same key), a
/// format-valid fake derived from that pseudonym, removal, or dropping the record.
///
/// Nothing masked is stored: the ledger gets the type and position of each span, never the
/// value, and while a pipeline has a `pii` stage the executor scrubs the bodies of records other
/// stages drop and withholds quarantine excerpts (``RecordScrubber``).
public struct PIIStage: Stage, RecordScrubber {
    public enum Action: String, Sendable, CaseIterable { case tag, mask, hash, fake, redact, drop }

    public let name = "pii"
    public let index: Int
    let fields: [String]
    let detectors: [PIIDetector]
    /// Whether a text is profiled first to skip detectors that cannot match it
    /// (``PIITextProfile``); tests turn it off to compare with full scans.
    var usesProfile: Bool
    let actions: [String: Action]
    let defaultAction: Action
    let keepPrefix: Int
    let keepSuffix: Int
    let key: SymmetricKey?

    /// One confirmed span, in UTF-8 bytes of the field.
    public struct Finding: Sendable, Equatable {
        public var type: String
        public var range: Range<Int>
        public var priority: Int
    }

    public init(index: Int, config c: JSONObject, path: String, problem: (String, String) -> Void) throws {
        self.index = index
        fields = c["fields"]?.arrayValue?.compactMap(\.stringValue) ?? ["text"]
        var list = try PIIDetector.builtIns()
        if let types = c["types"]?.arrayValue?.compactMap(\.stringValue) {
            let known = Set(list.map(\.type))
            for t in types where !known.contains(t) {
                problem("\(path).types", "unknown entity type `\(t)`" + (Suggestion.closest(to: t, in: Array(known)).map { ", did you mean `\($0)`?" } ?? ""))
            }
            list = list.filter { types.contains($0.type) }
        }
        var actions: [String: Action] = [:]
        for (k, entry) in (c["detectors"]?.arrayValue ?? []).enumerated() {
            guard let o = entry.objectValue, let type = o["type"]?.stringValue, let pattern = o["pattern"]?.stringValue else { continue }
            var validate: @Sendable (String) -> Bool = { _ in true }
            if let v = o["validator"]?.stringValue {
                if let f = PIIValidators.named[v] { validate = f } else {
                    problem("\(path).detectors[\(k)].validator", "unknown validator `\(v)`; use luhn, cn_id, iban or mod97")
                }
            }
            do {
                list.append(try PIIDetector(type: type, priority: list.count, pattern: pattern, validate: validate))
            } catch {
                problem("\(path).detectors[\(k)].pattern", "\(error)")
            }
            if let a = o["action"]?.stringValue.flatMap(Action.init(rawValue:)) { actions[type] = a }
        }
        detectors = list
        usesProfile = list.contains { $0.requirement != .none }
        for m in c["actions"]?.objectValue ?? JSONObject() {
            if let a = m.value.stringValue.flatMap(Action.init(rawValue:)) { actions[m.key] = a }
            if !list.contains(where: { $0.type == m.key }) { problem("\(path).actions.\(m.key)", "no detector finds `\(m.key)`") }
        }
        self.actions = actions
        defaultAction = c["default_action"]?.stringValue.flatMap(Action.init(rawValue:)) ?? .tag
        keepPrefix = c["mask"]?.objectValue?["keep_prefix"]?.intValue ?? 3
        keepSuffix = c["mask"]?.objectValue?["keep_suffix"]?.intValue ?? 4
        let needsKey = ([defaultAction] + actions.values).contains { $0 == .hash || $0 == .fake }
        var key: SymmetricKey?
        if let file = c["key_file"]?.stringValue {
            if let data = FileManager.default.contents(atPath: file), !data.isEmpty { key = SymmetricKey(data: data) } else {
                problem("\(path).key_file", "cannot read the key file `\(file)`")
            }
        } else {
            let variable = c["key_env"]?.stringValue ?? "WINNOW_PII_KEY"
            if let value = ProcessInfo.processInfo.environment[variable], !value.isEmpty {
                key = SymmetricKey(data: Data(value.utf8))
            } else if needsKey {
                problem(path, "`hash` and `fake` need a secret key: set the environment variable \(variable) (or `key_env` / `key_file`); it is never written to the store")
            }
        }
        self.key = key
    }

    /// Confirmed findings in `text`, overlaps resolved: longest first, then detector priority,
    /// then position. Sorted by position.
    public func findings(in text: String, _ context: StageContext) throws -> [Finding] {
        var candidates: [Finding] = []
        var text = text
        let matchers = try context.cached("pii.\(index)") {
            Matchers(try detectors.map { try $0.pattern.makeMatcher(timeLimit: 1000) })
        }
        try text.withUTF8 { buf in
            let profile = usesProfile ? PIITextProfile(buf) : PIITextProfile()
            for (k, detector) in detectors.enumerated() {
                var ranges: [Range<Int>] = []
                if usesProfile && detector.requirement != .none {
                    // Window by window; a match can run past its window, and the next search
                    // starts after it, as one scan of the whole text would.
                    var cursor = 0
                    for window in detector.requirement.starts(in: buf, profile) where window.upperBound >= cursor {
                        let found = try matchers.list[k].matchRanges(in: buf, startingIn: max(cursor, window.lowerBound)...window.upperBound)
                        ranges += found
                        if let last = found.last { cursor = last.upperBound }
                    }
                } else {
                    ranges = try matchers.list[k].matchRanges(in: buf)
                }
                for range in ranges {
                    let value = String(decoding: UnsafeBufferPointer(rebasing: buf[range]), as: UTF8.self)
                    if detector.validate(value) { candidates.append(Finding(type: detector.type, range: range, priority: detector.priority)) }
                }
            }
        }
        candidates.sort { a, b in
            if a.range.count != b.range.count { return a.range.count > b.range.count }
            if a.priority != b.priority { return a.priority < b.priority }
            return a.range.lowerBound < b.range.lowerBound
        }
        var accepted: [Finding] = []
        for c in candidates where !accepted.contains(where: { $0.range.overlaps(c.range) }) { accepted.append(c) }
        return accepted.sorted { $0.range.lowerBound < $1.range.lowerBound }
    }

    public func process(_ record: inout Record, _ context: StageContext) throws -> StageVerdict {
        for field in fields {
            guard let text = record.fields[field]?.stringValue else { continue }
            let found = try findings(in: text, context)
            guard !found.isEmpty else { continue }
            if let drop = found.first(where: { action(for: $0.type) == .drop }) {
                return .drop(rule: "pii.\(drop.type)", detail: JSONObject([("field", .string(field)), ("action", .string("drop"))]))
            }
            record.fields[field] = .string(Self.rewrite(text, found) { f, value, start, end in
                let act = action(for: f.type)
                // Position in Unicode scalars of the text as it entered the stage; never the value.
                context.noteChange(rule: "pii.\(f.type)", detail: JSONObject([
                    ("field", .string(field)), ("start", .number(JSONNumber(start))), ("end", .number(JSONNumber(end))),
                    ("action", .string(act.rawValue)),
                ]))
                return replacement(for: value, type: f.type, action: act)
            })
        }
        return .keep
    }

    /// Every string field with every finding tagged: what the store may keep of a record that
    /// another stage drops.
    public func scrub(_ fields: JSONObject, _ context: StageContext) -> JSONObject {
        var out = fields
        for member in fields {
            let key = member.key
            guard let text = member.value.stringValue else { continue }
            guard let found = try? findings(in: text, context) else { out[key] = .string("<WITHHELD>"); continue }
            guard !found.isEmpty else { continue }
            out[key] = .string(Self.rewrite(text, found) { f, _, _, _ in "<\(f.type)>" })
        }
        return out
    }

    func action(for type: String) -> Action { actions[type] ?? defaultAction }

    /// One worker's compiled detectors, in detector order.
    final class Matchers {
        let list: [RegexMatcher]
        init(_ list: [RegexMatcher]) { self.list = list }
    }

    /// The entity types this stage detects.
    public var types: [String] { Array(Set(detectors.map(\.type))).sorted() }

    /// `text` with each finding replaced by what `replace` returns for it, given the finding, its
    /// value and its position in Unicode scalars (start, end). Findings are sorted and disjoint.
    static func rewrite(_ text: String, _ found: [Finding], _ replace: (Finding, String, Int, Int) -> String) -> String {
        // Pieces of `text` are appended as substrings: already valid UTF-8, copied without the
        // validation a String made from bytes would repeat.
        let utf8 = text.utf8
        func index(_ offset: Int) -> String.Index { utf8.index(utf8.startIndex, offsetBy: offset) }
        func scalars(_ range: Range<Int>) -> Int { scalarCount(text[index(range.lowerBound)..<index(range.upperBound)]) }
        var out = ""
        out.reserveCapacity(utf8.count)
        var cursor = 0, position = 0
        for f in found {
            out += text[index(cursor)..<index(f.range.lowerBound)]
            position += scalars(cursor..<f.range.lowerBound)
            let length = scalars(f.range)
            out += replace(f, String(text[index(f.range.lowerBound)..<index(f.range.upperBound)]), position, position + length)
            position += length
            cursor = f.range.upperBound
        }
        out += text[index(cursor)...]
        return out
    }

    /// The value as compared for pseudonyms: digits only for numbers, case-folded where case
    /// carries no meaning, so `138 1234 5678` and `+86 13812345678` are the same phone.
    static func canonical(_ value: String, type: String) -> String {
        switch type {
        case "PHONE_CN":
            var d = PIIValidators.digits(value)
            if d.count == 13 { d.removeFirst(2) } else if d.count == 15 { d.removeFirst(4) }
            return String(decoding: d, as: UTF8.self)
        case "CN_ID": return value.uppercased()
        case "CREDIT_CARD", "US_SSN", "PHONE_NUMBER", "PHONE_CN_LANDLINE": return String(decoding: PIIValidators.digits(value), as: UTF8.self)
        case "EMAIL", "IP_ADDRESS", "MAC_ADDRESS": return value.lowercased()
        case "IBAN_CODE": return value.uppercased().replacingOccurrences(of: " ", with: "")
        default: return value
        }
    }

    func replacement(for value: String, type: String, action: Action) -> String {
        // The canonical form only where the output depends on it (tags are most of the work).
        switch action {
        case .tag, .drop: return "<\(type)>"
        case .redact: return ""
        case .mask:
            let chars = Array(Self.canonical(value, type: type))
            guard chars.count > keepPrefix + keepSuffix else { return String(repeating: "*", count: chars.count) }
            return String(chars.prefix(keepPrefix)) + String(repeating: "*", count: chars.count - keepPrefix - keepSuffix)
                + String(chars.suffix(keepSuffix))
        case .hash:
            return "<\(type):\(Hex.encode(pseudonym(Self.canonical(value, type: type), type: type).prefix(6)))>"
        case .fake:
            let canonical = Self.canonical(value, type: type)
            return PIIFaker.fake(type: type, canonical: canonical, seed: pseudonym(canonical, type: type))
        }
    }

    /// HMAC-SHA256(key, type ␟ canonical value).
    func pseudonym(_ canonical: String, type: String) -> [UInt8] {
        guard let key else { return [] }
        return Array(HMAC<SHA256>.authenticationCode(for: Data((type + "\u{1F}" + canonical).utf8), using: key))
    }
}
