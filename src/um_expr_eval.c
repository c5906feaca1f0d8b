/*
 * The expression evaluator.  It walks the compiled tree and follows the
 * reference implementation's evaluator (jsonata-js jsonata.js): results of
 * paths are sequences that collapse to their single item, path steps
 * flatten one level, predicates are evaluated per item, and so on.  Every
 * value it makes lives in the evaluation arena.
 */

#include <math.h>
#include <string.h>

#include "um_expr_int.h"


typedef struct {
    const char  *key;
    uint32_t     klen;
    uint32_t     idx;         /* pair that made the key */
    uint32_t     owned;       /* data is an array of this group's own */
    um_value_t   data;
} um_group_t;


static int um_eval_path(um_es_t *s, const um_node_t *n, um_value_t in,
    um_value_t *out);
static int um_eval_steps(um_es_t *s, const um_node_t *n, uint32_t from,
    um_value_t inseq, um_value_t *out);
static int um_eval_step(um_es_t *s, const um_node_t *step, um_value_t inseq,
    int last, um_value_t *out);
static int um_flatten_into(um_es_t *s, um_array_t *seq, um_value_t r);
static int um_filter(um_es_t *s, const um_node_t *pred, um_value_t input,
    um_value_t *out);
static int um_lookup(um_es_t *s, um_value_t in, const char *key,
    uint32_t klen, um_value_t *out);
static int um_eval_wild(um_es_t *s, um_value_t in, um_value_t *out);
static int um_flatten_deep(um_es_t *s, um_array_t *arr, um_value_t v);
static int um_eval_desc(um_es_t *s, um_value_t in, um_value_t *out);
static int um_descend(um_es_t *s, um_array_t *arr, um_value_t v,
    unsigned depth);
static int um_eval_array(um_es_t *s, const um_node_t *n, um_value_t in,
    um_value_t *out);
static int um_eval_range(um_es_t *s, const um_node_t *n, um_value_t in,
    um_value_t *out);
static int um_eval_group(um_es_t *s, um_node_t *const *pairs,
    uint32_t npairs, um_value_t input, um_value_t *out);
static int um_eval_binary(um_es_t *s, const um_node_t *n, um_value_t in,
    um_value_t *out);
static int um_eval_block(um_es_t *s, const um_node_t *n, um_value_t in,
    um_value_t *out);
static int um_sig_match(const um_sig_t *sig, const uint8_t *sym, int nargs,
    int pi, int ai, uint8_t *took);
static const char *um_op_name(int op);


int
um_eval_oom(um_es_t *s)
{
    return um_error_set(s->ev->err, 0, "out of memory evaluating expression");
}


int
um_is_seq(um_value_t v)
{
    return v.type == UM_ARR && (v.flags & UM_F_SEQ);
}


/* a new array in the evaluation arena, returned also as a value */

um_array_t *
um_seq_new(um_es_t *s, uint32_t cap, um_value_t *v, uint8_t flags)
{
    um_array_t  *arr;

    arr = um_arr_new(s->a, cap);
    if (arr == NULL) {
        um_eval_oom(s);
        return NULL;
    }

    memset(v, 0, sizeof(um_value_t));
    v->type = UM_ARR;
    v->flags = flags;
    v->u.a = arr;

    return arr;
}


static int
um_push(um_es_t *s, um_array_t *arr, um_value_t v)
{
    if (um_arr_push(s->a, arr, v) != UM_OK) {
        return um_eval_oom(s);
    }

    return UM_OK;
}


uint8_t
um_symbol(um_value_t v)
{
    switch (v.type) {
    case UM_STR:
        return UM_S_S;
    case UM_NUM:
        return UM_S_N;
    case UM_BOOL:
        return UM_S_B;
    case UM_NULL:
        return UM_S_L;
    case UM_ARR:
        return UM_S_A;
    case UM_OBJ:
        return UM_S_O;
    case UM_JSON:
        return json_is_array(v.u.j) ? UM_S_A : UM_S_O;
    case UM_FUNC:
        return UM_S_F;
    default:
        return UM_S_M;
    }
}


/*
 * JavaScript compares strings by UTF-16 code units: the same as code point
 * order except that characters beyond the BMP sort below U+E000..U+FFFF.
 */

static uint32_t
um_utf8_next(const unsigned char *p, const unsigned char *end, size_t *n)
{
    uint32_t  c;

    c = p[0];

    if (c < 0x80 || p + 1 >= end) {
        *n = 1;
        return c;
    }

    if (c < 0xe0) {
        *n = 2;
        return ((c & 0x1f) << 6) | (p[1] & 0x3f);
    }

    if (c < 0xf0 || end - p < 4) {
        *n = 3;
        return p + 2 < end
               ? ((c & 0x0f) << 12) | ((p[1] & 0x3f) << 6) | (p[2] & 0x3f)
               : c;
    }

    *n = 4;

    return ((c & 0x07) << 18) | ((p[1] & 0x3f) << 12) | ((p[2] & 0x3f) << 6)
           | (p[3] & 0x3f);
}


int
um_str_cmp16(um_value_t a, um_value_t b)
{
    size_t                na, nb;
    uint32_t              ca, cb, ua, ub;
    const unsigned char  *pa, *pb, *ea, *eb;

    pa = (const unsigned char *) a.u.s;
    pb = (const unsigned char *) b.u.s;
    ea = pa + a.len;
    eb = pb + b.len;

    while (pa < ea && pb < eb) {
        ca = um_utf8_next(pa, ea, &na);
        cb = um_utf8_next(pb, eb, &nb);

        if (ca != cb) {
            /* first UTF-16 units */
            ua = ca >= 0x10000 ? 0xd800 + ((ca - 0x10000) >> 10) : ca;
            ub = cb >= 0x10000 ? 0xd800 + ((cb - 0x10000) >> 10) : cb;

            if (ua == ub) {
                ua = 0xdc00 + ((ca - 0x10000) & 0x3ff);
                ub = 0xdc00 + ((cb - 0x10000) & 0x3ff);
            }

            return ua < ub ? -1 : 1;
        }

        pa += na;
        pb += nb;
    }

    if (pa < ea) {
        return 1;
    }

    return pb < eb ? -1 : 0;
}


