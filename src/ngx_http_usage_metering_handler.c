/*
 * The content handler and the resume handler of the client's request.
 *
 * The handler does everything that needs no provider: API key, method,
 * route, parameters, accounts, mappings, cursor.  The request is then a
 * set of streams, the pages of each call of each account's mapping, and
 * it proceeds in rounds: every stream that has more fetches its next page
 * (fetch.c), and once the round's calls are all done, resume maps them in
 * order.  A list answers after one round, with a next_cursor when a stream
 * has more; the stream format sends each round's rows and starts the next
 * round only when the client has taken them.
 */

#include "ngx_http_usage_metering.h"


/*
 * Bytes of provider records mapped in one go (some milliseconds): a larger
 * page is mapped in slices with the worker's other events in between.
 */
#define NGX_HTTP_USAGE_METERING_SLICE  (256 * 1024)


static ngx_http_usage_metering_ctx_t *ngx_http_usage_metering_ctx_create(
    ngx_http_request_t *r);
static ngx_int_t ngx_http_usage_metering_start(ngx_http_request_t *r,
    ngx_http_usage_metering_ctx_t *ctx);
static ngx_int_t ngx_http_usage_metering_targets(ngx_http_request_t *r,
    ngx_http_usage_metering_ctx_t *ctx);
static ngx_int_t ngx_http_usage_metering_streams(ngx_http_request_t *r,
    ngx_http_usage_metering_ctx_t *ctx);
static ngx_int_t ngx_http_usage_metering_cursor_in(ngx_http_request_t *r,
    ngx_http_usage_metering_ctx_t *ctx);
static ngx_int_t ngx_http_usage_metering_cursor_out(ngx_http_request_t *r,
    ngx_http_usage_metering_ctx_t *ctx);
static ngx_int_t ngx_http_usage_metering_round(ngx_http_request_t *r,
    ngx_http_usage_metering_ctx_t *ctx);
static ngx_int_t ngx_http_usage_metering_round_done(ngx_http_request_t *r,
    ngx_http_usage_metering_ctx_t *ctx);
static ngx_int_t ngx_http_usage_metering_map_round(ngx_http_request_t *r,
    ngx_http_usage_metering_ctx_t *ctx);
static void ngx_http_usage_metering_slice_handler(ngx_event_t *ev);
static ngx_int_t ngx_http_usage_metering_retry(ngx_http_request_t *r,
    ngx_http_usage_metering_ctx_t *ctx);
static ngx_msec_int_t ngx_http_usage_metering_retry_after(
    ngx_http_usage_metering_ctx_t *ctx, ngx_http_usage_metering_call_t *call);
static void ngx_http_usage_metering_retry_handler(ngx_event_t *ev);
static ngx_int_t ngx_http_usage_metering_map(ngx_http_request_t *r,
    ngx_http_usage_metering_ctx_t *ctx,
    ngx_http_usage_metering_stream_t *st, ngx_int_t *rc);
static ngx_int_t ngx_http_usage_metering_next(ngx_http_request_t *r,
    ngx_http_usage_metering_ctx_t *ctx);
static void ngx_http_usage_metering_drain(ngx_http_request_t *r,
    ngx_http_usage_metering_ctx_t *ctx);
static ngx_int_t ngx_http_usage_metering_call_failed(ngx_http_request_t *r,
    ngx_http_usage_metering_ctx_t *ctx, ngx_http_usage_metering_call_t *call);
static ngx_int_t ngx_http_usage_metering_call_ok(
    ngx_http_usage_metering_call_t *call);
static void ngx_http_usage_metering_ctx_cleanup(void *data);


ngx_int_t
ngx_http_usage_metering_handler(ngx_http_request_t *r)
{
    ngx_int_t                            rc;
    ngx_http_usage_metering_ctx_t       *ctx;
    ngx_http_usage_metering_loc_conf_t  *umlcf;

    umlcf = ngx_http_get_module_loc_conf(r, ngx_http_usage_metering_module);

    /* openapi.json and the meta endpoints: public, no provider call */

    rc = ngx_http_usage_metering_meta_handler(r);
    if (rc != NGX_DECLINED) {
        return rc;
    }

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
        /* provider calls are under way; resume answers */
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
    um_request_t                        *req;
    ngx_table_elt_t                     *accept;
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

    ctx->stream = (req->format == UM_FMT_STREAM);

    if (ctx->stream) {
        if (req->op == UM_OP_GET) {
            um_error_set(&ctx->err, NGX_HTTP_BAD_REQUEST,
                         "truto_response_format=stream is for lists");
            return ngx_http_usage_metering_fail(r, ctx);
        }

        accept = r->headers_in.accept;

        ctx->ndjson = accept
                      && ngx_strlcasestrn(accept->value.data,
                                          accept->value.data
                                          + accept->value.len,
                                          (u_char *) "application/x-ndjson",
                                          sizeof("application/x-ndjson") - 2)
                         != NULL;
    }

    ctx->out.limit = ctx->stream ? 0 : umlcf->max_response;

    if (ngx_http_usage_metering_targets(r, ctx) != NGX_OK
        || ngx_http_usage_metering_streams(r, ctx) != NGX_OK)
    {
        return ngx_http_usage_metering_fail(r, ctx);
    }

    if (req->next_cursor.len
        && ngx_http_usage_metering_cursor_in(r, ctx) != NGX_OK)
    {
        return ngx_http_usage_metering_fail(r, ctx);
    }

    if (req->skip_api_call) {
        if (req->op == UM_OP_GET) {
            um_error_set(&ctx->err, NGX_HTTP_NOT_FOUND,
                         "no provider call was made (truto_skip_api_call)");
            return ngx_http_usage_metering_fail(r, ctx);
        }

        return ngx_http_usage_metering_send_answer(r, ctx, NULL);
    }

    /* a client that goes away ends the provider calls too */

    r->read_event_handler = ngx_http_test_reading;
    r->write_event_handler = ngx_http_usage_metering_resume;

    return ngx_http_usage_metering_round(r, ctx);
}


