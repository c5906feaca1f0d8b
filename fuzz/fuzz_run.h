/*
 * What the fuzz targets of the mapping compiler and executor share: one
 * request of a compiled method run as the nginx glue runs it
 * (src/ngx_http_usage_metering_handler.c), over provider answers the
 * fuzzer chose, with the checks that make a finding of what would be a
 * wrong answer or a call to the wrong place:
 *
 *   - a provider call is the account's upstream plus a path starting with
 *     "/", with no control character, "\" or dot segment in it (the path
 *     is decoded: nginx escapes it when it proxies the subrequest), a
 *     query string that is percent-encoded, a method that is a token and
 *     a body that is JSON;
 *   - a next-page URL kept from an answer is the path the mapping called;
 *   - the rows written are JSON.
 */

#ifndef _FUZZ_RUN_H_INCLUDED_
#define _FUZZ_RUN_H_INCLUDED_


#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "um_json_out.h"
#include "um_mapping.h"


#define FUZZ_ASSERT(cond)                                                    \
    do { if (!(cond)) { abort(); } } while (0)

/*
 * JSON the module writes: NUL bytes escaped in strings are JSON, and so
 * are integers past 2^63 (numbers are doubles, written as JavaScript
 * does, without an exponent below 1e21), which jansson refuses by default
 */
#define FUZZ_JSON_FLAGS  (JSON_ALLOW_NUL | JSON_DECODE_INT_AS_REAL)


/* what a fuzzed run is made of; any part may be empty */

typedef struct {
    um_str_t            query;      /* the client's query string */
    um_str_t            id;         /* the id of a get */
    um_str_t            cursor;     /* a continuation from a cursor */
    um_str_t            body;       /* the provider's answer */
    um_str_t            headers;    /* its headers, "name: value" lines */
    um_str_t            joins[UM_MAX_JOINS];
    unsigned            flags;
} fuzz_input_t;


#define FUZZ_F_NO_REMOTE_DATA   0x01
#define FUZZ_F_NDJSON           0x02
#define FUZZ_F_KEY_BY           0x04
#define FUZZ_F_EXCLUDE          0x08
#define FUZZ_F_TAG              0x10
#define FUZZ_F_WINDOW           0x20
#define FUZZ_F_SKIP             0x40


static const char  *fuzz_account_json =
    "{\"org\": \"o1\", \"id\": \"acc-1\", \"region\": \"eu\","
    " \"account_id\": \"a-1\", \"team\": \"t 1\", \"project\": \"p1\"}";


static void
fuzz_check_call(const um_call_t *c)
{
    size_t       i;
    json_t      *j;
    const char  *s;

    FUZZ_ASSERT(c->method.len > 0 && c->method.len <= 16);

    for (i = 0; i < c->method.len; i++) {
        FUZZ_ASSERT(c->method.data[i] >= 'A' && c->method.data[i] <= 'Z');
    }

    s = c->path.data;

    FUZZ_ASSERT(c->path.len > 0 && s[0] == '/');

    for (i = 0; i < c->path.len; i++) {
        FUZZ_ASSERT((unsigned char) s[i] >= 0x20 && s[i] != 0x7f
                    && s[i] != '\\');

        /* no "." or ".." segment: the path stays where the mapping put it */

        if (s[i] == '/' && i + 1 < c->path.len && s[i + 1] == '.') {
            FUZZ_ASSERT(!(i + 2 == c->path.len || s[i + 2] == '/'));
            FUZZ_ASSERT(!(s[i + 2] == '.'
                          && (i + 3 == c->path.len || s[i + 3] == '/')));
        }
    }

    for (i = 0; i < c->args.len; i++) {
        FUZZ_ASSERT((unsigned char) c->args.data[i] > 0x20
                    && (unsigned char) c->args.data[i] < 0x7f
                    && c->args.data[i] != '#');
    }

    if (c->body.len) {
        j = json_loadb(c->body.data, c->body.len, FUZZ_JSON_FLAGS, NULL);
        FUZZ_ASSERT(j != NULL);
        json_decref(j);
    }
}


/* the rows written, as the answer wraps them */

