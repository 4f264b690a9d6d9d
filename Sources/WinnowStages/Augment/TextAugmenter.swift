import WinnowText

/// One augmentation operation with its strength, as configured.
public struct AugmentOperation: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        /// EDA SR: `alpha` × words distinct non-stop words, each replaced everywhere by a synonym.
        case synonymReplacement = "synonym_replacement"
        /// EDA RI: a synonym of a random word inserted at a random word position, `alpha` × words times.
        case randomInsertion = "random_insertion"
        /// EDA RS: two random words swapped, `alpha` × words times.
        case randomSwap = "random_swap"
        /// EDA RD: each word deleted with probability `alpha` (never all).
        case randomDeletion = "random_deletion"
        /// Two adjacent Chinese/Japanese/Korean characters swapped, `alpha` × such characters times.
        case charSwap = "char_swap"
        /// Each Chinese/Japanese/Korean character deleted with probability `alpha` (never all).
        case charDeletion = "char_deletion"
        /// Numbers rewritten: Arabic digits to Chinese numerals, or back.
        case digits

        /// Whether the operation needs a synonym source.
        var needsSynonyms: Bool { self == .synonymReplacement || self == .randomInsertion }
    }

    public enum DigitDirection: String, Sendable, CaseIterable {
        case toChinese = "to_chinese", toArabic = "to_arabic", both
    }

    public var kind: Kind
    /// Chance that a child gets this operation.
    public var probability: Double
    /// Share of words (or characters) changed.
    public var alpha: Double
    public var direction: DigitDirection

    public init(kind: Kind, probability: Double = 1, alpha: Double = 0.1, direction: DigitDirection = .both) {
        self.kind = kind
        self.probability = probability
        self.alpha = alpha
        self.direction = direction
    }
}

/// Applies augmentation operations to text, word by word where words matter.
///
/// Works on ICU word segments (dictionary-based for Chinese), not on a cleaned-up copy: unlike
/// EDA's reference code, which lower-cases the text and throws away punctuation and digits,
/// every byte that an operation does not touch comes out as it went in, and a replacement
/// takes the capitalization of the word it replaces. Words are separated by a space when
/// inserted into alphabetic text and joined directly in Chinese. One augmenter per thread.
final class TextAugmenter {
    private let segmenter: WordSegmenter
    private let synonyms: (any SynonymSource)?
    private let stopWords: Set<String>

    init(synonyms: (any SynonymSource)?, stopWords: Set<String>) throws {
        segmenter = try WordSegmenter()
        self.synonyms = synonyms
        self.stopWords = stopWords
    }

    private struct Piece {
        var text: String
        var isWord: Bool
        var isSpace: Bool { !text.isEmpty && text.allSatisfy(\.isWhitespace) }
    }

    /// `text` after `operation`, and what changed (empty when nothing did).
    func apply(_ operation: AugmentOperation, to text: String, _ random: inout SeededRandom) throws -> (String, [String]) {
        switch operation.kind {
        case .synonymReplacement: return try replaceSynonyms(text, operation.alpha, &random)
        case .randomInsertion: return try insertSynonyms(text, operation.alpha, &random)
        case .randomSwap: return try swapWords(text, operation.alpha, &random)
        case .randomDeletion: return try deleteWords(text, operation.alpha, &random)
        case .charSwap: return swapCharacters(text, operation.alpha, &random)
        case .charDeletion: return deleteCharacters(text, operation.alpha, &random)
        case .digits:
            switch operation.direction {
            case .toChinese: return ChineseNumerals.toChinese(text)
            case .toArabic: return ChineseNumerals.toArabic(text)
            case .both:
                let forward = ChineseNumerals.toChinese(text)
                return forward.1.isEmpty ? ChineseNumerals.toArabic(text) : forward
            }
        }
    }

    private func pieces(_ text: String) throws -> [Piece] {
        try segmenter.segments(text).map { Piece(text: $0.text, isWord: $0.isWord) }
    }

    private static func joined(_ pieces: [Piece]) -> String { pieces.map(\.text).joined() }

    /// How many words an operation with strength `alpha` changes: EDA's max(1, ⌊alpha·n⌋).
    private static func count(_ alpha: Double, _ words: Int) -> Int { max(1, Int(alpha * Double(words))) }

