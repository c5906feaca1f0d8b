/*
 * The mapping executor: builds provider calls and maps provider bodies to
 * unified rows, walking the tables um_map_compile.c made.
 *
 * Output rules (CONTRACT section 4): a value the provider does not give is
 * omitted, never null; an object or array of the template that ends up
 * with none of its computed parts is omitted (constants alone do not keep
 * it); remote_data is the provider's record, its own bytes.
 */

#include <string.h>

#include "um_json_out.h"
#include "um_json_scan.h"
#include "um_mapping.h"


#define UM_EXEC_BODY_FLAGS                                                   \
    (JSON_DECODE_ANY | JSON_ALLOW_NUL | JSON_DECODE_INT_AS_REAL)


enum {
    UM_W_NONE = 0,          /* nothing written */
    UM_W_CONST,             /* only constants written */
    UM_W_DYN                /* something computed written */
};


typedef struct {
    um_str_t        *paths;      /* excluded dotted paths */
    size_t           n;
    um_str_t         prefix;     /* the path of the object being written */
} um_excl_t;


static int um_exec_eval(um_exec_t *x, um_expr_t *e, um_value_t ctx,
    um_value_t *out, const char *what);
static int um_exec_write_tpl(um_exec_t *x, const um_tpl_t *t,
    um_value_t ctx, um_buf_t *out, um_excl_t *ex, int *res);
static int um_exec_write_row(um_exec_t *x, const um_tpl_t *t,
    um_value_t rec, um_str_t raw, um_buf_t *out);
static int um_exec_excluded(const um_excl_t *ex, um_str_t name,
    um_excl_t *sub);
static int um_exec_key(um_exec_t *x, const um_tpl_t *t, um_value_t rec,
    um_buf_t *out);
static int um_exec_string(um_exec_t *x, um_value_t v, um_buf_t *b,
    int encode);
static int um_exec_next_url(um_exec_t *x, um_str_t url, um_str_t *next);
static int um_exec_query(um_exec_t *x, um_str_t cursor, um_buf_t *args);
static int um_exec_path(um_exec_t *x);
static void um_exec_json_decref(void *data);


int
um_exec_init(um_exec_t *x, const um_method_t *m, const um_request_t *req,
    um_value_t account, um_arena_t *arena, um_arena_t *page_arena,
    double now, um_error_t *err)
{
    size_t      i;
    um_value_t  v;

    memset(x, 0, sizeof(um_exec_t));

    x->arena = arena;
    x->page_arena = page_arena;
    x->method = m;
    x->request = req;
    x->now = now;
    x->err = err;
    x->remote_data = 1;

    x->vars = um_calloc(arena, (UM_VAR_N + m->nlets) * sizeof(um_value_t));
    if (x->vars == NULL) {
        return um_error_set(err, 500, "out of memory");
    }

    x->vars[UM_VAR_QUERY] = req->query;
    x->vars[UM_VAR_ACCOUNT] = account;

    if (req->op == UM_OP_GET) {
        x->vars[UM_VAR_ID] = um_str(req->id.data, req->id.len);
    }

    if (req->limit && !req->ignore_limit) {
        x->vars[UM_VAR_LIMIT] = um_num((double) req->limit);
    }

    /* bindings live as long as the request: evaluate them in its arena */

    for (i = 0; i < m->nlets; i++) {
        um_eval_t  ev;

        ev.arena = arena;
        ev.vars = x->vars;
        ev.root = um_undef();
        ev.now = now;
        ev.err = err;

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

    if (m->is_static) {
        return UM_OK;
    }

    return um_exec_path(x);
}


/* the provider path: text parts and {expression} parts */

static int
um_exec_path(um_exec_t *x)
{
    size_t              i;
    um_buf_t            path;
    um_value_t          v;
    const um_part_t    *part;
    const um_method_t  *m;

    m = x->method;
    um_buf_init(&path, x->arena, 8192);

    for (i = 0; i < m->npath; i++) {
        part = &m->path[i];

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
                                "missing", (int) m->where.len, m->where.data);
        }

        if (um_exec_string(x, v, &path, 0) != UM_OK) {
            return UM_ERR;
        }
    }

    if (path.failed) {
        return um_error_set(x->err, 400, "the provider path is too long");
    }

    x->path.data = path.data;
    x->path.len = path.len;

    return UM_OK;
}


