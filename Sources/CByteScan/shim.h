#ifndef WINNOW_CBYTESCAN_SHIM_H
#define WINNOW_CBYTESCAN_SHIM_H
/* Byte scans for the hottest loops: find the next byte of a small class, sixteen bytes per step
   with SSE2 (baseline on x86-64), one byte per step elsewhere. Swift's SIMD types do not
   reliably compile to vector compares and movemask, and a table lookup per byte runs at about
   1 GB/s; these run at memory speed. Each returns the first index >= i (and < n) whose byte is
   in the class, or n. Dedup's kernels (word cutting, the exact key, shingle hashes, the SimHash
   majority) also have AVX-512 paths, taken when the CPU has it (checked once at run time) and
   tested against the same results as the paths for other CPUs. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && defined(__clang__)
#include <cpuid.h>
#include <immintrin.h>
#define WINNOW_HAS_AVX2_PATH 1

/* CPUID leaf 7's EBX and ECX (the AVX2 and AVX-512 feature bits) when the OS saves every
   register state in `xcr0_bits` (XCR0: 0x06 XMM and YMM, 0xE6 also the opmask and ZMM state);
   zeros otherwise. A non-empty WINNOW_NO_AVX512 in the environment turns the AVX-512 paths off
   (zeros for 0xE6), WINNOW_NO_AVX2 the AVX2 ones too (zeros for both), so their fallbacks can be
   tested and timed on a CPU that has them. */
static inline void winnow_cpu_leaf7(unsigned xcr0_bits, unsigned *ebx, unsigned *ecx) {
    unsigned a, b, c, d;
    *ebx = 0;
    *ecx = 0;
    const char *no_avx2 = getenv("WINNOW_NO_AVX2");
    if (no_avx2 != NULL && no_avx2[0] != 0) return;
    if ((xcr0_bits & 0xE0) != 0) {
        const char *off = getenv("WINNOW_NO_AVX512");
        if (off != NULL && off[0] != 0) return;
    }
    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 27))) return;  /* OSXSAVE */
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    if ((lo & xcr0_bits) != xcr0_bits || !__get_cpuid_count(7, 0, &a, &b, &c, &d)) return;
    *ebx = b;
    *ecx = c;
}

/* Leaf 7's EBX (bits[0]) and ECX (bits[1]) for the XMM/YMM state (zmm 0) or also the AVX-512
   state (zmm 1), asked once each; the feature tests below read them. Threads racing on the first
   call write the same values; `known` is published after them. */
static inline const unsigned *winnow_cpu_leaf7_cached(int zmm) {
    static unsigned bits[2][2];
    static int known[2];
    if (!__atomic_load_n(&known[zmm], __ATOMIC_ACQUIRE)) {
        winnow_cpu_leaf7(zmm ? 0xE6 : 0x06, &bits[zmm][0], &bits[zmm][1]);
        __atomic_store_n(&known[zmm], 1, __ATOMIC_RELEASE);
    }
    return bits[zmm];
}

/* AVX2 (EBX bit 5). */
static inline int winnow_cpu_has_avx2(void) { return (int)((winnow_cpu_leaf7_cached(0)[0] >> 5) & 1); }

/* AVX-512 F and DQ (EBX bits 16 and 17): 64-bit lane multiplies. */
static inline int winnow_cpu_has_avx512dq(void) {
    return (winnow_cpu_leaf7_cached(1)[0] & (3u << 16)) == (3u << 16);
}

/* AVX-512 F and BW (EBX bits 16 and 30): byte lanes. */
static inline int winnow_cpu_has_avx512bw(void) {
    const unsigned ebx = winnow_cpu_leaf7_cached(1)[0];
    return (ebx & (1u << 16)) && (ebx & (1u << 30));
}

/* AVX-512 F, BW and VBMI (ECX bit 1): byte permutes. */
static inline int winnow_cpu_has_avx512vbmi(void) {
    return winnow_cpu_has_avx512bw() && (winnow_cpu_leaf7_cached(1)[1] & (1u << 1));
}

/* AVX-512 F, BW and VBMI2 (ECX bit 6): byte compression. */
static inline int winnow_cpu_has_avx512vbmi2(void) {
    return winnow_cpu_has_avx512bw() && (winnow_cpu_leaf7_cached(1)[1] & (1u << 6));
}
#endif

/* A byte a JSON string cannot hold as is: '"', '\\' or a control byte below 0x20. */
static inline int winnow_is_json_special(uint8_t b) { return b == 0x22 || b == 0x5C || b < 0x20; }

#if defined(__SSE2__)
/* A bit per byte of v that a JSON string cannot hold as is. */
static inline int winnow_json_special_mask(__m128i v) {
    const __m128i quote = _mm_set1_epi8(0x22), backslash = _mm_set1_epi8(0x5C), bias = _mm_set1_epi8((char)0x80),
                  limit = _mm_set1_epi8((char)(0x20 ^ 0x80));
    /* Unsigned v < 0x20 as a signed compare of v ^ 0x80 with 0x20 ^ 0x80. */
    __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                               _mm_cmplt_epi8(_mm_xor_si128(v, bias), limit));
    return _mm_movemask_epi8(hit);
}
#endif

static inline size_t winnow_next_json_special(const uint8_t *p, size_t i, size_t n) {
#if defined(__SSE2__)
    for (; i + 16 <= n; i += 16) {
        int mask = winnow_json_special_mask(_mm_loadu_si128((const __m128i *)(p + i)));
        if (mask) return i + (size_t)__builtin_ctz((unsigned)mask);
    }
#endif
    for (; i < n; i++) if (winnow_is_json_special(p[i])) return i;
    return n;
}

/* A place the PII text profile looks at: any ASCII digit or '@'; a ':' or '-' followed by a hex
   digit (a MAC or IPv6 step), a ':' followed by ':'; a '-' after 'k' ("sk-"); a 'B' after '-'
   ("-----BEGIN"); an 'A' followed by K, S or I (AKIA, ASIA, AIza); "xo" (xox); '_' two bytes
   after 'h' (gh?_); EF BC 90-99 (a full-width digit). Bytes outside [0, n) read as 0. */
static inline int winnow_is_hex_digit(uint8_t b) { return (uint8_t)(b - 0x30) < 10 || (uint8_t)((b | 0x20) - 0x61) < 6; }

static inline int winnow_is_pii_mark_at(const uint8_t *p, size_t i, size_t n) {
    uint8_t b = p[i];
    uint8_t next = i + 1 < n ? p[i + 1] : 0, next2 = i + 2 < n ? p[i + 2] : 0;
    uint8_t prev = i >= 1 ? p[i - 1] : 0, prev2 = i >= 2 ? p[i - 2] : 0;
    if ((uint8_t)(b - 0x30) < 10 || b == 0x40) return 1;
    if (b == 0x3A) return winnow_is_hex_digit(next) || next == 0x3A;
    if (b == 0x2D) return winnow_is_hex_digit(next) || prev == 0x6B;
    if (b == 0x42) return prev == 0x2D;
    if (b == 0x41) return next == 0x4B || next == 0x53 || next == 0x49;
    if (b == 0x78) return next == 0x6F;
    if (b == 0x5F) return prev2 == 0x68;
    if (b == 0xEF) return next == 0xBC && (uint8_t)(next2 - 0x90) < 10;
    return 0;
}

/* The vector form of winnow_is_pii_mark_at, written once for both widths. The caller defines
   VEC (the vector type) and V_LOAD, V_OR, V_AND, V_IS(v, c) (bytes equal to c), V_SET(c) and
   V_BELOW(v, lo, count) (bytes in [lo, lo + count)); the result is the vector of marks among
   the bytes at p + i. Reads p[i - 2] to p[i + width + 1]. */
