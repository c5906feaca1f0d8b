/*
 * Variables: $usage_metering_account (the account id) and
 * $usage_metering_account_<name> (an account parameter), for the provider
 * locations, e.g.
 *     proxy_set_header Authorization "Bearer $usage_metering_account_key";
 *
 * They read the account of the provider call being proxied, so one
 * location serves every account of a provider.
 */

#include "ngx_http_usage_metering.h"


static ngx_int_t ngx_http_usage_metering_variable_id(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data);
static ngx_int_t ngx_http_usage_metering_variable_param(
    ngx_http_request_t *r, ngx_http_variable_value_t *v, uintptr_t data);
static ngx_http_usage_metering_account_t *ngx_http_usage_metering_account_of(
    ngx_http_request_t *r);


#define NGX_HTTP_USAGE_METERING_PREFIX  "usage_metering_account_"


static ngx_http_variable_t  ngx_http_usage_metering_vars[] = {

    { ngx_string("usage_metering_account"), NULL,
      ngx_http_usage_metering_variable_id, 0,
      NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string(NGX_HTTP_USAGE_METERING_PREFIX), NULL,
      ngx_http_usage_metering_variable_param, 0,
      NGX_HTTP_VAR_NOCACHEABLE|NGX_HTTP_VAR_PREFIX, 0 },

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
    ngx_http_usage_metering_account_t  *acc;

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
