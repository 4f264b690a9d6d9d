/// How ``HTMLExtractor`` turns a page into text. Every heuristic it applies is a setting here,
/// so a user whose site breaks a rule can change the rule in the pipeline instead of forking
/// the code.
public struct HTMLExtractionOptions: Sendable, Equatable {
    /// `main` keeps the article: the container with the best text score and its strong
    /// siblings (see ``MainContentSelector``). `all` keeps every visible block that survives
    /// the chrome rules, for pages that are all content (documentation, references).
    public enum Mode: String, Sendable, CaseIterable { case main, all }

    public var mode: Mode = .main
    /// Elements removed with everything inside them.
    public var dropTags: Set<String> = HTMLExtractionOptions.defaultDropTags
    /// Substrings of `class`/`id` values that mark chrome (navigation, share bars, comments).
    /// An element matching one is dropped unless its class/id also matches one of
    /// ``contentNames`` (so `article-share` goes, `article-content share-enabled` stays).
    public var boilerplateNames: [String] = HTMLExtractionOptions.defaultBoilerplateNames
    /// Substrings of `class`/`id` values that protect an element from ``boilerplateNames``.
    public var contentNames: [String] = HTMLExtractionOptions.defaultContentNames
    /// A block whose share of characters inside links is above this is dropped (menus,
    /// "related articles" lists, tag clouds).
    public var maxLinkDensity: Double = 0.5
    /// A block needs this many characters to count as a paragraph when scoring containers.
    public var minParagraphChars: Int = 20

    public init() {}

    public static let defaultDropTags: Set<String> = [
        "script", "style", "noscript", "template", "svg", "math", "iframe", "object", "embed", "canvas", "video", "audio",
        "nav", "header", "footer", "aside", "form", "button", "select", "option", "textarea", "input", "label", "dialog", "menu",
    ]
    public static let defaultBoilerplateNames = [
        "nav", "menu", "footer", "breadcrumb", "sidebar", "banner", "share", "social", "comment", "advert", "copyright",
        "pagination", "pager", "toolbar", "related", "recommend", "subscribe", "login", "popup", "modal", "cookie",
    ]
    public static let defaultContentNames = ["article", "content", "main", "body", "post", "entry", "story", "text"]
    /// ARIA landmark roles that are chrome.
    public static let chromeRoles: Set<String> = ["navigation", "banner", "contentinfo", "complementary", "search", "menu", "menubar", "dialog"]
}
