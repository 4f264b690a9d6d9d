#ifndef WINNOW_CMEMORYHINTS_SHIM_H
#define WINNOW_CMEMORYHINTS_SHIM_H
/* Cache hints Swift has no spelling for. */

/* Starts loading the cache line at `address` for reading, without waiting for it. */
static inline void winnow_prefetch(const void *address) { __builtin_prefetch(address, 0, 3); }
#endif
