#ifndef WINNOW_ICU_UTF8_H
#define WINNOW_ICU_UTF8_H
/* ICU's normalizers on UTF-8 directly (C++ Normalizer2::normalizeUTF8 and isNormalizedUTF8, ICU
   60 and later), behind a C interface Swift can call: the C API only takes UTF-16, which costs a
   conversion there and back for every piece of text. `form`: 0 NFC, 1 NFKC, 2 NFKC_Casefold. */
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif

/* 1 when `src` is already normalized, 0 when not, -1 on an ICU error (its code in *status). */
int winnow_is_normalized_utf8(int form, const char *src, int32_t length, int32_t *status);

/* Writes the normalization of `src` to `dst` and returns its length; when that exceeds `capacity`
   nothing usable is written, *status is U_BUFFER_OVERFLOW_ERROR and the length needed is
   returned. Other ICU errors leave their code in *status. */
int32_t winnow_normalize_utf8(int form, const char *src, int32_t length, char *dst, int32_t capacity, int32_t *status);

#ifdef __cplusplus
}
#endif
#endif
