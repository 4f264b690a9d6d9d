#ifndef WINNOW_CLIBXML2_SHIM_H
#define WINNOW_CLIBXML2_SHIM_H
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <libxml/parser.h>
#include <libxml/xmlreader.h>
#include <libxml/xmlerror.h>

/// xmlFree is a global function pointer, which Swift 6's strict concurrency rejects.
static inline void winnow_xmlFree(void *p) { xmlFree(p); }

/// Parses HTML from memory with every network and entity-loading path closed: no network access,
/// recover from broken markup, and no error output on stderr.
static inline htmlDocPtr winnow_htmlReadMemory(const char *buffer, int size, const char *encoding) {
    return htmlReadMemory(buffer, size, NULL, encoding,
                          HTML_PARSE_NONET | HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_COMPACT
                          | HTML_PARSE_IGNORE_ENC);
}

/// External entities and DTDs are never fetched, from disk or network: this loader refuses
/// every request (installed once per process, before any XML is read).
static xmlParserInputPtr winnow_refuse_external(const char *url, const char *id, xmlParserCtxtPtr ctxt) {
    (void)url; (void)id; (void)ctxt;
    return NULL;
}
static inline void winnow_xml_refuse_external_entities(void) { xmlSetExternalEntityLoader(winnow_refuse_external); }

/// Streams XML through a pull reader: no network, no DTD loading, no entity substitution (an
/// entity reference stays a reference node, which Winnow refuses), CDATA as text, default
/// depth and size limits (no XML_PARSE_HUGE), no error output on stderr. The stream is UTF-8
/// by the time libxml2 sees it (Winnow converts it with ICU), so the declaration is ignored.
static inline xmlTextReaderPtr winnow_xmlReaderForIO(xmlInputReadCallback read, void *context, const char *encoding) {
    return xmlReaderForIO(read, NULL, context, NULL, encoding,
                          XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_COMPACT
                          | XML_PARSE_IGNORE_ENC);
}

/// The message and line of the last libxml2 error on this thread.
static inline const char *winnow_xml_last_error(int *line) {
    xmlErrorPtr e = xmlGetLastError();
    if (e == NULL) { *line = 0; return NULL; }
    *line = e->line;
    return e->message;
}
static inline void winnow_xml_reset_last_error(void) { xmlResetLastError(); }
#endif
