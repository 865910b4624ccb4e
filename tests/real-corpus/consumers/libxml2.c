/* SPDX-License-Identifier: MIT */
/*
 * Oracle consumer for libxml2: parser, tree, XPath, serialisation, the
 * reader and writer APIs, the HTML parser, C14N, URIs, catalogs off, and
 * errors. LIBXML_TEST_VERSION hands LIBXML_VERSION to xmlCheckVersion() at
 * run time; public structures (xmlDoc, xmlNode, xmlNodeSet, xmlError) are
 * read through their members, as real consumers do; optional modules are
 * used when xmlversion.h says they are built in (as LIBXML_FTP_ENABLED).
 * Prints only what the library computes, never a compile-time version.
 */
#include <libxml/HTMLparser.h>
#include <libxml/c14n.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/uri.h>
#include <libxml/xmlreader.h>
#include <libxml/xmlsave.h>
#include <libxml/xmlwriter.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#ifdef LIBXML_FTP_ENABLED
#include <libxml/nanoftp.h>
#endif
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char doc_text[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<!DOCTYPE layers [\n"
    "  <!ENTITY oe \"OpenEmbedded\">\n"
    "  <!ELEMENT layers (layer*)>\n"
    "  <!ELEMENT layer (recipe*)>\n"
    "  <!ATTLIST layer name CDATA #REQUIRED priority CDATA \"5\">\n"
    "  <!ELEMENT recipe (#PCDATA)>\n"
    "  <!ATTLIST recipe pv CDATA #IMPLIED>\n"
    "]>\n"
    "<layers xmlns:x=\"urn:example:x\">\n"
    "  <!-- &oe; layers -->\n"
    "  <layer name=\"core\"><recipe pv=\"1.3.1\">zlib</recipe><recipe pv=\"2.9.14\">libxml2</recipe></layer>\n"
    "  <layer name=\"sstate-mgmt\" priority=\"7\"><recipe>gadget &amp; &oe;</recipe></layer>\n"
    "  <x:extra><![CDATA[raw <data>]]></x:extra>\n"
    "  <?pi target?>\n"
    "</layers>\n";

static void on_error(void *ctx, const char *msg, ...)
{
    char buf[512];
    va_list ap;
    (void)ctx;
    va_start(ap, msg);
    vsnprintf(buf, sizeof(buf), msg, ap);
    va_end(ap);
    /* one line per call, so fragmented messages stay readable */
    size_t n = strlen(buf);
    while (n && buf[n - 1] == '\n')
        buf[--n] = 0;
    printf("  error: %s\n", buf);
}

static void walk(xmlNodePtr node, int depth)
{
    for (; node; node = node->next) {
        printf("%*s%d %s", depth * 2, "", node->type, node->name ? (const char *)node->name : "-");
        if (node->type == XML_ELEMENT_NODE) {
            xmlAttrPtr a;
            for (a = node->properties; a; a = a->next) {
                xmlChar *v = xmlGetProp(node, a->name);
                printf(" @%s=%s", a->name, v);
                xmlFree(v);
            }
            if (node->ns)
                printf(" ns=%s", node->ns->href);
        } else if (node->content)
            printf(" \"%s\"", node->content);
        printf(" line %ld\n", xmlGetLineNo(node));
        walk(node->children, depth + 1);
    }
}

static void xpath(xmlDocPtr doc)
{
    static const char *exprs[] = {"//recipe", "count(//layer)", "string(//layer[2]/@priority)",
                                  "//recipe[@pv]/text()", "sum(//layer/@priority)",
                                  "//x:extra", "//*[local-name()='layer'][1]/recipe[last()]",
                                  "concat('a', substring('libxml2', 4))", "//nosuch", "1 div 0",
                                  "bad((("};
    xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
    xmlXPathRegisterNs(ctx, BAD_CAST "x", BAD_CAST "urn:example:x");
    unsigned i;
    for (i = 0; i < sizeof(exprs) / sizeof(exprs[0]); i++) {
        xmlXPathObjectPtr r = xmlXPathEvalExpression(BAD_CAST exprs[i], ctx);
        printf("xpath %s: ", exprs[i]);
        if (!r) {
            printf("NULL\n");
            continue;
        }
        switch (r->type) {
        case XPATH_NODESET: {
            int n = r->nodesetval ? r->nodesetval->nodeNr : 0, j;
            printf("nodeset %d:", n);
            for (j = 0; j < n; j++) {
                xmlChar *s = xmlNodeGetContent(r->nodesetval->nodeTab[j]);
                printf(" [%s]", s);
                xmlFree(s);
            }
            printf("\n");
            break;
        }
        case XPATH_NUMBER:
            printf("number %g\n", r->floatval);
            break;
        case XPATH_STRING:
            printf("string %s\n", r->stringval);
            break;
        case XPATH_BOOLEAN:
            printf("boolean %d\n", r->boolval);
            break;
        default:
            printf("type %d\n", r->type);
        }
        xmlXPathFreeObject(r);
    }
    xmlXPathFreeContext(ctx);
}

static void build_tree(void)
{
    xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
    xmlNodePtr root = xmlNewNode(NULL, BAD_CAST "build");
    xmlDocSetRootElement(doc, root);
    xmlNsPtr ns = xmlNewNs(root, BAD_CAST "urn:example:b", BAD_CAST "b");
    xmlNodePtr t = xmlNewChild(root, ns, BAD_CAST "task", BAD_CAST "do_compile");
    xmlNewProp(t, BAD_CAST "hash", BAD_CAST "abc123");
    xmlSetProp(t, BAD_CAST "hash", BAD_CAST "def456");
    xmlNewTextChild(root, NULL, BAD_CAST "note", BAD_CAST "a < b & c");
    xmlAddChild(root, xmlNewComment(BAD_CAST "generated"));
    xmlNodePtr copy = xmlCopyNode(t, 1);
    xmlNodeSetContent(copy, BAD_CAST "do_install");
    xmlAddNextSibling(t, copy);
    xmlUnlinkNode(t);
    xmlFreeNode(t);
    xmlChar *out;
    int len;
    xmlDocDumpFormatMemoryEnc(doc, &out, &len, "UTF-8", 1);
    printf("built document (%d bytes):\n%s", len, out);
    xmlFree(out);

    xmlBufferPtr buf = xmlBufferCreate();
    xmlNodeDump(buf, doc, root, 0, 0);
    printf("xmlNodeDump: %s\n", xmlBufferContent(buf));
    xmlBufferFree(buf);

    buf = xmlBufferCreate();
    xmlSaveCtxtPtr save = xmlSaveToBuffer(buf, "ISO-8859-1", XML_SAVE_NO_DECL);
    xmlSaveDoc(save, doc);
    xmlSaveClose(save);
    printf("xmlSaveToBuffer latin1: %s", xmlBufferContent(buf));
    xmlBufferFree(buf);
    xmlFreeDoc(doc);
}

static void reader(void)
{
    xmlTextReaderPtr r = xmlReaderForMemory(doc_text, (int)strlen(doc_text), "mem.xml", NULL,
                                            XML_PARSE_NOENT | XML_PARSE_DTDATTR);
    int ret, n = 0;
    while ((ret = xmlTextReaderRead(r)) == 1) {
        const xmlChar *name = xmlTextReaderConstName(r);
        const xmlChar *value = xmlTextReaderConstValue(r);
        printf("reader %d %d %s%s%s attrs %d\n", xmlTextReaderDepth(r), xmlTextReaderNodeType(r),
               name, value ? " = " : "", value ? (const char *)value : "",
               xmlTextReaderAttributeCount(r));
        n++;
    }
    printf("reader end %d after %d nodes\n", ret, n);
    xmlFreeTextReader(r);
}

static void writer(void)
{
    xmlBufferPtr buf = xmlBufferCreate();
    xmlTextWriterPtr w = xmlNewTextWriterMemory(buf, 0);
    xmlTextWriterSetIndent(w, 1);
    xmlTextWriterStartDocument(w, NULL, "UTF-8", NULL);
    xmlTextWriterStartElement(w, BAD_CAST "manifest");
    xmlTextWriterWriteAttribute(w, BAD_CAST "version", BAD_CAST "1");
    xmlTextWriterWriteFormatElement(w, BAD_CAST "count", "%d", 42);
    xmlTextWriterWriteElement(w, BAD_CAST "escaped", BAD_CAST "<&>\"");
    xmlTextWriterWriteCDATA(w, BAD_CAST "cdata ]] text");
    xmlTextWriterEndDocument(w);
    xmlFreeTextWriter(w);
    printf("writer:\n%s", xmlBufferContent(buf));
    xmlBufferFree(buf);
}

static void html(void)
{
    static const char page[] = "<html><head><title>t</title></head><body><p class=a>one<p>two"
                               "<br><table><tr><td>cell</table></body>";
    htmlDocPtr doc = htmlReadMemory(page, (int)strlen(page), "page.html", NULL,
                                    HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING);
    xmlChar *out;
    int len;
    htmlDocDumpMemory(doc, &out, &len);
    printf("html (%d bytes): %s", len, out);
    xmlFree(out);
    xmlFreeDoc(doc);
}

static void c14n_and_uri(xmlDocPtr doc)
{
    xmlChar *out = NULL;
    int len = xmlC14NDocDumpMemory(doc, NULL, XML_C14N_1_0, NULL, 0, &out);
    printf("c14n %d bytes: %s\n", len, out);
    xmlFree(out);
    static const char *uris[] = {"http://example.org/a/b/../c?x=1#f", "file:///tmp/x%20y",
                                 "rel/path", "::bad"};
    unsigned i;
    for (i = 0; i < sizeof(uris) / sizeof(uris[0]); i++) {
        xmlURIPtr u = xmlParseURI(uris[i]);
        if (!u) {
            printf("uri %s: NULL\n", uris[i]);
            continue;
        }
        xmlChar *s = xmlSaveUri(u);
        printf("uri %s: scheme %s path %s -> %s\n", uris[i], u->scheme ? u->scheme : "-",
               u->path ? u->path : "-", s);
        xmlFree(s);
        xmlFreeURI(u);
    }
    xmlChar *b = xmlBuildURI(BAD_CAST "../d/e", BAD_CAST "http://example.org/a/b/c");
    printf("xmlBuildURI: %s\n", b);
    xmlFree(b);
}

int main(void)
{
    LIBXML_TEST_VERSION   /* xmlCheckVersion(LIBXML_VERSION) */
    /* The runtime version shows which library was loaded. */
    printf("xmlParserVersion: %s\n", xmlParserVersion);
    printf("features: thread %d tree %d xpath %d reader %d writer %d c14n %d html %d\n",
           xmlHasFeature(XML_WITH_THREAD), xmlHasFeature(XML_WITH_TREE),
           xmlHasFeature(XML_WITH_XPATH), xmlHasFeature(XML_WITH_READER),
           xmlHasFeature(XML_WITH_WRITER), xmlHasFeature(XML_WITH_C14N),
           xmlHasFeature(XML_WITH_HTML));
    xmlSetGenericErrorFunc(NULL, on_error);

    xmlDocPtr doc = xmlReadMemory(doc_text, (int)strlen(doc_text), "mem.xml", NULL,
                                  XML_PARSE_NOENT | XML_PARSE_DTDATTR | XML_PARSE_NOCDATA);
    printf("parsed: %s, encoding %s, version %s\n", doc ? "yes" : "no",
           doc && doc->encoding ? (const char *)doc->encoding : "-",
           doc ? (const char *)doc->version : "-");
    walk(xmlDocGetRootElement(doc), 0);
    xpath(doc);
    c14n_and_uri(doc);
    xmlChar *out;
    int len;
    xmlDocDumpMemory(doc, &out, &len);
    printf("dump %d bytes:\n%s", len, out);
    xmlFree(out);
    xmlFreeDoc(doc);

#ifdef LIBXML_FTP_ENABLED
    /* No network: a context is created and freed, nothing is fetched. */
    xmlNanoFTPInit();
    void *ftp = xmlNanoFTPNewCtxt("ftp://ftp.example.org/pub/layer.xml");
    printf("nanoftp: context %s\n", ftp ? "created" : "NULL");
    xmlNanoFTPFreeCtxt(ftp);
    xmlNanoFTPCleanup();
#else
    printf("nanoftp: not built in\n");
#endif

    build_tree();
    reader();
    writer();
    html();

    /* Malformed input: the error path, and the last error's structure. */
    doc = xmlReadMemory("<a><b></a>", 10, "bad.xml", NULL, 0);
    xmlErrorPtr err = xmlGetLastError();
    printf("malformed: doc %s, last error domain %d code %d line %d\n", doc ? "yes" : "no",
           err ? err->domain : -1, err ? err->code : -1, err ? err->line : -1);
    xmlFreeDoc(doc);
    xmlResetLastError();

    xmlChar *s = xmlStrdup(BAD_CAST "Hello");
    s = xmlStrcat(s, BAD_CAST ", world");
    printf("xmlStr: %s len %d cmp %d casecmp %d utf8 %d\n", s, xmlStrlen(s),
           xmlStrcmp(s, BAD_CAST "Hello"), xmlStrcasecmp(BAD_CAST "ABC", BAD_CAST "abc"),
           xmlUTF8Strlen(BAD_CAST "\xc3\xa9t\xc3\xa9"));
    xmlFree(s);
    xmlCleanupParser();
    return 0;
}
