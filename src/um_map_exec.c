/*
 * The mapping executor: builds provider calls and maps provider bodies to
 * unified rows, walking the tables um_map_compile.c made.
 *
 * Output rules (CONTRACT section 4): a value the provider does not give is
 * omitted, never null; an object or array of the template that ends up
 * with none of its computed parts is omitted (constants alone do not keep
 * it); remote_data is the provider's record, its own bytes.
 */

#include <stdlib.h>
#include <string.h>

#include "um_date.h"
#include "um_json_out.h"
#include "um_json_parse.h"
#include "um_json_scan.h"
#include "um_mapping.h"



#define UM_EXEC_BODY_FLAGS                                                   \
    (JSON_DECODE_ANY | JSON_ALLOW_NUL | JSON_DECODE_INT_AS_REAL)

/* um_exec_page's fast path declines: the page goes through jansson */
#define UM_EXEC_SLOW  2

/* a picked value that only its expression can tell (um_exec_pick) */
#define UM_EXEC_EVAL  3


enum {
    UM_W_NONE = 0,          /* nothing written */
    UM_W_CONST,             /* only constants written */
    UM_W_DYN                /* something computed written */
};


/*
 * What a row is made from: a value (the record, or an element of it), or a
 * record not built yet: the members its rows read by plain paths, picked
 * from its text (um_map_pick.c), and the text, to build it from when an
 * expression needs more.
 */

typedef struct {
    um_value_t       val;
    um_value_t      *slots;      /* NULL: val is the whole input */
    um_str_t         raw;
    um_jp_t         *jp;         /* the page's parser, to build it with */
} um_rec_t;


/* where the rows of one page stand against the window */

typedef struct {
    um_window_t     *win;
    size_t           seen;       /* rows produced so far on this page */
    um_page_t       *page;
    um_buf_t        *out;
    unsigned         full:1;     /* the window is full: stop */
} um_emit_t;


static int um_exec_eval(um_exec_t *x, um_expr_t *e, um_value_t ctx,
    um_value_t *out, const char *what);
static int um_exec_path(um_exec_t *x, size_t i);
static int um_exec_build(um_exec_t *x, const um_callspec_t *c, um_str_t path,
    um_str_t cursor, int remote, um_call_t *call);
static int um_exec_query(um_exec_t *x, const um_callspec_t *c,
    um_str_t cursor, int remote, um_buf_t *args);
static int um_exec_string(um_exec_t *x, um_value_t v, um_buf_t *b,
    int encode);
static int um_exec_next_url(um_exec_t *x, size_t i, um_str_t url,
    um_str_t *next);
static int um_exec_record(um_exec_t *x, um_rec_t *rec, um_str_t raw,
    um_emit_t *em);
static int um_exec_each(um_exec_t *x, const um_rowspec_t *rs,
    um_value_t rec, um_str_t raw, um_emit_t *em);
static int um_exec_emit(um_exec_t *x, const um_tpl_t *t, um_rec_t *ctx,
    um_str_t raw, um_value_t dom, um_emit_t *em);
static int um_exec_run(um_exec_t *x, const um_rop_t *ops, size_t from,
    size_t to, um_rec_t *ctx, um_buf_t *out, int first, int excl, int *res);
static int um_exec_pick(um_exec_t *x, const um_rop_t *op, um_rec_t *ctx,
    char *buf, um_str_t *text, um_value_t *v);
static int um_exec_rec_build(um_exec_t *x, um_rec_t *rec);
static int um_exec_write_row(um_exec_t *x, const um_tpl_t *t,
    um_rec_t *rec, um_str_t raw, um_value_t dom, um_buf_t *out);
static int um_exec_excluded(um_exec_t *x, um_str_t path);
static int um_exec_key(um_exec_t *x, const um_tpl_t *t, um_rec_t *rec,
    um_buf_t *out);
static void um_exec_json_decref(void *data);
static int um_exec_url_unsafe(um_str_t url);
static int um_exec_page_slow(um_exec_t *x, size_t ci, um_str_t cursor,
    const char *body, size_t len, um_value_t headers, um_window_t *win,
    um_buf_t *out, um_page_t *page);
static int um_exec_page_meta(um_exec_t *x, size_t ci, um_page_t *page);
static int um_exec_page_records(um_exec_t *x, const char *body, size_t len,
    um_window_t *win, um_buf_t *out, um_page_t *page);
static int um_exec_fp_page(um_exec_t *x, size_t ci, um_str_t cursor,
    const char *body, size_t len, um_value_t headers, um_window_t *win,
    um_buf_t *out, um_page_t *page);


int
um_exec_init(um_exec_t *x, const um_provider_t *p, const um_method_t *m,
    const um_request_t *req, um_value_t account, um_arena_t *arena,
    um_arena_t *page_arena, double now, um_error_t *err)
{
    size_t        i, n;
    um_eval_t     ev;
    um_value_t    v, query;
    um_object_t  *o;

    memset(x, 0, sizeof(um_exec_t));

    x->arena = arena;
    x->page_arena = page_arena;
    x->method = m;
    x->provider = p;
    x->request = req;
    x->now = now;
    x->err = err;
    x->remote_data = 1;
    x->separator = ",";
    x->count = &x->rows;

    n = UM_VAR_N + m->nlets + m->njoins;

    x->vars = um_calloc(arena, n * sizeof(um_value_t));
    if (x->vars == NULL) {
        return um_error_set(err, 500, "out of memory");
    }

    x->vars[UM_VAR_ACCOUNT] = account;

    if (req->op == UM_OP_GET) {
        x->vars[UM_VAR_ID] = um_str(req->id.data, req->id.len);
    }

    if (req->limit && !req->ignore_limit) {
        x->vars[UM_VAR_LIMIT] = um_num((double) req->limit);
    }

    ev.arena = arena;
    ev.vars = x->vars;
    ev.root = um_undef();
    ev.now = now;
    ev.err = err;

    /* defaults fill what the client did not give, in a copy of $query */

    query = req->query;

    if (m->ndefaults) {
        o = um_obj_new(arena, req->query.u.o->n + (uint32_t) m->ndefaults);
        if (o == NULL) {
            return um_error_set(err, 500, "out of memory");
        }

        for (i = 0; i < req->query.u.o->n; i++) {
            if (um_obj_set(arena, o, req->query.u.o->items[i].key,
                           req->query.u.o->items[i].klen,
                           req->query.u.o->items[i].val)
                != 0)
            {
                return um_error_set(err, 500, "out of memory");
            }
        }

        query.type = UM_OBJ;
        query.flags = 0;
        query.u.o = o;
    }

    x->vars[UM_VAR_QUERY] = query;

    for (i = 0; i < m->ndefaults; i++) {
        if (um_get(query, m->defaults[i].name.data,
                   m->defaults[i].name.len).type != UM_UNDEF)
        {
            continue;
        }

        if (um_expr_eval(m->defaults[i].expr, &ev, um_undef(), &v) != UM_OK) {
            um_error_prefix(err, "%.*s.defaults.%.*s", (int) m->where.len,
                            m->where.data, (int) m->defaults[i].name.len,
                            m->defaults[i].name.data);
            err->status = 400;
            return UM_ERR;
        }

        if (v.type != UM_UNDEF
            && um_obj_set(arena, query.u.o, m->defaults[i].name.data,
                          m->defaults[i].name.len, v)
               != 0)
        {
            return um_error_set(err, 500, "out of memory");
        }
    }

    /* bindings live as long as the request: evaluate them in its arena */

    for (i = 0; i < m->nlets; i++) {
        if (um_expr_eval(m->lets[i].expr, &ev, um_undef(), &v) != UM_OK) {
            um_error_prefix(err, "%.*s.let.%.*s", (int) m->where.len,
                            m->where.data, (int) m->lets[i].name.len,
                            m->lets[i].name.data);

            /* a binding over the client's input: a bad request */

            err->status = 400;
            return UM_ERR;
        }

        x->vars[UM_VAR_N + i] = v;
    }

    return UM_OK;
}


static int
um_exec_eval(um_exec_t *x, um_expr_t *e, um_value_t ctx, um_value_t *out,
    const char *what)
{
    um_eval_t  ev;

    /* most fields of most mappings are a path into the record */

    if (um_expr_path_get(e, ctx, out)) {
        return UM_OK;
    }

    ev.arena = x->page_arena;
    ev.vars = x->vars;
    ev.root = x->body;
    ev.now = x->now;
    ev.err = x->err;

    if (um_expr_eval(e, &ev, ctx, out) != UM_OK) {
        if (x->err->status == 0) {
            x->err->status = 502;
        }

        um_error_prefix(x->err, "%.*s: %s", (int) x->method->where.len,
                        x->method->where.data, what);
        return UM_ERR;
    }

    return UM_OK;
}


/*
 * A request is built before its answer exists: $$, $record and $group
 * must not see the page mapped before it (whose memory may be gone).
 */

static void
um_exec_forget_page(um_exec_t *x)
{
    x->body = um_undef();
    x->vars[UM_VAR_RECORD] = um_undef();
    x->vars[UM_VAR_GROUP] = um_undef();
    x->vars[UM_VAR_HEADERS] = um_undef();
}


