/*
 * Unit tests of the engine outside nginx: request parsing, URL and UTF-8
 * helpers, the raw JSON scanner and writer, the mapping compiler's errors
 * and the executor on a provider body.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "um_json_out.h"
#include "um_json_scan.h"
#include "um_mapping.h"
#include "um_cursor.h"
#include "um_request.h"
#include "um_sha256.h"


static int  failures;
static int  checks;


#define CHECK(cond)                                                          \
    do {                                                                     \
        checks++;                                                            \
        if (!(cond)) {                                                       \
            failures++;                                                      \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__,          \
                    __LINE__, #cond);                                        \
        }                                                                    \
    } while (0)

#define CHECK_STR(got, glen, want)                                           \
    do {                                                                     \
        checks++;                                                            \
        if ((glen) != strlen(want) || memcmp(got, want, glen) != 0) {        \
            failures++;                                                      \
            fprintf(stderr, "%s:%d: got  \"%.*s\"\n%s:%d: want \"%s\"\n",  \
                    __FILE__, __LINE__, (int) (glen), got, __FILE__,        \
                    __LINE__, want);                                         \
        }                                                                    \
    } while (0)


static int
parse(um_arena_t *a, um_request_t *req, const char *args, um_error_t *err)
{
    memset(req, 0, sizeof(um_request_t));
    memset(err, 0, sizeof(um_error_t));
    return um_request_parse(a, req, args, strlen(args), err);
}


static void
test_request(void)
{
    um_arena_t    *a;
    um_error_t     err;
    um_value_t     v;
    um_request_t   req;

    a = um_arena_create(0, 0);

    CHECK(parse(a, &req, "integrated_account_id=acc%201&start_date=2024-03-01"
                "&end_date=2024-03-31T10:00:00%2B02:00&limit=20"
                "&truto_response_format=debug&truto_ignore_remote_data=true"
                "&truto_exclude_fields[]=id&truto_exclude_fields=a,b.c"
                "&remote_query[foo]=b+r&remote_query[x][y]=1"
                "&user_ids[]=u1&user_ids[]=u2&filter[a]=1&plain=1&plain=2",
                &err) == UM_OK);
    CHECK(req.naccounts == 1);
    CHECK_STR(req.accounts[0].data, req.accounts[0].len, "acc 1");
    CHECK(req.has_start && req.has_end);
    CHECK(req.start_ms == 1709251200000LL);
    CHECK(req.end_ms == 1711872000000LL);
    CHECK(req.limit == 20);
    CHECK(req.format == UM_FMT_DEBUG);
    CHECK(req.ignore_remote_data);
    CHECK(req.nexclude == 3);
    CHECK_STR(req.exclude[2].data, req.exclude[2].len, "b.c");
    CHECK(req.nremote == 2);
    CHECK_STR(req.remote_query[0].value.data, req.remote_query[0].value.len,
              "b r");
    CHECK_STR(req.remote_query[1].key.data, req.remote_query[1].key.len,
              "x[y]");

    v = um_get(req.query, "user_ids", 8);
    CHECK(v.type == UM_ARR && um_len(v) == 2);
    v = um_get(um_get(req.query, "filter", 6), "a", 1);
    CHECK(v.type == UM_STR && v.len == 1);
    v = um_get(req.query, "plain", 5);
    CHECK(v.type == UM_ARR && um_len(v) == 2);
    CHECK(um_get(req.query, "limit", 5).type == UM_STR);
    CHECK(um_get(req.query, "integrated_account_id", 21).type == UM_UNDEF);
    CHECK(um_get(req.query, "truto_response_format", 21).type == UM_UNDEF);

    /* hostile or invalid input: 400 with a message naming the problem */

    CHECK(parse(a, &req, "start_date=2024-02-30", &err) == UM_ERR
          && err.status == 400 && strstr(err.msg, "start_date"));
    CHECK(parse(a, &req, "start_date=2024-03-02&end_date=2024-03-01", &err)
          == UM_ERR && err.status == 400);
    CHECK(parse(a, &req, "start_date=2024-03-01&start_date=2024-03-02", &err)
          == UM_ERR && strstr(err.msg, "more than once"));
    CHECK(parse(a, &req, "limit=0", &err) == UM_ERR && err.status == 400);
    CHECK(parse(a, &req, "limit=-1", &err) == UM_ERR);
    CHECK(parse(a, &req, "limit=1e9", &err) == UM_ERR);
    CHECK(parse(a, &req, "limit=99999999999999999999", &err) == UM_ERR);
    CHECK(parse(a, &req, "limit=10000", &err) == UM_OK);
    CHECK(parse(a, &req, "a=%zz", &err) == UM_ERR && err.status == 400);
    CHECK(parse(a, &req, "a=%4", &err) == UM_ERR);
    CHECK(parse(a, &req, "a=%00", &err) == UM_ERR);
    CHECK(parse(a, &req, "a=%ff%fe", &err) == UM_ERR);
    CHECK(parse(a, &req, "a=%c3%a9", &err) == UM_OK);
    CHECK(parse(a, &req, "truto_response_format=xml", &err) == UM_ERR);
    CHECK(parse(a, &req, "truto_ignore_limit=yes", &err) == UM_ERR);
    CHECK(parse(a, &req, "remote_query[]=1", &err) == UM_ERR);
    CHECK(parse(a, &req, "=1", &err) == UM_ERR);
    CHECK(parse(a, &req, "&&&", &err) == UM_OK);
    CHECK(parse(a, &req, "", &err) == UM_OK && req.format == UM_FMT_UNIFIED);

    {
        char  big[UM_PARAM_MAX_LEN + 16];

        memcpy(big, "a=", 2);
        memset(big + 2, 'x', UM_PARAM_MAX_LEN + 1);
        big[UM_PARAM_MAX_LEN + 3] = '\0';
        CHECK(parse(a, &req, big, &err) == UM_ERR && err.status == 400);
    }

    /* routing */

    memset(&req, 0, sizeof(req));
    CHECK(um_request_route(a, &req, "usage", 5, &err) == UM_OK
          && req.resource == UM_RES_USAGE && req.op == UM_OP_LIST);
    CHECK(um_request_route(a, &req, "/users/u-1", 10, &err) == UM_OK
          && req.resource == UM_RES_USERS && req.op == UM_OP_GET
          && req.id.len == 3);
    CHECK(um_request_route(a, &req, "usage/", 6, &err) == UM_OK
          && req.op == UM_OP_LIST);
    CHECK(um_request_route(a, &req, "spend", 5, &err) == UM_ERR
          && err.status == 404);
    CHECK(um_request_route(a, &req, "users/a/b", 9, &err) == UM_ERR
          && err.status == 400);
    CHECK(um_request_route(a, &req, "users/..", 8, &err) == UM_ERR);
    CHECK(um_request_route(a, &req, "users/a\r\nb", 10, &err) == UM_ERR);

    um_arena_destroy(a);
}


