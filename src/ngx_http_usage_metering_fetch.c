/*
 * Provider calls: background subrequests to the account's internal
 * location, which holds the credentials and proxy_passes to the provider.
 *
 * A round's calls (the pages of every stream, and the joins with the first
 * page) are issued at most usage_metering_parallel at a time.  Background
 * subrequests never hold back the client's output and never wake the
 * parent by themselves, so the post-subrequest handler posts it; resume
 * issues the next ones or, once none is pending, maps the round.
 */

#include "ngx_http_usage_metering.h"


static ngx_int_t ngx_http_usage_metering_fetch(ngx_http_request_t *r,
    ngx_http_usage_metering_call_t *call);
static void ngx_http_usage_metering_call_cleanup(void *data);


ngx_http_usage_metering_call_t *
ngx_http_usage_metering_call_new(ngx_http_request_t *r,
    ngx_http_usage_metering_ctx_t *ctx,
    ngx_http_usage_metering_account_t *account, um_call_t *spec)
{
    ngx_pool_cleanup_t                  *cln;
    ngx_http_usage_metering_call_t      *call;
    ngx_http_usage_metering_loc_conf_t  *umlcf;

    umlcf = ngx_http_get_module_loc_conf(r, ngx_http_usage_metering_module);

    call = ngx_pcalloc(r->pool, sizeof(ngx_http_usage_metering_call_t));
    if (call == NULL) {
        return NULL;
    }

    call->type = NGX_HTTP_USAGE_METERING_CALL;
    call->ctx = ctx;
    call->account = account;
    call->spec = *spec;
    call->max = umlcf->max_body;

    /* the body is malloc'd: freed once mapped, or with the request */

    cln = ngx_pool_cleanup_add(r->pool, 0);
    if (cln == NULL) {
        return NULL;
    }

    cln->handler = ngx_http_usage_metering_call_cleanup;
    cln->data = call;

    return call;
}


/* issues the round's next calls, up to usage_metering_parallel running */