int
um_expr_eval(const um_expr_t *e, um_eval_t *ev, um_value_t input,
    um_value_t *out)
{
    int            rc;
    uint32_t       i;
    um_es_t        s;
    um_value_t     in;
    um_array_t    *wrap;
    um_binding_t  *b;

    memset(&s, 0, sizeof(um_es_t));
    s.ev = ev;
    s.a = ev->arena;
    s.e = e;

    *out = um_undef();

    if (e->nlocals) {
        s.locals = um_calloc(s.a, e->nlocals * sizeof(um_value_t));
        if (s.locals == NULL) {
            return um_eval_oom(&s);
        }

        for (i = 0; i < e->nbinds; i++) {
            b = &e->binds[i];

            if (b->outer_kind == UM_N_VAR && ev->vars) {
                s.locals[b->slot] = ev->vars[b->outer];
            }
        }
    }

    /* an array input is wrapped in a sequence of one, as the reference
     * does, so that paths map over it and $ is still the whole array; a
     * result of an earlier evaluation given as input is a plain array */

    in = input;

    if (um_is_array(input)) {
        if (input.type == UM_ARR) {
            input.flags = 0;
        }

        wrap = um_seq_new(&s, 1, &in, UM_F_SEQ | UM_F_OUTER);
        if (wrap == NULL) {
            return UM_ERR;
        }

        wrap->items[wrap->n++] = input;
    }

    rc = um_eval_node(&s, e->root, in, out);

    if (rc != UM_OK) {
        *out = um_undef();
    }

    return rc;
}


/* evaluation outside um_expr_eval: constant folding */

int
um_eval_run(um_es_t *s, const um_node_t *n, um_value_t in, um_value_t *out)
{
    return um_eval_node(s, n, in, out);
}


int
um_eval_node(um_es_t *s, const um_node_t *n, um_value_t in, um_value_t *out)
{
    int          rc;
    uint32_t     i;
    um_value_t   r, l;

    if (++s->depth > UM_EVAL_MAX_DEPTH) {
        return um_error_set(s->ev->err, 0, "expression nested too deeply");
    }

    rc = UM_OK;
    r = um_undef();

    switch (n->type) {

    case UM_N_LIT:
        r = n->val;
        break;

    case UM_N_PATH:
        rc = um_eval_path(s, n, in, &r);
        break;

    case UM_N_NAME:
        rc = um_lookup(s, in, n->val.u.s, n->val.len, &r);
        break;

    case UM_N_CTX:
        r = (in.type == UM_ARR && (in.flags & UM_F_OUTER)) ? in.u.a->items[0]
                                                           : in;
        break;

    case UM_N_ROOT:
        r = s->ev->root;
        break;

    case UM_N_VAR:
        r = s->ev->vars ? s->ev->vars[n->slot] : um_undef();
        break;

    case UM_N_LOCAL:
        r = s->locals ? s->locals[n->slot] : um_undef();
        break;

    case UM_N_WILD:
        rc = um_eval_wild(s, in, &r);
        break;

    case UM_N_DESC:
        rc = um_eval_desc(s, in, &r);
        break;

    case UM_N_NEG:
        rc = um_eval_node(s, n->lhs, in, &l);
        if (rc != UM_OK || l.type == UM_UNDEF) {
            break;
        }

        if (l.type != UM_NUM) {
            rc = um_error_set(s->ev->err, 0,
                              "the operand of unary \"-\" must be a number, "
                              "got %s", um_type_name(l));
            break;
        }

        r = um_num(-l.u.n);
        break;

    case UM_N_ARRAY:
        rc = um_eval_array(s, n, in, &r);
        break;

    case UM_N_OBJECT:
        rc = um_eval_group(s, n->kids, n->nkids, in, &r);
        break;

    case UM_N_RANGE:
        rc = um_eval_range(s, n, in, &r);
        break;

    case UM_N_BINARY:
        rc = um_eval_binary(s, n, in, &r);
        break;

    case UM_N_AND:
    case UM_N_OR:
        rc = um_eval_node(s, n->lhs, in, &l);
        if (rc != UM_OK) {
            break;
        }

        if ((n->type == UM_N_AND) != (um_truthy(l) != 0)) {
            r = um_bool(n->type == UM_N_OR);
            break;
        }

        rc = um_eval_node(s, n->rhs, in, &l);
        r = um_bool(um_truthy(l));
        break;

    case UM_N_COND:
        rc = um_eval_node(s, n->lhs, in, &l);
        if (rc != UM_OK) {
            break;
        }

        if (um_truthy(l)) {
            rc = um_eval_node(s, n->rhs, in, &r);

        } else if (n->third) {
            rc = um_eval_node(s, n->third, in, &r);
        }

        break;

    case UM_N_ELVIS:
    case UM_N_COALESCE:
        rc = um_eval_node(s, n->lhs, in, &r);
        if (rc != UM_OK) {
            break;
        }

        if (n->type == UM_N_ELVIS ? !um_truthy(r) : r.type == UM_UNDEF) {
            rc = um_eval_node(s, n->rhs, in, &r);
        }

        break;

    case UM_N_BLOCK:
        rc = um_eval_block(s, n, in, &r);
        break;

    case UM_N_BIND:
        rc = um_eval_node(s, n->rhs, in, &r);
        if (rc == UM_OK) {
            s->locals[n->slot] = r;
        }

        break;

    case UM_N_CALL:
        rc = um_eval_call(s, n, in, &r);
        break;

    default:
        rc = um_error_set(s->ev->err, 0, "internal error: node type %d",
                          n->type);
    }

    if (rc != UM_OK) {
        return UM_ERR;
    }

    for (i = 0; i < n->npreds; i++) {
        if (um_filter(s, n->preds[i], r, &r) != UM_OK) {
            return UM_ERR;
        }
    }

    if (n->ngroup && n->type != UM_N_PATH) {
        if (um_eval_group(s, n->group, n->ngroup, r, &r) != UM_OK) {
            return UM_ERR;
        }
    }

    /* a sequence of one is its item; an empty one is nothing */

    if (um_is_seq(r)) {
        if (n->flags & UM_NF_KEEP_ARRAY) {
            r.flags |= UM_F_KEEP;
        }

        if (r.u.a->n == 0) {
            r = um_undef();

        } else if (r.u.a->n == 1 && !(r.flags & UM_F_KEEP)) {
            r = r.u.a->items[0];
        }
    }

    s->depth--;
    *out = r;

    return UM_OK;
}


