#ifndef WINNOW_CBYTESCAN_SHIM_H
#define WINNOW_CBYTESCAN_SHIM_H
/* Byte scans for the hottest loops: find the next byte of a small class, sixteen bytes per step
   with SSE2 (baseline on x86-64), one byte per step elsewhere. Swift's SIMD types do not
   reliably compile to vector compares and movemask, and a table lookup per byte runs at about
   1 GB/s; these run at memory speed. Each returns the first index >= i (and < n) whose byte is
   in the class, or n. */
#include <stddef.h>
#include <stdint.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* A byte a JSON string cannot hold as is: '"', '\\' or a control byte below 0x20. */
static inline int winnow_is_json_special(uint8_t b) { return b == 0x22 || b == 0x5C || b < 0x20; }

static inline size_t winnow_next_json_special(const uint8_t *p, size_t i, size_t n) {
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8(0x22), backslash = _mm_set1_epi8(0x5C), bias = _mm_set1_epi8((char)0x80),
                  limit = _mm_set1_epi8((char)(0x20 ^ 0x80));
    for (; i + 16 <= n; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(p + i));
        /* Unsigned v < 0x20 as a signed compare of v ^ 0x80 with 0x20 ^ 0x80. */
        __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                                   _mm_cmplt_epi8(_mm_xor_si128(v, bias), limit));
        int mask = _mm_movemask_epi8(hit);
        if (mask) return i + (size_t)__builtin_ctz((unsigned)mask);
    }
#endif
    for (; i < n; i++) if (winnow_is_json_special(p[i])) return i;
    return n;
}

/* A byte the PII text profile looks at: digits and ':' (0x30-0x3A), '-', '@', 'A', '_', 'x',
   and 0xEF (the lead byte of full-width digits). */
static inline int winnow_is_pii_mark(uint8_t b) {
    return (b >= 0x30 && b <= 0x3A) || b == 0x2D || b == 0x40 || b == 0x41 || b == 0x5F || b == 0x78 || b == 0xEF;
}

static inline size_t winnow_next_pii_mark(const uint8_t *p, size_t i, size_t n) {
#if defined(__SSE2__)
    const __m128i bias = _mm_set1_epi8((char)0x80);
    /* (v - 0x30) as unsigned < 11, i.e. signed ((v - 0x30) ^ 0x80) < (11 ^ 0x80). */
    const __m128i zero = _mm_set1_epi8(0x30), eleven = _mm_set1_epi8((char)(11 ^ 0x80));
    const __m128i dash = _mm_set1_epi8(0x2D), at = _mm_set1_epi8(0x40), a = _mm_set1_epi8(0x41),
                  underscore = _mm_set1_epi8(0x5F), x = _mm_set1_epi8(0x78), ef = _mm_set1_epi8((char)0xEF);
    for (; i + 16 <= n; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(p + i));
        __m128i digit = _mm_cmplt_epi8(_mm_xor_si128(_mm_sub_epi8(v, zero), bias), eleven);
        __m128i hit = _mm_or_si128(_mm_or_si128(digit, _mm_cmpeq_epi8(v, dash)),
                                   _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, at), _mm_cmpeq_epi8(v, a)),
                                                _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, underscore), _mm_cmpeq_epi8(v, x)),
                                                             _mm_cmpeq_epi8(v, ef))));
        int mask = _mm_movemask_epi8(hit);
        if (mask) return i + (size_t)__builtin_ctz((unsigned)mask);
    }
#endif
    for (; i < n; i++) if (winnow_is_pii_mark(p[i])) return i;
    return n;
}
#endif
