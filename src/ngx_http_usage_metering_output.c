/*
 * Answers to the client: the unified answer in each format, JSON errors of
 * the unified API, the provider's errors passed through, and the provider
 * headers that are forwarded (Retry-After, the rate-limit state).
 */

#include "ngx_http_usage_metering.h"
#include "um_json_out.h"


static ngx_int_t ngx_http_usage_metering_send_type(ngx_http_request_t *r,
    ngx_uint_t status, um_buf_t *body, ngx_str_t *type);
static const char *ngx_http_usage_metering_reason(ngx_uint_t status);
static void ngx_http_usage_metering_error_head(um_buf_t *b,
    ngx_uint_t status, const char *message, size_t len);
static void ngx_http_usage_metering_utf8(um_buf_t *b, const u_char *s,
    size_t len);
static ngx_int_t ngx_http_usage_metering_add_header(ngx_http_request_t *r,
    const char *name, u_char *value, size_t len);
static void ngx_http_usage_metering_buf_cleanup(void *data);
static ngx_int_t ngx_http_usage_metering_send_parts(ngx_http_request_t *r,
    ngx_uint_t status, um_buf_t **parts, ngx_uint_t n);


static ngx_str_t  ngx_http_usage_metering_json = ngx_string("application/json");


ngx_int_t
ngx_http_usage_metering_send(ngx_http_request_t *r, ngx_uint_t status,
    um_buf_t *body)
{
    return ngx_http_usage_metering_send_type(r, status, body,
                                             &ngx_http_usage_metering_json);
}


static ngx_int_t
ngx_http_usage_metering_send_type(ngx_http_request_t *r, ngx_uint_t status,
    um_buf_t *body, ngx_str_t *type)
{
    ngx_int_t     rc;
    ngx_buf_t    *b;
    ngx_chain_t   out;

    r->headers_out.status = status;
    r->headers_out.content_length_n = body->len;
    r->headers_out.content_type = *type;
    r->headers_out.content_type_len = type->len;
    r->headers_out.content_type_lowcase = NULL;

    ngx_http_clear_last_modified(r);
    ngx_http_clear_accept_ranges(r);
    ngx_http_clear_etag(r);

    rc = ngx_http_send_header(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only || body->len == 0) {
        return rc;
    }

    b = ngx_calloc_buf(r->pool);
    if (b == NULL) {
        return NGX_ERROR;
    }

    /* the bytes stay in the engine buffer, freed when the request ends */

    b->pos = (u_char *) body->data;
    b->last = b->pos + body->len;
    b->memory = 1;
    b->last_buf = (r == r->main) ? 1 : 0;
    b->last_in_chain = 1;

    out.buf = b;
    out.next = NULL;

    return ngx_http_output_filter(r, &out);
}


/*
 * The unified answer around the rows in ctx->out: a list envelope (result
 * an array, or an object with truto_key_by), the object of a get, and for
 * truto_response_format=debug both inside {"result":...,"debug":...}.
 */

