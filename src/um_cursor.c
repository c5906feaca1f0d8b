/*
 * next_cursor tokens.
 *
 * The token is base64url (no padding) of
 *     version (1 byte) | issued (8 bytes, big-endian) | digest (16 bytes)
 *     | nparts (varint) | { stream, offset, length (varints), cont }...
 *     | HMAC-SHA256 of all that, first 16 bytes
 * Continuations are not secret (they are the provider's own page tokens),
 * so the token is signed, not encrypted.
 */

#include <stdlib.h>
#include <string.h>

#include "um_cursor.h"
#include "um_sha256.h"


#define UM_CURSOR_VERSION  1
#define UM_CURSOR_MAC      16
#define UM_CURSOR_HEAD     (1 + 8 + UM_CURSOR_DIGEST)


static void um_cursor_varint(um_buf_t *b, uint64_t v);
static int um_cursor_read_varint(const uint8_t **p, const uint8_t *end,
    uint64_t *v);
static void um_b64url_encode(um_buf_t *b, const uint8_t *s, size_t len);
static long um_b64url_decode(uint8_t *dst, const char *s, size_t len);
static int um_cursor_param_cmp(const void *a, const void *b);


/* parameters that only shape the answer may change between pages */

static int
um_cursor_shaping(const um_str_t *key)
{
    static const char  *names[] = {
        "next_cursor", "truto_response_format", "truto_key_by",
        "truto_ignore_remote_data", NULL
    };

    size_t  i;

    for (i = 0; names[i]; i++) {
        if (key->len == strlen(names[i])
            && memcmp(key->data, names[i], key->len) == 0)
        {
            return 1;
        }
    }

    return key->len >= sizeof("truto_exclude_fields") - 1
           && memcmp(key->data, "truto_exclude_fields",
                     sizeof("truto_exclude_fields") - 1) == 0;
}


void
um_cursor_digest(const um_request_t *req, uint8_t out[UM_CURSOR_DIGEST])
{
    size_t        i, n;
    uint8_t       d[UM_SHA256_LEN], len[8];
    um_param_t    sorted[UM_PARAMS_MAX];
    um_sha256_t   c;

    um_sha256_init(&c);

    /* what is asked: resource, get or list, id */

    len[0] = (uint8_t) req->resource;
    len[1] = (uint8_t) req->op;
    um_sha256_update(&c, len, 2);
    um_sha256_update(&c, req->id.data ? req->id.data : "", req->id.len);
    um_sha256_update(&c, "", 1);

    /* every other parameter, sorted: their order does not matter */

    n = 0;

    for (i = 0; i < req->nparams && n < UM_PARAMS_MAX; i++) {
        if (!um_cursor_shaping(&req->params[i].key)) {
            sorted[n++] = req->params[i];
        }
    }

    qsort(sorted, n, sizeof(um_param_t), um_cursor_param_cmp);

    for (i = 0; i < n; i++) {
        um_sha256_update(&c, sorted[i].key.data, sorted[i].key.len);
        um_sha256_update(&c, "=", 1);
        um_sha256_update(&c, sorted[i].value.data, sorted[i].value.len);
        um_sha256_update(&c, "", 1);
    }

    um_sha256_final(&c, d);
    memcpy(out, d, UM_CURSOR_DIGEST);
}


static int
um_cursor_param_cmp(const void *a, const void *b)
{
    int                r;
    size_t             n;
    const um_param_t  *x = a, *y = b;

    n = x->key.len < y->key.len ? x->key.len : y->key.len;
    r = memcmp(x->key.data, y->key.data, n);

    if (r || x->key.len != y->key.len) {
        return r ? r : (x->key.len < y->key.len ? -1 : 1);
    }

    n = x->value.len < y->value.len ? x->value.len : y->value.len;
    r = n ? memcmp(x->value.data, y->value.data, n) : 0;

    if (r || x->value.len == y->value.len) {
        return r;
    }

    return x->value.len < y->value.len ? -1 : 1;
}


int
um_cursor_encode(um_arena_t *a, const um_cursor_t *c, const void *key,
    size_t klen, um_str_t *out)
{
    int        i;
    size_t     k;
    uint8_t    mac[UM_SHA256_LEN];
    um_buf_t   raw, tok;

    um_buf_init(&raw, a, UM_CURSOR_MAX);
    um_buf_init(&tok, a, 2 * UM_CURSOR_MAX);

    um_buf_addc(&raw, UM_CURSOR_VERSION);

    for (i = 7; i >= 0; i--) {
        um_buf_addc(&raw, (char) ((uint64_t) c->issued >> (i * 8)));
    }

    um_buf_add(&raw, c->digest, UM_CURSOR_DIGEST);
    um_cursor_varint(&raw, c->nparts);

    for (k = 0; k < c->nparts; k++) {
        um_cursor_varint(&raw, c->parts[k].stream);
        um_cursor_varint(&raw, c->parts[k].offset);
        um_cursor_varint(&raw, c->parts[k].cont.len);
        um_buf_add(&raw, c->parts[k].cont.data, c->parts[k].cont.len);
    }

    if (raw.failed) {
        return UM_ERR;
    }

    um_hmac_sha256(key, klen, raw.data, raw.len, mac);
    um_buf_add(&raw, mac, UM_CURSOR_MAC);

    um_b64url_encode(&tok, (uint8_t *) raw.data, raw.len);

    if (raw.failed || tok.failed) {
        return UM_ERR;
    }

    out->data = tok.data;
    out->len = tok.len;

    return UM_OK;
}