/*
 * integrated_account_id (given once or more) to configured accounts the
 * API key may use; an unknown account and one outside the key's set get
 * the same 404.
 */

static ngx_int_t
ngx_http_usage_metering_targets(ngx_http_request_t *r,
    ngx_http_usage_metering_ctx_t *ctx)
{
    ngx_str_t                             id;
    ngx_uint_t                            i, j, key;
    ngx_time_t                           *tp;
    um_request_t                         *req;
    const um_provider_t                  *prov;
    ngx_http_usage_metering_target_t     *t;
    ngx_http_usage_metering_account_t    *acc;
    ngx_http_usage_metering_main_conf_t  *umcf;

    req = &ctx->req;
    umcf = ngx_http_get_module_main_conf(r, ngx_http_usage_metering_module);

    if (req->naccounts == 0) {
        um_error_set(&ctx->err, NGX_HTTP_BAD_REQUEST,
                     "integrated_account_id is required");
        return NGX_ERROR;
    }

    if (req->naccounts > 1 && req->op == UM_OP_GET) {
        um_error_set(&ctx->err, NGX_HTTP_BAD_REQUEST,
                     "a get takes one integrated_account_id");
        return NGX_ERROR;
    }

    ctx->targets = ngx_pcalloc(r->pool, req->naccounts
                               * sizeof(ngx_http_usage_metering_target_t));
    if (ctx->targets == NULL) {
        return NGX_ERROR;
    }

    /* $now and $millis() are frozen for the whole request */

    tp = ngx_timeofday();

    for (i = 0; i < req->naccounts; i++) {
        id.data = (u_char *) req->accounts[i].data;
        id.len = req->accounts[i].len;

        for (j = 0; j < i; j++) {
            if (req->accounts[j].len == id.len
                && ngx_strncmp(req->accounts[j].data, id.data, id.len) == 0)
            {
                um_error_set(&ctx->err, NGX_HTTP_BAD_REQUEST,
                             "an integrated_account_id is given twice");
                return NGX_ERROR;
            }
        }

        key = ngx_hash_key(id.data, id.len);
        acc = ngx_hash_find(&umcf->accounts_hash, key, id.data, id.len);

        if (acc == NULL || !ngx_http_usage_metering_key_allows(ctx->key, &id))
        {
            um_error_set(&ctx->err, NGX_HTTP_NOT_FOUND,
                         "integrated account not found");
            return NGX_ERROR;
        }

        t = &ctx->targets[i];
        t->account = acc;
        prov = acc->provider;
        t->method = prov->methods[req->resource][req->op];

        if (t->method == NULL) {
            um_error_set(&ctx->err, NGX_HTTP_NOT_FOUND,
                         "resource \"%s\"%s is not supported by provider "
                         "\"%.*s\"", um_resource_name(req->resource),
                         req->op == UM_OP_GET ? " (get by id)" : "",
                         (int) prov->name.len, prov->name.data);
            return NGX_ERROR;
        }

        if (um_exec_init(&t->exec, prov, t->method, req, acc->value,
                         ctx->arena, ctx->page_arena,
                         (double) tp->sec * 1000 + (double) tp->msec,
                         &ctx->err)
            != UM_OK)
        {
            return NGX_ERROR;
        }

        /* response shaping, the same for every provider */

        t->exec.remote_data = !(req->ignore_remote_data
                                || req->format == UM_FMT_NORMALIZED);
        t->exec.exclude = req->exclude;
        t->exec.nexclude = req->nexclude;
        t->exec.count = &ctx->rows;
        t->exec.ndjson = ctx->ndjson;
        t->exec.slice = NGX_HTTP_USAGE_METERING_SLICE;

        if (req->op == UM_OP_LIST && !ctx->ndjson) {
            t->exec.key_by.data = req->key_by.data;
            t->exec.key_by.len = req->key_by.len;
        }

        /* the rows of several accounts say whose they are */

        if (req->naccounts > 1) {
            t->exec.tag.data = (char *) acc->id.data;
            t->exec.tag.len = acc->id.len;
        }
    }

    ctx->ntargets = req->naccounts;
    ctx->account = ctx->targets[0].account;
    ctx->method = ctx->targets[0].method;

    return NGX_OK;
}


