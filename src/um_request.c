/*
 * Parsing of the unified request: route and query string.
 *
 * Everything from the client is hostile: values are percent-decoded
 * strictly, must be UTF-8 without NUL bytes, and are bounded in length and
 * number.  A problem is a 400 whose message names the parameter.
 */

#include <string.h>

#include "um_date.h"
#include "um_request.h"


static int um_request_param(um_arena_t *a, um_request_t *req,
    um_str_t key, um_str_t val, um_error_t *err);
static int um_request_date(um_str_t name, um_str_t val, int64_t *ms,
    um_error_t *err);
static int um_request_bool(um_str_t name, um_str_t val, unsigned *flag,
    um_error_t *err);
static int um_request_exclude(um_arena_t *a, um_request_t *req, um_str_t val,
    um_error_t *err);
static int um_request_remote(um_arena_t *a, um_request_t *req, um_str_t key,
    um_str_t val, um_error_t *err);
static int um_query_add(um_arena_t *a, um_value_t *query, um_str_t key,
    um_str_t val, um_error_t *err);
static int um_query_set(um_arena_t *a, um_object_t *o, um_str_t key,
    um_value_t v, int append);


static const char  *um_resources[UM_RES_N] = {
    "organizations", "products", "usage", "workspaces", "users"
};


#define um_key_is(k, lit)   um_str_eq(k, lit)

#define UM_DUP(name)                                                         \
    um_error_set(err, 400, "parameter \"%s\" is given more than once", name)


const char *
um_resource_name(int resource)
{
    if (resource < 0 || resource >= UM_RES_N) {
        return "";
    }

    return um_resources[resource];
}


int
um_resource_find(const char *s, size_t len)
{
    int  i;

    for (i = 0; i < UM_RES_N; i++) {
        if (strlen(um_resources[i]) == len
            && memcmp(um_resources[i], s, len) == 0)
        {
            return i;
        }
    }

    return -1;
}


int
um_request_route(um_arena_t *a, um_request_t *req, const char *path,
    size_t len, um_error_t *err)
{
    size_t          i, rlen;
    const char     *id;
    unsigned char   c;

    while (len && *path == '/') {
        path++;
        len--;
    }

    for (rlen = 0; rlen < len && path[rlen] != '/'; rlen++) {
        /* void */
    }

    req->resource = um_resource_find(path, rlen);

    if (rlen == 0) {
        return um_error_set(err, 404, "a resource is required: "
                            "organizations, products, usage, workspaces or "
                            "users");
    }

    if (req->resource < 0) {
        if (rlen > 64 || !um_utf8_valid(path, rlen)) {
            return um_error_set(err, 404, "unknown resource; resources are "
                                "organizations, products, usage, workspaces "
                                "and users");
        }

        return um_error_set(err, 404, "unknown resource \"%.*s\"; resources "
                            "are organizations, products, usage, "
                            "workspaces and users", (int) rlen, path);
    }

    id = path + rlen;
    len -= rlen;

    if (len) {
        id++;
        len--;
    }

    if (len == 0) {
        req->op = UM_OP_LIST;
        return UM_OK;
    }

    /*
     * nginx has decoded the URI already.  The id goes into the provider's
     * path, where nginx escapes it again, except for "/", which would
     * address another resource: such ids cannot be sent safely.
     */

    if (len > 512) {
        return um_error_set(err, 400, "the id is too long");
    }

    if ((len == 1 && id[0] == '.') || (len == 2 && id[0] == '.'
                                       && id[1] == '.'))
    {
        return um_error_set(err, 400, "the id must not be \".\" or \"..\"");
    }

    for (i = 0; i < len; i++) {
        c = (unsigned char) id[i];

        if (c == '/' || c == '\\') {
            return um_error_set(err, 400, "the id must not contain \"/\" "
                                "or \"\\\"");
        }

        if (c < 0x20 || c == 0x7f) {
            return um_error_set(err, 400, "the id must not contain control "
                                "characters");
        }
    }

    if (!um_utf8_valid(id, len)) {
        return um_error_set(err, 400, "the id is not valid UTF-8");
    }

    req->op = UM_OP_GET;
    req->id.data = um_strndup(a, id, len);
    req->id.len = len;

    if (req->id.data == NULL) {
        return um_error_set(err, 500, "out of memory");
    }

    return UM_OK;
}


