/* SPDX-License-Identifier: MIT */
/*
 * Oracle consumer for libyaml: the event parser, the document loader and
 * node API, the emitter (events and documents) and errors. yaml_parser_t,
 * yaml_emitter_t, yaml_event_t and yaml_document_t live in the consumer's
 * memory and their members are read directly, as real consumers do, so
 * their layout is part of what the consumer depends on.
 * Prints only what the library computes, never a compile-time version.
 */
#include <stdio.h>
#include <string.h>
#include <yaml.h>

static const char text[] =
    "%YAML 1.1\n"
    "---\n"
    "layer: meta-sstate-mgmt\n"
    "priority: 7\n"
    "recipes: [zlib, libpng, {name: gadget, cdepends: [libfoo]}]\n"
    "anchor: &a {x: 1, y: 2}\n"
    "alias: *a\n"
    "literal: |\n"
    "  line one\n"
    "  line two\n"
    "folded: >\n"
    "  folded\n"
    "  text\n"
    "tagged: !!str 123\n"
    "quoted: \"tab\\tnewline\\n\"\n"
    "...\n"
    "---\n"
    "- second\n"
    "- document\n";

static const char *event_name(yaml_event_type_t t)
{
    static const char *names[] = {"NO", "STREAM-START", "STREAM-END", "DOCUMENT-START",
                                  "DOCUMENT-END", "ALIAS", "SCALAR", "SEQUENCE-START",
                                  "SEQUENCE-END", "MAPPING-START", "MAPPING-END"};
    return (unsigned)t < sizeof(names) / sizeof(names[0]) ? names[t] : "?";
}

static void events(const char *input, size_t len)
{
    yaml_parser_t parser;
    yaml_event_t event;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_string(&parser, (const unsigned char *)input, len);
    for (;;) {
        if (!yaml_parser_parse(&parser, &event)) {
            printf("parse error %d: %s at line %lu col %lu (context %s)\n", parser.error,
                   parser.problem ? parser.problem : "-", (unsigned long)parser.problem_mark.line,
                   (unsigned long)parser.problem_mark.column,
                   parser.context ? parser.context : "-");
            break;
        }
        printf("event %s line %lu", event_name(event.type),
               (unsigned long)event.start_mark.line);
        if (event.type == YAML_SCALAR_EVENT)
            printf(" scalar \"%.*s\" style %d tag %s anchor %s", (int)event.data.scalar.length,
                   event.data.scalar.value, event.data.scalar.style,
                   event.data.scalar.tag ? (const char *)event.data.scalar.tag : "-",
                   event.data.scalar.anchor ? (const char *)event.data.scalar.anchor : "-");
        else if (event.type == YAML_ALIAS_EVENT)
            printf(" alias %s", event.data.alias.anchor);
        else if (event.type == YAML_DOCUMENT_START_EVENT)
            printf(" version %s implicit %d",
                   event.data.document_start.version_directive ? "yes" : "no",
                   event.data.document_start.implicit);
        else if (event.type == YAML_MAPPING_START_EVENT)
            printf(" style %d", event.data.mapping_start.style);
        printf("\n");
        int done = event.type == YAML_STREAM_END_EVENT;
        yaml_event_delete(&event);
        if (done)
            break;
    }
    yaml_parser_delete(&parser);
}

static void dump_node(yaml_document_t *doc, yaml_node_t *node, int depth)
{
    yaml_node_item_t *item;
    yaml_node_pair_t *pair;
    switch (node->type) {
    case YAML_SCALAR_NODE:
        printf("%*sscalar %s \"%.*s\"\n", depth * 2, "", node->tag, (int)node->data.scalar.length,
               node->data.scalar.value);
        break;
    case YAML_SEQUENCE_NODE:
        printf("%*ssequence %s\n", depth * 2, "", node->tag);
        for (item = node->data.sequence.items.start; item < node->data.sequence.items.top; item++)
            dump_node(doc, yaml_document_get_node(doc, *item), depth + 1);
        break;
    case YAML_MAPPING_NODE:
        printf("%*smapping %s\n", depth * 2, "", node->tag);
        for (pair = node->data.mapping.pairs.start; pair < node->data.mapping.pairs.top; pair++) {
            dump_node(doc, yaml_document_get_node(doc, pair->key), depth + 1);
            dump_node(doc, yaml_document_get_node(doc, pair->value), depth + 2);
        }
        break;
    default:
        printf("%*snode type %d\n", depth * 2, "", node->type);
    }
}

static int write_handler(void *data, unsigned char *buffer, size_t size)
{
    (void)data;
    fwrite(buffer, 1, size, stdout);
    return 1;
}