#define WINNOW_PII_MARKS(p, i) ({                                                                    \
        VEC v_ = V_LOAD(p + i), next_ = V_LOAD(p + i + 1), next2_ = V_LOAD(p + i + 2);              \
        VEC prev_ = V_LOAD(p + i - 1), prev2_ = V_LOAD(p + i - 2);                                  \
        VEC nextHex_ = V_OR(V_BELOW(next_, 0x30, 10), V_BELOW(V_OR(next_, V_SET(0x20)), 0x61, 6));  \
        VEC hit_ = V_OR(V_BELOW(v_, 0x30, 10), V_IS(v_, 0x40));                                     \
        hit_ = V_OR(hit_, V_AND(V_IS(v_, 0x3A), V_OR(nextHex_, V_IS(next_, 0x3A))));                \
        hit_ = V_OR(hit_, V_AND(V_IS(v_, 0x2D), V_OR(nextHex_, V_IS(prev_, 0x6B))));                \
        hit_ = V_OR(hit_, V_AND(V_IS(v_, 0x42), V_IS(prev_, 0x2D)));                                \
        hit_ = V_OR(hit_, V_AND(V_IS(v_, 0x41), V_OR(V_OR(V_IS(next_, 0x4B), V_IS(next_, 0x53)), V_IS(next_, 0x49)))); \
        hit_ = V_OR(hit_, V_AND(V_IS(v_, 0x78), V_IS(next_, 0x6F)));                                \
        hit_ = V_OR(hit_, V_AND(V_IS(v_, 0x5F), V_IS(prev2_, 0x68)));                               \
        hit_ = V_OR(hit_, V_AND(V_AND(V_IS(v_, 0xEF), V_IS(next_, 0xBC)), V_BELOW(next2_, 0x90, 10))); \
        hit_; })

#if defined(WINNOW_HAS_AVX2_PATH)
/* 32 bytes per step; returns at the first mark, or where fewer than 34 bytes are left. */
__attribute__((target("avx2")))
static inline size_t winnow_next_pii_mark_avx2(const uint8_t *p, size_t i, size_t n) {
#define VEC __m256i
#define V_LOAD(q) _mm256_loadu_si256((const __m256i *)(q))
#define V_OR _mm256_or_si256
#define V_AND _mm256_and_si256
#define V_SET(c) _mm256_set1_epi8((char)(c))
#define V_IS(v, c) _mm256_cmpeq_epi8((v), V_SET(c))
#define V_BELOW(v, lo, count) _mm256_cmpgt_epi8(V_SET((count) ^ 0x80), _mm256_xor_si256(_mm256_sub_epi8((v), V_SET(lo)), V_SET(0x80)))
    for (; i + 34 <= n; i += 32) {
        unsigned mask = (unsigned)_mm256_movemask_epi8(WINNOW_PII_MARKS(p, i));
        if (mask) return i + (size_t)__builtin_ctz(mask);
    }
#undef VEC
#undef V_LOAD
#undef V_OR
#undef V_AND
#undef V_SET
#undef V_IS
#undef V_BELOW
    return i;
}
#endif

static inline size_t winnow_next_pii_mark(const uint8_t *p, size_t i, size_t n) {
#if defined(__SSE2__)
    if (i < 2) {
        for (; i < 2 && i < n; i++) if (winnow_is_pii_mark_at(p, i, n)) return i;
    }
#if defined(WINNOW_HAS_AVX2_PATH)
    if (winnow_cpu_has_avx2()) {
        i = winnow_next_pii_mark_avx2(p, i, n);
        if (i + 34 <= n) return i;   /* a mark */
    }
#endif
#define VEC __m128i
#define V_LOAD(q) _mm_loadu_si128((const __m128i *)(q))
#define V_OR _mm_or_si128
#define V_AND _mm_and_si128
#define V_SET(c) _mm_set1_epi8((char)(c))
#define V_IS(v, c) _mm_cmpeq_epi8((v), V_SET(c))
#define V_BELOW(v, lo, count) _mm_cmplt_epi8(_mm_xor_si128(_mm_sub_epi8((v), V_SET(lo)), V_SET(0x80)), V_SET((count) ^ 0x80))
    for (; i + 18 <= n; i += 16) {
        int mask = _mm_movemask_epi8(WINNOW_PII_MARKS(p, i));
        if (mask) return i + (size_t)__builtin_ctz((unsigned)mask);
    }
#undef VEC
#undef V_LOAD
#undef V_OR
#undef V_AND
#undef V_SET
#undef V_IS
#undef V_BELOW
#endif
    for (; i < n; i++) if (winnow_is_pii_mark_at(p, i, n)) return i;
    return n;
}

/* Unicode scalars in valid UTF-8: the bytes that are not continuation bytes (0x80-0xBF, which
   as signed bytes are exactly those below -64). */
static inline size_t winnow_count_utf8_scalars(const uint8_t *p, size_t n) {
    size_t continuation = 0, i = 0;
#if defined(__SSE2__)
    const __m128i limit = _mm_set1_epi8(-64);
    for (; i + 16 <= n; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(p + i));
        continuation += (size_t)__builtin_popcount((unsigned)_mm_movemask_epi8(_mm_cmplt_epi8(v, limit)));
    }
#endif
    for (; i < n; i++) continuation += (p[i] & 0xC0) == 0x80;
    return n - continuation;
}

/* JSON string bodies, a chunk at a time into a caller's buffer (so the caller appends whole
   chunks rather than a byte or a run per escape: 2 escapes per 100 bytes of typical text). With
   SSE2, sixteen bytes are loaded, stored whole into dst and the write position advanced to the
   first byte that needs work, so a run costs no copy call; dst needs 16 bytes of slack, which
   the room checks keep. */

/* The escape for JSON string byte b ('"', '\\' or a control byte) into dst; returns its length. */
static inline size_t winnow_json_escape_byte(uint8_t b, uint8_t *dst) {
    static const char hex[] = "0123456789abcdef";
    dst[0] = '\\';
    switch (b) {
    case '"': dst[1] = '"'; return 2;
    case '\\': dst[1] = '\\'; return 2;
    case '\n': dst[1] = 'n'; return 2;
    case '\r': dst[1] = 'r'; return 2;
    case '\t': dst[1] = 't'; return 2;
    case '\b': dst[1] = 'b'; return 2;
    case '\f': dst[1] = 'f'; return 2;
    default:
        dst[1] = 'u'; dst[2] = '0'; dst[3] = '0'; dst[4] = (uint8_t)hex[b >> 4]; dst[5] = (uint8_t)hex[b & 15];
        return 6;
    }
}

/* The byte a two-character escape \e stands for, or -1 (\u and unknown escapes). */
static inline int winnow_json_unescape_byte(uint8_t e) {
    switch (e) {
    case '"': return '"';
    case '\\': return '\\';
    case '/': return '/';
    case 'b': return '\b';
    case 'f': return '\f';
    case 'n': return '\n';
    case 'r': return '\r';
    case 't': return '\t';
    default: return -1;
    }
}

/* Copies src[k ..< n] to dst[w ...] a vector at a time until a byte that needs work, the end of
   the vectors or of the room (keeping `slack` bytes); returns the new k and advances *w. */
static inline size_t winnow_json_copy_plain(const uint8_t *src, size_t k, size_t n, uint8_t *dst, size_t *w, size_t cap, size_t slack) {
    size_t o = *w;
#if defined(__SSE2__)
    while (k + 16 <= n && cap - o >= 16 + slack) {
        __m128i v = _mm_loadu_si128((const __m128i *)(src + k));
        _mm_storeu_si128((__m128i *)(dst + o), v);
        int mask = winnow_json_special_mask(v);
        if (!mask) { o += 16; k += 16; continue; }
        size_t r = (size_t)__builtin_ctz((unsigned)mask);
        *w = o + r;
        return k + r;
    }
#endif
    *w = o;
    return k;
}

