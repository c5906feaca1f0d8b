/*
 * SHA-256 and HMAC-SHA256.
 */

#include <string.h>

#include "um_sha256.h"


static const uint32_t  um_k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
    0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
    0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
    0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
    0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
    0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
    0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
    0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
};


#define um_ror(x, n)   (((x) >> (n)) | ((x) << (32 - (n))))


static void
um_sha256_block(um_sha256_t *c, const uint8_t *p)
{
    int       i;
    uint32_t  w[64], a, b, d, e, f, g, h, cc, t1, t2;

    for (i = 0; i < 16; i++) {
        w[i] = (uint32_t) p[i * 4] << 24 | (uint32_t) p[i * 4 + 1] << 16
               | (uint32_t) p[i * 4 + 2] << 8 | (uint32_t) p[i * 4 + 3];
    }

    for (i = 16; i < 64; i++) {
        w[i] = (um_ror(w[i - 2], 17) ^ um_ror(w[i - 2], 19) ^ (w[i - 2] >> 10))
               + w[i - 7]
               + (um_ror(w[i - 15], 7) ^ um_ror(w[i - 15], 18)
                  ^ (w[i - 15] >> 3))
               + w[i - 16];
    }

    a = c->state[0];
    b = c->state[1];
    cc = c->state[2];
    d = c->state[3];
    e = c->state[4];
    f = c->state[5];
    g = c->state[6];
    h = c->state[7];

    for (i = 0; i < 64; i++) {
        t1 = h + (um_ror(e, 6) ^ um_ror(e, 11) ^ um_ror(e, 25))
             + ((e & f) ^ (~e & g)) + um_k[i] + w[i];
        t2 = (um_ror(a, 2) ^ um_ror(a, 13) ^ um_ror(a, 22))
             + ((a & b) ^ (a & cc) ^ (b & cc));
        h = g;
        g = f;
        f = e;
        e = d + t1;
        d = cc;
        cc = b;
        b = a;
        a = t1 + t2;
    }

    c->state[0] += a;
    c->state[1] += b;
    c->state[2] += cc;
    c->state[3] += d;
    c->state[4] += e;
    c->state[5] += f;
    c->state[6] += g;
    c->state[7] += h;
}


void
um_sha256_init(um_sha256_t *c)
{
    static const uint32_t  iv[8] = {
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
        0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19
    };

    memcpy(c->state, iv, sizeof(iv));
    c->bits = 0;
    c->used = 0;
}


void
um_sha256_update(um_sha256_t *c, const void *data, size_t len)
{
    size_t          n;
    const uint8_t  *p = data;

    c->bits += (uint64_t) len * 8;

    while (len) {
        n = 64 - c->used;
        if (n > len) {
            n = len;
        }

        memcpy(c->buf + c->used, p, n);
        c->used += n;
        p += n;
        len -= n;

        if (c->used == 64) {
            um_sha256_block(c, c->buf);
            c->used = 0;
        }
    }
}


void
um_sha256_final(um_sha256_t *c, uint8_t out[UM_SHA256_LEN])
{
    int       i;
    uint64_t  bits;

    bits = c->bits;
    c->buf[c->used++] = 0x80;

    if (c->used > 56) {
        memset(c->buf + c->used, 0, 64 - c->used);
        um_sha256_block(c, c->buf);
        c->used = 0;
    }

    memset(c->buf + c->used, 0, 56 - c->used);

    for (i = 0; i < 8; i++) {
        c->buf[56 + i] = (uint8_t) (bits >> (56 - 8 * i));
    }

    um_sha256_block(c, c->buf);

    for (i = 0; i < 8; i++) {
        out[i * 4] = (uint8_t) (c->state[i] >> 24);
        out[i * 4 + 1] = (uint8_t) (c->state[i] >> 16);
        out[i * 4 + 2] = (uint8_t) (c->state[i] >> 8);
        out[i * 4 + 3] = (uint8_t) c->state[i];
    }

    memset(c, 0, sizeof(um_sha256_t));
}


void
um_sha256(const void *data, size_t len, uint8_t out[UM_SHA256_LEN])
{
    um_sha256_t  c;

    um_sha256_init(&c);
    um_sha256_update(&c, data, len);
    um_sha256_final(&c, out);
}


void
um_hmac_sha256(const void *key, size_t klen, const void *data, size_t len,
    uint8_t out[UM_SHA256_LEN])
{
    int          i;
    uint8_t      k[64], pad[64], inner[UM_SHA256_LEN];
    um_sha256_t  c;

    memset(k, 0, sizeof(k));

    if (klen > 64) {
        um_sha256(key, klen, k);

    } else if (klen) {
        memcpy(k, key, klen);
    }

    for (i = 0; i < 64; i++) {
        pad[i] = k[i] ^ 0x36;
    }

    um_sha256_init(&c);
    um_sha256_update(&c, pad, 64);
    um_sha256_update(&c, data, len);
    um_sha256_final(&c, inner);

    for (i = 0; i < 64; i++) {
        pad[i] = k[i] ^ 0x5c;
    }

    um_sha256_init(&c);
    um_sha256_update(&c, pad, 64);
    um_sha256_update(&c, inner, UM_SHA256_LEN);
    um_sha256_final(&c, out);

    memset(k, 0, sizeof(k));
    memset(pad, 0, sizeof(pad));
}


int
um_ct_equal(const void *a, const void *b, size_t len)
{
    size_t                   i;
    unsigned char            d;
    const volatile uint8_t  *x = a, *y = b;

    d = 0;

    for (i = 0; i < len; i++) {
        d |= x[i] ^ y[i];
    }

    return d == 0;
}
