#ifndef WINNOW_CLZMA_SHIM_H
#define WINNOW_CLZMA_SHIM_H
#include <string.h>
#include <lzma.h>

/// LZMA_STREAM_INIT is a macro; Swift cannot use it. Opens an .xz decoder that reads
/// concatenated streams and refuses files whose dictionary would need more than 1 GiB
/// (xz -9 needs 65 MiB; a larger header is a memory bomb).
static inline lzma_ret winnow_lzma_open(lzma_stream *s) {
    memset(s, 0, sizeof(*s));
    return lzma_stream_decoder(s, (uint64_t)1 << 30, LZMA_CONCATENATED);
}
#endif
