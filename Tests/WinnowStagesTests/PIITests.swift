import XCTest
import WinnowCore
@testable import WinnowStages

final class PIITests: XCTestCase {
    func testValidatorsOnTheWorkedExamples() {
        XCTAssertTrue(PIIValidators.chineseID("11010519491231002X"))
        XCTAssertTrue(PIIValidators.chineseID("11010519491231002x"))
        XCTAssertTrue(PIIValidators.chineseID("110101199003074477"))
        XCTAssertFalse(PIIValidators.chineseID("44030419900101001X"))   // S mod 11 = 0 wants 1
        XCTAssertFalse(PIIValidators.chineseID("11010519491331002X"))   // month 13
        XCTAssertFalse(PIIValidators.chineseID("99010519491231002X"))   // no province 99
        XCTAssertTrue(PIIValidators.chineseID("110105491231002"))       // legacy 15 digits
        XCTAssertTrue(PIIValidators.luhn(Array("79927398713".utf8)))
        for card in ["4111 1111 1111 1111", "5555555555554444", "378282246310005", "2221000000000009", "6200000000000005"] {
            XCTAssertTrue(PIIValidators.card(card), card)
        }
        XCTAssertFalse(PIIValidators.card("4111 1111 1111 1112"))
        XCTAssertTrue(PIIValidators.iban("GB82 WEST 1234 5698 7654 32"))
        XCTAssertTrue(PIIValidators.iban("DE89 3704 0044 0532 0130 00"))
        XCTAssertFalse(PIIValidators.iban("GB83 WEST 1234 5698 7654 32"))
        XCTAssertTrue(PIIValidators.ipv4("192.168.0.1"))
        XCTAssertFalse(PIIValidators.ipv4("192.168.010.1"))
        XCTAssertFalse(PIIValidators.ipv4("256.1.1.1"))
        XCTAssertTrue(PIIValidators.ipv6("::ffff:192.0.2.1"))
        XCTAssertTrue(PIIValidators.ipv6("fe80::1ff:fe23:4567:890a%eth0"))
        XCTAssertFalse(PIIValidators.ipv6("12:30:45"))
        XCTAssertTrue(PIIValidators.chineseMobile("+86 138-1234-5678"))
        XCTAssertTrue(PIIValidators.chineseMobile("１３８１２３４５６７８"))
        XCTAssertFalse(PIIValidators.usSSN("666-12-3456"))
    }

    func record(_ text: String) -> Record {
        Record(fields: JSONObject([("text", .string(text))]), provenance: Provenance(input: 0, line: 1, byteOffset: 0), ordinal: 0)
    }

    func stage(_ config: String) throws -> PIIStage {
        let object = try Array(config.utf8).withUnsafeBufferPointer { try JSONParser.parse($0) }.objectValue ?? JSONObject()
        return try PIIStage(index: 0, config: object, path: "$.stages[0].pii") { path, message in XCTFail("\(path): \(message)") }
    }

    func testFindingsRespectDigitRunsAndPreferTheLongestSpan() throws {
        let pii = try stage("{}")
        let context = StageContext()
        let text = "订单202401011381234567800 电话 13812345678 身份证 11010519491231002X 价格 13812345678.00 v1.2.3.4"
        let found = try pii.findings(in: text, context)
        XCTAssertEqual(found.map(\.type), ["PHONE_CN", "CN_ID"])
        var record = self.record("电话 138 1234 5678。")
        XCTAssertEqual(try pii.process(&record, context), .keep)
        XCTAssertEqual(record.text, "电话 <PHONE_CN>。")
        XCTAssertEqual(context.changes.first?.detail["start"]?.intValue, 3)
        XCTAssertEqual(context.changes.first?.detail["end"]?.intValue, 16)
    }

