/*
 * The mapping compiler: mappings/<provider>.json into um_provider_t.
 *
 * Runs at configuration load only.  Files are read first, grouped by
 * provider and merged in the order they were read (a later directory's
 * file overrides an earlier one's fields, RFC 7386), then compiled.  Every
 * mistake is reported with the file, the line and column of the offending
 * value and its JSON path, so that "nginx -t" points at it; an expression
 * error points at the character inside the expression.
 */

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "um_json_out.h"
#include "um_json_scan.h"
#include "um_mapping.h"


#define UM_MC_MAX_DEPTH    32
#define UM_MC_MAX_LETS     32
#define UM_MC_MAX_SOURCES  16
#define UM_MC_MAX_FILE     (4 * 1024 * 1024)


struct um_source_s {
    um_source_t        *next;
    char               *file;
    char               *text;
    size_t              len;
    json_t             *root;
    const char         *provider;
    unsigned            dir;
};


typedef struct {
    const char         *key;        /* NULL: an array index */
    size_t              index;
} um_mc_step_t;


typedef struct {
    um_registry_t      *reg;
    um_arena_t         *a;
    um_error_t         *err;

    /* the files the provider comes from, base first */
    um_source_t        *sources[UM_MC_MAX_SOURCES];
    size_t              nsources;

    /* the file of the value being compiled, for positions */
    const char         *file;
    const char         *text;
    size_t              len;

    um_mc_step_t        path[UM_MC_MAX_DEPTH];
    int                 depth;

    const char         *names[UM_VAR_N + UM_MC_MAX_LETS + UM_MAX_JOINS];
    um_scope_t          scope;
} um_mc_t;


static int um_mc_provider(um_mc_t *mc, json_t *root, um_provider_t *p);
static int um_mc_errors(um_mc_t *mc, json_t *j, um_expr_t **when,
    um_expr_t **message);
static int um_mc_rate_limit(um_mc_t *mc, json_t *j, um_provider_t *p);
static int um_mc_method(um_mc_t *mc, json_t *j, um_method_t *m);
static int um_mc_bindings(um_mc_t *mc, json_t *j, um_let_t **out,
    size_t *n, int add);
static int um_mc_requests(um_mc_t *mc, json_t *j, um_method_t *m);
static int um_mc_path_literal(um_mc_t *mc, const char *s, size_t start,
    size_t end, int last);
static int um_mc_callspec(um_mc_t *mc, json_t *j, um_callspec_t *c,
    int allow_when);
static int um_mc_joins(um_mc_t *mc, json_t *j, um_method_t *m);
static int um_mc_paging(um_mc_t *mc, json_t *j, um_method_t *m);
static int um_mc_rowspecs(um_mc_t *mc, json_t *j, um_method_t *m);
static int um_mc_rowspec(um_mc_t *mc, json_t *j, um_rowspec_t *rs);
static int um_mc_static(um_mc_t *mc, json_t *j, um_method_t *m);
static int um_mc_path(um_mc_t *mc, json_t *j, um_str_t **keys, size_t *n);
static int um_mc_dotted(um_mc_t *mc, const char *s, size_t len,
    um_str_t **keys, size_t *n);
static um_tpl_t *um_mc_tpl(um_mc_t *mc, json_t *j, int is_static);
static um_expr_t *um_mc_expr(um_mc_t *mc, json_t *j);
static um_expr_t *um_mc_expr_text(um_mc_t *mc, const char *s, size_t len,
    size_t offset);
static int um_mc_name(um_mc_t *mc, const char *key);
static int um_mc_keys(um_mc_t *mc, json_t *obj, const char **allowed);
static int um_mc_str(um_mc_t *mc, json_t *j, um_str_t *out);
static int um_mc_error(um_mc_t *mc, size_t offset, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
static void um_mc_push_key(um_mc_t *mc, const char *key);
static void um_mc_push_index(um_mc_t *mc, size_t index);
static void um_mc_pop(um_mc_t *mc);
static void um_mc_source_of_path(um_mc_t *mc);
static int um_mc_locate(um_mc_t *mc, size_t offset, size_t *line,
    size_t *col);
static void um_mc_path_text(um_mc_t *mc, char *buf, size_t size);
static int um_mc_read(const char *file, um_arena_t *a, char **text,
    size_t *len, um_error_t *err);
static json_t *um_mc_merge(json_t *target, json_t *patch);
static void um_mc_json_decref(void *data);


static const char  *um_ops[UM_OP_N] = { "list", "get" };

static const char  *um_fixed_vars[UM_VAR_N] = {
    "query", "account", "id", "limit", "cursor", "headers", "record", "group"
};


um_registry_t *
um_registry_create(um_arena_t *a)
{
    um_registry_t  *reg;

    reg = um_calloc(a, sizeof(um_registry_t));
    if (reg == NULL) {
        return NULL;
    }

    reg->arena = a;

    return reg;
}


const um_provider_t *
um_registry_find(const um_registry_t *reg, const char *name, size_t len)
{
    size_t  i;

    for (i = 0; i < reg->n; i++) {
        if (reg->providers[i]->name.len == len
            && memcmp(reg->providers[i]->name.data, name, len) == 0)
        {
            return reg->providers[i];
        }
    }

    return NULL;
}


static int
um_mc_name_cmp(const void *a, const void *b)
{
    return strcmp(*(char * const *) a, *(char * const *) b);
}


int
um_registry_load_dir(um_registry_t *reg, const char *dir, um_error_t *err)
{
    int             rc;
    DIR            *d;
    char          **names, **nn, path[4096];
    size_t          n, cap, i, len;
    struct dirent  *de;

    d = opendir(dir);
    if (d == NULL) {
        return um_error_set(err, 0, "cannot open the mappings directory "
                            "\"%s\": %s", dir, strerror(errno));
    }

    names = NULL;
    n = 0;
    cap = 0;
    rc = UM_OK;
    reg->dirs++;

    while ((de = readdir(d)) != NULL) {
        len = strlen(de->d_name);

        if (len < 6 || de->d_name[0] == '.'
            || strcmp(de->d_name + len - 5, ".json") != 0)
        {
            continue;
        }

        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            nn = realloc(names, cap * sizeof(char *));
            if (nn == NULL) {
                rc = um_error_set(err, 0, "out of memory");
                goto done;
            }

            names = nn;
        }

        names[n] = strdup(de->d_name);
        if (names[n] == NULL) {
            rc = um_error_set(err, 0, "out of memory");
            goto done;
        }

        n++;
    }

    /* a stable order, so that the same files always give the same result */

    if (n) {
        qsort(names, n, sizeof(char *), um_mc_name_cmp);
    }

    for (i = 0; i < n; i++) {
        if ((size_t) snprintf(path, sizeof(path), "%s/%s", dir, names[i])
            >= sizeof(path))
        {
            rc = um_error_set(err, 0, "path too long: \"%s/%s\"", dir,
                              names[i]);
            goto done;
        }

        rc = um_registry_load_file(reg, path, err);
        if (rc != UM_OK) {
            goto done;
        }
    }

done:

    for (i = 0; i < n; i++) {
        free(names[i]);
    }

    free(names);
    closedir(d);

    return rc;
}


