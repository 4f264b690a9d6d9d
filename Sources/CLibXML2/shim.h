#ifndef WINNOW_CLIBXML2_SHIM_H
#define WINNOW_CLIBXML2_SHIM_H
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <libxml/parser.h>

/// xmlFree is a global function pointer, which Swift 6's strict concurrency rejects.
static inline void winnow_xmlFree(void *p) { xmlFree(p); }

/// Parses HTML from memory with every network and entity-loading path closed: no network access,
/// recover from broken markup, and no error output on stderr.
static inline htmlDocPtr winnow_htmlReadMemory(const char *buffer, int size, const char *encoding) {
    return htmlReadMemory(buffer, size, NULL, encoding,
                          HTML_PARSE_NONET | HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_COMPACT);
}
#endif
