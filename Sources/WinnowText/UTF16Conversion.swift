@_implementationOnly import CICU

/// UTF-8 <-> UTF-16 transcoding through ICU, for the few ICU services (normalization, case
/// folding) that only take UTF-16. Hot loops stay on UTF-8 everywhere else.
enum UTF16Conversion {
    static func toUTF16(_ utf8: UnsafeBufferPointer<UInt8>) throws -> [UInt16] {
        var status = U_ZERO_ERROR
        var length: Int32 = 0
        let count = Int32(utf8.count)
        let base = UnsafeRawPointer(utf8.baseAddress)?.assumingMemoryBound(to: CChar.self)
        // Every UTF-8 byte yields at most one UTF-16 unit, so this capacity always suffices.
        var out = [UInt16](repeating: 0, count: max(utf8.count, 1))
        out.withUnsafeMutableBufferPointer { buf in
            _ = winnow_u_strFromUTF8(buf.baseAddress, Int32(buf.count), &length, base, count, &status)
        }
        if failed(status) { throw TextError.icu("UTF-8 to UTF-16", status) }
        out.removeSubrange(Int(length)...)
        return out
    }

    static func toString(_ utf16: UnsafeBufferPointer<UInt16>) throws -> String {
        var status = U_ZERO_ERROR
        var length: Int32 = 0
        // One UTF-16 unit becomes at most three UTF-8 bytes.
        let capacity = utf16.count * 3
        let result = String(unsafeUninitializedCapacity: max(capacity, 1)) { buf in
            buf.withMemoryRebound(to: CChar.self) { chars in
                _ = winnow_u_strToUTF8(chars.baseAddress, Int32(chars.count), &length,
                                       utf16.baseAddress, Int32(utf16.count), &status)
            }
            return failed(status) ? 0 : Int(length)
        }
        if failed(status) { throw TextError.icu("UTF-16 to UTF-8", status) }
        return result
    }

    /// Appends the UTF-8 form of `utf16` to `out`.
    static func appendUTF8(_ utf16: UnsafeBufferPointer<UInt16>, to out: inout [UInt8]) throws {
        var status = U_ZERO_ERROR
        var length: Int32 = 0
        let start = out.count
        // One UTF-16 unit becomes at most three UTF-8 bytes.
        out.append(contentsOf: repeatElement(0, count: max(utf16.count * 3, 1)))
        out.withUnsafeMutableBufferPointer { buf in
            let dst = UnsafeMutableRawPointer(buf.baseAddress! + start).assumingMemoryBound(to: CChar.self)
            _ = winnow_u_strToUTF8(dst, Int32(buf.count - start), &length, utf16.baseAddress, Int32(utf16.count), &status)
        }
        if failed(status) { throw TextError.icu("UTF-16 to UTF-8", status) }
        out.removeLast(out.count - start - Int(length))
    }
}