int
um_registry_load_file(um_registry_t *reg, const char *file, um_error_t *err)
{
    char          *text;
    size_t         len;
    json_t        *root, *prov;
    um_source_t   *src, *s;
    json_error_t   jerr;

    text = NULL;
    len = 0;

    if (um_mc_read(file, reg->arena, &text, &len, err) != UM_OK) {
        return UM_ERR;
    }

    root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL) {
        um_error_set(err, 0, "%s:%d:%d: %s", file, jerr.line, jerr.column,
                     jerr.text);
        err->line = (size_t) jerr.line;
        err->col = (size_t) jerr.column;
        return UM_ERR;
    }

    if (um_arena_cleanup_add(reg->arena, um_mc_json_decref, root) != 0) {
        json_decref(root);
        return um_error_set(err, 0, "out of memory");
    }

    prov = json_is_object(root) ? json_object_get(root, "provider") : NULL;

    if (!json_is_string(prov) || json_string_length(prov) == 0) {
        return um_error_set(err, 0, "%s: a mapping file is an object with "
                            "\"provider\", the slug accounts use", file);
    }

    /* two files of one directory for the same provider is a mistake */

    for (s = reg->sources; s; s = s->next) {
        if (s->dir == reg->dirs && strcmp(s->provider,
                                           json_string_value(prov)) == 0)
        {
            return um_error_set(err, 0, "%s: provider \"%s\" is already "
                                "defined in %s", file, s->provider, s->file);
        }
    }

    src = um_calloc(reg->arena, sizeof(um_source_t));
    if (src == NULL) {
        return um_error_set(err, 0, "out of memory");
    }

    src->file = um_strndup(reg->arena, file, strlen(file));
    src->text = text;
    src->len = len;
    src->root = root;
    src->provider = json_string_value(prov);
    src->dir = reg->dirs;

    if (src->file == NULL) {
        return um_error_set(err, 0, "out of memory");
    }

    if (reg->last) {
        reg->last->next = src;

    } else {
        reg->sources = src;
    }

    reg->last = src;

    return UM_OK;
}


int
um_registry_compile(um_registry_t *reg, um_error_t *err)
{
    size_t          i;
    json_t         *merged;
    um_mc_t         mc;
    um_source_t    *s, *t;
    um_provider_t  *p, **list;

    for (s = reg->sources; s; s = s->next) {

        if (um_registry_find(reg, s->provider, strlen(s->provider))) {
            continue;
        }

        memset(&mc, 0, sizeof(um_mc_t));
        mc.reg = reg;
        mc.a = reg->arena;
        mc.err = err;

        /* the first file of the provider, then its overrides in order */

        for (t = s; t; t = t->next) {
            if (strcmp(t->provider, s->provider) != 0) {
                continue;
            }

            if (mc.nsources == UM_MC_MAX_SOURCES) {
                return um_error_set(err, 0, "%s: too many files for "
                                    "provider \"%s\"", t->file, t->provider);
            }

            mc.sources[mc.nsources++] = t;
        }

        merged = json_deep_copy(s->root);
        if (merged == NULL
            || um_arena_cleanup_add(reg->arena, um_mc_json_decref, merged)
               != 0)
        {
            json_decref(merged);
            return um_error_set(err, 0, "out of memory");
        }

        for (i = 1; i < mc.nsources; i++) {
            if (um_mc_merge(merged, mc.sources[i]->root) != merged) {
                return um_error_set(err, 0, "out of memory");
            }
        }

        p = um_calloc(reg->arena, sizeof(um_provider_t));
        if (p == NULL) {
            return um_error_set(err, 0, "out of memory");
        }

        p->file.data = s->file;
        p->file.len = strlen(s->file);

        if (um_mc_provider(&mc, merged, p) != UM_OK) {
            return UM_ERR;
        }

        list = um_alloc(reg->arena, (reg->n + 1) * sizeof(um_provider_t *));
        if (list == NULL) {
            return um_error_set(err, 0, "out of memory");
        }

        if (reg->n) {
            memcpy(list, reg->providers, reg->n * sizeof(um_provider_t *));
        }

        list[reg->n++] = p;
        reg->providers = list;
    }

    return UM_OK;
}


/* RFC 7386: objects merge member by member, null removes, else replaces */

static json_t *
um_mc_merge(json_t *target, json_t *patch)
{
    json_t      *v, *t, *m;
    const char  *key;

    if (!json_is_object(patch) || !json_is_object(target)) {
        return patch;
    }

    json_object_foreach(patch, key, v) {
        if (json_is_null(v)) {
            json_object_del(target, key);
            continue;
        }

        t = json_object_get(target, key);

        if (json_is_object(v)) {
            if (!json_is_object(t)) {
                t = json_object();
                if (t == NULL || json_object_set_new(target, key, t) != 0) {
                    return NULL;
                }
            }

            if (um_mc_merge(t, v) != t) {
                return NULL;
            }

            continue;
        }

        m = json_deep_copy(v);
        if (m == NULL || json_object_set_new(target, key, m) != 0) {
            return NULL;
        }
    }

    return target;
}


