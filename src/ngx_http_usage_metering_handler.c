/*
 * The content handler and the resume handler of the client's request.
 *
 * The handler does everything that needs no provider: API key, method,
 * route, parameters, account, mapping; then it issues the provider call
 * and returns NGX_DONE.  When the call has finished, the post-subrequest
 * handler (fetch.c) posts the request and nginx runs resume, which maps
 * the captured body and answers in the requested format (output.c).
 */

#include "ngx_http_usage_metering.h"


static ngx_http_usage_metering_ctx_t *ngx_http_usage_metering_ctx_create(
    ngx_http_request_t *r);
static ngx_int_t ngx_http_usage_metering_start(ngx_http_request_t *r,
    ngx_http_usage_metering_ctx_t *ctx);
static ngx_int_t ngx_http_usage_metering_account(ngx_http_request_t *r,
    ngx_http_usage_metering_ctx_t *ctx);
static ngx_int_t ngx_http_usage_metering_without_call(ngx_http_request_t *r,
    ngx_http_usage_metering_ctx_t *ctx);
static ngx_int_t ngx_http_usage_metering_finish(ngx_http_request_t *r,
    ngx_http_usage_metering_ctx_t *ctx);
static ngx_int_t ngx_http_usage_metering_call_failed(ngx_http_request_t *r,
    ngx_http_usage_metering_ctx_t *ctx, ngx_http_usage_metering_call_t *call);
static void ngx_http_usage_metering_ctx_cleanup(void *data);


ngx_int_t
ngx_http_usage_metering_handler(ngx_http_request_t *r)
{
    ngx_int_t                            rc;
    ngx_http_usage_metering_ctx_t       *ctx;
    ngx_http_usage_metering_loc_conf_t  *umlcf;

    umlcf = ngx_http_get_module_loc_conf(r, ngx_http_usage_metering_module);

    ctx = ngx_http_usage_metering_ctx_create(r);
    if (ctx == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /* the key first: without one, nothing else is said */

    if (ngx_http_usage_metering_auth(r, umlcf, &ctx->key) != NGX_OK) {
        ngx_http_discard_request_body(r);
        um_error_set(&ctx->err, NGX_HTTP_UNAUTHORIZED,
                     "a valid API key is required: "
                     "Authorization: Bearer <key>");
        return ngx_http_usage_metering_fail(r, ctx);
    }

    if (!(r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD))) {
        ngx_http_discard_request_body(r);
        um_error_set(&ctx->err, NGX_HTTP_NOT_ALLOWED,
                     "only GET and HEAD are allowed");
        return ngx_http_usage_metering_fail(r, ctx);
    }

    rc = ngx_http_discard_request_body(r);
    if (rc != NGX_OK) {
        return rc;
    }

    rc = ngx_http_usage_metering_start(r, ctx);

    if (rc == NGX_DONE) {
        /* the provider call is under way; resume answers */
        r->main->count++;
        return NGX_DONE;
    }

    return rc;
}


static ngx_http_usage_metering_ctx_t *
ngx_http_usage_metering_ctx_create(ngx_http_request_t *r)
{
    ngx_pool_cleanup_t             *cln;
    ngx_http_usage_metering_ctx_t  *ctx;

    ctx = ngx_pcalloc(r->pool, sizeof(ngx_http_usage_metering_ctx_t));
    if (ctx == NULL) {
        return NULL;
    }

    ctx->type = NGX_HTTP_USAGE_METERING_MAIN;

    /* engine memory is malloc'd: released with the request, even on abort */

    cln = ngx_pool_cleanup_add(r->pool, 0);
    if (cln == NULL) {
        return NULL;
    }

    cln->handler = ngx_http_usage_metering_ctx_cleanup;
    cln->data = ctx;

    ctx->arena = um_arena_create(8192, 16 * 1024 * 1024);
    ctx->page_arena = um_arena_create(64 * 1024, 256 * 1024 * 1024);

    if (ctx->arena == NULL || ctx->page_arena == NULL) {
        return NULL;
    }

    um_buf_init(&ctx->out, NULL, 0);

    ngx_http_set_ctx(r, ctx, ngx_http_usage_metering_module);

    return ctx;
}