static void
fuzz_check_rows(const um_method_t *m, const um_exec_t *x, um_buf_t *out)
{
    char          *text;
    size_t         i, start;
    json_t        *j;
    json_error_t   jerr;

    if (out->failed || out->len == 0) {
        return;
    }

    if (x->ndjson) {
        FUZZ_ASSERT(out->data[out->len - 1] == '\n');

        for (start = 0, i = 0; i < out->len; i++) {
            if (out->data[i] != '\n') {
                continue;
            }

            j = json_loadb(out->data + start, i - start, FUZZ_JSON_FLAGS,
                           NULL);
            FUZZ_ASSERT(j != NULL && json_is_object(j));
            json_decref(j);
            start = i + 1;
        }

        return;
    }

    text = malloc(out->len + 2);
    FUZZ_ASSERT(text != NULL);

    if (m->op == UM_OP_GET) {
        memcpy(text, out->data, out->len);
        j = json_loadb(text, out->len, FUZZ_JSON_FLAGS, &jerr);

    } else {
        text[0] = x->key_by.len ? '{' : '[';
        memcpy(text + 1, out->data, out->len);
        text[out->len + 1] = x->key_by.len ? '}' : ']';
        j = json_loadb(text, out->len + 2, FUZZ_JSON_FLAGS, &jerr);
    }

    if (j == NULL && strstr(jerr.text, "NUL byte in object key") != NULL) {
        /*
         * a key with "\u0000" in it (truto_key_by of a provider value
         * that holds one) is valid JSON that jansson cannot load: the
         * rest is checked with "\u0001" in its place
         */
        for (i = 0; i + 6 <= out->len + 2; i++) {
            if (memcmp(text + i, "\\u0000", 6) == 0) {
                text[i + 5] = '1';
            }
        }

        j = json_loadb(text, m->op == UM_OP_GET ? out->len : out->len + 2,
                       FUZZ_JSON_FLAGS, NULL);
    }

    FUZZ_ASSERT(j != NULL);
    json_decref(j);
    free(text);
}


/*
 * The provider's headers as the glue gives them to mappings
 * (ngx_http_usage_metering_call_headers): "name: value" lines, names in
 * lower case, values any bytes nginx lets through (not UTF-8 checked).
 */

static um_value_t
fuzz_headers(um_arena_t *pa, um_str_t text)
{
    char         *name;
    size_t        i, k, start, colon, vstart;
    um_value_t    obj;
    um_object_t  *o;

    if (text.len == 0) {
        return um_undef();
    }

    o = um_obj_new(pa, 8);
    if (o == NULL) {
        return um_undef();
    }

    for (start = 0, i = 0; i <= text.len; i++) {
        if (i < text.len && text.data[i] != '\n') {
            continue;
        }

        for (colon = start; colon < i && text.data[colon] != ':'; colon++) {
            /* void */
        }

        if (colon > start && colon < i) {
            name = um_alloc(pa, colon - start);
            if (name == NULL) {
                return um_undef();
            }

            for (k = start; k < colon; k++) {
                name[k - start] = (char) tolower((unsigned char) text.data[k]);
            }

            vstart = colon + 1;

            while (vstart < i && text.data[vstart] == ' ') {
                vstart++;
            }

            if (um_obj_set(pa, o, name, colon - start,
                           um_str(text.data + vstart, i - vstart))
                != 0)
            {
                return um_undef();
            }
        }

        start = i + 1;
    }

    obj.type = UM_OBJ;
    obj.flags = 0;
    obj.u.o = o;

    return obj;
}


/* the page of call k, and the call of the page after it */

static void
fuzz_run_page(um_exec_t *x, size_t k, um_str_t cursor, const um_call_t *first,
    const fuzz_input_t *in, um_buf_t *out)
{
    um_str_t          rl[3], msg;
    um_call_t         call;
    um_page_t         page;
    um_value_t        headers;
    um_window_t       win, *w;
    const um_method_t *m;

    m = x->method;

    um_arena_reset(x->page_arena);
    headers = fuzz_headers(x->page_arena, in->headers);

    win.skip = (in->flags & FUZZ_F_SKIP) ? 1 : 0;
    win.max = (in->flags & FUZZ_F_WINDOW) ? 2 : 0;
    w = (in->flags & (FUZZ_F_SKIP | FUZZ_F_WINDOW)) ? &win : NULL;

    if (um_exec_page(x, k, cursor, in->body.data, in->body.len, headers, w,
                     out, &page)
        != UM_OK)
    {
        FUZZ_ASSERT(x->err->msg[0] != '\0');
        return;
    }

    if (!page.is_error) {
        fuzz_check_rows(m, x, out);
    }

    (void) um_exec_rate_limit(x->provider, x->page_arena, headers, x->now,
                             rl);
    (void) um_exec_error_message(x->provider, x->page_arena, in->body.data,
                                 in->body.len, &msg);

    if (page.is_error || page.next.len == 0) {
        return;
    }

    if (m->paging.type == UM_PAGE_URL) {
        /* only the path the mapping called, and a query */
        FUZZ_ASSERT(page.next.len >= first->path.len
                    && memcmp(page.next.data, first->path.data,
                              first->path.len) == 0
                    && (page.next.len == first->path.len
                        || page.next.data[first->path.len] == '?'));
    }

    /* the cursor keeps the continuation: it outlives the page arena */

    cursor.data = um_strndup(x->arena, page.next.data, page.next.len);
    cursor.len = page.next.len;

    if (cursor.data == NULL) {
        return;
    }

    if (um_exec_call(x, k, cursor, &call) == UM_OK) {
        fuzz_check_call(&call);
    }
}


