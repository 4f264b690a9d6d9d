import Foundation
import WinnowCore

/// Finds the store a read command should open.
///
/// Order: `--store`; `$WINNOW_STORE`; the nearest `.winnow/` in the current directory or a
/// parent; finally a single `*/.winnow/` one level down (so `winnow versions` works from the
/// repository root after `winnow run pipelines/quickstart.json`).
enum StoreLocator {
    static func locate(explicit: String?) throws -> String {
        let fm = FileManager.default
        if let explicit { return explicit }
        if let env = ProcessInfo.processInfo.environment["WINNOW_STORE"], !env.isEmpty { return env }
        var dir = URL(fileURLWithPath: fm.currentDirectoryPath)
        while true {
            let candidate = dir.appendingPathComponent(".winnow")
            if fm.fileExists(atPath: candidate.appendingPathComponent("store.sqlite").path) { return candidate.path }
            let parent = dir.deletingLastPathComponent()
            if parent.path == dir.path { break }
            dir = parent
        }
        let children = (try? fm.contentsOfDirectory(atPath: fm.currentDirectoryPath)) ?? []
        let below = children.sorted().filter { fm.fileExists(atPath: "\($0)/.winnow/store.sqlite") }
        if below.count == 1 { return below[0] + "/.winnow" }
        if below.count > 1 {
            throw WinnowError.usage("several stores found (" + below.map { "\($0)/.winnow" }.joined(separator: ", ") + "); choose one with --store")
        }
        throw WinnowError.usage("no Winnow store here; run a pipeline first (`winnow run PIPELINE`) or pass --store DIR")
    }
}
