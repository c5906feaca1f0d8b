/*
 * Introspection of a compiled method, for the meta endpoints
 * ({prefix}/{resource}/{provider}/meta/{method}) and the OpenAPI document.
 *
 * It runs once per method when the mappings are compiled and reads what
 * the mapping really does, not what it says: the unified fields are the
 * paths of the row templates, the query parameters are the $query.<name>
 * references of every expression of the method (lets, defaults, requests,
 * joins, rows, errors), so the answer cannot drift from the mapping.  The
 * meta answer itself is written here too, as JSON text, so the request
 * path only sends it.
 */

#include <string.h>

#include "um_json_out.h"
#include "um_mapping.h"
#include "um_schema.h"


#define UM_META_MAX_PATH  512


typedef struct {
    um_arena_t         *a;
    um_str_t           *items;
    size_t              n;
    size_t              cap;
    unsigned            failed:1;
} um_mlist_t;


typedef struct {
    um_mlist_t          params;
    unsigned            all_query:1;
    unsigned            limit:1;
} um_mreads_t;


static void um_meta_add(um_mlist_t *l, const char *s, size_t len);
static void um_meta_expr(um_mreads_t *r, const um_expr_t *e);
static void um_meta_tpl_exprs(um_mreads_t *r, const um_tpl_t *t);
static void um_meta_call_exprs(um_mreads_t *r, const um_callspec_t *c);
static void um_meta_fields(um_mlist_t *l, const um_tpl_t *t, char *path,
    size_t len);
static void um_meta_requests(um_buf_t *b, json_t *req, const char *join,
    int *first);
static void um_meta_strings(um_buf_t *b, const um_str_t *s, size_t n);


