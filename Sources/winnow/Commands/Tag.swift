import ArgumentParser
import Foundation
import WinnowCore
import WinnowStore

struct Tag: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Name a version (winnow tag NAME VERSION), list tags (winnow tag), or delete one (--delete NAME).")

    @Argument(help: "Tag name.")
    var name: String?
    @Argument(help: "Version to tag.")
    var version: String?

    @Option(name: .long, help: "Delete this tag.")
    var delete: String?

    @OptionGroup var storeOptions: StoreOptions

    func validate() throws {
        if delete != nil, name != nil { throw ValidationError("use either --delete NAME or NAME VERSION") }
        if name != nil, version == nil { throw ValidationError("missing VERSION: winnow tag NAME VERSION") }
    }

    func run() throws {
        let store = try storeOptions.open()
        if let delete {
            try store.removeTag(delete)
            print("deleted tag \(delete)")
        } else if let name, let version {
            let v = try store.resolve(version)
            try store.tag(name, v)
            print("\(name) -> \(v.name) (\(v.shortID))")
        } else {
            let versions = try store.versions()
            for (tag, id) in try store.tags().sorted(by: { $0.key < $1.key }) {
                print("\(tag) -> \(versions.first { $0.id == id }?.name ?? id)")
            }
        }
    }
}