/* Escapes s[*i ..< n] into dst: '"' and '\\' with a backslash, \n \r \t \b \f by name, other
   control bytes as \u00XX. Stops when the input ends or dst has too little room left (cap must
   be at least 32); advances *i and returns the bytes written. */
static inline size_t winnow_json_escape_chunk(const uint8_t *s, size_t *i, size_t n, uint8_t *dst, size_t cap) {
    size_t k = *i, w = 0;
    for (;;) {
        size_t before = k;
        k = winnow_json_copy_plain(s, k, n, dst, &w, cap, 6);
        if (k >= n || cap - w < 6 || !winnow_is_json_special(s[k])) {
            if (k == before) break;   /* no vector progress: finish byte by byte */
            continue;
        }
        w += winnow_json_escape_byte(s[k++], dst + w);
    }
    while (k < n && cap - w >= 6) {
        uint8_t b = s[k++];
        if (winnow_is_json_special(b)) w += winnow_json_escape_byte(b, dst + w); else dst[w++] = b;
    }
    *i = k;
    return w;
}

/* Decodes a JSON string body from p[*i] into dst: bytes are copied, the two-character escapes
   (\" \\ \/ \b \f \n \r \t) decoded. Stops, leaving p[*i] for the caller, at the closing quote, a
   \u escape, an unknown escape, a control byte or the end of input, or when dst is full (cap
   must be at least 32). Returns the bytes written. */
static inline size_t winnow_json_unescape_chunk(const uint8_t *p, size_t *i, size_t n, uint8_t *dst, size_t cap) {
    size_t k = *i, w = 0;
    for (;;) {
        size_t before = k;
        k = winnow_json_copy_plain(p, k, n, dst, &w, cap, 1);
        if (k >= n || w >= cap || !winnow_is_json_special(p[k])) {
            if (k == before) break;   /* no vector progress: finish byte by byte */
            continue;
        }
        if (p[k] != '\\' || k + 1 >= n) { *i = k; return w; }
        int out = winnow_json_unescape_byte(p[k + 1]);
        if (out < 0) { *i = k; return w; }
        dst[w++] = (uint8_t)out;
        k += 2;
    }
    while (k < n && w < cap) {
        uint8_t b = p[k];
        if (b == '"' || b < 0x20) break;
        if (b == '\\') {
            if (k + 1 >= n) break;
            int out = winnow_json_unescape_byte(p[k + 1]);
            if (out < 0) break;
            dst[w++] = (uint8_t)out;
            k += 2;
            continue;
        }
        dst[w++] = b;
        k += 1;
    }
    *i = k;
    return w;
}

#if defined(WINNOW_HAS_AVX2_PATH)
/* The exact key's default (white space collapsed, punctuation kept) over 64 bytes at a time:
   white space becomes a space, a space after white space is dropped, and the bytes left are
   packed with one compress (AVX-512 VBMI2), up to the first byte from 0x80. *prev as in
   winnow_exact_key_ascii. Returns where it stopped: at a byte from 0x80, or with fewer than 64
   bytes left. dst must hold as many bytes as src (the compressed vector is stored whole). */
__attribute__((target("avx512f,avx512bw,avx512vbmi2,bmi,popcnt")))
static inline size_t winnow_exact_key_collapse64(const uint8_t *src, size_t i, size_t n, uint8_t *dst, size_t *o,
                                                 unsigned *prev) {
    size_t w = *o;
    unsigned long long p = *prev;
    const __m512i space = _mm512_set1_epi8(' '), tab = _mm512_set1_epi8(9), four = _mm512_set1_epi8(4);
    while (i + 64 <= n) {
        const __m512i v = _mm512_loadu_si512((const void *)(src + i));
        const unsigned long long high = _mm512_movepi8_mask(v);
        const unsigned long long ascii = high ? (1ull << __builtin_ctzll(high)) - 1 : ~0ull;
        const unsigned long long ws = (_mm512_cmpeq_epi8_mask(v, space) | _mm512_cmple_epu8_mask(_mm512_sub_epi8(v, tab), four)) & ascii;
        const unsigned long long keep = ascii & ~(ws & ((ws << 1) | p));
        const __m512i packed = _mm512_maskz_compress_epi8(keep, _mm512_mask_mov_epi8(v, ws, space));
        _mm512_storeu_si512((void *)(dst + w), packed);
        w += (size_t)__builtin_popcountll(keep);
        if (high) {
            const unsigned k = (unsigned)__builtin_ctzll(high);
            if (k > 0) p = (ws >> (k - 1)) & 1;
            i += k;
            break;
        }
        p = ws >> 63;
        i += 64;
    }
    *o = w;
    *prev = (unsigned)p;
    return i;
}
#endif

/* Dedup's exact key over an ASCII run starting at i: white space (space, TAB..CR) collapsed to one
   space (whitespace 0), removed (1) or kept (2); with remove_punct, bytes other than letters,
   digits and white space dropped. *o is the write position in dst. For collapsing, *after_space
   says whether the last byte written was a space or nothing was written yet: a white space byte
   is written as a space unless it follows one, so the caller only has to drop one trailing space
   at the very end. Branch-free per byte (a space every few bytes defeats branch prediction); dst
   must hold as many bytes as src. Returns where the run ends: the first non-ASCII byte, or n. */
static inline size_t winnow_exact_key_ascii(const uint8_t *src, size_t i, size_t n, uint8_t *dst, size_t *o,
                                            int *after_space, int whitespace, int remove_punct) {
    size_t w = *o;
    unsigned prev = (unsigned)*after_space;
    const unsigned punct = (unsigned)remove_punct;
    if (whitespace == 0 && !remove_punct) {
#if defined(WINNOW_HAS_AVX2_PATH)
        if (n - i >= 64 && winnow_cpu_has_avx512vbmi2()) {
            i = winnow_exact_key_collapse64(src, i, n, dst, &w, &prev);
            if (i < n && src[i] >= 0x80) {
                *o = w;
                *after_space = (int)prev;
                return i;
            }
        }
#endif
        /* The default, on its own. Most sixteen-byte pieces of prose have nothing to collapse:
           no byte from 0x80, no tab or newline, no two spaces in a row, and no space that
           follows a collapsed one. Those are copied whole; the others go byte by byte (about
           eight instructions a byte) until the next piece. */
        for (;;) {
#if defined(__SSE2__)
            for (; i + 16 <= n; i += 16) {
                const __m128i v = _mm_loadu_si128((const __m128i *)(src + i));
                const unsigned high = (unsigned)_mm_movemask_epi8(v);
                const unsigned space = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(' ')));
                const __m128i t = _mm_sub_epi8(v, _mm_set1_epi8(9));
                const unsigned other = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(t, _mm_set1_epi8(4)), t));
                if ((high | other | (space & ((space << 1) | prev))) != 0) break;
                _mm_storeu_si128((__m128i *)(dst + w), v);
                w += 16;
                prev = space >> 15;
            }
            const size_t stop = i + 16 < n ? i + 16 : n;
#else
            const size_t stop = n;
