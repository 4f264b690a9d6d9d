// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Winnow",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "winnow", targets: ["winnow"]),
        .library(name: "WinnowCore", targets: ["WinnowCore"]),
        .library(name: "WinnowText", targets: ["WinnowText"]),
        .library(name: "WinnowStages", targets: ["WinnowStages"]),
        .library(name: "WinnowStore", targets: ["WinnowStore"]),
        .library(name: "WinnowTokenize", targets: ["WinnowTokenize"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.0.0"..<"5.0.0"),
    ],
    targets: [
        // System libraries, each behind a tiny shim header (ICU renames its C symbols with
        // version-suffix macros that Swift cannot see, so every ICU call goes through a wrapper).
        .systemLibrary(name: "CICU", path: "Sources/CICU", pkgConfig: "icu-i18n",
                       providers: [.apt(["libicu-dev"])]),
        .systemLibrary(name: "CPCRE2", path: "Sources/CPCRE2", pkgConfig: "libpcre2-8",
                       providers: [.apt(["libpcre2-dev"])]),
        .systemLibrary(name: "CLibXML2", path: "Sources/CLibXML2", pkgConfig: "libxml-2.0",
                       providers: [.apt(["libxml2-dev"])]),
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", pkgConfig: "sqlite3",
                       providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CZstd", path: "Sources/CZstd", pkgConfig: "libzstd",
                       providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CLZ4", path: "Sources/CLZ4", pkgConfig: "liblz4",
                       providers: [.apt(["liblz4-dev"])]),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib",
                       providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CBzip2", path: "Sources/CBzip2", providers: [.apt(["libbz2-dev"])]),
        // Header only: a prefetch hint for the tokenizer's piece cache; glibc heap settings.
        .systemLibrary(name: "CMemoryHints", path: "Sources/CMemoryHints"),
        // Header only: SSE2 byte-class scans (JSON strings, the PII text profile, dedup keys), and
        // xxHash compiled inline (the shingle hash).
        .systemLibrary(name: "CByteScan", path: "Sources/CByteScan", providers: [.apt(["libxxhash-dev"])]),
        .systemLibrary(name: "CLZMA", path: "Sources/CLZMA", pkgConfig: "liblzma",
                       providers: [.apt(["liblzma-dev"])]),

        // Foundation-free text kernels over UTF-8: ICU (normalization, word breaks, charsets),
        // PCRE2 with JIT (regex) and libxml2 (HTML). Must never import Foundation: Foundation ships its own ICU
        // module and the two clash.
        // ICU's UTF-8 normalizer (C++ only) behind a C function.
        .target(name: "CICUUTF8", dependencies: ["CICU"]),
        .target(name: "WinnowText", dependencies: ["CICU", "CICUUTF8", "CPCRE2", "CLibXML2", "CByteScan"]),

        // Records, JSON, pipeline definition + validation, stage protocol, executor.
        .target(name: "WinnowCore", dependencies: [
            "CZstd", "CLZ4", "CByteScan",
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // Ingest readers and the stages (clean, regex, filter, fields, dedup, split, pii, augment, tokenize).
        .target(name: "WinnowStages", dependencies: [
            "WinnowCore", "WinnowText", "WinnowTokenize", "CZlib", "CBzip2", "CLZMA", "CZstd", "CByteScan",
            .product(name: "Crypto", package: "swift-crypto"),  // HMAC pseudonyms for PII
        ]),
        // Byte-level BPE tokenizers from HF tokenizer.json (ids equal to HF `tokenizers`) and
        // token-shard writers (Megatron .bin/.idx).
        .target(name: "WinnowTokenize", dependencies: ["WinnowCore", "WinnowText", "CMemoryHints"]),
        // The content-addressed SQLite store: versions, ledger, quarantine, diff, verify, export.
        .target(name: "WinnowStore", dependencies: ["WinnowCore", "CSQLite"]),
        // The command-line tool: parses flags, calls the library, prints.
        .executableTarget(name: "winnow", dependencies: [
            "WinnowCore", "WinnowStages", "WinnowStore", "WinnowTokenize", "CMemoryHints",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        .testTarget(name: "WinnowTextTests", dependencies: ["WinnowText"]),
        .testTarget(name: "WinnowCoreTests", dependencies: ["WinnowCore"]),
        .testTarget(name: "WinnowStagesTests", dependencies: ["WinnowStages", "WinnowCore"]),
        .testTarget(name: "WinnowStoreTests", dependencies: ["WinnowStore", "WinnowStages", "WinnowCore"]),
        .testTarget(name: "WinnowTokenizeTests", dependencies: ["WinnowTokenize", "WinnowCore"]),
        .testTarget(name: "WinnowCLITests", dependencies: ["winnow"]),
    ]
)
