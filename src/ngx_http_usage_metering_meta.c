/*
 * The API's own documents, next to the data endpoints of a usage_metering
 * location:
 *
 *     {prefix}/openapi.json                        the OpenAPI document
 *     {prefix}/{resource}/{provider}/meta/{method} what a mapping does
 *
 * Both describe the loaded mappings, never an account: they need no
 * integrated_account_id and, like most APIs' documents, no API key, so a
 * client or a code generator can read them before it has one.  They hold
 * no secret (mappings have none; account parameters are not in them).
 * Both are written when the configuration loads; a request only sends
 * them.  An id never holds "/" (um_request_route refuses it), so
 * "{resource}/{id}" cannot be mistaken for a meta path.
 */

#include "ngx_http_usage_metering.h"
#include "um_json_out.h"


static ngx_int_t ngx_http_usage_metering_meta_send(ngx_http_request_t *r,
    ngx_str_t *prefix, ngx_str_t *seg);


#define NGX_HTTP_USAGE_METERING_META_SEGS  4


/*
 * NGX_DECLINED when the URI is not one of these documents (the data
 * handler goes on), else the answer's status as a content handler returns
 * it.
 */

ngx_int_t
ngx_http_usage_metering_meta_handler(ngx_http_request_t *r)
{
    u_char                    *p, *last, *start;
    ngx_int_t                  rc;
    ngx_str_t                  prefix, seg[NGX_HTTP_USAGE_METERING_META_SEGS];
    ngx_uint_t                 n, openapi;
    ngx_http_core_loc_conf_t  *clcf;

    clcf = ngx_http_get_module_loc_conf(r, ngx_http_core_module);

    if (r->uri.len <= clcf->name.len) {
        return NGX_DECLINED;
    }

    prefix = clcf->name;
    p = r->uri.data + clcf->name.len;
    last = r->uri.data + r->uri.len;

    while (p < last && *p == '/') {
        p++;
    }

    openapi = (last - p == sizeof("openapi.json") - 1
               && ngx_strncmp(p, "openapi.json", last - p) == 0);

    if (!openapi) {
        /* resource/provider/meta/method: four segments, the third "meta" */

        n = 0;

        while (p < last) {
            if (n == NGX_HTTP_USAGE_METERING_META_SEGS) {
                return NGX_DECLINED;
            }

            start = p;

            while (p < last && *p != '/') {
                p++;
            }

            seg[n].data = start;
            seg[n].len = p - start;
            n++;

            if (p < last) {
                p++;
            }
        }

        if (n != NGX_HTTP_USAGE_METERING_META_SEGS
            || seg[2].len != 4 || ngx_strncmp(seg[2].data, "meta", 4) != 0)
        {
            return NGX_DECLINED;
        }
    }

    if (!(r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD))) {
        ngx_http_discard_request_body(r);
        return ngx_http_usage_metering_send_error(r, NGX_HTTP_NOT_ALLOWED,
                                         "only GET and HEAD are allowed",
                                         sizeof("only GET and HEAD are "
                                                "allowed") - 1);
    }

    rc = ngx_http_discard_request_body(r);
    if (rc != NGX_OK) {
        return rc;
    }

    if (openapi) {
        return ngx_http_usage_metering_openapi_send(r, &prefix);
    }

    return ngx_http_usage_metering_meta_send(r, &prefix, seg);
}