static int
um_eval_path(um_es_t *s, const um_node_t *n, um_value_t in, um_value_t *out)
{
    uint32_t     i;
    um_value_t   cur, v, seqv;
    um_array_t   one, *seq;

    /* names over objects: no sequence is needed, nothing is allocated */

    if ((n->flags & UM_NF_SIMPLE) && !um_is_array(in)) {
        cur = in;

        for (i = 0; i < n->nkids; i++) {
            v = um_get(cur, n->kids[i]->val.u.s, n->kids[i]->val.len);

            if (v.type == UM_UNDEF) {
                *out = v;
                return UM_OK;
            }

            if (i + 1 == n->nkids && !um_is_seq(v)) {
                /* the last step's single value, arrays as they are */
                *out = v;
                return UM_OK;
            }

            if (um_is_array(v)) {
                if (v.type == UM_ARR && (v.flags & (UM_F_CONS | UM_F_SEQ))) {
                    /* arena arrays with flags: the general way */
                    seq = um_seq_new(s, 1, &seqv, UM_F_SEQ);
                    if (seq == NULL) {
                        return UM_ERR;
                    }

                    seq->items[seq->n++] = cur;
                    return um_eval_steps(s, n, i, seqv, out);
                }

                /* the array's items are the next step's input */
                return um_eval_steps(s, n, i + 1, v, out);
            }

            if (!um_is_object(v)) {
                /* a field of a scalar is nothing */
                *out = um_undef();
                return UM_OK;
            }

            cur = v;
        }
    }

    /* the input sequence: the input's items, or the input alone */

    if (um_is_array(in) && !(n->kids[0]->flags & UM_NF_VARSTEP)) {
        seqv = in;

    } else if (n->kids[0]->flags & UM_NF_CONSARRAY) {
        seq = um_seq_new(s, 1, &seqv, UM_F_SEQ);
        if (seq == NULL) {
            return UM_ERR;
        }

        seq->items[seq->n++] = in;

    } else {
        /* only iterated over: it can live on the stack */
        one.items = &in;
        one.n = 1;
        one.cap = 1;
        memset(&seqv, 0, sizeof(um_value_t));
        seqv.type = UM_ARR;
        seqv.flags = UM_F_SEQ;
        seqv.u.a = &one;
    }

    return um_eval_steps(s, n, 0, seqv, out);
}


static int
um_eval_steps(um_es_t *s, const um_node_t *n, uint32_t from,
    um_value_t inseq, um_value_t *out)
{
    uint32_t          i;
    um_value_t        res;
    um_array_t       *seq;
    const um_node_t  *step;

    res = um_undef();

    for (i = from; i < n->nkids; i++) {
        step = n->kids[i];

        if (i == 0 && (step->flags & UM_NF_CONSARRAY)) {
            /* a leading array constructor is evaluated once, over the
             * whole input sequence */
            if (um_eval_node(s, step, inseq, &res) != UM_OK) {
                return UM_ERR;
            }

        } else if (!um_is_array(inseq)) {
            /* the reference iterates over a non-array's missing length:
             * nothing */
            res = um_undef();

        } else if (um_eval_step(s, step, inseq, i + 1 == n->nkids, &res)
                   != UM_OK)
        {
            return UM_ERR;
        }

        if (res.type == UM_UNDEF || (um_is_array(res) && um_len(res) == 0)) {
            break;
        }

        inseq = res;
    }

    if (n->flags & UM_NF_KEEP_SINGLE) {
        if (res.type == UM_ARR && (res.flags & UM_F_CONS)
            && !(res.flags & UM_F_SEQ))
        {
            seq = um_seq_new(s, 1, &inseq, UM_F_SEQ);
            if (seq == NULL) {
                return UM_ERR;
            }

            seq->items[seq->n++] = res;
            res = inseq;
        }

        if (res.type == UM_ARR || res.type == UM_JSON) {
            res.flags |= UM_F_KEEP;
        }
    }

    if (n->ngroup) {
        if (um_eval_group(s, n->group, n->ngroup, res, &res) != UM_OK) {
            return UM_ERR;
        }
    }

    *out = res;

    return UM_OK;
}


static int
um_eval_step(um_es_t *s, const um_node_t *step, um_value_t inseq, int last,
    um_value_t *out)
{
    size_t       i, n;
    uint32_t     k, count;
    um_value_t   r, first, seqv;
    um_array_t  *seq;

    n = um_len(inseq);
    count = 0;
    seq = NULL;
    first = um_undef();

    for (i = 0; i < n; i++) {
        if (um_eval_node(s, step, um_at(inseq, i), &r) != UM_OK) {
            return UM_ERR;
        }

        for (k = 0; k < step->nstages; k++) {
            if (um_filter(s, step->stages[k], r, &r) != UM_OK) {
                return UM_ERR;
            }
        }

        if (r.type == UM_UNDEF) {
            continue;
        }

        if (++count == 1) {
            first = r;
            continue;
        }

        if (count == 2) {
            seq = um_seq_new(s, 4, &seqv, UM_F_SEQ);
            if (seq == NULL || um_flatten_into(s, seq, first) != UM_OK) {
                return UM_ERR;
            }
        }

        if (um_flatten_into(s, seq, r) != UM_OK) {
            return UM_ERR;
        }
    }

    if (count == 0) {
        *out = um_undef();
        return UM_OK;
    }

    if (count == 1) {
        /* the last step's single array is the result as it is */
        if (last && um_is_array(first) && !um_is_seq(first)) {
            *out = first;
            return UM_OK;
        }

        seq = um_seq_new(s, um_is_array(first) ? 4 : 1, &seqv, UM_F_SEQ);
        if (seq == NULL || um_flatten_into(s, seq, first) != UM_OK) {
            return UM_ERR;
        }
    }

    *out = seqv;

    return UM_OK;
}


