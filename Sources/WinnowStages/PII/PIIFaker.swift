/// Format-valid surrogates derived from a keyed pseudonym: the same value and key always give
/// the same fake, a checksum-valid one where the type has a checksum.
enum PIIFaker {
    static func fake(type: String, canonical: String, seed: [UInt8]) -> String {
        var stream = DigitStream(seed)
        switch type {
        case "PHONE_CN":
            return "1" + String(3 + stream.next() % 7) + stream.digits(9)
        case "PHONE_CN_LANDLINE":
            return "0" + String(2 + stream.next() % 8) + stream.digits(1) + "-" + String(2 + stream.next() % 8) + stream.digits(7)
        case "PHONE_NUMBER":
            return "+1-555-01" + stream.digits(2)
        case "CN_ID":
            // A real date 1950-01-01 … 2004-12-31, Beijing Dongcheng region, valid check character.
            let day = (stream.next() * 1000 + stream.next() * 100 + stream.next() * 10 + stream.next()) % 20089
            let (y, m, d) = civil(fromDays: -7305 + day)
            let body = "110101" + String(format4: y) + String(format2: m) + String(format2: d) + stream.digits(3)
            return body + String(UnicodeScalar(PIIValidators.chineseIDCheck(Array(body.utf8))))
        case "CREDIT_CARD":
            let length = max(16, min(19, canonical.count))
            var digits = "62" + stream.digits(length - 3)
            for check in 0...9 where PIIValidators.luhn(Array((digits + String(check)).utf8)) {
                digits += String(check)
                break
            }
            return digits
        case "US_SSN":
            return String(format3: 100 + stream.next() * 50 % 565) + "-" + String(format2: 10 + stream.next() * 8) + "-" + String(format4: 1000 + stream.next() * 800)
        case "EMAIL":
            return "user" + stream.digits(8) + "@example.com"
        case "IBAN_CODE":
            let country = String(canonical.prefix(2))
            let bban = stream.digits(max(4, canonical.count - 4))
            let n = PIIValidators.mod97(Array((country + "00" + bban).utf8))
            return country + String(format2: 98 - n) + bban
        case "IP_ADDRESS":
            if canonical.contains(":") { return "fd00::" + stream.digits(4) }
            return "10.\(stream.next() * 25)" + ".\(stream.next() * 25).\(1 + stream.next() * 25)"
        case "MAC_ADDRESS":
            return "02:00:" + (0..<4).map { _ in stream.digits(2) }.joined(separator: ":")
        default:
            return "<\(type)>"
        }
    }

    /// Digits drawn from the pseudonym bytes (cycled if many are needed).
    struct DigitStream {
        let bytes: [UInt8]
        var position = 0
        init(_ bytes: [UInt8]) { self.bytes = bytes.isEmpty ? [0] : bytes }
        mutating func next() -> Int {
            defer { position += 1 }
            return Int(bytes[position % bytes.count] &+ UInt8(truncatingIfNeeded: position / bytes.count)) % 10
        }
        mutating func digits(_ n: Int) -> String { String((0..<n).map { _ in Character(String(next())) }) }
    }

    /// (year, month, day) of a day count since 1970-01-01 (Howard Hinnant's algorithm).
    static func civil(fromDays z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}

private extension String {
    init(format2 v: Int) { self = Self.padded(v, 2) }
    init(format3 v: Int) { self = Self.padded(v, 3) }
    init(format4 v: Int) { self = Self.padded(v, 4) }

    static func padded(_ v: Int, _ width: Int) -> String {
        let digits = "\(v)"
        return String(repeating: "0", count: Swift.max(0, width - digits.count)) + digits
    }
}