int
um_exec_call_active(um_exec_t *x, size_t i, int *active)
{
    um_value_t  v;

    *active = 1;
    um_exec_forget_page(x);

    if (x->method->calls[i].when == NULL) {
        return UM_OK;
    }

    if (um_exec_eval(x, x->method->calls[i].when, um_undef(), &v, "when")
        != UM_OK)
    {
        x->err->status = 400;
        return UM_ERR;
    }

    *active = um_truthy(v);

    return UM_OK;
}


/* the provider path of call i, computed once: text and {expression}s */

static int
um_exec_path(um_exec_t *x, size_t i)
{
    size_t                j;
    um_buf_t              path;
    um_value_t            v;
    const um_part_t      *part;
    const um_callspec_t  *c;

    if (x->paths[i].data) {
        return UM_OK;
    }

    c = &x->method->calls[i];
    um_buf_init(&path, x->arena, 8192);

    for (j = 0; j < c->npath; j++) {
        part = &c->path[j];

        if (part->type == UM_PART_TEXT) {
            um_buf_add(&path, part->text.data, part->text.len);
            continue;
        }

        if (um_exec_eval(x, part->expr, um_undef(), &v, "request.path")
            != UM_OK)
        {
            x->err->status = 400;
            return UM_ERR;
        }

        if (v.type != UM_STR && v.type != UM_NUM) {
            return um_error_set(x->err, 400, "%.*s: a value of the path is "
                                "missing", (int) x->method->where.len,
                                x->method->where.data);
        }

        if (um_exec_string(x, v, &path, 0) != UM_OK) {
            return UM_ERR;
        }
    }

    if (path.failed) {
        return um_error_set(x->err, 400, "the provider path is too long");
    }

    x->paths[i].data = path.data;
    x->paths[i].len = path.len;

    return UM_OK;
}


int
um_exec_call(um_exec_t *x, size_t i, um_str_t cursor, um_call_t *call)
{
    size_t                q;
    const um_callspec_t  *c;

    c = &x->method->calls[i];

    um_exec_forget_page(x);
    x->vars[UM_VAR_CURSOR] = cursor.len ? um_str(cursor.data, cursor.len)
                                        : um_undef();

    if (cursor.len && x->method->paging.type == UM_PAGE_URL) {

        /* the continuation is the provider's path and query, checked and
         * reduced when the page that gave it was mapped */

        /* a POST keeps its body: the URL replaces only path and query */

        if (um_exec_build(x, c, (um_str_t) { NULL, 0 }, (um_str_t) { NULL, 0 },
                          0, call)
            != UM_OK)
        {
            return UM_ERR;
        }

        call->args.data = NULL;
        call->args.len = 0;

        for (q = 0; q < cursor.len && cursor.data[q] != '?'; q++) {
            /* void */
        }

        /*
         * and checked again as it comes back: the cursor is signed, but
         * even who holds the secret must not reach another path, or
         * another location by a path without its leading "/"
         */

        if (um_exec_path(x, i) != UM_OK) {
            return UM_ERR;
        }

        if (q != x->paths[i].len
            || memcmp(cursor.data, x->paths[i].data, q) != 0
            || um_exec_url_unsafe(cursor))
        {
            return um_error_set(x->err, 400, "next_cursor is not valid");
        }

        call->path.data = cursor.data;
        call->path.len = q;

        if (q < cursor.len) {
            call->args.data = cursor.data + q + 1;
            call->args.len = cursor.len - q - 1;
        }

        return UM_OK;
    }

    if (um_exec_path(x, i) != UM_OK) {
        return UM_ERR;
    }

    return um_exec_build(x, c, x->paths[i], cursor, 1, call);
}


int
um_exec_join_call(um_exec_t *x, size_t j, um_call_t *call)
{
    size_t                k;
    um_buf_t              path;
    um_value_t            v;
    const um_callspec_t  *c;

    c = &x->method->joins[j].call;
    um_exec_forget_page(x);
    um_buf_init(&path, x->arena, 8192);

    for (k = 0; k < c->npath; k++) {
        if (c->path[k].type == UM_PART_TEXT) {
            um_buf_add(&path, c->path[k].text.data, c->path[k].text.len);
            continue;
        }

        if (um_exec_eval(x, c->path[k].expr, um_undef(), &v, "join.path")
            != UM_OK)
        {
            x->err->status = 400;
            return UM_ERR;
        }

        if (um_exec_string(x, v, &path, 0) != UM_OK) {
            return UM_ERR;
        }
    }

    if (path.failed) {
        return um_error_set(x->err, 400, "the provider path is too long");
    }

    return um_exec_build(x, c, (um_str_t) { path.data, path.len },
                         (um_str_t) { NULL, 0 }, 0, call);
}


static int
um_exec_tpl_has(const um_tpl_t *t, um_str_t name)
{
    size_t  i;

    if (t->type != UM_TPL_OBJECT) {
        return 0;
    }

    for (i = 0; i < t->n; i++) {
        if (t->fields[i].name.len == name.len
            && memcmp(t->fields[i].name.data, name.data, name.len) == 0)
        {
            return 1;
        }
    }

    return 0;
}


static int
um_exec_build(um_exec_t *x, const um_callspec_t *c, um_str_t path,
    um_str_t cursor, int remote, um_call_t *call)
{
    int                 rc, res;
    um_buf_t            args, body;
    um_rec_t            none;
    const um_method_t  *m;

    m = x->method;

    memset(call, 0, sizeof(um_call_t));
    memset(&none, 0, sizeof(um_rec_t));
    call->method = c->http_method;
    call->path = path;

    um_buf_init(&args, x->arena, 16384);
    um_buf_init(&body, x->arena, 65536);

    if (um_exec_query(x, c, cursor, remote, &args) != UM_OK) {
        return UM_ERR;
    }

    if (c->body) {
        x->request_tpl = 1;
        rc = um_exec_run(x, c->body->ops, 0, c->body->nops, &none, &body,
                         1, 0, &res);
        x->request_tpl = 0;

        if (rc != UM_OK) {
            return UM_ERR;
        }

        if (res == UM_W_NONE) {
            um_buf_add(&body, "{}", 2);
        }

        /*
         * the continuation goes in as a string, unless the body template
         * has that field itself: then it is the template's (which reads
         * $cursor, and may send a page number as a number)
         */

        if (cursor.len && m->paging.type == UM_PAGE_BODY
            && !um_exec_tpl_has(c->body, m->paging.param))
        {
            body.len--;
            if (body.len > 1) {
                um_buf_addc(&body, ',');
            }

            um_json_str(&body, m->paging.param.data, m->paging.param.len);
            um_buf_addc(&body, ':');
            um_json_str(&body, cursor.data, cursor.len);
            um_buf_addc(&body, '}');
        }
    }

    if (args.failed || body.failed) {
        return um_error_set(x->err, 400, "the provider request is too large");
    }

    call->args.data = args.data;
    call->args.len = args.len;
    call->body.data = body.data;
    call->body.len = body.len;

    return UM_OK;
}


/*
 * The query string: the mapped parameters, the continuation, then the
 * client's remote_query, which replaces mapped parameters of the same name.
 */

static int
um_exec_query(um_exec_t *x, const um_callspec_t *c, um_str_t cursor,
    int remote, um_buf_t *args)
{
    size_t              i, j, k, n;
    um_value_t          v, item;
    const um_method_t  *m;
    const um_param_t   *rq;

    m = x->method;
    rq = NULL;
    n = 0;

    if (remote && x->request) {
        rq = x->request->remote_query;
        n = x->request->nremote;
    }

    for (i = 0; i < c->nquery; i++) {

        for (j = 0; j < n; j++) {
            if (rq[j].key.len == c->query[i].name.len
                && memcmp(rq[j].key.data, c->query[i].name.data,
                          rq[j].key.len) == 0)
            {
                break;
            }
        }

        if (j < n) {
            continue;
        }

        if (cursor.len && m->paging.type == UM_PAGE_QUERY
            && m->paging.param.len == c->query[i].name.len
            && memcmp(m->paging.param.data, c->query[i].name.data,
                      m->paging.param.len) == 0)
        {
            continue;
        }

        if (um_exec_eval(x, c->query[i].expr, um_undef(), &v, "request.query")
            != UM_OK)
        {
            x->err->status = 400;
            return UM_ERR;
        }

        if (v.type == UM_UNDEF || v.type == UM_NULL) {
            continue;
        }

        /* an array is the parameter repeated: "ids[]=a&ids[]=b" */

        k = um_is_array(v) ? um_len(v) : 1;

        for (j = 0; j < k; j++) {
            item = um_is_array(v) ? um_at(v, j) : v;

            if (item.type == UM_UNDEF || item.type == UM_NULL) {
                continue;
            }

            if (args->len) {
                um_buf_addc(args, '&');
            }

            um_url_encode(args, c->query[i].name.data, c->query[i].name.len);
            um_buf_addc(args, '=');

            if (um_exec_string(x, item, args, 1) != UM_OK) {
                return UM_ERR;
            }
        }
    }

    if (cursor.len && m->paging.type == UM_PAGE_QUERY) {
        if (args->len) {
            um_buf_addc(args, '&');
        }

        um_url_encode(args, m->paging.param.data, m->paging.param.len);
        um_buf_addc(args, '=');
        um_url_encode(args, cursor.data, cursor.len);
    }

    for (j = 0; j < n; j++) {
        if (args->len) {
            um_buf_addc(args, '&');
        }

        um_url_encode(args, rq[j].key.data, rq[j].key.len);
        um_buf_addc(args, '=');
        um_url_encode(args, rq[j].value.data, rq[j].value.len);
    }

    return UM_OK;
}


