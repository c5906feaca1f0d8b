/*
 * Rows, compiled: the templates a method writes as flat programs, and the
 * members of a record its rows read by plain paths, both made once, when
 * the mapping is compiled.
 *
 * A program is the template walked once at load: an object or array is
 * opened, its members follow, and it is closed (or taken back when none
 * of its computed parts is there); each op knows its key, pre-escaped,
 * and its dotted path for truto_exclude_fields.  The executor runs it in
 * a loop (um_map_exec.c).
 *
 * Most fields of most rows are a member of the record as it is ("id",
 * "resource.environment.id") or a date of one ("$toIso(start_date)").
 * For a list whose rows are all made that way from the record (no
 * "each"), the executor does not build each record into values:
 * um_jp_pick validates the record's text and keeps only those members,
 * each in its slot, and the ops read the slots.  An op that needs more
 * makes the executor build the record after all, so every mapping keeps
 * its meaning.
 */

#include <stdint.h>
#include <string.h>

#include "um_mapping.h"


#define UM_PICK_MAX_NAMES  8        /* names of a path */
#define UM_PICK_MAX_WANT   64       /* members wanted of one object */
#define UM_PICK_MAX_SLOTS  256


typedef struct {
    um_arena_t     *arena;
    um_error_t     *err;
    um_rop_t       *ops;
    uint32_t        n;
    uint32_t        cap;
    char            path[1024];
} um_rowc_t;


typedef struct {
    um_arena_t     *arena;
    um_jp_wants_t   root;
    uint32_t        parent[UM_PICK_MAX_SLOTS];
    uint32_t        nslots;
} um_pick_t;


static int um_row_program(um_arena_t *a, um_tpl_t *t, int fields,
    const um_method_t *m, um_error_t *err);
static int um_row_op(um_rowc_t *rc, const um_tpl_t *t, um_str_t key,
    size_t plen, unsigned depth);
static um_rop_t *um_row_push(um_rowc_t *rc, um_rop_e type, um_str_t key,
    size_t plen);
static int um_pick_ops(um_pick_t *pk, um_tpl_t *t);
static int um_pick_slot(um_pick_t *pk, const um_str_t *names, size_t n,
    uint32_t *slot);
static void um_pick_index(um_jp_wants_t *w);


int
um_map_rows(um_arena_t *a, um_method_t *m, um_error_t *err)
{
    size_t     k;
    um_pick_t  pk;

    m->want = NULL;
    m->nslots = 0;

    if (m->is_static) {
        /* rows[0].row is the array of the static rows */

        for (k = 0; k < m->rows[0].row->n; k++) {
            if (um_row_program(a, m->rows[0].row->items[k], 1, m, err)
                != UM_OK)
            {
                return UM_ERR;
            }
        }

        return UM_OK;
    }

    for (k = 0; k < m->nrows; k++) {
        if (um_row_program(a, m->rows[k].row, 1, m, err) != UM_OK) {
            return UM_ERR;
        }
    }

    for (k = 0; k < m->ncalls; k++) {
        if (m->calls[k].body
            && um_row_program(a, m->calls[k].body, 0, m, err) != UM_OK)
        {
            return UM_ERR;
        }
    }

    for (k = 0; k < m->njoins; k++) {
        if (m->joins[k].call.body
            && um_row_program(a, m->joins[k].call.body, 0, m, err) != UM_OK)
        {
            return UM_ERR;
        }
    }

    /* the members to pick: a list, every row made from the record whole */

    if (m->op != UM_OP_LIST) {
        return UM_OK;
    }

    for (k = 0; k < m->nrows; k++) {
        if (m->rows[k].each || m->rows[k].group_by) {
            return UM_OK;
        }
    }

    memset(&pk, 0, sizeof(um_pick_t));
    pk.arena = a;

    pk.root.want = um_calloc(a, UM_PICK_MAX_WANT * sizeof(um_jp_want_t));
    pk.root.memo = um_calloc(a, UM_JP_MEMO_KEYS * sizeof(um_jp_memo_t));

    if (pk.root.want == NULL || pk.root.memo == NULL) {
        return um_error_set(err, 0, "out of memory");
    }

    for (k = 0; k < m->nrows; k++) {
        if (um_pick_ops(&pk, m->rows[k].row) != UM_OK) {
            return um_error_set(err, 0, "out of memory");
        }
    }

    if (pk.nslots == 0) {
        return UM_OK;
    }

    m->want = um_alloc(a, sizeof(um_jp_wants_t));
    m->parent = um_alloc(a, pk.nslots * sizeof(uint32_t));

    if (m->want == NULL || m->parent == NULL) {
        return um_error_set(err, 0, "out of memory");
    }

    um_pick_index(&pk.root);

    *m->want = pk.root;
    memcpy(m->parent, pk.parent, pk.nslots * sizeof(uint32_t));
    m->nslots = pk.nslots;

    return UM_OK;
}


