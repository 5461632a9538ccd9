/* model/xml_util: safe parsing, schema validation and escaping for tools/. */
#include "model/xml_util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/relaxng.h>
#include <libxml/xmlerror.h>

#include "common/strv.h"

int xml_util_read_file(const char *path, char **buf_r, size_t *len_r, char **err_r)
{
	int fd = -1, rc;
	char *buf = NULL;
	size_t len = 0, cap = 0;
	struct stat st;

	*buf_r = NULL;
	if (!strcmp(path, "-")) {
		fd = dup(STDIN_FILENO);
	} else {
		fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	if (fd < 0) {
		rc = -errno;
		*err_r = str_printf("Failed to open file '%s': %s", path, strerror(errno));
		goto out;
	}
	/* Refuse a huge regular file before reading any of it. */
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (unsigned long long)st.st_size > XML_UTIL_MAX_DOC) {
		rc = -EFBIG;
		*err_r = str_printf("file '%s' is too large (%lld bytes, at most %u)", path,
				      (long long)st.st_size, XML_UTIL_MAX_DOC);
		goto out;
	}
	for (;;) {
		ssize_t r;

		if (len == cap) {
			char *n;

			if (cap > XML_UTIL_MAX_DOC) {
				rc = -EFBIG;
				*err_r = str_printf("file '%s' is too large (more than %u bytes)", path,
						      XML_UTIL_MAX_DOC);
				goto out;
			}
			cap = cap ? cap * 2 : 65536;
			if (cap > XML_UTIL_MAX_DOC + 1)
				cap = XML_UTIL_MAX_DOC + 1;
			n = realloc(buf, cap + 1);
			if (!n) {
				rc = -ENOMEM;
				*err_r = str_printf("out of memory reading '%s'", path);
				goto out;
			}
			buf = n;
		}
		r = read(fd, buf + len, cap - len);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			*err_r = str_printf("Failed to read file '%s': %s", path, strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	if (len > XML_UTIL_MAX_DOC) {
		rc = -EFBIG;
		*err_r = str_printf("file '%s' is too large (more than %u bytes)", path, XML_UTIL_MAX_DOC);
		goto out;
	}
	if (!buf) {
		buf = malloc(1);
		if (!buf) {
			rc = -ENOMEM;
			goto out;
		}
	}
	buf[len] = '\0';
	*buf_r = buf;
	*len_r = len;
	buf = NULL;
	rc = 0;
out:
	free(buf);
	if (fd >= 0)
		close(fd);
	return rc;
}

/* A DOCTYPE stops the parser before any entity is declared or used. */
static void refuse_subset(void *ctx, const xmlChar *name, const xmlChar *eid, const xmlChar *sid)
{
	xmlParserCtxtPtr ctxt = ctx;

	ctxt->_private = (void *)1;
	xmlStopParser(ctxt);
}

static char *chomp(char *s)
{
	size_t n = s ? strlen(s) : 0;

	while (n && (s[n - 1] == '\n' || s[n - 1] == ' '))
		s[--n] = '\0';
	return s;
}

int xml_util_parse(const char *buf, size_t len, xmlDocPtr *doc_r, char **err_r)
{
	xmlParserCtxtPtr ctxt = NULL;
	xmlDocPtr doc = NULL;
	int rc;

	*doc_r = NULL;
	if (len > XML_UTIL_MAX_DOC) {
		*err_r = str_printf("XML document is too large (%zu bytes, at most %u)", len, XML_UTIL_MAX_DOC);
		return -EFBIG;
	}
	if (len > (size_t)INT32_MAX) {
		*err_r = str_printf("XML document is too large");
		return -EFBIG;
	}
	ctxt = xmlNewParserCtxt();
	if (!ctxt) {
		*err_r = str_printf("out of memory");
		return -ENOMEM;
	}
	ctxt->sax->internalSubset = refuse_subset;
	ctxt->sax->externalSubset = refuse_subset;
	ctxt->_private = NULL;
	doc = xmlCtxtReadMemory(ctxt, buf, (int)len, "domain.xml", NULL,
				XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_NOERROR |
					XML_PARSE_NOWARNING | XML_PARSE_NOCDATA);
	if (ctxt->_private) {
		*err_r = str_printf("XML documents with a DOCTYPE (DTDs, entity declarations) are not accepted");
		rc = -EINVAL;
		goto out;
	}
	if (!doc || !ctxt->wellFormed) {
		const xmlError *e = xmlCtxtGetLastError(ctxt);

		if (e && e->message)
			*err_r = str_printf("XML error at line %d: %s", e->line, e->message);
		else
			*err_r = str_printf("XML error: document is not well-formed");
		chomp(*err_r);
		rc = -EINVAL;
		goto out;
	}
	if (!xmlDocGetRootElement(doc)) {
		*err_r = str_printf("XML error: no root element");
		rc = -EINVAL;
		goto out;
	}
	*doc_r = doc;
	doc = NULL;
	rc = 0;
out:
	if (doc)
		xmlFreeDoc(doc);
	xmlFreeParserCtxt(ctxt);
	return rc;
}

char *xml_util_schema_path(const char *name)
{
	const char *dir = getenv("XVIRSH_SCHEMADIR");

	return str_printf("%s/%s", dir && *dir ? dir : XML_UTIL_SCHEMA_DIR, name);
}

/* Collects the validator's messages into one string, at most a few lines. */
struct validity_errors {
	FILE *f;
	char *buf;
	size_t len;
	unsigned count;
};

static void collect_error(void *arg, xmlErrorPtr e)
{
	struct validity_errors *ve = arg;

	if (!e || ve->count >= 5)
		return;
	ve->count++;
	if (ve->count > 1)
		fputs("; ", ve->f);
	if (e->line)
		fprintf(ve->f, "line %d: ", e->line);
	if (e->message) {
		char *m = strdup(e->message);

		fputs(chomp(m) ? m : "", ve->f);
		free(m);
	}
}

int xml_util_validate(const char *buf, size_t len, const char *schema_path, char **err_r)
{
	xmlRelaxNGParserCtxtPtr pctxt = NULL;
	xmlRelaxNGPtr schema = NULL;
	xmlRelaxNGValidCtxtPtr vctxt = NULL;
	xmlDocPtr doc = NULL;
	struct validity_errors ve = { 0 };
	int rc, r;

	rc = xml_util_parse(buf, len, &doc, err_r);
	if (rc)
		return rc;
	if (access(schema_path, R_OK) != 0) {
		*err_r = str_printf("cannot read schema '%s': %s", schema_path, strerror(errno));
		rc = -ENOENT;
		goto out;
	}
	pctxt = xmlRelaxNGNewParserCtxt(schema_path);
	if (!pctxt) {
		rc = -ENOMEM;
		*err_r = str_printf("out of memory");
		goto out;
	}
	/* The schemas are trusted files; silence their parse chatter. */
	xmlRelaxNGSetParserStructuredErrors(pctxt, NULL, NULL);
	xmlRelaxNGSetParserErrors(pctxt, NULL, NULL, NULL);
	schema = xmlRelaxNGParse(pctxt);
	if (!schema) {
		*err_r = str_printf("cannot parse schema '%s'", schema_path);
		rc = -ENOENT;
		goto out;
	}
	vctxt = xmlRelaxNGNewValidCtxt(schema);
	if (!vctxt) {
		rc = -ENOMEM;
		*err_r = str_printf("out of memory");
		goto out;
	}
	ve.f = open_memstream(&ve.buf, &ve.len);
	if (!ve.f) {
		rc = -ENOMEM;
		goto out;
	}
	xmlRelaxNGSetValidStructuredErrors(vctxt, collect_error, &ve);
	r = xmlRelaxNGValidateDoc(vctxt, doc);
	fclose(ve.f);
	ve.f = NULL;
	if (r != 0) {
		*err_r = str_printf("XML document failed to validate against schema: %s",
				      ve.len ? ve.buf : "(no detail)");
		rc = -EINVAL;
		goto out;
	}
	rc = 0;
out:
	free(ve.buf);
	if (vctxt)
		xmlRelaxNGFreeValidCtxt(vctxt);
	if (schema)
		xmlRelaxNGFree(schema);
	if (pctxt)
		xmlRelaxNGFreeParserCtxt(pctxt);
	xmlFreeDoc(doc);
	return rc;
}

void xml_util_escape(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '\'': fputs("&apos;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(*s, f);
		}
	}
}

char *xml_util_prop(xmlNodePtr node, const char *name)
{
	xmlChar *v = xmlGetNoNsProp(node, (const xmlChar *)name);
	char *s;

	if (!v)
		return NULL;
	s = strdup((const char *)v);
	xmlFree(v);
	return s;
}

char *xml_util_text(xmlNodePtr node)
{
	xmlChar *v = xmlNodeGetContent(node);
	char *s;

	if (!v)
		return NULL;
	s = strdup((const char *)v);
	xmlFree(v);
	return s;
}