static int
um_mc_provider(um_mc_t *mc, json_t *root, um_provider_t *p)
{
    int          res, op;
    size_t       i;
    json_t      *j, *r, *mj, *v;
    const char  *key;
    um_method_t *m;

    static const char  *top[] = {
        "provider", "label", "description", "account", "errors",
        "rate_limit", "resources", NULL
    };
    static const char  *res_keys[] = {
        "description", "list", "get", NULL
    };

    if (um_mc_keys(mc, root, top) != UM_OK) {
        return UM_ERR;
    }

    j = json_object_get(root, "provider");
    um_mc_push_key(mc, "provider");

    if (um_mc_str(mc, j, &p->name) != UM_OK) {
        return UM_ERR;
    }

    for (i = 0; i < p->name.len; i++) {
        if (!((p->name.data[i] >= 'a' && p->name.data[i] <= 'z')
              || (p->name.data[i] >= '0' && p->name.data[i] <= '9')
              || p->name.data[i] == '_' || p->name.data[i] == '-'))
        {
            return um_mc_error(mc, 0, "a provider slug is made of a-z, 0-9, "
                               "\"-\" and \"_\"");
        }
    }

    um_mc_pop(mc);

    j = json_object_get(root, "label");
    if (j) {
        um_mc_push_key(mc, "label");
        if (um_mc_str(mc, j, &p->label) != UM_OK) {
            return UM_ERR;
        }
        um_mc_pop(mc);
    }

    /* account: { "params": ["org_id"] } */

    j = json_object_get(root, "account");
    if (j) {
        static const char  *acc_keys[] = { "params", "description", NULL };

        um_mc_push_key(mc, "account");

        if (!json_is_object(j)) {
            return um_mc_error(mc, 0, "\"account\" is an object");
        }

        if (um_mc_keys(mc, j, acc_keys) != UM_OK) {
            return UM_ERR;
        }

        v = json_object_get(j, "params");
        if (v) {
            um_mc_push_key(mc, "params");

            if (!json_is_array(v)) {
                return um_mc_error(mc, 0, "a list of parameter names");
            }

            p->naccount_params = json_array_size(v);
            p->account_params = um_calloc(mc->a, (p->naccount_params + 1)
                                                 * sizeof(um_str_t));
            if (p->account_params == NULL) {
                return um_error_set(mc->err, 0, "out of memory");
            }

            for (i = 0; i < p->naccount_params; i++) {
                um_mc_push_index(mc, i);
                if (um_mc_str(mc, json_array_get(v, i), &p->account_params[i])
                    != UM_OK)
                {
                    return UM_ERR;
                }
                um_mc_pop(mc);
            }

            um_mc_pop(mc);
        }

        um_mc_pop(mc);
    }

    /* errors and rate limits see the provider's body or headers only */

    mc->scope.names = mc->names;
    mc->scope.n = 0;

    j = json_object_get(root, "errors");
    if (j) {
        um_mc_push_key(mc, "errors");
        if (um_mc_errors(mc, j, &p->error_when, &p->error_message) != UM_OK) {
            return UM_ERR;
        }
        um_mc_pop(mc);
    }

    if (um_mc_rate_limit(mc, json_object_get(root, "rate_limit"), p)
        != UM_OK)
    {
        return UM_ERR;
    }

    j = json_object_get(root, "resources");
    um_mc_push_key(mc, "resources");

    if (!json_is_object(j)) {
        mc->depth--;
        return um_mc_error(mc, 0, "\"resources\" (an object of resources) "
                           "is required");
    }

    json_object_foreach(j, key, r) {
        um_mc_push_key(mc, key);

        res = um_resource_find(key, strlen(key));
        if (res < 0) {
            return um_mc_error(mc, 0, "unknown resource \"%s\"; resources "
                               "are organizations, products, usage, "
                               "workspaces and users", key);
        }

        if (!json_is_object(r)) {
            return um_mc_error(mc, 0, "a resource is an object of methods "
                               "(list, get)");
        }

        if (um_mc_keys(mc, r, res_keys) != UM_OK) {
            return UM_ERR;
        }

        for (op = 0; op < UM_OP_N; op++) {
            mj = json_object_get(r, um_ops[op]);
            if (mj == NULL) {
                continue;
            }

            um_mc_push_key(mc, um_ops[op]);

            m = um_calloc(mc->a, sizeof(um_method_t));
            if (m == NULL) {
                return um_error_set(mc->err, 0, "out of memory");
            }

            m->resource = res;
            m->op = op;

            if (um_mc_method(mc, mj, m) != UM_OK
                || um_map_rows(mc->a, m, mc->err) != UM_OK
                || um_map_meta(mc->a, p, m, mj, mc->err) != UM_OK)
            {
                return UM_ERR;
            }

            p->methods[res][op] = m;
            um_mc_pop(mc);
        }

        um_mc_pop(mc);
    }

    um_mc_pop(mc);

    return UM_OK;
}


/* errors: { "when": <a 2xx body that is an error>, "message": <its text> } */

static int
um_mc_errors(um_mc_t *mc, json_t *j, um_expr_t **when, um_expr_t **message)
{
    json_t  *v;

    static const char  *keys[] = { "when", "message", "description", NULL };

    if (!json_is_object(j)) {
        return um_mc_error(mc, 0, "\"errors\" is an object of when and "
                           "message expressions");
    }

    if (um_mc_keys(mc, j, keys) != UM_OK) {
        return UM_ERR;
    }

    v = json_object_get(j, "when");
    if (v) {
        um_mc_push_key(mc, "when");
        *when = um_mc_expr(mc, v);
        if (*when == NULL) {
            return UM_ERR;
        }
        um_mc_pop(mc);
    }

    v = json_object_get(j, "message");
    if (v) {
        um_mc_push_key(mc, "message");
        *message = um_mc_expr(mc, v);
        if (*message == NULL) {
            return UM_ERR;
        }
        um_mc_pop(mc);
    }

    return UM_OK;
}


/*
 * rate_limit: { "limit": expr, "remaining": expr, "reset": expr } over the
 * provider's response headers.  Without it, the common x-ratelimit-* and
 * ratelimit-* names are read.
 */

static int
um_mc_rate_limit(um_mc_t *mc, json_t *j, um_provider_t *p)
{
    int          i;
    json_t      *v;
    const char  *text;

    static const char  *keys[] = { "limit", "remaining", "reset",
                                   "description", NULL };
    static const char  *defaults[] = {
        "$exists(`ratelimit-limit`) ? `ratelimit-limit` : `x-ratelimit-limit`",
        "$exists(`ratelimit-remaining`) ? `ratelimit-remaining`"
            " : `x-ratelimit-remaining`",
        "$exists(`ratelimit-reset`) ? `ratelimit-reset` : `x-ratelimit-reset`"
    };

    if (j == NULL) {
        for (i = 0; i < 3; i++) {
            text = defaults[i];
            p->rate_limit[i] = um_mc_expr_text(mc, text, strlen(text), 0);
            if (p->rate_limit[i] == NULL) {
                return UM_ERR;
            }
        }

        return UM_OK;
    }

    um_mc_push_key(mc, "rate_limit");

    if (!json_is_object(j)) {
        return um_mc_error(mc, 0, "\"rate_limit\" is an object of limit, "
                           "remaining and reset expressions");
    }

    if (um_mc_keys(mc, j, keys) != UM_OK) {
        return UM_ERR;
    }

    for (i = 0; i < 3; i++) {
        v = json_object_get(j, keys[i]);
        if (v == NULL) {
            continue;
        }

        um_mc_push_key(mc, keys[i]);
        p->rate_limit[i] = um_mc_expr(mc, v);
        if (p->rate_limit[i] == NULL) {
            return UM_ERR;
        }
        um_mc_pop(mc);
    }

    um_mc_pop(mc);

    return UM_OK;
}