/* the streams: a static method is one, else one per call it makes */

static ngx_int_t
ngx_http_usage_metering_streams(ngx_http_request_t *r,
    ngx_http_usage_metering_ctx_t *ctx)
{
    int                                active;
    ngx_uint_t                         i, k, n;
    ngx_http_usage_metering_target_t  *t;

    n = 0;

    for (i = 0; i < ctx->ntargets; i++) {
        n += ctx->targets[i].method->is_static ? 1
             : ctx->targets[i].method->ncalls;
    }

    ctx->streams = ngx_pcalloc(r->pool,
                          n * sizeof(ngx_http_usage_metering_stream_t));
    if (ctx->streams == NULL) {
        return NGX_ERROR;
    }

    for (i = 0; i < ctx->ntargets; i++) {
        t = &ctx->targets[i];

        if (t->method->is_static) {
            ctx->streams[ctx->nstreams++].target = t;
            continue;
        }

        for (k = 0; k < t->method->ncalls; k++) {
            if (um_exec_call_active(&t->exec, k, &active) != UM_OK) {
                return NGX_ERROR;
            }

            if (active) {
                ctx->streams[ctx->nstreams].target = t;
                ctx->streams[ctx->nstreams].index = k;
                ctx->nstreams++;
            }
        }
    }

    return NGX_OK;
}


/* next_cursor given: each stream resumes where the cursor says */

static ngx_int_t
ngx_http_usage_metering_cursor_in(ngx_http_request_t *r,
    ngx_http_usage_metering_ctx_t *ctx)
{
    uint8_t                               digest[UM_CURSOR_DIGEST];
    ngx_uint_t                            i;
    um_cursor_t                           c;
    ngx_http_usage_metering_stream_t     *st;
    ngx_http_usage_metering_main_conf_t  *umcf;

    umcf = ngx_http_get_module_main_conf(r, ngx_http_usage_metering_module);

    um_cursor_digest(&ctx->req, digest);

    if (um_cursor_decode(ctx->arena, ctx->req.next_cursor,
                         umcf->cursor_secret.data, umcf->cursor_secret.len,
                         ngx_time(), umcf->cursor_ttl, digest, &c, &ctx->err)
        != UM_OK)
    {
        return NGX_ERROR;
    }

    for (i = 0; i < ctx->nstreams; i++) {
        ctx->streams[i].done = 1;
    }

    for (i = 0; i < c.nparts; i++) {
        if (c.parts[i].stream >= ctx->nstreams) {
            um_error_set(&ctx->err, NGX_HTTP_BAD_REQUEST,
                         "next_cursor is not valid");
            return NGX_ERROR;
        }

        st = &ctx->streams[c.parts[i].stream];
        st->done = 0;
        st->offset = c.parts[i].offset;
        st->cont.data = (u_char *) c.parts[i].cont.data;
        st->cont.len = c.parts[i].cont.len;
    }

    return NGX_OK;
}


/* the next_cursor of this answer: the streams that have more */

static ngx_int_t
ngx_http_usage_metering_cursor_out(ngx_http_request_t *r,
    ngx_http_usage_metering_ctx_t *ctx)
{
    um_str_t                              tok;
    ngx_uint_t                            i;
    um_cursor_t                           c;
    ngx_http_usage_metering_stream_t     *st;
    ngx_http_usage_metering_main_conf_t  *umcf;

    umcf = ngx_http_get_module_main_conf(r, ngx_http_usage_metering_module);

    ngx_str_null(&ctx->next_cursor);

    c.parts = ngx_pcalloc(r->pool, (ctx->nstreams + 1)
                                   * sizeof(um_cursor_part_t));
    if (c.parts == NULL) {
        return NGX_ERROR;
    }

    c.nparts = 0;

    /* without expiry a cursor carries no time: the same page, the same one */

    c.issued = umcf->cursor_ttl ? ngx_time() : 0;
    um_cursor_digest(&ctx->req, c.digest);

    for (i = 0; i < ctx->nstreams; i++) {
        st = &ctx->streams[i];

        if (st->done) {
            continue;
        }

        c.parts[c.nparts].stream = (uint32_t) i;
        c.parts[c.nparts].offset = st->offset;
        c.parts[c.nparts].cont.data = (char *) st->cont.data;
        c.parts[c.nparts].cont.len = st->cont.len;
        c.nparts++;
    }

    if (c.nparts == 0) {
        return NGX_OK;
    }

    if (um_cursor_encode(ctx->arena, &c, umcf->cursor_secret.data,
                         umcf->cursor_secret.len, &tok)
        != UM_OK)
    {
        um_error_set(&ctx->err, NGX_HTTP_BAD_GATEWAY,
                     "the provider's continuation is too long for a cursor");
        return NGX_ERROR;
    }

    ctx->next_cursor.data = (u_char *) tok.data;
    ctx->next_cursor.len = tok.len;

    return NGX_OK;
}


/*
 * A round: the joins still missing, and the next page of every stream that
 * has more.  NGX_DONE while calls are under way.
 */