int
um_map_meta(um_arena_t *a, const um_provider_t *p, um_method_t *m,
    json_t *j, um_error_t *err)
{
    int                 first;
    char                path[UM_META_MAX_PATH];
    size_t              i;
    json_t             *v, *d;
    um_buf_t            b;
    um_meta_t          *meta;
    um_value_t          c;
    um_mlist_t          fields;
    um_mreads_t         r;
    const char         *key;
    const um_model_t   *model;
    const um_uparam_t  *up;

    meta = um_calloc(a, sizeof(um_meta_t));
    if (meta == NULL) {
        return um_error_set(err, 0, "out of memory");
    }

    memset(&fields, 0, sizeof(um_mlist_t));
    memset(&r, 0, sizeof(um_mreads_t));
    fields.a = a;
    r.params.a = a;

    /* the fields: every path of the row templates, in template order */

    for (i = 0; i < m->nrows; i++) {
        um_meta_fields(&fields, m->rows[i].row, path, 0);
    }

    if (!m->is_static) {
        um_meta_add(&fields, "remote_data", sizeof("remote_data") - 1);
    }

    /* the query parameters: defaults name some, expressions read others */

    for (i = 0; i < m->ndefaults; i++) {
        um_meta_add(&r.params, m->defaults[i].name.data,
                    m->defaults[i].name.len);
        um_meta_expr(&r, m->defaults[i].expr);
    }

    for (i = 0; i < m->nlets; i++) {
        um_meta_expr(&r, m->lets[i].expr);
    }

    for (i = 0; i < m->ncalls; i++) {
        um_meta_call_exprs(&r, &m->calls[i]);
    }

    for (i = 0; i < m->njoins; i++) {
        um_meta_call_exprs(&r, &m->joins[i].call);
        um_meta_expr(&r, m->joins[i].key);
    }

    um_meta_expr(&r, m->paging.next);

    for (i = 0; i < m->nrows && !m->is_static; i++) {
        um_meta_expr(&r, m->rows[i].each);
        um_meta_expr(&r, m->rows[i].group_by);
        um_meta_expr(&r, m->rows[i].when);
        um_meta_tpl_exprs(&r, m->rows[i].row);
    }

    um_meta_expr(&r, m->error_when);
    um_meta_expr(&r, m->error_message);

    /* the page size reaches a mapping as $limit */

    if (r.limit) {
        um_meta_add(&r.params, "limit", sizeof("limit") - 1);
    }

    if (fields.failed || r.params.failed) {
        return um_error_set(err, 0, "out of memory");
    }

    meta->fields = fields.items;
    meta->nfields = fields.n;
    meta->params = r.params.items;
    meta->nparams = r.params.n;
    meta->all_query = r.all_query;
    meta->limit = r.limit;

    /* the answer */

    model = um_model(m->resource);
    um_buf_init(&b, a, 0);

    um_buf_adds(&b, "\"resource\":");
    um_json_str(&b, model->name, strlen(model->name));
    um_buf_adds(&b, ",\"method\":");
    um_buf_adds(&b, m->op == UM_OP_GET ? "\"get\"" : "\"list\"");
    um_buf_adds(&b, ",\"provider\":");
    um_json_str(&b, p->name.data, p->name.len);

    if (p->label.len) {
        um_buf_adds(&b, ",\"provider_label\":");
        um_json_str(&b, p->label.data, p->label.len);
    }

    v = json_object_get(j, "description");
    if (json_is_string(v)) {
        meta->description.data = json_string_value(v);
        meta->description.len = json_string_length(v);
        um_buf_adds(&b, ",\"description\":");
        um_json_str(&b, json_string_value(v), json_string_length(v));
    }

    um_buf_adds(&b, m->is_static ? ",\"static\":true" : ",\"static\":false");

    um_buf_adds(&b, ",\"fields\":");
    um_meta_strings(&b, meta->fields, meta->nfields);

    um_buf_adds(&b, ",\"query_parameters\":");
    um_meta_strings(&b, meta->params, meta->nparams);

    if (meta->all_query) {
        /* a $query passed whole: any parameter may matter */
        um_buf_adds(&b, ",\"reads_any_query_parameter\":true");
    }

    /* defaults: the constant ones as values, all as their expressions */

    d = json_object_get(j, "defaults");

    um_buf_adds(&b, ",\"default_query\":{");

    for (i = 0; i < m->ndefaults; i++) {
        if (!um_expr_constant(m->defaults[i].expr, &c)
            || c.type == UM_UNDEF)
        {
            continue;
        }

        if (b.len && b.data[b.len - 1] != '{') {
            um_buf_addc(&b, ',');
        }

        um_json_str(&b, m->defaults[i].name.data, m->defaults[i].name.len);
        um_buf_addc(&b, ':');
        um_json_value(&b, c, 0);
    }

    um_buf_adds(&b, "},\"default_query_expressions\":{");

    first = 1;

    if (json_is_object(d)) {
        json_object_foreach(d, key, v) {
            if (!json_is_string(v)) {
                continue;
            }

            if (!first) {
                um_buf_addc(&b, ',');
            }

            um_json_str(&b, key, strlen(key));
            um_buf_addc(&b, ':');
            um_json_str(&b, json_string_value(v), json_string_length(v));
            first = 0;
        }
    }

    um_buf_addc(&b, '}');

    /* the provider endpoints it calls */

    um_buf_adds(&b, ",\"requests\":[");

    first = 1;

    if (!m->is_static) {
        um_meta_requests(&b, json_object_get(j, "request"), NULL, &first);

        d = json_object_get(j, "join");
        if (json_is_object(d)) {
            json_object_foreach(d, key, v) {
                um_meta_requests(&b, json_object_get(v, "request"), key,
                                 &first);
            }
        }
    }

    um_buf_addc(&b, ']');

    switch (m->paging.type) {
    case UM_PAGE_URL:
        um_buf_adds(&b, ",\"pagination\":\"url\"");
        break;
    case UM_PAGE_QUERY:
        um_buf_adds(&b, ",\"pagination\":\"query\"");
        break;
    case UM_PAGE_BODY:
        um_buf_adds(&b, ",\"pagination\":\"body\"");
        break;
    default:
        um_buf_adds(&b, ",\"pagination\":null");
        break;
    }

    /* the schemas: the model's, the part of it this mapping fills */

    um_buf_adds(&b, ",\"schema\":");
    um_schema_write(&b, model, NULL, 0, 0);

    um_buf_adds(&b, ",\"response_schema\":");
    um_schema_write(&b, model, meta->fields, meta->nfields, 1);

    um_buf_adds(&b, ",\"query_schema\":{\"type\":\"object\",\"properties\":{");

    for (i = 0; i < meta->nparams; i++) {
        if (i) {
            um_buf_addc(&b, ',');
        }

        um_json_str(&b, meta->params[i].data, meta->params[i].len);
        um_buf_addc(&b, ':');

        up = um_uparam_find(meta->params[i].data, meta->params[i].len);

        if (up) {
            /* the unified schema, its closing brace replaced */
            um_buf_add(&b, up->schema, strlen(up->schema) - 1);
            um_buf_adds(&b, ",\"description\":");
            um_json_str(&b, up->description, strlen(up->description));
            um_buf_addc(&b, '}');

        } else {
            um_buf_adds(&b, "{\"description\":\"Read by the mapping; "
                        "its meaning is the provider's.\"}");
        }
    }

    um_buf_adds(&b, "}}}");

    if (b.failed) {
        return um_error_set(err, 0, "out of memory");
    }

    meta->json.data = b.data;
    meta->json.len = b.len;
    m->meta = meta;

    return UM_OK;
}


