@_implementationOnly import CICU

/// An error from one of the ICU-backed text kernels, with a message a user can act on.
///
/// Kernels never trap on user input: a bad pattern, an unknown charset or a regex that runs past
/// its time limit all surface as a `TextError` that the caller turns into a validation error or a
/// quarantine entry.
public struct TextError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What went wrong, in one line.
    public var message: String
    /// Set when a regex match was abandoned because it exceeded its time limit.
    public var isTimeout: Bool

    public init(_ message: String, isTimeout: Bool = false) {
        self.message = message
        self.isTimeout = isTimeout
    }

    public var description: String { message }

    static func icu(_ what: String, _ code: UErrorCode) -> TextError {
        TextError("\(what): \(String(cString: winnow_u_errorName(code)))")
    }
}

@inline(__always)
func failed(_ code: UErrorCode) -> Bool { code.rawValue > U_ZERO_ERROR.rawValue }