static int
um_mc_method(um_mc_t *mc, json_t *j, um_method_t *m)
{
    char     buf[256];
    size_t   i;
    json_t  *v;

    static const char  *keys[] = {
        "description", "static", "defaults", "let", "request", "join",
        "pagination", "records", "row", "rows", "errors", NULL
    };

    if (!json_is_object(j)) {
        return um_mc_error(mc, 0, "a method is an object");
    }

    if (um_mc_keys(mc, j, keys) != UM_OK) {
        return UM_ERR;
    }

    um_mc_path_text(mc, buf, sizeof(buf));
    m->where.data = um_strndup(mc->a, buf, strlen(buf));
    m->where.len = strlen(buf);

    if (m->where.data == NULL) {
        return um_error_set(mc->err, 0, "out of memory");
    }

    v = json_object_get(j, "static");
    if (v) {
        if (json_object_size(j) > 1 + (json_object_get(j, "description")
                                       != NULL))
        {
            return um_mc_error(mc, 0, "a static method has only \"static\" "
                               "(and \"description\")");
        }

        um_mc_push_key(mc, "static");
        if (um_mc_static(mc, v, m) != UM_OK) {
            return UM_ERR;
        }
        um_mc_pop(mc);

        return UM_OK;
    }

    /* the scope: the fixed variables, then the lets, then the joins */

    for (i = 0; i < UM_VAR_N; i++) {
        mc->names[i] = um_fixed_vars[i];
    }

    mc->scope.names = mc->names;
    mc->scope.n = UM_VAR_N;

    v = json_object_get(j, "defaults");
    if (v) {
        um_mc_push_key(mc, "defaults");
        if (um_mc_bindings(mc, v, &m->defaults, &m->ndefaults, 0) != UM_OK) {
            return UM_ERR;
        }
        um_mc_pop(mc);
    }

    v = json_object_get(j, "let");
    if (v) {
        um_mc_push_key(mc, "let");
        if (um_mc_bindings(mc, v, &m->lets, &m->nlets, 1) != UM_OK) {
            return UM_ERR;
        }
        um_mc_pop(mc);
    }

    v = json_object_get(j, "request");
    um_mc_push_key(mc, "request");

    if (v == NULL) {
        mc->depth--;
        return um_mc_error(mc, 0, "a method needs \"request\" (or "
                           "\"static\")");
    }

    if (um_mc_requests(mc, v, m) != UM_OK) {
        return UM_ERR;
    }

    um_mc_pop(mc);

    v = json_object_get(j, "join");
    if (v) {
        um_mc_push_key(mc, "join");
        if (um_mc_joins(mc, v, m) != UM_OK) {
            return UM_ERR;
        }
        um_mc_pop(mc);
    }

    v = json_object_get(j, "pagination");
    if (v) {
        um_mc_push_key(mc, "pagination");

        if (m->op == UM_OP_GET) {
            return um_mc_error(mc, 0, "a get has no pagination");
        }

        if (um_mc_paging(mc, v, m) != UM_OK) {
            return UM_ERR;
        }
        um_mc_pop(mc);
    }

    v = json_object_get(j, "records");
    if (v) {
        um_mc_push_key(mc, "records");
        if (um_mc_path(mc, v, &m->records, &m->nrecords) != UM_OK) {
            return UM_ERR;
        }
        um_mc_pop(mc);
    }

    v = json_object_get(j, "errors");
    if (v) {
        um_mc_push_key(mc, "errors");
        if (um_mc_errors(mc, v, &m->error_when, &m->error_message) != UM_OK) {
            return UM_ERR;
        }
        um_mc_pop(mc);
    }

    return um_mc_rowspecs(mc, j, m);
}


/*
 * "defaults" and "let": objects of name: expression.  A let binds $name
 * for what follows it; a default fills $query.name when the client did not
 * give it.
 */

static int
um_mc_bindings(um_mc_t *mc, json_t *j, um_let_t **out, size_t *n, int add)
{
    size_t       count;
    json_t      *e;
    um_let_t    *b;
    const char  *key;

    if (!json_is_object(j)) {
        return um_mc_error(mc, 0, "an object of name: expression");
    }

    count = json_object_size(j);
    if (count > UM_MC_MAX_LETS) {
        return um_mc_error(mc, 0, "at most %d names", UM_MC_MAX_LETS);
    }

    b = um_calloc(mc->a, (count + 1) * sizeof(um_let_t));
    if (b == NULL) {
        return um_error_set(mc->err, 0, "out of memory");
    }

    *out = b;
    *n = 0;

    json_object_foreach(j, key, e) {
        um_mc_push_key(mc, key);

        if (add && um_mc_name(mc, key) != UM_OK) {
            return UM_ERR;
        }

        b[*n].expr = um_mc_expr(mc, e);
        if (b[*n].expr == NULL) {
            return UM_ERR;
        }

        b[*n].name.data = key;
        b[*n].name.len = strlen(key);
        (*n)++;

        if (add) {
            mc->names[mc->scope.n++] = key;
        }

        um_mc_pop(mc);
    }

    return UM_OK;
}


/* a new variable name: an identifier not already in the scope */

static int
um_mc_name(um_mc_t *mc, const char *key)
{
    size_t  i;

    for (i = 0; key[i]; i++) {
        if (!((key[i] >= 'a' && key[i] <= 'z')
              || (key[i] >= 'A' && key[i] <= 'Z')
              || (key[i] >= '0' && key[i] <= '9' && i > 0)
              || key[i] == '_'))
        {
            return um_mc_error(mc, 0, "\"%s\" is not a variable name", key);
        }
    }

    if (i == 0) {
        return um_mc_error(mc, 0, "an empty variable name");
    }

    for (i = 0; i < mc->scope.n; i++) {
        if (strcmp(mc->names[i], key) == 0) {
            return um_mc_error(mc, 0, "$%s is already defined", key);
        }
    }

    if (mc->scope.n == sizeof(mc->names) / sizeof(mc->names[0])) {
        return um_mc_error(mc, 0, "too many variables");
    }

    return UM_OK;
}


/* "request": one call, or an array of calls, each made "when" it applies */

static int
um_mc_requests(um_mc_t *mc, json_t *j, um_method_t *m)
{
    size_t   i;
    json_t  *c;

    if (json_is_object(j)) {
        m->ncalls = 1;
        return um_mc_callspec(mc, j, &m->calls[0], 0);
    }

    if (!json_is_array(j) || json_array_size(j) == 0
        || json_array_size(j) > UM_MAX_REQUESTS)
    {
        return um_mc_error(mc, 0, "\"request\" is an object, or an array of "
                           "1 to %d objects", UM_MAX_REQUESTS);
    }

    json_array_foreach(j, i, c) {
        um_mc_push_index(mc, i);

        if (um_mc_callspec(mc, c, &m->calls[i], 1) != UM_OK) {
            return UM_ERR;
        }

        um_mc_pop(mc);
    }

    m->ncalls = json_array_size(j);

    return UM_OK;
}


/*
 * The text [start, end) of a provider path, between its {expression}s
 * (last: it ends the path): nothing that would address something else
 * once nginx escapes and proxies it, as the executor checks the values it
 * puts in (um_exec_string): no control character, "\\", "?" or "#" (the
 * query is "query"), no "." or ".." segment.
 */

static int
um_mc_path_literal(um_mc_t *mc, const char *s, size_t start, size_t end,
    int last)
{
    size_t  i, seg;

    for (i = start; i < end; i++) {
        if ((unsigned char) s[i] < 0x20 || s[i] == 0x7f || s[i] == '\\'
            || s[i] == '?' || s[i] == '#')
        {
            return um_mc_error(mc, i, "the path holds a control character, "
                               "\"\\\", \"?\" or \"#\" (the query is "
                               "\"query\")");
        }

        if (s[i] != '/' || i + 1 >= end || s[i + 1] != '.') {
            continue;
        }

        seg = (i + 2 < end && s[i + 2] == '.') ? 2 : 1;

        if ((i + 1 + seg < end && s[i + 1 + seg] == '/')
            || (i + 1 + seg == end && last))
        {
            return um_mc_error(mc, i + 1, "the path holds a \".\" or "
                               "\"..\" segment");
        }
    }

    return UM_OK;
}


