/*
 * API keys of the unified API: "Authorization: Bearer <key>".
 *
 * Keys are kept as SHA-256 digests only (a key may be configured as its
 * digest, so the configuration need not hold it), the presented key is
 * hashed and compared with every configured digest in constant time, and
 * the loop does not stop at a match: the time taken says nothing about
 * which key, or which byte, differed.
 */

#include "ngx_http_usage_metering.h"
#include "um_sha256.h"


static ngx_int_t ngx_http_usage_metering_hex(u_char *dst, u_char *src,
    size_t len);


char *
ngx_http_usage_metering_api_key(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_usage_metering_loc_conf_t *umlcf = conf;

    u_char                          *p, *last, *start;
    ngx_str_t                       *value, key, *acc;
    ngx_uint_t                       i;
    ngx_http_usage_metering_key_t   *k;

    value = cf->args->elts;

    if (umlcf->api_keys == NGX_CONF_UNSET_PTR) {
        umlcf->api_keys = ngx_array_create(cf->pool, 2,
                                         sizeof(ngx_http_usage_metering_key_t));
        if (umlcf->api_keys == NULL) {
            return NGX_CONF_ERROR;
        }
    }

    k = ngx_array_push(umlcf->api_keys);
    if (k == NULL) {
        return NGX_CONF_ERROR;
    }

    ngx_memzero(k, sizeof(ngx_http_usage_metering_key_t));
    key = value[1];

    if (key.len > 7 && ngx_strncmp(key.data, "sha256:", 7) == 0) {
        if (key.len != 7 + 2 * UM_SHA256_LEN
            || ngx_http_usage_metering_hex(k->digest, key.data + 7,
                                           2 * UM_SHA256_LEN)
               != NGX_OK)
        {
            return "needs \"sha256:\" followed by 64 hexadecimal digits";
        }

    } else {
        if (key.len > 5 && ngx_strncmp(key.data, "file:", 5) == 0) {
            key.data += 5;
            key.len -= 5;

            if (ngx_http_usage_metering_read_secret(cf, &key) != NGX_OK) {
                return NGX_CONF_ERROR;
            }
        }

        if (key.len < 16) {
            return "needs a key of at least 16 characters";
        }

        um_sha256(key.data, key.len, k->digest);
    }

    for (i = 2; i < cf->args->nelts; i++) {

        if (value[i].len <= 9
            || ngx_strncmp(value[i].data, "accounts=", 9) != 0)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid parameter \"%V\": the accounts a key "
                               "may use are given as accounts=id,id or "
                               "accounts=*", &value[i]);
            return NGX_CONF_ERROR;
        }

        if (value[i].len == 10 && value[i].data[9] == '*') {
            continue;
        }

        k->accounts = ngx_array_create(cf->pool, 4, sizeof(ngx_str_t));
        if (k->accounts == NULL) {
            return NGX_CONF_ERROR;
        }

        last = value[i].data + value[i].len;

        for (start = p = value[i].data + 9; p <= last; p++) {
            if (p < last && *p != ',') {
                continue;
            }

            if (p == start) {
                return "has an empty account id in accounts=";
            }

            acc = ngx_array_push(k->accounts);
            if (acc == NULL) {
                return NGX_CONF_ERROR;
            }

            acc->data = start;
            acc->len = p - start;
            start = p + 1;
        }
    }

    return NGX_CONF_OK;
}


/*
 * NGX_OK when no key is configured or the request carries a valid one
 * (*key is set to it), NGX_DECLINED otherwise.
 */

ngx_int_t
ngx_http_usage_metering_auth(ngx_http_request_t *r,
    ngx_http_usage_metering_loc_conf_t *umlcf,
    ngx_http_usage_metering_key_t **key)
{
    u_char                          digest[UM_SHA256_LEN];
    ngx_str_t                       token;
    ngx_uint_t                      i, match;
    ngx_table_elt_t                *h;
    ngx_http_usage_metering_key_t  *k;

    *key = NULL;

    if (umlcf->api_keys == NULL || umlcf->api_keys->nelts == 0) {
        return NGX_OK;
    }

    h = r->headers_in.authorization;

    if (h == NULL || h->value.len < sizeof("Bearer ") - 1
        || ngx_strncasecmp(h->value.data, (u_char *) "Bearer ",
                           sizeof("Bearer ") - 1) != 0)
    {
        return NGX_DECLINED;
    }

    token.data = h->value.data + sizeof("Bearer ") - 1;
    token.len = h->value.len - (sizeof("Bearer ") - 1);

    while (token.len && token.data[0] == ' ') {
        token.data++;
        token.len--;
    }

    while (token.len && token.data[token.len - 1] == ' ') {
        token.len--;
    }

    if (token.len == 0) {
        return NGX_DECLINED;
    }

    um_sha256(token.data, token.len, digest);

    k = umlcf->api_keys->elts;
    match = 0;

    for (i = 0; i < umlcf->api_keys->nelts; i++) {
        if (um_ct_equal(digest, k[i].digest, UM_SHA256_LEN) && !match) {
            match = 1;
            *key = &k[i];
        }
    }

    ngx_memzero(digest, sizeof(digest));

    return match ? NGX_OK : NGX_DECLINED;
}


/* an account outside the key's set is answered like an unknown one */

ngx_int_t
ngx_http_usage_metering_key_allows(ngx_http_usage_metering_key_t *key,
    ngx_str_t *account)
{
    ngx_str_t   *acc;
    ngx_uint_t   i;

    if (key == NULL || key->accounts == NULL) {
        return 1;
    }

    acc = key->accounts->elts;

    for (i = 0; i < key->accounts->nelts; i++) {
        if (acc[i].len == account->len
            && ngx_strncmp(acc[i].data, account->data, account->len) == 0)
        {
            return 1;
        }
    }

    return 0;
}


static ngx_int_t
ngx_http_usage_metering_hex(u_char *dst, u_char *src, size_t len)
{
    ngx_int_t  hi, lo;
    size_t     i;

    for (i = 0; i < len; i += 2) {
        hi = ngx_hextoi(src + i, 1);
        lo = ngx_hextoi(src + i + 1, 1);

        if (hi == NGX_ERROR || lo == NGX_ERROR) {
            return NGX_ERROR;
        }

        *dst++ = (u_char) (hi * 16 + lo);
    }

    return NGX_OK;
}
