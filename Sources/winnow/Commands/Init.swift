import ArgumentParser
import Foundation
import WinnowCore

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create a small working example project: a pipeline and some data.")

    @Argument(help: "Directory to create the project in.")
    var directory = "."

    @Flag(name: .long, help: "Overwrite existing files.")
    var force = false

    func run() throws {
        let fm = FileManager.default
        let pipelinePath = directory + "/pipeline.json"
        let dataPath = directory + "/data/reviews.jsonl"
        for path in [pipelinePath, dataPath] where fm.fileExists(atPath: path) && !force {
            throw WinnowError.usage("\(path) already exists; use --force to overwrite")
        }
        try fm.createDirectory(atPath: directory + "/data", withIntermediateDirectories: true)
        try ExampleProject.pipeline.write(toFile: pipelinePath, atomically: true, encoding: .utf8)
        try ExampleProject.data.write(toFile: dataPath, atomically: true, encoding: .utf8)
        print("""
        created \(pipelinePath) and \(dataPath)

        next:
          cd \(directory)
          winnow validate pipeline.json
          winnow run pipeline.json
          winnow versions
        then change the pipeline (e.g. set "min_chars": 12), run it again, and:
          winnow diff reviews@1 reviews@2
        """)
    }
}

/// The project `winnow init` writes.
enum ExampleProject {
    static let pipeline = """
    {
      "$schema": "https://winnow.dev/schemas/pipeline.schema.json",
      "dataset": "reviews",
      "description": "Product reviews in Chinese and English, cleaned and filtered.",
      "seed": 42,
      "inputs": [
        { "path": "data/*.jsonl", "fields": { "text": "review", "id": "id", "label": "rating" } }
      ],
      "stages": [
        { "clean": { "normalize": "NFKC", "whitespace": "collapse" } },
        { "regex": { "rules": [
          { "name": "urls", "pattern": "https?://\\\\S+", "replace": "<URL>" },
          { "name": "spam", "pattern": "(?i)buy now|加微信", "action": "drop" }
        ] } },
        { "filter": { "min_chars": 4 } },
        { "fields": { "map": { "label": { "1": "negative", "2": "negative", "4": "positive", "5": "positive", "3": "neutral" } } } }
      ]
    }

    """

    static let data = """
    {"id": "r1", "review": "Great  kettle, boils fast.", "rating": 5}
    {"id": "r2", "review": "质量很好，物流也快。", "rating": 5}
    {"id": "r3", "review": "Ｆｕｌｌ－ｗｉｄｔｈ text gets folded by NFKC.", "rating": 4}
    {"id": "r4", "review": "BUY NOW at http://spam.example.com !!!", "rating": 1}
    {"id": "r5", "review": "不好", "rating": 1}
    {"id": "r6", "review": "Arrived broken; see https://example.com/photo.jpg", "rating": 1}
    {"id": "r7", "review": "还行吧，价格有点贵。", "rating": 3}
    {"id": "r8", "review": "Works as described.\\u200b", "rating": 4}

    """
}
