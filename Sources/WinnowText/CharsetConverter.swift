@_implementationOnly import CICU

/// Streams bytes in a declared charset to UTF-8 through ICU converters.
///
/// Decoding is strict: an unmappable or malformed byte sequence throws (with the byte offset)
/// rather than silently becoming U+FFFD, so the reader can quarantine or replace it as the
/// pipeline says. Chunks may split multi-byte sequences; the converter keeps the state.
public final class CharsetConverter {
    /// ICU's canonical name for the charset (e.g. `ISO-8859-1`, `gb18030`).
    public let canonicalName: String
    private let source: OpaquePointer
    private let target: OpaquePointer
    private var pivot = [UInt16](repeating: 0, count: 4096)
    private var pivotSourceIndex = 0
    private var pivotTargetIndex = 0
    private var consumed = 0
    private var started = false

    /// Opens a converter for `name`; throws for a name ICU does not know. With `strict: false`
    /// malformed input becomes U+FFFD instead of an error.
    public init(charset name: String, strict: Bool = true) throws {
        var status = U_ZERO_ERROR
        guard let src = winnow_ucnv_open(name, &status), !failed(status) else {
            throw TextError("unknown encoding `\(name)`")
        }
        if strict { winnow_ucnv_setToUCallBack_stop(src, &status) }
        guard let dst = winnow_ucnv_open("UTF-8", &status), !failed(status) else {
            winnow_ucnv_close(src)
            throw TextError.icu("opening UTF-8 converter", status)
        }
        source = src
        target = dst
        canonicalName = winnow_ucnv_getName(src, &status).map { String(cString: $0) } ?? name
    }

    deinit {
        winnow_ucnv_close(source)
        winnow_ucnv_close(target)
    }

    /// Whether ICU knows a charset by this name.
    public static func isKnown(_ name: String) -> Bool {
        (try? CharsetConverter(charset: name)) != nil
    }

    /// Converts one self-contained piece (a row), starting from a clean converter state.
    public func convertWhole(_ bytes: UnsafeBufferPointer<UInt8>) throws -> [UInt8] {
        started = false
        pivotSourceIndex = 0
        pivotTargetIndex = 0
        consumed = 0
        return try convert(bytes, flush: true)
    }

    /// Converts one chunk; pass `flush: true` with the last chunk (which may be empty).
    public func convert(_ chunk: UnsafeBufferPointer<UInt8>, flush: Bool) throws -> [UInt8] {
        var output = [UInt8](repeating: 0, count: chunk.count * 3 + 64)
        var produced = 0
        var status = U_ZERO_ERROR
        let reset: UInt8 = started ? 0 : 1
        started = true
        var emptyByte: CChar = 0
        try withUnsafeMutablePointer(to: &emptyByte) { empty throws in
            let srcBase = UnsafeRawPointer(chunk.baseAddress).map { $0.assumingMemoryBound(to: CChar.self) } ?? UnsafePointer(empty)
            var srcPointer: UnsafePointer<CChar>? = srcBase
            let srcLimit = srcBase + chunk.count
            try pivot.withUnsafeMutableBufferPointer { pivotBuf throws in
                var pivotSource: UnsafeMutablePointer<UInt16>? = pivotBuf.baseAddress! + pivotSourceIndex
                var pivotTarget: UnsafeMutablePointer<UInt16>? = pivotBuf.baseAddress! + pivotTargetIndex
                var firstRound = true
                while true {
                    status = U_ZERO_ERROR
                    try output.withUnsafeMutableBytes { outRaw throws in
                        let outBase = outRaw.baseAddress!.assumingMemoryBound(to: CChar.self)
                        var dst: UnsafeMutablePointer<CChar>? = outBase + produced
                        winnow_ucnv_convertEx(target, source, &dst, outBase + outRaw.count,
                                              &srcPointer, srcLimit, pivotBuf.baseAddress, &pivotSource, &pivotTarget,
                                              pivotBuf.baseAddress! + pivotBuf.count,
                                              firstRound && reset == 1 ? 1 : 0, flush ? 1 : 0, &status)
                        produced = dst! - outBase
                    }
                    firstRound = false
                    if status == U_BUFFER_OVERFLOW_ERROR {
                        output.append(contentsOf: repeatElement(0, count: output.count))
                        continue
                    }
                    break
                }
                pivotSourceIndex = pivotSource! - pivotBuf.baseAddress!
                pivotTargetIndex = pivotTarget! - pivotBuf.baseAddress!
            }
            let used = srcPointer! - srcBase
            if failed(status) {
                throw TextError("bytes invalid in \(canonicalName) near byte offset \(consumed + used)")
            }
            consumed += used
        }
        output.removeSubrange(produced...)
        return output
    }
}