static void
test_str(void)
{
    char      buf[64];
    long      n;
    um_buf_t  b;

    n = um_url_decode(buf, "a%20b+c%2Fd", 11);
    CHECK_STR(buf, (size_t) n, "a b c/d");
    CHECK(um_url_decode(buf, "%", 1) == -1);
    CHECK(um_url_decode(buf, "%a", 2) == -1);
    CHECK(um_url_decode(buf, "%ag", 3) == -1);

    um_buf_init(&b, NULL, 0);
    um_url_encode(&b, "a b&c=d/é~", 11);
    CHECK_STR(b.data, b.len, "a%20b%26c%3Dd%2F%C3%A9~");
    um_buf_free(&b);

    CHECK(um_utf8_valid("h\xc3\xa9", 3));
    CHECK(!um_utf8_valid("\xc0\xaf", 2));          /* overlong */
    CHECK(!um_utf8_valid("\xed\xa0\x80", 3));      /* surrogate */
    CHECK(!um_utf8_valid("\xe2\x82", 2));          /* truncated */
    CHECK(um_utf8_valid("\xf0\x9f\x98\x80", 4));

    um_buf_init(&b, NULL, 8);
    um_buf_add(&b, "0123456789", 10);
    CHECK(b.failed);
    um_buf_free(&b);
}


