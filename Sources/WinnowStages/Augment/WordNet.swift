import Foundation

/// Synonyms from the WordNet 3.0 database files as Debian's `wordnet-base` installs them
/// (`/usr/share/wordnet/{index,data}.{noun,verb,adj,adv}` and `*.exc`), read directly: no
/// Python, no NLTK.
///
/// Lookup follows NLTK's `wordnet.synsets(word)`, which EDA and nlpaug use: the word is
/// lower-cased, reduced to its base forms by morphy (exception lists, then the word itself,
/// then the detachment rules, each kept only when the index has it), and every lemma of every
/// synset of every base form is a synonym, in sense order (most frequent sense first). The
/// data files stay in memory as bytes (about 27 MB) and synset lines are parsed on demand; the
/// index is a dictionary from lemma to synset offsets. Immutable, so one instance serves every
/// thread.
public final class WordNet: Sendable {
    /// WordNet's four parts of speech (adjective satellites live with adjectives).
    public enum PartOfSpeech: String, Sendable, CaseIterable {
        case noun = "n", verb = "v", adjective = "a", adverb = "r"

        var fileSuffix: String {
            switch self {
            case .noun: "noun"
            case .verb: "verb"
            case .adjective: "adj"
            case .adverb: "adv"
            }
        }

        /// Morphy's detachment rules: (suffix, replacement).
        var detachments: [(String, String)] {
            switch self {
            case .noun: [("s", ""), ("ses", "s"), ("xes", "x"), ("zes", "z"), ("ches", "ch"), ("shes", "sh"), ("men", "man"), ("ies", "y")]
            case .verb: [("s", ""), ("ies", "y"), ("es", "e"), ("es", ""), ("ed", "e"), ("ed", ""), ("ing", "e"), ("ing", "")]
            case .adjective: [("er", ""), ("est", ""), ("er", "e"), ("est", "e")]
            case .adverb: []
            }
        }
    }

    /// Where Debian's `wordnet-base` puts the database.
    public static let defaultDirectory = "/usr/share/wordnet"

    public let directory: String
    private let index: [PartOfSpeech: [String: [Int]]]
    private let data: [PartOfSpeech: [UInt8]]
    private let exceptions: [PartOfSpeech: [String: [String]]]

    /// Loads the database in `directory`; fails with a message that says how to install it.
    public init(directory: String = WordNet.defaultDirectory) throws {
        self.directory = directory
        var index: [PartOfSpeech: [String: [Int]]] = [:]
        var data: [PartOfSpeech: [UInt8]] = [:]
        var exceptions: [PartOfSpeech: [String: [String]]] = [:]
        for pos in PartOfSpeech.allCases {
            let indexPath = "\(directory)/index.\(pos.fileSuffix)", dataPath = "\(directory)/data.\(pos.fileSuffix)"
            guard let indexBytes = FileManager.default.contents(atPath: indexPath),
                  let dataBytes = FileManager.default.contents(atPath: dataPath) else {
                throw AugmentError("no WordNet database in `\(directory)` (index.\(pos.fileSuffix) or data.\(pos.fileSuffix) is missing); install Debian's `wordnet-base` package (apt-get install wordnet-base) or point `wordnet` at the folder holding the WordNet 3.0 files")
            }
            index[pos] = WordNet.parseIndex([UInt8](indexBytes))
            data[pos] = [UInt8](dataBytes)
            if let exc = FileManager.default.contents(atPath: "\(directory)/\(pos.fileSuffix).exc") {
                exceptions[pos] = WordNet.parseExceptions([UInt8](exc))
            }
        }
        self.index = index
        self.data = data
        self.exceptions = exceptions
    }

    /// Lemmas in the index of `pos`.
    public func lemmaCount(_ pos: PartOfSpeech) -> Int { index[pos]?.count ?? 0 }

    /// Base forms of `word` in `pos` (morphy), in the order NLTK finds them.
    public func baseForms(of word: String, _ pos: PartOfSpeech) -> [String] {
        let form = WordNet.lemmaKey(word)
        guard let lemmas = index[pos] else { return [] }
        var out: [String] = []
        func add(_ f: String) { if lemmas[f] != nil, !out.contains(f) { out.append(f) } }
        for base in exceptions[pos]?[form] ?? [] { add(base) }
        add(form)
        for (suffix, replacement) in pos.detachments where form.hasSuffix(suffix) && form.count > suffix.count {
            add(String(form.dropLast(suffix.count)) + replacement)
        }
        return out
    }