/*
 * A scalar as text: encoded for a query string, or checked for a path
 * segment (nginx escapes the path, but "/" and dot segments would change
 * what is addressed).
 */

static int
um_exec_string(um_exec_t *x, um_value_t v, um_buf_t *b, int encode)
{
    char        num[UM_NUM_BUF];
    size_t      i, len;
    um_buf_t    tmp;
    const char *s;

    switch (v.type) {

    case UM_STR:
        s = v.u.s;
        len = v.len;
        break;

    case UM_NUM:
        len = um_num_format(v.u.n, num);
        s = num;
        break;

    case UM_BOOL:
        s = v.u.b ? "true" : "false";
        len = strlen(s);
        break;

    default:
        um_buf_init(&tmp, x->page_arena, 0);
        um_json_value(&tmp, v, 0);

        if (tmp.failed) {
            return um_error_set(x->err, 500, "out of memory");
        }

        s = tmp.data;
        len = tmp.len;
    }

    if (encode) {
        um_url_encode(b, s, len);
        return UM_OK;
    }

    if (len == 0 || (len == 1 && s[0] == '.')
        || (len == 2 && s[0] == '.' && s[1] == '.'))
    {
        return um_error_set(x->err, 400, "a path segment is empty, \".\" or "
                            "\"..\"");
    }

    for (i = 0; i < len; i++) {
        if (s[i] == '/' || s[i] == '\\' || (unsigned char) s[i] < 0x20
            || s[i] == 0x7f)
        {
            return um_error_set(x->err, 400, "a path segment contains \"/\", "
                                "\"\\\" or a control character");
        }
    }

    um_buf_add(b, s, len);

    return UM_OK;
}


/*
 * The answer of join j: its records, indexed by the join's key, become
 * $<name> for the rows of every page of this request.
 */

int
um_exec_join_result(um_exec_t *x, size_t j, const char *body, size_t len)
{
    char              num[UM_NUM_BUF];
    size_t            i, n;
    json_t           *root, *recs, *rec;
    um_eval_t         ev;
    um_value_t        key, lookup;
    um_object_t      *o;
    json_error_t      jerr;
    const um_join_t  *jn;

    jn = &x->method->joins[j];

    root = json_loadb(body, len, UM_EXEC_BODY_FLAGS, &jerr);
    if (root == NULL) {
        return um_error_set(x->err, 502, "the provider's answer to join "
                            "\"%.*s\" is not valid JSON (line %d, column %d)",
                            (int) jn->name.len, jn->name.data, jerr.line,
                            jerr.column);
    }

    /* it lives as long as the request: the rows of every page see it */

    if (um_arena_cleanup_add(x->arena, um_exec_json_decref, root) != 0) {
        json_decref(root);
        return um_error_set(x->err, 500, "out of memory");
    }

    recs = root;

    for (i = 0; i < jn->nrecords && recs; i++) {
        recs = json_is_object(recs)
               ? json_object_getn(recs, jn->records[i].data,
                                  jn->records[i].len)
               : NULL;
    }

    n = json_is_array(recs) ? json_array_size(recs) : 0;

    o = um_obj_new(x->arena, (uint32_t) n + 1);
    if (o == NULL) {
        return um_error_set(x->err, 500, "out of memory");
    }

    ev.arena = x->arena;
    ev.vars = x->vars;
    ev.root = um_from_json(root);
    ev.now = x->now;
    ev.err = x->err;

    for (i = 0; i < n; i++) {
        rec = json_array_get(recs, i);

        if (um_expr_eval(jn->key, &ev, um_from_json(rec), &key) != UM_OK) {
            x->err->status = 502;
            um_error_prefix(x->err, "%.*s: join.%.*s.key",
                            (int) x->method->where.len, x->method->where.data,
                            (int) jn->name.len, jn->name.data);
            return UM_ERR;
        }

        if (key.type == UM_NUM) {
            size_t  k = um_num_format(key.u.n, num);

            if (um_str_dup(x->arena, num, k, &key) != UM_OK) {
                return um_error_set(x->err, 500, "out of memory");
            }
        }

        if (key.type != UM_STR) {
            continue;
        }

        if (um_obj_set(x->arena, o, key.u.s, key.len, um_from_json(rec)) != 0)
        {
            return um_error_set(x->err, 500, "out of memory");
        }
    }

    lookup.type = UM_OBJ;
    lookup.flags = 0;
    lookup.u.o = o;

    x->vars[UM_VAR_N + x->method->nlets + j] = lookup;

    return UM_OK;
}


int
um_exec_page(um_exec_t *x, size_t ci, um_str_t cursor, const char *body,
    size_t len, um_value_t headers, um_window_t *win, um_buf_t *out,
    um_page_t *page)
{
    int  rc;

    memset(page, 0, sizeof(um_page_t));

    /* the caller resets the page arena: headers may already be in it */

    x->body = um_undef();

    if (um_exec_fast) {
        rc = um_exec_fp_page(x, ci, cursor, body, len, headers, win, out,
                             page);
        if (rc != UM_EXEC_SLOW) {
            return rc;
        }
    }

    return um_exec_page_slow(x, ci, cursor, body, len, headers, win, out,
                             page);
}


/* the reference path: the body parsed whole by jansson */

static int
um_exec_page_slow(um_exec_t *x, size_t ci, um_str_t cursor,
    const char *body, size_t len, um_value_t headers, um_window_t *win,
    um_buf_t *out, um_page_t *page)
{
    int            rc;
    json_t        *root;
    json_error_t   jerr;

    memset(page, 0, sizeof(um_page_t));
    x->body = um_undef();

    root = json_loadb(body, len, UM_EXEC_BODY_FLAGS, &jerr);
    if (root == NULL) {
        return um_error_set(x->err, 502, "the provider's answer is not "
                            "valid JSON (line %d, column %d)", jerr.line,
                            jerr.column);
    }

    if (um_arena_cleanup_add(x->page_arena, um_exec_json_decref, root) != 0) {
        json_decref(root);
        return um_error_set(x->err, 500, "out of memory");
    }

    x->body = um_from_json(root);
    x->vars[UM_VAR_HEADERS] = headers;
    x->vars[UM_VAR_CURSOR] = cursor.len ? um_str(cursor.data, cursor.len)
                                        : um_undef();

    rc = um_exec_page_meta(x, ci, page);

    if (rc != UM_OK || page->is_error) {
        return rc;
    }

    return um_exec_page_records(x, body, len, win, out, page);
}


/* a 2xx answer that is really an error, and the continuation */

static int
um_exec_page_meta(um_exec_t *x, size_t ci, um_page_t *page)
{
    char               *p;
    um_expr_t          *when, *msg;
    um_value_t          v;
    const um_method_t  *m;

    m = x->method;

    when = m->error_when ? m->error_when : x->provider->error_when;
    msg = m->error_message ? m->error_message : x->provider->error_message;

    if (when) {
        if (um_exec_eval(x, when, x->body, &v, "errors.when") != UM_OK) {
            return UM_ERR;
        }

        if (um_truthy(v)) {
            page->is_error = 1;

            if (msg && um_exec_eval(x, msg, x->body, &v, "errors.message")
                       == UM_OK
                && v.type == UM_STR)
            {
                page->error.data = v.u.s;
                page->error.len = v.len;
            }

            return UM_OK;
        }
    }

    if (m->paging.type != UM_PAGE_NONE && m->op == UM_OP_LIST) {
        if (um_exec_eval(x, m->paging.next, x->body, &v, "pagination.next")
            != UM_OK)
        {
            return UM_ERR;
        }

        if (v.type == UM_STR && v.len) {
            if (m->paging.type == UM_PAGE_URL) {
                if (um_exec_next_url(x, ci, (um_str_t) { v.u.s, v.len },
                                     &page->next)
                    != UM_OK)
                {
                    return UM_ERR;
                }

            } else {
                page->next.data = v.u.s;
                page->next.len = v.len;
            }

        } else if (v.type == UM_NUM) {
            p = um_alloc(x->page_arena, UM_NUM_BUF);
            if (p == NULL) {
                return um_error_set(x->err, 500, "out of memory");
            }

            page->next.data = p;
            page->next.len = um_num_format(v.u.n, p);
        }
    }

    return UM_OK;
}


/*
 * The records of a body parsed whole (x->body): in the tree for the
 * mapping, in the text for remote_data.
 */