static void
test_json(void)
{
    int             rc, n;
    um_str_t        v, item;
    um_buf_t        b;
    um_scan_iter_t  it;

    const char  *doc = " { \"a\" : [ 1 , {\"x\":\"q\\\"}\"} , [ ] ] ,"
                       " \"b\\u0061\" : \"s\" , \"a\" : [ 2 ] } ";

    CHECK(um_scan_member(doc, doc + strlen(doc), "ba", 2, &v) == 0);
    CHECK_STR(v.data, v.len, "\"s\"");

    /* the last "a" wins, as in jansson */
    CHECK(um_scan_member(doc, doc + strlen(doc), "a", 1, &v) == 0);
    CHECK_STR(v.data, v.len, "[ 2 ]");

    CHECK(um_scan_member(doc, doc + 10, "a", 1, &v) == -1);
    CHECK(um_scan_member("[1]", "[1]" + 3, "a", 1, &v) == -1);

    doc = "[ 1 , {\"x\":\"q\\\\\"} , [ ] ]";
    v.data = doc;
    v.len = strlen(doc);
    CHECK(um_scan_array(&it, v) == 0);

    for (n = 0; (rc = um_scan_next(&it, &item)) == 1; n++) {
        if (n == 1) {
            CHECK_STR(item.data, item.len, "{\"x\":\"q\\\\\"}");
        }
    }

    CHECK(rc == 0 && n == 3);

    /* truncated input never reads past the end */
    v.len = 12;
    CHECK(um_scan_array(&it, v) == 0);
    while ((rc = um_scan_next(&it, &item)) == 1) {
        /* void */
    }
    CHECK(rc == -1);

    um_buf_init(&b, NULL, 0);
    um_json_minify(&b, "{ \"a b\" : [ 1.0 ,\n\t\"x \\\" y\" ] }", 31);
    CHECK_STR(b.data, b.len, "{\"a b\":[1.0,\"x \\\" y\"]}");
    b.len = 0;
    um_json_str(&b, "a\"\\\n\x01", 5);
    CHECK_STR(b.data, b.len, "\"a\\\"\\\\\\n\\u0001\"");
    b.len = 0;
    um_json_num(&b, 48.6);
    CHECK_STR(b.data, b.len, "48.6");

    /*
     * fuzz finding (map_exec): a continuation taken from a provider header
     * is not UTF-8 and was copied as is into the JSON body of the next
     * call; bytes that start no valid sequence are written as U+FFFD
     */
    b.len = 0;
    um_json_str(&b, "a\xff\xc3\xa9\xed\xa0\x80\xf0\x9f\x98", 10);
    CHECK_STR(b.data, b.len, "\"a\\ufffd\xc3\xa9\\ufffd\\ufffd\\ufffd"
              "\\ufffd\\ufffd\\ufffd\"");
    um_buf_free(&b);
}


static int
compile_text(const char *text, um_error_t *err)
{
    int             rc;
    FILE           *f;
    char            path[] = "/tmp/um_test_mapXXXXXX";
    um_arena_t     *a;
    um_registry_t  *reg;

    rc = mkstemp(path);
    CHECK(rc >= 0);
    f = fdopen(rc, "w");
    fputs(text, f);
    fclose(f);

    a = um_arena_create(0, 0);
    reg = um_registry_create(a);
    memset(err, 0, sizeof(um_error_t));
    rc = um_registry_load_file(reg, path, err);
    if (rc == UM_OK) {
        rc = um_registry_compile(reg, err);
    }
    um_arena_destroy(a);
    unlink(path);

    return rc;
}