static int
um_mc_callspec(um_mc_t *mc, json_t *j, um_callspec_t *c, int allow_when)
{
    size_t       n, i, start, depth, k;
    json_t      *v, *e;
    um_str_t     path;
    um_part_t   *parts;
    const char  *key, *s;

    static const char  *keys[] = {
        "method", "path", "query", "body", "when", "description", NULL
    };

    if (!json_is_object(j)) {
        return um_mc_error(mc, 0, "a request is an object");
    }

    if (um_mc_keys(mc, j, keys) != UM_OK) {
        return UM_ERR;
    }

    c->http_method.data = "GET";
    c->http_method.len = 3;
    path.data = NULL;
    path.len = 0;

    v = json_object_get(j, "when");
    if (v) {
        um_mc_push_key(mc, "when");

        if (!allow_when) {
            return um_mc_error(mc, 0, "\"when\" chooses among several "
                               "requests; make \"request\" an array");
        }

        c->when = um_mc_expr(mc, v);
        if (c->when == NULL) {
            return UM_ERR;
        }

        um_mc_pop(mc);
    }

    v = json_object_get(j, "method");
    if (v) {
        um_mc_push_key(mc, "method");

        if (um_mc_str(mc, v, &c->http_method) != UM_OK) {
            return UM_ERR;
        }

        if (!um_str_eq(c->http_method, "GET")
            && !um_str_eq(c->http_method, "POST"))
        {
            return um_mc_error(mc, 0, "the method is \"GET\" or \"POST\"");
        }

        um_mc_pop(mc);
    }

    /* "path": "/org/v2/environments/{$id}": text with {expression}s */

    v = json_object_get(j, "path");
    um_mc_push_key(mc, "path");

    if (v == NULL) {
        mc->depth--;
        return um_mc_error(mc, 0, "\"path\" is required");
    }

    if (um_mc_str(mc, v, &path) != UM_OK) {
        return UM_ERR;
    }

    if (path.len == 0 || path.data[0] != '/') {
        return um_mc_error(mc, 0, "the path starts with \"/\"");
    }

    s = path.data;
    n = path.len;
    parts = um_calloc(mc->a, (n + 1) * sizeof(um_part_t));
    if (parts == NULL) {
        return um_error_set(mc->err, 0, "out of memory");
    }

    k = 0;
    start = 0;

    for (i = 0; i < n; i++) {
        if (s[i] == '}') {
            return um_mc_error(mc, i, "unbalanced \"}\" in the path");
        }

        if (s[i] != '{') {
            continue;
        }

        if (i > start) {
            if (um_mc_path_literal(mc, s, start, i, 0) != UM_OK) {
                return UM_ERR;
            }

            parts[k].type = UM_PART_TEXT;
            parts[k].text.data = s + start;
            parts[k].text.len = i - start;
            k++;
        }

        /* the matching brace, skipping strings */

        depth = 1;
        start = i + 1;

        for (i++; i < n && depth; i++) {
            if (s[i] == '"' || s[i] == '\'') {
                char  q = s[i];

                for (i++; i < n && s[i] != q; i++) {
                    if (s[i] == '\\') {
                        i++;
                    }
                }

                continue;
            }

            depth += (s[i] == '{') - (s[i] == '}');
        }

        if (depth) {
            return um_mc_error(mc, start - 1, "unbalanced \"{\" in the path");
        }

        parts[k].type = UM_PART_EXPR;
        parts[k].expr = um_mc_expr_text(mc, s + start, i - 1 - start, start);
        if (parts[k].expr == NULL) {
            return UM_ERR;
        }

        k++;
        start = i;
        i--;
    }

    if (start < n) {
        if (um_mc_path_literal(mc, s, start, n, 1) != UM_OK) {
            return UM_ERR;
        }

        parts[k].type = UM_PART_TEXT;
        parts[k].text.data = s + start;
        parts[k].text.len = n - start;
        k++;
    }

    c->path = parts;
    c->npath = k;
    um_mc_pop(mc);

    v = json_object_get(j, "query");
    if (v) {
        um_mc_push_key(mc, "query");

        if (!json_is_object(v)) {
            return um_mc_error(mc, 0, "\"query\" is an object of name: "
                               "expression");
        }

        c->query = um_calloc(mc->a, (json_object_size(v) + 1)
                                    * sizeof(um_qparam_t));
        if (c->query == NULL) {
            return um_error_set(mc->err, 0, "out of memory");
        }

        json_object_foreach(v, key, e) {
            um_mc_push_key(mc, key);

            if (key[0] == '\0') {
                return um_mc_error(mc, 0, "a query parameter needs a name");
            }

            c->query[c->nquery].name.data = key;
            c->query[c->nquery].name.len = strlen(key);
            c->query[c->nquery].expr = um_mc_expr(mc, e);

            if (c->query[c->nquery].expr == NULL) {
                return UM_ERR;
            }

            c->nquery++;
            um_mc_pop(mc);
        }

        um_mc_pop(mc);
    }

    v = json_object_get(j, "body");
    if (v) {
        um_mc_push_key(mc, "body");

        if (!json_is_object(v)) {
            return um_mc_error(mc, 0, "the body is an object template");
        }

        if (!um_str_eq(c->http_method, "POST")) {
            return um_mc_error(mc, 0, "a body needs \"method\": \"POST\"");
        }

        c->body = um_mc_tpl(mc, v, 0);
        if (c->body == NULL) {
            return UM_ERR;
        }

        um_mc_pop(mc);
    }

    return UM_OK;
}


/*
 * "join": { "<name>": { "request": {...}, "records": "path", "key": expr } }
 * another endpoint, fetched with the first page; the rows see $<name>, an
 * object of its records by key.
 */

static int
um_mc_joins(um_mc_t *mc, json_t *j, um_method_t *m)
{
    json_t      *def, *v;
    um_join_t   *jn;
    const char  *key;

    static const char  *keys[] = {
        "request", "records", "key", "description", NULL
    };

    if (!json_is_object(j) || json_object_size(j) > UM_MAX_JOINS) {
        return um_mc_error(mc, 0, "\"join\" is an object of at most %d "
                           "named requests", UM_MAX_JOINS);
    }

    json_object_foreach(j, key, def) {
        um_mc_push_key(mc, key);

        if (um_mc_name(mc, key) != UM_OK) {
            return UM_ERR;
        }

        if (!json_is_object(def)) {
            return um_mc_error(mc, 0, "a join is an object with \"request\", "
                               "\"records\" and \"key\"");
        }

        if (um_mc_keys(mc, def, keys) != UM_OK) {
            return UM_ERR;
        }

        jn = &m->joins[m->njoins];
        jn->name.data = key;
        jn->name.len = strlen(key);

        v = json_object_get(def, "request");
        um_mc_push_key(mc, "request");

        if (v == NULL) {
            mc->depth--;
            return um_mc_error(mc, 0, "a join needs \"request\"");
        }

        if (um_mc_callspec(mc, v, &jn->call, 0) != UM_OK) {
            return UM_ERR;
        }

        um_mc_pop(mc);

        v = json_object_get(def, "records");
        if (v) {
            um_mc_push_key(mc, "records");
            if (um_mc_path(mc, v, &jn->records, &jn->nrecords) != UM_OK) {
                return UM_ERR;
            }
            um_mc_pop(mc);
        }

        v = json_object_get(def, "key");
        um_mc_push_key(mc, "key");

        if (v == NULL) {
            mc->depth--;
            return um_mc_error(mc, 0, "a join needs \"key\", the expression "
                               "that indexes its records");
        }

        jn->key = um_mc_expr(mc, v);
        if (jn->key == NULL) {
            return UM_ERR;
        }

        um_mc_pop(mc);

        /* the rows (not the requests) see it */

        mc->names[mc->scope.n++] = key;
        m->njoins++;

        um_mc_pop(mc);
    }

    return UM_OK;
}


