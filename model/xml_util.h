/*
 * Helpers shared by the XML models in tools/: reading a document with a
 * size cap, parsing it with libxml2 in a mode that cannot reach the network
 * or the file system through entities, validating it against one of
 * libvirt's RelaxNG schemas, and writing escaped XML.
 *
 * Errors are returned as negative errno values with a malloc'ed message in
 * *err_r (the caller frees it); *err_r is left NULL on success.
 */
#ifndef MODEL_XML_UTIL_H
#define MODEL_XML_UTIL_H

#include <stddef.h>
#include <stdio.h>

#include <libxml/tree.h>

/* Documents larger than this are refused before they are parsed. */
#define XML_UTIL_MAX_DOC (10u * 1024 * 1024)

/* Where libvirt's schemas live; $XVIRSH_SCHEMADIR overrides it. */
#define XML_UTIL_SCHEMA_DIR "/usr/share/libvirt/schemas"

/*
 * Reads a whole file ("-" is stdin) of at most XML_UTIL_MAX_DOC bytes into a
 * NUL-terminated buffer. Returns 0, -EFBIG when the file is larger, or
 * -errno when it cannot be read.
 */
int xml_util_read_file(const char *path, char **buf_r, size_t *len_r, char **err_r);

/*
 * Parses a document. Network access is off (XML_PARSE_NONET), entities are
 * never substituted nor DTDs loaded, and a document with a DOCTYPE is
 * refused outright, so that entity expansion attacks (billion laughs,
 * external entities) never start. Blank text nodes are dropped.
 * Returns 0 with *doc_r set, or -EINVAL with the parser's message.
 */
int xml_util_parse(const char *buf, size_t len, xmlDocPtr *doc_r, char **err_r);

/* The full path of a schema file name such as "domain.rng". Caller frees. */
char *xml_util_schema_path(const char *name);

/*
 * Validates a document against a RelaxNG schema file (libxml2's RelaxNG
 * support). Returns 0 when valid, -EINVAL with the first validity errors
 * in *err_r, -ENOENT when the schema cannot be loaded.
 */
int xml_util_validate(const char *buf, size_t len, const char *schema_path, char **err_r);

/* Escapes text for an element body or a single-quoted attribute. */
void xml_util_escape(FILE *f, const char *s);

/* The text of an attribute or of an element, as a new string, or NULL. */
char *xml_util_prop(xmlNodePtr node, const char *name);
char *xml_util_text(xmlNodePtr node);

#endif