static void
test_compile_errors(void)
{
    um_error_t  err;

    CHECK(compile_text("{\"provider\": \"x\", \"resources\": {}}", &err)
          == UM_OK);

    CHECK(compile_text("{\"provider\": \"x\",\n \"resources\": {", &err)
          == UM_ERR && err.line == 2);

    CHECK(compile_text("{\"provider\": \"x\", \"resources\": {\"spend\": {}}}",
                       &err) == UM_ERR
          && strstr(err.msg, "unknown resource \"spend\""));

    CHECK(compile_text("{\"provider\": \"x\", \"extra\": 1, \"resources\": {}}",
                       &err) == UM_ERR
          && strstr(err.msg, "unknown key \"extra\""));

    CHECK(compile_text("{\"provider\": \"X Y\", \"resources\": {}}", &err)
          == UM_ERR);

    /* an expression error points into the string: line 4, column 30 */
    CHECK(compile_text("{\"provider\": \"x\", \"resources\": {\"usage\": {\n"
                       " \"list\": {\"request\": {\"path\": \"/u\"},\n"
                       "  \"row\": {\n"
                       "   \"id\":  \"id\", \"name\": \"a + )\" }}}}}", &err)
          == UM_ERR && err.line == 4 && err.col == 30
          && strstr(err.msg, "resources.usage.list.row.name"));

    CHECK(compile_text("{\"provider\": \"x\", \"resources\": {\"usage\": {"
                       "\"list\": {\"request\": {\"path\": \"/u\"}, "
                       "\"row\": {\"id\": \"$nosuch\"}}}}}", &err)
          == UM_ERR && strstr(err.msg, "nosuch"));

    CHECK(compile_text("{\"provider\": \"x\", \"resources\": {\"usage\": {"
                       "\"list\": {\"request\": {\"path\": \"u\"}, "
                       "\"row\": {\"id\": \"id\"}}}}}", &err)
          == UM_ERR && strstr(err.msg, "starts with"));

    CHECK(compile_text("{\"provider\": \"x\", \"resources\": {\"usage\": {"
                       "\"list\": {\"request\": {\"path\": \"/u\"}, "
                       "\"row\": {\"id\": null}}}}}", &err)
          == UM_ERR && strstr(err.msg, "null"));

    /*
     * fuzz finding (map_compile): a literal path could hold "\\", "?",
     * "#", control characters or dot segments, which the executor refuses
     * in the values it puts into a path
     */
    {
        size_t       i;
        const char  *bad[] = { "/a\\\\b", "/a?b=1", "/a#b", "/a\\u0001",
                               "/a/../b", "/a/.", "/..", "/{$id}/./x" };
        const char  *good[] = { "/a/.b/..c/{$id}", "/a/...", "/.{$id}",
                                "/a/..{$id}" };
        char         text[256];

        for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
            snprintf(text, sizeof(text), "{\"provider\": \"x\", "
                     "\"resources\": {\"usage\": {\"get\": {\"request\": "
                     "{\"path\": \"%s\"}, \"row\": {\"id\": \"id\"}}}}}",
                     bad[i]);
            CHECK(compile_text(text, &err) == UM_ERR
                  && strstr(err.msg, "the path holds"));
        }

        for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
            snprintf(text, sizeof(text), "{\"provider\": \"x\", "
                     "\"resources\": {\"usage\": {\"get\": {\"request\": "
                     "{\"path\": \"%s\"}, \"row\": {\"id\": \"id\"}}}}}",
                     good[i]);
            CHECK(compile_text(text, &err) == UM_OK);
        }
    }
}


