import WinnowCore
import WinnowText

extension HTMLExtractionOptions {
    /// Options from an input's `html` object or the `html` stage (validated by the schema).
    init(json o: JSONObject) {
        self.init()
        if let mode = o["mode"]?.stringValue.flatMap(Mode.init(rawValue:)) { self.mode = mode }
        if let tags = o["drop_tags"]?.arrayValue { dropTags = Set(tags.compactMap { $0.stringValue?.lowercased() }) }
        if let names = o["boilerplate_names"]?.arrayValue { boilerplateNames = names.compactMap { $0.stringValue?.lowercased() } }
        if let names = o["content_names"]?.arrayValue { contentNames = names.compactMap { $0.stringValue?.lowercased() } }
        if let d = o["max_link_density"]?.doubleValue { maxLinkDensity = d }
        if let n = o["min_paragraph_chars"]?.intValue { minParagraphChars = n }
    }
}

/// Which element of an XML file is a record and where its fields are.
struct XMLRecordLayout: Sendable {
    /// A field and its path relative to the record element, split into steps; the last step
    /// may be an attribute (`@id`). An empty path (`.`) is the record element itself.
    struct Field: Sendable {
        var name: String
        var elements: [String]
        var attribute: String?
        /// The path as elements joined by `/`, for prefix tests while streaming.
        var elementPath: String
    }

    var record: String
    var fields: [Field]

    init(record: String, fields: [(name: String, path: String)]) {
        self.record = record
        self.fields = fields.map { name, path in
            var steps = path.split(separator: "/").map(String.init).filter { $0 != "." }
            var attribute: String?
            if let last = steps.last, last.hasPrefix("@") {
                attribute = String(last.dropFirst())
                steps.removeLast()
            }
            return Field(name: name, elements: steps, attribute: attribute, elementPath: steps.joined(separator: "/"))
        }
    }

    init(json o: JSONObject, textField: String) {
        let record = o["record"]?.stringValue ?? "record"
        let declared = (o["fields"]?.objectValue ?? JSONObject()).members.compactMap { m in m.value.stringValue.map { (m.key, $0) } }
        self.init(record: record, fields: declared.isEmpty ? [(textField, ".")] : declared)
    }

    /// The layout of a MediaWiki export (schema 0.10 and later).
    static let mediawiki = XMLRecordLayout(record: "page", fields: [
        ("title", "title"), ("namespace", "ns"), ("page_id", "id"), ("redirect", "redirect/@title"),
        ("revision_id", "revision/id"), ("timestamp", "revision/timestamp"), ("text", "revision/text"),
    ])
}

/// What a MediaWiki input keeps and how its text is delivered.
struct MediaWikiOptions: Sendable {
    var namespaces: Set<Int> = [0]
    var keepRedirects = false
    /// Convert wikitext to plain text (the default) or keep the source.
    var plainText = true

    init(json o: JSONObject) {
        if let list = o["namespaces"]?.arrayValue { namespaces = Set(list.compactMap(\.intValue)) }
        keepRedirects = o["redirects"]?.stringValue == "keep"
        plainText = o["markup"]?.stringValue != "wikitext"
    }
}
