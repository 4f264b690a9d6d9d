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
