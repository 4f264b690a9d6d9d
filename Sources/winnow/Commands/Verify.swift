import ArgumentParser
import Foundation
import WinnowCore
import WinnowStore

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Re-hash every stored record and version; name anything that does not match.",
        discussion: "Exits 1 when the store is damaged.")

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        let store = try storeOptions.open()
        let report = try VerificationReport(store: store)
        if output.json {
            Format.printJSON(.object(JSONObject([
                ("ok", .bool(report.ok)), ("records_checked", .number(JSONNumber(report.recordsChecked))),
                ("versions_checked", .number(JSONNumber(report.versionsChecked))),
                ("bad_records", .array(report.badRecords.map { .object(JSONObject([
                    ("hash", .string($0.hash.hex)), ("problem", .string($0.problem)), ("used_by", .array($0.usedBy.map(JSONValue.string))),
                ])) })),
                ("bad_versions", .array(report.badVersions.map { .object(JSONObject([("version", .string($0.version)), ("problem", .string($0.problem))])) })),
                ("shard_files_checked", .number(JSONNumber(report.shardFilesChecked))),
                ("bad_shards", .array(report.badShards.map { .object(JSONObject([("path", .string($0.path)), ("version", .string($0.version)), ("problem", .string($0.problem))])) })),
            ])))
        } else {
            for b in report.badRecords {
                print("BAD record \(b.hash.hex): \(b.problem)")
                for u in b.usedBy { print("    used by \(u)") }
            }
            for b in report.badVersions { print("BAD version \(b.version): \(b.problem)") }
            for b in report.badShards { print("BAD shard \(b.path) (\(b.version)): \(b.problem)") }
            print("\(report.ok ? "ok" : "FAILED"): \(Format.count(report.recordsChecked)) records, \(Format.count(report.versionsChecked)) versions, \(Format.count(report.shardFilesChecked)) shard files checked"
                  + (report.ok ? "" : "; \(report.badRecords.count) bad records, \(report.badVersions.count) bad versions, \(report.badShards.count) bad shard files"))
        }
        if !report.ok { throw ExitCode(1) }
    }
}
