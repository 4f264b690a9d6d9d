#ifndef WINNOW_CMEMORYHINTS_SHIM_H
#define WINNOW_CMEMORYHINTS_SHIM_H
/* Cache and allocator hints Swift has no spelling for. */
#if defined(__GLIBC__)
#include <malloc.h>
#endif

/* Starts loading the cache line at `address` for reading, without waiting for it. */
static inline void winnow_prefetch(const void *address) { __builtin_prefetch(address, 0, 3); }

/* Keep freed heap memory for reuse: blocks up to `mmap_threshold` bytes come from the heap
   instead of fresh mappings, and up to `trim_threshold` free bytes stay at its top. glibc only;
   elsewhere nothing happens. */
static inline void winnow_keep_freed_memory(int mmap_threshold, int trim_threshold) {
#if defined(__GLIBC__)
    mallopt(M_MMAP_THRESHOLD, mmap_threshold);
    mallopt(M_TRIM_THRESHOLD, trim_threshold);
#else
    (void)mmap_threshold; (void)trim_threshold;
#endif
}
#endif
