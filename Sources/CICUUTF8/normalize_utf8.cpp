#include "winnow_icu_utf8.h"
#include <unicode/bytestream.h>
#include <unicode/normalizer2.h>
#include <unicode/stringpiece.h>

namespace {
const icu::Normalizer2 *instance(int form, UErrorCode &status) {
    switch (form) {
    case 0: return icu::Normalizer2::getNFCInstance(status);
    case 1: return icu::Normalizer2::getNFKCInstance(status);
    default: return icu::Normalizer2::getNFKCCasefoldInstance(status);
    }
}
}  // namespace

extern "C" int winnow_is_normalized_utf8(int form, const char *src, int32_t length, int32_t *status) {
    UErrorCode code = U_ZERO_ERROR;
    const icu::Normalizer2 *normalizer = instance(form, code);
    UBool yes = U_SUCCESS(code) ? normalizer->isNormalizedUTF8(icu::StringPiece(src, length), code) : false;
    *status = code;
    return U_FAILURE(code) ? -1 : (yes ? 1 : 0);
}

extern "C" int32_t winnow_normalize_utf8(int form, const char *src, int32_t length, char *dst, int32_t capacity,
                                         int32_t *status) {
    UErrorCode code = U_ZERO_ERROR;
    const icu::Normalizer2 *normalizer = instance(form, code);
    if (U_FAILURE(code)) {
        *status = code;
        return 0;
    }
    icu::CheckedArrayByteSink sink(dst, capacity);
    normalizer->normalizeUTF8(0, icu::StringPiece(src, length), sink, nullptr, code);
    if (U_SUCCESS(code) && sink.Overflowed()) code = U_BUFFER_OVERFLOW_ERROR;
    *status = code;
    return sink.NumberOfBytesAppended();
}