static ngx_int_t
ngx_http_usage_metering_round(ngx_http_request_t *r,
    ngx_http_usage_metering_ctx_t *ctx)
{
    um_call_t                          spec;
    ngx_uint_t                         i, j, n;
    ngx_http_usage_metering_call_t    *call;
    ngx_http_usage_metering_target_t  *t;
    ngx_http_usage_metering_stream_t  *st;

    n = ctx->nstreams;

    for (i = 0; i < ctx->ntargets; i++) {
        n += ctx->targets[i].joined ? 0 : ctx->targets[i].method->njoins;
    }

    ctx->calls = ngx_palloc(r->pool,
                            (n + 1) * sizeof(ngx_http_usage_metering_call_t *));
    if (ctx->calls == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ctx->ncalls = 0;
    ctx->issued = 0;

    /* joins with the first page of their target */

    for (i = 0; i < ctx->ntargets; i++) {
        t = &ctx->targets[i];

        if (t->joined) {
            continue;
        }

        for (j = 0; j < t->method->njoins; j++) {
            if (um_exec_join_call(&t->exec, j, &spec) != UM_OK) {
                return ngx_http_usage_metering_fail(r, ctx);
            }

            call = ngx_http_usage_metering_call_new(r, ctx, t->account, &spec);
            if (call == NULL) {
                return NGX_HTTP_INTERNAL_SERVER_ERROR;
            }

            t->joins[j] = call;
            ctx->calls[ctx->ncalls++] = call;
        }
    }

    for (i = 0; i < ctx->nstreams; i++) {
        st = &ctx->streams[i];
        st->call = NULL;

        if (st->done || st->target->method->is_static) {
            continue;
        }

        if (um_exec_call(&st->target->exec, st->index,
                         (um_str_t) { (char *) st->cont.data, st->cont.len },
                         &spec)
            != UM_OK)
        {
            return ngx_http_usage_metering_fail(r, ctx);
        }

        st->call = ngx_http_usage_metering_call_new(r, ctx,
                                                    st->target->account,
                                                    &spec);
        if (st->call == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        ctx->calls[ctx->ncalls++] = st->call;

        if (ctx->first == NULL) {
            ctx->first = st->call;
        }
    }

    if (ctx->ncalls == 0) {
        /* static lists only: nothing to wait for */
        return ngx_http_usage_metering_round_done(r, ctx);
    }

    if (ngx_http_usage_metering_issue(r, ctx) != NGX_OK) {
        return ctx->started ? NGX_ERROR : NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return NGX_DONE;
}


/*
 * Runs when a provider call has finished, when the client can take more
 * of a stream, and on spurious write events: it acts only when it can.
 */

void
ngx_http_usage_metering_resume(ngx_http_request_t *r)
{
    ngx_int_t                       rc;
    ngx_http_usage_metering_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_usage_metering_module);

    if (ctx == NULL || ctx->type != NGX_HTTP_USAGE_METERING_MAIN) {
        return;
    }

    if (ctx->draining) {
        ngx_http_usage_metering_drain(r, ctx);
        return;
    }

    if (ctx->mapping || ctx->retrying) {
        /* a page is being mapped in slices, or a 429 waits: events go on */
        return;
    }

    if (ctx->pending || ctx->ncalls == 0) {
        return;
    }

    if (ctx->issued < ctx->ncalls) {
        if (ngx_http_usage_metering_issue(r, ctx) != NGX_OK) {
            ngx_http_finalize_request(r, ctx->started
                                         ? NGX_ERROR
                                         : NGX_HTTP_INTERNAL_SERVER_ERROR);
        }

        return;
    }

    rc = ngx_http_usage_metering_round_done(r, ctx);

    if (rc != NGX_DONE) {
        ngx_http_finalize_request(r, rc);
    }
}


/* every call of the round is done: check them, map them in order */

static ngx_int_t
ngx_http_usage_metering_round_done(ngx_http_request_t *r,
    ngx_http_usage_metering_ctx_t *ctx)
{
    ngx_uint_t                         i, j, n;
    ngx_http_usage_metering_call_t   **calls;
    ngx_http_usage_metering_target_t  *t;

    calls = ctx->calls;
    n = ctx->ncalls;

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "usage_metering: round of %ui calls in %M ms", n,
                   ngx_current_msec - ctx->round_start);

    for (i = 0; i < n; i++) {
        if (!ngx_http_usage_metering_call_ok(calls[i])) {
            ctx->ncalls = 0;
            return ngx_http_usage_metering_call_failed(r, ctx, calls[i]);
        }
    }

    if (ngx_http_usage_metering_retry(r, ctx) == NGX_DONE) {
        return NGX_DONE;
    }

    ctx->ncalls = 0;

    if (!ctx->started && ctx->first) {
        ngx_http_usage_metering_provider_headers(r, ctx, ctx->first);
    }

    if (ctx->req.format == UM_FMT_RAW && ctx->first) {
        return ngx_http_usage_metering_send_raw(r, ctx, ctx->first);
    }

    /* a provider error anywhere is the answer: joins first, in order */

    for (i = 0; i < n; i++) {
        if (calls[i]->status < 200 || calls[i]->status >= 300) {
            return ngx_http_usage_metering_send_remote_error(r, ctx, calls[i],
                                                             NULL);
        }
    }

    for (i = 0; i < ctx->ntargets; i++) {
        t = &ctx->targets[i];

        if (t->joined) {
            continue;
        }

        for (j = 0; j < t->method->njoins; j++) {
            if (um_exec_join_result(&t->exec, j, (char *) t->joins[j]->body,
                                    t->joins[j]->len)
                != UM_OK)
            {
                return ngx_http_usage_metering_fail(r, ctx);
            }
        }

        t->joined = 1;
    }

    ctx->map_next = 0;

    return ngx_http_usage_metering_map_round(r, ctx);
}


/*
 * Maps the round's pages in order.  The executor maps a large page in
 * slices (NGX_HTTP_USAGE_METERING_SLICE bytes of records each): between
 * two, the worker serves its other connections, and the slice event
 * comes back here, so that no request waits long behind a big page.
 */

static ngx_int_t
ngx_http_usage_metering_map_round(ngx_http_request_t *r,
    ngx_http_usage_metering_ctx_t *ctx)
{
    ngx_int_t                          rc, mrc;
    ngx_uint_t                         i;
    ngx_http_usage_metering_stream_t  *st;

    for (i = ctx->map_next; i < ctx->nstreams; i++) {
        st = &ctx->streams[i];

        if (st->done) {
            continue;
        }

        mrc = ngx_http_usage_metering_map(r, ctx, st, &rc);

        if (mrc == NGX_AGAIN) {
            ctx->map_next = i;

            ctx->slice_ev.handler = ngx_http_usage_metering_slice_handler;
            ctx->slice_ev.data = r;
            ctx->slice_ev.log = r->connection->log;

            /* after the other events of this cycle have run */
            ngx_post_event(&ctx->slice_ev, &ngx_posted_next_events);

            return NGX_DONE;
        }

        if (mrc != NGX_OK) {
            return rc;
        }
    }

    return ngx_http_usage_metering_next(r, ctx);
}


static void
ngx_http_usage_metering_slice_handler(ngx_event_t *ev)
{
    ngx_int_t                       rc;
    ngx_connection_t               *c;
    ngx_http_request_t             *r;
    ngx_http_usage_metering_ctx_t  *ctx;

    r = ev->data;
    c = r->connection;

    ngx_http_set_log_request(c->log, r);

    ctx = ngx_http_get_module_ctx(r, ngx_http_usage_metering_module);

    if (ctx != NULL && ctx->mapping) {
        rc = ngx_http_usage_metering_map_round(r, ctx);

        if (rc != NGX_DONE) {
            ngx_http_finalize_request(r, rc);
        }
    }

    ngx_http_run_posted_requests(c);
}


/*
 * The page of one stream, within what limit leaves of this answer.  NGX_OK
 * to go on; NGX_DONE when the answer is made (an error), *rc is then what
 * to finalize with.
 */

static ngx_int_t
ngx_http_usage_metering_map(ngx_http_request_t *r,
    ngx_http_usage_metering_ctx_t *ctx, ngx_http_usage_metering_stream_t *st,
    ngx_int_t *rc)
{
    u_char                          *p;
    size_t                           want;
    ngx_int_t                        erc;
    um_page_t                        page;
    um_value_t                       headers;
    um_window_t                      win;
    ngx_http_usage_metering_call_t  *call;

    call = st->call;

    if (ctx->mapping) {
        /* the next slice of a page (the page arena as it was) */

        erc = um_exec_page_resume(&st->target->exec);
        goto mapped;
    }

    win.skip = (size_t) st->offset;
    win.max = 0;

    if (!ctx->stream && ctx->req.limit && !ctx->req.ignore_limit) {
        if (ctx->rows >= (size_t) ctx->req.limit) {
            /* the answer is full: this stream resumes where it stood */
            return NGX_OK;
        }

        win.max = (size_t) ctx->req.limit - ctx->rows;
    }

    um_arena_reset(ctx->page_arena);

    if (st->target->method->is_static) {
        if (um_exec_static(&st->target->exec, &win, &ctx->out, &page)
            != UM_OK)
        {
            *rc = ngx_http_usage_metering_fail(r, ctx);
            return NGX_DONE;
        }

    } else {
        headers = um_undef();

        if (ngx_http_usage_metering_call_headers(call, ctx->page_arena,
                                                 &headers)
            != NGX_OK)
        {
            *rc = ngx_http_usage_metering_fail(r, ctx);
            return NGX_DONE;
        }

        /*
         * room for about what the page maps to (twice its size: the
         * unified fields and remote_data), made once rather than doubled
         * and copied over and over as rows come
         */

        want = call->len * 2 + 1024;

        if (ctx->out.limit && want > ctx->out.limit - ctx->out.len) {
            want = ctx->out.limit - ctx->out.len;
        }

        if (ctx->out.data == NULL) {
            ctx->out.data = ngx_http_usage_metering_block_get(
                                want, &ctx->out.cap, r->connection->log);
        }

        if (ctx->out.cap - ctx->out.len < want) {
            (void) um_buf_reserve(&ctx->out, want);
        }

        /* the executor keeps the window and the page while it is sliced */

        ctx->win = win;

        erc = um_exec_page(&st->target->exec, st->index,
                           (um_str_t) { (char *) st->cont.data, st->cont.len },
                           (char *) call->body, call->len, headers, &ctx->win,
                           &ctx->out, &ctx->page);

    mapped:

        ctx->mapping = (erc == UM_AGAIN);

        if (erc == UM_AGAIN) {
            return NGX_AGAIN;
        }

        page = ctx->page;
        win = ctx->win;

        if (erc != UM_OK) {
            if (ctx->out.failed && ctx->out.limit) {
                /* name the directive: the engine does not know it */
                um_error_set(&ctx->err, NGX_HTTP_BAD_GATEWAY,
                             "the unified answer is larger than "
                             "usage_metering_max_response");

                ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                              "usage_metering: account \"%V\": %s "
                              "(%uz bytes)", &st->target->account->id,
                              ctx->err.msg, ctx->out.limit);

            } else {
                ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                              "usage_metering: account \"%V\": %s",
                              &st->target->account->id, ctx->err.msg);
            }

            *rc = ngx_http_usage_metering_fail(r, ctx);
            return NGX_DONE;
        }

        if (page.is_error) {
            *rc = ngx_http_usage_metering_send_remote_error(r, ctx, call,
                                                            &page.error);
            return NGX_DONE;
        }
    }

    /* where the stream stands now */

    if (page.left) {
        st->offset = win.skip + page.rows;

    } else if (page.next.len == 0) {
        st->done = 1;

    } else if (page.next.len == st->cont.len
               && ngx_strncmp(page.next.data, st->cont.data, st->cont.len)
                  == 0)
    {
        /* the provider gave the same continuation again: stop here */

        ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                      "usage_metering: account \"%V\": the provider's next "
                      "page is the page just read; stopping",
                      &st->target->account->id);

        st->done = 1;
        st->looping = 1;
        ctx->looping = 1;

    } else {
        p = ngx_pnalloc(r->pool, page.next.len);
        if (p == NULL) {
            *rc = ctx->started ? NGX_ERROR : NGX_HTTP_INTERNAL_SERVER_ERROR;
            return NGX_DONE;
        }

        ngx_memcpy(p, page.next.data, page.next.len);
        st->cont.data = p;
        st->cont.len = page.next.len;
        st->offset = 0;
    }

    /* the provider's body is not needed any more, except to debug it */

    if (call && call->body
        && !(ctx->req.format == UM_FMT_DEBUG && call == ctx->first))
    {
        ngx_http_usage_metering_block_put(call->body, call->cap);
        call->body = NULL;
        call->len = 0;
        call->cap = 0;
    }

    return NGX_OK;
}