static void
test_exec(void)
{
    um_str_t              none = { NULL, 0 };
    um_arena_t           *a, *pa, *ca;
    um_buf_t              out;
    um_call_t             call;
    um_page_t             page;
    um_exec_t             x;
    um_error_t            err;
    um_request_t          req;
    um_registry_t        *reg;
    const um_method_t    *m;
    const um_provider_t  *p;

    const char  *body =
        "{\"metadata\":{\"next\":\"https://api.confluent.cloud/billing/v1/"
        "costs?page_token=T2&start_date=2024-03-01\"},\"data\":[\n"
        "{\"id\":\"c1\",\"product\":\"KAFKA\",\"line_type\":\"KAFKA_BASE\","
        "\"start_date\":\"2024-03-01\",\"end_date\":\"2024-03-02\","
        "\"unit\":\"GB\",\"quantity\":24.0,\"original_amount\":54.0,"
        "\"amount\":48.6,\"resource\":{\"id\":\"lkc-1\",\"environment\":"
        "{\"id\":\"env-1\"}}},\n"
        "{\"id\":\"c2\",\"product\":\"SUPPORT\",\"line_type\":\"PROMO_CREDIT\","
        "\"start_date\":\"2024-03-01\",\"end_date\":\"2024-03-02\","
        "\"unit\":\"USD\",\"original_amount\":-10.0,\"amount\":-10}]}";

    ca = um_arena_create(0, 0);
    reg = um_registry_create(ca);
    memset(&err, 0, sizeof(err));
    CHECK(um_registry_load_dir(reg, "mappings", &err) == UM_OK);
    CHECK(um_registry_compile(reg, &err) == UM_OK);

    if (err.msg[0]) {
        fprintf(stderr, "%s\n", err.msg);
    }

    p = um_registry_find(reg, "confluent", 9);
    CHECK(p != NULL);
    if (p == NULL) {
        um_arena_destroy(ca);
        return;
    }

    m = p->methods[UM_RES_USAGE][UM_OP_LIST];
    CHECK(m != NULL);

    a = um_arena_create(0, 0);
    pa = um_arena_create(0, 0);

    CHECK(parse(a, &req, "start_date=2024-03-01&remote_query[page_size]=7"
                "&limit=3", &err) == UM_OK);
    req.resource = UM_RES_USAGE;

    CHECK(um_exec_init(&x, p, m, &req, um_undef(), a, pa, 0, &err) == UM_OK);
    CHECK(um_exec_call(&x, 0, (um_str_t) { NULL, 0 }, &call) == UM_OK);
    CHECK_STR(call.path.data, call.path.len, "/billing/v1/costs");
    CHECK_STR(call.args.data, call.args.len,
              "start_date=2024-03-01&end_date=2024-04-01&page_size=7");

    um_buf_init(&out, NULL, 0);
    CHECK(um_exec_page(&x, 0, none, body, strlen(body), um_undef(), NULL,
                       &out, &page) == UM_OK);
    CHECK(page.rows == 2);
    CHECK_STR(page.next.data, page.next.len,
              "/billing/v1/costs?page_token=T2&start_date=2024-03-01");
    CHECK_STR(out.data, out.len,
        "{\"id\":\"c1\",\"product\":{\"id\":\"KAFKA\"},"
        "\"metric_name\":\"KAFKA_BASE\",\"resources\":[{\"id\":\"lkc-1\","
        "\"workspace\":{\"id\":\"env-1\"}}],\"charges\":[{\"amount\":48.6,"
        "\"currency\":\"USD\",\"type\":\"total\"},{\"amount\":54,"
        "\"currency\":\"USD\",\"type\":\"usage_based\"}],\"usage\":"
        "{\"quantity\":24,\"unit\":\"GB\"},\"start_date\":"
        "\"2024-03-01T00:00:00.000Z\",\"end_date\":"
        "\"2024-03-02T00:00:00.000Z\",\"remote_data\":{\"id\":\"c1\","
        "\"product\":\"KAFKA\",\"line_type\":\"KAFKA_BASE\",\"start_date\":"
        "\"2024-03-01\",\"end_date\":\"2024-03-02\",\"unit\":\"GB\","
        "\"quantity\":24.0,\"original_amount\":54.0,\"amount\":48.6,"
        "\"resource\":{\"id\":\"lkc-1\",\"environment\":{\"id\":\"env-1\"}}}},"
        "{\"id\":\"c2\",\"product\":{\"id\":\"SUPPORT\"},"
        "\"metric_name\":\"PROMO_CREDIT\",\"charges\":[{\"amount\":-10,"
        "\"currency\":\"USD\",\"type\":\"total\"},{\"amount\":-10,"
        "\"currency\":\"USD\",\"type\":\"usage_based\"}],\"usage\":"
        "{\"unit\":\"USD\"},\"start_date\":\"2024-03-01T00:00:00.000Z\","
        "\"end_date\":\"2024-03-02T00:00:00.000Z\",\"remote_data\":"
        "{\"id\":\"c2\",\"product\":\"SUPPORT\",\"line_type\":"
        "\"PROMO_CREDIT\",\"start_date\":\"2024-03-01\",\"end_date\":"
        "\"2024-03-02\",\"unit\":\"USD\",\"original_amount\":-10.0,"
        "\"amount\":-10}}");

    /* the page after: the provider's own path and query */
    CHECK(um_exec_call(&x, 0, page.next, &call) == UM_OK);
    CHECK_STR(call.path.data, call.path.len, "/billing/v1/costs");
    CHECK_STR(call.args.data, call.args.len,
              "page_token=T2&start_date=2024-03-01");

    /*
     * a URL continuation is checked again when it comes back in a cursor:
     * another path, a path without "/" (another location), bytes a URL
     * may not hold
     */
    CHECK(um_exec_call(&x, 0, (um_str_t) { "/billing/v1/other?a=1", 21 },
                       &call) == UM_ERR && err.status == 400);
    CHECK(um_exec_call(&x, 0, (um_str_t) { "2/billing/v1/costs", 18 },
                       &call) == UM_ERR);
    CHECK(um_exec_call(&x, 0, (um_str_t) { "/billing/v1/costs/..", 20 },
                       &call) == UM_ERR);
    CHECK(um_exec_call(&x, 0,
                       (um_str_t) { "/billing/v1/costs?a=1\r\nX: y", 27 },
                       &call) == UM_ERR);
    CHECK(um_exec_call(&x, 0, (um_str_t) { "/billing/v1/costs?a=1", 21 },
                       &call) == UM_OK
          && call.path.len == 17 && call.args.len == 3);

    /* shaping: exclusions, no remote_data, key_by */
    out.len = 0;
    x.rows = 0;
    x.remote_data = 0;
    x.exclude = (um_str_t[]) { { "charges", 7 }, { "usage.unit", 10 },
                               { "resources.workspace", 19 } };
    x.nexclude = 3;
    x.key_by.data = "id";
    x.key_by.len = 2;
    CHECK(um_exec_page(&x, 0, none, body, strlen(body), um_undef(), NULL,
                       &out, &page) == UM_OK);
    CHECK_STR(out.data, out.len,
        "\"c1\":{\"id\":\"c1\",\"product\":{\"id\":\"KAFKA\"},"
        "\"metric_name\":\"KAFKA_BASE\",\"resources\":[{\"id\":\"lkc-1\"}],"
        "\"usage\":{\"quantity\":24},\"start_date\":"
        "\"2024-03-01T00:00:00.000Z\",\"end_date\":"
        "\"2024-03-02T00:00:00.000Z\"},\"c2\":{\"id\":\"c2\",\"product\":"
        "{\"id\":\"SUPPORT\"},\"metric_name\":\"PROMO_CREDIT\","
        "\"start_date\":\"2024-03-01T00:00:00.000Z\",\"end_date\":"
        "\"2024-03-02T00:00:00.000Z\"}");

    /* a next link elsewhere is refused */
    x.exclude = NULL;
    x.nexclude = 0;
    x.key_by.len = 0;
    out.len = 0;
    {
        const char *evil = "{\"metadata\":{\"next\":\"https://evil.example/"
                           "steal?x=1\"},\"data\":[]}";

        CHECK(um_exec_page(&x, 0, none, evil, strlen(evil), um_undef(), NULL,
                           &out, &page) == UM_ERR && err.status == 502);
    }

    /* bodies that are not what the mapping expects */
    CHECK(um_exec_page(&x, 0, none, "<html>", 6, um_undef(), NULL, &out,
                       &page) == UM_ERR && err.status == 502);
    CHECK(um_exec_page(&x, 0, none, "{\"data\":{}}", 11, um_undef(), NULL,
                       &out, &page) == UM_ERR);
    CHECK(um_exec_page(&x, 0, none, "{\"data\":[1,", 11, um_undef(), NULL,
                       &out, &page) == UM_ERR);
    CHECK(um_exec_page(&x, 0, none, "{}", 2, um_undef(), NULL, &out, &page)
          == UM_OK && page.rows == 0);

    /* a window: skip one row, give at most one, say what is left */
    out.len = 0;
    x.rows = 0;
    {
        um_window_t  win = { 1, 1 };

        CHECK(um_exec_page(&x, 0, none, body, strlen(body), um_undef(), &win,
                           &out, &page) == UM_OK
              && page.rows == 1 && page.left == 0
              && strncmp(out.data, "{\"id\":\"c2\"", 10) == 0);

        win.skip = 0;
        out.len = 0;
        x.rows = 0;
        CHECK(um_exec_page(&x, 0, none, body, strlen(body), um_undef(), &win,
                           &out, &page) == UM_OK
              && page.rows == 1 && page.left == 1);
    }

    um_buf_free(&out);
    um_arena_destroy(pa);
    um_arena_destroy(a);
    um_arena_destroy(ca);
}