/*
 * The program of t: with fields set, of an object template's fields only
 * (a row: its braces are the executor's), else of t whole.
 */

static int
um_row_program(um_arena_t *a, um_tpl_t *t, int fields, const um_method_t *m,
    um_error_t *err)
{
    size_t     i, n;
    um_str_t   none;
    um_rowc_t  rc;

    memset(&rc, 0, sizeof(um_rowc_t));
    rc.arena = a;
    rc.err = err;

    none.data = NULL;
    none.len = 0;

    if (!fields) {
        if (um_row_op(&rc, t, none, 0, 0) != UM_OK) {
            goto failed;
        }

    } else {
        for (i = 0; i < t->n; i++) {
            n = t->fields[i].name.len;

            if (n >= sizeof(rc.path)) {
                um_error_set(err, 0, "a row template's field name is too "
                             "long");
                goto failed;
            }

            memcpy(rc.path, t->fields[i].name.data, n);

            if (um_row_op(&rc, t->fields[i].tpl, t->fields[i].key, n, 1)
                != UM_OK)
            {
                goto failed;
            }
        }
    }

    t->ops = rc.ops;
    t->nops = rc.n;

    return UM_OK;

failed:

    um_error_prefix(err, "%.*s", (int) m->where.len, m->where.data);

    return UM_ERR;
}


/* the ops of t, the value of `key` (empty: an item), at rc->path[0..plen) */

static int
um_row_op(um_rowc_t *rc, const um_tpl_t *t, um_str_t key, size_t plen,
    unsigned depth)
{
    size_t     i, n, start, self;
    um_rop_t  *op;
    um_str_t   none;

    if (depth > UM_ROW_MAX_DEPTH) {
        return um_error_set(rc->err, 0, "a row template nests more than %d "
                            "objects and arrays deep", UM_ROW_MAX_DEPTH);
    }

    switch (t->type) {

    case UM_TPL_CONST:
        op = um_row_push(rc, UM_ROP_CONST, key, plen);
        if (op == NULL) {
            return UM_ERR;
        }

        op->json = t->json;
        return UM_OK;

    case UM_TPL_EXPR:
        op = um_row_push(rc, UM_ROP_EXPR, key, plen);
        if (op == NULL) {
            return UM_ERR;
        }

        op->expr = t->expr;
        return UM_OK;

    default:
        break;
    }

    self = rc->n;

    op = um_row_push(rc, UM_ROP_OPEN, key, plen);
    if (op == NULL) {
        return UM_ERR;
    }

    op->array = (t->type == UM_TPL_ARRAY);
    op->dynamic = t->dynamic;

    none.data = NULL;
    none.len = 0;

    for (i = 0; i < t->n; i++) {
        if (t->type == UM_TPL_ARRAY) {
            /* the items of an array share its path for exclusions */

            if (um_row_op(rc, t->items[i], none, plen, depth + 1) != UM_OK) {
                return UM_ERR;
            }

            continue;
        }

        n = t->fields[i].name.len;
        start = plen ? plen + 1 : 0;

        if (start + n >= sizeof(rc->path)) {
            return um_error_set(rc->err, 0, "a row template's field path is "
                                "too long");
        }

        if (plen) {
            rc->path[plen] = '.';
        }

        memcpy(rc->path + start, t->fields[i].name.data, n);

        if (um_row_op(rc, t->fields[i].tpl, t->fields[i].key, start + n,
                      depth + 1)
            != UM_OK)
        {
            return UM_ERR;
        }
    }

    op = um_row_push(rc, UM_ROP_CLOSE, none, 0);
    if (op == NULL) {
        return UM_ERR;
    }

    op->array = (t->type == UM_TPL_ARRAY);
    rc->ops[self].end = rc->n;

    return UM_OK;
}


static um_rop_t *
um_row_push(um_rowc_t *rc, um_rop_e type, um_str_t key, size_t plen)
{
    char      *k, *path;
    um_rop_t  *ops, *op;

    if (rc->n == rc->cap) {
        rc->cap = rc->cap ? rc->cap * 2 : 16;

        ops = um_alloc(rc->arena, rc->cap * sizeof(um_rop_t));
        if (ops == NULL) {
            um_error_set(rc->err, 0, "out of memory");
            return NULL;
        }

        if (rc->n) {
            memcpy(ops, rc->ops, rc->n * sizeof(um_rop_t));
        }

        rc->ops = ops;
    }

    op = &rc->ops[rc->n++];
    memset(op, 0, sizeof(um_rop_t));
    op->type = type;
    op->end = rc->n;
    op->slot = UM_SLOT_NONE;

    if (key.len) {
        /* the key after a comma: written with it, as one copy */

        k = um_alloc(rc->arena, key.len + 1);
        if (k == NULL) {
            um_error_set(rc->err, 0, "out of memory");
            return NULL;
        }

        k[0] = ',';
        memcpy(k + 1, key.data, key.len);
        op->key.data = k + 1;
        op->key.len = key.len;

        path = um_alloc(rc->arena, plen ? plen : 1);
        if (path == NULL) {
            um_error_set(rc->err, 0, "out of memory");
            return NULL;
        }

        memcpy(path, rc->path, plen);
        op->path.data = path;
        op->path.len = plen;
    }

    return op;
}


