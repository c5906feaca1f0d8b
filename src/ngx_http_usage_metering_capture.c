/*
 * The capture filter: keeps the body of a provider call in memory for the
 * engine instead of sending it anywhere.
 *
 * Only subrequests whose ctx is a provider call are touched.  The header
 * filter records the status and stops the chain (header_sent is set, so a
 * later error page cannot send a second header); the body filter copies
 * memory buffers into one growing buffer, up to usage_metering_max_body,
 * and consumes them.  subrequest_output_buffer_size does not apply.
 */

#include "ngx_http_usage_metering.h"


static ngx_int_t ngx_http_usage_metering_header_filter(ngx_http_request_t *r);
static ngx_int_t ngx_http_usage_metering_body_filter(ngx_http_request_t *r,
    ngx_chain_t *in);
static ngx_http_usage_metering_call_t *ngx_http_usage_metering_call(
    ngx_http_request_t *r);
static ngx_int_t ngx_http_usage_metering_append(ngx_http_request_t *r,
    ngx_http_usage_metering_call_t *call, ngx_buf_t *b);
static void ngx_http_usage_metering_yield(ngx_http_request_t *r,
    ngx_http_usage_metering_call_t *call);


/* bytes of a provider's body read in one go before other events run */
#define NGX_HTTP_USAGE_METERING_BURST  (512 * 1024)


static ngx_http_output_header_filter_pt  ngx_http_next_header_filter;
static ngx_http_output_body_filter_pt    ngx_http_next_body_filter;


ngx_int_t
ngx_http_usage_metering_capture_init(ngx_conf_t *cf)
{
    ngx_http_next_header_filter = ngx_http_top_header_filter;
    ngx_http_top_header_filter = ngx_http_usage_metering_header_filter;

    ngx_http_next_body_filter = ngx_http_top_body_filter;
    ngx_http_top_body_filter = ngx_http_usage_metering_body_filter;

    return NGX_OK;
}


/*
 * The call of a subrequest, if it is one of ours.  An internal redirect in
 * the provider location (error_page, try_files) wipes the ctx: it is found
 * again through the post-subrequest data.
 */

static ngx_http_usage_metering_call_t *
ngx_http_usage_metering_call(ngx_http_request_t *r)
{
    ngx_http_usage_metering_call_t  *call;

    if (r == r->main) {
        return NULL;
    }

    call = ngx_http_get_module_ctx(r, ngx_http_usage_metering_module);

    if (call == NULL && r->post_subrequest
        && r->post_subrequest->handler == ngx_http_usage_metering_done)
    {
        call = r->post_subrequest->data;
        ngx_http_set_ctx(r, call, ngx_http_usage_metering_module);
    }

    if (call == NULL || call->type != NGX_HTTP_USAGE_METERING_CALL) {
        return NULL;
    }

    return call;
}