int
um_request_parse(um_arena_t *a, um_request_t *req, const char *args,
    size_t len, um_error_t *err)
{
    long         n;
    char        *buf;
    size_t       i, start, eq, nparams;
    um_str_t     key, val;

    req->format = UM_FMT_UNIFIED;
    req->query.type = UM_OBJ;
    req->query.u.o = um_obj_new(a, 8);

    if (req->query.u.o == NULL) {
        return um_error_set(err, 500, "out of memory");
    }

    /* every parameter, for the digest a cursor carries */

    req->params = um_alloc(a, UM_PARAMS_MAX * sizeof(um_param_t));
    if (req->params == NULL) {
        return um_error_set(err, 500, "out of memory");
    }

    req->nparams = 0;
    nparams = 0;
    start = 0;

    for (i = 0; i <= len; i++) {

        if (i < len && args[i] != '&') {
            continue;
        }

        if (i == start) {
            start = i + 1;
            continue;
        }

        if (++nparams > UM_PARAMS_MAX) {
            return um_error_set(err, 400, "too many query parameters "
                                "(at most %d)", UM_PARAMS_MAX);
        }

        for (eq = start; eq < i && args[eq] != '='; eq++) {
            /* void */
        }

        /* decode key and value into one copy */

        buf = um_alloc(a, i - start + 1);
        if (buf == NULL) {
            return um_error_set(err, 500, "out of memory");
        }

        n = um_url_decode(buf, args + start, eq - start);
        if (n < 0) {
            return um_error_set(err, 400, "invalid percent-encoding in the "
                                "query string");
        }

        key.data = buf;
        key.len = (size_t) n;

        if (eq < i) {
            n = um_url_decode(buf + key.len, args + eq + 1, i - eq - 1);
            if (n < 0) {
                return um_error_set(err, 400, "invalid percent-encoding in "
                                    "the query string");
            }

        } else {
            n = 0;
        }

        val.data = buf + key.len;
        val.len = (size_t) n;

        if (key.len == 0) {
            return um_error_set(err, 400, "a query parameter has no name");
        }

        if (key.len > 256 || val.len > UM_PARAM_MAX_LEN) {
            return um_error_set(err, 400, "a query parameter is too long "
                                "(names up to 256 bytes, values up to %d)",
                                UM_PARAM_MAX_LEN);
        }

        if (memchr(key.data, '\0', key.len) || memchr(val.data, '\0', val.len)
            || !um_utf8_valid(key.data, key.len)
            || !um_utf8_valid(val.data, val.len))
        {
            return um_error_set(err, 400, "query parameters must be UTF-8 "
                                "text without NUL bytes");
        }

        if (um_request_param(a, req, key, val, err) != UM_OK) {
            return UM_ERR;
        }

        req->params[req->nparams].key = key;
        req->params[req->nparams].value = val;
        req->nparams++;

        start = i + 1;
    }

    if (req->has_start && req->has_end && req->end_ms < req->start_ms) {
        return um_error_set(err, 400, "end_date must not be before "
                            "start_date");
    }

    return UM_OK;
}