/* the ops of a row program that are plain paths, or $toIso of one */

static int
um_pick_ops(um_pick_t *pk, um_tpl_t *t)
{
    size_t       n;
    uint32_t     i, slot;
    um_str_t     names[UM_PICK_MAX_NAMES];
    um_rop_t    *op;
    const char  *fn;

    for (i = 0; i < t->nops; i++) {
        op = &t->ops[i];

        if (op->type != UM_ROP_EXPR) {
            continue;
        }

        n = um_expr_path_names(op->expr, &fn, names, UM_PICK_MAX_NAMES);

        if (n == 0 || (fn && strcmp(fn, "toIso") != 0)) {
            continue;
        }

        if (um_pick_slot(pk, names, n, &slot) != UM_OK) {
            return UM_ERR;
        }

        if (slot != UM_SLOT_NONE) {
            op->pick = fn ? UM_PICK_ISO : UM_PICK_PATH;
            op->slot = slot;
        }
    }

    return UM_OK;
}


/*
 * The slot of a path, made along with those of its parents if new;
 * UM_SLOT_NONE when the limits are reached (the expression is evaluated).
 */

static int
um_pick_slot(um_pick_t *pk, const um_str_t *names, size_t n, uint32_t *slot)
{
    size_t          i;
    uint32_t        k, up;
    um_jp_want_t   *w;
    um_jp_wants_t  *level;

    *slot = UM_SLOT_NONE;

    if (n == 0) {
        return UM_OK;
    }

    level = &pk->root;
    up = UM_SLOT_NONE;
    w = NULL;

    for (i = 0; i < n; i++) {
        if (level == NULL) {
            /* a member picked as a value so far: now its members too */

            level = um_calloc(pk->arena, sizeof(um_jp_wants_t));
            if (level == NULL) {
                return UM_ERR;
            }

            level->want = um_calloc(pk->arena,
                                    UM_PICK_MAX_WANT * sizeof(um_jp_want_t));
            level->memo = um_calloc(pk->arena,
                                    UM_JP_MEMO_KEYS * sizeof(um_jp_memo_t));

            if (level->want == NULL || level->memo == NULL) {
                return UM_ERR;
            }

            w->kids = level;
        }

        for (k = 0; k < level->n; k++) {
            if (level->want[k].name.len == names[i].len
                && memcmp(level->want[k].name.data, names[i].data,
                          names[i].len) == 0)
            {
                break;
            }
        }

        if (k == level->n) {
            if (level->n == UM_PICK_MAX_WANT
                || pk->nslots == UM_PICK_MAX_SLOTS)
            {
                return UM_OK;
            }

            level->want[k].name = names[i];
            level->want[k].slot = pk->nslots;
            level->want[k].kids = NULL;
            pk->parent[pk->nslots++] = up;
            level->n++;
        }

        w = &level->want[k];
        up = w->slot;
        level = w->kids;
    }

    *slot = w->slot;

    return UM_OK;
}


/*
 * The lookup table of each level, by um_jp_want_hash, with the first seed
 * under which no two names share a bucket (a shared one is searched).
 */

static void
um_pick_index(um_jp_wants_t *w)
{
    uint32_t   k, seed, best, clashes, least;
    unsigned   h;
    um_str_t  *name;

    least = UINT32_MAX;
    best = 1;

    for (seed = 1; seed < 64 && least; seed++) {
        memset(w->index, 0, sizeof(w->index));
        clashes = 0;

        for (k = 0; k < w->n; k++) {
            name = &w->want[k].name;
            h = um_jp_want_hash(name->data, name->len, seed);
            clashes += (w->index[h] != 0);
            w->index[h] = 1;
        }

        if (clashes < least) {
            least = clashes;
            best = seed;
        }
    }

    w->seed = best;
    memset(w->index, 0, sizeof(w->index));

    for (k = 0; k < w->n; k++) {
        name = &w->want[k].name;
        h = um_jp_want_hash(name->data, name->len, best);
        w->index[h] = w->index[h] ? 0xff : (uint8_t) (k + 1);

        if (w->want[k].kids) {
            um_pick_index(w->want[k].kids);
        }
    }
}
