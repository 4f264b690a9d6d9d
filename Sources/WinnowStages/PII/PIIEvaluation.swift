import WinnowCore

/// Precision and recall of the PII detectors against span-labelled text (`winnow pii-eval`).
public enum PIIEvaluation {
    /// A labelled span, in Unicode scalars (end exclusive).
    public struct Span: Sendable, Equatable {
        public var type: String
        public var start: Int
        public var end: Int
        public init(type: String, start: Int, end: Int) {
            self.type = type
            self.start = start
            self.end = end
        }
    }

    public struct Document: Sendable {
        public var text: String
        public var spans: [Span]
        public init(text: String, spans: [Span]) {
            self.text = text
            self.spans = spans
        }
    }

    /// Winnow type -> the name the labels use, where they differ by default.
    public static let defaultNames = [
        "EMAIL": "EMAIL_ADDRESS", "PHONE_CN": "PHONE_NUMBER", "PHONE_CN_LANDLINE": "PHONE_NUMBER",
    ]

    /// Per labelled type: a finding of a type mapped to it that overlaps a labelled span is a true
    /// positive; labelled spans nobody overlaps are misses; findings overlapping no label of
    /// their mapped type are false positives. Only types that occur in the labels are scored.
    public static func score(_ documents: [Document], stage: PIIStage,
                             names: [String: String]) throws -> [String: DedupEvaluation.Score] {
        let context = StageContext()
        let labelled = Set(documents.flatMap { $0.spans.map(\.type) })
        var scores: [String: DedupEvaluation.Score] = [:]
        for doc in documents {
            let bytes = Array(doc.text.utf8)
            var scalarAt = [Int](repeating: 0, count: bytes.count + 1)
            var n = 0
            for (i, b) in bytes.enumerated() {
                scalarAt[i] = n
                if b & 0xC0 != 0x80 { n += 1 }
            }
            scalarAt[bytes.count] = n
            let found = try stage.findings(in: doc.text, context).map { f in
                Span(type: names[f.type] ?? defaultNames[f.type] ?? f.type, start: scalarAt[f.range.lowerBound], end: scalarAt[f.range.upperBound])
            }
            for gold in doc.spans {
                let hit = found.contains { $0.type == gold.type && $0.start < gold.end && gold.start < $0.end }
                scores[gold.type, default: .init()].add(predicted: hit, actual: true)
            }
            for f in found where labelled.contains(f.type) {
                if !doc.spans.contains(where: { $0.type == f.type && f.start < $0.end && $0.start < f.end }) {
                    scores[f.type, default: .init()].add(predicted: true, actual: false)
                }
            }
        }
        return scores
    }
}
