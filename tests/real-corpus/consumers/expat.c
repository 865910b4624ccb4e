/* SPDX-License-Identifier: MIT */
/*
 * Oracle consumer for expat: the handler-based parser with namespaces,
 * character data, comments, processing instructions, CDATA, the DTD and
 * entity handlers, chunked parsing, XML_GetBuffer/XML_ParseBuffer,
 * suspend/resume, reset, errors and positions.
 * Prints only what the library computes, never a compile-time version.
 */
#include <expat.h>
#include <stdio.h>
#include <string.h>

struct state {
    XML_Parser parser;
    int depth;
    int chars;
    int stop_at;
    int elements;
};

static void XMLCALL on_start(void *data, const XML_Char *name, const XML_Char **atts)
{
    struct state *s = data;
    int i;
    printf("%*sstart %s", s->depth * 2, "", name);
    for (i = 0; atts[i]; i += 2)
        printf(" %s=%s", atts[i], atts[i + 1]);
    printf(" (specified %d, line %lu col %lu)\n", XML_GetSpecifiedAttributeCount(s->parser),
           (unsigned long)XML_GetCurrentLineNumber(s->parser),
           (unsigned long)XML_GetCurrentColumnNumber(s->parser));
    s->depth++;
    s->elements++;
    if (s->stop_at && s->elements == s->stop_at) {
        printf("suspend: %d\n", XML_StopParser(s->parser, XML_TRUE));
    }
}

static void XMLCALL on_end(void *data, const XML_Char *name)
{
    struct state *s = data;
    s->depth--;
    printf("%*send %s\n", s->depth * 2, "", name);
}

static void XMLCALL on_chars(void *data, const XML_Char *text, int len)
{
    struct state *s = data;
    int i, blank = 1;
    for (i = 0; i < len; i++)
        if (text[i] != ' ' && text[i] != '\n')
            blank = 0;
    s->chars += len;
    if (!blank)
        printf("%*stext \"%.*s\"\n", s->depth * 2, "", len, text);
}

static void XMLCALL on_comment(void *data, const XML_Char *text)
{
    (void)data;
    printf("comment \"%s\"\n", text);
}

static void XMLCALL on_pi(void *data, const XML_Char *target, const XML_Char *text)
{
    (void)data;
    printf("pi %s \"%s\"\n", target, text);
}

static void XMLCALL on_cdata_start(void *data) { (void)data; printf("cdata start\n"); }
static void XMLCALL on_cdata_end(void *data) { (void)data; printf("cdata end\n"); }

static void XMLCALL on_ns_start(void *data, const XML_Char *prefix, const XML_Char *uri)
{
    (void)data;
    printf("ns start %s -> %s\n", prefix ? prefix : "(default)", uri ? uri : "-");
}

static void XMLCALL on_ns_end(void *data, const XML_Char *prefix)
{
    (void)data;
    printf("ns end %s\n", prefix ? prefix : "(default)");
}

static void XMLCALL on_doctype(void *data, const XML_Char *name, const XML_Char *sysid,
                               const XML_Char *pubid, int has_internal)
{
    (void)data;
    printf("doctype %s sys %s pub %s internal %d\n", name, sysid ? sysid : "-",
           pubid ? pubid : "-", has_internal);
}

static void XMLCALL on_entity_decl(void *data, const XML_Char *name, int is_param,
                                   const XML_Char *value, int value_len, const XML_Char *base,
                                   const XML_Char *sysid, const XML_Char *pubid,
                                   const XML_Char *notation)
{
    (void)data; (void)base; (void)pubid; (void)notation;
    printf("entity %s param %d value \"%.*s\" sys %s\n", name, is_param, value ? value_len : 0,
           value ? value : "", sysid ? sysid : "-");
}

static void XMLCALL on_xmldecl(void *data, const XML_Char *version, const XML_Char *encoding,
                               int standalone)
{
    (void)data;
    printf("xmldecl %s %s %d\n", version ? version : "-", encoding ? encoding : "-", standalone);
}

static void XMLCALL on_attlist(void *data, const XML_Char *el, const XML_Char *att,
                               const XML_Char *type, const XML_Char *dflt, int required)
{
    (void)data;
    printf("attlist %s %s %s default %s required %d\n", el, att, type, dflt ? dflt : "-",
           required);
}

