/*
 * Differential test driver: compiles and evaluates every case of
 * t/unit/expr_cases.json with our engine and prints one JSON line per case,
 * {"ok": <result>} ("__undefined__" for no result) or {"error": true,
 * "msg": "..."}, for compare.js to check against the reference.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "um_expr.h"
#include "um_json_out.h"
#include "um_str.h"


#define UM_DIFF_NOW  1700000000000.0    /* 2023-11-14T22:13:20.000Z */


static void
um_diff_error(um_buf_t *out, const char *what, um_error_t *err)
{
    char  msg[400];

    snprintf(msg, sizeof(msg), "%s %zu:%zu: %s", what, err->line, err->col,
             err->msg);

    um_buf_adds(out, "{\"error\":true,\"msg\":");
    um_json_str(out, msg, strlen(msg));
    um_buf_addc(out, '}');
}


static void
um_diff_case(json_t *c, um_buf_t *out)
{
    size_t        i, n;
    json_t       *jexpr, *jinput, *jvars, *v;
    um_expr_t    *e;
    um_eval_t     ev;
    um_arena_t   *ca, *ea;
    um_error_t    err;
    um_scope_t    scope;
    um_value_t    input, result, vals[32];
    const char   *key, *names[32];

    memset(&err, 0, sizeof(err));

    jexpr = json_object_get(c, "expr");
    jinput = json_object_get(c, "input");
    jvars = json_object_get(c, "vars");

    n = 0;

    if (jvars) {
        json_object_foreach(jvars, key, v) {
            if (n == 32) {
                break;
            }

            names[n] = key;
            vals[n] = um_from_json(v);
            n++;
        }
    }

    scope.names = names;
    scope.n = n;

    ca = um_arena_create(0, 0);
    ea = um_arena_create(0, 64 * 1024 * 1024);

    if (ca == NULL || ea == NULL) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }

    e = um_expr_compile(ca, json_string_value(jexpr),
                        json_string_length(jexpr), &scope, &err);

    if (e == NULL) {
        um_diff_error(out, "compile", &err);
        goto done;
    }

    input = jinput ? um_from_json(jinput) : um_undef();

    memset(&ev, 0, sizeof(ev));
    ev.arena = ea;
    ev.vars = vals;
    ev.root = input;
    ev.now = UM_DIFF_NOW;
    ev.err = &err;

    if (um_expr_eval(e, &ev, input, &result) != UM_OK) {
        um_diff_error(out, "eval", &err);
        goto done;
    }

    um_buf_adds(out, "{\"ok\":");

    if (!um_json_value(out, result, 0)) {
        um_buf_adds(out, "\"__undefined__\"");
    }

    um_buf_addc(out, '}');

done:

    (void) i;
    um_arena_destroy(ea);
    um_arena_destroy(ca);
}


int
main(int argc, char **argv)
{
    size_t        i;
    json_t       *cases;
    um_buf_t      out;
    json_error_t  jerr;

    if (argc != 2) {
        fprintf(stderr, "usage: %s cases.json\n", argv[0]);
        return 2;
    }

    cases = json_load_file(argv[1], JSON_DECODE_INT_AS_REAL | JSON_ALLOW_NUL,
                           &jerr);
    if (cases == NULL || !json_is_array(cases)) {
        fprintf(stderr, "%s:%d: %s\n", argv[1], jerr.line, jerr.text);
        return 2;
    }

    um_buf_init(&out, NULL, 0);

    for (i = 0; i < json_array_size(cases); i++) {
        um_buf_truncate(&out, 0);
        um_diff_case(json_array_get(cases, i), &out);

        if (out.failed) {
            fprintf(stderr, "out of memory\n");
            return 2;
        }

        fwrite(out.data, 1, out.len, stdout);
        fputc('\n', stdout);
    }

    um_buf_free(&out);
    json_decref(cases);

    return 0;
}
