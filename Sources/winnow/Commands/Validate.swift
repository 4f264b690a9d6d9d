import ArgumentParser
import Foundation
import WinnowCore
import WinnowStages

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check pipeline files without running them.",
        discussion: "Reports every problem at once as FILE:LINE:COLUMN: JSON-PATH: message, with a suggestion for misspelled keys and values. Checks the schema, regex syntax, encodings and that every input path matches files.")

    @Argument(help: "Pipeline files to check.")
    var files: [String]

    @Flag(name: .long, help: "Print machine-readable JSON.")
    var json = false

    func run() throws {
        var problems: [(String, Diagnostic)] = []
        var ok: [String] = []
        for file in files {
            do {
                let definition = try PipelineLoader.load(path: file)
                let compiled = try PipelineCompiler.compile(definition, file: file)
                ok.append("\(file): ok (dataset `\(definition.dataset)`, \(compiled.files.count) input file\(compiled.files.count == 1 ? "" : "s"), \(compiled.stages.count) stage\(compiled.stages.count == 1 ? "" : "s"))")
            } catch WinnowError.invalidPipeline(let f, let diagnostics) {
                problems += diagnostics.map { (f, $0) }
            }
        }
        if json {
            Format.printJSON(.object(JSONObject([
                ("valid", .bool(problems.isEmpty)),
                ("problems", .array(problems.map { f, d in .object(JSONObject([
                    ("file", .string(f)), ("path", .string(d.path)),
                    ("line", d.location.map { .number(JSONNumber($0.line)) } ?? .null),
                    ("column", d.location.map { .number(JSONNumber($0.column)) } ?? .null),
                    ("message", .string(d.message)),
                ])) })),
            ])))
        } else {
            for line in ok { print(line) }
            for (f, d) in problems { FileHandle.standardError.write(Data((d.rendered(file: f) + "\n").utf8)) }
        }
        if !problems.isEmpty { throw ExitCode(2) }
    }
}