    func testMaskRedactAndDrop() throws {
        let context = StageContext()
        let masked = try stage(#"{"actions": {"PHONE_CN": "mask", "EMAIL": "redact"}}"#)
        var record = self.record("13812345678 a.b@example.com")
        _ = try masked.process(&record, context)
        XCTAssertEqual(record.text, "138****5678 ")
        let dropping = try stage(#"{"actions": {"CREDIT_CARD": "drop"}}"#)
        var card = self.record("card 4111 1111 1111 1111")
        if case .drop(let rule, _) = try dropping.process(&card, context) { XCTAssertEqual(rule, "pii.CREDIT_CARD") } else { XCTFail() }
        XCTAssertEqual(dropping.scrub(card.fields, context)["text"]?.stringValue, "card <CREDIT_CARD>")
    }
}

extension PIITests {
    /// The README's table of what each detector accepts is the code's own description.
    func testReadmeDescribesEveryDetector() throws {
        let readme = try String(contentsOfFile: Fixture.path("README.md"), encoding: .utf8)
        for (type, accepts) in PIIDetector.builtInDescriptions {
            XCTAssertTrue(readme.contains("| `\(type)` | \(accepts) |"), type)
        }
    }
}

extension PIITests {
    /// The text profile only skips detector scans (and parts of texts) where nothing can match:
    /// findings with it equal those of full scans, on real texts and on random strings built
    /// from the pieces every detector's boundaries and separators are made of.
    func testTextProfileSkipsOnlyWhatCannotMatch() throws {
        var texts: [String] = []
        let presidio = Fixture.sharedData + "/pii_en_presidio_synth/synth_dataset_v2.json"
        if let data = FileManager.default.contents(atPath: presidio),
           let items = try data.withUnsafeBytes({ try JSONParser.parse($0.bindMemory(to: UInt8.self)) }).arrayValue {
            texts += items.compactMap { $0.objectValue?["full_text"]?.stringValue }
        } else {
            print("skipping the presidio texts: \(presidio) not found")
        }
        let reviews = Fixture.sharedData + "/zh_online_shopping_10cats/online_shopping_10_cats.csv"
        if let csv = try? String(contentsOfFile: reviews, encoding: .utf8) {
            texts += csv.split(separator: "\n").prefix(3000).map(String.init)
        } else {
            print("skipping the Chinese reviews: \(reviews) not found")
        }
        let pieces = [
            "11010519491231002X", "11010519491231002x", "110105491231002", "身份证号：", "ID No. ", "证件号码 ",
            "4111 1111 1111 1111", "4111-1111-1111-1111", "6200000000000005", "378282246310005", "3782 822463 10005",
            "13812345678", "+86 138-1234-5678", "0086 13812345678", "８６ １３８１２３４５６７８", "＋86", "(010) 12345678",
            "021-87654321", "+1 (555) 123-4567", "555.123.4567", "+44 20 7946 0958", "123-45-6789",
            "192.168.0.1", "10.0.0.1/24", "v1.2.3.4", "1.2.3.4.5", "::1", "fe80::1ff:fe23:4567:890a%eth0", "2001:db8::8a2e:370:7334",
            "::ffff:192.0.2.1", "00:1A:2B:3C:4D:5E", "00-1a-2b-3c-4d-5e", "GB82 WEST 1234 5698 7654 32", "DE89370400440532013000",
            "a.b@example.com", "x_y+z@mail.example.org", "@", "AKIAABCDEFGHIJKLMNOP", "ghp_" + String(repeating: "a1", count: 18),
            "xoxb-1234567890-abc", "AIza" + String(repeating: "b", count: 35), "sk-" + String(repeating: "Z9", count: 12),
            "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----",
            "0", "1", "7", "9", "１", "Ｘ", "X", "x", "A", "F", "f", "_", "-", "--", ".", ",", " ", "  ", "(", ")", "+", ":", "::", "/", "%",
            "\n", "电话", "订单", "价格", "。", "，", "ab", "cd12", "sk", "gh", "AK", "2024", "12:30:45", "3.14",
        ]
        var state: UInt64 = 11
        func next() -> Int {   // splitmix64
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Int((z ^ (z >> 31)) >> 1)
        }
        for _ in 0..<20_000 {
            var s = ""
            for _ in 0..<(1 + next() % 12) { s += pieces[next() % pieces.count] }
            texts.append(s)
        }
        let profiled = try stage("{}")
        var full = profiled
        full.usesProfile = false
        XCTAssertTrue(profiled.usesProfile)
        let context = StageContext()
        var findings = 0
        for text in texts {
            let expected = try full.findings(in: text, context)
            XCTAssertEqual(try profiled.findings(in: text, context), expected, text)
            findings += expected.count
        }
        print("text profile: \(texts.count) texts, \(findings) findings, the same with and without the profile")
        XCTAssertGreaterThan(findings, 20_000)
    }
}
