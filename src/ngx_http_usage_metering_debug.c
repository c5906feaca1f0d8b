/*
 * truto_response_format=debug: the unified answer plus what was sent to
 * the provider and what came back.
 *
 * What was sent is read from the request the proxy module wrote, so the
 * envelope shows the real call, headers set by proxy_set_header included.
 * Credentials must not appear: request header values are redacted unless
 * the header is known to be harmless, and any header that holds one of
 * the account's secret values is redacted whatever its name.
 */

#include "ngx_http_usage_metering.h"
#include "um_json_out.h"


#define NGX_HTTP_USAGE_METERING_REDACTED  "[REDACTED]"


static void ngx_http_usage_metering_debug_request(
    ngx_http_usage_metering_ctx_t *ctx, ngx_http_usage_metering_call_t *call,
    um_buf_t *out);
static void ngx_http_usage_metering_debug_headers(
    ngx_http_usage_metering_ctx_t *ctx, ngx_http_usage_metering_call_t *call,
    um_buf_t *out);
static ngx_int_t ngx_http_usage_metering_harmless(u_char *name, size_t len);
static ngx_int_t ngx_http_usage_metering_holds_secret(
    ngx_http_usage_metering_account_t *acc, u_char *value, size_t len);
static void ngx_http_usage_metering_header_value(
    ngx_http_usage_metering_ctx_t *ctx, u_char *name, size_t nlen,
    u_char *value, size_t vlen, ngx_uint_t request, um_buf_t *out);


/* called by the capture filter when the provider's header arrives */

void
ngx_http_usage_metering_debug_capture(ngx_http_request_t *sr,
    ngx_http_usage_metering_call_t *call)
{
    u_char               *start, *last, *p;
    ngx_buf_t            *b;
    ngx_http_upstream_t  *u;

    u = sr->upstream;

    if (u == NULL || u->request_bufs == NULL || u->request_bufs->buf == NULL) {
        return;
    }

    call->schema = u->schema;

    /* the first buffer holds the request line and headers; pos has moved
     * past what was sent, start has not */

    b = u->request_bufs->buf;
    start = b->start ? b->start : b->pos;
    last = b->last;

    if (start == NULL || last <= start) {
        return;
    }

    p = ngx_strlcasestrn(start, last, (u_char *) "\r\n\r\n", 4 - 1);
    if (p != NULL) {
        last = p + 2;
    }

    call->sent.data = ngx_pnalloc(sr->pool, last - start);
    if (call->sent.data == NULL) {
        return;
    }

    call->sent.len = ngx_cpymem(call->sent.data, start, last - start)
                     - call->sent.data;
}


void
ngx_http_usage_metering_debug_write(ngx_http_usage_metering_ctx_t *ctx,
    ngx_http_usage_metering_call_t *call, um_buf_t *out)
{
    json_t  *j;

    um_buf_add(out, "\"debug\":{", sizeof("\"debug\":{") - 1);

    ngx_http_usage_metering_debug_request(ctx, call, out);

    /* the provider's body: JSON when it is JSON */

    um_buf_add(out, ",\"data\":", sizeof(",\"data\":") - 1);

    j = call->len ? json_loadb((char *) call->body, call->len,
                               JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL)
                  : NULL;

    if (j) {
        json_decref(j);
        um_json_minify(out, (char *) call->body, call->len);

    } else if (call->len && um_utf8_valid((char *) call->body, call->len)) {
        um_json_str(out, (char *) call->body, call->len);

    } else {
        um_buf_add(out, "null", 4);
    }

    um_buf_add(out, ",\"responseHeaders\":",
               sizeof(",\"responseHeaders\":") - 1);
    ngx_http_usage_metering_debug_headers(ctx, call, out);

    if (ctx->req.op == UM_OP_LIST) {
        um_buf_add(out, ",\"nextCursor\":", sizeof(",\"nextCursor\":") - 1);

        if (ctx->next_cursor.len) {
            um_json_str(out, (char *) ctx->next_cursor.data,
                        ctx->next_cursor.len);

        } else {
            um_buf_add(out, "null", 4);
        }

        um_buf_printf(out, ",\"isLooping\":%s,\"isEmptyResult\":%s,"
                      "\"resultCount\":%zu", ctx->looping ? "true" : "false",
                      ctx->rows ? "false" : "true", ctx->rows);
    }

    um_buf_addc(out, '}');
}