ngx_int_t
ngx_http_usage_metering_send_answer(ngx_http_request_t *r,
    ngx_http_usage_metering_ctx_t *ctx, ngx_http_usage_metering_call_t *call)
{
    um_buf_t            *head, *tail, *parts[3];
    ngx_uint_t           debug, keyed;
    ngx_pool_cleanup_t  *cln;

    debug = (ctx->req.format == UM_FMT_DEBUG);
    keyed = (ctx->req.key_by.len && ctx->req.op == UM_OP_LIST);

    if (ctx->out.failed) {
        um_error_set(&ctx->err, NGX_HTTP_BAD_GATEWAY,
                     "the unified answer is larger than "
                     "usage_metering_max_response");
        return ngx_http_usage_metering_fail(r, ctx);
    }

    /* the provider answered, but the mapping made no record of it */

    if (ctx->req.op == UM_OP_GET && ctx->out.len == 0) {
        um_error_set(&ctx->err, NGX_HTTP_NOT_FOUND, "record %.*s not found",
                     (int) ctx->req.id.len, ctx->req.id.data);
        return ngx_http_usage_metering_fail(r, ctx);
    }

    /*
     * The rows stay where they are (a large answer is not copied again):
     * the envelope is written around them, head and tail, and the three
     * go out as one chain.
     */

    head = ngx_palloc(r->pool, sizeof(um_buf_t));
    cln = ngx_pool_cleanup_add(r->pool, sizeof(um_buf_t));
    if (head == NULL || cln == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    tail = cln->data;
    um_buf_init(tail, NULL, 0);
    cln->handler = ngx_http_usage_metering_buf_cleanup;

    um_buf_init(head, ctx->arena, 0);

    if (debug) {
        um_buf_add(head, "{\"result\":", sizeof("{\"result\":") - 1);
    }

    if (ctx->req.op != UM_OP_GET) {
        um_buf_add(head, keyed ? "{\"result\":{" : "{\"result\":[", 11);
        um_buf_add(tail, keyed ? "}" : "]", 1);
        um_buf_add(tail, ",\"next_cursor\":", sizeof(",\"next_cursor\":") - 1);

        if (ctx->next_cursor.len) {
            um_json_str(tail, (char *) ctx->next_cursor.data,
                        ctx->next_cursor.len);

        } else {
            um_buf_add(tail, "null", 4);
        }

        um_buf_printf(tail, ",\"result_count\":%zu}", ctx->rows);
    }

    if (debug) {
        um_buf_addc(tail, ',');

        if (call) {
            ngx_http_usage_metering_debug_write(ctx, call, tail);

        } else {
            /* a static answer or truto_skip_api_call: nothing was called */
            um_buf_add(tail, "\"debug\":null", sizeof("\"debug\":null") - 1);
        }

        um_buf_addc(tail, '}');
    }

    if (head->failed || tail->failed) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    parts[0] = head;
    parts[1] = &ctx->out;
    parts[2] = tail;

    return ngx_http_usage_metering_send_parts(r, NGX_HTTP_OK, parts, 3);
}


/* one answer of several buffers, sent as they are, in one chain */

static ngx_int_t
ngx_http_usage_metering_send_parts(ngx_http_request_t *r, ngx_uint_t status,
    um_buf_t **parts, ngx_uint_t n)
{
    off_t         len;
    ngx_int_t     rc;
    ngx_buf_t    *b;
    ngx_uint_t    i;
    ngx_chain_t  *out, **ll, *cl;

    len = 0;

    for (i = 0; i < n; i++) {
        len += parts[i]->len;
    }

    r->headers_out.status = status;
    r->headers_out.content_length_n = len;
    r->headers_out.content_type = ngx_http_usage_metering_json;
    r->headers_out.content_type_len = ngx_http_usage_metering_json.len;
    r->headers_out.content_type_lowcase = NULL;

    ngx_http_clear_last_modified(r);
    ngx_http_clear_accept_ranges(r);
    ngx_http_clear_etag(r);

    rc = ngx_http_send_header(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only || len == 0) {
        return rc;
    }

    out = NULL;
    ll = &out;
    cl = NULL;

    for (i = 0; i < n; i++) {
        if (parts[i]->len == 0) {
            continue;
        }

        b = ngx_calloc_buf(r->pool);
        cl = ngx_alloc_chain_link(r->pool);
        if (b == NULL || cl == NULL) {
            return NGX_ERROR;
        }

        /* the bytes stay in the engine buffers, freed with the request */

        b->pos = (u_char *) parts[i]->data;
        b->last = b->pos + parts[i]->len;
        b->memory = 1;

        cl->buf = b;
        *ll = cl;
        ll = &cl->next;
    }

    *ll = NULL;

    cl->buf->last_buf = (r == r->main) ? 1 : 0;
    cl->buf->last_in_chain = 1;

    return ngx_http_output_filter(r, out);
}


/*
 * truto_response_format=stream: one chunk per round.  The first one sends
 * the header (chunked: no length) and the envelope's start; the last one
 * its end and the last chunk.  The rows stay in ctx->out until the client
 * has taken them: the next round starts only then.
 */

ngx_int_t
ngx_http_usage_metering_stream_rows(ngx_http_request_t *r,
    ngx_http_usage_metering_ctx_t *ctx, ngx_uint_t last)
{
    ngx_int_t     rc;
    ngx_buf_t    *b;
    um_buf_t     *tail;
    ngx_chain_t  *out, **ll, *cl;

    static u_char  head[] = "{\"result\":[";

    if (!ctx->started) {
        r->headers_out.status = NGX_HTTP_OK;
        r->headers_out.content_length_n = -1;

        if (ctx->ndjson) {
            ngx_str_set(&r->headers_out.content_type, "application/x-ndjson");

        } else {
            ngx_str_set(&r->headers_out.content_type, "application/json");
        }

        r->headers_out.content_type_len = r->headers_out.content_type.len;
        r->headers_out.content_type_lowcase = NULL;

        ngx_http_clear_content_length(r);
        ngx_http_clear_last_modified(r);
        ngx_http_clear_accept_ranges(r);
        ngx_http_clear_etag(r);

        rc = ngx_http_send_header(r);

        if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
            return rc;
        }

        ctx->started = 1;
    }

    out = NULL;
    ll = &out;

    if (ctx->pages == 1 && !ctx->ndjson) {
        b = ngx_calloc_buf(r->pool);
        if (b == NULL) {
            return NGX_ERROR;
        }

        b->pos = head;
        b->last = head + sizeof(head) - 1;
        b->memory = 1;

        cl = ngx_alloc_chain_link(r->pool);
        if (cl == NULL) {
            return NGX_ERROR;
        }

        cl->buf = b;
        *ll = cl;
        ll = &cl->next;
    }

    if (ctx->out.len) {
        b = ngx_calloc_buf(r->pool);
        cl = ngx_alloc_chain_link(r->pool);
        if (b == NULL || cl == NULL) {
            return NGX_ERROR;
        }

        b->pos = (u_char *) ctx->out.data;
        b->last = b->pos + ctx->out.len;
        b->memory = 1;

        cl->buf = b;
        *ll = cl;
        ll = &cl->next;
    }

    if (last) {
        tail = ngx_palloc(r->pool, sizeof(um_buf_t));
        b = ngx_calloc_buf(r->pool);
        cl = ngx_alloc_chain_link(r->pool);
        if (tail == NULL || b == NULL || cl == NULL) {
            return NGX_ERROR;
        }

        um_buf_init(tail, ctx->arena, 0);

        if (!ctx->ndjson) {
            um_buf_add(tail, "],\"next_cursor\":", 16);

            if (ctx->next_cursor.len) {
                um_json_str(tail, (char *) ctx->next_cursor.data,
                            ctx->next_cursor.len);

            } else {
                um_buf_add(tail, "null", 4);
            }

            um_buf_printf(tail, ",\"result_count\":%zu}", ctx->rows);

            if (tail->failed) {
                return NGX_ERROR;
            }
        }

        b->pos = (u_char *) tail->data;
        b->last = b->pos + tail->len;
        b->memory = tail->len ? 1 : 0;
        b->last_buf = 1;
        b->last_in_chain = 1;

        cl->buf = b;
        *ll = cl;
        ll = &cl->next;
    }

    *ll = NULL;

    if (out == NULL) {
        /* an empty page: nothing to send */
        return NGX_OK;
    }

    if (!last) {
        /* each page is a chunk of its own, sent now, not postponed */

        for (cl = out; cl->next; cl = cl->next) {
            /* void */
        }

        cl->buf->flush = 1;
    }

    rc = ngx_http_output_filter(r, out);

    /* the next round writes the buffer again once this was taken */

    ctx->out.len = 0;

    return rc;
}


