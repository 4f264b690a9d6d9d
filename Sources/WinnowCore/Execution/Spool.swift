#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A temporary file holding the records that reached a barrier stage, so the barrier can see
/// them all before any continues, without keeping them in memory.
///
/// One JSON line per record (ordinal, provenance, fields, pending ledger entries). Deleted when
/// the spool is released.
final class Spool {
    let path: String
    private var file: UnsafeMutablePointer<FILE>?
    private(set) var count = 0

    init(directory: String, name: String) throws {
        path = directory + "/" + name
        guard let f = fopen(path, "w+b") else { throw WinnowError.build("cannot create spool file \(path)") }
        file = f
    }

    deinit {
        if let file { fclose(file) }
        unlink(path)
    }

    func append(_ item: WorkItem) throws {
        var o = JSONObject()
        o["o"] = .number(JSONNumber(item.record.ordinal))
        o["i"] = .number(JSONNumber(item.record.provenance.input))
        o["l"] = .number(JSONNumber(item.record.provenance.line))
        o["b"] = .number(JSONNumber(item.record.provenance.byteOffset))
        o["r"] = .object(item.record.fields)
        if let split = item.record.split { o["s"] = .string(split) }
        if !item.pending.isEmpty { o["p"] = .array(item.pending.map(\.spoolJSON)) }
        var bytes = JSONWriter.compactBytes(.object(o))
        bytes.append(0x0A)
        let written = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
        guard written == bytes.count else { throw WinnowError.build("cannot write spool file \(path) (disk full?)") }
        count += 1
    }

    /// Switches from writing to reading from the start.
    func rewind() throws {
        guard fflush(file) == 0 else { throw WinnowError.build("cannot flush spool file \(path)") }
        Glibc.rewind(file)
    }

    func read(maxCount: Int) throws -> [WorkItem]? {
        var items: [WorkItem] = []
        var line: UnsafeMutablePointer<CChar>?
        var capacity = 0
        defer { free(line) }
        while items.count < maxCount {
            let n = getline(&line, &capacity, file)
            if n <= 0 { break }
            let bytes = UnsafeBufferPointer(start: UnsafeRawPointer(line!).assumingMemoryBound(to: UInt8.self), count: n - 1)
            let value: JSONValue
            do { value = try JSONParser.parse(bytes) } catch { throw WinnowError.build("corrupt spool file \(path): \(error)") }
            guard let o = value.objectValue, let fields = o["r"]?.objectValue else { throw WinnowError.build("corrupt spool file \(path)") }
            let provenance = Provenance(input: o["i"]?.intValue ?? 0, line: o["l"]?.intValue ?? 0, byteOffset: o["b"]?.intValue ?? 0)
            let record = Record(fields: fields, provenance: provenance, ordinal: o["o"]?.intValue ?? 0, split: o["s"]?.stringValue)
            let pending = (o["p"]?.arrayValue ?? []).compactMap { LedgerEntry(spoolJSON: $0, provenance: provenance, ordinal: record.ordinal) }
            items.append(WorkItem(record: record, pending: pending))
        }
        return items.isEmpty ? nil : items
    }
}

/// A record in flight, with the ledger entries that wait for its final hash.
struct WorkItem: Sendable {
    var record: Record
    var pending: [LedgerEntry]
}

extension LedgerEntry {
    var spoolJSON: JSONValue {
        .object(JSONObject([
            ("s", .number(JSONNumber(stageIndex))), ("n", .string(stage)), ("r", .string(rule)),
            ("a", .string(action.rawValue)), ("d", .object(detail)),
        ]))
    }

    init?(spoolJSON: JSONValue, provenance: Provenance, ordinal: Int) {
        guard let o = spoolJSON.objectValue, let stage = o["n"]?.stringValue, let rule = o["r"]?.stringValue,
              let action = o["a"]?.stringValue.flatMap(Action.init(rawValue:)) else { return nil }
        self.init(ordinal: ordinal, provenance: provenance, stageIndex: o["s"]?.intValue ?? 0, stage: stage,
                  rule: rule, action: action, detail: o["d"]?.objectValue ?? JSONObject())
    }
}