static int
um_exec_page_records(um_exec_t *x, const char *body, size_t len,
    um_window_t *win, um_buf_t *out, um_page_t *page)
{
    int                 rc;
    size_t              i, n;
    um_str_t            raw, item;
    um_rec_t            rec;
    um_emit_t           em;
    um_value_t          recs;
    um_scan_iter_t      it;
    const um_method_t  *m;

    m = x->method;
    recs = x->body;
    memset(&rec, 0, sizeof(um_rec_t));
    raw.data = body;
    raw.len = len;

    for (i = 0; i < m->nrecords && recs.type != UM_UNDEF; i++) {
        recs = um_is_object(recs) ? um_get(recs, m->records[i].data,
                                           m->records[i].len)
                                  : um_undef();

        if (recs.type != UM_UNDEF
            && um_scan_member(raw.data, raw.data + raw.len,
                              m->records[i].data, m->records[i].len, &raw)
               != 0)
        {
            return um_error_set(x->err, 502, "the provider's answer could not "
                                "be scanned");
        }
    }

    em.win = win;
    em.seen = 0;
    em.page = page;
    em.out = out;
    em.full = 0;

    if (m->op == UM_OP_GET) {
        if (!um_is_object(recs)) {
            return um_error_set(x->err, 502, "the provider's answer has no "
                                "record where the mapping expects one");
        }

        rec.val = recs;
        return um_exec_record(x, &rec, raw, &em);
    }

    if (recs.type == UM_UNDEF || recs.type == UM_NULL) {
        /* no records member: an empty page */
        return UM_OK;
    }

    /*
     * a list whose records are the body itself, and the body is one
     * object: an endpoint that has a single record to list (the account's
     * own organization)
     */

    if (m->nrecords == 0 && um_is_object(recs)) {
        rec.val = recs;
        return um_exec_record(x, &rec, raw, &em);
    }

    if (!um_is_array(recs)) {
        return um_error_set(x->err, 502, "the provider's answer has no list "
                            "of records where the mapping expects one");
    }

    if (um_scan_array(&it, raw) != 0) {
        return um_error_set(x->err, 502, "the provider's answer could not be "
                            "scanned");
    }

    n = um_len(recs);

    for (i = 0; i < n && !em.full; i++) {
        rc = um_scan_next(&it, &item);
        if (rc != 1) {
            return um_error_set(x->err, 502, "the provider's answer could not "
                                "be scanned");
        }

        rec.val = um_at(recs, i);

        if (um_exec_record(x, &rec, item, &em) != UM_OK) {
            return UM_ERR;
        }
    }

    if (out->failed) {
        return um_error_set(x->err, 502, "the unified answer is too large");
    }

    return UM_OK;
}


/*
 * The fast path of um_exec_page.  The body is parsed by um_json_parse.c
 * into the engine's own values instead of a jansson tree, and, when the
 * mapping allows it, the records array is not built at all: each record is
 * parsed, mapped and dropped in turn (its values in x->rec_arena, reset
 * per record), so memory stays one record deep whatever the page size, and
 * the mapping can stop after x->slice bytes and resume.  The page's own
 * expressions (errors.when, pagination.next) are then evaluated once the
 * body is read, over the body without its records; rows of a page that
 * turns out to be an error are taken back.
 *
 * Anything unusual (a text the fast parser refuses, an evaluation error, a
 * repeated records key) returns UM_EXEC_SLOW: the caller takes the rows
 * back and maps the page the reference way, through jansson, so that
 * errors and their messages are exactly that path's.
 */

#define UM_FP_MAX_LEVELS  16

int  um_exec_fast = 1;


typedef struct {
    um_jp_obj_t         obj;
    um_str_t            key;            /* of the member being descended */
    size_t              count;          /* members read */
    unsigned            descended:1;
} um_fp_level_t;


struct um_exec_fp_s {
    um_jp_t             jp;
    um_jp_scratch_t     scratch;
    um_arena_t         *rec_arena;      /* one record's values */
    um_value_t         *slots;          /* its picked members */
    unsigned            stream_ok:1;    /* the records may be streamed */

    /* the page being mapped */
    size_t              ci;
    um_str_t            cursor;
    um_value_t          headers;
    const char         *body;
    size_t              len;
    um_window_t        *win;
    um_buf_t           *out;
    um_page_t          *page;
    um_emit_t           em;
    size_t              mark;           /* out->len before the page */
    unsigned            failed0:1;
    size_t              rows0;
    size_t              count0;
    um_value_t          record0;        /* $record, $group before it */
    um_value_t          group0;

    size_t              level;
    size_t              nlevels;        /* 0: the records are the body */
    um_fp_level_t       levels[UM_FP_MAX_LEVELS];
    size_t              items;          /* records read of the array */
    um_value_t          root;
    unsigned            streamed:1;
    unsigned            active:1;       /* between slices */
};


static um_array_t  um_exec_fp_none;     /* the records in the skeleton */


static int um_exec_fp_page(um_exec_t *x, size_t ci, um_str_t cursor,
    const char *body, size_t len, um_value_t headers, um_window_t *win,
    um_buf_t *out, um_page_t *page);
static int um_exec_fp_check(um_exec_t *x);
static int um_exec_fp_tpl_root(const um_tpl_t *t);
static int um_exec_fp_expr_root(const um_expr_t *e);
static int um_exec_fp_members(um_exec_t *x, struct um_exec_fp_s *fp);
static int um_exec_fp_records(um_exec_t *x, struct um_exec_fp_s *fp);
static int um_exec_fp_finish(um_exec_t *x, struct um_exec_fp_s *fp);
static int um_exec_fp_slow(um_exec_t *x, struct um_exec_fp_s *fp);
static void um_exec_fp_cleanup(void *data);


#define UM_FP_DONE     3        /* the body is read */
#define UM_FP_RECORDS  4        /* at the first item of the records array */


static int
um_exec_fp_page(um_exec_t *x, size_t ci, um_str_t cursor, const char *body,
    size_t len, um_value_t headers, um_window_t *win, um_buf_t *out,
    um_page_t *page)
{
    int                   rc;
    um_jp_t              *jp;
    um_value_t            v;
    um_fp_level_t        *lv;
    const um_method_t    *m;
    struct um_exec_fp_s  *fp;

    m = x->method;
    fp = x->fp;

    if (fp == NULL) {
        fp = um_calloc(x->arena, sizeof(struct um_exec_fp_s));
        if (fp == NULL
            || um_arena_cleanup_add(x->arena, um_exec_fp_cleanup, fp) != 0)
        {
            return UM_EXEC_SLOW;
        }

        if (m->want) {
            fp->slots = um_alloc(x->arena, m->nslots * sizeof(um_value_t));
            if (fp->slots == NULL) {
                return UM_EXEC_SLOW;
            }
        }

        x->fp = fp;
    }

    if (!m->fp_checked) {
        /* once per method and worker: the compiled method is not changed
         * otherwise, and each worker has its own copy */
        ((um_method_t *) m)->fp_stream = um_exec_fp_check(x);
        ((um_method_t *) m)->fp_checked = 1;
    }

    fp->stream_ok = m->fp_stream;

    fp->ci = ci;
    fp->cursor = cursor;
    fp->headers = headers;
    fp->body = body;
    fp->len = len;
    fp->win = win;
    fp->out = out;
    fp->page = page;
    fp->mark = out->len;
    fp->failed0 = out->failed;
    fp->rows0 = x->rows;
    fp->count0 = *x->count;
    fp->record0 = x->vars[UM_VAR_RECORD];
    fp->group0 = x->vars[UM_VAR_GROUP];
    fp->level = 0;
    fp->nlevels = 0;
    fp->items = 0;
    fp->root = um_undef();
    fp->streamed = 0;
    fp->active = 0;

    fp->em.win = win;
    fp->em.seen = 0;
    fp->em.page = page;
    fp->em.out = out;
    fp->em.full = 0;

    x->vars[UM_VAR_HEADERS] = headers;
    x->vars[UM_VAR_CURSOR] = cursor.len ? um_str(cursor.data, cursor.len)
                                        : um_undef();
    x->raw_min = 0;

    jp = &fp->jp;
    um_jp_init(jp, x->page_arena, &fp->scratch, body, len);
    um_jp_skip_ws(jp);

    if (!fp->stream_ok || m->op != UM_OP_LIST || jp->p >= jp->end
        || (m->nrecords == 0 ? *jp->p != '[' : *jp->p != '{'))
    {
        /* the body whole, then the reference order of things */

        if (um_jp_value(jp, &v) != UM_OK) {
            return um_exec_fp_slow(x, fp);
        }

        um_jp_skip_ws(jp);

        if (jp->p != jp->end) {
            return um_exec_fp_slow(x, fp);
        }

        fp->root = v;
        return um_exec_fp_finish(x, fp);
    }

    if (m->nrecords == 0) {
        /* the body is the records array */
        jp->p++;
        fp->active = 1;
        return um_exec_fp_records(x, fp);
    }

    /* the objects down to the records array, member by member */

    fp->nlevels = m->nrecords;
    jp->p++;
    um_jp_skip_ws(jp);

    lv = &fp->levels[0];
    um_jp_obj_begin(jp, &lv->obj);
    lv->count = 0;
    lv->descended = 0;

    rc = um_exec_fp_members(x, fp);

    if (rc == UM_FP_RECORDS) {
        fp->active = 1;
        return um_exec_fp_records(x, fp);
    }

    if (rc == UM_FP_DONE) {
        return um_exec_fp_finish(x, fp);
    }

    return um_exec_fp_slow(x, fp);
}


int
um_exec_page_resume(um_exec_t *x)
{
    int                   rc;
    struct um_exec_fp_s  *fp;

    fp = x->fp;

    if (fp == NULL || !fp->active) {
        return um_error_set(x->err, 500, "internal error: no page to resume");
    }

    rc = um_exec_fp_records(x, fp);

    if (rc != UM_EXEC_SLOW) {
        return rc;
    }

    return um_exec_page_slow(x, fp->ci, fp->cursor, fp->body, fp->len,
                             fp->headers, fp->win, fp->out, fp->page);
}


