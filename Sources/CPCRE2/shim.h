#ifndef WINNOW_CPCRE2_SHIM_H
#define WINNOW_CPCRE2_SHIM_H
// PCRE2 is compiled for one code-unit width by defining this before the header; Winnow uses
// the 8-bit library on UTF-8 text. The width-suffixed functions (pcre2_compile_8, ...) are plain
// declarations Swift can call directly; the few macros Swift cannot import are wrapped here.
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

static inline size_t winnow_pcre2_unset(void) { return PCRE2_UNSET; }
static inline int winnow_pcre2_jit_available(void) {
    uint32_t yes = 0;
    return pcre2_config_8(PCRE2_CONFIG_JIT, &yes) >= 0 && yes;
}
#endif
