#ifndef WINNOW_CLZ4_SHIM_H
#define WINNOW_CLZ4_SHIM_H
#include <lz4.h>
#endif