/*
 * "row": one row per record; or "rows": an array of
 * { "each": expr, "group_by": expr, "when": expr,
 *   "remote_data": "record" | "element", "row": {...} }
 */

static int
um_mc_rowspecs(um_mc_t *mc, json_t *j, um_method_t *m)
{
    size_t   i;
    json_t  *v, *rs;

    v = json_object_get(j, "row");
    rs = json_object_get(j, "rows");

    if (v && rs) {
        um_mc_push_key(mc, "rows");
        return um_mc_error(mc, 0, "a method has \"row\" or \"rows\", not "
                           "both");
    }

    if (v) {
        um_mc_push_key(mc, "row");

        if (!json_is_object(v)) {
            return um_mc_error(mc, 0, "\"row\" is the object template of a "
                               "unified record");
        }

        m->rows[0].row = um_mc_tpl(mc, v, 0);
        if (m->rows[0].row == NULL) {
            return UM_ERR;
        }

        m->nrows = 1;
        um_mc_pop(mc);

        return UM_OK;
    }

    um_mc_push_key(mc, "rows");

    if (rs == NULL) {
        mc->depth--;
        return um_mc_error(mc, 0, "a method needs \"row\", the object "
                           "template of a unified record (or \"rows\")");
    }

    if (!json_is_array(rs) || json_array_size(rs) == 0
        || json_array_size(rs) > UM_MAX_ROWSPECS)
    {
        return um_mc_error(mc, 0, "\"rows\" is an array of 1 to %d row "
                           "specifications", UM_MAX_ROWSPECS);
    }

    if (m->op == UM_OP_GET && json_array_size(rs) > 1) {
        return um_mc_error(mc, 0, "a get makes one object: use \"row\"");
    }

    json_array_foreach(rs, i, v) {
        um_mc_push_index(mc, i);

        if (um_mc_rowspec(mc, v, &m->rows[i]) != UM_OK) {
            return UM_ERR;
        }

        um_mc_pop(mc);
    }

    m->nrows = json_array_size(rs);
    um_mc_pop(mc);

    return UM_OK;
}


static int
um_mc_rowspec(um_mc_t *mc, json_t *j, um_rowspec_t *rs)
{
    json_t    *v;
    um_str_t   rd;

    static const char  *keys[] = {
        "each", "group_by", "when", "remote_data", "row", "description", NULL
    };

    rd.data = NULL;
    rd.len = 0;

    if (!json_is_object(j)) {
        return um_mc_error(mc, 0, "a row specification is an object");
    }

    if (um_mc_keys(mc, j, keys) != UM_OK) {
        return UM_ERR;
    }

    v = json_object_get(j, "each");
    if (v) {
        um_mc_push_key(mc, "each");

        rs->each = um_mc_expr(mc, v);
        if (rs->each == NULL) {
            return UM_ERR;
        }

        /* a plain path: remote_data can be the element's own bytes */

        if (um_expr_is_path(rs->each)
            && um_mc_dotted(mc, json_string_value(v), json_string_length(v),
                            &rs->each_path, &rs->neach_path)
               != UM_OK)
        {
            rs->each_path = NULL;
            rs->neach_path = 0;
        }

        um_mc_pop(mc);
    }

    v = json_object_get(j, "group_by");
    if (v) {
        um_mc_push_key(mc, "group_by");

        if (rs->each == NULL) {
            return um_mc_error(mc, 0, "\"group_by\" groups the elements of "
                               "\"each\"");
        }

        rs->group_by = um_mc_expr(mc, v);
        if (rs->group_by == NULL) {
            return UM_ERR;
        }

        um_mc_pop(mc);
    }

    v = json_object_get(j, "when");
    if (v) {
        um_mc_push_key(mc, "when");
        rs->when = um_mc_expr(mc, v);
        if (rs->when == NULL) {
            return UM_ERR;
        }
        um_mc_pop(mc);
    }

    v = json_object_get(j, "remote_data");
    if (v) {
        um_mc_push_key(mc, "remote_data");

        if (um_mc_str(mc, v, &rd) != UM_OK) {
            return UM_ERR;
        }

        if (um_str_eq(rd, "record")) {
            rs->remote_data = UM_RD_RECORD;

        } else if (um_str_eq(rd, "element") && rs->each && !rs->group_by) {
            rs->remote_data = UM_RD_ELEMENT;

        } else {
            return um_mc_error(mc, 0, "\"remote_data\" is \"record\", or "
                               "\"element\" with \"each\" and no "
                               "\"group_by\"");
        }

        um_mc_pop(mc);
    }

    v = json_object_get(j, "row");
    um_mc_push_key(mc, "row");

    if (!json_is_object(v)) {
        mc->depth--;
        return um_mc_error(mc, 0, "a row specification needs \"row\", the "
                           "object template");
    }

    rs->row = um_mc_tpl(mc, v, 0);
    if (rs->row == NULL) {
        return UM_ERR;
    }

    um_mc_pop(mc);

    return UM_OK;
}


static int
um_mc_path(um_mc_t *mc, json_t *j, um_str_t **keys, size_t *n)
{
    um_str_t   s;

    s.data = NULL;
    s.len = 0;

    if (um_mc_str(mc, j, &s) != UM_OK) {
        return UM_ERR;
    }

    if (s.len == 0 || (s.len == 1 && s.data[0] == '$')) {
        return UM_OK;
    }

    if (um_mc_dotted(mc, s.data, s.len, keys, n) != UM_OK) {
        return um_mc_error(mc, 0, "\"records\" is a dotted path of field "
                           "names, such as \"data\" or \"result.items\"");
    }

    return UM_OK;
}


/* "a.b.c" into keys; UM_ERR (without a message) if it is not that */

static int
um_mc_dotted(um_mc_t *mc, const char *s, size_t len, um_str_t **keys,
    size_t *n)
{
    size_t     i, start, k, count;
    um_str_t  *out;

    count = 1;

    for (i = 0; i < len; i++) {
        count += (s[i] == '.');

        if (s[i] == '`' || s[i] == '[' || s[i] == '$' || s[i] == ' ') {
            return UM_ERR;
        }
    }

    out = um_calloc(mc->a, count * sizeof(um_str_t));
    if (out == NULL) {
        return UM_ERR;
    }

    k = 0;
    start = 0;

    for (i = 0; i <= len; i++) {
        if (i < len && s[i] != '.') {
            continue;
        }

        if (i == start) {
            return UM_ERR;
        }

        out[k].data = s + start;
        out[k].len = i - start;
        k++;
        start = i + 1;
    }

    *keys = out;
    *n = k;

    return UM_OK;
}


static int
um_mc_static(um_mc_t *mc, json_t *j, um_method_t *m)
{
    size_t     i;
    json_t    *row;
    um_tpl_t  *t;

    if (!json_is_array(j)) {
        return um_mc_error(mc, 0, "\"static\" is the array of unified "
                           "records to answer");
    }

    m->is_static = 1;

    /* the rows are templates of constants, so shaping works on them too */

    t = um_calloc(mc->a, sizeof(um_tpl_t));
    if (t == NULL) {
        return um_error_set(mc->err, 0, "out of memory");
    }

    t->type = UM_TPL_ARRAY;
    t->items = um_calloc(mc->a, (json_array_size(j) + 1)
                                * sizeof(um_tpl_t *));
    if (t->items == NULL) {
        return um_error_set(mc->err, 0, "out of memory");
    }

    json_array_foreach(j, i, row) {
        um_mc_push_index(mc, i);

        if (!json_is_object(row)) {
            return um_mc_error(mc, 0, "a static record is an object");
        }

        t->items[i] = um_mc_tpl(mc, row, 1);
        if (t->items[i] == NULL) {
            return UM_ERR;
        }

        t->n++;
        um_mc_pop(mc);
    }

    m->rows[0].row = t;
    m->nrows = 1;

    return UM_OK;
}


