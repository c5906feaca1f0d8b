/*
 * What an expression may read of the body it runs over: lets the mapping
 * executor stream a page's records instead of building them (um_map_exec.c
 * fast path) when the page's own expressions cannot see them.
 */

#include <string.h>

#include "um_expr_int.h"


static int um_expr_reads_node(const um_node_t *n, int body,
    const char *field, size_t len);


int
um_expr_reads(const um_expr_t *e, int body, const char *field, size_t len)
{
    return e && um_expr_reads_node(e->root, body, field, len);
}


/*
 * $$ anywhere reads the body.  Where the input is the body itself (body
 * set), so do $, * and **, a function that may take the context for a
 * missing argument, and a field name that is `field` (any name when field
 * is NULL).  The steps after a path's first, predicates and groupings see
 * what came before them, never the body again (but through $$).
 */

static int
um_expr_reads_node(const um_node_t *n, int body, const char *field,
    size_t len)
{
    int       i;
    uint32_t  k;

    if (n == NULL) {
        return 0;
    }

    switch (n->type) {

    case UM_N_ROOT:
        return 1;

    case UM_N_CTX:
    case UM_N_WILD:
    case UM_N_DESC:
        if (body) {
            return 1;
        }

        break;

    case UM_N_NAME:
        if (body && (field == NULL
                     || (n->val.len == len
                         && memcmp(n->val.u.s, field, len) == 0)))
        {
            return 1;
        }

        break;

    case UM_N_CALL:
        if (body && n->sig && (int) n->nkids < n->sig->n) {
            for (i = 0; i < n->sig->n; i++) {
                if (n->sig->p[i].ctx) {
                    return 1;
                }
            }
        }

        break;

    default:
        break;
    }

    if (n->type == UM_N_PATH) {
        for (k = 0; k < n->nkids; k++) {
            if (um_expr_reads_node(n->kids[k], body && k == 0, field, len)) {
                return 1;
            }
        }

    } else {
        for (k = 0; k < n->nkids; k++) {
            if (um_expr_reads_node(n->kids[k], body, field, len)) {
                return 1;
            }
        }

        if (um_expr_reads_node(n->lhs, body, field, len)
            || um_expr_reads_node(n->rhs, body, field, len)
            || um_expr_reads_node(n->third, body, field, len))
        {
            return 1;
        }
    }

    for (k = 0; k < n->npreds; k++) {
        if (um_expr_reads_node(n->preds[k], 0, field, len)) {
            return 1;
        }
    }

    for (k = 0; k < n->nstages; k++) {
        if (um_expr_reads_node(n->stages[k], 0, field, len)) {
            return 1;
        }
    }

    for (k = 0; k < n->ngroup; k++) {
        if (um_expr_reads_node(n->group[k], 0, field, len)) {
            return 1;
        }
    }

    return 0;
}


/*
 * um_get with a guess: where the name was found in the last object it was
 * looked up in.  The records of a page come with their keys in the same
 * order, so the guess is mostly right and the linear search is skipped.
 * The guess is kept in the name node's unused slot (a name has no
 * variable slot; the compiler leaves it -1), per worker process.  Keys
 * are unique in an object (parsers and um_obj_set replace repeated ones),
 * so a match at the guess is the match.
 */

/* key equality for keys known to have the same length and first byte */

static inline int
um_rd_keq(const char *a, const char *b, uint32_t len)
{
    uint64_t  x, y;

    if (len >= 8) {
        if (len > 16) {
            return memcmp(a, b, len) == 0;
        }

        /* two overlapping words cover 8 to 16 bytes */
        memcpy(&x, a, 8);
        memcpy(&y, b, 8);

        if (x != y) {
            return 0;
        }

        memcpy(&x, a + len - 8, 8);
        memcpy(&y, b + len - 8, 8);

        return x == y;
    }

    while (len-- > 1) {
        if (a[len] != b[len]) {
            return 0;
        }
    }

    return 1;
}