static ngx_int_t
ngx_http_usage_metering_header_filter(ngx_http_request_t *r)
{
    off_t                            len;
    ngx_http_usage_metering_call_t  *call;

    call = ngx_http_usage_metering_call(r);
    if (call == NULL) {
        return ngx_http_next_header_filter(r);
    }

    r->filter_need_in_memory = 1;
    r->header_sent = 1;

    /*
     * The body is copied out as it arrives, so the proxy module need not
     * buffer it: unbuffered, it reads into one proxy_buffer_size buffer
     * and hands each read over (the upstream module looks at the flag
     * only after this filter).  Buffered, a background subrequest keeps
     * the whole body in proxy_buffers, or in a temporary file, until the
     * provider is done, and those buffers live as long as the client's
     * request: a stream of many pages would hold all of them.
     */

    if (r->upstream) {
        r->upstream->buffering = 0;
    }

    if (call->done || call->sr != r) {
        return NGX_OK;
    }

    call->status = r->headers_out.status;
    call->headers = &r->headers_out;

    if (call->ctx->req.format == UM_FMT_DEBUG) {
        ngx_http_usage_metering_debug_capture(r, call);
    }

    /* size the buffer once when the provider says how much comes */

    len = r->headers_out.content_length_n;

    if (len > (off_t) call->max) {
        call->too_big = 1;
        return NGX_ERROR;
    }

    if (len > 0 && call->body == NULL) {
        call->body = ngx_http_usage_metering_block_get((size_t) len,
                                                       &call->cap,
                                                       r->connection->log);
        if (call->body == NULL) {
            call->failed = 1;
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


/*
 * Never NGX_ERROR here: ngx_http_output_filter() would mark the client's
 * connection (shared by the subrequest) as failed and nginx would close
 * it.  A body that cannot be kept is recorded, the rest is discarded, and
 * a buffered upstream is told to stop reading.
 */

static ngx_int_t
ngx_http_usage_metering_body_filter(ngx_http_request_t *r, ngx_chain_t *in)
{
    ngx_chain_t                     *cl;
    ngx_http_usage_metering_call_t  *call;

    call = ngx_http_usage_metering_call(r);
    if (call == NULL) {
        return ngx_http_next_body_filter(r, in);
    }

    for (cl = in; cl; cl = cl->next) {

        if (call->sr == r && !call->done && !call->too_big && !call->failed
            && ngx_http_usage_metering_append(r, call, cl->buf) != NGX_OK
            && r->upstream)
        {
            /* stop reading: an error for the upstream, not the client */

            r->upstream->error = 1;

            if (r->upstream->pipe) {
                r->upstream->pipe->upstream_error = 1;
            }
        }

        /* consumed: the upstream may reuse the buffer */

        if (ngx_buf_in_memory(cl->buf)) {
            call->burst += cl->buf->last - cl->buf->pos;
        }

        cl->buf->pos = cl->buf->last;

        if (cl->buf->in_file) {
            cl->buf->file_pos = cl->buf->file_last;
        }

        if (call->sr == r && (cl->buf->last_buf || cl->buf->last_in_chain)) {
            call->eof = 1;
        }
    }

    ngx_http_usage_metering_yield(r, call);

    return NGX_OK;
}


/*
 * The upstream module reads a provider for as long as its socket has
 * data, in one loop: a fast provider sending a page of tens of megabytes
 * would hold the worker for all of it.  After a burst of reads the loop is
 * stopped (the event is not ready) and resumed in the next turn of the
 * event loop, after the worker's other events (ngx_posted_next_events
 * makes it ready again).
 */

static void
ngx_http_usage_metering_yield(ngx_http_request_t *r,
    ngx_http_usage_metering_call_t *call)
{
    ngx_event_t       *rev;
    ngx_connection_t  *c;

    if (call->burst < NGX_HTTP_USAGE_METERING_BURST || call->eof
        || r->upstream == NULL || r->upstream->peer.connection == NULL)
    {
        return;
    }

    call->burst = 0;

    c = r->upstream->peer.connection;
    rev = c->read;

    if (!rev->ready || rev->posted || rev->eof || rev->error) {
        return;
    }

    rev->ready = 0;
    ngx_post_event(rev, &ngx_posted_next_events);
}


static ngx_int_t
ngx_http_usage_metering_append(ngx_http_request_t *r,
    ngx_http_usage_metering_call_t *call, ngx_buf_t *b)
{
    size_t   n, cap;
    u_char  *p;

    if (!ngx_buf_in_memory(b)) {
        if (ngx_buf_size(b) == 0) {
            return NGX_OK;
        }

        /* filter_need_in_memory makes the copy filter read files first */

        ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                      "usage_metering: a provider body buffer is not in "
                      "memory");
        call->failed = 1;
        return NGX_ERROR;
    }

    n = b->last - b->pos;

    if (n == 0) {
        return NGX_OK;
    }

    if (n > call->max - call->len) {
        call->too_big = 1;
        return NGX_ERROR;
    }

    if (call->len + n > call->cap) {
        cap = call->cap ? call->cap : 16384;

        while (cap < call->len + n) {
            cap *= 2;
        }

        if (cap > call->max) {
            cap = call->max;
        }

        p = realloc(call->body, cap);
        if (p == NULL) {
            ngx_log_error(NGX_LOG_ALERT, r->connection->log, ngx_errno,
                          "usage_metering: realloc(%uz) failed", cap);
            call->failed = 1;
            return NGX_ERROR;
        }

        call->body = p;
        call->cap = cap;
    }

    ngx_memcpy(call->body + call->len, b->pos, n);
    call->len += n;

    return NGX_OK;
}


/*
 * The provider's response headers as an object for the mappings (names in
 * lower case; a repeated header's values joined with ", ").
 */

ngx_int_t
ngx_http_usage_metering_call_headers(ngx_http_usage_metering_call_t *call,
    um_arena_t *a, um_value_t *out)
{
    u_char            *p;
    size_t             i, k;
    um_buf_t           joined;
    ngx_list_part_t   *part;
    ngx_table_elt_t   *h;
    um_object_t       *o;
    um_value_t         obj, cur;

    o = um_obj_new(a, 16);
    if (o == NULL) {
        return NGX_ERROR;
    }

    obj.type = UM_OBJ;
    obj.flags = 0;
    obj.u.o = o;
    *out = obj;

    if (call->headers == NULL) {
        return NGX_OK;
    }

    part = &call->headers->headers.part;
    h = part->elts;

    for (i = 0; /* void */; i++) {

        if (i >= part->nelts) {
            if (part->next == NULL) {
                break;
            }

            part = part->next;
            h = part->elts;
            i = 0;
        }

        if (h[i].hash == 0 || h[i].key.len == 0) {
            continue;
        }

        p = um_alloc(a, h[i].key.len);
        if (p == NULL) {
            return NGX_ERROR;
        }

        for (k = 0; k < h[i].key.len; k++) {
            p[k] = ngx_tolower(h[i].key.data[k]);
        }

        cur = um_get(obj, (char *) p, h[i].key.len);

        if (cur.type == UM_STR) {
            um_buf_init(&joined, a, 0);
            um_buf_add(&joined, cur.u.s, cur.len);
            um_buf_add(&joined, ", ", 2);
            um_buf_add(&joined, h[i].value.data, h[i].value.len);

            if (joined.failed) {
                return NGX_ERROR;
            }

            cur = um_str(joined.data, joined.len);

        } else {
            cur = um_str((char *) h[i].value.data, h[i].value.len);
        }

        if (um_obj_set(a, o, (char *) p, h[i].key.len, cur) != 0) {
            return NGX_ERROR;
        }
    }

    if (call->headers->content_type.len) {
        if (um_obj_set(a, o, "content-type", 12,
                       um_str((char *) call->headers->content_type.data,
                              call->headers->content_type.len))
            != 0)
        {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}