static int
um_mc_paging(um_mc_t *mc, json_t *j, um_method_t *m)
{
    json_t    *v;
    um_str_t   send;

    send.data = NULL;
    send.len = 0;

    static const char  *keys[] = {
        "next", "send", "param", "description", NULL
    };

    if (!json_is_object(j)) {
        return um_mc_error(mc, 0, "\"pagination\" is an object");
    }

    if (um_mc_keys(mc, j, keys) != UM_OK) {
        return UM_ERR;
    }

    v = json_object_get(j, "send");
    um_mc_push_key(mc, "send");

    if (v == NULL) {
        mc->depth--;
        return um_mc_error(mc, 0, "\"send\" is required: \"url\", \"query\" "
                           "or \"body\"");
    }

    if (um_mc_str(mc, v, &send) != UM_OK) {
        return UM_ERR;
    }

    if (um_str_eq(send, "url")) {
        m->paging.type = UM_PAGE_URL;

    } else if (um_str_eq(send, "query")) {
        m->paging.type = UM_PAGE_QUERY;

    } else if (um_str_eq(send, "body")) {
        m->paging.type = UM_PAGE_BODY;

    } else {
        return um_mc_error(mc, 0, "\"send\" is \"url\", \"query\" or "
                           "\"body\"");
    }

    um_mc_pop(mc);

    v = json_object_get(j, "param");
    if (m->paging.type != UM_PAGE_URL) {
        um_mc_push_key(mc, "param");

        if (v == NULL) {
            mc->depth--;
            return um_mc_error(mc, 0, "\"param\" names the parameter that "
                               "carries the continuation");
        }

        if (um_mc_str(mc, v, &m->paging.param) != UM_OK) {
            return UM_ERR;
        }

        um_mc_pop(mc);

    } else if (v) {
        um_mc_push_key(mc, "param");
        return um_mc_error(mc, 0, "\"param\" is not used with \"send\": "
                           "\"url\"");
    }

    v = json_object_get(j, "next");
    um_mc_push_key(mc, "next");

    if (v == NULL) {
        mc->depth--;
        return um_mc_error(mc, 0, "\"next\" (an expression over the "
                           "provider's body) is required");
    }

    m->paging.next = um_mc_expr(mc, v);
    if (m->paging.next == NULL) {
        return UM_ERR;
    }

    um_mc_pop(mc);

    return UM_OK;
}


/*
 * A template: strings are expressions, other scalars constants, objects and
 * arrays nest.  In a static record, strings are plain strings.
 */

static um_tpl_t *
um_mc_tpl(um_mc_t *mc, json_t *j, int is_static)
{
    size_t       i, klen;
    json_t      *v;
    um_buf_t     b;
    um_tpl_t    *t;
    um_value_t   c;
    const char  *key;

    t = um_calloc(mc->a, sizeof(um_tpl_t));
    if (t == NULL) {
        um_error_set(mc->err, 0, "out of memory");
        return NULL;
    }

    switch (json_typeof(j)) {

    case JSON_OBJECT:
        t->type = UM_TPL_OBJECT;
        t->fields = um_calloc(mc->a, (json_object_size(j) + 1)
                                     * sizeof(um_tpl_field_t));
        if (t->fields == NULL) {
            um_error_set(mc->err, 0, "out of memory");
            return NULL;
        }

        json_object_keylen_foreach(j, key, klen, v) {
            um_mc_push_key(mc, key);

            if (klen == 0 || key[0] == '$') {
                um_mc_error(mc, 0, "field names are not empty and do not "
                            "start with \"$\"");
                return NULL;
            }

            if (!is_static && json_is_null(v)) {
                um_mc_error(mc, 0, "null is not a template value: leave "
                            "the field out, unified records omit what they "
                            "do not have");
                return NULL;
            }

            um_buf_init(&b, mc->a, 0);
            um_json_str(&b, key, klen);
            um_buf_addc(&b, ':');

            if (b.failed) {
                um_error_set(mc->err, 0, "out of memory");
                return NULL;
            }

            t->fields[t->n].name.data = key;
            t->fields[t->n].name.len = klen;
            t->fields[t->n].key.data = b.data;
            t->fields[t->n].key.len = b.len;
            t->fields[t->n].tpl = um_mc_tpl(mc, v, is_static);

            if (t->fields[t->n].tpl == NULL) {
                return NULL;
            }

            t->dynamic |= t->fields[t->n].tpl->dynamic;
            t->n++;

            um_mc_pop(mc);
        }

        return t;

    case JSON_ARRAY:
        t->type = UM_TPL_ARRAY;
        t->items = um_calloc(mc->a, (json_array_size(j) + 1)
                                    * sizeof(um_tpl_t *));
        if (t->items == NULL) {
            um_error_set(mc->err, 0, "out of memory");
            return NULL;
        }

        json_array_foreach(j, i, v) {
            um_mc_push_index(mc, i);

            t->items[i] = um_mc_tpl(mc, v, is_static);
            if (t->items[i] == NULL) {
                return NULL;
            }

            t->dynamic |= t->items[i]->dynamic;
            t->n++;

            um_mc_pop(mc);
        }

        return t;

    case JSON_STRING:
        if (!is_static) {
            t->type = UM_TPL_EXPR;
            t->expr = um_mc_expr(mc, j);
            if (t->expr == NULL) {
                return NULL;
            }

            if (!um_expr_constant(t->expr, &c)) {
                t->dynamic = 1;
                return t;
            }

            if (c.type == UM_UNDEF || c.type == UM_NULL) {
                um_mc_error(mc, 0, "this expression is always empty");
                return NULL;
            }

            break;
        }

        /* fall through */

    default:
        c = um_from_json(j);
        break;
    }

    t->type = UM_TPL_CONST;
    t->expr = NULL;

    um_buf_init(&b, mc->a, 0);
    um_json_value(&b, c, 0);

    if (b.failed) {
        um_error_set(mc->err, 0, "out of memory");
        return NULL;
    }

    t->json.data = b.data;
    t->json.len = b.len;

    return t;
}


static um_expr_t *
um_mc_expr(um_mc_t *mc, json_t *j)
{
    if (!json_is_string(j)) {
        um_mc_error(mc, 0, "an expression (a JSON string) is expected");
        return NULL;
    }

    return um_mc_expr_text(mc, json_string_value(j), json_string_length(j),
                           0);
}


/* s is (a part of) the current JSON string value, starting at offset */