/* requestUrl and requestOptions from the request line and headers sent */

static void
ngx_http_usage_metering_debug_request(ngx_http_usage_metering_ctx_t *ctx,
    ngx_http_usage_metering_call_t *call, um_buf_t *out)
{
    u_char     *p, *last, *eol, *sp, *colon, *v;
    ngx_str_t   method, uri, host;
    ngx_uint_t  first;

    p = call->sent.data;
    last = p + call->sent.len;

    ngx_str_null(&method);
    ngx_str_null(&uri);
    ngx_str_null(&host);

    eol = p ? ngx_strlchr(p, last, '\r') : NULL;

    if (eol) {
        sp = ngx_strlchr(p, eol, ' ');

        if (sp) {
            method.data = p;
            method.len = sp - p;
            uri.data = sp + 1;

            sp = ngx_strlchr(sp + 1, eol, ' ');
            uri.len = (sp ? sp : eol) - uri.data;
        }

        p = eol + 2;
    }

    /* the Host header first: it makes the URL */

    for (v = p; v && v < last; v = eol + 2) {
        eol = ngx_strlchr(v, last, '\r');
        if (eol == NULL) {
            break;
        }

        if (eol - v > 5 && ngx_strncasecmp(v, (u_char *) "Host:", 5) == 0) {
            host.data = v + 5;
            host.len = eol - host.data;

            while (host.len && host.data[0] == ' ') {
                host.data++;
                host.len--;
            }
        }
    }

    um_buf_add(out, "\"requestUrl\":", sizeof("\"requestUrl\":") - 1);

    if (uri.len) {
        um_buf_t  url;

        um_buf_init(&url, NULL, 0);
        um_buf_add(&url, call->schema.data, call->schema.len);
        um_buf_add(&url, host.data, host.len);
        um_buf_add(&url, uri.data, uri.len);

        ngx_http_usage_metering_header_value(ctx, NULL, 0, (u_char *) url.data,
                                             url.len, 0, out);
        um_buf_free(&url);

    } else {
        um_buf_add(out, "null", 4);
    }

    um_buf_add(out, ",\"requestOptions\":{\"method\":",
               sizeof(",\"requestOptions\":{\"method\":") - 1);

    if (method.len) {
        um_json_str(out, (char *) method.data, method.len);

    } else {
        um_buf_add(out, "null", 4);
    }

    um_buf_add(out, ",\"headers\":{", sizeof(",\"headers\":{") - 1);
    first = 1;

    for (v = p; v && v < last; v = eol + 2) {
        eol = ngx_strlchr(v, last, '\r');
        if (eol == NULL || eol == v) {
            break;
        }

        colon = ngx_strlchr(v, eol, ':');
        if (colon == NULL) {
            continue;
        }

        if (!first) {
            um_buf_addc(out, ',');
        }

        first = 0;

        for (sp = colon + 1; sp < eol && *sp == ' '; sp++) { /* void */ }

        ngx_http_usage_metering_header_value(ctx, v, colon - v, sp, eol - sp,
                                             1, out);
    }

    um_buf_addc(out, '}');

    if (call->body_sent.len) {
        um_buf_add(out, ",\"body\":", sizeof(",\"body\":") - 1);
        um_buf_add(out, call->body_sent.data, call->body_sent.len);
    }

    um_buf_addc(out, '}');
}


/* the provider's response headers, names in lower case */

