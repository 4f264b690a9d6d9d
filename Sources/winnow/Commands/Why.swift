import ArgumentParser
import Foundation
import WinnowCore
import WinnowStore

struct Why: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Explain a record: where it came from and every rule that dropped or changed it.",
        discussion: "RECORD is a record hash prefix (6+ hex digits, as shown by diff), FILE:LINE of an input row, or an id value.")

    @Argument(help: "Hash prefix, FILE:LINE, or id.")
    var record: String

    @Option(name: .long, help: "Only look in this version.")
    var version: String?

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        let store = try storeOptions.open()
        let scope = try version.map { try store.resolve($0) }
        let explanation = try RecordExplanation(store: store, query: record, version: scope)
        guard !explanation.appearances.isEmpty else {
            throw WinnowError.usage("no record matches `\(record)`" + (scope.map { " in \($0.name)" } ?? " in any version"))
        }
        if output.json {
            Format.printJSON(.object(JSONObject([
                ("query", .string(record)),
                ("record", explanation.body ?? .null),
                ("appearances", .array(explanation.appearances.map { a in .object(JSONObject([
                    ("version", .string(a.version.name)), ("split", a.split.map(JSONValue.string) ?? .null),
                    ("status", .string(a.split != nil ? "kept" : a.quarantine != nil ? "quarantined" : "dropped")),
                    ("hash", a.hash.map { .string($0.hex) } ?? .null), ("input", .string(a.input)), ("line", .number(JSONNumber(a.line))),
                    ("ledger", .array(a.ledger.map(JSONValue.string))), ("quarantine", a.quarantine.map(JSONValue.string) ?? .null),
                ])) })),
            ])))
            return
        }
        if let text = explanation.body?.objectValue?["text"]?.displayText { print("text: \(Format.excerpt(text, 160))") }
        if let parent = explanation.body?.objectValue?["augmented_from"]?.stringValue, let bytes = Hex.decode(parent) {
            // An augmented child: show what it was made from.
            let ops = explanation.body?.objectValue?["augmentation"]?.arrayValue?.compactMap(\.stringValue).joined(separator: ", ") ?? "?"
            let parentText = try store.body(of: RecordHash(bytes: bytes))?.objectValue?["text"]?.displayText
            print("augmented from \(parent.prefix(12)) by \(ops)" + (parentText.map { ": \(Format.excerpt($0, 160))" } ?? ""))
        }
        for a in explanation.appearances {
            let status = a.split.map { "kept in split `\($0)`" } ?? (a.quarantine != nil ? "quarantined" : "dropped")
            print("\(a.version.name): \(status)  \(a.input):\(a.line)" + (a.hash.map { "  \($0.short)" } ?? ""))
            for line in a.ledger { print("    \(line)") }
            if let q = a.quarantine { print("    \(q)") }
        }
    }
}