static um_expr_t *
um_mc_expr_text(um_mc_t *mc, const char *s, size_t len, size_t offset)
{
    size_t       i, pos, line;
    um_expr_t   *e;
    um_error_t   eerr;

    memset(&eerr, 0, sizeof(um_error_t));

    e = um_expr_compile(mc->a, s, len, &mc->scope, &eerr);
    if (e != NULL) {
        return e;
    }

    /* from the expression's line and column to an offset in the value */

    pos = 0;
    line = 1;

    for (i = 0; i < len && line < eerr.line; i++) {
        if (s[i] == '\n') {
            line++;
            pos = i + 1;
        }
    }

    if (eerr.col) {
        pos += eerr.col - 1;
    }

    um_mc_error(mc, offset + pos, "%s", eerr.msg);
    return NULL;
}


static int
um_mc_keys(um_mc_t *mc, json_t *obj, const char **allowed)
{
    size_t       i;
    json_t      *v;
    const char  *key;

    json_object_foreach(obj, key, v) {
        for (i = 0; allowed[i]; i++) {
            if (strcmp(key, allowed[i]) == 0) {
                break;
            }
        }

        if (allowed[i] == NULL) {
            um_mc_push_key(mc, key);
            return um_mc_error(mc, 0, "unknown key \"%s\"", key);
        }
    }

    return UM_OK;
}


static int
um_mc_str(um_mc_t *mc, json_t *j, um_str_t *out)
{
    if (!json_is_string(j)) {
        return um_mc_error(mc, 0, "a string is expected");
    }

    out->data = json_string_value(j);
    out->len = json_string_length(j);

    return UM_OK;
}


static int
um_mc_error(um_mc_t *mc, size_t offset, const char *fmt, ...)
{
    char     msg[sizeof(mc->err->msg)], where[256];
    size_t   line, col;
    va_list  args;

    va_start(args, fmt);
    vsnprintf(msg, sizeof(msg), fmt, args);
    va_end(args);

    um_mc_path_text(mc, where, sizeof(where));
    um_mc_source_of_path(mc);

    if (um_mc_locate(mc, offset, &line, &col) == 0) {
        um_error_set(mc->err, 0, "%s:%zu:%zu: %s: %s", mc->file, line, col,
                     where, msg);
        mc->err->line = line;
        mc->err->col = col;

    } else {
        um_error_set(mc->err, 0, "%s: %s: %s", mc->file, where, msg);
    }

    return UM_ERR;
}


static void
um_mc_push_key(um_mc_t *mc, const char *key)
{
    if (mc->depth < UM_MC_MAX_DEPTH) {
        mc->path[mc->depth].key = key;
        mc->path[mc->depth].index = 0;
    }

    mc->depth++;
}


static void
um_mc_push_index(um_mc_t *mc, size_t index)
{
    if (mc->depth < UM_MC_MAX_DEPTH) {
        mc->path[mc->depth].key = NULL;
        mc->path[mc->depth].index = index;
    }

    mc->depth++;
}


static void
um_mc_pop(um_mc_t *mc)
{
    mc->depth--;
}


/*
 * The file that set the value at the current path: the last of the
 * provider's files that has it (overrides come after the base).
 */

static void
um_mc_source_of_path(um_mc_t *mc)
{
    int           d;
    size_t        k;
    json_t       *v;
    um_source_t  *src;

    src = mc->sources[0];

    for (k = mc->nsources; k-- > 0; /* void */) {
        v = mc->sources[k]->root;

        for (d = 0; d < mc->depth && d < UM_MC_MAX_DEPTH && v; d++) {
            v = mc->path[d].key ? json_object_get(v, mc->path[d].key)
                                : json_array_get(v, mc->path[d].index);
        }

        if (v) {
            src = mc->sources[k];
            break;
        }
    }

    mc->file = src->file;
    mc->text = src->text;
    mc->len = src->len;
}


/*
 * Finds the current path's value in the file text and returns the line
 * and column of `offset` bytes into it (into the decoded string, for a
 * string value: escapes are stepped over).
 */

static int
um_mc_locate(um_mc_t *mc, size_t offset, size_t *line, size_t *col)
{
    int              d, rc;
    size_t           i, n;
    um_str_t         v, item;
    const char      *p, *end, *q;
    um_scan_iter_t   it;

    v.data = mc->text;
    v.len = mc->len;

    for (d = 0; d < mc->depth && d < UM_MC_MAX_DEPTH; d++) {

        if (mc->path[d].key) {
            if (um_scan_member(v.data, v.data + v.len, mc->path[d].key,
                               strlen(mc->path[d].key), &v) != 0)
            {
                return -1;
            }

            continue;
        }

        if (um_scan_array(&it, v) != 0) {
            return -1;
        }

        for (i = 0; ; i++) {
            rc = um_scan_next(&it, &item);
            if (rc != 1) {
                return -1;
            }

            if (i == mc->path[d].index) {
                break;
            }
        }

        v = item;
    }

    p = um_scan_ws(v.data, v.data + v.len);
    end = v.data + v.len;

    /* step over `offset` decoded bytes of a string value */

    if (offset && p < end && *p == '"') {
        q = p + 1;

        for (n = 0; n < offset && q < end - 1; n++) {
            if (*q == '\\') {
                q += (q + 1 < end && q[1] == 'u') ? 6 : 2;

            } else {
                q++;
            }
        }

        p = q;

    } else if (p < end && *p == '"') {
        p++;
    }

    *line = 1;
    *col = 1;

    for (q = mc->text; q < p; q++) {
        if (*q == '\n') {
            (*line)++;
            *col = 1;

        } else {
            (*col)++;
        }
    }

    return 0;
}


static void
um_mc_path_text(um_mc_t *mc, char *buf, size_t size)
{
    int     d;
    size_t  len;

    buf[0] = '\0';
    len = 0;

    for (d = 0; d < mc->depth && d < UM_MC_MAX_DEPTH && len < size; d++) {
        if (mc->path[d].key) {
            len += (size_t) snprintf(buf + len, size - len, "%s%s",
                                     d ? "." : "", mc->path[d].key);

        } else {
            len += (size_t) snprintf(buf + len, size - len, "[%zu]",
                                     mc->path[d].index);
        }
    }

    if (len == 0) {
        snprintf(buf, size, "(top level)");
    }
}


static int
um_mc_read(const char *file, um_arena_t *a, char **text, size_t *len,
    um_error_t *err)
{
    FILE         *f;
    size_t        n;
    struct stat   st;

    f = fopen(file, "rb");
    if (f == NULL) {
        return um_error_set(err, 0, "cannot open \"%s\": %s", file,
                            strerror(errno));
    }

    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(f);
        return um_error_set(err, 0, "\"%s\" is not a regular file", file);
    }

    if (st.st_size > UM_MC_MAX_FILE) {
        fclose(f);
        return um_error_set(err, 0, "\"%s\" is larger than %d bytes", file,
                            UM_MC_MAX_FILE);
    }

    *text = um_alloc(a, (size_t) st.st_size + 1);
    if (*text == NULL) {
        fclose(f);
        return um_error_set(err, 0, "out of memory");
    }

    n = fread(*text, 1, (size_t) st.st_size, f);
    fclose(f);

    if (n != (size_t) st.st_size) {
        return um_error_set(err, 0, "cannot read \"%s\"", file);
    }

    (*text)[n] = '\0';
    *len = n;

    return UM_OK;
}


static void
um_mc_json_decref(void *data)
{
    json_decref(data);
}
