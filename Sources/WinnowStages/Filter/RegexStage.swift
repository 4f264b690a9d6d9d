import WinnowCore
import WinnowText

/// User regex rules, run in order on one field with PCRE2 (JIT) over UTF-8.
///
/// `replace` rewrites every match, `drop` removes records that match, `keep` removes records
/// that do not. Patterns are compiled once at load time (a bad one is a validation error);
/// each worker clones its own matcher. A record whose match exceeds the time limit is
/// quarantined with the rule's name, so one pathological record cannot stall a build.
public struct RegexStage: Stage {
    public struct Rule: Sendable {
        public enum Action: String, Sendable { case replace, drop, keep }
        public var name: String
        public var pattern: RegexPattern
        public var action: Action
        public var replacement: ReplacementTemplate?
        /// What the rule searches for: for a replace rule ``ChangingMatchPattern`` where it
        /// applies (the same output without visiting matches that change nothing), else
        /// `pattern`; compiled with a ``RegexPattern/filtersStarts`` filter where one qualifies,
        /// so PCRE2 is called only where a match can start.
        public var search: RegexPattern

        public init(name: String, pattern: RegexPattern, action: Action, replacement: ReplacementTemplate?) {
            self.name = name
            self.pattern = pattern
            self.action = action
            self.replacement = replacement
            search = pattern
            if action == .replace, let replacement,
               let changing = try? ChangingMatchPattern.make(for: pattern, replacement: replacement) {
                search = changing
            }
            search = (try? search.filteringStarts()) ?? search
        }
    }

    public let name = "regex"
    public let index: Int
    let field: String
    let timeLimit: Int32
    public let rules: [Rule]

    /// The worker cache's key for this stage's matchers, and the rules' ledger names, spelled once
    /// rather than per record and rule.
    private let matchersKey: String
    private let ruleNames: [String]

    public init(index: Int, field: String, timeLimit: Int32, rules: [Rule]) {
        self.index = index
        self.field = field
        self.timeLimit = timeLimit
        self.rules = rules
        matchersKey = "regex.\(index)"
        ruleNames = rules.map { "regex." + $0.name }
    }

    /// One worker's matchers for the stage's rules, in rule order.
    private final class Matchers {
        let list: [RegexMatcher]
        init(_ list: [RegexMatcher]) { self.list = list }
    }

    public func process(_ record: inout Record, _ context: StageContext) throws -> StageVerdict {
        guard var text = record.string(field) else { return .keep }
        var changed = false
        defer { if changed { record.fields[field] = .string(text) } }
        let matchers = try context.cached(matchersKey) { Matchers(try rules.map { try $0.search.makeMatcher(timeLimit: timeLimit) }) }
        for k in rules.indices {
            let rule = rules[k], matcher = matchers.list[k], ruleName = ruleNames[k]
            do {
                switch rule.action {
                case .replace:
                    if let replacement = rule.replacement, let (result, count) = try matcher.replaceAll(in: text, with: replacement) {
                        if !result.hasSameUTF8(as: text) {
                            text = result
                            changed = true
                            context.noteChange(rule: ruleName, detail: JSONObject([("replacements", .number(JSONNumber(count)))]))
                        }
                    }
                case .drop:
                    if let range = try matcher.firstMatch(in: text) {
                        return .drop(rule: ruleName, detail: JSONObject([("match_at_byte", .number(JSONNumber(range.lowerBound)))]))
                    }
                case .keep:
                    if try !matcher.matches(text) {
                        return .drop(rule: ruleName, detail: JSONObject([("reason", .string("no match for a keep rule"))]))
                    }
                }
            } catch let error as TextError where error.isTimeout {
                // Either one match ran past PCRE2's backtracking-step limit or the rule ran past
                // `time_limit_ms` on this record; the error says which.
                return .quarantine(reason: "rule `\(ruleName)` stopped on this record: \(error.message) (time_limit_ms \(timeLimit))")
            }
        }
        return .keep
    }
}
