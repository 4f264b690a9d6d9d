@_implementationOnly import CICU

/// A Unicode normalization form, as named in pipeline files.
public enum NormalizationForm: String, Sendable, CaseIterable {
    case nfc = "NFC"
    case nfkc = "NFKC"
    case nfkcCasefold = "NFKC_Casefold"
}

/// Normalizes text with ICU's `Normalizer2`.
///
/// ICU's normalizer instances are immutable singletons and safe to share between threads, so one
/// `UnicodeNormalizer` serves every worker. ASCII text is left alone without calling ICU: it is
/// invariant under NFC and NFKC, which makes the common English case nearly free.
public struct UnicodeNormalizer: @unchecked Sendable {
    public let form: NormalizationForm
    private let instance: OpaquePointer

    public init(_ form: NormalizationForm) throws {
        var status = U_ZERO_ERROR
        let pointer: OpaquePointer? = switch form {
        case .nfc: winnow_nfc(&status)
        case .nfkc: winnow_nfkc(&status)
        case .nfkcCasefold: winnow_nfkc_casefold(&status)
        }
        guard let pointer, !failed(status) else { throw TextError.icu("loading \(form.rawValue) data", status) }
        self.form = form
        self.instance = pointer
    }

    /// Returns the normalized text, or `nil` when the text is already normalized.
    public func normalize(_ text: String) throws -> String? {
        var text = text
        let ascii = text.withUTF8 { isASCII($0) }
        if ascii {
            guard form == .nfkcCasefold, text.utf8.contains(where: { $0 >= 0x41 && $0 <= 0x5A }) else { return nil }
            return text.lowercased()
        }
        let utf16 = try text.withUTF8 { buf throws in try UTF16Conversion.toUTF16(buf) }
        return try utf16.withUnsafeBufferPointer { src throws -> String? in
            var status = U_ZERO_ERROR
            if winnow_unorm2_is_normalized(instance, src.baseAddress, Int32(src.count), &status) != 0,
               !failed(status) {
                return nil
            }
            status = U_ZERO_ERROR
            // NFKC can expand (e.g. U+FDFA to 18 units); retry once with the exact size if needed.
            var capacity = src.count * 2 + 16
            for _ in 0..<2 {
                var out = [UInt16](repeating: 0, count: capacity)
                status = U_ZERO_ERROR
                let length = out.withUnsafeMutableBufferPointer { dst in
                    winnow_unorm2_normalize(instance, src.baseAddress, Int32(src.count),
                                            dst.baseAddress, Int32(dst.count), &status)
                }
                if status == U_BUFFER_OVERFLOW_ERROR { capacity = Int(length); continue }
                if failed(status) { throw TextError.icu("\(form.rawValue) normalization", status) }
                let normalized = try out.withUnsafeBufferPointer { buf throws in
                    try UTF16Conversion.toString(UnsafeBufferPointer(rebasing: buf[..<Int(length)]))
                }
                // Byte comparison: String `==` is canonical equivalence and would call NFC changes "equal".
                return normalized.hasSameUTF8(as: text) ? nil : normalized
            }
            throw TextError.icu("\(form.rawValue) normalization", status)
        }
    }
}

/// Full Unicode case folding (ICU `u_strFoldCase`), for pipelines that fold case without NFKC.
public func foldCase(_ text: String) throws -> String? {
    var text = text
    if text.withUTF8({ isASCII($0) }) {
        guard text.utf8.contains(where: { $0 >= 0x41 && $0 <= 0x5A }) else { return nil }
        return text.lowercased()
    }
    let utf16 = try text.withUTF8 { buf throws in try UTF16Conversion.toUTF16(buf) }
    return try utf16.withUnsafeBufferPointer { src throws -> String? in
        var capacity = src.count + 16
        for _ in 0..<2 {
            var out = [UInt16](repeating: 0, count: capacity)
            var status = U_ZERO_ERROR
            let length = out.withUnsafeMutableBufferPointer { dst in
                winnow_u_strFoldCase(dst.baseAddress, Int32(dst.count), src.baseAddress, Int32(src.count), &status)
            }
            if status == U_BUFFER_OVERFLOW_ERROR { capacity = Int(length); continue }
            if failed(status) { throw TextError.icu("case folding", status) }
            let folded = try out.withUnsafeBufferPointer { buf throws in
                try UTF16Conversion.toString(UnsafeBufferPointer(rebasing: buf[..<Int(length)]))
            }
            return folded.hasSameUTF8(as: text) ? nil : folded
        }
        throw TextError("case folding: buffer sizing failed")
    }
}

/// True when every byte is below 0x80. Written over 8-byte words so the common ASCII case costs
/// about one load per eight bytes.
@inlinable
public func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    guard let base = bytes.baseAddress else { return true }
    let count = bytes.count
    var i = 0
    let raw = UnsafeRawPointer(base)
    while i + 8 <= count {
        if raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { return false }
        i += 8
    }
    while i < count {
        if base[i] >= 0x80 { return false }
        i += 1
    }
    return true
}