static um_value_t
um_expr_get_hinted(um_value_t v, const um_node_t *name)
{
    int            h;
    uint32_t       i, k, klen;
    const char    *key;
    um_member_t   *m;
    um_object_t   *o;

    if (v.type != UM_OBJ) {
        return um_get(v, name->val.u.s, name->val.len);
    }

    o = v.u.o;
    key = name->val.u.s;
    klen = name->val.len;

    /* the guess, then from just before it (a record without an optional
     * key before this one has it one place earlier), all around */

    h = name->slot;

    if (h >= 0 && (uint32_t) h < o->n) {
        m = &o->items[h];

        if (m->klen == klen
            && (klen == 0 || (m->key[0] == key[0]
                              && um_rd_keq(m->key, key, klen))))
        {
            return m->val;
        }

        h = h > 0 ? h - 1 : 0;

    } else {
        h = 0;
    }

    for (k = 0; k < o->n; k++) {
        i = (uint32_t) h + k;

        if (i >= o->n) {
            i -= o->n;
        }

        m = &o->items[i];

        if (m->klen == klen
            && (klen == 0 || (m->key[0] == key[0]
                              && um_rd_keq(m->key, key, klen))))
        {
            ((um_node_t *) name)->slot = (int) i;
            return m->val;
        }
    }

    memset(&v, 0, sizeof(um_value_t));      /* undefined */

    return v;
}


/*
 * A bare path of field names ("resource.environment.id") over an object:
 * the evaluator's own shortcut for such paths (um_eval_path), without
 * setting up an evaluation.  0 when e is not such a path or the input or a
 * step is an array: um_expr_eval then does it the general way.
 */

/* the type tests of um_value.c, inline: this runs for most fields */

#define um_rd_is_array(v)                                                    \
    ((v).type == UM_ARR || ((v).type == UM_JSON && json_is_array((v).u.j)))
#define um_rd_is_object(v)                                                   \
    ((v).type == UM_OBJ || ((v).type == UM_JSON && json_is_object((v).u.j)))
#define um_rd_is_seq(v)  ((v).type == UM_ARR && ((v).flags & UM_F_SEQ))


int
um_expr_path_get(const um_expr_t *e, um_value_t in, um_value_t *out)
{
    uint32_t          i;
    um_value_t        cur, v;
    const um_node_t  *n;

    n = e->root;

    if (n->type != UM_N_PATH || !(n->flags & UM_NF_SIMPLE)
        || n->nkids == 0 || um_rd_is_array(in))
    {
        return 0;
    }

    cur = in;

    for (i = 0; i < n->nkids; i++) {
        v = um_expr_get_hinted(cur, n->kids[i]);

        if (v.type == UM_UNDEF) {
            *out = v;
            return 1;
        }

        if (i + 1 == n->nkids && !um_rd_is_seq(v)) {
            *out = v;
            return 1;
        }

        if (um_rd_is_array(v)) {
            return 0;
        }

        if (!um_rd_is_object(v)) {
            memset(out, 0, sizeof(um_value_t));     /* undefined */
            return 1;
        }

        cur = v;
    }

    return 0;
}


size_t
um_expr_path_names(const um_expr_t *e, const char **fn, um_str_t *names,
    size_t max)
{
    uint32_t          i;
    const um_node_t  *n;

    n = e->root;
    *fn = NULL;

    if (n->type == UM_N_CALL && n->fn && n->nkids == 1 && n->npreds == 0
        && n->nstages == 0 && n->ngroup == 0
        && !(n->flags & (UM_NF_KEEP_ARRAY | UM_NF_KEEP_SINGLE)))
    {
        *fn = n->fn->name;
        n = n->kids[0];
    }

    if (n->type != UM_N_PATH || !(n->flags & UM_NF_SIMPLE)
        || n->nkids == 0 || n->nkids > max)
    {
        *fn = NULL;
        return 0;
    }

    for (i = 0; i < n->nkids; i++) {
        names[i].data = n->kids[i]->val.u.s;
        names[i].len = n->kids[i]->val.len;
    }

    return n->nkids;
}
