import Foundation

/// Where synonyms come from: WordNet, user dictionaries, or several in order.
public protocol SynonymSource: Sendable {
    /// Words that may stand for `word` (never `word` itself), best first.
    func synonyms(of word: String) -> [String]
}

/// A user dictionary of groups of interchangeable words.
///
/// Two layouts, because users bring both:
/// - `tsv`: one group per line, words separated by tabs; `#` starts a comment line.
/// - `cilin`: the HIT Tongyici Cilin (extended) layout, one line per entry: an eight-character
///   code, then the words separated by spaces (`Aa01A01= 人 士 人物 人士`). Only entries whose
///   code ends in `=` are groups of synonyms; `#` (related but not equal) and `@` (a word on its
///   own) entries are skipped, because swapping them in would change the meaning.
///
/// A word in several groups gets the union of their words, in file order. English words match
/// without regard to case. UTF-8 files (with or without BOM); problems name the line.
public struct SynonymDictionary: SynonymSource {
    public enum Layout: String, Sendable, CaseIterable { case tsv, cilin }

    public let path: String
    public let layout: Layout
    private let groups: [[String]]
    private let groupsOfWord: [String: [Int32]]

    public init(path: String, layout: Layout) throws {
        self.path = path
        self.layout = layout
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AugmentError("cannot read the synonym dictionary `\(path)`")
        }
        guard var text = String(data: data, encoding: .utf8) else {
            throw AugmentError("the synonym dictionary `\(path)` is not UTF-8")
        }
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        var groups: [[String]] = []
        for (k, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
            if line.allSatisfy(\.isWhitespace) { continue }
            switch layout {
            case .tsv:
                if line.hasPrefix("#") { continue }
                let words = line.split(separator: "\t").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                if words.count >= 2 { groups.append(words) }
            case .cilin:
                let fields = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
                guard let code = fields.first, SynonymDictionary.isCilinCode(code) else {
                    throw AugmentError("\(path):\(k + 1): expected a Cilin code such as `Aa01A01=` followed by words, found `\(line.prefix(40))`")
                }
                if code.hasSuffix("="), fields.count >= 3 { groups.append(Array(fields.dropFirst())) }
            }
        }
        guard !groups.isEmpty else { throw AugmentError("the synonym dictionary `\(path)` holds no group of two or more words") }
        var index: [String: [Int32]] = [:]
        for (g, words) in groups.enumerated() {
            for w in words { index[SynonymDictionary.key(w), default: []].append(Int32(g)) }
        }
        self.groups = groups
        groupsOfWord = index
    }

    /// Groups read.
    public var groupCount: Int { groups.count }

    public func synonyms(of word: String) -> [String] {
        let key = SynonymDictionary.key(word)
        var out: [String] = []
        for g in groupsOfWord[key] ?? [] {
            for w in groups[Int(g)] where SynonymDictionary.key(w) != key && !out.contains(w) { out.append(w) }
        }
        return out
    }

    static func key(_ word: String) -> String { word.lowercased() }

    /// Two letters, two digits, a letter, two digits, then `=`, `#` or `@`.
    static func isCilinCode(_ code: String) -> Bool {
        let c = Array(code.utf8)
        guard c.count == 8 else { return false }
        func letter(_ b: UInt8) -> Bool { (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) }
        func digit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
        return letter(c[0]) && letter(c[1]) && digit(c[2]) && digit(c[3]) && letter(c[4]) && digit(c[5]) && digit(c[6])
            && [UInt8(ascii: "="), UInt8(ascii: "#"), UInt8(ascii: "@")].contains(c[7])
    }
}

/// WordNet restricted to some parts of speech, as a synonym source.
public struct WordNetSynonyms: SynonymSource {
    public let wordnet: WordNet
    public let parts: [WordNet.PartOfSpeech]
    public init(wordnet: WordNet, parts: [WordNet.PartOfSpeech]) {
        self.wordnet = wordnet
        self.parts = parts
    }
    public func synonyms(of word: String) -> [String] { wordnet.synonyms(of: word, in: parts) }
}

/// Several sources asked in order; their answers joined without repeats.
public struct SynonymSources: SynonymSource {
    public let sources: [any SynonymSource]
    public init(_ sources: [any SynonymSource]) { self.sources = sources }
    public func synonyms(of word: String) -> [String] {
        var out: [String] = []
        for s in sources { for w in s.synonyms(of: word) where !out.contains(w) { out.append(w) } }
        return out
    }
}