int
um_cursor_decode(um_arena_t *a, um_str_t token, const void *key,
    size_t klen, int64_t now, int64_t ttl,
    const uint8_t digest[UM_CURSOR_DIGEST], um_cursor_t *c, um_error_t *err)
{
    int             i;
    long            n;
    size_t          k;
    uint8_t        *raw, mac[UM_SHA256_LEN];
    uint64_t        v, count, off, len;
    const uint8_t  *p, *end;

    if (token.len == 0 || token.len > UM_CURSOR_MAX) {
        return um_error_set(err, 400, "next_cursor is not valid");
    }

    raw = um_alloc(a, token.len);
    if (raw == NULL) {
        return um_error_set(err, 500, "out of memory");
    }

    n = um_b64url_decode(raw, token.data, token.len);

    if (n < (long) (UM_CURSOR_HEAD + 1 + UM_CURSOR_MAC)) {
        return um_error_set(err, 400, "next_cursor is not valid");
    }

    /* the signature first: nothing of a forged token is read */

    um_hmac_sha256(key, klen, raw, (size_t) n - UM_CURSOR_MAC, mac);

    if (!um_ct_equal(mac, raw + n - UM_CURSOR_MAC, UM_CURSOR_MAC)
        || raw[0] != UM_CURSOR_VERSION)
    {
        return um_error_set(err, 400, "next_cursor is not valid");
    }

    c->issued = 0;

    for (i = 0; i < 8; i++) {
        c->issued = (int64_t) (((uint64_t) c->issued << 8) | raw[1 + i]);
    }

    memcpy(c->digest, raw + 9, UM_CURSOR_DIGEST);

    if (!um_ct_equal(c->digest, digest, UM_CURSOR_DIGEST)) {
        return um_error_set(err, 400, "next_cursor belongs to a request "
                            "with other parameters");
    }

    /* issued is any 64-bit value here: compare without overflowing */

    if (ttl > 0 && (c->issued < now - ttl || c->issued > now + 300)) {
        return um_error_set(err, 400, "next_cursor has expired");
    }

    p = raw + UM_CURSOR_HEAD;
    end = raw + n - UM_CURSOR_MAC;

    if (um_cursor_read_varint(&p, end, &count) != 0 || count > 1024) {
        return um_error_set(err, 400, "next_cursor is not valid");
    }

    c->parts = um_calloc(a, (count + 1) * sizeof(um_cursor_part_t));
    if (c->parts == NULL) {
        return um_error_set(err, 500, "out of memory");
    }

    c->nparts = (size_t) count;

    for (k = 0; k < count; k++) {
        if (um_cursor_read_varint(&p, end, &v) != 0
            || um_cursor_read_varint(&p, end, &off) != 0
            || um_cursor_read_varint(&p, end, &len) != 0
            || v > UINT32_MAX || len > (uint64_t) (end - p))
        {
            return um_error_set(err, 400, "next_cursor is not valid");
        }

        c->parts[k].stream = (uint32_t) v;
        c->parts[k].offset = off;
        c->parts[k].cont.data = (const char *) p;
        c->parts[k].cont.len = (size_t) len;
        p += len;
    }

    if (p != end) {
        return um_error_set(err, 400, "next_cursor is not valid");
    }

    return UM_OK;
}


static void
um_cursor_varint(um_buf_t *b, uint64_t v)
{
    while (v >= 0x80) {
        um_buf_addc(b, (char) ((v & 0x7f) | 0x80));
        v >>= 7;
    }

    um_buf_addc(b, (char) v);
}


static int
um_cursor_read_varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
    int  shift;

    *v = 0;

    for (shift = 0; shift < 64; shift += 7) {
        if (*p >= end) {
            return -1;
        }

        *v |= (uint64_t) (**p & 0x7f) << shift;

        if ((*(*p)++ & 0x80) == 0) {
            return 0;
        }
    }

    return -1;
}


static const char  um_b64url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";


static void
um_b64url_encode(um_buf_t *b, const uint8_t *s, size_t len)
{
    size_t    i;
    uint32_t  w;

    for (i = 0; i + 2 < len; i += 3) {
        w = (uint32_t) s[i] << 16 | (uint32_t) s[i + 1] << 8 | s[i + 2];
        um_buf_addc(b, um_b64url[w >> 18]);
        um_buf_addc(b, um_b64url[(w >> 12) & 63]);
        um_buf_addc(b, um_b64url[(w >> 6) & 63]);
        um_buf_addc(b, um_b64url[w & 63]);
    }

    if (len - i == 1) {
        w = (uint32_t) s[i] << 16;
        um_buf_addc(b, um_b64url[w >> 18]);
        um_buf_addc(b, um_b64url[(w >> 12) & 63]);

    } else if (len - i == 2) {
        w = (uint32_t) s[i] << 16 | (uint32_t) s[i + 1] << 8;
        um_buf_addc(b, um_b64url[w >> 18]);
        um_buf_addc(b, um_b64url[(w >> 12) & 63]);
        um_buf_addc(b, um_b64url[(w >> 6) & 63]);
    }
}


/* strict: only the URL-safe alphabet, no padding; -1 on anything else */

static long
um_b64url_decode(uint8_t *dst, const char *s, size_t len)
{
    int       v;
    size_t    i, n, bits;
    uint32_t  w;

    if (len % 4 == 1) {
        return -1;
    }

    n = 0;
    w = 0;
    bits = 0;

    for (i = 0; i < len; i++) {
        const char  *q;

        q = (s[i] != '\0') ? strchr(um_b64url, s[i]) : NULL;
        if (q == NULL) {
            return -1;
        }

        v = (int) (q - um_b64url);
        w = (w << 6) | (uint32_t) v;
        bits += 6;

        if (bits >= 8) {
            bits -= 8;
            dst[n++] = (uint8_t) (w >> bits);
            w &= (1u << bits) - 1;
        }
    }

    /* the leftover bits of the last character must be zero */

    if (w != 0) {
        return -1;
    }

    return (long) n;
}