/* after a round: answer the list, or send the stream's rows and go on */

static ngx_int_t
ngx_http_usage_metering_next(ngx_http_request_t *r,
    ngx_http_usage_metering_ctx_t *ctx)
{
    ngx_int_t                            rc;
    ngx_uint_t                           i, more;
    ngx_http_usage_metering_loc_conf_t  *umlcf;

    umlcf = ngx_http_get_module_loc_conf(r, ngx_http_usage_metering_module);

    more = 0;

    for (i = 0; i < ctx->nstreams; i++) {
        more |= !ctx->streams[i].done;
    }

    if (!ctx->stream) {
        if (more && ngx_http_usage_metering_cursor_out(r, ctx) != NGX_OK) {
            return ngx_http_usage_metering_fail(r, ctx);
        }

        return ngx_http_usage_metering_send_answer(r, ctx, ctx->first);
    }

    ctx->pages++;

    if (more && ctx->pages >= umlcf->max_pages) {
        ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                      "usage_metering: the stream stops after %ui pages "
                      "(usage_metering_max_pages); next_cursor continues it",
                      ctx->pages);

        if (ngx_http_usage_metering_cursor_out(r, ctx) != NGX_OK) {
            return ngx_http_usage_metering_fail(r, ctx);
        }

        more = 0;
    }

    rc = ngx_http_usage_metering_stream_rows(r, ctx, !more);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only || !more) {
        return rc;
    }

    /* back-pressure: the next page only when the client took this one */

    if (rc == NGX_AGAIN || r->connection->buffered || r->buffered) {
        ngx_log_debug2(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "usage_metering: stream: the client has not taken "
                       "page %ui yet, page %ui waits",
                       ctx->pages, ctx->pages + 1);

        ctx->draining = 1;
        ngx_http_usage_metering_drain(r, ctx);
        return NGX_DONE;
    }

    return ngx_http_usage_metering_round(r, ctx);
}