static int
um_flatten_into(um_es_t *s, um_array_t *seq, um_value_t r)
{
    size_t  i, n;

    if (!um_is_array(r) || (r.type == UM_ARR && (r.flags & UM_F_CONS))) {
        return um_push(s, seq, r);
    }

    n = um_len(r);

    for (i = 0; i < n; i++) {
        if (um_push(s, seq, um_at(r, i)) != UM_OK) {
            return UM_ERR;
        }
    }

    return UM_OK;
}


/*
 * A predicate: a number literal indexes, anything else is evaluated per
 * item and selects it when it is truthy or names its index.
 */

static int
um_filter(um_es_t *s, const um_node_t *pred, um_value_t input,
    um_value_t *out)
{
    int          hit;
    double       d;
    size_t       i, n, k, m;
    um_value_t   item, res, seqv, one;
    um_array_t  *seq;

    if (input.type == UM_UNDEF) {
        *out = input;
        return UM_OK;
    }

    if (um_is_array(input)) {
        n = um_len(input);

    } else {
        n = 1;
    }

    one = input;

    if (pred->type == UM_N_LIT && (pred->flags & UM_NF_NUMLIT)) {
        d = floor(pred->val.u.n);

        if (d < 0) {
            d += (double) n;
        }

        if (d < 0 || d >= (double) n) {
            *out = um_undef();
            return UM_OK;
        }

        item = um_is_array(input) ? um_at(input, (size_t) d) : one;

        if (um_is_array(item)) {
            *out = item;
            return UM_OK;
        }

        seq = um_seq_new(s, 1, out, UM_F_SEQ);
        if (seq == NULL) {
            return UM_ERR;
        }

        seq->items[seq->n++] = item;
        return UM_OK;
    }

    seq = NULL;

    for (i = 0; i < n; i++) {
        item = um_is_array(input) ? um_at(input, i) : one;

        if (um_eval_node(s, pred, item, &res) != UM_OK) {
            return UM_ERR;
        }

        hit = 0;
        m = 1;

        if (res.type == UM_NUM) {
            d = floor(res.u.n);
            if (d < 0) {
                d += (double) n;
            }

            hit = d == (double) i;

        } else if (um_is_array(res)) {
            m = um_len(res);

            for (k = 0; k < m; k++) {
                if (um_at(res, k).type != UM_NUM) {
                    break;
                }
            }

            if (k == m) {
                /* an array of numbers: indexes, maybe repeated */
                for (k = 0, m = 0; k < um_len(res); k++) {
                    d = floor(um_at(res, k).u.n);
                    if (d < 0) {
                        d += (double) n;
                    }

                    if (d == (double) i) {
                        m++;
                    }
                }

                hit = m > 0;

            } else {
                m = 1;
                hit = um_truthy(res);
            }

        } else {
            hit = um_truthy(res);
        }

        if (!hit || item.type == UM_UNDEF) {
            continue;
        }

        if (seq == NULL) {
            seq = um_seq_new(s, 4, &seqv, UM_F_SEQ);
            if (seq == NULL) {
                return UM_ERR;
            }
        }

        while (m-- > 0) {
            if (um_push(s, seq, item) != UM_OK) {
                return UM_ERR;
            }
        }
    }

    *out = seq ? seqv : um_undef();

    return UM_OK;
}


/* a field of an object, or of every object of an array, flattened */

static int
um_lookup(um_es_t *s, um_value_t in, const char *key, uint32_t klen,
    um_value_t *out)
{
    size_t       i, n, k, m;
    um_value_t   r, seqv;
    um_array_t  *seq;

    if (!um_is_array(in)) {
        *out = um_get(in, key, klen);
        return UM_OK;
    }

    n = um_len(in);
    seq = um_seq_new(s, (uint32_t) (n < 4 ? 4 : n), &seqv, UM_F_SEQ);
    if (seq == NULL) {
        return UM_ERR;
    }

    for (i = 0; i < n; i++) {
        if (um_lookup(s, um_at(in, i), key, klen, &r) != UM_OK) {
            return UM_ERR;
        }

        if (r.type == UM_UNDEF) {
            continue;
        }

        if (um_is_array(r)) {
            m = um_len(r);

            for (k = 0; k < m; k++) {
                if (um_push(s, seq, um_at(r, k)) != UM_OK) {
                    return UM_ERR;
                }
            }

        } else if (um_push(s, seq, r) != UM_OK) {
            return UM_ERR;
        }
    }

    *out = seqv;

    return UM_OK;
}