/*
 * The members of the objects on the way to the records: UM_FP_RECORDS at
 * the records array, UM_FP_DONE when the body is read, UM_EXEC_SLOW.
 */

static int
um_exec_fp_members(um_exec_t *x, struct um_exec_fp_s *fp)
{
    um_jp_t            *jp;
    um_str_t            key;
    um_value_t          v;
    um_fp_level_t      *lv;
    const um_str_t     *path;
    const um_method_t  *m;

    m = x->method;
    jp = &fp->jp;

    for ( ;; ) {
        lv = &fp->levels[fp->level];
        path = &m->records[fp->level];

        um_jp_skip_ws(jp);

        if (jp->p >= jp->end) {
            return UM_EXEC_SLOW;
        }

        if (*jp->p == '}') {
            goto close;
        }

        if (lv->count) {
            if (*jp->p != ',') {
                return UM_EXEC_SLOW;
            }

            jp->p++;
            um_jp_skip_ws(jp);
        }

        if (um_jp_key(jp, &key) != UM_OK) {
            return UM_EXEC_SLOW;
        }

        lv->count++;

        if (key.len == path->len && memcmp(key.data, path->data, key.len) == 0
            && jp->p < jp->end)
        {
            if (lv->descended) {
                /* the records key again: jansson keeps the later value */
                return UM_EXEC_SLOW;
            }

            if (fp->level + 1 < fp->nlevels && *jp->p == '{') {
                lv->descended = 1;
                lv->key = key;
                jp->p++;

                fp->level++;
                lv = &fp->levels[fp->level];
                um_jp_obj_begin(jp, &lv->obj);
                lv->count = 0;
                lv->descended = 0;
                continue;
            }

            if (fp->level + 1 == fp->nlevels && *jp->p == '[') {
                lv->descended = 1;
                lv->key = key;
                jp->p++;
                return UM_FP_RECORDS;
            }
        }

        if (um_jp_value(jp, &v) != UM_OK
            || um_jp_obj_add(jp, &lv->obj, key, v) != UM_OK)
        {
            return UM_EXEC_SLOW;
        }

        continue;

    close:

        jp->p++;

        if (um_jp_obj_end(jp, &lv->obj, &v) != UM_OK) {
            return UM_EXEC_SLOW;
        }

        if (fp->level == 0) {
            um_jp_skip_ws(jp);

            if (jp->p != jp->end) {
                return UM_EXEC_SLOW;
            }

            fp->root = v;
            return UM_FP_DONE;
        }

        fp->level--;
        lv = &fp->levels[fp->level];

        if (um_jp_obj_add(jp, &lv->obj, lv->key, v) != UM_OK) {
            return UM_EXEC_SLOW;
        }
    }
}


/*
 * The records array, one record at a time: parsed in the record arena,
 * mapped, dropped.  After x->slice bytes, UM_AGAIN.
 */

static int
um_exec_fp_records(um_exec_t *x, struct um_exec_fp_s *fp)
{
    int                 rc;
    size_t              ws;
    um_jp_t            *jp;
    um_str_t            raw;
    unsigned            depth;
    um_rec_t            rec;
    um_value_t          v;
    um_arena_t         *pa;
    const char         *start;
    um_fp_level_t      *lv;
    const um_method_t  *m;

    m = x->method;
    jp = &fp->jp;
    start = jp->p;

    if (fp->rec_arena == NULL) {
        fp->rec_arena = um_arena_create(16 * 1024, 256 * 1024 * 1024);
        if (fp->rec_arena == NULL) {
            return um_exec_fp_slow(x, fp);
        }
    }

    pa = x->page_arena;

    for ( ;; ) {
        um_jp_skip_ws(jp);

        if (jp->p >= jp->end) {
            return um_exec_fp_slow(x, fp);
        }

        if (*jp->p == ']') {
            break;
        }

        if (fp->items) {
            if (*jp->p != ',') {
                return um_exec_fp_slow(x, fp);
            }

            jp->p++;
            um_jp_skip_ws(jp);
        }

        raw.data = jp->p;
        ws = jp->ws;

        /* the record's values and everything its rows make: one arena */

        x->page_arena = fp->rec_arena;
        jp->arena = fp->rec_arena;

        rc = UM_JP_NO;
        rec.slots = NULL;

        if (fp->slots && !fp->em.full) {
            /* the members the rows read, the record not built */

            depth = jp->depth;
            memset(fp->slots, 0, m->nslots * sizeof(um_value_t));

            rc = um_jp_pick(jp, m->want, fp->slots);

            if (rc == UM_OK) {
                rec.val = um_undef();
                rec.slots = fp->slots;
                rec.raw.data = raw.data;
                rec.raw.len = (size_t) (jp->p - raw.data);
                rec.jp = jp;

            } else {
                /* not an object, a repeated member, or a text it refuses:
                 * read whole, so that the outcome is the usual one */
                jp->p = raw.data;
                jp->ws = ws;
                jp->depth = depth;
                jp->failed = 0;
                rc = UM_JP_NO;
            }
        }

        if (rc == UM_JP_NO) {
            rc = um_jp_value(jp, &rec.val);
        }

        if (rc == UM_OK && !fp->em.full) {
            raw.len = (size_t) (jp->p - raw.data);
            x->raw_min = (jp->ws == ws);

            rc = um_exec_record(x, &rec, raw, &fp->em);

            x->raw_min = 0;
        }

        um_arena_reset(fp->rec_arena);
        x->page_arena = pa;
        jp->arena = pa;

        if (rc != UM_OK) {
            return um_exec_fp_slow(x, fp);
        }

        fp->items++;

        if (x->slice && (size_t) (jp->p - start) >= x->slice) {
            return UM_AGAIN;
        }
    }

    jp->p++;
    fp->active = 0;
    fp->streamed = 1;

    /* in the body without its records, they are an empty array */

    memset(&v, 0, sizeof(um_value_t));
    v.type = UM_ARR;
    v.u.a = &um_exec_fp_none;

    if (fp->nlevels == 0) {
        um_jp_skip_ws(jp);

        if (jp->p != jp->end) {
            return um_exec_fp_slow(x, fp);
        }

        fp->root = v;
        return um_exec_fp_finish(x, fp);
    }

    lv = &fp->levels[fp->level];

    if (um_jp_obj_add(jp, &lv->obj, lv->key, v) != UM_OK) {
        return um_exec_fp_slow(x, fp);
    }

    if (um_exec_fp_members(x, fp) != UM_FP_DONE) {
        return um_exec_fp_slow(x, fp);
    }

    return um_exec_fp_finish(x, fp);
}


/* the body is read: the page's own expressions, and the records if whole */

static int
um_exec_fp_finish(um_exec_t *x, struct um_exec_fp_s *fp)
{
    size_t      rows;
    um_page_t  *page;

    page = fp->page;
    x->body = fp->root;

    /* as if they ran before the records, as they do on the reference path */

    x->vars[UM_VAR_RECORD] = fp->record0;
    x->vars[UM_VAR_GROUP] = fp->group0;

    rows = page->rows;
    page->rows = 0;

    if (um_exec_page_meta(x, fp->ci, page) != UM_OK) {
        return um_exec_fp_slow(x, fp);
    }

    if (page->is_error) {
        /* no rows from an error: take back those the records made */

        um_buf_truncate(fp->out, fp->mark);
        fp->out->failed = fp->failed0;
        x->rows = fp->rows0;

        if (x->count != &x->rows) {
            *x->count = fp->count0;
        }

        page->left = 0;
        return UM_OK;
    }

    page->rows = rows;

    if (fp->streamed) {
        if (fp->out->failed) {
            return um_error_set(x->err, 502, "the unified answer is too "
                                "large");
        }

        return UM_OK;
    }

    /* a text without whitespace: every record's bytes are minified */

    x->raw_min = (fp->jp.ws == 0);

    if (um_exec_page_records(x, fp->body, fp->len, fp->win, fp->out, page)
        != UM_OK)
    {
        x->raw_min = 0;
        return um_exec_fp_slow(x, fp);
    }

    x->raw_min = 0;

    return UM_OK;
}


/* back to the state before the page, for the reference path */

static int
um_exec_fp_slow(um_exec_t *x, struct um_exec_fp_s *fp)
{
    if (fp->rec_arena && x->page_arena == fp->rec_arena) {
        um_arena_reset(fp->rec_arena);
    }

    um_buf_truncate(fp->out, fp->mark);
    fp->out->failed = fp->failed0;
    x->rows = fp->rows0;

    if (x->count != &x->rows) {
        *x->count = fp->count0;
    }

    x->vars[UM_VAR_RECORD] = fp->record0;
    x->vars[UM_VAR_GROUP] = fp->group0;
    x->raw_min = 0;
    x->body = um_undef();
    fp->active = 0;

    return UM_EXEC_SLOW;
}


static void
um_exec_fp_cleanup(void *data)
{
    struct um_exec_fp_s  *fp = data;

    um_jp_scratch_free(&fp->scratch);

    if (fp->rec_arena) {
        um_arena_destroy(fp->rec_arena);
        fp->rec_arena = NULL;
    }
}