#endif
            for (; i < stop; i++) {
                uint8_t b = src[i];
                if (b >= 0x80) break;
                unsigned space = (b == 0x20) | ((uint8_t)(b - 9) < 5);
                dst[w] = space ? 0x20 : b;
                w += (space & prev) ^ 1;
                prev = space;
            }
            if (i >= n || src[i] >= 0x80) break;
        }
        *o = w;
        *after_space = (int)prev;
        return i;
    }
    for (; i < n; i++) {
        uint8_t b = src[i];
        if (b >= 0x80) break;
        unsigned space = (b == 0x20) | ((uint8_t)(b - 9) < 5);
        unsigned alnum = ((uint8_t)(b - 0x30) < 10) | ((uint8_t)((b | 0x20) - 0x61) < 26);
        unsigned drop = punct & (space ^ 1) & (alnum ^ 1);
        if (whitespace == 0) {
            dst[w] = space ? 0x20 : b;
            w += (drop | (space & prev)) ^ 1;
            prev = drop ? prev : space;
        } else {
            dst[w] = b;
            w += (drop ^ 1) & (whitespace == 2 ? 1u : (space ^ 1));
        }
    }
    *o = w;
    *after_space = (int)prev;
    return i;
}

/* ASCII letters (A-Z, a-z) in the ASCII run starting at i, added to *letters; returns where the
   run ends: the first non-ASCII byte, or n. */
static inline size_t winnow_count_ascii_letters(const uint8_t *p, size_t i, size_t n, size_t *letters) {
    size_t count = *letters;
#if defined(__SSE2__)
    const __m128i lowerBit = _mm_set1_epi8(0x20), belowA = _mm_set1_epi8(0x60), aboveZ = _mm_set1_epi8(0x7B);
    for (; i + 16 <= n; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(p + i));
        if (_mm_movemask_epi8(v) != 0) break;
        __m128i t = _mm_or_si128(v, lowerBit);
        __m128i letter = _mm_and_si128(_mm_cmpgt_epi8(t, belowA), _mm_cmplt_epi8(t, aboveZ));
        count += (size_t)__builtin_popcount((unsigned)_mm_movemask_epi8(letter));
    }
#endif
    for (; i < n; i++) {
        uint8_t b = p[i];
        if (b >= 0x80) break;
        count += (uint8_t)((b | 0x20) - 0x61) < 26;
    }
    *letters = count;
    return i;
}

/* Word segmentation's ASCII fast path (WordSegmenter.joinWords): byte classes. 1: letter or
   digit; 2: a separator tokens are cut at (space, LF, CR); 4: a byte that sends its token to ICU
   (controls, DEL and above); 8: `.` `:` `,` `;` `'` `"`, which make a token special when between
   two letters or digits; 16: `_` and `@`, which make a token special. A special token is cut by
   winnow_join_ascii_token. */
static const uint8_t winnow_word_byte_class[256] = {
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 2, 4, 4, 2, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
    2, 0, 8, 0, 0, 0, 0, 8, 0, 0, 0, 0, 8, 0, 8, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 8, 8, 0, 0, 0, 0,
    16, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 16,
    0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 4,
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
};

/* The word-break class of a printable ASCII byte under ICU's root rules (UAX #29 as ICU
   tailors it): 0 letter (ICU counts `@` as one), 1 digit, 2 `_` (ExtendNumLet), 3 `.` `'`
   (MidNumLet, Single_Quote), 4 `,` `;` (MidNum), 5 anything else (`:` is not MidLetter in
   ICU's root rules, and `"` only matters between Hebrew letters). */
static inline unsigned winnow_uax29_ascii_class(uint8_t b) {
    if (((uint8_t)((b | 0x20) - 'a') < 26) || b == '@') return 0;
    if ((uint8_t)(b - '0') < 10) return 1;
    switch (b) {
    case '_': return 2;
    case '.': case '\'': return 3;
    case ',': case ';': return 4;
    default: return 5;
    }
}

/* The words of one token of printable ASCII (no separators, controls or bytes from 0x80), cut
   as ICU cuts it: letters, digits and `_` run together (WB5, WB8-WB10, WB13a/b); `.` and `'`
   join two letters (WB6/7), and `.` `'` `,` `;` two digits (WB11/12), the letter or digit before
   them being the last one of the run; every other byte is a segment of its own. A segment is a
   word (rule status 100 or more) unless it is a lone `_` or holds no letter, digit or `_`. The
   words are appended to joined at *used, each followed by one space, with their starts in starts
   at *count (tested against ICU on random text). */
static inline void winnow_join_ascii_token(const uint8_t *p, size_t i, size_t end, uint8_t *joined, size_t *used,
                                           size_t *starts, size_t *count) {
    size_t u = *used, c = *count;
    while (i < end) {
        const unsigned first = winnow_uax29_ascii_class(p[i]);
        const size_t start = i++;
        if (first > 2) continue;
        unsigned last = first;
        while (i < end) {
            const unsigned x = winnow_uax29_ascii_class(p[i]);
            if (x <= 2) {
                last = x;
                i++;
                continue;
            }
            if (x <= 4 && i + 1 < end && last <= 1) {
                const unsigned y = winnow_uax29_ascii_class(p[i + 1]);
                if (y == last && (x == 3 || last == 1)) {
                    i += 2;
                    continue;
                }
            }
            break;
        }
        if (i - start == 1 && first == 2) continue;
        starts[c++] = u;
        memcpy(joined + u, p + start, i - start);
        u += i - start;
        joined[u++] = ' ';
    }
    *used = u;
    *count = c;
}

#if defined(__SSE2__)
/* The classes of the 16 bytes at q as bit masks (bit k for byte k): letters and digits,
   separators, bytes that send a token to ICU, `.` `:` `,` `;` `'` `"`, and `_` `@`. Unsigned
   "below" tests use min_epu8 (SSE2 has no unsigned compare). */
static inline void winnow_word_class_masks(const uint8_t *q, unsigned *alnum, unsigned *sep, unsigned *bad,
                                           unsigned *punct, unsigned *joiner) {
    const __m128i v = _mm_loadu_si128((const __m128i *)q);
    const __m128i d = _mm_sub_epi8(v, _mm_set1_epi8('0'));
    const __m128i digit = _mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(9)), d);
    const __m128i l = _mm_sub_epi8(_mm_or_si128(v, _mm_set1_epi8(0x20)), _mm_set1_epi8('a'));
    const __m128i letter = _mm_cmpeq_epi8(_mm_min_epu8(l, _mm_set1_epi8(25)), l);
    *alnum = (unsigned)_mm_movemask_epi8(_mm_or_si128(digit, letter));
    const __m128i s = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(' ')),
                                   _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\n')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\r'))));
    *sep = (unsigned)_mm_movemask_epi8(s);
    /* Controls (LF and CR are separators and never inside a token), DEL, and every byte from
       0x80 (its top bit, which movemask reads directly). */
    const __m128i control = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1F)), v);
    *bad = (unsigned)_mm_movemask_epi8(_mm_or_si128(control, _mm_cmpeq_epi8(v, _mm_set1_epi8(0x7F))))
         | (unsigned)_mm_movemask_epi8(v);
    *joiner = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('_')), _mm_cmpeq_epi8(v, _mm_set1_epi8('@'))));
    const __m128i pu = _mm_or_si128(
        _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('.')), _mm_cmpeq_epi8(v, _mm_set1_epi8(':'))),
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(',')), _mm_cmpeq_epi8(v, _mm_set1_epi8(';'))),
                     _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\'')), _mm_cmpeq_epi8(v, _mm_set1_epi8('"')))));
    *punct = (unsigned)_mm_movemask_epi8(pu);
}
#endif

#if defined(WINNOW_HAS_AVX2_PATH)
/* Word shingling's fast path over 64 bytes at q (AVX-512 BW and VBMI2), which must start at a
   token or at white space: the plain tokens up to the last separator before the first byte that
   would need ICU or make a token special (see winnow_join_ascii_words) are cut at once. Words
   are the runs of letters and digits; each is kept with one space after it (the byte after a
   word becomes a space, other bytes are dropped) by one compress, and the words' starts are
   counted off the kept mask. Returns the bytes done (they end with a separator), or 0 when there
   is no separator before the first such byte. joined needs 64 bytes of room at *used. */
