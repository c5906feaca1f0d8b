/*
 * Variables: $usage_metering_account (the account id) and
 * $usage_metering_account_<name> (an account parameter), for the provider
 * locations, e.g.
 *     proxy_set_header Authorization "Bearer $usage_metering_account_key";
 *
 * They read the account of the provider call being proxied, so one
 * location serves every account of a provider.
 *
 * For log_format, what a unified request did: $usage_metering_provider,
 * $usage_metering_calls, $usage_metering_rows,
 * $usage_metering_provider_time (ms) and $usage_metering_cursor (0/1); in
 * the client's request $usage_metering_account and _provider name every
 * account of a request that has several, comma-separated.  The log phase
 * runs before the request's pool (and ctx) is freed.
 */

#include "ngx_http_usage_metering.h"


static ngx_int_t ngx_http_usage_metering_variable_id(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data);
static ngx_int_t ngx_http_usage_metering_variable_param(
    ngx_http_request_t *r, ngx_http_variable_value_t *v, uintptr_t data);
static ngx_http_usage_metering_account_t *ngx_http_usage_metering_account_of(
    ngx_http_request_t *r);
static ngx_http_usage_metering_ctx_t *ngx_http_usage_metering_main_ctx(
    ngx_http_request_t *r);
static ngx_int_t ngx_http_usage_metering_variable_list(
    ngx_http_request_t *r, ngx_http_variable_value_t *v, uintptr_t data);
static ngx_int_t ngx_http_usage_metering_variable_num(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data);


/* what $usage_metering_<name> reports */

#define NGX_HTTP_USAGE_METERING_VAR_ACCOUNTS   0
#define NGX_HTTP_USAGE_METERING_VAR_PROVIDERS  1
#define NGX_HTTP_USAGE_METERING_VAR_CALLS      2
#define NGX_HTTP_USAGE_METERING_VAR_ROWS       3
#define NGX_HTTP_USAGE_METERING_VAR_TIME       4
#define NGX_HTTP_USAGE_METERING_VAR_CURSOR     5


#define NGX_HTTP_USAGE_METERING_PREFIX  "usage_metering_account_"


static ngx_http_variable_t  ngx_http_usage_metering_vars[] = {

    { ngx_string("usage_metering_account"), NULL,
      ngx_http_usage_metering_variable_id, 0,
      NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string(NGX_HTTP_USAGE_METERING_PREFIX), NULL,
      ngx_http_usage_metering_variable_param, 0,
      NGX_HTTP_VAR_NOCACHEABLE|NGX_HTTP_VAR_PREFIX, 0 },

    { ngx_string("usage_metering_provider"), NULL,
      ngx_http_usage_metering_variable_list,
      NGX_HTTP_USAGE_METERING_VAR_PROVIDERS,
      NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("usage_metering_calls"), NULL,
      ngx_http_usage_metering_variable_num, NGX_HTTP_USAGE_METERING_VAR_CALLS,
      NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("usage_metering_rows"), NULL,
      ngx_http_usage_metering_variable_num, NGX_HTTP_USAGE_METERING_VAR_ROWS,
      NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("usage_metering_provider_time"), NULL,
      ngx_http_usage_metering_variable_num, NGX_HTTP_USAGE_METERING_VAR_TIME,
      NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("usage_metering_cursor"), NULL,
      ngx_http_usage_metering_variable_num,
      NGX_HTTP_USAGE_METERING_VAR_CURSOR,
      NGX_HTTP_VAR_NOCACHEABLE, 0 },

      ngx_http_null_variable
};


ngx_int_t
ngx_http_usage_metering_add_variables(ngx_conf_t *cf)
{
    ngx_http_variable_t  *var, *v;

    for (v = ngx_http_usage_metering_vars; v->name.len; v++) {
        var = ngx_http_add_variable(cf, &v->name, v->flags);
        if (var == NULL) {
            return NGX_ERROR;
        }

        var->get_handler = v->get_handler;
        var->data = v->data;
    }

    return NGX_OK;
}