ngx_int_t
ngx_http_usage_metering_issue(ngx_http_request_t *r,
    ngx_http_usage_metering_ctx_t *ctx)
{
    ngx_http_usage_metering_loc_conf_t  *umlcf;

    umlcf = ngx_http_get_module_loc_conf(r, ngx_http_usage_metering_module);

    if (ctx->issued == 0) {
        ctx->round_start = ngx_current_msec;
    }

    while (ctx->issued < ctx->ncalls && ctx->pending < umlcf->parallel) {
        if (ngx_http_usage_metering_fetch(r, ctx->calls[ctx->issued])
            != NGX_OK)
        {
            return NGX_ERROR;
        }

        ctx->issued++;
        ctx->pending++;
        ctx->provider_calls++;      /* $usage_metering_calls */
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_usage_metering_fetch(ngx_http_request_t *r,
    ngx_http_usage_metering_call_t *call)
{
    ngx_buf_t                          *b;
    ngx_str_t                           uri, args;
    um_call_t                          *spec;
    ngx_chain_t                        *cl;
    ngx_http_request_t                 *sr;
    ngx_http_request_body_t            *rb;
    ngx_http_post_subrequest_t         *ps;
    ngx_http_usage_metering_account_t  *acc;

    static ngx_str_t  post = ngx_string("POST");

    acc = call->account;
    spec = &call->spec;

    uri.len = acc->upstream.len + spec->path.len;
    uri.data = ngx_pnalloc(r->pool, uri.len);
    if (uri.data == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(ngx_cpymem(uri.data, acc->upstream.data, acc->upstream.len),
               spec->path.data, spec->path.len);

    args.len = spec->args.len;
    args.data = ngx_pnalloc(r->pool, args.len + 1);
    if (args.data == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(args.data, spec->args.data, args.len);

    ps = ngx_palloc(r->pool, sizeof(ngx_http_post_subrequest_t));
    if (ps == NULL) {
        return NGX_ERROR;
    }

    ps->handler = ngx_http_usage_metering_done;
    ps->data = call;

    ngx_log_debug4(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "usage_metering: call %*s %V?%V", spec->method.len,
                   spec->method.data, &uri, &args);

    if (ngx_http_subrequest(r, &uri, &args, &sr, ps,
                            NGX_HTTP_SUBREQUEST_BACKGROUND)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    ngx_http_set_ctx(sr, call, ngx_http_usage_metering_module);

    call->sr = sr;
    call->issued = 1;
    sr->header_only = 0;

    /*
     * The subrequest gets its own body, so the client's is never read or
     * forwarded: empty for GET, the mapping's JSON for POST.
     */

    rb = ngx_pcalloc(r->pool, sizeof(ngx_http_request_body_t));
    if (rb == NULL) {
        return NGX_ERROR;
    }

    sr->request_body = rb;
    sr->headers_in.content_length = NULL;
    sr->headers_in.transfer_encoding = NULL;
    sr->headers_in.chunked = 0;
    sr->headers_in.content_length_n = -1;

    if (spec->method.len == 4
        && ngx_strncmp(spec->method.data, "POST", 4) == 0)
    {
        sr->method = NGX_HTTP_POST;
        sr->method_name = post;

        b = ngx_calloc_buf(r->pool);
        cl = ngx_alloc_chain_link(r->pool);
        if (b == NULL || cl == NULL) {
            return NGX_ERROR;
        }

        b->pos = ngx_pnalloc(r->pool, spec->body.len + 1);
        if (b->pos == NULL) {
            return NGX_ERROR;
        }

        b->last = ngx_cpymem(b->pos, spec->body.data, spec->body.len);
        b->start = b->pos;
        b->end = b->last;
        b->memory = 1;
        b->last_buf = 1;
        b->last_in_chain = 1;

        cl->buf = b;
        cl->next = NULL;

        rb->bufs = cl;
        rb->buf = b;
        sr->headers_in.content_length_n = spec->body.len;

        call->body_sent.data = b->pos;
        call->body_sent.len = spec->body.len;
    }

    return NGX_OK;
}


/*
 * The post-subrequest handler.  Its return value replaces the subrequest's
 * rc: a failed provider call (NGX_ERROR, 502, 504, ...) is recorded and
 * reported as NGX_OK, because nginx would otherwise terminate the client's
 * request on NGX_ERROR or build an error page for the subrequest.  Only a
 * failure of the client's own connection (408, 499, 444) goes through.
 */

ngx_int_t
ngx_http_usage_metering_done(ngx_http_request_t *sr, void *data,
    ngx_int_t rc)
{
    ngx_http_usage_metering_call_t  *call = data;

    ngx_uint_t                  i;
    ngx_http_request_t         *pr;
    ngx_http_upstream_state_t  *st;

    if (rc == NGX_HTTP_REQUEST_TIME_OUT
        || rc == NGX_HTTP_CLIENT_CLOSED_REQUEST
        || rc == NGX_HTTP_CLOSE)
    {
        return rc;
    }

    /* once only; and a subrequest a 429 retry replaced has no say */

    if (call->done || call->sr != sr) {
        return NGX_OK;
    }

    call->done = 1;
    call->rc = rc;

    /* $usage_metering_provider_time: what $upstream_response_time says */

    if (sr->upstream_states) {
        st = sr->upstream_states->elts;

        for (i = 0; i < sr->upstream_states->nelts; i++) {
            if (st[i].response_time != (ngx_msec_t) -1) {
                call->ctx->provider_time += st[i].response_time;
            }
        }
    }

    ngx_log_debug4(NGX_LOG_DEBUG_HTTP, sr->connection->log, 0,
                   "usage_metering: call done rc:%i status:%ui len:%uz "
                   "eof:%ud", rc, call->status, call->len,
                   (ngx_uint_t) call->eof);

    call->ctx->pending--;

    pr = sr->parent;
    pr->write_event_handler = ngx_http_usage_metering_resume;

    /* a background subrequest does not wake its parent */

    (void) ngx_http_post_request(pr, NULL);

    if (rc == NGX_ERROR || rc >= NGX_HTTP_SPECIAL_RESPONSE) {
        sr->header_sent = 1;
        return NGX_OK;
    }

    return rc;
}


static void
ngx_http_usage_metering_call_cleanup(void *data)
{
    ngx_http_usage_metering_call_t  *call = data;

    if (call->body) {
        ngx_http_usage_metering_block_put(call->body, call->cap);
        call->body = NULL;
    }
}