static void
ngx_http_usage_metering_drain(ngx_http_request_t *r,
    ngx_http_usage_metering_ctx_t *ctx)
{
    ngx_int_t                  rc;
    ngx_event_t               *wev;
    ngx_connection_t          *c;
    ngx_http_core_loc_conf_t  *clcf;

    c = r->connection;
    wev = c->write;
    clcf = ngx_http_get_module_loc_conf(r, ngx_http_core_module);

    if (wev->timedout) {
        ngx_log_error(NGX_LOG_INFO, c->log, NGX_ETIMEDOUT,
                      "usage_metering: client timed out while streaming");
        c->timedout = 1;
        ngx_http_finalize_request(r, NGX_HTTP_REQUEST_TIME_OUT);
        return;
    }

    if (!wev->delayed) {
        rc = ngx_http_output_filter(r, NULL);

        if (rc == NGX_ERROR) {
            ngx_http_finalize_request(r, NGX_ERROR);
            return;
        }
    }

    if (c->buffered || r->buffered || wev->delayed) {
        if (!wev->delayed) {
            ngx_add_timer(wev, clcf->send_timeout);
        }

        if (ngx_handle_write_event(wev, clcf->send_lowat) != NGX_OK) {
            ngx_http_finalize_request(r, NGX_ERROR);
        }

        return;
    }

    if (wev->timer_set) {
        ngx_del_timer(wev);
    }

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, c->log, 0,
                   "usage_metering: stream: the client took page %ui",
                   ctx->pages);

    ctx->draining = 0;

    rc = ngx_http_usage_metering_round(r, ctx);

    if (rc != NGX_DONE) {
        ngx_http_finalize_request(r, rc);
    }
}