static int
um_eval_wild(um_es_t *s, um_value_t in, um_value_t *out)
{
    int           plain;
    size_t        i, n, klen;
    json_t       *item;

    klen = 0;
    um_value_t    v, seqv;
    um_array_t   *seq;
    const char   *key;

    if (in.type == UM_ARR && (in.flags & UM_F_OUTER) && in.u.a->n > 0) {
        in = in.u.a->items[0];
    }

    seq = um_seq_new(s, 4, &seqv, UM_F_SEQ);
    if (seq == NULL) {
        return UM_ERR;
    }

    /* once a member is an array the reference's sequence turns into a
     * plain array (concat), which no longer collapses */

    plain = 0;

    if (in.type == UM_JSON && json_is_object(in.u.j)) {
        json_object_keylen_foreach(in.u.j, key, klen, item) {
            v = um_from_json(item);

            if (um_is_array(v)) {
                plain = 1;
                if (um_flatten_deep(s, seq, v) != UM_OK) {
                    return UM_ERR;
                }

            } else if (um_push(s, seq, v) != UM_OK) {
                return UM_ERR;
            }
        }

        (void) key;
        (void) klen;

    } else if (in.type == UM_OBJ || um_is_array(in)) {
        n = in.type == UM_OBJ ? in.u.o->n : um_len(in);

        for (i = 0; i < n; i++) {
            v = in.type == UM_OBJ ? in.u.o->items[i].val : um_at(in, i);

            if (um_is_array(v)) {
                plain = 1;
                if (um_flatten_deep(s, seq, v) != UM_OK) {
                    return UM_ERR;
                }

            } else if (v.type != UM_UNDEF && um_push(s, seq, v) != UM_OK) {
                return UM_ERR;
            }
        }
    }

    if (plain) {
        seqv.flags = 0;
    }

    *out = seqv;

    return UM_OK;
}


static int
um_flatten_deep(um_es_t *s, um_array_t *arr, um_value_t v)
{
    size_t  i, n;

    if (!um_is_array(v)) {
        return um_push(s, arr, v);
    }

    if (++s->depth > UM_EVAL_MAX_DEPTH * 4) {
        return um_error_set(s->ev->err, 0, "data nested too deeply");
    }

    n = um_len(v);

    for (i = 0; i < n; i++) {
        if (um_flatten_deep(s, arr, um_at(v, i)) != UM_OK) {
            return UM_ERR;
        }
    }

    s->depth--;

    return UM_OK;
}


static int
um_eval_desc(um_es_t *s, um_value_t in, um_value_t *out)
{
    um_value_t   seqv;
    um_array_t  *seq;

    if (in.type == UM_UNDEF) {
        *out = in;
        return UM_OK;
    }

    seq = um_seq_new(s, 8, &seqv, UM_F_SEQ);
    if (seq == NULL || um_descend(s, seq, in, 0) != UM_OK) {
        return UM_ERR;
    }

    *out = seq->n == 1 ? seq->items[0] : seqv;

    return UM_OK;
}


static int
um_descend(um_es_t *s, um_array_t *arr, um_value_t v, unsigned depth)
{
    size_t   i, n, klen;
    json_t  *item;
    const char  *key;

    if (depth > UM_EVAL_MAX_DEPTH * 4) {
        return um_error_set(s->ev->err, 0, "data nested too deeply");
    }

    if (um_is_array(v)) {
        n = um_len(v);

        for (i = 0; i < n; i++) {
            if (um_descend(s, arr, um_at(v, i), depth + 1) != UM_OK) {
                return UM_ERR;
            }
        }

        return UM_OK;
    }

    if (um_push(s, arr, v) != UM_OK) {
        return UM_ERR;
    }

    if (v.type == UM_OBJ) {
        for (i = 0; i < v.u.o->n; i++) {
            if (um_descend(s, arr, v.u.o->items[i].val, depth + 1) != UM_OK) {
                return UM_ERR;
            }
        }

    } else if (v.type == UM_JSON) {
        json_object_keylen_foreach(v.u.j, key, klen, item) {
            if (um_descend(s, arr, um_from_json(item), depth + 1) != UM_OK) {
                return UM_ERR;
            }
        }

        (void) key;
        (void) klen;
    }

    return UM_OK;
}


static int
um_eval_array(um_es_t *s, const um_node_t *n, um_value_t in, um_value_t *out)
{
    size_t           k, m;
    uint32_t         i;
    um_value_t       v, arrv;
    um_array_t      *arr;
    const um_node_t  *kid;

    arr = um_seq_new(s, n->nkids ? n->nkids : 1, &arrv,
                     (n->flags & UM_NF_CONSARRAY) ? UM_F_CONS : 0);
    if (arr == NULL) {
        return UM_ERR;
    }

    for (i = 0; i < n->nkids; i++) {
        kid = n->kids[i];

        if (um_eval_node(s, kid, in, &v) != UM_OK) {
            return UM_ERR;
        }

        if (v.type == UM_UNDEF) {
            continue;
        }

        /* nested constructors stay arrays; anything else is appended */

        if (!(kid->flags & UM_NF_ARRAY_CTOR) && um_is_array(v)) {
            m = um_len(v);

            for (k = 0; k < m; k++) {
                if (um_push(s, arr, um_at(v, k)) != UM_OK) {
                    return UM_ERR;
                }
            }

        } else if (um_push(s, arr, v) != UM_OK) {
            return UM_ERR;
        }
    }

    *out = arrv;

    return UM_OK;
}


static int
um_eval_range(um_es_t *s, const um_node_t *n, um_value_t in, um_value_t *out)
{
    double       l, r;
    uint32_t     k, size;
    um_value_t   lv, rv;
    um_array_t  *seq;

    if (um_eval_node(s, n->lhs, in, &lv) != UM_OK
        || um_eval_node(s, n->rhs, in, &rv) != UM_OK)
    {
        return UM_ERR;
    }

    if (lv.type != UM_UNDEF
        && (lv.type != UM_NUM || lv.u.n != floor(lv.u.n)))
    {
        return um_error_set(s->ev->err, 0,
                            "the left side of the range operator \"..\" "
                            "must be an integer");
    }

    if (rv.type != UM_UNDEF
        && (rv.type != UM_NUM || rv.u.n != floor(rv.u.n)))
    {
        return um_error_set(s->ev->err, 0,
                            "the right side of the range operator \"..\" "
                            "must be an integer");
    }

    *out = um_undef();

    if (lv.type == UM_UNDEF || rv.type == UM_UNDEF || lv.u.n > rv.u.n) {
        return UM_OK;
    }

    l = lv.u.n;
    r = rv.u.n;

    if (r - l + 1 > UM_RANGE_MAX) {
        return um_error_set(s->ev->err, 0,
                            "the range operator \"..\" would make %.0f items, "
                            "more than %d", r - l + 1, UM_RANGE_MAX);
    }

    seq = um_seq_new(s, (uint32_t) (r - l + 1), out, UM_F_SEQ);
    if (seq == NULL) {
        return UM_ERR;
    }

    /* counted, not stepped: beyond 2^53 d + 1 == d */
    size = (uint32_t) (r - l + 1);

    for (k = 0; k < size; k++) {
        seq->items[seq->n++] = um_num(l + k);
    }

    return UM_OK;
}