static int
um_exec_eval(um_exec_t *x, um_expr_t *e, um_value_t ctx, um_value_t *out,
    const char *what)
{
    um_eval_t  ev;

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


int
um_exec_call(um_exec_t *x, um_str_t cursor, um_call_t *call)
{
    size_t             q;
    um_buf_t           args, body;
    const um_method_t *m;

    m = x->method;

    memset(call, 0, sizeof(um_call_t));
    call->method = m->http_method;

    x->vars[UM_VAR_CURSOR] = cursor.len ? um_str(cursor.data, cursor.len)
                                        : um_undef();

    um_buf_init(&args, x->arena, 16384);
    um_buf_init(&body, x->arena, 65536);

    if (cursor.len && m->paging.type == UM_PAGE_URL) {

        /* the continuation is the provider's path and query, checked and
         * reduced when the page that gave it was mapped */

        for (q = 0; q < cursor.len && cursor.data[q] != '?'; q++) {
            /* void */
        }

        call->path.data = cursor.data;
        call->path.len = q;

        if (q < cursor.len) {
            call->args.data = cursor.data + q + 1;
            call->args.len = cursor.len - q - 1;
        }

        return UM_OK;
    }

    if (um_exec_query(x, cursor, &args) != UM_OK) {
        return UM_ERR;
    }

    if (m->body) {
        int  res;

        if (um_exec_write_tpl(x, m->body, um_undef(), &body, NULL, &res)
            != UM_OK)
        {
            return UM_ERR;
        }

        if (res == UM_W_NONE) {
            um_buf_add(&body, "{}", 2);
        }

        if (cursor.len && m->paging.type == UM_PAGE_BODY) {
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

    call->path = x->path;
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
um_exec_query(um_exec_t *x, um_str_t cursor, um_buf_t *args)
{
    size_t              i, j, k, n;
    um_value_t          v, item;
    const um_method_t  *m;
    const um_param_t   *rq;

    m = x->method;
    rq = NULL;
    n = 0;

    if (x->request) {
        rq = x->request->remote_query;
        n = x->request->nremote;
    }

    for (i = 0; i < m->nquery; i++) {

        for (j = 0; j < n; j++) {
            if (rq[j].key.len == m->query[i].name.len
                && memcmp(rq[j].key.data, m->query[i].name.data,
                          rq[j].key.len) == 0)
            {
                break;
            }
        }

        if (j < n) {
            continue;
        }

        if (cursor.len && m->paging.type == UM_PAGE_QUERY
            && m->paging.param.len == m->query[i].name.len
            && memcmp(m->paging.param.data, m->query[i].name.data,
                      m->paging.param.len) == 0)
        {
            continue;
        }

        if (um_exec_eval(x, m->query[i].expr, um_undef(), &v, "request.query")
            != UM_OK)
        {
            return UM_ERR;
        }

        if (v.type == UM_UNDEF || v.type == UM_NULL) {
            continue;
        }

        /* an array is the parameter repeated: "ids[]=a&ids[]=b" */

        k = (v.type == UM_ARR || (v.type == UM_JSON && json_is_array(v.u.j)))
            ? um_len(v) : 1;

        for (j = 0; j < k; j++) {
            item = (k == 1 && v.type != UM_ARR && v.type != UM_JSON)
                   ? v : um_at(v, j);

            if (item.type == UM_UNDEF || item.type == UM_NULL) {
                continue;
            }

            if (args->len) {
                um_buf_addc(args, '&');
            }

            um_url_encode(args, m->query[i].name.data, m->query[i].name.len);
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


int
um_exec_page(um_exec_t *x, const char *body, size_t len, um_buf_t *out,
    um_page_t *page)
{
    int                 rc;
    size_t              i, n;
    json_t             *root, *recs, *j;
    um_str_t            raw, item, next;
    um_value_t          v;
    json_error_t        jerr;
    um_scan_iter_t      it;
    const um_method_t  *m;

    m = x->method;
    page->rows = 0;
    page->next.data = NULL;
    page->next.len = 0;

    um_arena_reset(x->page_arena);
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

    /* the continuation */

    if (m->paging.type != UM_PAGE_NONE && m->op == UM_OP_LIST) {
        if (um_exec_eval(x, m->paging.next, x->body, &v, "pagination.next")
            != UM_OK)
        {
            return UM_ERR;
        }

        if (v.type == UM_STR && v.len) {
            next.data = v.u.s;
            next.len = v.len;

            if (m->paging.type == UM_PAGE_URL) {
                if (um_exec_next_url(x, next, &page->next) != UM_OK) {
                    return UM_ERR;
                }

            } else {
                page->next = next;
            }

        } else if (v.type == UM_NUM) {
            char  *p;

            p = um_alloc(x->page_arena, UM_NUM_BUF);
            if (p == NULL) {
                return um_error_set(x->err, 500, "out of memory");
            }

            page->next.data = p;
            page->next.len = um_num_format(v.u.n, p);
        }
    }

    /* the records: in the tree for the mapping, in the text for remote_data */

    recs = root;
    raw.data = body;
    raw.len = len;

    for (i = 0; i < m->nrecords && recs; i++) {
        recs = json_is_object(recs)
               ? json_object_getn(recs, m->records[i].data, m->records[i].len)
               : NULL;

        if (recs && um_scan_member(raw.data, raw.data + raw.len,
                                   m->records[i].data, m->records[i].len,
                                   &raw) != 0)
        {
            return um_error_set(x->err, 502, "the provider's answer could not "
                                "be scanned");
        }
    }

    if (m->op == UM_OP_GET) {
        if (!json_is_object(recs)) {
            return um_error_set(x->err, 502, "the provider's answer has no "
                                "record where the mapping expects one");
        }

        if (um_exec_write_row(x, m->row, um_from_json(recs), raw, out)
            != UM_OK)
        {
            return UM_ERR;
        }

        page->rows = 1;
        return UM_OK;
    }

    if (recs == NULL || json_is_null(recs)) {
        /* no records member: an empty page */
        return UM_OK;
    }

    if (!json_is_array(recs)) {
        return um_error_set(x->err, 502, "the provider's answer has no list "
                            "of records where the mapping expects one");
    }

    if (um_scan_array(&it, raw) != 0) {
        return um_error_set(x->err, 502, "the provider's answer could not be "
                            "scanned");
    }

    n = json_array_size(recs);

    for (i = 0; i < n; i++) {
        rc = um_scan_next(&it, &item);
        if (rc != 1) {
            return um_error_set(x->err, 502, "the provider's answer could not "
                                "be scanned");
        }

        j = json_array_get(recs, i);

        if (x->rows) {
            um_buf_addc(out, ',');
        }

        if (um_exec_write_row(x, m->row, um_from_json(j), item, out)
            != UM_OK)
        {
            return UM_ERR;
        }

        page->rows++;
        x->rows++;
    }

    if (out->failed) {
        return um_error_set(x->err, 502, "the unified answer is too large");
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
um_exec_next_url(um_exec_t *x, um_str_t url, um_str_t *next)
{
    char        *p;
    size_t       i, start, q;
    const char  *s;

    s = url.data;
    start = 0;

    if (url.len > 8 && (memcmp(s, "https://", 8) == 0
                        || memcmp(s, "http://", 7) == 0))
    {
        start = (s[4] == 's') ? 8 : 7;

        while (start < url.len && s[start] != '/' && s[start] != '?') {
            start++;
        }
    }

    if (start >= url.len || s[start] != '/') {
        return um_error_set(x->err, 502, "the provider's next-page link is "
                            "not a URL or an absolute path");
    }

    for (i = start; i < url.len; i++) {
        if ((unsigned char) s[i] <= 0x20 || (unsigned char) s[i] >= 0x7f
            || s[i] == '#' || s[i] == '\\')
        {
            return um_error_set(x->err, 502, "the provider's next-page link "
                                "contains characters a URL may not");
        }
    }

    for (q = start; q < url.len && s[q] != '?'; q++) {
        /* void */
    }

    if (q - start != x->path.len
        || memcmp(s + start, x->path.data, x->path.len) != 0)
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


int
um_exec_static(um_exec_t *x, um_buf_t *out, um_page_t *page)
{
    size_t           i;
    const um_tpl_t  *rows;

    rows = x->method->row;
    page->rows = 0;
    page->next.data = NULL;
    page->next.len = 0;

    for (i = 0; i < rows->n; i++) {
        if (x->rows) {
            um_buf_addc(out, ',');
        }

        if (um_exec_write_row(x, rows->items[i], um_undef(),
                              (um_str_t) { NULL, 0 }, out)
            != UM_OK)
        {
            return UM_ERR;
        }

        page->rows++;
        x->rows++;
    }

    return UM_OK;
}


/* one unified record: the template's fields, then remote_data */

static int
um_exec_write_row(um_exec_t *x, const um_tpl_t *t, um_value_t rec,
    um_str_t raw, um_buf_t *out)
{
    int          res, first;
    size_t       i, mark;
    um_str_t     name;
    um_excl_t    ex, sub;

    if (x->key_by.len && um_exec_key(x, t, rec, out) != UM_OK) {
        return UM_ERR;
    }

    ex.paths = x->exclude;
    ex.n = x->nexclude;
    ex.prefix.data = NULL;
    ex.prefix.len = 0;
    sub.n = 0;

    um_buf_addc(out, '{');
    first = 1;

    for (i = 0; i < t->n; i++) {
        if (ex.n && um_exec_excluded(&ex, t->fields[i].name, &sub)) {
            continue;
        }

        mark = out->len;

        if (!first) {
            um_buf_addc(out, ',');
        }

        um_buf_add(out, t->fields[i].key.data, t->fields[i].key.len);

        if (um_exec_write_tpl(x, t->fields[i].tpl, rec, out,
                              sub.n ? &sub : NULL, &res)
            != UM_OK)
        {
            return UM_ERR;
        }

        if (res == UM_W_NONE) {
            um_buf_truncate(out, mark);
            continue;
        }

        first = 0;
    }

    name.data = "remote_data";
    name.len = sizeof("remote_data") - 1;

    if (raw.len && x->remote_data
        && !(ex.n && um_exec_excluded(&ex, name, &sub)))
    {
        um_buf_add(out, first ? "\"remote_data\":" : ",\"remote_data\":",
                   first ? 14 : 15);
        um_json_minify(out, raw.data, raw.len);
    }

    um_buf_addc(out, '}');

    return UM_OK;
}


/*
 * 1 if the field `name` under ex->prefix is excluded.  Otherwise, when an
 * excluded path lies below the field, *sub is set up to write it (its
 * prefix is a slice of that path); else sub->n is 0.
 */

static int
um_exec_excluded(const um_excl_t *ex, um_str_t name, um_excl_t *sub)
{
    size_t           i, plen, flen;
    const um_str_t  *p;

    sub->n = 0;
    plen = ex->prefix.len;
    flen = plen ? plen + 1 + name.len : name.len;

    for (i = 0; i < ex->n; i++) {
        p = &ex->paths[i];

        if (p->len < flen
            || (plen && (memcmp(p->data, ex->prefix.data, plen) != 0
                         || p->data[plen] != '.'))
            || memcmp(p->data + flen - name.len, name.data, name.len) != 0)
        {
            continue;
        }

        if (p->len == flen) {
            return 1;
        }

        if (p->data[flen] == '.') {
            sub->paths = ex->paths;
            sub->n = ex->n;
            sub->prefix.data = p->data;
            sub->prefix.len = flen;
        }
    }

    return 0;
}


static int
um_exec_write_tpl(um_exec_t *x, const um_tpl_t *t, um_value_t ctx,
    um_buf_t *out, um_excl_t *ex, int *res)
{
    int          r, any, dyn;
    size_t       i, mark, imark;
    um_value_t   v;
    um_excl_t    sub;

    *res = UM_W_NONE;

    switch (t->type) {

    case UM_TPL_CONST:
        um_buf_add(out, t->json.data, t->json.len);
        *res = UM_W_CONST;
        return UM_OK;

    case UM_TPL_EXPR:
        if (um_exec_eval(x, t->expr, ctx, &v, "row") != UM_OK) {
            return UM_ERR;
        }

        if (v.type == UM_UNDEF || v.type == UM_NULL || v.type == UM_FUNC) {
            return UM_OK;
        }

        um_json_value(out, v, UM_JSON_OMIT_NULL);
        *res = UM_W_DYN;
        return UM_OK;

    case UM_TPL_OBJECT:
        mark = out->len;
        um_buf_addc(out, '{');
        any = 0;
        dyn = 0;

        for (i = 0; i < t->n; i++) {
            sub.n = 0;

            if (ex && um_exec_excluded(ex, t->fields[i].name, &sub)) {
                continue;
            }

            imark = out->len;

            if (any) {
                um_buf_addc(out, ',');
            }

            um_buf_add(out, t->fields[i].key.data, t->fields[i].key.len);

            if (um_exec_write_tpl(x, t->fields[i].tpl, ctx, out,
                                  sub.n ? &sub : NULL, &r)
                != UM_OK)
            {
                return UM_ERR;
            }

            if (r == UM_W_NONE) {
                um_buf_truncate(out, imark);
                continue;
            }

            any = 1;
            dyn |= (r == UM_W_DYN);
        }

        if (!any || (t->dynamic && !dyn)) {
            um_buf_truncate(out, mark);
            return UM_OK;
        }

        um_buf_addc(out, '}');
        *res = dyn ? UM_W_DYN : UM_W_CONST;
        return UM_OK;

    case UM_TPL_ARRAY:
        mark = out->len;
        um_buf_addc(out, '[');
        any = 0;
        dyn = 0;

        for (i = 0; i < t->n; i++) {
            imark = out->len;

            if (any) {
                um_buf_addc(out, ',');
            }

            /* the items of an array share its path for exclusions */

            if (um_exec_write_tpl(x, t->items[i], ctx, out, ex, &r)
                != UM_OK)
            {
                return UM_ERR;
            }

            if (r == UM_W_NONE) {
                um_buf_truncate(out, imark);
                continue;
            }

            any = 1;
            dyn |= (r == UM_W_DYN);
        }

        if (!any || (t->dynamic && !dyn)) {
            um_buf_truncate(out, mark);
            return UM_OK;
        }

        um_buf_addc(out, ']');
        *res = dyn ? UM_W_DYN : UM_W_CONST;
        return UM_OK;
    }

    return UM_OK;
}


/* truto_key_by: the row's value of that field, as the key of the row */

static int
um_exec_key(um_exec_t *x, const um_tpl_t *t, um_value_t rec, um_buf_t *out)
{
    int          res;
    size_t       i;
    um_buf_t     key;

    for (i = 0; i < t->n; i++) {
        if (t->fields[i].name.len == x->key_by.len
            && memcmp(t->fields[i].name.data, x->key_by.data,
                      x->key_by.len) == 0)
        {
            break;
        }
    }

    um_buf_init(&key, x->page_arena, 0);
    res = UM_W_NONE;

    if (i < t->n) {
        if (um_exec_write_tpl(x, t->fields[i].tpl, rec, &key, NULL, &res)
            != UM_OK)
        {
            return UM_ERR;
        }
    }

    if (res == UM_W_NONE) {
        um_buf_add(out, "\"\":", 3);
        return UM_OK;
    }

    if (key.len >= 2 && key.data[0] == '"') {
        /* a string: already quoted and escaped */
        um_buf_add(out, key.data, key.len);

    } else {
        um_json_str(out, key.data, key.len);
    }

    um_buf_addc(out, ':');

    return UM_OK;
}


int
um_exec_rate_limit(const um_provider_t *p, um_arena_t *a, um_value_t headers,
    um_str_t out[3])
{
    int          i;
    char        *num;
    um_eval_t    ev;
    um_value_t   v;
    um_error_t   err;

    ev.arena = a;
    ev.vars = NULL;
    ev.root = headers;
    ev.now = 0;
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