    /// A word a synonym may replace or be inserted for: letters only, not a stop word and, in
    /// alphabetic text, at least two letters, not an acronym (EUR) and not a capitalized word
    /// after the first (Componenta): names do not have synonyms.
    private func eligible(_ p: Piece, first: Bool) -> Bool {
        guard p.isWord, p.text.allSatisfy({ $0.isLetter || $0 == "'" || $0 == "-" }),
              !stopWords.contains(p.text.lowercased()) else { return false }
        if Self.isCJK(p.text) { return true }
        let letters = p.text.filter(\.isLetter)
        if letters.count < 2 || letters.allSatisfy(\.isUppercase) { return false }
        return first || p.text.first?.isUppercase != true
    }

    /// Indices of the word pieces a synonym may replace.
    private func eligibleWords(_ ps: [Piece]) -> [Int] {
        let first = ps.firstIndex(where: \.isWord)
        return ps.indices.filter { eligible(ps[$0], first: $0 == first) }
    }

    private func replaceSynonyms(_ text: String, _ alpha: Double, _ random: inout SeededRandom) throws -> (String, [String]) {
        guard let synonyms else { return (text, []) }
        var ps = try pieces(text)
        var candidates: [String] = []
        var positions: [String: [Int]] = [:]
        for k in eligibleWords(ps) {
            let key = ps[k].text.lowercased()
            if positions[key] == nil { candidates.append(key) }
            positions[key, default: []].append(k)
        }
        random.shuffle(&candidates)
        let target = TextAugmenter.count(alpha, ps.filter(\.isWord).count)
        var changes: [String] = []
        for word in candidates where changes.count < target {
            let options = synonyms.synonyms(of: word)
            guard !options.isEmpty else { continue }
            let choice = options[random.below(options.count)]
            for k in positions[word] ?? [] {
                ps[k].text = TextAugmenter.matchCase(choice, to: ps[k].text)
            }
            changes.append("\(word)→\(choice)")
        }
        return (TextAugmenter.joined(ps), changes)
    }

    private func insertSynonyms(_ text: String, _ alpha: Double, _ random: inout SeededRandom) throws -> (String, [String]) {
        guard let synonyms else { return (text, []) }
        var ps = try pieces(text)
        let words = ps.indices.filter { ps[$0].isWord }
        // The words synonyms come from, taken before any insertion shifts the pieces.
        let sources = eligibleWords(ps).map { ps[$0].text }
        guard !sources.isEmpty else { return (text, []) }
        var changes: [String] = []
        for _ in 0..<TextAugmenter.count(alpha, words.count) {
            var synonym: String?
            for _ in 0..<10 {
                let options = synonyms.synonyms(of: sources[random.below(sources.count)])
                if !options.isEmpty { synonym = options[random.below(options.count)]; break }
            }
            guard let synonym else { continue }
            let currentWords = ps.indices.filter { ps[$0].isWord }
            let slot = random.below(currentWords.count + 1)
            let spaced = !Self.isCJK(synonym)
            if slot < currentWords.count {
                let at = currentWords[slot]
                let neighbourCJK = Self.isCJK(ps[at].text)
                let piece = Piece(text: synonym, isWord: true)
                ps.insert(contentsOf: spaced && !neighbourCJK ? [piece, Piece(text: " ", isWord: false)] : [piece], at: at)
            } else {
                let after = (currentWords.last ?? ps.count - 1) + 1
                let neighbourCJK = currentWords.last.map { Self.isCJK(ps[$0].text) } ?? false
                let piece = Piece(text: synonym, isWord: true)
                ps.insert(contentsOf: spaced && !neighbourCJK ? [Piece(text: " ", isWord: false), piece] : [piece], at: after)
            }
            changes.append("+\(synonym)")
        }
        return (TextAugmenter.joined(ps), changes)
    }

    private func swapWords(_ text: String, _ alpha: Double, _ random: inout SeededRandom) throws -> (String, [String]) {
        var ps = try pieces(text)
        let words = ps.indices.filter { ps[$0].isWord }
        guard words.count >= 2 else { return (text, []) }
        let startsCapitalized = ps[words[0]].text.first?.isUppercase == true
        var changes: [String] = []
        for _ in 0..<TextAugmenter.count(alpha, words.count) {
            let a = random.below(words.count)
            var b = a
            for _ in 0..<4 where b == a { b = random.below(words.count) }
            guard a != b, ps[words[a]].text != ps[words[b]].text else { continue }
            changes.append("\(ps[words[a]].text)↔\(ps[words[b]].text)")
            let t = ps[words[a]].text
            ps[words[a]].text = ps[words[b]].text
            ps[words[b]].text = t
        }
        fixSentenceStart(&ps, words: words, wasCapitalized: startsCapitalized)
        return (TextAugmenter.joined(ps), changes)
    }

