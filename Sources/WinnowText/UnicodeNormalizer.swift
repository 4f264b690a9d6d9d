@_implementationOnly import CByteScan
@_implementationOnly import CICU
@_implementationOnly import CICUUTF8

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
    /// Whether ASCII runs skip ICU (see ``normalize(_:)``); off, the whole text goes through ICU.
    /// A switch for the test that compares the two.
    public var cutsAtASCII = true
    /// Whether ICU is called through its C API on UTF-16 rather than its UTF-8 entry points; off
    /// by default, a switch for the test that compares the two.
    public var convertsToUTF16 = false

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
    ///
    /// Only the non-ASCII parts go through ICU (which works on UTF-16, so each part is converted
    /// there and back). ASCII is invariant under NFC and NFKC and only lower-cases under
    /// NFKC_Casefold, and normalization never looks across the boundary before an ASCII
    /// character: ASCII characters are starters that never combine with what precedes them. So
    /// the text is cut before ASCII characters into runs handled here and pieces for ICU; a
    /// piece starts at the ASCII character before a non-ASCII run (a combining mark composes
    /// with it) and takes in ASCII gaps shorter than 16 bytes, so text mixing scripts costs a
    /// few ICU calls, not one per character.
    public func normalize(_ text: String) throws -> String? {
        var text = text
        return try text.withUTF8 { utf8 throws -> String? in
            if isASCII(utf8) {
                guard form == .nfkcCasefold, utf8.contains(where: { $0 >= 0x41 && $0 <= 0x5A }) else { return nil }
                return String(decoding: utf8, as: UTF8.self).lowercased()
            }
            var out: [UInt8] = []
            return try normalize(utf8: utf8, into: &out) ? String(decoding: out, as: UTF8.self) : nil
        }
    }

    /// The same over UTF-8 bytes (valid UTF-8): replaces `out`'s contents with the normalized
    /// bytes and returns whether they differ from `utf8`. For callers that go on working with
    /// bytes (dedup's signer), so no `String` is made and validated, and `out` is reused.
    public func normalize(utf8: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) throws -> Bool {
        out.removeAll(keepingCapacity: true)
        out.reserveCapacity(utf8.count + utf8.count / 8 + 16)
        guard cutsAtASCII else { return try appendNormalized(utf8, to: &out) }
        guard let base = utf8.baseAddress else { return false }
        var changed = false
        let n = utf8.count
        var i = 0
        while i < n {
            // Runs are found sixteen bytes at a time (C, SSE2).
            let j = winnow_next_non_ascii(base, i, n)
            if j == n {
                changed = appendASCII(UnsafeBufferPointer(rebasing: utf8[i..<n]), to: &out) || changed
                break
            }
            let pieceStart = j > i ? j - 1 : j
            changed = appendASCII(UnsafeBufferPointer(rebasing: utf8[i..<pieceStart]), to: &out) || changed
            // The piece ends before an ASCII run of 16 bytes or more, or before the ASCII tail.
            var k = j
            while k < n {
                k = winnow_next_ascii(base, k, n)
                guard k < n else { break }
                let r = winnow_next_non_ascii(base, k, n)
                if r - k >= 16 || r == n { break }
                k = r
            }
            changed = try appendNormalized(UnsafeBufferPointer(rebasing: utf8[pieceStart..<k]), to: &out) || changed
            i = k
        }
        return changed
    }

    /// Appends an ASCII run as this form leaves it; returns whether that changed it.
    private func appendASCII(_ run: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) -> Bool {
        guard form == .nfkcCasefold else {
            out.append(contentsOf: run)
            return false
        }
        let start = out.count
        out.append(contentsOf: run)
        let upper = out.withUnsafeMutableBufferPointer { buf in
            winnow_ascii_lowercase(buf.baseAddress! + start, run.count)
        }
        return upper > 0
    }

    /// Appends ICU's normalization of `piece` (valid UTF-8); returns whether it differs. ICU's
    /// UTF-8 entry points (C++ only, wrapped in CICUUTF8) check and normalize the bytes as they
    /// are: the C API's UTF-16 conversion there and back cost as much as the normalizing.
    private func appendNormalized(_ piece: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) throws -> Bool {
        guard !convertsToUTF16, let src = piece.baseAddress, piece.count <= Int32.max / 4 else {
            return try appendNormalizedUTF16(piece, to: &out)
        }
        let chars = UnsafeRawPointer(src).assumingMemoryBound(to: CChar.self)
        var status: Int32 = 0
        let normalized = winnow_is_normalized_utf8(formCode, chars, Int32(piece.count), &status)
        if normalized == 1 {
            out.append(contentsOf: piece)
            return false
        }
        if normalized < 0 { throw TextError.icu("\(form.rawValue) normalization", UErrorCode(rawValue: status)) }
        // Into an uninitialised buffer, then appended: NFKC can expand (U+FDFA becomes 18 code
        // points), so a second try has the exact size when the first was short.
        let start = out.count
        var capacity = piece.count * 3 + 16
        for _ in 0..<2 {
            withUnsafeTemporaryAllocation(of: CChar.self, capacity: capacity) { buf in
                let length = winnow_normalize_utf8(formCode, chars, Int32(piece.count), buf.baseAddress, Int32(capacity), &status)
                if status == U_BUFFER_OVERFLOW_ERROR.rawValue { capacity = Int(length) }
                if status <= U_ZERO_ERROR.rawValue { out.append(contentsOf: UnsafeRawBufferPointer(start: buf.baseAddress, count: Int(length))) }
            }
            if status == U_BUFFER_OVERFLOW_ERROR.rawValue { continue }
            guard status <= U_ZERO_ERROR.rawValue else { break }
            // Byte comparison: String `==` is canonical equivalence and would call NFC changes "equal".
            return out.count - start != piece.count || !out[start...].elementsEqual(piece)
        }
        throw TextError.icu("\(form.rawValue) normalization", UErrorCode(rawValue: status))
    }

    /// The form's code for CICUUTF8 (0 NFC, 1 NFKC, 2 NFKC_Casefold).
    private var formCode: Int32 {
        switch form {
        case .nfc: 0
        case .nfkc: 1
        case .nfkcCasefold: 2
        }
    }

    /// The same through ICU's C API on UTF-16, for pieces too long for the UTF-8 entry points'
    /// 32-bit lengths.
    private func appendNormalizedUTF16(_ piece: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) throws -> Bool {
        let utf16 = try UTF16Conversion.toUTF16(piece)
        return try utf16.withUnsafeBufferPointer { src throws -> Bool in
            var status = U_ZERO_ERROR
            if winnow_unorm2_is_normalized(instance, src.baseAddress, Int32(src.count), &status) != 0, !failed(status) {
                out.append(contentsOf: piece)
                return false
            }
            // NFKC can expand (e.g. U+FDFA to 18 units); retry once with the exact size if needed.
            var capacity = src.count * 2 + 16
            for _ in 0..<2 {
                var normalized = [UInt16](repeating: 0, count: capacity)
                status = U_ZERO_ERROR
                let length = normalized.withUnsafeMutableBufferPointer { dst in
                    winnow_unorm2_normalize(instance, src.baseAddress, Int32(src.count),
                                            dst.baseAddress, Int32(dst.count), &status)
                }
                if status == U_BUFFER_OVERFLOW_ERROR { capacity = Int(length); continue }
                if failed(status) { throw TextError.icu("\(form.rawValue) normalization", status) }
                let start = out.count
                try normalized.withUnsafeBufferPointer { buf throws in
                    try UTF16Conversion.appendUTF8(UnsafeBufferPointer(rebasing: buf[..<Int(length)]), to: &out)
                }
                // Byte comparison: String `==` is canonical equivalence and would call NFC changes "equal".
                return out.count - start != piece.count || !out[start...].elementsEqual(piece)
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