/* truto_response_format=raw: the provider's body and status, unchanged */

ngx_int_t
ngx_http_usage_metering_send_raw(ngx_http_request_t *r,
    ngx_http_usage_metering_ctx_t *ctx, ngx_http_usage_metering_call_t *call)
{
    um_buf_t   body;
    ngx_str_t  type;

    body.data = (char *) call->body;
    body.len = call->len;

    if (call->headers && call->headers->content_type.len) {
        type = call->headers->content_type;

    } else {
        ngx_str_set(&type, "application/octet-stream");
    }

    return ngx_http_usage_metering_send_type(r, call->status, &body, &type);
}


ngx_int_t
ngx_http_usage_metering_send_error(ngx_http_request_t *r, ngx_uint_t status,
    const char *message, size_t len)
{
    um_buf_t            *b;
    ngx_pool_cleanup_t  *cln;

    cln = ngx_pool_cleanup_add(r->pool, sizeof(um_buf_t));
    if (cln == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    b = cln->data;
    um_buf_init(b, NULL, 0);
    cln->handler = ngx_http_usage_metering_buf_cleanup;

    ngx_http_usage_metering_error_head(b, status, message, len);
    um_buf_addc(b, '}');

    if (b->failed) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (status == NGX_HTTP_NOT_ALLOWED
        && ngx_http_usage_metering_add_header(r, "Allow",
                                              (u_char *) "GET, HEAD", 9)
           != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (status == NGX_HTTP_UNAUTHORIZED
        && ngx_http_usage_metering_add_header(r, "WWW-Authenticate",
                                              (u_char *) "Bearer", 6)
           != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_usage_metering_send(r, status, b);
}


/*
 * The provider answered non-2xx: its status (a 5xx becomes 502), its
 * message where the mapping finds one, and its body as raw_response.
 */

ngx_int_t
ngx_http_usage_metering_send_remote_error(ngx_http_request_t *r,
    ngx_http_usage_metering_ctx_t *ctx, ngx_http_usage_metering_call_t *call,
    um_str_t *message)
{
    char        msg[128];
    json_t     *j;
    um_str_t    pmsg;
    ngx_uint_t  status;

    status = call->status;

    if (status >= 500 || status < 400) {
        status = NGX_HTTP_BAD_GATEWAY;
    }

    ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                  "usage_metering: account \"%V\": the provider answered %ui%s",
                  &call->account->id, call->status,
                  message ? " with an error in its body" : "");

    if (ctx->started) {
        um_error_set(&ctx->err, (int) status, "the provider answered %u",
                     (unsigned) call->status);
        return ngx_http_usage_metering_fail(r, ctx);
    }

    if (message) {
        pmsg = *message;

    } else {
        um_exec_error_message(call->account->provider, ctx->page_arena,
                              (char *) call->body, call->len, &pmsg);
    }

    if (pmsg.len == 0) {
        ngx_snprintf((u_char *) msg, sizeof(msg),
                     "the provider answered %ui%Z", call->status);
        pmsg.data = msg;
        pmsg.len = ngx_strlen(msg);
    }

    um_buf_free(&ctx->out);
    um_buf_init(&ctx->out, NULL, 0);

    ngx_http_usage_metering_error_head(&ctx->out, status, pmsg.data,
                                       pmsg.len);
    um_buf_add(&ctx->out, ",\"truto_is_remote_error\":true,\"raw_response\":",
               sizeof(",\"truto_is_remote_error\":true,\"raw_response\":")
               - 1);

    /* JSON when it is JSON, else the text */

    j = call->len ? json_loadb((char *) call->body, call->len,
                               JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL)
                  : NULL;

    if (j) {
        json_decref(j);
        um_json_minify(&ctx->out, (char *) call->body, call->len);

    } else {
        ngx_http_usage_metering_utf8(&ctx->out, call->body, call->len);
    }

    um_buf_addc(&ctx->out, '}');

    if (ctx->out.failed) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_usage_metering_send(r, status, &ctx->out);
}


/*
 * Headers of the provider's answer that the client needs: Retry-After as
 * is, and the rate-limit state normalised by the mapping to
 * ratelimit-limit, ratelimit-remaining and ratelimit-reset.
 */

void
ngx_http_usage_metering_provider_headers(ngx_http_request_t *r,
    ngx_http_usage_metering_ctx_t *ctx, ngx_http_usage_metering_call_t *call)
{
    um_str_t     rl[3];
    ngx_uint_t   i;
    um_value_t   headers, v;
    ngx_time_t  *tp;

    static const char  *names[3] = {
        "ratelimit-limit", "ratelimit-remaining", "ratelimit-reset"
    };

    if (call->headers == NULL
        || ngx_http_usage_metering_call_headers(call, ctx->page_arena,
                                                &headers)
           != NGX_OK)
    {
        return;
    }

    v = um_get(headers, "retry-after", 11);

    if (v.type == UM_STR && v.len) {
        (void) ngx_http_usage_metering_add_header(r, "Retry-After",
                                                  (u_char *) v.u.s, v.len);
    }

    tp = ngx_timeofday();

    if (um_exec_rate_limit(call->account->provider, ctx->page_arena, headers,
                           (double) tp->sec * 1000 + tp->msec, rl)
        != UM_OK)
    {
        return;
    }

    for (i = 0; i < 3; i++) {
        if (rl[i].len) {
            (void) ngx_http_usage_metering_add_header(r, names[i],
                                                      (u_char *) rl[i].data,
                                                      rl[i].len);
        }
    }
}


/* a response header; the value is copied, and must be a safe header value */

static ngx_int_t
ngx_http_usage_metering_add_header(ngx_http_request_t *r, const char *name,
    u_char *value, size_t len)
{
    size_t            i;
    ngx_table_elt_t  *h;

    for (i = 0; i < len; i++) {
        if (value[i] < 0x20 || value[i] == 0x7f) {
            return NGX_DECLINED;
        }
    }

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    h->hash = 1;
    h->key.data = (u_char *) name;
    h->key.len = ngx_strlen(name);
    h->value.data = ngx_pnalloc(r->pool, len);

    if (h->value.data == NULL) {
        h->hash = 0;
        return NGX_ERROR;
    }

    ngx_memcpy(h->value.data, value, len);
    h->value.len = len;

    return NGX_OK;
}


static void
ngx_http_usage_metering_error_head(um_buf_t *b, ngx_uint_t status,
    const char *message, size_t len)
{
    const char  *reason;

    reason = ngx_http_usage_metering_reason(status);

    um_buf_printf(b, "{\"statusCode\":%u,\"error\":", (unsigned) status);
    um_json_str(b, reason, ngx_strlen(reason));
    um_buf_add(b, ",\"message\":", sizeof(",\"message\":") - 1);
    ngx_http_usage_metering_utf8(b, (u_char *) message, len);
}


/* a JSON string of bytes that may not be UTF-8: bad bytes become U+FFFD */

static void
ngx_http_usage_metering_utf8(um_buf_t *b, const u_char *s, size_t len)
{
    size_t    i, n;
    um_buf_t  clean;

    if (um_utf8_valid((const char *) s, len)) {
        um_json_str(b, (const char *) s, len);
        return;
    }

    um_buf_init(&clean, NULL, 0);

    for (i = 0; i < len; /* void */ ) {
        n = 1;

        if (s[i] >= 0x80) {
            n = (s[i] >= 0xf0) ? 4 : (s[i] >= 0xe0) ? 3 : 2;

            if (i + n > len || !um_utf8_valid((const char *) s + i, n)) {
                um_buf_add(&clean, "\xef\xbf\xbd", 3);
                i++;
                continue;
            }
        }

        um_buf_add(&clean, s + i, n);
        i += n;
    }

    um_json_str(b, clean.data ? clean.data : "", clean.len);
    um_buf_free(&clean);
}


static const char *
ngx_http_usage_metering_reason(ngx_uint_t status)
{
    switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 402: return "Payment Required";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 412: return "Precondition Failed";
    case 413: return "Payload Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Entity";
    case 423: return "Locked";
    case 425: return "Too Early";
    case 428: return "Precondition Required";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 451: return "Unavailable For Legal Reasons";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default:  return status < 500 ? "Client Error" : "Server Error";
    }
}


static void
ngx_http_usage_metering_buf_cleanup(void *data)
{
    um_buf_free(data);
}
