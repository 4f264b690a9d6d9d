/// What ``HTMLExtractor`` keeps of a page: the text and the metadata a dataset usually wants
/// next to it.
public struct HTMLPage: Sendable, Equatable {
    /// Extracted text: one block (paragraph, heading, list item, table row, `pre`) per line.
    public var text: String
    /// `<title>`, else `og:title`.
    public var title: String?
    /// `<html lang>`, `xml:lang`, or `Content-Language`.
    public var language: String?
    /// `<meta name="description">`, else `og:description`.
    public var description: String?
    /// `<link rel="canonical">`, else `og:url`.
    public var canonicalURL: String?
    /// The charset the bytes were decoded with, and why (`nil` when the input was already text).
    public var charset: DetectedCharset?

    public init(text: String, title: String? = nil, language: String? = nil, description: String? = nil,
                canonicalURL: String? = nil, charset: DetectedCharset? = nil) {
        self.text = text
        self.title = title
        self.language = language
        self.description = description
        self.canonicalURL = canonicalURL
        self.charset = charset
    }
}