/*
 * JSONata's $append: undefined is ignored, anything else is made an array
 * and concatenated; the result is a plain array.
 */

int
um_append(um_es_t *s, um_value_t a, um_value_t b, um_value_t *out)
{
    size_t       i, n;
    um_value_t   arrv;
    um_array_t  *arr;

    if (a.type == UM_UNDEF) {
        *out = b;
        return UM_OK;
    }

    if (b.type == UM_UNDEF) {
        *out = a;
        return UM_OK;
    }

    arr = um_seq_new(s, (uint32_t) (um_len(a) + um_len(b) + 2), &arrv, 0);
    if (arr == NULL) {
        return UM_ERR;
    }

    if (um_is_array(a)) {
        n = um_len(a);

        for (i = 0; i < n; i++) {
            arr->items[arr->n++] = um_at(a, i);
        }

    } else {
        arr->items[arr->n++] = a;
    }

    if (um_is_array(b)) {
        n = um_len(b);

        for (i = 0; i < n; i++) {
            if (um_push(s, arr, um_at(b, i)) != UM_OK) {
                return UM_ERR;
            }
        }

    } else if (um_push(s, arr, b) != UM_OK) {
        return UM_ERR;
    }

    *out = arrv;

    return UM_OK;
}


/*
 * Object constructors and group-by: every item of the input is a context
 * for the key expressions; items with the same key are appended together
 * and the value expression is evaluated once per key over them.
 */

static int
um_eval_group(um_es_t *s, um_node_t *const *pairs, uint32_t npairs,
    um_value_t input, um_value_t *out)
{
    size_t        i, n, k, m;
    uint32_t      p, g, ng, cap;
    um_value_t    item, key, v, objv;
    um_group_t   *groups, *ngroups;
    um_object_t  *obj;

    n = um_is_array(input) ? um_len(input) : 1;

    if (n == 0) {
        /* an empty input still makes the literal object */
        n = 1;
        input = um_undef();
    }

    groups = NULL;
    ng = 0;
    cap = 0;

    for (i = 0; i < n; i++) {
        item = um_is_array(input) ? um_at(input, i) : input;

        for (p = 0; p < npairs / 2; p++) {
            if (um_eval_node(s, pairs[2 * p], item, &key) != UM_OK) {
                return UM_ERR;
            }

            if (key.type == UM_UNDEF) {
                continue;
            }

            if (key.type != UM_STR) {
                return um_error_set(s->ev->err, 0,
                                    "an object key must be a string, got %s",
                                    um_type_name(key));
            }

            for (g = 0; g < ng; g++) {
                if (groups[g].klen == key.len
                    && memcmp(groups[g].key, key.u.s, key.len) == 0)
                {
                    break;
                }
            }

            if (g < ng) {
                if (groups[g].idx != p) {
                    return um_error_set(s->ev->err, 0,
                                        "multiple key definitions evaluate "
                                        "to the same key \"%.*s\"",
                                        (int) (key.len > 64 ? 64 : key.len),
                                        key.u.s);
                }

                if (groups[g].owned) {
                    /* an array of our own: append in place */
                    if (um_is_array(item)) {
                        m = um_len(item);

                        for (k = 0; k < m; k++) {
                            if (um_push(s, groups[g].data.u.a, um_at(item, k))
                                != UM_OK)
                            {
                                return UM_ERR;
                            }
                        }

                    } else if (item.type != UM_UNDEF
                               && um_push(s, groups[g].data.u.a, item)
                                  != UM_OK)
                    {
                        return UM_ERR;
                    }

                } else {
                    if (um_append(s, groups[g].data, item, &v) != UM_OK) {
                        return UM_ERR;
                    }

                    /* a new array only when both sides were something */
                    groups[g].owned = groups[g].data.type != UM_UNDEF
                                      && item.type != UM_UNDEF;
                    groups[g].data = v;
                }

                continue;
            }

            if (ng == cap) {
                cap = cap ? cap * 2 : 8;
                ngroups = um_realloc(s->a, groups, ng * sizeof(um_group_t),
                                     cap * sizeof(um_group_t));
                if (ngroups == NULL) {
                    return um_eval_oom(s);
                }

                groups = ngroups;
            }

            groups[ng].key = key.u.s;
            groups[ng].klen = key.len;
            groups[ng].idx = p;
            groups[ng].owned = 0;
            groups[ng].data = item;
            ng++;
        }
    }

    obj = um_obj_new(s->a, ng ? ng : 1);
    if (obj == NULL) {
        return um_eval_oom(s);
    }

    for (g = 0; g < ng; g++) {
        if (um_eval_node(s, pairs[2 * groups[g].idx + 1], groups[g].data, &v)
            != UM_OK)
        {
            return UM_ERR;
        }

        if (v.type == UM_UNDEF) {
            continue;
        }

        if (um_obj_set(s->a, obj, groups[g].key, groups[g].klen, v) != UM_OK)
        {
            return um_eval_oom(s);
        }
    }

    memset(&objv, 0, sizeof(um_value_t));
    objv.type = UM_OBJ;
    objv.u.o = obj;
    *out = objv;

    return UM_OK;
}


