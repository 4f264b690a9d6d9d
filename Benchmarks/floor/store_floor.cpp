// The least a cleaning build can cost with the parts the foundation issue requires, written
// without Winnow: no JSON parsing, no regex rules, no ledger, no Swift. It reads a JSONL corpus,
// hashes the file (SHA-256, for the version's input list), normalizes each line with ICU (NFKC,
// the default), hashes each line (SHA-256, content addressing), optionally compresses it
// (LZ4) and inserts it into an SQLite WAL store in one transaction (bodies appended by rowid
// with a unique hash index, one version_records row each with its hash index, as Winnow's schema
// does), then commits and checkpoints. Each step is timed on its own.
//
//   Benchmarks/floor/run.sh [CORPUS]     # builds this file and runs it three times per setting
//
// Usage: store_floor CORPUS.jsonl DB_PATH none|lz4 PAGE_SIZE [nfkc]
#include <lz4.h>
#include <openssl/sha.h>
#include <sqlite3.h>
#include <unicode/bytestream.h>
#include <unicode/normalizer2.h>
#include <unicode/stringpiece.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace {
double now() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

bool exec(sqlite3 *db, const std::string &sql) {
    char *error = nullptr;
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
        std::fprintf(stderr, "sqlite: %s\n", error ? error : "?");
        sqlite3_free(error);
        return false;
    }
    return true;
}
}  // namespace

int main(int argc, char **argv) {
    if (argc < 5) {
        std::fprintf(stderr, "usage: %s CORPUS.jsonl DB_PATH none|lz4 PAGE_SIZE [nfkc]\n", argv[0]);
        return 2;
    }
    const bool lz4 = std::strcmp(argv[3], "lz4") == 0;
    const bool nfkc = argc > 5 && std::strcmp(argv[5], "nfkc") == 0;
    const double start = now();

    std::FILE *file = std::fopen(argv[1], "rb");
    if (!file) { std::fprintf(stderr, "cannot read %s\n", argv[1]); return 1; }
    std::fseek(file, 0, SEEK_END);
    std::vector<char> corpus(static_cast<size_t>(std::ftell(file)));
    std::fseek(file, 0, SEEK_SET);
    if (std::fread(corpus.data(), 1, corpus.size(), file) != corpus.size()) { std::fprintf(stderr, "short read\n"); return 1; }
    std::fclose(file);
    const double read = now();
    unsigned char fileHash[32];
    SHA256(reinterpret_cast<const unsigned char *>(corpus.data()), corpus.size(), fileHash);
    const double hashed = now();

    sqlite3 *db = nullptr;
    if (sqlite3_open(argv[2], &db) != SQLITE_OK) { std::fprintf(stderr, "cannot open %s\n", argv[2]); return 1; }
    if (!exec(db, std::string("PRAGMA page_size=") + argv[4] + "; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                  " PRAGMA cache_size=-16384;"
                  "CREATE TABLE objects(id INTEGER PRIMARY KEY, hash BLOB NOT NULL UNIQUE, encoding INTEGER NOT NULL,"
                  " size INTEGER NOT NULL, body BLOB NOT NULL);"
                  "CREATE TABLE version_records(vkey INTEGER NOT NULL, ordinal INTEGER NOT NULL, split TEXT NOT NULL,"
                  " hash BLOB NOT NULL, input INTEGER NOT NULL, line INTEGER NOT NULL, label TEXT, record_id TEXT,"
                  " PRIMARY KEY(vkey, ordinal)) WITHOUT ROWID;"
                  "CREATE INDEX version_records_hash ON version_records(hash);"
                  "BEGIN IMMEDIATE;"))
        return 1;
    sqlite3_stmt *insertObject = nullptr, *insertRecord = nullptr;
    sqlite3_prepare_v2(db, "INSERT OR IGNORE INTO objects(hash, encoding, size, body) VALUES(?, ?, ?, ?)", -1, &insertObject, nullptr);
    sqlite3_prepare_v2(db, "INSERT INTO version_records VALUES(1, ?, 'all', ?, 0, ?, NULL, NULL)", -1, &insertRecord, nullptr);

    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2 *normalizer = icu::Normalizer2::getNFKCInstance(status);
    std::string normalized;
    std::vector<char> compressed;
    double normalizing = 0, hashing = 0, compressing = 0, inserting = 0;
    int records = 0;
    const char *p = corpus.data(), *end = p + corpus.size();
    while (p < end) {
        const char *newline = static_cast<const char *>(std::memchr(p, '\n', end - p));
        if (!newline) newline = end;
        const char *body = p;
        int length = static_cast<int>(newline - p);
        const double t0 = now();
        if (nfkc && U_SUCCESS(status) && !normalizer->isNormalizedUTF8(icu::StringPiece(body, length), status)) {
            normalized.clear();
            icu::StringByteSink<std::string> sink(&normalized, length);
            normalizer->normalizeUTF8(0, icu::StringPiece(body, length), sink, nullptr, status);
            body = normalized.data();
            length = static_cast<int>(normalized.size());
        }
        const double t1 = now();
        unsigned char hash[32];
        SHA256(reinterpret_cast<const unsigned char *>(body), length, hash);
        const double t2 = now();
        const char *stored = body;
        int storedLength = length;
        if (lz4) {
            compressed.resize(LZ4_compressBound(length));
            storedLength = LZ4_compress_default(body, compressed.data(), length, static_cast<int>(compressed.size()));
            stored = compressed.data();
        }
        const double t3 = now();
        sqlite3_bind_blob(insertObject, 1, hash, 32, SQLITE_STATIC);
        sqlite3_bind_int(insertObject, 2, lz4 ? 2 : 0);
        sqlite3_bind_int(insertObject, 3, length);
        sqlite3_bind_blob(insertObject, 4, stored, storedLength, SQLITE_STATIC);
        sqlite3_step(insertObject);
        sqlite3_reset(insertObject);
        sqlite3_bind_int(insertRecord, 1, records);
        sqlite3_bind_blob(insertRecord, 2, hash, 32, SQLITE_STATIC);
        sqlite3_bind_int(insertRecord, 3, records);
        sqlite3_step(insertRecord);
        sqlite3_reset(insertRecord);
        const double t4 = now();
        normalizing += t1 - t0;
        hashing += t2 - t1;
        compressing += t3 - t2;
        inserting += t4 - t3;
        ++records;
        p = newline + 1;
    }
    const double inserted = now();
    sqlite3_finalize(insertObject);
    sqlite3_finalize(insertRecord);
    if (!exec(db, "COMMIT")) return 1;
    sqlite3_close(db);  // the last connection checkpoints the WAL into the database
    const double done = now();
    if (U_FAILURE(status)) { std::fprintf(stderr, "ICU: %s\n", u_errorName(status)); return 1; }
    std::printf("%d records, %.1f MB: read %.3f s, file SHA-256 %.3f, NFKC %.3f, record SHA-256 %.3f, %s %.3f, "
                "SQLite inserts %.3f, commit + checkpoint %.3f; total %.3f s\n",
                records, corpus.size() / 1e6, read - start, hashed - read, normalizing, hashing, lz4 ? "LZ4" : "no compression",
                compressing, inserting, done - inserted, done - start);
    return 0;
}