static ngx_int_t
ngx_http_usage_metering_start(ngx_http_request_t *r,
    ngx_http_usage_metering_ctx_t *ctx)
{
    size_t                               len;
    u_char                              *p;
    um_call_t                            call;
    ngx_time_t                          *tp;
    um_request_t                        *req;
    const um_provider_t                 *prov;
    ngx_http_core_loc_conf_t            *clcf;
    ngx_http_usage_metering_loc_conf_t  *umlcf;

    req = &ctx->req;
    umlcf = ngx_http_get_module_loc_conf(r, ngx_http_usage_metering_module);
    clcf = ngx_http_get_module_loc_conf(r, ngx_http_core_module);

    /* the resource and id: the URI after the location's prefix */

    p = r->uri.data;
    len = r->uri.len;

    if (len >= clcf->name.len) {
        p += clcf->name.len;
        len -= clcf->name.len;

    } else {
        len = 0;
    }

    if (um_request_route(ctx->arena, req, (char *) p, len, &ctx->err)
        != UM_OK
        || um_request_parse(ctx->arena, req, (char *) r->args.data,
                            r->args.len, &ctx->err)
           != UM_OK)
    {
        return ngx_http_usage_metering_fail(r, ctx);
    }

    if (ngx_http_usage_metering_account(r, ctx) != NGX_OK) {
        return ngx_http_usage_metering_fail(r, ctx);
    }

    prov = ctx->account->provider;
    ctx->method = prov->methods[req->resource][req->op];

    if (ctx->method == NULL) {
        um_error_set(&ctx->err, NGX_HTTP_NOT_FOUND,
                     "resource \"%s\"%s is not supported by provider \"%.*s\"",
                     um_resource_name(req->resource),
                     req->op == UM_OP_GET ? " (get by id)" : "",
                     (int) prov->name.len, prov->name.data);
        return ngx_http_usage_metering_fail(r, ctx);
    }

    /* $now and $millis() are frozen for the whole request */

    tp = ngx_timeofday();

    if (um_exec_init(&ctx->exec, ctx->method, req, ctx->account->value,
                     ctx->arena, ctx->page_arena,
                     (double) tp->sec * 1000 + (double) tp->msec, &ctx->err)
        != UM_OK)
    {
        return ngx_http_usage_metering_fail(r, ctx);
    }

    /* response shaping, the same for every provider */

    ctx->exec.remote_data = !(req->ignore_remote_data
                              || req->format == UM_FMT_NORMALIZED);
    ctx->exec.exclude = req->exclude;
    ctx->exec.nexclude = req->nexclude;

    if (ctx->method->op == UM_OP_LIST) {
        ctx->exec.key_by.data = req->key_by.data;
        ctx->exec.key_by.len = req->key_by.len;
    }

    ctx->out.limit = umlcf->max_response;

    if (ctx->method->is_static || req->skip_api_call) {
        return ngx_http_usage_metering_without_call(r, ctx);
    }

    if (req->format == UM_FMT_STREAM) {
        um_error_set(&ctx->err, NGX_HTTP_BAD_REQUEST,
                     "truto_response_format=stream is not available yet");
        return ngx_http_usage_metering_fail(r, ctx);
    }

    if (um_exec_call(&ctx->exec, (um_str_t) { NULL, 0 }, &call) != UM_OK) {
        return ngx_http_usage_metering_fail(r, ctx);
    }

    if (ngx_http_usage_metering_fetch(r, ctx, &call) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    r->write_event_handler = ngx_http_usage_metering_resume;

    return NGX_DONE;
}


/*
 * integrated_account_id to a configured account the API key may use; an
 * unknown account and one outside the key's set get the same 404.
 */

static ngx_int_t
ngx_http_usage_metering_account(ngx_http_request_t *r,
    ngx_http_usage_metering_ctx_t *ctx)
{
    ngx_str_t                             id;
    ngx_uint_t                            key;
    um_request_t                         *req;
    ngx_http_usage_metering_main_conf_t  *umcf;

    req = &ctx->req;
    umcf = ngx_http_get_module_main_conf(r, ngx_http_usage_metering_module);

    if (req->naccounts == 0) {
        um_error_set(&ctx->err, NGX_HTTP_BAD_REQUEST,
                     "integrated_account_id is required");
        return NGX_ERROR;
    }

    if (req->naccounts > 1) {
        um_error_set(&ctx->err, NGX_HTTP_BAD_REQUEST,
                     "integrated_account_id is given more than once");
        return NGX_ERROR;
    }

    id.data = (u_char *) req->accounts[0].data;
    id.len = req->accounts[0].len;

    key = ngx_hash_key(id.data, id.len);
    ctx->account = ngx_hash_find(&umcf->accounts_hash, key, id.data, id.len);

    if (ctx->account == NULL
        || !ngx_http_usage_metering_key_allows(ctx->key, &id))
    {
        ctx->account = NULL;
        um_error_set(&ctx->err, NGX_HTTP_NOT_FOUND,
                     "integrated account not found");
        return NGX_ERROR;
    }

    return NGX_OK;
}


/* static methods, and truto_skip_api_call: answered without a provider */

static ngx_int_t
ngx_http_usage_metering_without_call(ngx_http_request_t *r,
    ngx_http_usage_metering_ctx_t *ctx)
{
    um_page_t  page;

    ngx_memzero(&page, sizeof(um_page_t));

    if (ctx->method->is_static && !ctx->req.skip_api_call) {
        if (um_exec_static(&ctx->exec, &ctx->out, &page) != UM_OK) {
            return ngx_http_usage_metering_fail(r, ctx);
        }
    }

    if (ctx->method->op == UM_OP_GET) {
        um_error_set(&ctx->err, NGX_HTTP_NOT_FOUND,
                     "no provider call was made (truto_skip_api_call)");
        return ngx_http_usage_metering_fail(r, ctx);
    }

    return ngx_http_usage_metering_send_answer(r, ctx, NULL, &page);
}


/*
 * Runs when a provider call has finished, and on spurious write events of
 * the client's connection: it acts only once nothing is pending.
 */

void
ngx_http_usage_metering_resume(ngx_http_request_t *r)
{
    ngx_int_t                       rc;
    ngx_http_usage_metering_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_usage_metering_module);

    if (ctx == NULL || ctx->pending || ctx->call == NULL) {
        return;
    }

    rc = ngx_http_usage_metering_finish(r, ctx);

    ngx_http_finalize_request(r, rc);
}


