#ifndef WINNOW_CICU_SHIM_H
#define WINNOW_CICU_SHIM_H
// ICU renames every C entry point with a version suffix (u_strToUTF8 -> u_strToUTF8_72) through
// function-like macros, which Swift cannot see. Each function Winnow uses is wrapped here once.
#include <unicode/utypes.h>
#include <unicode/uchar.h>
#include <unicode/ustring.h>
#include <unicode/unorm2.h>
#include <unicode/utext.h>
#include <unicode/ubrk.h>
#include <unicode/ucnv.h>
#include <unicode/ucsdet.h>

static inline const char *winnow_u_errorName(UErrorCode code) { return u_errorName(code); }

// Normalization
static inline const UNormalizer2 *winnow_nfc(UErrorCode *e) { return unorm2_getNFCInstance(e); }
static inline const UNormalizer2 *winnow_nfkc(UErrorCode *e) { return unorm2_getNFKCInstance(e); }
static inline const UNormalizer2 *winnow_nfkc_casefold(UErrorCode *e) { return unorm2_getNFKCCasefoldInstance(e); }
static inline int32_t winnow_unorm2_normalize(const UNormalizer2 *n, const UChar *src, int32_t len,
                                              UChar *dest, int32_t cap, UErrorCode *e) {
    return unorm2_normalize(n, src, len, dest, cap, e);
}
static inline int winnow_unorm2_is_normalized(const UNormalizer2 *n, const UChar *src, int32_t len, UErrorCode *e) {
    return unorm2_quickCheck(n, src, len, e) == UNORM_YES;
}

// UTF-8 <-> UTF-16, case folding
static inline UChar *winnow_u_strFromUTF8(UChar *dest, int32_t cap, int32_t *len, const char *src,
                                          int32_t srcLen, UErrorCode *e) {
    return u_strFromUTF8(dest, cap, len, src, srcLen, e);
}
static inline char *winnow_u_strToUTF8(char *dest, int32_t cap, int32_t *len, const UChar *src,
                                       int32_t srcLen, UErrorCode *e) {
    return u_strToUTF8(dest, cap, len, src, srcLen, e);
}
static inline int32_t winnow_u_strFoldCase(UChar *dest, int32_t cap, const UChar *src, int32_t len, UErrorCode *e) {
    return u_strFoldCase(dest, cap, src, len, U_FOLD_CASE_DEFAULT, e);
}

// UText over UTF-8
static inline UText *winnow_utext_openUTF8(UText *ut, const char *s, int64_t len, UErrorCode *e) {
    return utext_openUTF8(ut, s, len, e);
}
static inline void winnow_utext_close(UText *ut) { utext_close(ut); }

// Word boundaries
static inline UBreakIterator *winnow_ubrk_open_word(const char *locale, UErrorCode *e) {
    return ubrk_open(UBRK_WORD, locale, NULL, 0, e);
}
static inline void winnow_ubrk_close(UBreakIterator *b) { ubrk_close(b); }
static inline void winnow_ubrk_setUText(UBreakIterator *b, UText *t, UErrorCode *e) { ubrk_setUText(b, t, e); }
static inline int32_t winnow_ubrk_first(UBreakIterator *b) { return ubrk_first(b); }
static inline int32_t winnow_ubrk_next(UBreakIterator *b) { return ubrk_next(b); }
static inline int32_t winnow_ubrk_getRuleStatus(UBreakIterator *b) { return ubrk_getRuleStatus(b); }
static inline int32_t winnow_ubrk_done(void) { return UBRK_DONE; }
static inline int32_t winnow_ubrk_word_none_limit(void) { return UBRK_WORD_NONE_LIMIT; }

// Character properties (shingling decides what counts as a letter or digit).
static inline UBool winnow_u_isalnum(UChar32 c) { return u_isalnum(c); }
static inline UBool winnow_u_isalpha(UChar32 c) { return u_isalpha(c); }
static inline UBool winnow_u_isUWhiteSpace(UChar32 c) { return u_isUWhiteSpace(c); }

// Charset conversion
static inline UConverter *winnow_ucnv_open(const char *name, UErrorCode *e) { return ucnv_open(name, e); }
static inline void winnow_ucnv_close(UConverter *c) { ucnv_close(c); }
static inline const char *winnow_ucnv_getName(const UConverter *c, UErrorCode *e) { return ucnv_getName(c, e); }
static inline void winnow_ucnv_convertEx(UConverter *target, UConverter *source, char **t, const char *tLimit,
                                         const char **s, const char *sLimit, UChar *pivotStart, UChar **pivotSource,
                                         UChar **pivotTarget, const UChar *pivotLimit, UBool reset, UBool flush,
                                         UErrorCode *e) {
    ucnv_convertEx(target, source, t, tLimit, s, sLimit, pivotStart, pivotSource, pivotTarget, pivotLimit,
                   reset, flush, e);
}
/// Makes a converter stop with an error on unmappable input instead of substituting silently.
static inline void winnow_ucnv_setToUCallBack_stop(UConverter *c, UErrorCode *e) {
    ucnv_setToUCallBack(c, UCNV_TO_U_CALLBACK_STOP, NULL, NULL, NULL, e);
}

// Charset detection (the fallback when a page declares nothing)
static inline UCharsetDetector *winnow_ucsdet_open(UErrorCode *e) { return ucsdet_open(e); }
static inline void winnow_ucsdet_close(UCharsetDetector *d) { ucsdet_close(d); }
static inline void winnow_ucsdet_setText(UCharsetDetector *d, const char *text, int32_t len, UErrorCode *e) {
    ucsdet_setText(d, text, len, e);
}
static inline const UCharsetMatch *winnow_ucsdet_detect(UCharsetDetector *d, UErrorCode *e) { return ucsdet_detect(d, e); }
static inline const char *winnow_ucsdet_getName(const UCharsetMatch *m, UErrorCode *e) { return ucsdet_getName(m, e); }
static inline int32_t winnow_ucsdet_getConfidence(const UCharsetMatch *m, UErrorCode *e) { return ucsdet_getConfidence(m, e); }
#endif