static int
um_request_param(um_arena_t *a, um_request_t *req, um_str_t key,
    um_str_t val, um_error_t *err)
{
    size_t  i;
    long    limit;

    if (um_key_is(key, "integrated_account_id")) {
        if (val.len == 0) {
            return um_error_set(err, 400, "integrated_account_id is empty");
        }

        if (req->naccounts == UM_ACCOUNTS_MAX) {
            return um_error_set(err, 400, "too many integrated_account_id "
                                "values (at most %d)", UM_ACCOUNTS_MAX);
        }

        req->accounts[req->naccounts++] = val;
        return UM_OK;
    }

    if (um_key_is(key, "start_date")) {
        if (req->has_start) {
            return UM_DUP("start_date");
        }

        if (um_request_date(key, val, &req->start_ms, err) != UM_OK) {
            return UM_ERR;
        }

        req->has_start = 1;
        req->start_date = val;
        return um_query_add(a, &req->query, key, val, err);
    }

    if (um_key_is(key, "end_date")) {
        if (req->has_end) {
            return UM_DUP("end_date");
        }

        if (um_request_date(key, val, &req->end_ms, err) != UM_OK) {
            return UM_ERR;
        }

        req->has_end = 1;
        req->end_date = val;
        return um_query_add(a, &req->query, key, val, err);
    }

    if (um_key_is(key, "date")) {
        int64_t  ms;

        if (um_get(req->query, "date", 4).type != UM_UNDEF) {
            return UM_DUP("date");
        }

        if (um_request_date(key, val, &ms, err) != UM_OK) {
            return UM_ERR;
        }

        return um_query_add(a, &req->query, key, val, err);
    }

    if (um_key_is(key, "limit")) {
        if (req->limit) {
            return UM_DUP("limit");
        }

        limit = 0;

        for (i = 0; i < val.len; i++) {
            if (val.data[i] < '0' || val.data[i] > '9' || limit > UM_LIMIT_MAX)
            {
                break;
            }

            limit = limit * 10 + (val.data[i] - '0');
        }

        if (val.len == 0 || i < val.len || limit < 1 || limit > UM_LIMIT_MAX)
        {
            return um_error_set(err, 400, "limit must be an integer from 1 "
                                "to %d", UM_LIMIT_MAX);
        }

        req->limit = limit;
        return um_query_add(a, &req->query, key, val, err);
    }

    if (um_key_is(key, "next_cursor")) {
        if (req->next_cursor.data) {
            return UM_DUP("next_cursor");
        }

        req->next_cursor = val;
        return UM_OK;
    }

    if (um_key_is(key, "truto_response_format")) {
        static const char  *formats[] = {
            "unified", "normalized", "raw", "stream", "debug"
        };

        for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
            if (val.len == strlen(formats[i])
                && memcmp(val.data, formats[i], val.len) == 0)
            {
                req->format = (int) i;
                return UM_OK;
            }
        }

        return um_error_set(err, 400, "truto_response_format must be one of "
                            "unified, normalized, raw, stream, debug");
    }

    if (um_key_is(key, "truto_key_by")) {
        if (val.len == 0) {
            return um_error_set(err, 400, "truto_key_by is empty");
        }

        req->key_by = val;
        return UM_OK;
    }

    if (um_key_is(key, "truto_ignore_limit")) {
        unsigned  f = 0;

        if (um_request_bool(key, val, &f, err) != UM_OK) {
            return UM_ERR;
        }

        req->ignore_limit = f;
        return UM_OK;
    }

    if (um_key_is(key, "truto_ignore_remote_data")) {
        unsigned  f = 0;

        if (um_request_bool(key, val, &f, err) != UM_OK) {
            return UM_ERR;
        }

        req->ignore_remote_data = f;
        return UM_OK;
    }

    if (um_key_is(key, "truto_skip_api_call")) {
        unsigned  f = 0;

        if (um_request_bool(key, val, &f, err) != UM_OK) {
            return UM_ERR;
        }

        req->skip_api_call = f;
        return UM_OK;
    }

    if (key.len >= sizeof("truto_exclude_fields") - 1
        && memcmp(key.data, "truto_exclude_fields",
                  sizeof("truto_exclude_fields") - 1) == 0
        && (key.len == sizeof("truto_exclude_fields") - 1
            || key.data[sizeof("truto_exclude_fields") - 1] == '['))
    {
        return um_request_exclude(a, req, val, err);
    }

    if (key.len > sizeof("remote_query[") - 1
        && memcmp(key.data, "remote_query[", sizeof("remote_query[") - 1) == 0)
    {
        return um_request_remote(a, req, key, val, err);
    }

    return um_query_add(a, &req->query, key, val, err);
}


