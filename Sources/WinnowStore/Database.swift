import CSQLite
import WinnowCore

/// A small, safe wrapper over the SQLite C API: one connection, prepared statements, typed
/// errors. The store uses it directly so that a build is exactly one transaction.
public final class Database {
    let handle: OpaquePointer
    public let path: String

    public init(path: String) throws {
        var db: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        guard sqlite3_open_v2(path, &db, flags, nil) == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            if let db { sqlite3_close(db) }
            throw WinnowError.store("cannot open store \(path): \(message)")
        }
        handle = db
        self.path = path
        sqlite3_busy_timeout(db, 10_000)
    }

    deinit { sqlite3_close_v2(handle) }

    var errorMessage: String { String(cString: sqlite3_errmsg(handle)) }

    public func execute(_ sql: String) throws {
        var error: UnsafeMutablePointer<CChar>?
        if sqlite3_exec(handle, sql, nil, nil, &error) != SQLITE_OK {
            let message = error.map { String(cString: $0) } ?? errorMessage
            sqlite3_free(error)
            throw WinnowError.store("store error: \(message)")
        }
    }

    public func prepare(_ sql: String) throws -> Statement {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(handle, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
            throw WinnowError.store("store error: \(errorMessage) in `\(sql)`")
        }
        return Statement(statement, database: self)
    }

    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// Convenience for single-value queries.
    public func scalarInt(_ sql: String, _ bindings: [SQLValue] = []) throws -> Int? {
        let s = try prepare(sql)
        try s.bind(bindings)
        return try s.step() ? s.isNull(0) ? nil : s.int(0) : nil
    }
}

/// A value to bind to a statement parameter.
public enum SQLValue {
    case int(Int)
    case text(String)
    case blob([UInt8])
    case null
    case double(Double)
}

/// A prepared statement. Reset and re-bound for each use; finalized on deinit.
public final class Statement {
    let handle: OpaquePointer
    unowned let database: Database

    init(_ handle: OpaquePointer, database: Database) {
        self.handle = handle
        self.database = database
    }

    deinit { sqlite3_finalize(handle) }

    public func bind(_ values: [SQLValue]) throws {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        for (k, value) in values.enumerated() {
            let i = Int32(k + 1)
            let rc: Int32
            switch value {
            case .int(let v): rc = sqlite3_bind_int64(handle, i, Int64(v))
            case .double(let v): rc = sqlite3_bind_double(handle, i, v)
            case .text(let s): rc = winnow_sqlite3_bind_text(handle, i, s, -1)
            case .blob(let b): rc = b.withUnsafeBytes { winnow_sqlite3_bind_blob(handle, i, $0.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!, Int32($0.count)) }
            case .null: rc = sqlite3_bind_null(handle, i)
            }
            guard rc == SQLITE_OK else { throw WinnowError.store("store error: \(database.errorMessage)") }
        }
    }

    /// Steps once; `true` when a row is available.
    @discardableResult
    public func step() throws -> Bool {
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw WinnowError.store("store error: \(database.errorMessage)")
        }
    }

    /// Binds, runs to completion, and resets.
    public func run(_ values: [SQLValue]) throws {
        try bind(values)
        while try step() {}
        sqlite3_reset(handle)
    }

    public func int(_ column: Int32) -> Int { Int(sqlite3_column_int64(handle, column)) }
    public func double(_ column: Int32) -> Double { sqlite3_column_double(handle, column) }
    public func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }
    public func text(_ column: Int32) -> String {
        guard let p = sqlite3_column_text(handle, column) else { return "" }
        return String(cString: p)
    }
    public func optionalText(_ column: Int32) -> String? { isNull(column) ? nil : text(column) }
    public func blob(_ column: Int32) -> [UInt8] {
        let n = Int(sqlite3_column_bytes(handle, column))
        guard n > 0, let p = sqlite3_column_blob(handle, column) else { return [] }
        return Array(UnsafeRawBufferPointer(start: p, count: n))
    }
}