/*
 * 1 if the records may be streamed: no row expression reads $$ (the body
 * is not whole while they run), and the page's own expressions read
 * nothing of the records (they run over the body without them).
 */

static int
um_exec_fp_check(um_exec_t *x)
{
    size_t              k;
    um_expr_t          *when;
    const um_str_t     *rec0;
    const um_method_t  *m;
    const um_rowspec_t *rs;

    m = x->method;

    if (m->nrecords >= UM_FP_MAX_LEVELS) {
        return 0;
    }

    for (k = 0; k < m->nrows; k++) {
        rs = &m->rows[k];

        if (um_exec_fp_expr_root(rs->each)
            || um_exec_fp_expr_root(rs->group_by)
            || um_exec_fp_expr_root(rs->when)
            || um_exec_fp_tpl_root(rs->row))
        {
            return 0;
        }
    }

    rec0 = m->nrecords ? &m->records[0] : NULL;
    when = m->error_when ? m->error_when : x->provider->error_when;

    if (when && um_expr_reads(when, 1, rec0 ? rec0->data : NULL,
                              rec0 ? rec0->len : 0))
    {
        return 0;
    }

    if (m->paging.type != UM_PAGE_NONE && m->paging.next
        && um_expr_reads(m->paging.next, 1, rec0 ? rec0->data : NULL,
                         rec0 ? rec0->len : 0))
    {
        return 0;
    }

    return 1;
}


static int
um_exec_fp_expr_root(const um_expr_t *e)
{
    /* with body 0, only $$ counts */
    return e && um_expr_reads(e, 0, NULL, 0);
}


static int
um_exec_fp_tpl_root(const um_tpl_t *t)
{
    size_t  i;

    if (t == NULL) {
        return 0;
    }

    switch (t->type) {

    case UM_TPL_EXPR:
        return um_exec_fp_expr_root(t->expr);

    case UM_TPL_OBJECT:
        for (i = 0; i < t->n; i++) {
            if (um_exec_fp_tpl_root(t->fields[i].tpl)) {
                return 1;
            }
        }

        return 0;

    case UM_TPL_ARRAY:
        for (i = 0; i < t->n; i++) {
            if (um_exec_fp_tpl_root(t->items[i])) {
                return 1;
            }
        }

        return 0;

    default:
        return 0;
    }
}


/* the rows of one record, spec after spec */

static int
um_exec_record(um_exec_t *x, um_rec_t *rec, um_str_t raw, um_emit_t *em)
{
    size_t               k;
    um_value_t           v;
    const um_rowspec_t  *rs;

    x->vars[UM_VAR_RECORD] = rec->val;
    x->vars[UM_VAR_GROUP] = um_undef();

    for (k = 0; k < x->method->nrows && !em->full; k++) {
        rs = &x->method->rows[k];

        if ((rs->when || rs->each) && rec->slots
            && rec->val.type == UM_UNDEF
            && um_exec_rec_build(x, rec) != UM_OK)
        {
            return UM_ERR;
        }

        if (rs->when) {
            if (um_exec_eval(x, rs->when, rec->val, &v, "rows.when")
                != UM_OK)
            {
                return UM_ERR;
            }

            if (!um_truthy(v)) {
                continue;
            }
        }

        if (rs->each == NULL) {
            if (um_exec_emit(x, rs->row, rec, raw, um_undef(), em) != UM_OK) {
                return UM_ERR;
            }

            continue;
        }

        if (um_exec_each(x, rs, rec->val, raw, em) != UM_OK) {
            return UM_ERR;
        }
    }

    return UM_OK;
}


/*
 * A record read by um_jp_pick, built after all: an expression of its rows
 * needs more than the members picked.  The text was read once already,
 * with the same rules, so this cannot fail but for memory.
 */

static int
um_exec_rec_build(um_exec_t *x, um_rec_t *rec)
{
    int          rc;
    size_t       ws;
    um_jp_t     *jp;
    const char  *p;

    jp = rec->jp;
    p = jp->p;
    ws = jp->ws;

    jp->p = rec->raw.data;
    rc = um_jp_value(jp, &rec->val);

    jp->p = p;
    jp->ws = ws;

    if (rc != UM_OK) {
        rec->val = um_undef();
        return um_error_set(x->err, 502, "the provider's record could not "
                            "be read");
    }

    x->vars[UM_VAR_RECORD] = rec->val;

    return UM_OK;
}


/* "each": one row per element, or per group of elements */

static int
um_exec_each(um_exec_t *x, const um_rowspec_t *rs, um_value_t rec,
    um_str_t raw, um_emit_t *em)
{
    int              dom;
    char             num[UM_NUM_BUF];
    size_t           i, n, g, k;
    um_str_t         eraw, key;
    um_rec_t         er;
    um_array_t      *keys, *groups;
    um_value_t       r, v, e, gk, grp, dv;
    um_scan_iter_t   it;

    r = rec;
    memset(&er, 0, sizeof(um_rec_t));

    if (um_exec_eval(x, rs->each, r, &v, "rows.each") != UM_OK) {
        return UM_ERR;
    }

    if (v.type == UM_UNDEF || v.type == UM_NULL) {
        return UM_OK;
    }

    n = um_is_array(v) ? um_len(v) : 1;

    if (rs->group_by) {

        /* groups in the order their keys first appear */

        keys = um_arr_new(x->page_arena, 8);
        groups = um_arr_new(x->page_arena, 8);
        if (keys == NULL || groups == NULL) {
            return um_error_set(x->err, 500, "out of memory");
        }

        for (i = 0; i < n; i++) {
            e = um_is_array(v) ? um_at(v, i) : v;

            if (um_exec_eval(x, rs->group_by, e, &gk, "rows.group_by")
                != UM_OK)
            {
                return UM_ERR;
            }

            if (gk.type == UM_NUM) {
                k = um_num_format(gk.u.n, num);
                if (um_str_dup(x->page_arena, num, k, &gk) != UM_OK) {
                    return um_error_set(x->err, 500, "out of memory");
                }
            }

            key.data = (gk.type == UM_STR) ? gk.u.s : "";
            key.len = (gk.type == UM_STR) ? gk.len : 0;

            for (g = 0; g < keys->n; g++) {
                if (keys->items[g].len == key.len
                    && memcmp(keys->items[g].u.s, key.data, key.len) == 0)
                {
                    break;
                }
            }

            if (g == keys->n) {
                grp.type = UM_ARR;
                grp.flags = 0;
                grp.u.a = um_arr_new(x->page_arena, 4);

                if (grp.u.a == NULL
                    || um_arr_push(x->page_arena, keys,
                                   um_str(key.data, key.len)) != 0
                    || um_arr_push(x->page_arena, groups, grp) != 0)
                {
                    return um_error_set(x->err, 500, "out of memory");
                }
            }

            if (um_arr_push(x->page_arena, groups->items[g].u.a, e) != 0) {
                return um_error_set(x->err, 500, "out of memory");
            }
        }

        for (g = 0; g < groups->n && !em->full; g++) {
            x->vars[UM_VAR_GROUP] = groups->items[g];
            er.val = um_at(groups->items[g], 0);

            if (um_exec_emit(x, rs->row, &er, raw, um_undef(), em) != UM_OK) {
                return UM_ERR;
            }
        }

        x->vars[UM_VAR_GROUP] = um_undef();

        return UM_OK;
    }

    /*
     * remote_data of an element: its own bytes when "each" is a plain path
     * to an array of the record, else the element as the tree has it
     */

    dom = 0;
    eraw.data = NULL;
    eraw.len = 0;

    if (rs->remote_data == UM_RD_ELEMENT && rs->each_path) {
        dv = rec;
        eraw = raw;

        for (k = 0; k < rs->neach_path && dv.type != UM_UNDEF; k++) {
            dv = um_is_object(dv) ? um_get(dv, rs->each_path[k].data,
                                           rs->each_path[k].len)
                                  : um_undef();

            if (dv.type != UM_UNDEF
                && um_scan_member(eraw.data, eraw.data + eraw.len,
                                  rs->each_path[k].data,
                                  rs->each_path[k].len, &eraw) != 0)
            {
                dv = um_undef();
            }
        }

        dom = um_is_array(dv) && um_len(dv) == n
              && um_scan_array(&it, eraw) == 0;
    }

    for (i = 0; i < n && !em->full; i++) {
        e = um_is_array(v) ? um_at(v, i) : v;
        er.val = e;

        if (rs->remote_data == UM_RD_RECORD) {
            if (um_exec_emit(x, rs->row, &er, raw, um_undef(), em) != UM_OK) {
                return UM_ERR;
            }

            continue;
        }

        if (dom) {
            if (um_scan_next(&it, &eraw) != 1) {
                return um_error_set(x->err, 502, "the provider's answer "
                                    "could not be scanned");
            }

            if (um_exec_emit(x, rs->row, &er, eraw, um_undef(), em) != UM_OK) {
                return UM_ERR;
            }

            continue;
        }

        if (um_exec_emit(x, rs->row, &er, (um_str_t) { NULL, 0 }, e, em)
            != UM_OK)
        {
            return UM_ERR;
        }
    }

    return UM_OK;
}