static ngx_http_usage_metering_account_t *
ngx_http_usage_metering_account_of(ngx_http_request_t *r)
{
    ngx_http_usage_metering_ctx_t   *ctx;
    ngx_http_usage_metering_call_t  *call;

    call = ngx_http_get_module_ctx(r, ngx_http_usage_metering_module);

    if (call == NULL && r != r->main && r->post_subrequest
        && r->post_subrequest->handler == ngx_http_usage_metering_done)
    {
        call = r->post_subrequest->data;
    }

    if (call == NULL) {
        return NULL;
    }

    if (call->type == NGX_HTTP_USAGE_METERING_CALL) {
        return call->account;
    }

    ctx = (ngx_http_usage_metering_ctx_t *) call;

    return ctx->type == NGX_HTTP_USAGE_METERING_MAIN ? ctx->account : NULL;
}


static ngx_int_t
ngx_http_usage_metering_variable_id(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    ngx_http_usage_metering_ctx_t      *ctx;
    ngx_http_usage_metering_account_t  *acc;

    ctx = ngx_http_get_module_ctx(r, ngx_http_usage_metering_module);

    if (ctx && ctx->type == NGX_HTTP_USAGE_METERING_MAIN
        && ctx->ntargets > 1)
    {
        /* the client's request of several accounts: all of them */
        return ngx_http_usage_metering_variable_list(r, v,
                                       NGX_HTTP_USAGE_METERING_VAR_ACCOUNTS);
    }

    acc = ngx_http_usage_metering_account_of(r);

    if (acc == NULL) {
        v->not_found = 1;
        return NGX_OK;
    }

    v->data = acc->id.data;
    v->len = acc->id.len;
    v->valid = 1;
    v->no_cacheable = 1;
    v->not_found = 0;

    return NGX_OK;
}


static ngx_int_t
ngx_http_usage_metering_variable_param(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    ngx_str_t *name = (ngx_str_t *) data;

    ngx_str_t                           pname;
    ngx_uint_t                          i;
    ngx_http_usage_metering_param_t    *param;
    ngx_http_usage_metering_account_t  *acc;

    v->not_found = 1;

    acc = ngx_http_usage_metering_account_of(r);
    if (acc == NULL) {
        return NGX_OK;
    }

    pname.data = name->data + sizeof(NGX_HTTP_USAGE_METERING_PREFIX) - 1;
    pname.len = name->len - (sizeof(NGX_HTTP_USAGE_METERING_PREFIX) - 1);

    param = acc->params.elts;

    for (i = 0; i < acc->params.nelts; i++) {
        if (param[i].name.len == pname.len
            && ngx_strncmp(param[i].name.data, pname.data, pname.len) == 0)
        {
            v->data = param[i].value.data;
            v->len = param[i].value.len;
            v->valid = 1;
            v->no_cacheable = 1;
            v->not_found = 0;
            break;
        }
    }

    return NGX_OK;
}


/* the client request's ctx, from it or from one of its provider calls */

static ngx_http_usage_metering_ctx_t *
ngx_http_usage_metering_main_ctx(ngx_http_request_t *r)
{
    ngx_http_usage_metering_ctx_t   *ctx;
    ngx_http_usage_metering_call_t  *call;

    ctx = ngx_http_get_module_ctx(r->main, ngx_http_usage_metering_module);

    if (ctx && ctx->type == NGX_HTTP_USAGE_METERING_MAIN) {
        return ctx;
    }

    call = ngx_http_get_module_ctx(r, ngx_http_usage_metering_module);

    if (call == NULL && r != r->main && r->post_subrequest
        && r->post_subrequest->handler == ngx_http_usage_metering_done)
    {
        call = r->post_subrequest->data;
    }

    if (call && call->type == NGX_HTTP_USAGE_METERING_CALL) {
        return call->ctx;
    }

    return NULL;
}


