import WinnowCore
import WinnowText

/// Unicode cleaning of one text field: invisible characters, normalization, case, whitespace.
///
/// Each step is a rule with its own name in statistics and the ledger (`clean.control`,
/// `clean.nfkc`, `clean.casefold`, `clean.whitespace`, `clean.trim`), and each works on UTF-8
/// bytes with a no-change fast path, so clean text costs one scan per step.
public struct CleanStage: Stage {
    public enum Whitespace: String, Sendable { case collapse, collapseKeepNewlines = "collapse_keep_newlines", keep }

    public let name = "clean"
    public let index: Int
    let field: String
    let normalizer: UnicodeNormalizer?
    let caseFold: Bool
    let removeControl: Bool
    let removeZeroWidth: Bool
    let whitespace: Whitespace
    let trim: Bool

    public init(index: Int, config: JSONObject) throws {
        self.index = index
        field = config["field"]?.stringValue ?? "text"
        let form = config["normalize"]?.stringValue ?? "NFKC"
        caseFold = config["case_fold"]?.boolValue ?? false
        if form == "none" {
            normalizer = nil
        } else {
            let chosen = NormalizationForm(rawValue: form) ?? .nfkc
            normalizer = try UnicodeNormalizer(chosen == .nfkc && caseFold ? .nfkcCasefold : chosen)
        }
        removeControl = config["remove_control"]?.boolValue ?? true
        removeZeroWidth = config["remove_zero_width"]?.boolValue ?? true
        whitespace = config["whitespace"]?.stringValue.flatMap(Whitespace.init(rawValue:)) ?? .collapseKeepNewlines
        trim = config["trim"]?.boolValue ?? true
    }

    public func process(_ record: inout Record, _ context: StageContext) throws -> StageVerdict {
        guard var text = record.string(field) else { return .keep }
        var changed = false
        if removeControl || removeZeroWidth, let (cleaned, removed) = TextScrubber.removeInvisible(text, control: removeControl, zeroWidth: removeZeroWidth) {
            text = cleaned
            changed = true
            context.noteChange(rule: "clean.control", detail: JSONObject([("removed", .number(JSONNumber(removed)))]))
        }
        if let normalizer, let normalized = try normalizer.normalize(text) {
            text = normalized
            changed = true
            context.noteChange(rule: "clean." + normalizer.form.rawValue.lowercased())
        }
        if caseFold, normalizer?.form != .nfkcCasefold, let folded = try foldCase(text) {
            text = folded
            changed = true
            context.noteChange(rule: "clean.casefold")
        }
        if whitespace != .keep, let collapsed = TextScrubber.collapseWhitespace(text, keepNewlines: whitespace == .collapseKeepNewlines) {
            text = collapsed
            changed = true
            context.noteChange(rule: "clean.whitespace")
        }
        if trim, let trimmed = TextScrubber.trim(text) {
            text = trimmed
            changed = true
            context.noteChange(rule: "clean.trim")
        }
        if changed { record.fields[field] = .string(text) }
        return .keep
    }
}
