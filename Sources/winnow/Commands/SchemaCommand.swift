import ArgumentParser
import WinnowCore

struct SchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Print the pipeline JSON Schema (the source of schemas/pipeline.schema.json).")

    func run() throws {
        print(PipelineSchema.jsonSchema, terminator: "")
    }
}