/* a string set, in the order of first appearance */

static void
um_meta_add(um_mlist_t *l, const char *s, size_t len)
{
    size_t     i;
    char      *copy;
    um_str_t  *items;

    for (i = 0; i < l->n; i++) {
        if (l->items[i].len == len && memcmp(l->items[i].data, s, len) == 0) {
            return;
        }
    }

    if (l->n == l->cap) {
        items = um_alloc(l->a, (l->cap ? l->cap * 2 : 16) * sizeof(um_str_t));
        if (items == NULL) {
            l->failed = 1;
            return;
        }

        if (l->n) {
            memcpy(items, l->items, l->n * sizeof(um_str_t));
        }

        l->items = items;
        l->cap = l->cap ? l->cap * 2 : 16;
    }

    copy = um_strndup(l->a, s, len);
    if (copy == NULL) {
        l->failed = 1;
        return;
    }

    l->items[l->n].data = copy;
    l->items[l->n].len = len;
    l->n++;
}


static void
um_meta_param(void *data, const char *name, size_t len)
{
    um_meta_add(data, name, len);
}


static void
um_meta_expr(um_mreads_t *r, const um_expr_t *e)
{
    if (e == NULL) {
        return;
    }

    if (um_expr_refs(e, UM_VAR_QUERY, um_meta_param, &r->params)
        & UM_REF_WHOLE)
    {
        /* $query passed whole: any parameter may matter */
        r->all_query = 1;
    }

    if (um_expr_refs(e, UM_VAR_LIMIT, NULL, NULL)) {
        r->limit = 1;
    }
}


static void
um_meta_tpl_exprs(um_mreads_t *r, const um_tpl_t *t)
{
    size_t  i;

    if (t == NULL || !t->dynamic) {
        return;
    }

    switch (t->type) {

    case UM_TPL_EXPR:
        um_meta_expr(r, t->expr);
        break;

    case UM_TPL_OBJECT:
        for (i = 0; i < t->n; i++) {
            um_meta_tpl_exprs(r, t->fields[i].tpl);
        }
        break;

    case UM_TPL_ARRAY:
        for (i = 0; i < t->n; i++) {
            um_meta_tpl_exprs(r, t->items[i]);
        }
        break;

    default:
        break;
    }
}


