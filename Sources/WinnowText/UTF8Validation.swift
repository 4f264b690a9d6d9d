/// Finds the first invalid UTF-8 sequence, using the standard library's UTF-8 parser.
///
/// - Returns: the byte offset of the first ill-formed sequence, or `nil` when `bytes` is valid.
public func firstInvalidUTF8Offset(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
    if isASCII(bytes) { return nil }
    // The standard library's validator is vectorised; only a failure needs the slow walk.
    if String(validating: bytes, as: UTF8.self) != nil { return nil }
    var parser = Unicode.UTF8.ForwardParser()
    var iterator = bytes.makeIterator()
    var offset = 0
    while true {
        switch parser.parseScalar(from: &iterator) {
        case .valid(let scalar): offset += scalar.count
        case .emptyInput: return nil
        case .error: return offset
        }
    }
}
