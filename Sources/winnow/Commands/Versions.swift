import ArgumentParser
import Foundation
import WinnowCore
import WinnowStore

struct Versions: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the versions in the store.")

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var output: OutputOptions

    @Option(name: .long, help: "Only this dataset.")
    var dataset: String?

    func run() throws {
        let store = try storeOptions.open()
        let versions = try store.versions(dataset: dataset)
        if output.json {
            Format.printJSON(.array(versions.map { v in .object(JSONObject([
                ("version", .string(v.name)), ("id", .string(v.id)), ("created_at", .string(v.createdAt)),
                ("records", .number(JSONNumber(v.recordCount))), ("parent", v.parent.map(JSONValue.string) ?? .null),
                ("tags", .array(v.tags.map(JSONValue.string))),
            ])) }))
            return
        }
        guard !versions.isEmpty else { print("no versions yet"); return }
        print(Format.table(["version", "id", "created", "records", "quarantined", "tags"], versions.map { v in
            [v.name, v.shortID, v.createdAt, Format.count(v.recordCount),
             Format.count(v.stats["quarantined"]?.intValue ?? 0), v.tags.joined(separator: ",")]
        }))
    }
}