static void load_and_emit(void)
{
    yaml_parser_t parser;
    yaml_emitter_t emitter;
    yaml_document_t doc;
    int n = 0;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, strlen(text));
    yaml_emitter_initialize(&emitter);
    yaml_emitter_set_output(&emitter, write_handler, NULL);
    yaml_emitter_set_canonical(&emitter, 0);
    yaml_emitter_set_indent(&emitter, 4);
    yaml_emitter_set_width(&emitter, 40);
    yaml_emitter_set_unicode(&emitter, 1);
    yaml_emitter_open(&emitter);
    for (;;) {
        if (!yaml_parser_load(&parser, &doc)) {
            printf("load error %d\n", parser.error);
            break;
        }
        yaml_node_t *root = yaml_document_get_root_node(&doc);
        if (!root) {
            yaml_document_delete(&doc);
            break;
        }
        printf("document %d:\n", n++);
        dump_node(&doc, root, 1);
        printf("emitted:\n");
        yaml_emitter_dump(&emitter, &doc);   /* deletes the document */
        yaml_emitter_flush(&emitter);
    }
    yaml_emitter_close(&emitter);
    yaml_emitter_delete(&emitter);
    yaml_parser_delete(&parser);
}

static void build_and_emit(void)
{
    unsigned char out[4096];
    size_t written = 0;
    yaml_emitter_t emitter;
    yaml_document_t doc;
    yaml_emitter_initialize(&emitter);
    yaml_emitter_set_output_string(&emitter, out, sizeof(out), &written);
    yaml_emitter_set_canonical(&emitter, 1);
    yaml_document_initialize(&doc, NULL, NULL, NULL, 0, 0);
    int map = yaml_document_add_mapping(&doc, NULL, YAML_BLOCK_MAPPING_STYLE);
    int k = yaml_document_add_scalar(&doc, NULL, (yaml_char_t *)"tasks", -1, YAML_PLAIN_SCALAR_STYLE);
    int seq = yaml_document_add_sequence(&doc, NULL, YAML_FLOW_SEQUENCE_STYLE);
    const char *tasks[] = {"do_fetch", "do_compile", "do_cache_compatibility"};
    int i;
    for (i = 0; i < 3; i++)
        yaml_document_append_sequence_item(&doc, seq, yaml_document_add_scalar(
            &doc, NULL, (yaml_char_t *)tasks[i], -1, YAML_DOUBLE_QUOTED_SCALAR_STYLE));
    yaml_document_append_mapping_pair(&doc, map, k, seq);
    int ok = yaml_emitter_dump(&emitter, &doc);
    yaml_emitter_flush(&emitter);
    printf("canonical dump ok %d (%lu bytes):\n%.*s", ok, (unsigned long)written, (int)written, out);
    yaml_emitter_delete(&emitter);

    /* The event emitter. */
    yaml_event_t ev;
    written = 0;
    yaml_emitter_initialize(&emitter);
    yaml_emitter_set_output_string(&emitter, out, sizeof(out), &written);
    yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
    yaml_emitter_emit(&emitter, &ev);
    yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1);
    yaml_emitter_emit(&emitter, &ev);
    yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_SEQUENCE_STYLE);
    yaml_emitter_emit(&emitter, &ev);
    yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)"multi\nline", -1, 1, 1,
                                 YAML_LITERAL_SCALAR_STYLE);
    yaml_emitter_emit(&emitter, &ev);
    yaml_scalar_event_initialize(&ev, (yaml_char_t *)"x", NULL, (yaml_char_t *)"anchored", -1, 1, 1,
                                 YAML_SINGLE_QUOTED_SCALAR_STYLE);
    yaml_emitter_emit(&emitter, &ev);
    yaml_alias_event_initialize(&ev, (yaml_char_t *)"x");
    yaml_emitter_emit(&emitter, &ev);
    yaml_sequence_end_event_initialize(&ev);
    yaml_emitter_emit(&emitter, &ev);
    yaml_document_end_event_initialize(&ev, 1);
    yaml_emitter_emit(&emitter, &ev);
    yaml_stream_end_event_initialize(&ev);
    ok = yaml_emitter_emit(&emitter, &ev);
    printf("event dump ok %d error %d (%lu bytes):\n%.*s", ok, emitter.error,
           (unsigned long)written, (int)written, out);
    yaml_emitter_delete(&emitter);
}

int main(void)
{
    int major, minor, patch;
    /* The runtime version shows which library was loaded. */
    yaml_get_version(&major, &minor, &patch);
    printf("yaml_get_version_string: %s (%d.%d.%d)\n", yaml_get_version_string(), major, minor,
           patch);
    events(text, strlen(text));
    load_and_emit();
    build_and_emit();
    static const char *bad[] = {"key: [unclosed", "a: b: c", "- x\n y: z", "&a *b", "\t- tab"};
    unsigned i;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        printf("bad input %u:\n", i);
        events(bad[i], strlen(bad[i]));
    }
    return 0;
}