__attribute__((target("avx512f,avx512bw,avx512vbmi2,bmi,popcnt,lzcnt")))
static inline size_t winnow_join_words64(const uint8_t *q, uint8_t *joined, size_t *used, size_t *starts, size_t *count) {
    const __m512i v = _mm512_loadu_si512((const void *)q);
    const __m512i d = _mm512_sub_epi8(v, _mm512_set1_epi8('0'));
    const __m512i l = _mm512_sub_epi8(_mm512_or_si512(v, _mm512_set1_epi8(0x20)), _mm512_set1_epi8('a'));
    const unsigned long long alnum =
        _mm512_cmple_epu8_mask(d, _mm512_set1_epi8(9)) | _mm512_cmple_epu8_mask(l, _mm512_set1_epi8(25));
    const unsigned long long sep = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(' ')) | _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('\n'))
        | _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('\r'));
    const unsigned long long bad = (_mm512_cmple_epu8_mask(v, _mm512_set1_epi8(0x1F)) & ~sep)
        | _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(0x7F)) | _mm512_movepi8_mask(v);
    const unsigned long long joiner = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('_')) | _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('@'));
    const unsigned long long punct = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('.')) | _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(':'))
        | _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(',')) | _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(';'))
        | _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('\'')) | _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('"'));
    /* Punctuation at byte 63 is never inside the span: the span ends at a separator before it. */
    const unsigned long long problem = bad | joiner | (punct & (alnum << 1) & (alnum >> 1));
    const unsigned long long before = problem ? (1ull << __builtin_ctzll(problem)) - 1 : ~0ull;
    const unsigned long long seps = sep & before;
    if (!seps) return 0;
    const unsigned last = 63u - (unsigned)__builtin_clzll(seps);
    const unsigned long long span = last == 63 ? ~0ull : (1ull << (last + 1)) - 1;
    const unsigned long long a = alnum & span;
    const unsigned long long keep = (a | (~a & (a << 1))) & span;
    size_t u = *used, c = *count;
    _mm512_storeu_si512((void *)(joined + u), _mm512_maskz_compress_epi8(keep, _mm512_mask_mov_epi8(_mm512_set1_epi8(' '), a, v)));
    for (unsigned long long word = a & ~(a << 1); word; word &= word - 1) {
        starts[c++] = u + (size_t)__builtin_popcountll(keep & ((1ull << __builtin_ctzll(word)) - 1));
    }
    *used = u + (size_t)__builtin_popcountll(keep);
    *count = c;
    return last + 1;
}
#endif

/* Word shingling's ASCII fast path (WordSegmenter.joinWords) over a whole text, from *pos: the
   words of each ASCII token are appended to joined at *used, each followed by one space, and each
   word's start in joined to starts at *count. In a plain token a word is a run of letters and
   digits and any other byte ends one; a special token (with `_` or `@`, or `.` `:` `,` `;` `'`
   `"` between two letters or digits) is cut by winnow_join_ascii_token. joined needs room for
   2 n + 18 bytes (words are copied sixteen bytes at a time and the write position advances past
   the word only), starts for n + 1.
   Returns 0 at the end of the text (*pos = n). Returns 1 at a token with a byte that needs ICU
   (see the byte classes), 2 at any other token when stop_at_plain is set: nothing of that token
   is written, *pos is where the separators before it start, and token_start/token_end bound it.
   A token shorter than 16 bytes (most) is classified from one 16-byte load, and a plain one's
   words found from the bit masks; longer ones, and the last 16 bytes, go byte by byte. A
   branch-free byte loop over everything (no branch at token ends) was twice as slow as this byte
   loop alone: it needs more live values than there are registers and spilled them every byte. */
static inline int winnow_join_ascii_words(const uint8_t *restrict p, size_t *pos, size_t n, uint8_t *restrict joined,
                                          size_t *used, size_t *restrict starts, size_t *count, size_t *token_start,
                                          size_t *token_end, int stop_at_plain) {
    const uint8_t *const cls = winnow_word_byte_class;
    size_t i = *pos, u = *used, c = *count;
#if defined(WINNOW_HAS_AVX2_PATH)
    const int wide = !stop_at_plain && winnow_cpu_has_avx512vbmi2();
#endif
    for (;;) {
#if defined(WINNOW_HAS_AVX2_PATH)
        /* i is at a token or at white space here. */
        if (wide && i + 64 <= n) {
            const size_t done = winnow_join_words64(p + i, joined, &u, starts, &c);
            if (done) {
                i += done;
                continue;
            }
        }
#endif
        const size_t space_start = i;
        while (i < n && (cls[p[i]] & 2)) i++;
        if (i >= n) break;
        const size_t ts = i;
#if defined(__SSE2__)
        if (i + 16 <= n) {
            unsigned a, sep, bad, punct, joiner;
            winnow_word_class_masks(p + i, &a, &sep, &bad, &punct, &joiner);
            if (sep != 0) {
                const unsigned len = (unsigned)__builtin_ctz(sep);
                const unsigned token = (1u << len) - 1;
                a &= token;
                const unsigned refused = bad & token;
                if (refused != 0 || stop_at_plain) {
                    *token_start = ts;
                    *token_end = i + len;
                    *pos = space_start;
                    *used = u;
                    *count = c;
                    return refused != 0 ? 1 : 2;
                }
                if ((joiner | (punct & (a << 1) & (a >> 1))) & token) {
                    winnow_join_ascii_token(p, i, i + len, joined, &u, starts, &c);
                    i += len;
                    continue;
                }
                while (a) {
                    const unsigned at = (unsigned)__builtin_ctz(a);
                    const unsigned run = (unsigned)__builtin_ctz(~(a >> at));
                    starts[c++] = u;
                    if (i + at + 16 <= n) {
                        _mm_storeu_si128((__m128i *)(joined + u), _mm_loadu_si128((const __m128i *)(p + i + at)));
                    } else {
                        memcpy(joined + u, p + i + at, run);
                    }
                    u += run;
                    joined[u++] = ' ';
                    a &= ~(((1u << run) - 1) << at);
                }
                i += len;
                continue;
            }
        }
#endif
        const size_t u0 = u, c0 = c;
        unsigned prev = 0, bad = 0, special = 0;
        for (; i < n; i++) {
            const uint8_t b = p[i];
            const unsigned cl = cls[b];
            if (cl & 2) break;
            const unsigned a = cl & 1;
            starts[c] = u;
            c += a & (prev ^ 1);
            joined[u] = ' ';
            u += prev & (a ^ 1);
            joined[u] = b;
            u += a;
            bad |= cl & 4;
            special |= cl & 16;
            if ((cl & 8) && prev && i + 1 < n && (cls[p[i + 1]] & 1)) special = 1;
            prev = a;
        }
        joined[u] = ' ';
        u += prev;
        if (bad || stop_at_plain) {
            *token_start = ts;
            *token_end = i;
            *pos = space_start;
            *used = u0;
            *count = c0;
            return bad ? 1 : 2;
        }
        if (special) {
            u = u0;
            c = c0;
            winnow_join_ascii_token(p, ts, i, joined, &u, starts, &c);
        }
    }
    *pos = n;
    *used = u;
    *count = c;
    return 0;
}

/* The first index >= i (and < n) whose byte is >= 0x80 (winnow_next_non_ascii) or < 0x80
   (winnow_next_ascii), or n: the ends of ASCII and non-ASCII runs, sixteen bytes per step. */
static inline size_t winnow_next_non_ascii(const uint8_t *p, size_t i, size_t n) {
#if defined(__SSE2__)
    for (; i + 16 <= n; i += 16) {
        const unsigned m = (unsigned)_mm_movemask_epi8(_mm_loadu_si128((const __m128i *)(p + i)));
        if (m) return i + (size_t)__builtin_ctz(m);
    }
#endif
    while (i < n && p[i] < 0x80) i++;
    return i;
}

