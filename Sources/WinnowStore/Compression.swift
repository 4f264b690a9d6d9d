import CZlib

/// zlib compression of stored record bodies. Short bodies are kept raw: compression would not
/// pay for its header.
enum BodyCodec {
    static let threshold = 160

    static func encode(_ body: [UInt8]) -> (encoding: Int, data: [UInt8]) {
        guard body.count >= threshold else { return (0, body) }
        var capacity = compressBound(uLong(body.count))
        var out = [UInt8](repeating: 0, count: Int(capacity))
        let rc = out.withUnsafeMutableBufferPointer { o in
            body.withUnsafeBufferPointer { i in compress2(o.baseAddress, &capacity, i.baseAddress, uLong(i.count), 6) }
        }
        guard rc == Z_OK, Int(capacity) < body.count else { return (0, body) }
        out.removeSubrange(Int(capacity)...)
        return (1, out)
    }

    static func decode(encoding: Int, data: [UInt8], size: Int) -> [UInt8]? {
        if encoding == 0 { return data }
        var length = uLong(size)
        var out = [UInt8](repeating: 0, count: max(size, 1))
        let rc = out.withUnsafeMutableBufferPointer { o in
            data.withUnsafeBufferPointer { i in uncompress(o.baseAddress, &length, i.baseAddress, uLong(i.count)) }
        }
        guard rc == Z_OK, Int(length) == size else { return nil }
        out.removeSubrange(size...)
        return out
    }
}