static const char *
um_op_name(int op)
{
    switch (op) {
    case UM_OP_ADD: return "+";
    case UM_OP_SUB: return "-";
    case UM_OP_MUL: return "*";
    case UM_OP_DIV: return "/";
    case UM_OP_MOD: return "%";
    case UM_OP_EQ: return "=";
    case UM_OP_NE: return "!=";
    case UM_OP_LT: return "<";
    case UM_OP_LE: return "<=";
    case UM_OP_GT: return ">";
    case UM_OP_GE: return ">=";
    case UM_OP_CONCAT: return "&";
    case UM_OP_IN: return "in";
    }

    return "?";
}


static int
um_same(um_value_t a, um_value_t b)
{
    /* JavaScript's === : values for scalars, identity for containers */

    if (a.type != b.type) {
        return 0;
    }

    switch (a.type) {
    case UM_NULL:
        return 1;
    case UM_BOOL:
        return a.u.b == b.u.b;
    case UM_NUM:
        return a.u.n == b.u.n;
    case UM_STR:
        return a.len == b.len && memcmp(a.u.s, b.u.s, a.len) == 0;
    case UM_JSON:
        return a.u.j == b.u.j;
    case UM_ARR:
        return a.u.a == b.u.a;
    case UM_OBJ:
        return a.u.o == b.u.o;
    case UM_FUNC:
        return a.u.f == b.u.f;
    }

    return 0;
}


static int
um_eval_binary(um_es_t *s, const um_node_t *n, um_value_t in,
    um_value_t *out)
{
    int          c;
    char        *p;
    double       r;
    size_t       i, len;
    um_value_t   lv, rv, ls, rs;

    if (um_eval_node(s, n->lhs, in, &lv) != UM_OK
        || um_eval_node(s, n->rhs, in, &rv) != UM_OK)
    {
        return UM_ERR;
    }

    *out = um_undef();

    switch (n->op) {

    case UM_OP_ADD:
    case UM_OP_SUB:
    case UM_OP_MUL:
    case UM_OP_DIV:
    case UM_OP_MOD:
        if (lv.type != UM_UNDEF && lv.type != UM_NUM) {
            return um_error_set(s->ev->err, 0,
                                "the left side of \"%s\" must be a number, "
                                "got %s", um_op_name(n->op),
                                um_type_name(lv));
        }

        if (rv.type != UM_UNDEF && rv.type != UM_NUM) {
            return um_error_set(s->ev->err, 0,
                                "the right side of \"%s\" must be a number, "
                                "got %s", um_op_name(n->op),
                                um_type_name(rv));
        }

        if (lv.type == UM_UNDEF || rv.type == UM_UNDEF) {
            return UM_OK;
        }

        switch (n->op) {
        case UM_OP_ADD: r = lv.u.n + rv.u.n; break;
        case UM_OP_SUB: r = lv.u.n - rv.u.n; break;
        case UM_OP_MUL: r = lv.u.n * rv.u.n; break;
        case UM_OP_DIV: r = lv.u.n / rv.u.n; break;
        default: r = fmod(lv.u.n, rv.u.n); break;
        }

        if (isnan(r) || isinf(r)) {
            return um_error_set(s->ev->err, 0,
                                "the result of \"%s\" is not a finite "
                                "number", um_op_name(n->op));
        }

        *out = um_num(r);
        return UM_OK;

    case UM_OP_EQ:
    case UM_OP_NE:
        if (lv.type == UM_UNDEF || rv.type == UM_UNDEF) {
            *out = um_bool(0);
            return UM_OK;
        }

        c = um_equal(lv, rv);
        *out = um_bool(n->op == UM_OP_EQ ? c : !c);
        return UM_OK;

    case UM_OP_LT:
    case UM_OP_LE:
    case UM_OP_GT:
    case UM_OP_GE:
        if ((lv.type != UM_UNDEF && lv.type != UM_NUM && lv.type != UM_STR)
            || (rv.type != UM_UNDEF && rv.type != UM_NUM
                && rv.type != UM_STR))
        {
            return um_error_set(s->ev->err, 0,
                                "the operands of \"%s\" must be numbers or "
                                "strings, got %s and %s", um_op_name(n->op),
                                um_type_name(lv), um_type_name(rv));
        }

        if (lv.type == UM_UNDEF || rv.type == UM_UNDEF) {
            return UM_OK;
        }

        if (lv.type != rv.type) {
            return um_error_set(s->ev->err, 0,
                                "the operands of \"%s\" must be of the same "
                                "type, got %s and %s", um_op_name(n->op),
                                um_type_name(lv), um_type_name(rv));
        }

        if (lv.type == UM_NUM) {
            c = lv.u.n < rv.u.n ? -1 : (lv.u.n > rv.u.n ? 1 : 0);

        } else {
            c = um_str_cmp16(lv, rv);
        }

        switch (n->op) {
        case UM_OP_LT: *out = um_bool(c < 0); break;
        case UM_OP_LE: *out = um_bool(c <= 0); break;
        case UM_OP_GT: *out = um_bool(c > 0); break;
        default: *out = um_bool(c >= 0); break;
        }

        return UM_OK;

    case UM_OP_CONCAT:
        ls = um_str("", 0);
        rs = ls;

        if ((lv.type != UM_UNDEF && um_to_string(s, lv, &ls) != UM_OK)
            || (rv.type != UM_UNDEF && um_to_string(s, rv, &rs) != UM_OK))
        {
            return UM_ERR;
        }

        if (ls.len == 0) {
            *out = rs;
            return UM_OK;
        }

        if (rs.len == 0) {
            *out = ls;
            return UM_OK;
        }

        len = (size_t) ls.len + rs.len;
        p = len <= 0x7fffffff ? um_alloc(s->a, len) : NULL;

        if (p == NULL) {
            return um_eval_oom(s);
        }

        memcpy(p, ls.u.s, ls.len);
        memcpy(p + ls.len, rs.u.s, rs.len);
        *out = um_str(p, len);
        return UM_OK;

    case UM_OP_IN:
        *out = um_bool(0);

        if (lv.type == UM_UNDEF || rv.type == UM_UNDEF) {
            return UM_OK;
        }

        if (!um_is_array(rv)) {
            *out = um_bool(um_same(lv, rv));
            return UM_OK;
        }

        len = um_len(rv);

        for (i = 0; i < len; i++) {
            if (um_same(lv, um_at(rv, i))) {
                *out = um_bool(1);
                break;
            }
        }

        return UM_OK;
    }

    return um_error_set(s->ev->err, 0, "internal error: operator %d", n->op);
}