static inline size_t winnow_next_ascii(const uint8_t *p, size_t i, size_t n) {
#if defined(__SSE2__)
    for (; i + 16 <= n; i += 16) {
        const unsigned m = ~(unsigned)_mm_movemask_epi8(_mm_loadu_si128((const __m128i *)(p + i))) & 0xFFFFu;
        if (m) return i + (size_t)__builtin_ctz(m);
    }
#endif
    while (i < n && p[i] >= 0x80) i++;
    return i;
}

/* Lower-cases A–Z in the n ASCII bytes at p, in place; returns how many there were. */
static inline size_t winnow_ascii_lowercase(uint8_t *p, size_t n) {
    size_t upper = 0, k = 0;
#if defined(__SSE2__)
    for (; k + 16 <= n; k += 16) {
        const __m128i v = _mm_loadu_si128((const __m128i *)(p + k));
        const __m128i d = _mm_sub_epi8(v, _mm_set1_epi8('A'));
        const __m128i is_upper = _mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(25)), d);
        upper += (size_t)__builtin_popcount((unsigned)_mm_movemask_epi8(is_upper));
        _mm_storeu_si128((__m128i *)(p + k), _mm_or_si128(v, _mm_and_si128(is_upper, _mm_set1_epi8(0x20))));
    }
#endif
    for (; k < n; k++) {
        const unsigned u = (uint8_t)(p[k] - 'A') < 26;
        upper += u;
        p[k] = (uint8_t)(p[k] | (u << 5));
    }
    return upper;
}

/* Whether n bytes at a and b are equal (memcmp, which Swift code without Foundation cannot name). */
static inline int winnow_bytes_equal(const uint8_t *a, const uint8_t *b, size_t n) {
    return n == 0 || memcmp(a, b, n) == 0;
}

/* Han (with extensions and compatibility ideographs), Kana and Hangul: the characters dedup
   counts as CJK letters without asking ICU (Shingler.isCJK). */
static inline int winnow_is_cjk(uint32_t c) {
    return (c >= 0x3040 && c <= 0x30FF) || (c >= 0x31F0 && c <= 0x31FF) || (c >= 0x3400 && c <= 0x4DBF)
        || (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xAC00 && c <= 0xD7AF) || (c >= 0x1100 && c <= 0x11FF)
        || (c >= 0x3130 && c <= 0x318F) || (c >= 0xF900 && c <= 0xFAFF) || (c >= 0xFF66 && c <= 0xFF9F)
        || (c >= 0x20000 && c <= 0x3134F);
}

/* The scalar of the three-byte UTF-8 sequence at p (valid UTF-8, lead byte 0xE0-0xEF). */
static inline uint32_t winnow_scalar3(const uint8_t *p) {
    return (uint32_t)(p[0] & 0x0F) << 12 | (uint32_t)(p[1] & 0x3F) << 6 | (uint32_t)(p[2] & 0x3F);
}

/* From i in valid UTF-8: the end of the run of three-byte CJK characters (winnow_is_cjk) that
   starts there (i itself when there is none). Chinese text is mostly such runs. */
static inline size_t winnow_cjk_run_end(const uint8_t *p, size_t i, size_t n) {
    while (i + 3 <= n && (p[i] & 0xF0) == 0xE0 && winnow_is_cjk(winnow_scalar3(p + i))) i += 3;
    return i;
}

/* Character shingling's fast path: the run of three-byte CJK characters from i, copied to dst at
   *used with each character's start recorded in starts at *count; returns where the run ends. */
static inline size_t winnow_copy_cjk_run(const uint8_t *p, size_t i, size_t n, uint8_t *dst, size_t *used,
                                         ptrdiff_t *starts, size_t *count) {
    const size_t end = winnow_cjk_run_end(p, i, n);
    size_t u = *used, c = *count;
    memcpy(dst + u, p + i, end - i);
    for (size_t k = i; k < end; k += 3) starts[c++] = (ptrdiff_t)(u + (k - i));
    *used = u + (end - i);
    *count = c;
    return end;
}

/* The exact key's fast path with punctuation kept: from i, the run of three-byte characters from
   U+3001 to U+FFFF (CJK text, its punctuation, full-width forms), copied to dst at *o as they
   are. None of them is white space (U+3000 is; it ends the run), so none needs ICU. Returns
   where the run ends. */
static inline size_t winnow_exact_key_wide(const uint8_t *src, size_t i, size_t n, uint8_t *dst, size_t *o) {
    size_t w = *o;
    while (i + 3 <= n && src[i] >= 0xE3 && src[i] <= 0xEF
           && !(src[i] == 0xE3 && src[i + 1] == 0x80 && src[i + 2] == 0x80)) {
        dst[w] = src[i];
        dst[w + 1] = src[i + 1];
        dst[w + 2] = src[i + 2];
        w += 3;
        i += 3;
    }
    *o = w;
    return i;
}

/* The bottom-k sketch's candidates: the upper halves of the values whose upper half is below
   `limit`, in order, written to out without a branch per value; returns how many, or (size_t)-1
   when there are more than `capacity`. */
static inline size_t winnow_upper_halves_below(const uint64_t *values, size_t n, uint64_t limit, uint32_t *out,
                                               size_t capacity) {
    size_t count = 0;
    for (size_t i = 0; i < n; i++) {
        if (count == capacity) return (size_t)-1;
        const uint64_t upper = values[i] >> 32;
        out[count] = (uint32_t)upper;
        count += upper < limit;
    }
    return count;
}

/* Sorts n values, each below `limit`, ascending, through scratch (room for n values): a counting
   sort into up to 256 buckets by the values' top bits, then an insertion sort, which moves each
   value at most across its bucket. The bottom-k sketch's candidates are uniform below their
   bound, about one per bucket, so this is linear; the standard library's sort of them was 5%
   of a dedup run. */
static inline void winnow_sort_below_u32(uint32_t *a, size_t n, uint64_t limit, uint32_t *scratch) {
    uint32_t next[257];
    memset(next, 0, sizeof next);
    const unsigned bits = limit > 1 ? 64u - (unsigned)__builtin_clzll(limit - 1) : 1u;
    const unsigned shift = bits > 8 ? bits - 8 : 0;
    for (size_t i = 0; i < n; i++) next[(a[i] >> shift) + 1]++;
    for (size_t b = 0; b < 256; b++) next[b + 1] += next[b];
    for (size_t i = 0; i < n; i++) scratch[next[a[i] >> shift]++] = a[i];
    for (size_t i = 0; i < n; i++) {
        const uint32_t v = scratch[i];
        size_t j = i;
        while (j > 0 && a[j - 1] > v) {
            a[j] = a[j - 1];
            j--;
        }
        a[j] = v;
    }
}

#if defined(WINNOW_HAS_AVX2_PATH)
/* SimHash's bitwise majority with AVX-512 BW: bit k of the result is set when more than half of
   the n values have bit k set (ties clear). Each value's 64 bits become 64 byte lanes (one mask
   move) that are added to byte counters, widened to 32-bit counters every 255 values: one
   instruction per value instead of eight table lookups and adds. */
