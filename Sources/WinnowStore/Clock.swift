import Foundation

/// Wall-clock timestamps for `created_at` columns. Never part of any hash or id.
enum Clock {
    static func timestamp() -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: Date())
    }
}
