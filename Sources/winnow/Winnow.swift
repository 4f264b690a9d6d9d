import ArgumentParser
import Foundation
import WinnowCore
internal import CMemoryHints

/// The `winnow` command. Each subcommand parses flags, calls the library and prints.
@main
struct Winnow: ParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "winnow",
        abstract: "Turn raw text into versioned, training-ready datasets.",
        discussion: """
        A JSON pipeline streams records from inputs through stages into a content-addressed store;
        every build is a version you can list, show, diff, export, explain and verify.
        Versions are named by id prefix, DATASET@N, DATASET@latest or a tag.
        """,
        version: version,
        subcommands: [Init.self, Validate.self, Run.self, Versions.self, Show.self, Diff.self, Export.self,
                      Why.self, Verify.self, Tag.self, Tokenize.self, Extract.self, DedupEval.self, PIIEval.self, SchemaCommand.self, Bench.self]
    )

    static func main() {
        keepFreedMemoryForReuse()
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let error as WinnowError {
            FileHandle.standardError.write(Data(("error: " + error.description.replacingOccurrences(of: "\n", with: "\nerror: ") + "\n").utf8))
            Foundation.exit(error.exitCode)
        } catch let exit as ExitCode {
            Foundation.exit(exit.rawValue)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
            Foundation.exit(code == .validationFailure ? 2 : code.rawValue)
        }
    }
}

/// Tells glibc's allocator to keep freed memory for the next batch instead of handing it back to
/// the kernel. By default, a freed block over 128 KiB (a batch's output buffer, a long record)
/// is unmapped, or the top of the heap trimmed, and the next batch faults the same pages in again
/// and has them zeroed: 5% of a PII run went to page faults. With these limits the process keeps
/// up to 64 MiB of free heap; peak memory still does not grow with the corpus (about 15 MB more
/// on the benchmark runs).
func keepFreedMemoryForReuse() {
    winnow_keep_freed_memory(32 << 20, 64 << 20)
}

/// `--store`, shared by the commands that read a store.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: "Store directory (default: $WINNOW_STORE, else the nearest .winnow/ in this or a parent directory).")
    var store: String?

    func open() throws -> Store {
        try Store(directory: try StoreLocator.locate(explicit: store), create: false)
    }
}

/// Output format flag shared by the read commands.
struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print machine-readable JSON.")
    var json = false
}

import WinnowStore