__attribute__((target("avx512f,avx512bw")))
static inline uint64_t winnow_bit_majority_avx512(const uint64_t *values, size_t n) {
    __m512i counts[4] = {_mm512_setzero_si512(), _mm512_setzero_si512(), _mm512_setzero_si512(), _mm512_setzero_si512()};
    size_t i = 0;
    while (i < n) {
        const size_t stop = n - i > 255 ? i + 255 : n;
        __m512i bytes = _mm512_setzero_si512();
        for (; i < stop; i++) bytes = _mm512_sub_epi8(bytes, _mm512_movm_epi8((__mmask64)values[i]));
        counts[0] = _mm512_add_epi32(counts[0], _mm512_cvtepu8_epi32(_mm512_extracti32x4_epi32(bytes, 0)));
        counts[1] = _mm512_add_epi32(counts[1], _mm512_cvtepu8_epi32(_mm512_extracti32x4_epi32(bytes, 1)));
        counts[2] = _mm512_add_epi32(counts[2], _mm512_cvtepu8_epi32(_mm512_extracti32x4_epi32(bytes, 2)));
        counts[3] = _mm512_add_epi32(counts[3], _mm512_cvtepu8_epi32(_mm512_extracti32x4_epi32(bytes, 3)));
    }
    const __m512i half = _mm512_set1_epi32((int)(n / 2));
    uint64_t result = 0;
    for (int q = 0; q < 4; q++) result |= (uint64_t)_mm512_cmpgt_epu32_mask(counts[q], half) << (16 * q);
    return result;
}
#endif

/* The same majority where AVX-512 BW is there: returns 1 and sets *result, else 0 (the caller
   counts). n must be below 2^32. */
static inline int winnow_bit_majority(const uint64_t *values, size_t n, uint64_t *result) {
#if defined(WINNOW_HAS_AVX2_PATH)
    if (winnow_cpu_has_avx512bw()) {
        *result = winnow_bit_majority_avx512(values, n);
        return 1;
    }
#endif
    (void)values;
    (void)n;
    (void)result;
    return 0;
}

/* xxHash (libxxhash-dev), compiled inline (XXH_INLINE_ALL): a shingle of twenty bytes is hashed
   without a call, and the library's names stay private to this header. Swift cannot see the
   macros that rename them, so Swift calls these wrappers. */
#define XXH_INLINE_ALL
#include <xxhash.h>
#include <stddef.h>
#include <stdint.h>

/* XXH64 of the n bytes at p. */
static inline uint64_t winnow_xxh64(const void *p, size_t n, uint64_t seed) {
    return XXH64(p, n, seed);
}

#if defined(WINNOW_HAS_AVX2_PATH)
#define WINNOW_XXH64_AVX512 1

/* XXH64 (seed 0) of eight windows at once, for windows of 4 to 31 bytes (shingles mostly are):
   the specification's short-input path (8-byte steps, one 4-byte step, then single bytes, then
   the avalanche), one window per 64-bit lane, with lanes masked off the steps their length does
   not take. A scalar XXH64 of twenty bytes is a chain of dependent multiplies whose length
   branches mispredict; eight lanes share one chain. Loads stay inside each window: the last
   bytes are taken from a 4-byte load that ends at the window's end. Returns the lanes it did
   not hash (shorter than 4 or longer than 31 bytes), for the caller to hash one by one. */
__attribute__((target("avx512f,avx512dq")))
static inline unsigned winnow_xxh64_x8(const uint8_t *bytes, const ptrdiff_t *starts, size_t span, size_t trim,
                                       uint64_t *out) {
    const __m512i p1 = _mm512_set1_epi64((long long)XXH_PRIME64_1), p2 = _mm512_set1_epi64((long long)XXH_PRIME64_2);
    const __m512i p3 = _mm512_set1_epi64((long long)XXH_PRIME64_3), p4 = _mm512_set1_epi64((long long)XXH_PRIME64_4);
    const __m512i p5 = _mm512_set1_epi64((long long)XXH_PRIME64_5);
    const __m512i from = _mm512_loadu_si512((const void *)starts);
    const __m512i to = _mm512_sub_epi64(_mm512_loadu_si512((const void *)(starts + span)), _mm512_set1_epi64((long long)trim));
    const __m512i len = _mm512_sub_epi64(to, from);
    const __mmask8 fits = _mm512_cmpge_epi64_mask(len, _mm512_set1_epi64(4)) & _mm512_cmplt_epi64_mask(len, _mm512_set1_epi64(32));
    __m512i h = _mm512_add_epi64(p5, len);
    const __m512i blocks = _mm512_srli_epi64(len, 3);
    __m512i at = from;
    for (int k = 0; k < 3; k++) {
        const __mmask8 m = fits & _mm512_cmpgt_epi64_mask(blocks, _mm512_set1_epi64(k));
        if (!m) break;
        const __m512i x = _mm512_mask_i64gather_epi64(_mm512_setzero_si512(), m, at, (const void *)bytes, 1);
        const __m512i r = _mm512_mullo_epi64(_mm512_rol_epi64(_mm512_mullo_epi64(x, p2), 31), p1);
        const __m512i g = _mm512_add_epi64(_mm512_mullo_epi64(_mm512_rol_epi64(_mm512_xor_si512(h, r), 27), p1), p4);
        h = _mm512_mask_mov_epi64(h, m, g);
        at = _mm512_mask_add_epi64(at, m, at, _mm512_set1_epi64(8));
    }
    const __mmask8 m4 = fits & _mm512_test_epi64_mask(len, _mm512_set1_epi64(4));
    if (m4) {
        const __m512i x = _mm512_cvtepu32_epi64(_mm512_mask_i64gather_epi32(_mm256_setzero_si256(), m4, at, (const void *)bytes, 1));
        const __m512i g = _mm512_add_epi64(_mm512_mullo_epi64(_mm512_rol_epi64(_mm512_xor_si512(h, _mm512_mullo_epi64(x, p1)), 23), p2), p3);
        h = _mm512_mask_mov_epi64(h, m4, g);
    }
    /* The last len % 4 bytes, from the 4-byte word ending at the window's end: byte j of them is
       at bit 8 (4 - rest + j). */
    const __m512i rest = _mm512_and_si512(len, _mm512_set1_epi64(3));
    const __mmask8 mr = fits & _mm512_test_epi64_mask(rest, rest);
    if (mr) {
        const __m512i tail = _mm512_cvtepu32_epi64(
            _mm512_mask_i64gather_epi32(_mm256_setzero_si256(), mr, _mm512_sub_epi64(to, _mm512_set1_epi64(4)), (const void *)bytes, 1));
        __m512i shift = _mm512_slli_epi64(_mm512_sub_epi64(_mm512_set1_epi64(4), rest), 3);
        for (int j = 0; j < 3; j++) {
            const __mmask8 m = mr & _mm512_cmpgt_epi64_mask(rest, _mm512_set1_epi64(j));
            if (!m) break;
            const __m512i b = _mm512_and_si512(_mm512_srlv_epi64(tail, shift), _mm512_set1_epi64(0xFF));
            const __m512i g = _mm512_mullo_epi64(_mm512_rol_epi64(_mm512_xor_si512(h, _mm512_mullo_epi64(b, p5)), 11), p1);
            h = _mm512_mask_mov_epi64(h, m, g);
            shift = _mm512_add_epi64(shift, _mm512_set1_epi64(8));
        }
    }
    h = _mm512_mullo_epi64(_mm512_xor_si512(h, _mm512_srli_epi64(h, 33)), p2);
    h = _mm512_mullo_epi64(_mm512_xor_si512(h, _mm512_srli_epi64(h, 29)), p3);
    h = _mm512_xor_si512(h, _mm512_srli_epi64(h, 32));
    _mm512_storeu_si512((void *)out, h);
    return (unsigned)(uint8_t)~fits;
}
#endif

/* XXH64 (seed 0) of window k of winnow_xxh64_windows. */
static inline uint64_t winnow_xxh64_window(const uint8_t *bytes, const ptrdiff_t *starts, size_t k, size_t span, size_t trim) {
    const size_t from = (size_t)starts[k], to = (size_t)starts[k + span] - trim;
    return XXH64(bytes + from, to - from, 0);
}