/* one row, if the window lets it through */

static int
um_exec_emit(um_exec_t *x, const um_tpl_t *t, um_rec_t *ctx, um_str_t raw,
    um_value_t dom, um_emit_t *em)
{
    um_window_t  *win;

    win = em->win;
    em->seen++;

    if (win && em->seen <= win->skip) {
        return UM_OK;
    }

    if (win && win->max && em->page->rows == win->max) {
        em->page->left++;
        em->full = 1;
        return UM_OK;
    }

    /* the answer's first row has no separator, whatever target it is of */

    if (!x->ndjson && *x->count) {
        um_buf_add(em->out, x->separator, strlen(x->separator));
    }

    if (um_exec_write_row(x, t, ctx, raw, dom, em->out) != UM_OK) {
        return UM_ERR;
    }

    if (x->ndjson) {
        um_buf_addc(em->out, '\n');
    }

    em->page->rows++;
    x->rows++;

    if (x->count != &x->rows) {
        (*x->count)++;
    }

    return UM_OK;
}


/*
 * A next-page URL from the provider: only its path and query are kept and
 * sent to the account's own upstream, and the path must be the one the
 * mapping called, so a provider (or anyone who forged its answer) cannot
 * point the module anywhere else.
 */

static int
um_exec_next_url(um_exec_t *x, size_t ci, um_str_t url, um_str_t *next)
{
    char        *p;
    size_t       start, q;
    const char  *s;

    s = url.data;
    start = 0;

    if (url.len > 8 && (strncasecmp(s, "https://", 8) == 0
                        || strncasecmp(s, "http://", 7) == 0))
    {
        start = (s[4] == 's' || s[4] == 'S') ? 8 : 7;

        while (start < url.len && s[start] != '/' && s[start] != '?') {
            start++;
        }
    }

    if (start >= url.len || s[start] != '/') {
        return um_error_set(x->err, 502, "the provider's next-page link is "
                            "not a URL or an absolute path");
    }

    if (um_exec_url_unsafe((um_str_t) { s + start, url.len - start })) {
        return um_error_set(x->err, 502, "the provider's next-page link "
                            "contains characters a URL may not");
    }

    for (q = start; q < url.len && s[q] != '?'; q++) {
        /* void */
    }

    if (um_exec_path(x, ci) != UM_OK) {
        return UM_ERR;
    }

    if (q - start != x->paths[ci].len
        || memcmp(s + start, x->paths[ci].data, x->paths[ci].len) != 0)
    {
        return um_error_set(x->err, 502, "the provider's next-page link "
                            "points to another path than the mapping's");
    }

    p = um_alloc(x->page_arena, url.len - start);
    if (p == NULL) {
        return um_error_set(x->err, 500, "out of memory");
    }

    memcpy(p, s + start, url.len - start);
    next->data = p;
    next->len = url.len - start;

    return UM_OK;
}


/* 1 if a path and query holds a byte a URL may not (space, controls) */

static int
um_exec_url_unsafe(um_str_t url)
{
    size_t  i;

    for (i = 0; i < url.len; i++) {
        if ((unsigned char) url.data[i] <= 0x20
            || (unsigned char) url.data[i] >= 0x7f
            || url.data[i] == '#' || url.data[i] == '\\')
        {
            return 1;
        }
    }

    return 0;
}


int
um_exec_static(um_exec_t *x, um_window_t *win, um_buf_t *out,
    um_page_t *page)
{
    size_t           i;
    um_rec_t         none;
    um_emit_t        em;
    const um_tpl_t  *rows;

    rows = x->method->rows[0].row;
    memset(page, 0, sizeof(um_page_t));
    memset(&none, 0, sizeof(um_rec_t));

    em.win = win;
    em.seen = 0;
    em.page = page;
    em.out = out;
    em.full = 0;

    for (i = 0; i < rows->n && !em.full; i++) {
        if (um_exec_emit(x, rows->items[i], &none, (um_str_t) { NULL, 0 },
                         um_undef(), &em)
            != UM_OK)
        {
            return UM_ERR;
        }
    }

    return UM_OK;
}


/*
 * One unified record: the account tag, the template's fields, then
 * remote_data: the raw bytes when there are, else the tree's value.
 */

static int
um_exec_write_row(um_exec_t *x, const um_tpl_t *t, um_rec_t *rec,
    um_str_t raw, um_value_t dom, um_buf_t *out)
{
    int       res;
    um_str_t  name;

    if (x->key_by.len && um_exec_key(x, t, rec, out) != UM_OK) {
        return UM_ERR;
    }

    um_buf_addc(out, '{');

    if (x->tag.len) {
        um_buf_add(out, "\"integrated_account_id\":",
                   sizeof("\"integrated_account_id\":") - 1);
        um_json_str(out, x->tag.data, x->tag.len);
    }

    if (um_exec_run(x, t->ops, 0, t->nops, rec, out, x->tag.len == 0, 1,
                    &res)
        != UM_OK)
    {
        return UM_ERR;
    }

    name.data = "remote_data";
    name.len = sizeof("remote_data") - 1;

    if ((raw.len || dom.type != UM_UNDEF) && x->remote_data
        && !um_exec_excluded(x, name))
    {
        if (res == UM_W_NONE && x->tag.len == 0) {
            um_buf_add(out, "\"remote_data\":", 14);

        } else {
            um_buf_add(out, ",\"remote_data\":", 15);
        }

        if (raw.len && x->raw_min) {
            /* the provider's bytes are already minified */
            um_buf_add(out, raw.data, raw.len);

        } else if (raw.len) {
            um_json_minify(out, raw.data, raw.len);

        } else {
            um_json_value(out, dom, 0);
        }
    }

    um_buf_addc(out, '}');

    return UM_OK;
}


/* 1 if truto_exclude_fields names this dotted path of the row */

static int
um_exec_excluded(um_exec_t *x, um_str_t path)
{
    size_t  i;

    for (i = 0; i < x->nexclude; i++) {
        if (x->exclude[i].len == path.len
            && memcmp(x->exclude[i].data, path.data, path.len) == 0)
        {
            return 1;
        }
    }

    return 0;
}


/*
 * Runs ops [from, to) of a program into out, as members of a container
 * that has members already unless `first`.  An object or array is left out
 * when none of its parts is written, or when only constants are and it
 * holds expressions (a request body keeps them: x->request_tpl); a value
 * that is undefined or null is left out with its key.  *res says what the
 * range wrote: UM_W_NONE, UM_W_CONST (constants only) or UM_W_DYN.
 */

/*
 * The program's writes go through a pointer into the answer's buffer, with
 * room made before each op for what it writes: through the buffer's own
 * fields, every byte written would make the compiler read them again.
 */

typedef struct {
    char             *p;
    char             *e;            /* the end of the room */
} um_wr_t;


static inline void
um_wr_load(um_wr_t *w, um_buf_t *out)
{
    w->p = out->data + out->len;
    w->e = out->failed ? w->p : out->data + out->cap;
}


static inline void
um_wr_sync(um_wr_t *w, um_buf_t *out)
{
    out->len = (size_t) (w->p - out->data);
}


/* 0 when the buffer cannot grow (it is failed: the answer is too large) */

static inline int
um_wr_room(um_wr_t *w, um_buf_t *out, size_t n)
{
    if ((size_t) (w->e - w->p) >= n) {
        return 1;
    }

    um_wr_sync(w, out);

    if (um_buf_reserve(out, n) != 0) {
        return 0;
    }

    um_wr_load(w, out);

    return 1;
}


/* the key of a field (none for an item), after a comma if need be; room
 * for it is made, plus `more` */

static inline int
um_wr_key(um_wr_t *w, um_buf_t *out, const um_rop_t *op, int comma,
    size_t more)
{
    if (!um_wr_room(w, out, op->key.len + 1 + more)) {
        return 0;
    }

    if (comma) {
        if (op->key.len) {
            um_copy(w->p, op->key.data - 1, op->key.len + 1);
            w->p += op->key.len + 1;

        } else {
            *w->p++ = ',';
        }

    } else {
        um_copy(w->p, op->key.data, op->key.len);
        w->p += op->key.len;
    }

    return 1;
}


typedef struct {
    size_t            mark;         /* out->len before the container */
    const um_rop_t   *open;
    unsigned          comma:1;      /* members before the range's */
    unsigned          any:1;        /* something written in it */
    unsigned          dyn:1;        /* something computed written in it */
} um_level_t;