static ngx_int_t
ngx_http_usage_metering_meta_send(ngx_http_request_t *r, ngx_str_t *prefix,
    ngx_str_t *seg)
{
    int                                   res, op;
    u_char                               *p;
    size_t                                len;
    ngx_int_t                             rc;
    ngx_buf_t                            *b[2];
    ngx_chain_t                           out[2];
    ngx_uint_t                            i;
    const char                           *name;
    um_error_t                            err;
    const um_method_t                    *m;
    const um_provider_t                  *prov;
    ngx_http_usage_metering_main_conf_t  *umcf;

    umcf = ngx_http_get_module_main_conf(r, ngx_http_usage_metering_module);

    ngx_memzero(&err, sizeof(um_error_t));

    /* what is not there: a 404 that names it, as the data endpoints do */

    res = um_resource_find((char *) seg[0].data, seg[0].len);
    prov = um_registry_find(umcf->registry, (char *) seg[1].data,
                            seg[1].len);

    op = (seg[3].len == 4 && ngx_strncmp(seg[3].data, "list", 4) == 0)
         ? UM_OP_LIST
         : (seg[3].len == 3 && ngx_strncmp(seg[3].data, "get", 3) == 0)
           ? UM_OP_GET : -1;

    if (res < 0) {
        um_error_set(&err, NGX_HTTP_NOT_FOUND, "unknown resource \"%.*s\"; "
                     "resources are organizations, products, usage, "
                     "workspaces and users",
                     (int) ngx_min(seg[0].len, 64), seg[0].data);

    } else if (prov == NULL) {
        um_error_set(&err, NGX_HTTP_NOT_FOUND, "unknown provider \"%.*s\" "
                     "(no mapping file defines it)",
                     (int) ngx_min(seg[1].len, 64), seg[1].data);

    } else if (op < 0) {
        um_error_set(&err, NGX_HTTP_NOT_FOUND, "unknown method \"%.*s\"; "
                     "methods are list and get",
                     (int) ngx_min(seg[3].len, 64), seg[3].data);

    } else if (prov->methods[res][op] == NULL) {
        um_error_set(&err, NGX_HTTP_NOT_FOUND, "resource \"%s\"%s is not "
                     "supported by provider \"%.*s\"", um_resource_name(res),
                     op == UM_OP_GET ? " (get by id)" : "",
                     (int) prov->name.len, prov->name.data);
    }

    if (err.status) {
        if (!um_utf8_valid(err.msg, ngx_strlen(err.msg))) {
            um_error_set(&err, NGX_HTTP_NOT_FOUND, "not found");
        }

        return ngx_http_usage_metering_send_error(r, err.status, err.msg,
                                                  ngx_strlen(err.msg));
    }

    m = prov->methods[res][op];
    name = um_resource_name(res);

    /*
     * {"documentation_link":"<prefix>/openapi.json#/paths/~1usage/get",
     * then the members written when the mapping was compiled
     */

    len = sizeof("{\"documentation_link\":\"") - 1 + prefix->len
          + ngx_escape_json(NULL, prefix->data, prefix->len)
          + sizeof("/openapi.json#/paths/~1") - 1 + ngx_strlen(name)
          + sizeof("~1%7Bid%7D/get\",") - 1;

    p = ngx_pnalloc(r->pool, len);
    if (p == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    b[0] = ngx_calloc_buf(r->pool);
    b[1] = ngx_calloc_buf(r->pool);
    if (b[0] == NULL || b[1] == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    b[0]->pos = p;
    p = ngx_cpymem(p, "{\"documentation_link\":\"",
                   sizeof("{\"documentation_link\":\"") - 1);
    p = (u_char *) ngx_escape_json(p, prefix->data, prefix->len);

    if (prefix->len == 0 || prefix->data[prefix->len - 1] != '/') {
        *p++ = '/';
    }

    p = ngx_cpymem(p, "openapi.json#/paths/~1",
                   sizeof("openapi.json#/paths/~1") - 1);
    p = ngx_cpymem(p, name, ngx_strlen(name));

    if (op == UM_OP_GET) {
        p = ngx_cpymem(p, "~1%7Bid%7D", sizeof("~1%7Bid%7D") - 1);
    }

    p = ngx_cpymem(p, "/get\",", sizeof("/get\",") - 1);
    b[0]->last = p;

    b[1]->pos = (u_char *) m->meta->json.data;
    b[1]->last = b[1]->pos + m->meta->json.len;

    r->headers_out.status = NGX_HTTP_OK;
    r->headers_out.content_length_n = (b[0]->last - b[0]->pos)
                                      + m->meta->json.len;
    ngx_str_set(&r->headers_out.content_type, "application/json");
    r->headers_out.content_type_len = r->headers_out.content_type.len;
    r->headers_out.content_type_lowcase = NULL;

    rc = ngx_http_send_header(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        return rc;
    }

    for (i = 0; i < 2; i++) {
        b[i]->memory = 1;
        out[i].buf = b[i];
        out[i].next = i ? NULL : &out[1];
    }

    b[1]->last_buf = 1;
    b[1]->last_in_chain = 1;

    return ngx_http_output_filter(r, &out[0]);
}