static void
fuzz_run_method(const um_provider_t *p, const um_method_t *m,
    const fuzz_input_t *in)
{
    int            active;
    char           route[600];
    size_t         j, k, n;
    json_t        *account;
    um_buf_t       out;
    um_str_t       cursor, path, none = { NULL, 0 };
    um_str_t       exclude[3] = { { "id", 2 }, { "usage.tokens", 12 },
                                  { "remote_data", 11 } };
    um_call_t      call;
    um_exec_t      x;
    um_page_t      page;
    um_arena_t    *a, *pa;
    um_error_t     err;
    um_window_t    win;
    um_request_t   req;

    a = um_arena_create(8192, 16 * 1024 * 1024);
    pa = um_arena_create(64 * 1024, 64 * 1024 * 1024);
    account = json_loads(fuzz_account_json, 0, NULL);
    um_buf_init(&out, NULL, 4 * 1024 * 1024);

    if (a == NULL || pa == NULL || account == NULL) {
        goto done;
    }

    memset(&err, 0, sizeof(err));
    memset(&req, 0, sizeof(req));

    if (um_request_parse(a, &req, in->query.data, in->query.len, &err)
        != UM_OK)
    {
        memset(&req, 0, sizeof(req));
        FUZZ_ASSERT(um_request_parse(a, &req, "", 0, &err) == UM_OK);
    }

    /* an id as the router lets it through */

    req.resource = m->resource;
    req.op = m->op;

    if (m->op == UM_OP_GET) {
        n = in->id.len < 512 ? in->id.len : 512;
        memcpy(route, "usage/", 6);
        memcpy(route + 6, in->id.data, n);

        if (um_request_route(a, &req, route, 6 + n, &err) != UM_OK
            || req.op != UM_OP_GET)
        {
            FUZZ_ASSERT(um_request_route(a, &req, "usage/x-1", 9, &err)
                        == UM_OK);
        }

        req.resource = m->resource;
    }

    memset(&err, 0, sizeof(err));

    if (um_exec_init(&x, p, m, &req, um_from_json(account), a, pa,
                     1700000000000.0, &err)
        != UM_OK)
    {
        FUZZ_ASSERT(err.status == 400 || err.status == 500);
        goto done;
    }

    x.remote_data = !(in->flags & FUZZ_F_NO_REMOTE_DATA);
    x.ndjson = (m->op == UM_OP_LIST && (in->flags & FUZZ_F_NDJSON));

    if (in->flags & FUZZ_F_EXCLUDE) {
        x.exclude = exclude;
        x.nexclude = 3;
    }

    if (m->op == UM_OP_LIST && !x.ndjson && (in->flags & FUZZ_F_KEY_BY)) {
        x.key_by.data = "id";
        x.key_by.len = 2;
    }

    if (in->flags & FUZZ_F_TAG) {
        x.tag.data = "acc-1";
        x.tag.len = 5;
    }

    if (m->is_static) {
        win.skip = (in->flags & FUZZ_F_SKIP) ? 1 : 0;
        win.max = (in->flags & FUZZ_F_WINDOW) ? 2 : 0;

        if (um_exec_static(&x, &win, &out, &page) == UM_OK) {
            fuzz_check_rows(m, &x, &out);
        }

        goto done;
    }

    /* joins first, with the first page */

    for (j = 0; j < m->njoins; j++) {
        if (um_exec_join_call(&x, j, &call) != UM_OK) {
            goto done;
        }

        fuzz_check_call(&call);

        if (um_exec_join_result(&x, j, in->joins[j].data, in->joins[j].len)
            != UM_OK)
        {
            goto done;
        }
    }

    for (k = 0; k < m->ncalls; k++) {
        if (um_exec_call_active(&x, k, &active) != UM_OK) {
            goto done;
        }

        if (!active) {
            continue;
        }

        /* the first page, then the one a cursor names */

        if (um_exec_call(&x, k, none, &call) != UM_OK) {
            continue;
        }

        fuzz_check_call(&call);
        fuzz_run_page(&x, k, none, &call, in, &out);

        if (in->cursor.len == 0) {
            continue;
        }

        /*
         * any continuation (a cursor is signed, but its secret may leak):
         * a URL one is the mapping's path and a query, else refused
         */

        cursor = in->cursor;
        path = x.paths[k];

        if (um_exec_call(&x, k, cursor, &call) == UM_OK) {
            fuzz_check_call(&call);

            if (m->paging.type == UM_PAGE_URL) {
                FUZZ_ASSERT(call.path.len == path.len
                            && memcmp(call.path.data, path.data, path.len)
                               == 0);
            }
        }
    }

done:

    um_buf_free(&out);
    json_decref(account);
    um_arena_destroy(pa);
    um_arena_destroy(a);
}


#endif /* _FUZZ_RUN_H_INCLUDED_ */