static int
um_exec_run(um_exec_t *x, const um_rop_t *ops, size_t from, size_t to,
    um_rec_t *ctx, um_buf_t *out, int first, int excl, int *res)
{
    int              r;
    char             buf[UM_JP_NUM_TEXT + 1];
    size_t           i;
    um_wr_t          w;
    unsigned         depth;
    um_str_t         text;
    um_value_t       v;
    um_level_t       stack[UM_ROW_MAX_DEPTH + 2], *lv;
    const um_rop_t  *op;

    depth = 0;
    excl = excl && x->nexclude;
    lv = &stack[0];
    lv->comma = !first;
    lv->any = 0;
    lv->dyn = 0;

    /* a pointer needs a buffer to point into */

    if (out->data == NULL && um_buf_reserve(out, 256) != 0) {
        goto failed;
    }

    um_wr_load(&w, out);

    for (i = from; i < to; i++) {
        op = &ops[i];

        if (excl && op->key.len && um_exec_excluded(x, op->path)) {
            i = op->end - 1;
            continue;
        }

        switch (op->type) {

        case UM_ROP_OPEN:
            lv = &stack[++depth];
            lv->mark = (size_t) (w.p - out->data);
            lv->open = op;
            lv->comma = 0;
            lv->any = 0;
            lv->dyn = 0;

            if (!um_wr_key(&w, out, op, stack[depth - 1].any
                                        || stack[depth - 1].comma, 1))
            {
                goto failed;
            }

            *w.p++ = op->array ? '[' : '{';
            continue;

        case UM_ROP_CLOSE:
            r = lv->dyn;

            if (!lv->any || (lv->open->dynamic && !r && !x->request_tpl)) {
                /* taken back */
                w.p = out->data + lv->mark;
                lv = &stack[--depth];
                continue;
            }

            if (!um_wr_room(&w, out, 1)) {
                goto failed;
            }

            *w.p++ = op->array ? ']' : '}';
            lv = &stack[--depth];
            lv->any = 1;
            lv->dyn |= r;
            continue;

        case UM_ROP_CONST:
            if (!um_wr_key(&w, out, op, lv->any || lv->comma, op->json.len)) {
                goto failed;
            }

            um_copy(w.p, op->json.data, op->json.len);
            w.p += op->json.len;
            lv->any = 1;
            continue;

        default:
            break;
        }

        /* UM_ROP_EXPR: the value first, to know whether its key goes out */

        text.len = 0;
        r = UM_EXEC_EVAL;

        if (ctx->slots && op->pick) {
            r = um_exec_pick(x, op, ctx, buf, &text, &v);
        }

        if (r == UM_EXEC_EVAL) {
            if (ctx->slots && ctx->val.type == UM_UNDEF
                && um_exec_rec_build(x, ctx) != UM_OK)
            {
                return UM_ERR;
            }

            if (um_exec_eval(x, op->expr, ctx->val, &v, "row") != UM_OK) {
                return UM_ERR;
            }

            r = (v.type == UM_UNDEF || v.type == UM_NULL
                 || v.type == UM_FUNC) ? UM_W_NONE : UM_W_DYN;
        }

        if (r == UM_W_NONE) {
            continue;
        }

        if (text.len) {
            if (!um_wr_key(&w, out, op, lv->any || lv->comma, text.len)) {
                goto failed;
            }

            um_copy(w.p, text.data, text.len);
            w.p += text.len;

        } else if (v.type == UM_STR && (v.flags & UM_F_PLAIN)) {
            /* the parser saw nothing to escape in it */

            if (!um_wr_key(&w, out, op, lv->any || lv->comma, v.len + 2)) {
                goto failed;
            }

            *w.p++ = '"';
            um_copy(w.p, v.u.s, v.len);
            w.p += v.len;
            *w.p++ = '"';

        } else {
            if (!um_wr_key(&w, out, op, lv->any || lv->comma, 0)) {
                goto failed;
            }

            um_wr_sync(&w, out);
            um_json_value(out, v, UM_JSON_OMIT_NULL);
            um_wr_load(&w, out);
        }

        lv->any = 1;
        lv->dyn = 1;
    }

    um_wr_sync(&w, out);

    *res = !stack[0].any ? UM_W_NONE
                         : (stack[0].dyn ? UM_W_DYN : UM_W_CONST);

    return UM_OK;

failed:

    /* the buffer is failed: the caller answers that it is too large */

    *res = UM_W_NONE;

    return UM_OK;
}


/*
 * A value of the row read from the record's picked members, as the
 * expression would give it (um_map_row.c): UM_W_NONE, or UM_W_DYN with
 * the JSON text to write in *text (in buf) or the value in *v; UM_EXEC_EVAL
 * when only the expression can tell: a path through an array (JSONata maps
 * the rest of the path over it), an object or array value, or a date
 * $toIso does not take this way.
 */

static int
um_exec_pick(um_exec_t *x, const um_rop_t *op, um_rec_t *ctx, char *buf,
    um_str_t *text, um_value_t *v)
{
    size_t           len;
    uint32_t         up;
    const uint32_t  *parent;

    *v = ctx->slots[op->slot];

    switch (v->type) {

    case UM_UNDEF:
        /* not there, or under a member that is not an object */

        parent = x->method->parent;

        for (up = parent[op->slot]; up != UM_SLOT_NONE; up = parent[up]) {
            if (ctx->slots[up].type == UM_ARR) {
                return UM_EXEC_EVAL;
            }
        }

        return UM_W_NONE;

    case UM_OBJ:
    case UM_ARR:
        return UM_EXEC_EVAL;

    case UM_NULL:
        /* a null value is left out; $toIso(null) is an error of its own */
        return (op->pick == UM_PICK_PATH) ? UM_W_NONE : UM_EXEC_EVAL;

    default:
        break;
    }

    if (op->pick == UM_PICK_ISO) {
        if (v->type != UM_STR) {
            return UM_EXEC_EVAL;
        }

        /* the date between quotes: it needs no escaping */

        len = um_date_iso_of(v->u.s, v->len, buf + 1);

        if (len == 0) {
            return UM_EXEC_EVAL;
        }

        buf[0] = '"';
        buf[len + 1] = '"';
        text->data = buf;
        text->len = len + 2;

        return UM_W_DYN;
    }

    if (v->type == UM_NUM && (v->flags & UM_F_NUMTEXT)) {
        len = um_num_text(v->u.s, v->len, buf);

        if (len == 0) {
            /* the value, read as the parser reads it: strtod */
            memcpy(buf, v->u.s, v->len);
            buf[v->len] = '\0';
            len = um_num_format(strtod(buf, NULL), buf);
        }

        text->data = buf;
        text->len = len;
    }

    return UM_W_DYN;
}


/* truto_key_by: the row's value of that field, as the key of the row */

static int
um_exec_key(um_exec_t *x, const um_tpl_t *t, um_rec_t *rec, um_buf_t *out)
{
    int              res;
    size_t           len;
    uint32_t         i;
    um_buf_t         key;
    const char      *value;
    const um_rop_t  *op;

    um_buf_init(&key, x->page_arena, 0);
    res = UM_W_NONE;
    op = NULL;

    for (i = 0; i < t->nops; i = t->ops[i].end) {
        op = &t->ops[i];

        if (op->path.len == x->key_by.len
            && memcmp(op->path.data, x->key_by.data, x->key_by.len) == 0)
        {
            /* the field alone: its key, then its value */

            if (um_exec_run(x, t->ops, i, op->end, rec, &key, 1, 0, &res)
                != UM_OK)
            {
                return UM_ERR;
            }

            break;
        }
    }

    if (res == UM_W_NONE) {
        um_buf_add(out, "\"\":", 3);
        return UM_OK;
    }

    value = key.data + op->key.len;
    len = key.len - op->key.len;

    if (len >= 2 && value[0] == '"') {
        /* a string: already quoted and escaped */
        um_buf_add(out, value, len);

    } else {
        um_json_str(out, value, len);
    }

    um_buf_addc(out, ':');

    return UM_OK;
}


int
um_exec_rate_limit(const um_provider_t *p, um_arena_t *a, um_value_t headers,
    double now, um_str_t out[3])
{
    int          i;
    char        *num;
    um_eval_t    ev;
    um_value_t   v;
    um_error_t   err;

    ev.arena = a;
    ev.vars = NULL;
    ev.root = headers;
    ev.now = now;
    ev.err = &err;

    for (i = 0; i < 3; i++) {
        out[i].data = NULL;
        out[i].len = 0;

        if (p->rate_limit[i] == NULL
            || um_expr_eval(p->rate_limit[i], &ev, headers, &v) != UM_OK)
        {
            continue;
        }

        if (v.type == UM_STR) {
            out[i].data = v.u.s;
            out[i].len = v.len;

        } else if (v.type == UM_NUM) {
            num = um_alloc(a, UM_NUM_BUF);
            if (num == NULL) {
                return UM_ERR;
            }

            out[i].data = num;
            out[i].len = um_num_format(v.u.n, num);
        }
    }

    return UM_OK;
}


int
um_exec_error_message(const um_provider_t *p, um_arena_t *a,
    const char *body, size_t len, um_str_t *msg)
{
    json_t      *root;
    um_eval_t    ev;
    um_value_t   v;
    um_error_t   err;

    msg->data = NULL;
    msg->len = 0;

    if (p->error_message == NULL || len == 0) {
        return UM_OK;
    }

    root = json_loadb(body, len, UM_EXEC_BODY_FLAGS, NULL);
    if (root == NULL) {
        return UM_OK;
    }

    if (um_arena_cleanup_add(a, um_exec_json_decref, root) != 0) {
        json_decref(root);
        return UM_ERR;
    }

    ev.arena = a;
    ev.vars = NULL;
    ev.root = um_from_json(root);
    ev.now = 0;
    ev.err = &err;

    if (um_expr_eval(p->error_message, &ev, ev.root, &v) == UM_OK
        && v.type == UM_STR)
    {
        msg->data = v.u.s;
        msg->len = v.len;
    }

    return UM_OK;
}


static void
um_exec_json_decref(void *data)
{
    json_decref(data);
}
