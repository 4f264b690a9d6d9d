import XCTest
@testable import WinnowCore

final class JSONTests: XCTestCase {
    func testParsesEscapesAndSurrogates() throws {
        let v = try JSONParser.parse(#"{"a":"x\ny\"z\u00e9\ud83d\ude00","b":[1,2.5e3,-0,true,null]}"#)
        XCTAssertEqual(v.objectValue?["a"], .string("x\ny\"zé😀"))
        XCTAssertEqual(v.objectValue?["b"]?.arrayValue?.count, 5)
    }

    func testKeepsMemberOrderAndCanonicalSortsIt() throws {
        let a = try JSONParser.parse(#"{"text":"hi","id":1,"label":"x"}"#)
        let b = try JSONParser.parse(#"{ "label" : "x", "id" : 1.0, "text" : "hi" }"#)
        XCTAssertEqual(JSONWriter.compact(a), #"{"text":"hi","id":1,"label":"x"}"#)
        XCTAssertEqual(JSONWriter.canonical(a), #"{"id":1,"label":"x","text":"hi"}"#)
        XCTAssertEqual(RecordHash(of: a), RecordHash(of: b), "member order and number spelling must not change identity")
    }

    func testCompactAndCanonicalInOnePassMatchesSeparateWriters() throws {
        let v = try JSONParser.parse(#"{"z":[3,{"b":1,"a":2}],"text":"tab\there \"q\" 中文 \u0001","n":1e2,"id":"x"}"#)
        let (compact, canonical) = JSONWriter.compactAndCanonical(v.objectValue!)
        XCTAssertEqual(compact, JSONWriter.compactBytes(v))
        XCTAssertEqual(canonical, JSONWriter.canonicalBytes(v))
        // Every shape of the fast path (keys in order, scalars only) and of its fallbacks:
        // keys out of order, a number spelled non-canonically, a nested value, a repeated key.
        for text in [#"{"id":"a","label":"x","text":"t\u00e9 \"q\""}"#, #"{"a":1,"b":true,"c":null,"d":-2}"#, "{}",
                     #"{"text":"t","id":"a"}"#, #"{"id":"a","n":1.50}"#, #"{"id":"a","n":[1,2]}"#,
                     #"{"id":"a","m":{"y":1,"x":2}}"#, #"{"a":1,"a":2}"#] {
            let v = try JSONParser.parse(text)
            let (compact, canonical) = JSONWriter.compactAndCanonical(v.objectValue!)
            XCTAssertEqual(compact, JSONWriter.compactBytes(v), text)
            XCTAssertEqual(canonical, JSONWriter.canonicalBytes(v), text)
        }
    }

    func testStringEscapingOfLongRuns() throws {
        let text = String(repeating: "abcdefgh", count: 5) + "\"\\\n\u{1}" + String(repeating: "中", count: 9)
        let written = JSONWriter.compact(.string(text))
        XCTAssertEqual(try JSONParser.parse(written), .string(text))
    }

    func testSyntaxErrorsCarryLineAndColumn() {
        XCTAssertThrowsError(try JSONParser.parse("{\n  \"a\": 1,\n  \"b\": }")) { error in
            let e = error as! JSONParser.SyntaxError
            XCTAssertEqual(e.location, SourceLocation(line: 3, column: 8))
        }
        XCTAssertThrowsError(try JSONParser.parse(#"{"text": "cut off"#))
        XCTAssertThrowsError(try JSONParser.parse("[1] 2"))
    }

    func testInvalidUTF8IsRejectedOrRepaired() throws {
        let bytes: [UInt8] = Array(#"{"t":"a"#.utf8) + [0xFF] + Array(#""}"#.utf8)
        XCTAssertThrowsError(try bytes.withUnsafeBufferPointer { try JSONParser.parse($0) })
        let repaired = try bytes.withUnsafeBufferPointer { try JSONParser.parse($0, repairInvalidUTF8: true) }
        XCTAssertEqual(repaired.objectValue?["t"], .string("a\u{FFFD}"))
    }

    /// Strings are made with `String(decoding:)`, which repairs, and compared with their input.
    /// A 4-byte sequence cut to 3 bytes repairs to one U+FFFD, also 3 bytes: it must still be
    /// found, in a plain string and in one with escapes (decoded through another buffer).
    func testInvalidUTF8IsFoundWhenTheRepairKeepsTheLength() throws {
        for prefix in ["a", #"a\n"#, #"\u00e9"#] {
            let bytes = Array(#"{"t":""#.utf8) + Array(prefix.utf8) + [0xF0, 0x9F, 0x98] + Array(#"b"}"#.utf8)
            XCTAssertThrowsError(try bytes.withUnsafeBufferPointer { try JSONParser.parse($0) }, prefix)
            let repaired = try bytes.withUnsafeBufferPointer { try JSONParser.parse($0, repairInvalidUTF8: true) }
            XCTAssertEqual(repaired.objectValue?["t"]?.stringValue?.unicodeScalars.filter { $0 == "\u{FFFD}" }.count, 1, prefix)
            XCTAssertEqual(repaired.objectValue?["t"]?.stringValue?.hasSuffix("\u{FFFD}b"), true, prefix)
        }
        // Lone surrogate escapes decode to U+FFFD; the escape is always longer than what it gives.
        XCTAssertEqual(try JSONParser.parse(#""x\ud800y\udc00z\ud83d\ude00""#), .string("x\u{FFFD}y\u{FFFD}z😀"))
        XCTAssertEqual(try JSONParser.parse(#""\ud83d\u0041""#), .string("\u{FFFD}"))
        XCTAssertThrowsError(try JSONParser.parse(#""a\qb""#))
        XCTAssertThrowsError(try JSONParser.parse(#""a\nb"#))
    }

    func testLocationsByPath() throws {
        let text = "{\n  \"stages\": [\n    { \"clean\": { \"x\": 1 } }\n  ]\n}"
        let (_, locations) = try Array(text.utf8).withUnsafeBufferPointer { try JSONParser.parseWithLocations($0) }
        XCTAssertEqual(locations["$.stages"], SourceLocation(line: 2, column: 3))
        XCTAssertEqual(locations["$.stages[0].clean.x"], SourceLocation(line: 3, column: 18))
    }

    func testBodyCodecRoundTrip() {
        let body = Array(String(repeating: "压缩 compress ", count: 100).utf8)
        for (compression, expected) in [(BodyCodec.Compression.zstd, BodyCodec.zstd), (.lz4, BodyCodec.lz4), (.none, BodyCodec.raw)] {
            let (encoding, data) = BodyCodec.encode(body, with: BodyCompressor(compression))
            XCTAssertEqual(encoding, expected, "\(compression)")
            if compression != .none { XCTAssertLessThan(data.count, body.count) }
            XCTAssertEqual(BodyCodec.decode(encoding: encoding, data: data, size: body.count), body, "\(compression)")
            XCTAssertEqual(BodyCodec.encode(Array("short".utf8), with: BodyCompressor(compression)).encoding, BodyCodec.raw)
            // A damaged or mislabelled body is refused, not returned short.
            if compression != .none {
                XCTAssertNil(BodyCodec.decode(encoding: encoding, data: Array(data.dropLast(3)), size: body.count), "\(compression)")
                XCTAssertNil(BodyCodec.decode(encoding: encoding, data: data, size: body.count + 1), "\(compression)")
            }
        }
        XCTAssertNil(BodyCodec.decode(encoding: 7, data: body, size: body.count))
    }
}
