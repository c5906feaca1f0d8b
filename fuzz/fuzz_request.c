/*
 * libFuzzer target of the unified request parser (src/um_request.c): the
 * input is what follows the location prefix, "<route>?<query string>",
 * exactly as the client sends it.  Besides "no crash, leak or undefined
 * behaviour", what the parser accepts must keep its promises: decoded
 * values are UTF-8 without NUL bytes, an id cannot address another
 * resource, dates are ordered and the limit is in range.  The digest a
 * cursor carries and $query as JSON are computed from every accepted
 * request too.
 *
 *   make fuzz-build && build/fuzz/fuzz_request fuzz/corpus/request
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "um_cursor.h"
#include "um_json_out.h"
#include "um_request.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


#define FUZZ_ASSERT(cond)                                                    \
    do { if (!(cond)) { abort(); } } while (0)


static void
fuzz_check_text(um_str_t s)
{
    if (s.len == 0) {
        return;
    }

    FUZZ_ASSERT(s.data != NULL);
    FUZZ_ASSERT(memchr(s.data, '\0', s.len) == NULL);
    FUZZ_ASSERT(um_utf8_valid(s.data, s.len));
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t         i, q;
    uint8_t        digest[UM_CURSOR_DIGEST];
    json_t        *j;
    um_buf_t       b;
    um_arena_t    *a;
    um_error_t     err;
    um_request_t   req;
    const char    *s;

    s = (const char *) data;

    for (q = 0; q < size && s[q] != '?'; q++) {
        /* void */
    }

    a = um_arena_create(0, 1024 * 1024);
    if (a == NULL) {
        return 0;
    }

    memset(&req, 0, sizeof(req));
    memset(&err, 0, sizeof(err));

    if (um_request_route(a, &req, s, q, &err) != UM_OK) {
        FUZZ_ASSERT(err.status == 400 || err.status == 404);
        goto done;
    }

    FUZZ_ASSERT(req.resource >= 0 && req.resource < UM_RES_N);

    if (req.op == UM_OP_GET) {
        fuzz_check_text(req.id);
        FUZZ_ASSERT(req.id.len > 0);
        FUZZ_ASSERT(!(req.id.len == 1 && req.id.data[0] == '.'));
        FUZZ_ASSERT(!(req.id.len == 2 && memcmp(req.id.data, "..", 2) == 0));

        for (i = 0; i < req.id.len; i++) {
            FUZZ_ASSERT(req.id.data[i] != '/' && req.id.data[i] != '\\');
            FUZZ_ASSERT((unsigned char) req.id.data[i] >= 0x20
                        && req.id.data[i] != 0x7f);
        }
    }

    if (um_request_parse(a, &req, q < size ? s + q + 1 : "",
                         q < size ? size - q - 1 : 0, &err)
        != UM_OK)
    {
        FUZZ_ASSERT(err.status == 400 || err.status == 500);
        FUZZ_ASSERT(err.msg[0] != '\0');
        goto done;
    }

    FUZZ_ASSERT(req.nparams <= UM_PARAMS_MAX);
    FUZZ_ASSERT(req.naccounts <= UM_ACCOUNTS_MAX);
    FUZZ_ASSERT(req.limit >= 0 && req.limit <= UM_LIMIT_MAX);
    FUZZ_ASSERT(!(req.has_start && req.has_end && req.end_ms < req.start_ms));

    for (i = 0; i < req.nparams; i++) {
        fuzz_check_text(req.params[i].key);
        fuzz_check_text(req.params[i].value);
        FUZZ_ASSERT(req.params[i].key.len > 0);
    }

    for (i = 0; i < req.naccounts; i++) {
        fuzz_check_text(req.accounts[i]);
        FUZZ_ASSERT(req.accounts[i].len > 0);
    }

    for (i = 0; i < req.nremote; i++) {
        fuzz_check_text(req.remote_query[i].key);
        fuzz_check_text(req.remote_query[i].value);
        FUZZ_ASSERT(req.remote_query[i].key.len > 0);
    }

    for (i = 0; i < req.nexclude; i++) {
        fuzz_check_text(req.exclude[i]);
    }

    fuzz_check_text(req.next_cursor);
    fuzz_check_text(req.key_by);

    um_cursor_digest(&req, digest);

    /* $query is handed to mappings: it must serialise as JSON */

    um_buf_init(&b, NULL, 0);
    FUZZ_ASSERT(um_json_value(&b, req.query, 0) == 1);
    FUZZ_ASSERT(!b.failed);

    j = json_loadb(b.data, b.len, 0, NULL);
    FUZZ_ASSERT(j != NULL && json_is_object(j));
    json_decref(j);
    um_buf_free(&b);

done:

    um_arena_destroy(a);

    return 0;
}
