/// Errors Winnow reports to users: one readable line each, and an exit code.
///
/// Exit codes follow the CLI contract: 1 for build and data errors, 2 for usage errors
/// (invalid pipelines, bad arguments, unknown versions).
public enum WinnowError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The pipeline file has problems; each diagnostic is one line.
    case invalidPipeline(file: String, diagnostics: [Diagnostic])
    /// A usage problem: unknown version reference, bad option combination, missing file argument.
    case usage(String)
    /// The build could not complete (error budget exceeded, a stage dropped everything, I/O).
    case build(String)
    /// The store is unreadable, or verification found damage.
    case store(String)
    /// An input stream ends in the middle (a cut compressed file); readers that can keep
    /// what came before (XML dumps) catch it, others fail the build with it.
    case truncatedInput(String)

    public var description: String {
        switch self {
        case .invalidPipeline(let file, let diagnostics):
            diagnostics.map { $0.rendered(file: file) }.joined(separator: "\n")
        case .usage(let m), .build(let m), .store(let m), .truncatedInput(let m): m
        }
    }

    public var exitCode: Int32 {
        switch self {
        case .invalidPipeline, .usage: 2
        case .build, .store, .truncatedInput: 1
        }
    }
}