    /// Every lemma of every synset of `word` in the given parts of speech, with `_` and `-` as
    /// spaces, lower-cased, without the word itself (or its base forms) and without repeats, in
    /// sense order.
    /// Lemmas with characters other than letters, spaces and apostrophes are left out.
    public func synonyms(of word: String, in parts: [PartOfSpeech] = PartOfSpeech.allCases) -> [String] {
        let bases = parts.map { ($0, baseForms(of: word, $0)) }
        // The word and its own base forms ("layoffs" -> "layoff") are not synonyms.
        var own: Set<String> = [word.lowercased()]
        for (_, forms) in bases { for base in forms { own.insert(base.replacingOccurrences(of: "_", with: " ")) } }
        var seenSynsets: Set<Int> = []
        var out: [String] = []
        for (pos, forms) in bases {
            guard let lemmas = index[pos], let bytes = data[pos] else { continue }
            for base in forms {
                for offset in lemmas[base] ?? [] where seenSynsets.insert(offset * 4 + pos.hashSlot).inserted {
                    for lemma in WordNet.synsetWords(bytes, at: offset) {
                        let s = lemma.lowercased()
                        guard !own.contains(s), !out.contains(s), s.allSatisfy({ $0.isLetter || $0 == " " || $0 == "'" }) else { continue }
                        out.append(s)
                    }
                }
            }
        }
        return out
    }

    static func lemmaKey(_ word: String) -> String {
        word.lowercased().replacingOccurrences(of: " ", with: "_")
    }

    /// `lemma pos synset_cnt p_cnt [ptr…] sense_cnt tagsense_cnt offset…`; licence lines start with two spaces.
    static func parseIndex(_ bytes: [UInt8]) -> [String: [Int]] {
        var out: [String: [Int]] = [:]
        forEachLine(bytes) { line in
            let fields = line.split(separator: 0x20)
            guard fields.count >= 4, let count = decimal(fields[2]), count > 0, fields.count >= count else { return }
            let offsets = fields.suffix(count).compactMap(decimal)
            out[String(decoding: fields[0], as: UTF8.self)] = offsets
        }
        return out
    }

    /// `inflected base [base…]`.
    static func parseExceptions(_ bytes: [UInt8]) -> [String: [String]] {
        var out: [String: [String]] = [:]
        forEachLine(bytes) { line in
            let fields = line.split(separator: 0x20).map { String(decoding: $0, as: UTF8.self) }
            if fields.count >= 2 { out[fields[0], default: []].append(contentsOf: fields.dropFirst()) }
        }
        return out
    }

    /// The words of the synset line at byte `offset`: `offset lex_filenum ss_type w_cnt(hex) word lex_id …`,
    /// with `_`/`-` as spaces and adjective markers (`(a)`, `(p)`, `(ip)`) removed.
    static func synsetWords(_ bytes: [UInt8], at offset: Int) -> [String] {
        guard offset >= 0, offset < bytes.count else { return [] }
        var end = offset
        while end < bytes.count, bytes[end] != 0x0A { end += 1 }
        let fields = bytes[offset..<end].split(separator: 0x20, maxSplits: 200)
        guard fields.count > 4, let count = Int(String(decoding: fields[3], as: UTF8.self), radix: 16) else { return [] }
        var words: [String] = []
        for k in 0..<count where 4 + 2 * k < fields.count {
            var word = String(decoding: fields[4 + 2 * k], as: UTF8.self)
            if word.hasSuffix(")"), let open = word.lastIndex(of: "(") { word = String(word[..<open]) }
            words.append(String(word.map { $0 == "_" || $0 == "-" ? " " : $0 }))
        }
        return words
    }

    private static func forEachLine(_ bytes: [UInt8], _ body: (ArraySlice<UInt8>) -> Void) {
        var start = 0
        while start < bytes.count {
            var end = start
            while end < bytes.count, bytes[end] != 0x0A { end += 1 }
            let line = bytes[start..<end]
            if !(line.count >= 2 && line.first == 0x20 && line.dropFirst().first == 0x20) { body(line) }
            start = end + 1
        }
    }

    private static func decimal(_ s: ArraySlice<UInt8>) -> Int? {
        var v = 0
        for b in s {
            guard b >= 0x30, b <= 0x39 else { return nil }
            v = v * 10 + Int(b - 0x30)
        }
        return s.isEmpty ? nil : v
    }
}

extension WordNet.PartOfSpeech {
    /// Distinguishes equal byte offsets in different data files.
    var hashSlot: Int {
        switch self {
        case .noun: 0
        case .verb: 1
        case .adjective: 2
        case .adverb: 3
        }
    }
}

/// A problem with an augmentation resource (a dictionary, the WordNet files), in one line.
public struct AugmentError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