static void
ngx_http_usage_metering_debug_headers(ngx_http_usage_metering_ctx_t *ctx,
    ngx_http_usage_metering_call_t *call, um_buf_t *out)
{
    ngx_uint_t        i, first;
    ngx_list_part_t  *part;
    ngx_table_elt_t  *h;

    um_buf_addc(out, '{');

    if (call->headers == NULL) {
        um_buf_addc(out, '}');
        return;
    }

    first = 1;

    if (call->headers->content_type.len) {
        um_buf_add(out, "\"content-type\":",
                   sizeof("\"content-type\":") - 1);
        um_json_str(out, (char *) call->headers->content_type.data,
                    call->headers->content_type.len);
        first = 0;
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

        if (h[i].hash == 0) {
            continue;
        }

        if (!first) {
            um_buf_addc(out, ',');
        }

        first = 0;
        ngx_http_usage_metering_header_value(ctx, h[i].key.data, h[i].key.len,
                                             h[i].value.data, h[i].value.len,
                                             0, out);
    }

    um_buf_addc(out, '}');
}


/*
 * "name":"value" (or only "value" when name is NULL), redacted when it may
 * be a credential: a request header not known to be harmless, a
 * Set-Cookie, or anything that holds one of the account's secrets.
 */

static void
ngx_http_usage_metering_header_value(ngx_http_usage_metering_ctx_t *ctx,
    u_char *name, size_t nlen, u_char *value, size_t vlen,
    ngx_uint_t request, um_buf_t *out)
{
    u_char      lower[64];
    size_t      i;
    ngx_uint_t  redact;

    redact = ngx_http_usage_metering_holds_secret(ctx->account, value, vlen);

    /* every account of the request: any of their secrets */

    for (i = 1; i < ctx->ntargets && !redact; i++) {
        redact = ngx_http_usage_metering_holds_secret(
                                        ctx->targets[i].account, value, vlen);
    }

    if (name) {
        for (i = 0; i < nlen && i < sizeof(lower); i++) {
            lower[i] = ngx_tolower(name[i]);
        }

        if (request) {
            redact |= !ngx_http_usage_metering_harmless(lower,
                                                ngx_min(nlen, sizeof(lower)));

        } else {
            redact |= (nlen == 10
                       && ngx_strncmp(lower, "set-cookie", 10) == 0);
        }

        um_json_str(out, (char *) lower, ngx_min(nlen, sizeof(lower)));
        um_buf_addc(out, ':');
    }

    if (redact) {
        um_buf_add(out, "\"" NGX_HTTP_USAGE_METERING_REDACTED "\"",
                   sizeof(NGX_HTTP_USAGE_METERING_REDACTED) + 1);
        return;
    }

    if (!um_utf8_valid((char *) value, vlen)) {
        um_buf_add(out, "null", 4);
        return;
    }

    um_json_str(out, (char *) value, vlen);
}


static ngx_int_t
ngx_http_usage_metering_harmless(u_char *name, size_t len)
{
    ngx_uint_t  i;

    static ngx_str_t  harmless[] = {
        ngx_string("host"),
        ngx_string("accept"),
        ngx_string("accept-charset"),
        ngx_string("accept-encoding"),
        ngx_string("accept-language"),
        ngx_string("connection"),
        ngx_string("content-length"),
        ngx_string("content-type"),
        ngx_string("user-agent"),
        ngx_string("anthropic-version"),
        ngx_string("anthropic-beta"),
        ngx_string("openai-beta"),
        ngx_string("x-request-id"),
        ngx_string("cache-control"),
        ngx_null_string
    };

    for (i = 0; harmless[i].len; i++) {
        if (harmless[i].len == len
            && ngx_strncmp(harmless[i].data, name, len) == 0)
        {
            return 1;
        }
    }

    return 0;
}


static ngx_int_t
ngx_http_usage_metering_holds_secret(ngx_http_usage_metering_account_t *acc,
    u_char *value, size_t len)
{
    ngx_uint_t                        i;
    ngx_http_usage_metering_param_t  *param;

    if (acc == NULL) {
        return 0;
    }

    param = acc->params.elts;

    for (i = 0; i < acc->params.nelts; i++) {
        if (param[i].secret && param[i].value.len >= 4
            && ngx_strlcasestrn(value, value + len, param[i].value.data,
                                param[i].value.len - 1)
               != NULL)
        {
            return 1;
        }
    }

    return 0;
}
