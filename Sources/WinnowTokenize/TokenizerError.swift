/// Why a tokenizer file cannot be used, naming the component — never approximated.
public struct TokenizerError: Error, Sendable, CustomStringConvertible, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
