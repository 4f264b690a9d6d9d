#ifndef WINNOW_CZLIB_SHIM_H
#define WINNOW_CZLIB_SHIM_H
#include <zlib.h>

/// inflateInit2/deflateInit are macros over the *_ functions; Swift cannot call macros.
static inline int winnow_inflate_init(z_stream *s, int windowBits) {
    return inflateInit2(s, windowBits);
}
static inline int winnow_deflate_init(z_stream *s, int level) {
    return deflateInit(s, level);
}
#endif
