import Foundation
import WinnowCore

/// Expands an input's paths, directories and globs into a sorted list of files.
///
/// Paths are relative to the pipeline file. `*`, `?` and `[...]` match within one path
/// component (POSIX `glob`); `**` matches any number of directories. A directory means every
/// file under it with a known extension. The result is sorted so builds never depend on
/// directory listing order.
enum InputResolver {
    static let knownExtensions = ["jsonl", "ndjson", "json", "csv", "tsv", "txt", "text", "html", "htm", "xhtml", "xml",
                                  "gz", "bz2", "xz", "zst"]

    static func resolve(_ pattern: String, base: String) -> [String] {
        let absolute = pattern.hasPrefix("/") ? pattern : base + "/" + pattern
        let path = (absolute as NSString).standardizingPath
        let fm = FileManager.default
        if !pattern.contains(where: { "*?[".contains($0) }) {
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDirectory) else { return [] }
            if !isDirectory.boolValue { return [path] }
            return walk(path).filter { knownExtensions.contains(($0 as NSString).pathExtension.lowercased()) }
        }
        if path.contains("**") {
            let prefix = String(path[..<path.range(of: "**")!.lowerBound])
            let root = prefix.hasSuffix("/") ? String(prefix.dropLast()) : (prefix as NSString).deletingLastPathComponent
            return walk(root).filter { fnmatch(path.replacingOccurrences(of: "**/", with: "*"), $0, 0) == 0 || fnmatch(path, $0, 0) == 0 }
        }
        var result = glob_t()
        defer { globfree(&result) }
        guard glob(path, 0, nil, &result) == 0 else { return [] }
        var paths: [String] = []
        for k in 0..<Int(result.gl_pathc) {
            if let p = result.gl_pathv[k] {
                let s = String(cString: p)
                var isDirectory: ObjCBool = false
                if fm.fileExists(atPath: s, isDirectory: &isDirectory), !isDirectory.boolValue { paths.append(s) }
            }
        }
        return paths.sorted()
    }

    private static func walk(_ root: String) -> [String] {
        guard let e = FileManager.default.enumerator(atPath: root) else { return [] }
        var files: [String] = []
        while let item = e.nextObject() as? String {
            let full = root + "/" + item
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue {
                files.append(full)
            }
        }
        return files.sorted()
    }

    /// The format implied by a file name (`.gz` looks at the name underneath), or `nil`.
    static func inferFormat(_ path: String) -> InputDefinition.Format? {
        var name = (path as NSString).lastPathComponent.lowercased()
        for suffix in [".gz", ".bz2", ".xz", ".zst"] where name.hasSuffix(suffix) { name = String(name.dropLast(suffix.count)) }
        switch (name as NSString).pathExtension {
        case "jsonl", "ndjson", "json": return .jsonl
        case "csv": return .csv
        case "tsv": return .tsv
        case "txt", "text": return .text
        case "html", "htm", "xhtml": return .html
        case "xml": return .xml
        default: return nil
        }
    }

    /// A path for display and storage: relative to `base` when inside it.
    static func displayPath(_ path: String, base: String) -> String {
        let b = (base as NSString).standardizingPath
        if path.hasPrefix(b + "/") { return String(path.dropFirst(b.count + 1)) }
        // Paths that leave the pipeline's folder are shown relative with `..` where short.
        let baseParts = b.split(separator: "/"), parts = path.split(separator: "/")
        var common = 0
        while common < min(baseParts.count, parts.count), baseParts[common] == parts[common] { common += 1 }
        if common == 0 { return path }
        return (Array(repeating: "..", count: baseParts.count - common) + parts[common...].map(String.init)).joined(separator: "/")
    }
}