static void
hex(const uint8_t *d, char *out)
{
    int  i;

    for (i = 0; i < UM_SHA256_LEN; i++) {
        sprintf(out + i * 2, "%02x", d[i]);
    }
}


static void
test_sha256(void)
{
    int          i;
    char         h[2 * UM_SHA256_LEN + 1], big[1000], key[131];
    uint8_t      d[UM_SHA256_LEN];
    um_sha256_t  c;

    um_sha256("abc", 3, d);
    hex(d, h);
    CHECK_STR(h, strlen(h), "ba7816bf8f01cfea414140de5dae2223"
                            "b00361a396177a9cb410ff61f20015ad");

    um_sha256("", 0, d);
    hex(d, h);
    CHECK_STR(h, strlen(h), "e3b0c44298fc1c149afbf4c8996fb924"
                            "27ae41e4649b934ca495991b7852b855");

    um_sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56,
              d);
    hex(d, h);
    CHECK_STR(h, strlen(h), "248d6a61d20638b8e5c026930c3e6039"
                            "a33ce45964ff2167f6ecedd419db06c1");

    memset(big, 'a', sizeof(big));
    um_sha256_init(&c);
    for (i = 0; i < 1000; i++) {
        um_sha256_update(&c, big, sizeof(big));
    }
    um_sha256_final(&c, d);
    hex(d, h);
    CHECK_STR(h, strlen(h), "cdc76e5c9914fb9281a1c7e284d73e67"
                            "f1809a48a497200e046d39ccc7112cd0");

    um_hmac_sha256("key", 3, "The quick brown fox jumps over the lazy dog",
                   43, d);
    hex(d, h);
    CHECK_STR(h, strlen(h), "f7bc83f430538424b13298e6aa6fb143"
                            "ef4d59a14946175997479dbc2d1a3cd8");

    /* RFC 4231 test case 6: a key longer than the block */
    memset(key, 0xaa, sizeof(key));
    um_hmac_sha256(key, sizeof(key),
                   "Test Using Larger Than Block-Size Key - Hash Key First",
                   54, d);
    hex(d, h);
    CHECK_STR(h, strlen(h), "60e431591ee0b67f0d8a26aacbf5b77f"
                            "8e0bc6213728c5140546040f0ee37f54");

    CHECK(um_ct_equal("abcd", "abcd", 4));
    CHECK(!um_ct_equal("abcd", "abce", 4));
}


