import ArgumentParser
import Foundation
import WinnowCore
import WinnowStore

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Write a version's records as JSONL or CSV.")

    @Argument(help: "Version: id prefix, DATASET@N, DATASET@latest or tag.")
    var version: String

    @OptionGroup var storeOptions: StoreOptions

    @Option(name: .long, help: "Only this split.")
    var split: String?

    @Option(name: .long, help: "jsonl (default) or csv.")
    var format: String = "jsonl"

    @Option(name: [.short, .long], help: "Output file (default: standard output).")
    var output: String?

    @Flag(name: .long, help: "Write the records the build dropped instead, as JSONL with the stage, rule and detail that dropped each.")
    var dropped = false

    @Flag(name: .long, help: "JSONL only: add `_hash` (content hash), `_split` and `_source` (file:line) to every record.")
    var metadata = false

    func run() throws {
        guard let chosen = Exporter.Format(rawValue: format) else {
            throw WinnowError.usage("unknown export format `\(format)`; use jsonl or csv")
        }
        let store = try storeOptions.open()
        let v = try store.resolve(version)
        let handle: FileHandle
        if let output {
            guard FileManager.default.createFile(atPath: output, contents: nil), let h = FileHandle(forWritingAtPath: output) else {
                throw WinnowError.usage("cannot write `\(output)`")
            }
            handle = h
        } else {
            handle = FileHandle.standardOutput
        }
        var buffer: [UInt8] = []
        let sink: ([UInt8]) -> Void = { bytes in
            buffer.append(contentsOf: bytes)
            if buffer.count > 1 << 20 { handle.write(Data(buffer)); buffer.removeAll(keepingCapacity: true) }
        }
        if metadata, chosen != .jsonl || dropped {
            throw WinnowError.usage("--metadata adds fields to JSONL records; leave out --format csv and --dropped")
        }
        if dropped, chosen != .jsonl || split != nil {
            throw WinnowError.usage("--dropped writes JSONL of the whole version; leave out --format csv and --split")
        }
        let n = dropped ? try Exporter.exportDropped(store: store, version: v, write: sink)
            : try Exporter.export(store: store, version: v, split: split, format: chosen, metadata: metadata, write: sink)
        handle.write(Data(buffer))
        if let output {
            try? handle.close()
            FileHandle.standardError.write(Data("wrote \(Format.count(n)) records of \(v.name) to \(output)\n".utf8))
        }
    }
}
