import WinnowCore

/// RFC 4180 CSV/TSV: quoted fields may hold delimiters, doubled quotes and newlines; the first
/// row is the header unless columns are given. A BOM before the header is removed.
///
/// Rows are read as logical records: a physical line whose quote is still open at its end is
/// joined with the next one. A row whose field count differs from the header's is handed on as
/// a failed row (quarantined with its line number), never guessed at.
final class CSVReader: RowReader {
    private let lines: LineReader
    private let input: Int
    private let delimiter: UInt8
    private let quote: UInt8
    private var header: [String]?
    /// A quoted field may not run past this many bytes (guards against a stray quote
    /// swallowing the rest of the file).
    let maxRecordBytes = 16 << 20

    init(lines: LineReader, input: Int, delimiter: UInt8, quote: UInt8, columns: [String]?) {
        self.lines = lines
        self.input = input
        self.delimiter = delimiter
        self.quote = quote
        self.header = columns
    }

    func next() throws -> RawItem? {
        while let first = try lines.next() {
            var record = first.bytes
            if first.number == 1 { stripBOM(&record) }
            if record.isEmpty && header != nil { continue }
            var parsed = parse(record)
            while parsed == nil {
                guard record.count < maxRecordBytes, let more = try lines.next() else {
                    let provenance = Provenance(input: input, line: first.number, byteOffset: first.byteOffset)
                    return RawItem(provenance: provenance, payload: .failed(
                        reason: "unterminated quoted field starting on line \(first.number)", bytes: Array(record.prefix(200))))
                }
                record.append(0x0A)
                record.append(contentsOf: more.bytes)
                parsed = parse(record)
            }
            let fields = parsed!
            let provenance = Provenance(input: input, line: first.number, byteOffset: first.byteOffset)
            guard let header else {
                header = fields.enumerated().map { k, f in
                    let name = String(decoding: f, as: UTF8.self)
                    return name.isEmpty ? "column\(k + 1)" : name
                }
                continue
            }
            if fields.count != header.count {
                return RawItem(provenance: provenance, payload: .failed(
                    reason: "row has \(fields.count) field\(fields.count == 1 ? "" : "s"), the header has \(header.count)",
                    bytes: Array(record.prefix(200))))
            }
            return RawItem(provenance: provenance, payload: .row(header: header, values: fields))
        }
        return nil
    }

    /// Splits one logical record into fields, or returns `nil` when a quote is still open.
    private func parse(_ bytes: [UInt8]) -> [[UInt8]]? {
        var fields: [[UInt8]] = []
        var field: [UInt8] = []
        var i = 0
        var quoted = false
        var atFieldStart = true
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            if quoted {
                if b == quote {
                    if i + 1 < n, bytes[i + 1] == quote { field.append(quote); i += 2; continue }
                    quoted = false; i += 1; continue
                }
                field.append(b); i += 1; continue
            }
            if b == delimiter {
                fields.append(field); field = []; atFieldStart = true; i += 1; continue
            }
            if b == quote && atFieldStart {
                quoted = true; atFieldStart = false; i += 1; continue
            }
            atFieldStart = false
            field.append(b); i += 1
        }
        if quoted { return nil }
        fields.append(field)
        return fields
    }
}
