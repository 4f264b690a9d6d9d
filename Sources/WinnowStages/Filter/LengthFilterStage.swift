internal import CByteScan
import WinnowCore
import WinnowText

/// Drops records whose text is too short or too long, in characters (Unicode scalars) or words
/// (ICU word boundaries, so Chinese words are counted by dictionary, not as one long run).
public struct LengthFilterStage: Stage {
    public let name = "filter"
    public let index: Int
    let field: String
    let minChars: Int?
    let maxChars: Int?
    let minWords: Int?
    let maxWords: Int?

    public init(index: Int, config: JSONObject) {
        self.index = index
        field = config["field"]?.stringValue ?? "text"
        minChars = config["min_chars"]?.intValue
        maxChars = config["max_chars"]?.intValue
        minWords = config["min_words"]?.intValue
        maxWords = config["max_words"]?.intValue
    }

    public func process(_ record: inout Record, _ context: StageContext) throws -> StageVerdict {
        let text = record.string(field) ?? ""
        if minChars != nil || maxChars != nil {
            let chars = scalarCount(text)
            if let minChars, chars < minChars { return .drop(rule: "filter.min_chars", detail: detail("chars", chars, "min", minChars)) }
            if let maxChars, chars > maxChars { return .drop(rule: "filter.max_chars", detail: detail("chars", chars, "max", maxChars)) }
        }
        if minWords != nil || maxWords != nil {
            let counter = try context.cached("words") { try WordSegmenter() }
            let words = try counter.wordCount(text)
            if let minWords, words < minWords { return .drop(rule: "filter.min_words", detail: detail("words", words, "min", minWords)) }
            if let maxWords, words > maxWords { return .drop(rule: "filter.max_words", detail: detail("words", words, "max", maxWords)) }
        }
        return .keep
    }

    private func detail(_ measure: String, _ value: Int, _ bound: String, _ limit: Int) -> JSONObject {
        JSONObject([(measure, .number(JSONNumber(value))), (bound, .number(JSONNumber(limit)))])
    }
}

/// Number of Unicode scalars: UTF-8 bytes that are not continuation bytes.
func scalarCount(_ text: String) -> Int {
    scalarCount(text[...])
}

/// Number of Unicode scalars of a piece of a string (the PII stage's span positions).
func scalarCount(_ text: Substring) -> Int {
    var text = text
    return text.withUTF8 { buf in buf.isEmpty ? 0 : winnow_count_utf8_scalars(buf.baseAddress!, buf.count) }
}