/* XXH64 (seed 0) of `count` windows of `bytes`: window i is bytes[starts[i] ..< starts[i + span] - trim],
   its hash goes to out[i]. Shingling calls this once per document: eight windows at a time with
   AVX-512 where the CPU has it, else one C loop over independent hashes, which the CPU overlaps,
   instead of a call per shingle. */
static inline void winnow_xxh64_windows(const uint8_t *bytes, const ptrdiff_t *starts, size_t count, size_t span,
                                        size_t trim, uint64_t *out) {
    size_t i = 0;
#if defined(WINNOW_XXH64_AVX512)
    if (count >= 8 && winnow_cpu_has_avx512dq()) {
        for (; i + 8 <= count; i += 8) {
            unsigned left = winnow_xxh64_x8(bytes, starts + i, span, trim, out + i);
            for (; left; left &= left - 1) {
                const size_t k = i + (size_t)__builtin_ctz(left);
                out[k] = winnow_xxh64_window(bytes, starts, k, span, trim);
            }
        }
    }
#endif
    for (; i < count; i++) out[i] = winnow_xxh64_window(bytes, starts, i, span, trim);
}

/* Where a regex match may start (the prefilter of WinnowText's MatchStartFilter). `classes` has a
   flag byte per byte value: 1 when a match can start with that byte whatever follows, 2 when it
   can start with that byte followed by some bytes only, 4 when the byte follows such a 2-byte in
   some start; `pairs` has 65,536 bits, bit (b0 << 8 | b1) set when a match can start with byte
   b0 followed by b1. Returns the first index >= i (and < n) that can start a match by those
   tables (the last byte of the text on its flag alone), or n. With AVX-512 VBMI the flags of 64
   bytes and of the 64 bytes after them come from four 128-entry byte permutes, with AVX2 those of
   32 from nibble-table shuffles (`truffle`, below), and only the places they pass look at `pairs`. */
static inline int winnow_pair_start_at(const uint8_t *p, size_t k, size_t n, const uint8_t *classes,
                                       const uint64_t *pairs) {
    const uint8_t flags = classes[p[k]];
    if (flags & 1) return 1;
    if (!(flags & 2)) return 0;
    if (k + 1 >= n) return 1;
    const unsigned pair = (unsigned)p[k] << 8 | p[k + 1];
    return (int)((pairs[pair >> 6] >> (pair & 63)) & 1);
}

#if defined(WINNOW_HAS_AVX2_PATH)
__attribute__((target("avx512f,avx512bw,avx512vbmi,bmi")))
static inline size_t winnow_next_pair_start_avx512(const uint8_t *p, size_t i, size_t n, const uint8_t *classes,
                                                   const uint64_t *pairs) {
    const __m512i t0 = _mm512_loadu_si512((const void *)classes), t1 = _mm512_loadu_si512((const void *)(classes + 64));
    const __m512i t2 = _mm512_loadu_si512((const void *)(classes + 128)), t3 = _mm512_loadu_si512((const void *)(classes + 192));
    const __m512i solo = _mm512_set1_epi8(1), paired = _mm512_set1_epi8(2), second = _mm512_set1_epi8(4);
    for (; i + 65 <= n; i += 64) {
        const __m512i v = _mm512_loadu_si512((const void *)(p + i)), w = _mm512_loadu_si512((const void *)(p + i + 1));
        const __m512i fv = _mm512_mask_blend_epi8(_mm512_movepi8_mask(v), _mm512_permutex2var_epi8(t0, v, t1),
                                                  _mm512_permutex2var_epi8(t2, v, t3));
        const __m512i fw = _mm512_mask_blend_epi8(_mm512_movepi8_mask(w), _mm512_permutex2var_epi8(t0, w, t1),
                                                  _mm512_permutex2var_epi8(t2, w, t3));
        uint64_t hits = _mm512_test_epi8_mask(fv, solo) |
                        (_mm512_test_epi8_mask(fv, paired) & _mm512_test_epi8_mask(fw, second));
        for (; hits; hits &= hits - 1) {
            const size_t k = i + (size_t)__builtin_ctzll(hits);
            if (winnow_pair_start_at(p, k, n, classes, pairs)) return k;
        }
    }
    return i;
}

/* The same 32 bytes per step with AVX2, where each flag is a set of bytes tested the "truffle" way:
   `truffle` holds, for flags 1, 2 and 4 in turn, two 16-byte tables indexed by a byte's low nibble
   (one for bytes below 0x80, one for the rest), whose bit h says whether the byte with high bits h
   has the flag. */
__attribute__((target("avx2")))
static inline __m256i winnow_truffle_avx2(__m256i v, const uint8_t *tables, __m256i bit) {
    const __m256i lo = _mm256_and_si256(v, _mm256_set1_epi8(0x0F));
    const __m256i low = _mm256_shuffle_epi8(_mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)tables)), lo);
    const __m256i high = _mm256_shuffle_epi8(_mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(tables + 16))), lo);
    const __m256i t = _mm256_blendv_epi8(low, high, v);
    return _mm256_cmpeq_epi8(_mm256_and_si256(t, bit), bit);
}

__attribute__((target("avx2")))
static inline size_t winnow_next_pair_start_avx2(const uint8_t *p, size_t i, size_t n, const uint8_t *classes,
                                                 const uint64_t *pairs, const uint8_t *truffle) {
    const __m256i powers = _mm256_setr_epi8(1, 2, 4, 8, 16, 32, 64, (char)128, 0, 0, 0, 0, 0, 0, 0, 0,
                                            1, 2, 4, 8, 16, 32, 64, (char)128, 0, 0, 0, 0, 0, 0, 0, 0);
    for (; i + 33 <= n; i += 32) {
        const __m256i v = _mm256_loadu_si256((const __m256i *)(p + i)), w = _mm256_loadu_si256((const __m256i *)(p + i + 1));
        const __m256i vbit = _mm256_shuffle_epi8(powers, _mm256_and_si256(_mm256_srli_epi16(v, 4), _mm256_set1_epi8(0x07)));
        const __m256i wbit = _mm256_shuffle_epi8(powers, _mm256_and_si256(_mm256_srli_epi16(w, 4), _mm256_set1_epi8(0x07)));
        const __m256i solo = winnow_truffle_avx2(v, truffle, vbit), paired = winnow_truffle_avx2(v, truffle + 32, vbit);
        const __m256i second = winnow_truffle_avx2(w, truffle + 64, wbit);
        uint32_t hits = (uint32_t)_mm256_movemask_epi8(_mm256_or_si256(solo, _mm256_and_si256(paired, second)));
        for (; hits; hits &= hits - 1) {
            const size_t k = i + (size_t)__builtin_ctz(hits);
            if (winnow_pair_start_at(p, k, n, classes, pairs)) return k;
        }
    }
    return i;
}
#endif

static inline size_t winnow_next_pair_start(const uint8_t *p, size_t i, size_t n, const uint8_t *classes,
                                            const uint64_t *pairs, const uint8_t *truffle) {
#if defined(WINNOW_HAS_AVX2_PATH)
    if (n - i >= 65 && winnow_cpu_has_avx512vbmi()) {
        i = winnow_next_pair_start_avx512(p, i, n, classes, pairs);
        if (i + 65 <= n) return i;
    } else if (n - i >= 33 && winnow_cpu_has_avx2()) {
        i = winnow_next_pair_start_avx2(p, i, n, classes, pairs, truffle);
        if (i + 33 <= n) return i;
    }
#endif
    for (; i < n; i++) if (classes[p[i]] & 3 && winnow_pair_start_at(p, i, n, classes, pairs)) return i;
    return n;
}

#endif