static const char doc[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<!DOCTYPE build [\n"
    "  <!ENTITY layer \"meta-sstate-mgmt\">\n"
    "  <!ATTLIST task kind CDATA \"normal\">\n"
    "]>\n"
    "<build xmlns=\"urn:example:build\" xmlns:s=\"urn:example:sstate\">\n"
    "  <!-- tasks of &layer; -->\n"
    "  <task name=\"do_compile\" s:hash=\"abc\">compile &layer; &amp; more &#x263A;</task>\n"
    "  <task name=\"do_install\" kind=\"setscene\"><![CDATA[<raw> & data]]></task>\n"
    "  <?bitbake restore?>\n"
    "  <s:cache><s:object size=\"12\"/><s:object size=\"34\"/></s:cache>\n"
    "</build>\n";

static XML_Parser make_parser(struct state *s, int ns)
{
    XML_Parser p = ns ? XML_ParserCreateNS("UTF-8", '|') : XML_ParserCreate(NULL);
    memset(s, 0, sizeof(*s));
    s->parser = p;
    XML_SetUserData(p, s);
    XML_SetElementHandler(p, on_start, on_end);
    XML_SetCharacterDataHandler(p, on_chars);
    XML_SetCommentHandler(p, on_comment);
    XML_SetProcessingInstructionHandler(p, on_pi);
    XML_SetCdataSectionHandler(p, on_cdata_start, on_cdata_end);
    XML_SetStartDoctypeDeclHandler(p, on_doctype);
    XML_SetEntityDeclHandler(p, on_entity_decl);
    XML_SetXmlDeclHandler(p, on_xmldecl);
    XML_SetAttlistDeclHandler(p, on_attlist);
    if (ns)
        XML_SetNamespaceDeclHandler(p, on_ns_start, on_ns_end);
    return p;
}

static void report(XML_Parser p, const char *what, enum XML_Status st)
{
    enum XML_Error e = XML_GetErrorCode(p);
    printf("%s: status %d error %d (%s) at line %lu col %lu byte %ld\n", what, st, e,
           e ? XML_ErrorString(e) : "none", (unsigned long)XML_GetCurrentLineNumber(p),
           (unsigned long)XML_GetCurrentColumnNumber(p), (long)XML_GetCurrentByteIndex(p));
}

int main(void)
{
    struct state s;
    XML_Parser p;
    enum XML_Status st;
    size_t i, n = strlen(doc);

    /* The runtime version shows which library was loaded. */
    printf("XML_ExpatVersion: %s\n", XML_ExpatVersion());
    XML_Expat_Version v = XML_ExpatVersionInfo();
    printf("XML_ExpatVersionInfo: %d.%d.%d\n", v.major, v.minor, v.micro);
    const XML_Feature *f;
    for (f = XML_GetFeatureList(); f->feature != XML_FEATURE_END; f++)
        if (f->feature == XML_FEATURE_NS || f->feature == XML_FEATURE_DTD ||
            f->feature == XML_FEATURE_CONTEXT_BYTES)
            printf("feature %s %ld\n", f->name, f->value);

    printf("== whole document, namespaces\n");
    p = make_parser(&s, 1);
    XML_SetParamEntityParsing(p, XML_PARAM_ENTITY_PARSING_UNLESS_STANDALONE);
    st = XML_Parse(p, doc, (int)n, XML_TRUE);
    report(p, "parse", st);
    printf("chars %d\n", s.chars);
    XML_ParserFree(p);

    printf("== byte by byte, no namespaces, through XML_GetBuffer\n");
    p = make_parser(&s, 0);
    for (i = 0; i < n; i++) {
        void *buf = XML_GetBuffer(p, 1);
        memcpy(buf, doc + i, 1);
        st = XML_ParseBuffer(p, 1, i + 1 == n);
        if (st != XML_STATUS_OK)
            break;
    }
    report(p, "chunked", st);
    printf("chars %d\n", s.chars);

    printf("== reset and suspend/resume\n");
    printf("reset: %d\n", XML_ParserReset(p, NULL));
    XML_SetUserData(p, &s);
    XML_SetElementHandler(p, on_start, on_end);
    memset(&s, 0, sizeof(s));
    s.parser = p;
    s.stop_at = 3;
    st = XML_Parse(p, doc, (int)n, XML_TRUE);
    XML_ParsingStatus ps;
    XML_GetParsingStatus(p, &ps);
    printf("suspended: status %d parsing %d final %d\n", st, ps.parsing, ps.finalBuffer);
    s.stop_at = 0;
    st = XML_ResumeParser(p);
    report(p, "resumed", st);
    XML_ParserFree(p);

    printf("== errors\n");
    static const char *bad[] = {"<a><b></a>", "<a x='1' x='2'/>", "<a>&undefined;</a>",
                                "<a>\xff</a>", "", "<a/><b/>"};
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        p = make_parser(&s, 0);
        st = XML_Parse(p, bad[i], (int)strlen(bad[i]), XML_TRUE);
        report(p, "bad input", st);
        XML_ParserFree(p);
    }
    for (i = 0; i < 5; i++)
        printf("XML_ErrorString(%d): %s\n", (int)i, XML_ErrorString((enum XML_Error)i) ?
               XML_ErrorString((enum XML_Error)i) : "(null)");
    return 0;
}