/*
 * $usage_metering_provider (and $usage_metering_account of a request of
 * several accounts): the accounts' providers, each once, or their ids,
 * comma-separated; in a provider call, its account's.
 */

static ngx_int_t
ngx_http_usage_metering_variable_list(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    u_char                             *p;
    size_t                              len;
    ngx_str_t                          *s;
    ngx_uint_t                          i, j;
    ngx_http_usage_metering_ctx_t      *ctx;
    ngx_http_usage_metering_account_t  *acc;

    v->not_found = 1;

    ctx = ngx_http_get_module_ctx(r, ngx_http_usage_metering_module);

    if (ctx == NULL || ctx->type != NGX_HTTP_USAGE_METERING_MAIN
        || ctx->ntargets == 0)
    {
        /* a provider call, or a request that got no account */

        acc = ngx_http_usage_metering_account_of(r);
        if (acc == NULL) {
            return NGX_OK;
        }

        s = (data == NGX_HTTP_USAGE_METERING_VAR_ACCOUNTS)
            ? &acc->id : &acc->provider_name;

        v->data = s->data;
        v->len = s->len;
        v->valid = 1;
        v->no_cacheable = 1;
        v->not_found = 0;

        return NGX_OK;
    }

    len = 0;

    for (i = 0; i < ctx->ntargets; i++) {
        acc = ctx->targets[i].account;
        len += 1 + ((data == NGX_HTTP_USAGE_METERING_VAR_ACCOUNTS)
                    ? acc->id.len : acc->provider_name.len);
    }

    p = ngx_pnalloc(r->pool, len);
    if (p == NULL) {
        return NGX_ERROR;
    }

    v->data = p;

    for (i = 0; i < ctx->ntargets; i++) {
        acc = ctx->targets[i].account;

        if (data == NGX_HTTP_USAGE_METERING_VAR_ACCOUNTS) {
            s = &acc->id;

        } else {
            s = &acc->provider_name;

            for (j = 0; j < i; j++) {
                if (ctx->targets[j].account->provider == acc->provider) {
                    break;
                }
            }

            if (j < i) {
                continue;
            }
        }

        if (p != v->data) {
            *p++ = ',';
        }

        p = ngx_cpymem(p, s->data, s->len);
    }

    v->len = p - v->data;
    v->valid = 1;
    v->no_cacheable = 1;
    v->not_found = 0;

    return NGX_OK;
}


/*
 * $usage_metering_calls, _rows, _provider_time, _cursor: numbers of the
 * client's request, so far when read in a provider call.
 */

static ngx_int_t
ngx_http_usage_metering_variable_num(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    u_char                         *p;
    uint64_t                        n;
    ngx_http_usage_metering_ctx_t  *ctx;

    ctx = ngx_http_usage_metering_main_ctx(r);

    if (ctx == NULL) {
        v->not_found = 1;
        return NGX_OK;
    }

    switch (data) {

    case NGX_HTTP_USAGE_METERING_VAR_CALLS:
        n = ctx->provider_calls;
        break;

    case NGX_HTTP_USAGE_METERING_VAR_ROWS:
        n = ctx->rows;
        break;

    case NGX_HTTP_USAGE_METERING_VAR_TIME:
        n = ctx->provider_time;
        break;

    default: /* NGX_HTTP_USAGE_METERING_VAR_CURSOR */
        n = (ctx->req.next_cursor.len != 0);
        break;
    }

    p = ngx_pnalloc(r->pool, NGX_INT64_LEN);
    if (p == NULL) {
        return NGX_ERROR;
    }

    v->data = p;
    v->len = ngx_sprintf(p, "%uL", n) - p;
    v->valid = 1;
    v->no_cacheable = 1;
    v->not_found = 0;

    return NGX_OK;
}