static int
um_request_date(um_str_t name, um_str_t val, int64_t *ms, um_error_t *err)
{
    int  has_time;

    if (um_date_parse(val.data, val.len, ms, &has_time) != 0) {
        return um_error_set(err, 400, "%.*s must be an ISO 8601 date "
                            "(YYYY-MM-DD) or date-time "
                            "(YYYY-MM-DDTHH:MM:SSZ or with an offset)",
                            (int) name.len, name.data);
    }

    return UM_OK;
}


static int
um_request_bool(um_str_t name, um_str_t val, unsigned *flag, um_error_t *err)
{
    if (um_str_eq(val, "true") || um_str_eq(val, "1")) {
        *flag = 1;
        return UM_OK;
    }

    if (um_str_eq(val, "false") || um_str_eq(val, "0")) {
        *flag = 0;
        return UM_OK;
    }

    return um_error_set(err, 400, "%.*s must be true or false",
                        (int) name.len, name.data);
}


/* "a,b.c" or one name per truto_exclude_fields[] */

static int
um_request_exclude(um_arena_t *a, um_request_t *req, um_str_t val,
    um_error_t *err)
{
    size_t     i, start, n;
    um_str_t  *list;

    n = 1;

    for (i = 0; i < val.len; i++) {
        n += (val.data[i] == ',');
    }

    if (req->nexclude + n > UM_PARAMS_MAX) {
        return um_error_set(err, 400, "too many truto_exclude_fields");
    }

    list = um_alloc(a, (req->nexclude + n) * sizeof(um_str_t));
    if (list == NULL) {
        return um_error_set(err, 500, "out of memory");
    }

    if (req->nexclude) {
        memcpy(list, req->exclude, req->nexclude * sizeof(um_str_t));
    }

    req->exclude = list;
    start = 0;

    for (i = 0; i <= val.len; i++) {
        if (i < val.len && val.data[i] != ',') {
            continue;
        }

        if (i > start) {
            if (val.data[start] == '.' || val.data[i - 1] == '.') {
                return um_error_set(err, 400, "truto_exclude_fields: "
                                    "\"%.*s\" is not a field path",
                                    (int) (i - start), val.data + start);
            }

            list[req->nexclude].data = val.data + start;
            list[req->nexclude].len = i - start;
            req->nexclude++;
        }

        start = i + 1;
    }

    return UM_OK;
}


/* remote_query[k]=v, remote_query[a][b]=v (sent as a[b]=v) */

static int
um_request_remote(um_arena_t *a, um_request_t *req, um_str_t key,
    um_str_t val, um_error_t *err)
{
    char        *p;
    size_t       i, n;
    const char  *k;
    um_param_t  *list;

    k = key.data + sizeof("remote_query[") - 1;
    n = key.len - (sizeof("remote_query[") - 1);

    for (i = 0; i < n && k[i] != ']'; i++) {
        /* void */
    }

    if (i == 0 || i == n) {
        return um_error_set(err, 400, "remote_query parameters are written "
                            "remote_query[name]=value");
    }

    /* "name" followed by whatever brackets came after "]" */

    p = um_alloc(a, n);
    if (p == NULL) {
        return um_error_set(err, 500, "out of memory");
    }

    memcpy(p, k, i);
    memcpy(p + i, k + i + 1, n - i - 1);

    list = um_alloc(a, (req->nremote + 1) * sizeof(um_param_t));
    if (list == NULL) {
        return um_error_set(err, 500, "out of memory");
    }

    if (req->nremote) {
        memcpy(list, req->remote_query, req->nremote * sizeof(um_param_t));
    }

    list[req->nremote].key.data = p;
    list[req->nremote].key.len = n - 1;
    list[req->nremote].value = val;

    req->remote_query = list;
    req->nremote++;

    return UM_OK;
}


