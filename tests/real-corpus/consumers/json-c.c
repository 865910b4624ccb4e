/* SPDX-License-Identifier: MIT */
/*
 * Oracle consumer for json-c: parsing (one shot and incremental, with
 * errors), the object model, arrays, iteration with the
 * json_object_object_foreach macro (which walks the library's lh_table and
 * lh_entry structures directly from the consumer's code), the iterator API,
 * serialisation flags, JSON pointers, deep copy and comparison, and the
 * error descriptions up to the json_tokener_error_size sentinel.
 * Prints only what the library computes, never a compile-time version.
 */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

static const char text[] =
    "{\"layer\": \"meta-sstate-mgmt\", \"priority\": 7, \"ratio\": 2.5,"
    " \"enabled\": true, \"none\": null,"
    " \"recipes\": [\"zlib\", \"libpng\", {\"name\": \"gadget\", \"cdepends\": [\"libfoo\"]}],"
    " \"big\": 9007199254740993, \"neg\": -42, \"esc\": \"tab\\tquote\\\"slash\\/u\\u00e9\"}";

static int by_string(const void *a, const void *b)
{
    const struct json_object *x = *(const struct json_object * const *)a;
    const struct json_object *y = *(const struct json_object * const *)b;
    return strcmp(json_object_get_string((struct json_object *)x),
                  json_object_get_string((struct json_object *)y));
}

static void show(const char *what, struct json_object *o)
{
    printf("%s: %s\n", what, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
}

int main(void)
{
    /* The runtime version shows which library was loaded. */
    printf("json_c_version: %s (%d)\n", json_c_version(), json_c_version_num());

    struct json_object *root = json_tokener_parse(text);
    printf("parsed: %s type %s\n", root ? "yes" : "no",
           json_type_to_name(json_object_get_type(root)));
    json_object_object_foreach(root, key, val) {
        printf("key %s type %s len %d\n", key, json_type_to_name(json_object_get_type(val)),
               json_object_get_type(val) == json_type_string ? json_object_get_string_len(val) : -1);
    }
    struct json_object *v;
    if (json_object_object_get_ex(root, "priority", &v))
        printf("priority %d int64 %lld\n", json_object_get_int(v),
               (long long)json_object_get_int64(v));
    if (json_object_object_get_ex(root, "ratio", &v))
        printf("ratio %.3f\n", json_object_get_double(v));
    if (json_object_object_get_ex(root, "big", &v))
        printf("big int64 %lld uint64 %llu\n", (long long)json_object_get_int64(v),
               (unsigned long long)json_object_get_uint64(v));
    if (json_object_object_get_ex(root, "enabled", &v))
        printf("enabled %d\n", json_object_get_boolean(v));
    if (json_object_object_get_ex(root, "esc", &v))
        printf("esc %s\n", json_object_get_string(v));
    printf("missing key: %d\n", json_object_object_get_ex(root, "nosuch", NULL));

    struct json_object *recipes = json_object_object_get(root, "recipes");
    printf("recipes length %d\n", (int)json_object_array_length(recipes));
    struct json_object *gadget = json_object_array_get_idx(recipes, 2);
    show("gadget", gadget);

    /* Build and modify. */
    struct json_object *o = json_object_new_object();
    json_object_object_add(o, "name", json_object_new_string("zlib"));
    json_object_object_add(o, "pv", json_object_new_string_len("1.3.1xyz", 5));
    json_object_object_add(o, "count", json_object_new_int64(1234567890123LL));
    json_object_object_add(o, "ok", json_object_new_boolean(1));
    json_object_object_add(o, "d", json_object_new_double(0.1));
    struct json_object *arr = json_object_new_array();
    const char *names[] = {"pear", "apple", "fig", "banana"};
    int i;
    for (i = 0; i < 4; i++)
        json_object_array_add(arr, json_object_new_string(names[i]));
    json_object_array_put_idx(arr, 6, json_object_new_string("zucchini"));
    json_object_array_del_idx(arr, 4, 2);
    json_object_array_sort(arr, by_string);
    json_object_object_add(o, "list", arr);
    json_object_object_del(o, "ok");
    json_object_set_int(json_object_object_get(o, "count"), 5);
    show("built", o);
    printf("pretty:\n%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
                                                               JSON_C_TO_STRING_SPACED));
    printf("noslash: %s\n", json_object_to_json_string_ext(
        json_object_new_string("a/b"), JSON_C_TO_STRING_NOSLASHESCAPE));

    /* Iterator API. */
    struct json_object_iterator it = json_object_iter_begin(o), end = json_object_iter_end(o);
    while (!json_object_iter_equal(&it, &end)) {
        printf("iter %s\n", json_object_iter_peek_name(&it));
        json_object_iter_next(&it);
    }

    /* JSON pointer, deep copy, equality. */
    struct json_object *p = NULL;
    printf("pointer /recipes/2/cdepends/0: %d", json_pointer_get(root, "/recipes/2/cdepends/0", &p));
    printf(" -> %s\n", p ? json_object_get_string(p) : "-");
    printf("pointer /nosuch: %d\n", json_pointer_get(root, "/nosuch", &p));
    json_pointer_set(&root, "/priority", json_object_new_int(9));
    struct json_object *copy = NULL;
    printf("deep copy: %d equal %d\n", json_object_deep_copy(root, &copy, NULL),
           json_object_equal(root, copy));
    json_object_object_add(copy, "extra", NULL);
    printf("after change equal %d\n", json_object_equal(root, copy));
    json_object_put(copy);

    /* Incremental parsing and errors. */
    struct json_tokener *tok = json_tokener_new_ex(5);
    const char *parts[] = {"{\"a\": [1, 2", ", 3], \"b\"", ": {\"c\": \"d\"}}"};
    struct json_object *r = NULL;
    for (i = 0; i < 3; i++) {
        r = json_tokener_parse_ex(tok, parts[i], (int)strlen(parts[i]));
        printf("part %d: %s error %s\n", i, r ? "object" : "none",
               json_tokener_error_desc(json_tokener_get_error(tok)));
    }
    show("incremental", r);
    json_object_put(r);
    json_tokener_reset(tok);
    r = json_tokener_parse_ex(tok, "[[[[[[[[1]]]]]]]]", 17);
    printf("too deep: %s error %s\n", r ? "object" : "none",
           json_tokener_error_desc(json_tokener_get_error(tok)));
    json_tokener_free(tok);
    /* Every error the tokener can report, up to the enum's sentinel. */
    enum json_tokener_error e;
    for (e = json_tokener_success; e < json_tokener_error_size; e++)
        printf("error %d: %s\n", e, json_tokener_error_desc(e));
    static const char *bad[] = {"{\"a\": }", "[1, 2", "nul", "\"unterminated", "{} trailing"};
    for (i = 0; i < 5; i++) {
        enum json_tokener_error e;
        r = json_tokener_parse_verbose(bad[i], &e);
        printf("bad %d: %s error %d %s\n", i, r ? "object" : "none", e, json_tokener_error_desc(e));
        json_object_put(r);
    }

    int same = json_object_get(o) == o;
    int first = json_object_put(o);
    int second = json_object_put(o);
    printf("refcount: get %d put %d put %d\n", same, first, second);
    json_object_put(root);
    return 0;
}