static void
test_cursor(void)
{
    uint8_t            d1[UM_CURSOR_DIGEST], d2[UM_CURSOR_DIGEST];
    um_str_t           tok, bad;
    um_arena_t        *a;
    um_error_t         err;
    um_cursor_t        c, back;
    um_request_t       r1, r2;
    um_cursor_part_t   parts[2] = {
        { 0, 0, { "/costs?page_token=T2", 20 } },
        { 3, 17, { "", 0 } }
    };

    a = um_arena_create(0, 0);

    /* the digest ignores parameter order and shaping parameters */

    CHECK(parse(a, &r1, "integrated_account_id=x&start_date=2024-03-01"
                "&limit=5", &err) == UM_OK);
    CHECK(parse(a, &r2, "limit=5&truto_response_format=debug"
                "&integrated_account_id=x&start_date=2024-03-01&"
                "truto_exclude_fields=a", &err) == UM_OK);
    um_cursor_digest(&r1, d1);
    um_cursor_digest(&r2, d2);
    CHECK(memcmp(d1, d2, UM_CURSOR_DIGEST) == 0);

    CHECK(parse(a, &r2, "integrated_account_id=x&start_date=2024-03-02"
                "&limit=5", &err) == UM_OK);
    um_cursor_digest(&r2, d2);
    CHECK(memcmp(d1, d2, UM_CURSOR_DIGEST) != 0);

    c.issued = 1000;
    memcpy(c.digest, d1, UM_CURSOR_DIGEST);
    c.parts = parts;
    c.nparts = 2;

    CHECK(um_cursor_encode(a, &c, "k", 1, &tok) == UM_OK);
    {
        size_t  i, ok = 1;

        /* URL-safe: nothing but the base64url alphabet */

        for (i = 0; i < tok.len; i++) {
            ok &= (strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                          "0123456789-_", tok.data[i]) != NULL);
        }

        CHECK(ok && tok.len > 0);
    }

    CHECK(um_cursor_decode(a, tok, "k", 1, 1500, 3600, d1, &back, &err)
          == UM_OK && back.nparts == 2 && back.parts[1].stream == 3
          && back.parts[1].offset == 17
          && back.parts[0].cont.len == 20
          && memcmp(back.parts[0].cont.data, "/costs?page_token=T2", 20) == 0);

    /* another key, other parameters, too old, tampered, garbage */
    CHECK(um_cursor_decode(a, tok, "j", 1, 1500, 3600, d1, &back, &err)
          == UM_ERR && err.status == 400 && strstr(err.msg, "not valid"));
    CHECK(um_cursor_decode(a, tok, "k", 1, 1500, 3600, d2, &back, &err)
          == UM_ERR && strstr(err.msg, "other parameters"));
    CHECK(um_cursor_decode(a, tok, "k", 1, 9999, 3600, d1, &back, &err)
          == UM_ERR && strstr(err.msg, "expired"));
    CHECK(um_cursor_decode(a, tok, "k", 1, 9999, 0, d1, &back, &err)
          == UM_OK);

    bad.data = um_strndup(a, tok.data, tok.len);
    bad.len = tok.len;
    ((char *) bad.data)[tok.len / 2] ^= 1;
    CHECK(um_cursor_decode(a, bad, "k", 1, 1500, 3600, d1, &back, &err)
          == UM_ERR);

    bad.data = "AAAA";
    bad.len = 4;
    CHECK(um_cursor_decode(a, bad, "k", 1, 1500, 3600, d1, &back, &err)
          == UM_ERR);
    bad.data = "a+b/c=";
    bad.len = 6;
    CHECK(um_cursor_decode(a, bad, "k", 1, 1500, 3600, d1, &back, &err)
          == UM_ERR);

    /*
     * fuzz finding (cursor): an issued time far from now overflowed the
     * expiry arithmetic (undefined behaviour); it is simply expired
     */
    c.issued = INT64_MIN;
    CHECK(um_cursor_encode(a, &c, "k", 1, &tok) == UM_OK);
    CHECK(um_cursor_decode(a, tok, "k", 1, 1500, 3600, d1, &back, &err)
          == UM_ERR && strstr(err.msg, "expired"));
    c.issued = INT64_MAX;
    CHECK(um_cursor_encode(a, &c, "k", 1, &tok) == UM_OK);
    CHECK(um_cursor_decode(a, tok, "k", 1, 1500, 3600, d1, &back, &err)
          == UM_ERR && strstr(err.msg, "expired"));

    um_arena_destroy(a);
}


int
main(void)
{
    test_request();
    test_str();
    test_json();
    test_compile_errors();
    test_exec();
    test_sha256();
    test_cursor();

    printf("test_engine: %d checks, %d failures\n", checks, failures);

    return failures ? 1 : 0;
}