/*
 * $query: "a=1" sets a; "a[]=1" appends to the array a; "a[b]=1" sets b in
 * the object a (up to a few levels); a repeated plain name becomes an array.
 */

static int
um_query_add(um_arena_t *a, um_value_t *query, um_str_t key, um_str_t val,
    um_error_t *err)
{
    int          depth;
    size_t       i, j;
    um_str_t     seg;
    um_value_t   v, cur, child;
    um_object_t *o;

    v = um_str(val.data, val.len);
    o = query->u.o;

    for (i = 0; i < key.len && key.data[i] != '['; i++) {
        /* void */
    }

    seg.data = key.data;
    seg.len = i;

    if (i == key.len || i == 0 || key.data[key.len - 1] != ']') {
        /* a plain name, or brackets we do not understand: take it as is */

        seg.len = key.len;

        if (um_query_set(a, o, seg, v, 0) != 0) {
            return um_error_set(err, 500, "out of memory");
        }

        return UM_OK;
    }

    for (depth = 0; ; depth++) {

        /* i is at "[" of the next segment, or at the end */

        if (i == key.len) {
            if (um_query_set(a, o, seg, v, 0) != 0) {
                return um_error_set(err, 500, "out of memory");
            }

            return UM_OK;
        }

        for (j = i + 1; j < key.len && key.data[j] != ']'; j++) {
            /* void */
        }

        if (j == key.len || depth == 4) {
            return um_error_set(err, 400, "query parameter \"%.*s\": "
                                "brackets nested too deep or unbalanced",
                                (int) key.len, key.data);
        }

        if (j == i + 1) {
            /* "name[]": append */

            if (um_query_set(a, o, seg, v, 1) != 0) {
                return um_error_set(err, 500, "out of memory");
            }

            return UM_OK;
        }

        memset(&cur, 0, sizeof(um_value_t));
        cur.type = UM_OBJ;
        cur.u.o = o;
        child = um_get(cur, seg.data, seg.len);

        if (child.type != UM_OBJ) {
            child.type = UM_OBJ;
            child.flags = 0;
            child.u.o = um_obj_new(a, 4);

            if (child.u.o == NULL
                || um_obj_set(a, o, seg.data, seg.len, child) != 0)
            {
                return um_error_set(err, 500, "out of memory");
            }
        }

        o = child.u.o;
        seg.data = key.data + i + 1;
        seg.len = j - i - 1;
        i = j + 1;

        if (i < key.len && key.data[i] != '[') {
            return um_error_set(err, 400, "query parameter \"%.*s\": "
                                "unbalanced brackets", (int) key.len,
                                key.data);
        }
    }
}


static int
um_query_set(um_arena_t *a, um_object_t *o, um_str_t key, um_value_t v,
    int append)
{
    um_value_t   cur, obj, arr;

    obj.type = UM_OBJ;
    obj.u.o = o;
    cur = um_get(obj, key.data, key.len);

    if (cur.type == UM_UNDEF && !append) {
        return um_obj_set(a, o, key.data, key.len, v);
    }

    if (cur.type == UM_ARR) {
        return um_arr_push(a, cur.u.a, v);
    }

    arr.type = UM_ARR;
    arr.flags = 0;
    arr.len = 0;
    arr.u.a = um_arr_new(a, 4);

    if (arr.u.a == NULL) {
        return -1;
    }

    if (cur.type != UM_UNDEF && um_arr_push(a, arr.u.a, cur) != 0) {
        return -1;
    }

    if (um_arr_push(a, arr.u.a, v) != 0) {
        return -1;
    }

    return um_obj_set(a, o, key.data, key.len, arr);
}