/*
 * usage_metering_retry_429: when the round's only failures are 429s that
 * may be retried within the bound, the round waits for the longest
 * Retry-After and asks those calls again; the calls that succeeded are
 * kept.  NGX_DONE when a retry is under way, NGX_DECLINED when the round
 * is answered as it is.
 */

static ngx_int_t
ngx_http_usage_metering_retry(ngx_http_request_t *r,
    ngx_http_usage_metering_ctx_t *ctx)
{
    ngx_uint_t                           i, k, n;
    ngx_msec_int_t                       delay, d;
    ngx_http_usage_metering_call_t      *call, **calls;
    ngx_http_usage_metering_loc_conf_t  *umlcf;

    umlcf = ngx_http_get_module_loc_conf(r, ngx_http_usage_metering_module);

    if (umlcf->retry_429 == 0) {
        return NGX_DECLINED;
    }

    calls = ctx->calls;
    n = ctx->ncalls;
    delay = 0;
    k = 0;

    for (i = 0; i < n; i++) {
        call = calls[i];

        if (call->status >= 200 && call->status < 300) {
            continue;
        }

        /* any other error is the answer whatever a retry would bring */

        if (call->status != NGX_HTTP_TOO_MANY_REQUESTS
            || call->retries >= umlcf->retry_429)
        {
            return NGX_DECLINED;
        }

        d = ngx_http_usage_metering_retry_after(ctx, call);

        if (d < 0 || (ngx_msec_t) d > umlcf->retry_max_delay) {
            return NGX_DECLINED;
        }

        delay = ngx_max(delay, d);
        k++;
    }

    if (k == 0) {
        return NGX_DECLINED;
    }

    /*
     * The calls to ask again go last, in their order, and only they are
     * issued: the streams and joins keep pointing at the same calls, so
     * the round is mapped as usual once they are done.  The old
     * subrequests are finished; their bodies go now.
     */

    for (i = 0, k = 0; i < n; i++) {
        if (calls[i]->status >= 200 && calls[i]->status < 300) {
            call = calls[i];
            ngx_memmove(&calls[k + 1], &calls[k],
                        (i - k) * sizeof(ngx_http_usage_metering_call_t *));
            calls[k++] = call;
        }
    }

    for (i = k; i < n; i++) {
        call = calls[i];

        ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                      "usage_metering: account \"%V\": the provider answered "
                      "429; retry %ui of %ui in %M ms "
                      "(usage_metering_retry_429)",
                      &call->account->id, call->retries + 1, umlcf->retry_429,
                      (ngx_msec_t) delay);

        if (call->body) {
            ngx_http_usage_metering_block_put(call->body, call->cap);
        }

        call->body = NULL;
        call->len = 0;
        call->cap = 0;
        call->status = 0;
        call->rc = 0;
        call->headers = NULL;
        call->sr = NULL;
        ngx_str_null(&call->schema);
        ngx_str_null(&call->sent);
        call->issued = 0;
        call->eof = 0;
        call->too_big = 0;
        call->failed = 0;
        call->done = 0;
        call->retries++;
    }

    ctx->issued = k;
    ctx->retrying = 1;

    ctx->retry_ev.handler = ngx_http_usage_metering_retry_handler;
    ctx->retry_ev.data = r;
    ctx->retry_ev.log = r->connection->log;

    ngx_add_timer(&ctx->retry_ev, (ngx_msec_t) delay);

    return NGX_DONE;
}


/*
 * The wait a 429 asks for, in ms: Retry-After in seconds or as an HTTP
 * date, 1s without one; -1 when it cannot be read.  The header is read as
 * the one forwarded to the client is (ngx_http_usage_metering_call_headers).
 */

