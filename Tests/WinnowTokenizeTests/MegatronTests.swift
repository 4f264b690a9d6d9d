import XCTest
import WinnowCore
@testable import WinnowTokenize

final class MegatronTests: XCTestCase {
    /// FORMATS.md §1.1.4: two GPT-2 documents with EOD, the exact bytes megatron-core writes.
    func testWorkedExampleIsByteIdentical() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("winnow-mmidx-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let prefix = dir.appendingPathComponent("ex_text_document").path
        XCTAssertEqual(MegatronShardWriter.DType.optimal(forVocabularySize: 50_257), .uint16)
        XCTAssertEqual(MegatronShardWriter.DType.optimal(forVocabularySize: 151_646), .int32)
        let writer = try MegatronShardWriter(prefix: prefix, dtype: .uint16)
        try writer.add(document: [15496, 995, 50256])
        try writer.add(document: [40, 588, 257, 3797, 13, 50256])
        _ = try writer.finish()
        let bin = [UInt8](try Data(contentsOf: URL(fileURLWithPath: prefix + ".bin")))
        XCTAssertEqual(bin, [0x88, 0x3c, 0xe3, 0x03, 0x50, 0xc4, 0x28, 0x00, 0x4c, 0x02, 0x01, 0x01, 0xd5, 0x0e, 0x0d, 0x00, 0x50, 0xc4])
        let idx = [UInt8](try Data(contentsOf: URL(fileURLWithPath: prefix + ".idx")))
        let expected: [UInt8] = Array("MMIDIDX".utf8) + [0, 0] + [1, 0, 0, 0, 0, 0, 0, 0] + [8]
            + [2, 0, 0, 0, 0, 0, 0, 0] + [3, 0, 0, 0, 0, 0, 0, 0]
            + [3, 0, 0, 0, 6, 0, 0, 0]
            + [0, 0, 0, 0, 0, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0]
            + [0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0]
        XCTAssertEqual(idx.count, 82)
        XCTAssertEqual(idx, expected)
    }

    func testInt32ShardsAndOutOfRangeIds() throws {
        let prefix = FileManager.default.temporaryDirectory.appendingPathComponent("winnow-i32-\(UUID().uuidString)").path
        addTeardownBlock {
            for file in ["", "-u16"].flatMap({ [$0 + ".bin", $0 + ".idx"] }) { try? FileManager.default.removeItem(atPath: prefix + file) }
        }
        let writer = try MegatronShardWriter(prefix: prefix, dtype: .int32)
        try writer.add(document: [151_643, 0])
        try writer.add(document: [])
        _ = try writer.finish()
        let bin = [UInt8](try Data(contentsOf: URL(fileURLWithPath: prefix + ".bin")))
        XCTAssertEqual(bin, [0x5B, 0x50, 0x02, 0x00, 0, 0, 0, 0], "151643 = 0x0002505B, little-endian")
        let small = try MegatronShardWriter(prefix: prefix + "-u16", dtype: .uint16)
        XCTAssertThrowsError(try small.add(document: [70_000]))
    }

    func testDocumentTemplates() throws {
        let t = try DocumentTemplate("{title}\n\n{text} {{raw}}")
        XCTAssertEqual(t.fields, ["title", "text"])
        XCTAssertEqual(try t.render(JSONObject([("title", .string("A")), ("text", .string("b"))])).get(), "A\n\nb {raw}")
        XCTAssertEqual(try t.render(JSONObject([("title", .number(JSONNumber(3))), ("text", .string("b"))])).get(), "3\n\nb {raw}")
        if case .failure(let missing) = t.render(JSONObject([("text", .string("b"))])) { XCTAssertEqual(missing.name, "title") } else { XCTFail() }
        if case .failure(let missing) = t.render(JSONObject([("title", .null), ("text", .string("b"))])) { XCTAssertEqual(missing.name, "title") } else { XCTFail() }
        for bad in ["{text", "text}", "no fields", "{}"] { XCTAssertThrowsError(try DocumentTemplate(bad), bad) }
    }

    func testBOSAndEOSOnlyAroundDocumentsWithTokens() throws {
        let path = TokenizerTests.data.appendingPathComponent("deepseek/tokenizer.json").path
        guard FileManager.default.fileExists(atPath: path) else { throw XCTSkip("shared tokenizers not found at \(TokenizerTests.data.path)") }
        let tok = try Tokenizer(contentsOf: path)
        var options = ShardOptions()
        options.bos = tok.id(of: "<｜begin▁of▁sentence｜>")
        options.eos = tok.id(of: "<｜end▁of▁sentence｜>")
        let plain = try tok.makeEncoder().encode("ab")
        let encoder = tok.makeEncoder()
        XCTAssertEqual(try ShardBuilder.document(ShardDocument(text: "ab", label: nil), encoder, options), [options.bos!] + plain + [options.eos!])
        XCTAssertEqual(try ShardBuilder.document(ShardDocument(text: "", label: nil), encoder, options), [])
    }

    func testPieceCacheSlotsAreOneCacheLineAndRoundTrip() {
        XCTAssertEqual(PieceCache.slotStride, 64)
        var cache = PieceCache()
        let pieces: [[UInt8]] = [Array(" the".utf8), Array("质量很好".utf8), Array(repeating: 0x61, count: 28), Array(repeating: 0x62, count: 29)]
        for (k, piece) in pieces.enumerated() {
            piece.withUnsafeBufferPointer { p in
                let hash = PieceCache.hash(p)
                cache.insert(p, hash: hash, ids: ArraySlice((0..<Int32(k + 1)).map { $0 * 7 }))
            }
        }
        for (k, piece) in pieces.enumerated() {
            var out: [Int32] = [-1]
            let hit = piece.withUnsafeBufferPointer { cache.lookup($0, hash: PieceCache.hash($0), into: &out) }
            XCTAssertEqual(hit, k < 3, "pieces over 28 bytes are not cached")
            if hit { XCTAssertEqual(out, [-1] + (0..<Int32(k + 1)).map { $0 * 7 }) }
        }
    }

    func testPieceCacheEvictsTheLeastRecentlyUsedPieceOfASet() {
        var cache = PieceCache()
        // Hashes that differ only in low bits land in one set.
        let pieces = (0..<(PieceCache.ways + 1)).map { Array("piece\($0)".utf8) }
        let hashes = pieces.indices.map { UInt64(0xABCD) << 48 | UInt64($0) << 1 | 1 }
        func insert(_ k: Int) { pieces[k].withUnsafeBufferPointer { cache.insert($0, hash: hashes[k], ids: [Int32(k)]) } }
        func cached(_ k: Int) -> Bool {
            var out: [Int32] = []
            let hit = pieces[k].withUnsafeBufferPointer { cache.lookup($0, hash: hashes[k], into: &out) }
            if hit { XCTAssertEqual(out, [Int32(k)]) }
            return hit
        }
        for k in 0..<PieceCache.ways { insert(k) }
        XCTAssertTrue(cached(0), "the oldest piece becomes the most recently used")
        insert(PieceCache.ways)
        XCTAssertFalse(cached(1), "the least recently used piece is evicted")
        for k in [0] + Array(2...PieceCache.ways) { XCTAssertTrue(cached(k)) }
    }
}
