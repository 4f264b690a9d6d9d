#ifndef WINNOW_CBZIP2_SHIM_H
#define WINNOW_CBZIP2_SHIM_H
#include <bzlib.h>
#endif