static ngx_msec_int_t
ngx_http_usage_metering_retry_after(ngx_http_usage_metering_ctx_t *ctx,
    ngx_http_usage_metering_call_t *call)
{
    time_t      t;
    ngx_int_t   sec;
    um_value_t  headers, v;

    if (ngx_http_usage_metering_call_headers(call, ctx->page_arena, &headers)
        != NGX_OK)
    {
        return -1;
    }

    v = um_get(headers, "retry-after", 11);

    if (v.type != UM_STR || v.len == 0) {
        return 1000;
    }

    sec = ngx_atoi((u_char *) v.u.s, v.len);

    if (sec == NGX_ERROR) {
        t = ngx_parse_http_time((u_char *) v.u.s, v.len);
        if (t == NGX_ERROR) {
            return -1;
        }

        sec = (t > ngx_time()) ? (ngx_int_t) (t - ngx_time()) : 0;
    }

    /* a day at most: the milliseconds cannot overflow */

    return (sec > 86400) ? 86400 * 1000 : (ngx_msec_int_t) sec * 1000;
}


static void
ngx_http_usage_metering_retry_handler(ngx_event_t *ev)
{
    ngx_connection_t               *c;
    ngx_http_request_t             *r;
    ngx_http_usage_metering_ctx_t  *ctx;

    r = ev->data;
    c = r->connection;

    ngx_http_set_log_request(c->log, r);

    ctx = ngx_http_get_module_ctx(r, ngx_http_usage_metering_module);

    if (ctx != NULL && ctx->retrying) {
        ctx->retrying = 0;

        if (ngx_http_usage_metering_issue(r, ctx) != NGX_OK) {
            ngx_http_finalize_request(r, ctx->started
                                         ? NGX_ERROR
                                         : NGX_HTTP_INTERNAL_SERVER_ERROR);
        }
    }

    /* the new subrequests are posted: run them */
    ngx_http_run_posted_requests(c);
}


/* 1 if the call brought an answer that can be used, whatever its status */

static ngx_int_t
ngx_http_usage_metering_call_ok(ngx_http_usage_metering_call_t *call)
{
    if (call->too_big || call->failed || call->status == 0
        || call->rc == NGX_ERROR
        || (call->rc >= NGX_HTTP_SPECIAL_RESPONSE && call->status < 300))
    {
        return 0;
    }

    /* a 2xx body must be whole; an error body may be cut */

    return !(call->status >= 200 && call->status < 300 && !call->eof);
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
                      &call->account->id, ctx->err.msg, call->max);

    } else if (call->rc == NGX_HTTP_GATEWAY_TIME_OUT
               || call->status == NGX_HTTP_GATEWAY_TIME_OUT)
    {
        um_error_set(&ctx->err, NGX_HTTP_GATEWAY_TIME_OUT,
                     "the provider did not answer in time");
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "usage_metering: account \"%V\": %s",
                      &call->account->id, ctx->err.msg);

    } else if (call->status >= 200 && call->status < 300 && !call->eof
               && !call->failed && call->rc != NGX_ERROR)
    {
        um_error_set(&ctx->err, NGX_HTTP_BAD_GATEWAY,
                     "the provider's answer was cut short");
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "usage_metering: account \"%V\": %s",
                      &call->account->id, ctx->err.msg);

    } else {
        um_error_set(&ctx->err, NGX_HTTP_BAD_GATEWAY,
                     "the provider could not be reached or its answer "
                     "was cut short");
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "usage_metering: account \"%V\": %s (status %ui)",
                      &call->account->id, ctx->err.msg, call->status);
    }

    return ngx_http_usage_metering_fail(r, ctx);
}


/*
 * The error answer; once a stream has started, the response cannot change:
 * it ends without its last chunk so the client sees it is cut, and the
 * error log says why.
 */

ngx_int_t
ngx_http_usage_metering_fail(ngx_http_request_t *r,
    ngx_http_usage_metering_ctx_t *ctx)
{
    ngx_uint_t  status;

    if (ctx->started) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "usage_metering: stream cut after %uz rows: %s",
                      ctx->rows, ctx->err.msg);
        return NGX_ERROR;
    }

    status = ctx->err.status ? (ngx_uint_t) ctx->err.status
                             : NGX_HTTP_INTERNAL_SERVER_ERROR;

    return ngx_http_usage_metering_send_error(r, status, ctx->err.msg,
                                              ngx_strlen(ctx->err.msg));
}


static void
ngx_http_usage_metering_ctx_cleanup(void *data)
{
    ngx_http_usage_metering_ctx_t  *ctx = data;

    if (ctx->slice_ev.posted) {
        ngx_delete_posted_event(&ctx->slice_ev);
    }

    if (ctx->retry_ev.timer_set) {
        ngx_del_timer(&ctx->retry_ev);
    }

    /* the answer's block for the next request: nginx has sent it */
    ngx_http_usage_metering_block_put(ctx->out.data, ctx->out.cap);
    ctx->out.data = NULL;

    if (ctx->page_arena) {
        um_arena_destroy(ctx->page_arena);
    }

    if (ctx->arena) {
        um_arena_destroy(ctx->arena);
    }
}
