/*
 * libFuzzer target of the expression compiler and evaluator: any bytes are
 * compiled; what compiles is evaluated over a fixed document with a
 * size-limited arena.  No crash, leak or undefined behaviour is allowed.
 *
 *   make fuzz-build && build/fuzz/fuzz_expr fuzz/corpus/expr
 */

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "um_expr.h"


static const char  *um_fuzz_doc =
    "{\"a\": [{\"b\": 1, \"c\": \"x\"}, {\"b\": [2, 3], \"c\": null}],"
    " \"s\": \"h\\u00e9llo w\\u00f6rld\", \"n\": 12.5, \"t\": true,"
    " \"o\": {\"k\": {\"k\": [[1], [2, [3]]]}}, \"e\": [], \"d\": "
    "\"2024-02-29T12:00:00Z\"}";


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t         *doc, *var;
    um_expr_t      *e;
    um_eval_t       ev;
    um_arena_t     *ca, *ea;
    um_error_t      err;
    um_scope_t      scope;
    um_value_t      vars[2], in, out;
    json_error_t    jerr;
    static const char  *names[] = { "x", "y" };

    doc = json_loads(um_fuzz_doc, 0, &jerr);
    var = json_loads("[1, \"two\", {\"three\": 3}]", 0, &jerr);

    ca = um_arena_create(0, 0);
    ea = um_arena_create(4096, 4 * 1024 * 1024);

    if (doc == NULL || var == NULL || ca == NULL || ea == NULL) {
        return 0;
    }

    vars[0] = um_num(42);
    vars[1] = um_from_json(var);
    scope.names = names;
    scope.n = 2;

    memset(&err, 0, sizeof(err));

    e = um_expr_compile(ca, (const char *) data, size, &scope, &err);

    if (e) {
        in = um_from_json(doc);

        memset(&ev, 0, sizeof(ev));
        ev.arena = ea;
        ev.vars = vars;
        ev.root = in;
        ev.now = 1700000000000.0;
        ev.err = &err;

        (void) um_expr_eval(e, &ev, in, &out);
        um_arena_reset(ea);

        /* an array input takes the wrapped way */
        (void) um_expr_eval(e, &ev, vars[1], &out);
        (void) um_expr_constant(e, &out);
        (void) um_expr_is_path(e);
    }

    um_arena_destroy(ea);
    um_arena_destroy(ca);
    json_decref(var);
    json_decref(doc);

    return 0;
}