static int
um_eval_block(um_es_t *s, const um_node_t *n, um_value_t in, um_value_t *out)
{
    uint32_t       i;
    um_value_t     r;
    um_binding_t  *b;

    /* a new frame: the block's variables start as the enclosing ones */

    for (i = 0; i < n->nbinds; i++) {
        b = &n->binds[i];

        if (b->outer_kind == UM_N_VAR && s->ev->vars) {
            s->locals[b->slot] = s->ev->vars[b->outer];

        } else if (b->outer_kind == UM_N_LOCAL) {
            s->locals[b->slot] = s->locals[b->outer];

        } else {
            s->locals[b->slot] = um_undef();
        }
    }

    r = um_undef();

    for (i = 0; i < n->nkids; i++) {
        if (um_eval_node(s, n->kids[i], in, &r) != UM_OK) {
            return UM_ERR;
        }
    }

    *out = r;

    return UM_OK;
}


/*
 * Arguments are matched against the function's signature as the
 * reference's validator does: a regex-like match of one symbol per
 * argument, greedy, where an optional parameter that matches nothing and
 * is marked '-' takes the context value.
 */

static int
um_sig_match(const um_sig_t *sig, const uint8_t *sym, int nargs, int pi,
    int ai, uint8_t *took)
{
    const um_param_t  *p;

    if (pi == sig->n) {
        return ai == nargs;
    }

    p = &sig->p[pi];

    if (ai < nargs && (p->accept & sym[ai])) {
        took[pi] = 1;

        if (um_sig_match(sig, sym, nargs, pi + 1, ai + 1, took)) {
            return 1;
        }
    }

    if (p->opt) {
        took[pi] = 0;
        return um_sig_match(sig, sym, nargs, pi + 1, ai, took);
    }

    return 0;
}


int
um_eval_call(um_es_t *s, const um_node_t *n, um_value_t in, um_value_t *out)
{
    int                pi, ai, nargs;
    size_t             k, m;
    uint8_t            sym[UM_SIG_MAX], took[UM_SIG_MAX], c, it;
    um_value_t         args[UM_SIG_MAX], vargs[UM_SIG_MAX], arg, wv;
    um_array_t        *wrap;
    const um_sig_t    *sig;
    const um_param_t  *p;

    sig = n->sig;
    nargs = (int) n->nkids;

    memset(sym, 0, sizeof(sym));

    for (ai = 0; ai < nargs; ai++) {
        if (n->kids[ai]->type == UM_N_REGEX) {
            memset(&args[ai], 0, sizeof(um_value_t));
            args[ai].type = UM_FUNC;
            args[ai].u.f = n->kids[ai]->re;

        } else if (um_eval_node(s, n->kids[ai], in, &args[ai]) != UM_OK) {
            return UM_ERR;
        }

        sym[ai] = um_symbol(args[ai]);
    }

    memset(took, 0, sizeof(took));

    if (!um_sig_match(sig, sym, nargs, 0, 0, took)) {
        /* the first argument that cannot match */
        for (ai = 0; ai < nargs && ai < sig->n; ai++) {
            if (!(sig->p[ai].accept & sym[ai])) {
                break;
            }
        }

        return um_error_set(s->ev->err, 0,
                            "argument %d of function $%s does not match its "
                            "signature", ai + 1, n->fn->name);
    }

    ai = 0;

    for (pi = 0; pi < sig->n; pi++) {
        p = &sig->p[pi];

        if (!took[pi]) {
            if (p->ctx) {
                if (!(p->ctx_accept & um_symbol(in))) {
                    return um_error_set(s->ev->err, 0,
                                        "the context value is not a valid "
                                        "argument %d of function $%s",
                                        ai + 1, n->fn->name);
                }

                vargs[pi] = in;

            } else {
                vargs[pi] = ai < nargs ? args[ai] : um_undef();
                ai++;
            }

            continue;
        }

        arg = args[ai];

        if (p->type == 'a' && arg.type != UM_UNDEF) {
            c = um_symbol(arg);

            if (p->subtype && c != UM_S_A && c != p->subtype) {
                return um_error_set(s->ev->err, 0,
                                    "argument %d of function $%s must be an "
                                    "array of %s", ai + 1, n->fn->name,
                                    p->subtype == UM_S_N ? "numbers"
                                    : (p->subtype == UM_S_S ? "strings"
                                       : "objects"));
            }

            if (p->subtype && c == UM_S_A && um_len(arg) > 0) {
                it = um_symbol(um_at(arg, 0));
                m = um_len(arg);

                for (k = 0; k < m; k++) {
                    if (um_symbol(um_at(arg, k)) != it) {
                        break;
                    }
                }

                if (it != p->subtype || k < m) {
                    return um_error_set(s->ev->err, 0,
                                        "argument %d of function $%s must "
                                        "be an array of %s", ai + 1,
                                        n->fn->name,
                                        p->subtype == UM_S_N ? "numbers"
                                        : (p->subtype == UM_S_S ? "strings"
                                           : "objects"));
                }
            }

            if (c != UM_S_A) {
                wrap = um_seq_new(s, 1, &wv, 0);
                if (wrap == NULL) {
                    return UM_ERR;
                }

                wrap->items[wrap->n++] = arg;
                arg = wv;
            }
        }

        vargs[pi] = arg;
        ai++;
    }

    for ( /* void */ ; pi < UM_SIG_MAX; pi++) {
        vargs[pi] = um_undef();
    }

    *out = um_undef();

    return n->fn->handler(s, n, vargs, out);
}