static void
um_meta_call_exprs(um_mreads_t *r, const um_callspec_t *c)
{
    size_t  i;

    um_meta_expr(r, c->when);

    for (i = 0; i < c->npath; i++) {
        um_meta_expr(r, c->path[i].expr);
    }

    for (i = 0; i < c->nquery; i++) {
        um_meta_expr(r, c->query[i].expr);
    }

    um_meta_tpl_exprs(r, c->body);
}


/*
 * The unified field paths of a row template: a member holding an object
 * template is a prefix, anything else (an expression, a constant, an array
 * of values) fills the path itself; array items are transparent, as in
 * truto_exclude_fields.
 */

static void
um_meta_fields(um_mlist_t *l, const um_tpl_t *t, char *path, size_t len)
{
    size_t     i, n;
    um_tpl_t  *item;

    if (t == NULL) {
        return;
    }

    switch (t->type) {

    case UM_TPL_OBJECT:
        if (t->n == 0 && len) {
            um_meta_add(l, path, len);
            return;
        }

        for (i = 0; i < t->n; i++) {
            n = t->fields[i].name.len;

            if (len + 1 + n >= UM_META_MAX_PATH) {
                continue;
            }

            if (len) {
                path[len] = '.';
            }

            memcpy(path + len + (len ? 1 : 0), t->fields[i].name.data, n);
            um_meta_fields(l, t->fields[i].tpl, path, len + (len ? 1 : 0) + n);
        }

        return;

    case UM_TPL_ARRAY:
        for (i = 0; i < t->n; i++) {
            item = t->items[i];

            if (item->type == UM_TPL_OBJECT || item->type == UM_TPL_ARRAY) {
                um_meta_fields(l, item, path, len);

            } else if (len) {
                um_meta_add(l, path, len);
            }
        }

        if (t->n == 0 && len) {
            um_meta_add(l, path, len);
        }

        return;

    default:
        if (len) {
            um_meta_add(l, path, len);
        }

        return;
    }
}


/* "request" (one or an array), as written in the mapping */

static void
um_meta_requests(um_buf_t *b, json_t *req, const char *join, int *first)
{
    size_t       i, n;
    json_t      *c, *v, *q;
    const char  *key;

    n = json_is_array(req) ? json_array_size(req) : 1;

    for (i = 0; i < n; i++) {
        c = json_is_array(req) ? json_array_get(req, i) : req;

        if (!json_is_object(c)) {
            continue;
        }

        if (!*first) {
            um_buf_addc(b, ',');
        }

        *first = 0;

        um_buf_adds(b, "{\"method\":");
        v = json_object_get(c, "method");

        if (json_is_string(v)) {
            um_json_str(b, json_string_value(v), json_string_length(v));

        } else {
            um_buf_adds(b, "\"GET\"");
        }

        v = json_object_get(c, "path");
        if (json_is_string(v)) {
            um_buf_adds(b, ",\"path\":");
            um_json_str(b, json_string_value(v), json_string_length(v));
        }

        um_buf_adds(b, ",\"query\":[");
        q = json_object_get(c, "query");

        if (json_is_object(q)) {
            json_object_foreach(q, key, v) {
                if (b->len && b->data[b->len - 1] != '[') {
                    um_buf_addc(b, ',');
                }

                um_json_str(b, key, strlen(key));
            }
        }

        um_buf_addc(b, ']');

        if (json_object_get(c, "body")) {
            um_buf_adds(b, ",\"body\":true");
        }

        if (json_object_get(c, "when")) {
            /* made only for some requests */
            um_buf_adds(b, ",\"conditional\":true");
        }

        if (join) {
            um_buf_adds(b, ",\"join\":");
            um_json_str(b, join, strlen(join));
        }

        um_buf_addc(b, '}');
    }
}


static void
um_meta_strings(um_buf_t *b, const um_str_t *s, size_t n)
{
    size_t  i;

    um_buf_addc(b, '[');

    for (i = 0; i < n; i++) {
        if (i) {
            um_buf_addc(b, ',');
        }

        um_json_str(b, s[i].data, s[i].len);
    }

    um_buf_addc(b, ']');
}
