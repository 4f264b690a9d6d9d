import WinnowCore
import WinnowText

/// Turns HTML held in a field (a JSONL or CSV export of a crawl) into text with the same rules
/// as HTML files: the same chrome removal and main-text selection, configured the same way.
///
/// The field is already text, so no charset question arises. `title`, `lang`, `description`
/// and `url` of the page go into fields of those names when `metadata` is on (an existing field
/// of that name is kept). A value that is not a string leaves the record alone; HTML that
/// yields no text at all drops the record under rule `html.empty`, so empty pages are counted
/// rather than passed on as blank records.
public struct HTMLStage: Stage {
    public let name = "html"
    public let index: Int
    let field: String
    let target: String
    let metadata: Bool
    let keepHTML: Bool
    let extractor: HTMLExtractor

    public init(index: Int, config: JSONObject) {
        self.index = index
        field = config["field"]?.stringValue ?? "html"
        target = config["to"]?.stringValue ?? "text"
        metadata = config["metadata"]?.boolValue ?? true
        keepHTML = config["keep_html"]?.boolValue ?? false
        extractor = HTMLExtractor(options: HTMLExtractionOptions(json: config))
    }

    public func process(_ record: inout Record, _ context: StageContext) throws -> StageVerdict {
        guard let html = record.string(field) else { return .keep }
        var source = html
        let page = try source.withUTF8 { try extractor.extract(utf8: $0) }
        if page.text.isEmpty { return .drop(rule: "html.empty") }
        if target != field, !keepHTML { record.fields[field] = nil }
        record.fields[target] = .string(page.text)
        if metadata {
            for (key, value) in page.metadataFields where record.fields[key] == nil { record.fields[key] = .string(value) }
        }
        context.noteChange(rule: "html.extract")
        return .keep
    }
}
