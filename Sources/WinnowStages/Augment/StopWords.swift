/// Function words that synonym operations leave alone: replacing "the" or 的 changes grammar,
/// not wording. English: the usual closed-class words (articles, pronouns, auxiliaries,
/// prepositions, conjunctions, negations); Chinese: particles, pronouns and the commonest
/// function words as ICU segments them.
enum StopWords {
    static let english: Set<String> = [
        "a", "about", "above", "after", "again", "against", "all", "am", "an", "and", "any", "are", "as", "at",
        "be", "because", "been", "before", "being", "below", "between", "both", "but", "by", "can", "could",
        "did", "do", "does", "doing", "down", "during", "each", "few", "for", "from", "further", "had", "has",
        "have", "having", "he", "her", "here", "hers", "herself", "him", "himself", "his", "how", "i", "if",
        "in", "into", "is", "it", "its", "itself", "just", "me", "more", "most", "my", "myself", "no", "nor",
        "not", "now", "of", "off", "on", "once", "only", "or", "other", "our", "ours", "ourselves", "out",
        "over", "own", "same", "she", "should", "so", "some", "such", "than", "that", "the", "their",
        "theirs", "them", "themselves", "then", "there", "these", "they", "this", "those", "through", "to",
        "too", "under", "until", "up", "very", "was", "we", "were", "what", "when", "where", "which", "while",
        "who", "whom", "why", "will", "with", "would", "you", "your", "yours", "yourself", "yourselves",
        "also", "may", "might", "must", "shall", "per", "via", "upon", "among", "within", "without",
        "don't", "doesn't", "didn't", "isn't", "aren't", "wasn't", "weren't", "won't", "can't", "cannot",
        "it's", "i'm", "you're", "we're", "they're", "that's", "there's",
    ]

    static let chinese: Set<String> = [
        "的", "了", "是", "在", "和", "与", "及", "也", "就", "都", "而", "着", "过", "或", "把", "被", "让",
        "给", "对", "从", "向", "跟", "但", "却", "又", "还", "才", "吗", "呢", "吧", "啊", "呀", "么", "之",
        "我", "你", "您", "他", "她", "它", "我们", "你们", "他们", "她们", "它们", "自己", "这", "那", "这个",
        "那个", "这些", "那些", "一个", "不", "没", "没有", "很", "太", "最", "更", "有", "要", "会", "能",
        "可以", "因为", "所以", "如果", "虽然", "但是", "而且", "并且",
    ]

    static let builtIn = english.union(chinese)
}
