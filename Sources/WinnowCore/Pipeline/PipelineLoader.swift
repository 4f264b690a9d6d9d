import Foundation

/// Reads a pipeline file, checks it against ``PipelineSchema`` and decodes it.
///
/// Structural problems (unknown keys, wrong types, bad enum values) are all reported at once,
/// each with its JSON path, line and column. Checks that need other modules (regex syntax,
/// input files) run afterwards in `PipelineCompiler`, which reports the same way.
public enum PipelineLoader {
    public static func load(path: String) throws -> PipelineDefinition {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw WinnowError.usage("cannot read pipeline file `\(path)`: no such file")
        }
        return try load(bytes: [UInt8](data), file: path)
    }

    public static func load(bytes: [UInt8], file: String) throws -> PipelineDefinition {
        let parsed: (JSONValue, [String: SourceLocation])
        do {
            parsed = try bytes.withUnsafeBufferPointer { try JSONParser.parseWithLocations($0) }
        } catch let error as JSONParser.SyntaxError {
            throw WinnowError.invalidPipeline(file: file, diagnostics: [
                Diagnostic(path: "$", location: error.location, message: "invalid JSON: \(error.message)"),
            ])
        }
        let (json, locations) = parsed
        let diagnostics = SchemaValidator(locations: locations).validate(json, against: PipelineSchema.pipeline)
        guard diagnostics.isEmpty else { throw WinnowError.invalidPipeline(file: file, diagnostics: diagnostics) }
        let directory = URL(fileURLWithPath: file).deletingLastPathComponent().path
        return PipelineDefinition(json: json, baseDirectory: directory, locations: locations)
    }
}