static ngx_int_t
ngx_http_usage_metering_finish(ngx_http_request_t *r,
    ngx_http_usage_metering_ctx_t *ctx)
{
    um_page_t                        page;
    ngx_http_usage_metering_call_t  *call;

    call = ctx->call;
    ctx->call = NULL;

    if (call->too_big || call->failed || call->status == 0
        || call->rc == NGX_ERROR
        || (call->rc >= NGX_HTTP_SPECIAL_RESPONSE && call->status < 300)
        || (call->status >= 200 && call->status < 300 && !call->eof))
    {
        return ngx_http_usage_metering_call_failed(r, ctx, call);
    }

    ngx_http_usage_metering_provider_headers(r, ctx, call);

    if (ctx->req.format == UM_FMT_RAW) {
        return ngx_http_usage_metering_send_raw(r, ctx, call);
    }

    if (call->status < 200 || call->status >= 300) {
        return ngx_http_usage_metering_send_remote_error(r, ctx, call);
    }

    if (um_exec_page(&ctx->exec, (char *) call->body, call->len, &ctx->out,
                     &page)
        != UM_OK)
    {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "usage_metering: account \"%V\": %s",
                      &ctx->account->id, ctx->err.msg);
        return ngx_http_usage_metering_fail(r, ctx);
    }

    return ngx_http_usage_metering_send_answer(r, ctx, call, &page);
}


/* the call brought no usable answer: say why, in the log and to the client */

static ngx_int_t
ngx_http_usage_metering_call_failed(ngx_http_request_t *r,
    ngx_http_usage_metering_ctx_t *ctx, ngx_http_usage_metering_call_t *call)
{
    if (call->too_big) {
        um_error_set(&ctx->err, NGX_HTTP_BAD_GATEWAY,
                     "the provider's answer is larger than "
                     "usage_metering_max_body");
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "usage_metering: account \"%V\": %s (%uz bytes)",
                      &ctx->account->id, ctx->err.msg, call->max);

    } else if (call->rc == NGX_HTTP_GATEWAY_TIME_OUT
               || call->status == NGX_HTTP_GATEWAY_TIME_OUT)
    {
        um_error_set(&ctx->err, NGX_HTTP_GATEWAY_TIME_OUT,
                     "the provider did not answer in time");
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "usage_metering: account \"%V\": %s",
                      &ctx->account->id, ctx->err.msg);

    } else if (call->status >= 200 && call->status < 300 && !call->eof
               && !call->failed && call->rc != NGX_ERROR)
    {
        um_error_set(&ctx->err, NGX_HTTP_BAD_GATEWAY,
                     "the provider's answer was cut short");
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "usage_metering: account \"%V\": %s",
                      &ctx->account->id, ctx->err.msg);

    } else {
        um_error_set(&ctx->err, NGX_HTTP_BAD_GATEWAY,
                     "the provider could not be reached or its answer "
                     "was cut short");
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "usage_metering: account \"%V\": %s (status %ui)",
                      &ctx->account->id, ctx->err.msg, call->status);
    }

    return ngx_http_usage_metering_fail(r, ctx);
}


ngx_int_t
ngx_http_usage_metering_fail(ngx_http_request_t *r,
    ngx_http_usage_metering_ctx_t *ctx)
{
    ngx_uint_t  status;

    status = ctx->err.status ? (ngx_uint_t) ctx->err.status
                             : NGX_HTTP_INTERNAL_SERVER_ERROR;

    return ngx_http_usage_metering_send_error(r, status, ctx->err.msg,
                                              ngx_strlen(ctx->err.msg));
}


static void
ngx_http_usage_metering_ctx_cleanup(void *data)
{
    ngx_http_usage_metering_ctx_t  *ctx = data;

    um_buf_free(&ctx->out);

    if (ctx->page_arena) {
        um_arena_destroy(ctx->page_arena);
    }

    if (ctx->arena) {
        um_arena_destroy(ctx->arena);
    }
}
