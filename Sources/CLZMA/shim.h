#ifndef WINNOW_CLZMA_SHIM_H
#define WINNOW_CLZMA_SHIM_H
#include <string.h>
#include <lzma.h>

/// LZMA_STREAM_INIT is a macro; Swift cannot use it. Opens an .xz decoder that reads
/// concatenated streams, with no memory limit beyond the format's own.
static inline lzma_ret winnow_lzma_open(lzma_stream *s) {
    memset(s, 0, sizeof(*s));
    return lzma_stream_decoder(s, UINT64_MAX, LZMA_CONCATENATED);
}
#endif