    private func deleteWords(_ text: String, _ alpha: Double, _ random: inout SeededRandom) throws -> (String, [String]) {
        var ps = try pieces(text)
        let words = ps.indices.filter { ps[$0].isWord }
        guard words.count >= 2 else { return (text, []) }
        let startsCapitalized = ps[words[0]].text.first?.isUppercase == true
        var doomed = words.filter { _ in random.chance(alpha) }
        if doomed.count == words.count { doomed.remove(at: random.below(doomed.count)) }
        let changes = doomed.map { "-\(ps[$0].text)" }
        for k in doomed.reversed() {
            ps.remove(at: k)
            // Keep one space between the neighbours, none at either end or before punctuation.
            if k > 0, ps[k - 1].isSpace, k == ps.count || !ps[k].isWord {
                ps.remove(at: k - 1)
            } else if k == 0, !ps.isEmpty, ps[0].isSpace {
                ps.remove(at: 0)
            }
        }
        let remaining = ps.indices.filter { ps[$0].isWord }
        fixSentenceStart(&ps, words: remaining, wasCapitalized: startsCapitalized)
        return (TextAugmenter.joined(ps), changes)
    }

    /// After words moved, the first word starts with a capital again if the text did, and a
    /// capitalized stop word that left the front ("The") is lower-cased.
    private func fixSentenceStart(_ ps: inout [Piece], words: [Int], wasCapitalized: Bool) {
        guard wasCapitalized, let first = words.first else { return }
        if ps[first].text.first?.isLowercase == true { ps[first].text = TextAugmenter.capitalized(ps[first].text) }
        for k in words.dropFirst() where stopWords.contains(ps[k].text.lowercased()) && ps[k].text != "I"
            && ps[k].text.first?.isUppercase == true && ps[k].text.dropFirst().allSatisfy({ !$0.isUppercase }) {
            ps[k].text = ps[k].text.lowercased()
        }
    }

    private func swapCharacters(_ text: String, _ alpha: Double, _ random: inout SeededRandom) -> (String, [String]) {
        var chars = Array(text)
        let cjk = chars.indices.filter { Self.isCJK(chars[$0]) }
        let pairs = chars.indices.dropLast().filter { Self.isCJK(chars[$0]) && Self.isCJK(chars[$0 + 1]) && chars[$0] != chars[$0 + 1] }
        guard !pairs.isEmpty else { return (text, []) }
        var changes: [String] = []
        for _ in 0..<TextAugmenter.count(alpha, cjk.count) {
            let i = pairs[random.below(pairs.count)]
            changes.append("\(chars[i])\(chars[i + 1])→\(chars[i + 1])\(chars[i])")
            chars.swapAt(i, i + 1)
        }
        return (String(chars), changes)
    }

    private func deleteCharacters(_ text: String, _ alpha: Double, _ random: inout SeededRandom) -> (String, [String]) {
        var chars = Array(text)
        let cjk = chars.indices.filter { Self.isCJK(chars[$0]) }
        guard cjk.count >= 2 else { return (text, []) }
        var doomed = cjk.filter { _ in random.chance(alpha) }
        if doomed.isEmpty { doomed = [cjk[random.below(cjk.count)]] }
        if doomed.count == cjk.count { doomed.remove(at: random.below(doomed.count)) }
        let changes = doomed.map { "-\(chars[$0])" }
        for k in doomed.reversed() { chars.remove(at: k) }
        return (String(chars), changes)
    }

    static func isCJK(_ c: Character) -> Bool { c.unicodeScalars.first.map { Shingler.isCJK($0.value) } ?? false }
    static func isCJK(_ s: String) -> Bool { s.first.map { isCJK($0) } ?? false }

    /// `word` with the capitalization pattern of `model`: all caps, first capital, or as it is.
    static func matchCase(_ word: String, to model: String) -> String {
        let letters = model.filter(\.isLetter)
        if letters.count > 1, letters.allSatisfy(\.isUppercase) { return word.uppercased() }
        if model.first?.isUppercase == true { return capitalized(word) }
        return word
    }

    static func capitalized(_ word: String) -> String {
        guard let first = word.first else { return word }
        return first.uppercased() + word.dropFirst()
    }
}
