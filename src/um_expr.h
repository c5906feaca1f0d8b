/*
 * The expression language: a documented subset of JSONata.
 *
 * Expressions are parsed and compiled once, when nginx reads the mapping
 * files; the request path only evaluates the compiled form.  Regular
 * expressions are compiled with PCRE2 at the same time.
 *
 * Variables ($name) are resolved at compile time against a scope, a list of
 * names; an unknown variable is a compile error, so a typo in a mapping
 * fails nginx -t instead of silently producing nothing.  At evaluation the
 * values come from um_eval_t.vars, in the scope's order.
 */

#ifndef _UM_EXPR_H_INCLUDED_
#define _UM_EXPR_H_INCLUDED_


#include "um_arena.h"
#include "um_error.h"
#include "um_str.h"
#include "um_value.h"


typedef struct um_expr_s  um_expr_t;


typedef struct {
    const char       **names;       /* variable names, without the '$' */
    size_t             n;
} um_scope_t;


typedef struct {
    um_arena_t        *arena;       /* results and temporaries */
    const um_value_t  *vars;        /* values of the scope's variables */
    um_value_t         root;        /* what $$ refers to */
    double             now;         /* ms since the epoch, frozen per request */
    um_error_t        *err;         /* set when evaluation fails */
} um_eval_t;


/*
 * Compiles src (len bytes, not NUL-terminated) into a.  On error returns
 * NULL and sets err->msg, err->line and err->col (1-based, within src).
 */
um_expr_t *um_expr_compile(um_arena_t *a, const char *src, size_t len,
    const um_scope_t *scope, um_error_t *err);

/*
 * Evaluates e with input as the context value ($).  Returns UM_OK and the
 * result (UM_UNDEF when the expression yields nothing), or UM_ERR with
 * ev->err set (type errors, allocation failure).
 */
int um_expr_eval(const um_expr_t *e, um_eval_t *ev, um_value_t input,
    um_value_t *out);

/*
 * 1 if e is a constant (a literal, or folded to one at compile time) and
 * sets *out to it; 0 otherwise.
 */
int um_expr_constant(const um_expr_t *e, um_value_t *out);

/* 1 if e is a bare path of field names from $ (e.g. "a.b.c") */
int um_expr_is_path(const um_expr_t *e);

/*
 * 1 if e may read what its input holds in the field `field` (len bytes;
 * NULL: any field), or the input whole, when body is set and its input is
 * that object; 1 if it reads $$ in any case.  um_expr_reads.c; the mapping
 * executor streams a page's records when its own expressions cannot see
 * them.
 */
int um_expr_reads(const um_expr_t *e, int body, const char *field,
    size_t len);

/*
 * The value of e over in when e is a bare path of field names and in an
 * object, as um_expr_eval would give it, without an evaluation: returns 1
 * and sets *out; 0 when um_expr_eval is needed.
 */
int um_expr_path_get(const um_expr_t *e, um_value_t in, um_value_t *out);

/*
 * The names of e when it is a bare path of field names from $ ("a.b.c"),
 * or a call of one function on such a path alone ("$toIso(a.b)"): *fn is
 * then the function's name (NUL-terminated), else NULL.  Returns how many
 * names (at most max) it has, 0 when e is neither or has more than max;
 * names point into the compiled expression.  The mapping executor reads
 * such values from a record without building it.
 */
size_t um_expr_path_names(const um_expr_t *e, const char **fn,
    um_str_t *names, size_t max);

/*
 * What e reads of the scope's variable `slot`: fn is called with each
 * field name read as $var.name (as often as it appears); returns
 * UM_REF_WHOLE when the variable is also used otherwise (passed whole to a
 * function, a path that does not start with a name), so any of its
 * fields may be read.  For the meta endpoints (um_map_meta.c).
 */
#define UM_REF_FIELD  0x01
#define UM_REF_WHOLE  0x02

typedef void (*um_expr_ref_pt)(void *data, const char *name, size_t len);

unsigned um_expr_refs(const um_expr_t *e, int slot, um_expr_ref_pt fn,
    void *data);


#endif /* _UM_EXPR_H_INCLUDED_ */
