/*
 * libFuzzer target of the next_cursor codec (src/um_cursor.c).
 *
 * The first byte chooses what the rest is:
 *   even: a token as a client sends it (almost always refused: forging
 *         one needs the secret);
 *   odd:  the token's payload, which the harness signs with the secret
 *         and encodes, so that the parser behind the signature check is
 *         reached with any content.
 * A token that is accepted must round-trip: encoding what was decoded
 * and decoding that gives the same cursor.
 *
 *   make fuzz-build && build/fuzz/fuzz_cursor fuzz/corpus/cursor
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "um_cursor.h"
#include "um_sha256.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


#define FUZZ_ASSERT(cond)                                                    \
    do { if (!(cond)) { abort(); } } while (0)

#define FUZZ_KEY      "fuzz-cursor-secret"
#define FUZZ_KLEN     (sizeof(FUZZ_KEY) - 1)
#define FUZZ_NOW      1700000000
#define FUZZ_TTL      3600


static const char  fuzz_b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";


static size_t
fuzz_b64url(char *dst, const uint8_t *s, size_t len)
{
    size_t    i, n;
    uint32_t  w;

    n = 0;

    for (i = 0; i + 2 < len; i += 3) {
        w = (uint32_t) s[i] << 16 | (uint32_t) s[i + 1] << 8 | s[i + 2];
        dst[n++] = fuzz_b64[w >> 18];
        dst[n++] = fuzz_b64[(w >> 12) & 63];
        dst[n++] = fuzz_b64[(w >> 6) & 63];
        dst[n++] = fuzz_b64[w & 63];
    }

    if (len - i == 1) {
        w = (uint32_t) s[i] << 16;
        dst[n++] = fuzz_b64[w >> 18];
        dst[n++] = fuzz_b64[(w >> 12) & 63];

    } else if (len - i == 2) {
        w = (uint32_t) s[i] << 16 | (uint32_t) s[i + 1] << 8;
        dst[n++] = fuzz_b64[w >> 18];
        dst[n++] = fuzz_b64[(w >> 12) & 63];
        dst[n++] = fuzz_b64[(w >> 6) & 63];
    }

    return n;
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t        i;
    char         *tok;
    uint8_t      *raw, mac[UM_SHA256_LEN], digest[UM_CURSOR_DIGEST];
    int64_t       ttl;
    um_str_t      token, again;
    um_arena_t   *a;
    um_error_t    err;
    um_cursor_t   c, back;

    if (size < 1 || size > 2 * UM_CURSOR_MAX) {
        return 0;
    }

    a = um_arena_create(0, 4 * 1024 * 1024);
    raw = malloc(size + 16);
    tok = malloc(2 * (size + 16) + 4);

    if (a == NULL || raw == NULL || tok == NULL) {
        goto done;
    }

    /* the digest of the request the token is checked against */

    memset(digest, 0, sizeof(digest));
    ttl = (data[0] & 2) ? FUZZ_TTL : 0;

    if (data[0] & 1) {
        /* a payload: sign it as the module would */

        memcpy(raw, data + 1, size - 1);

        if (size - 1 >= 1 + 8 + UM_CURSOR_DIGEST) {
            memcpy(digest, raw + 9, UM_CURSOR_DIGEST);
        }

        um_hmac_sha256(FUZZ_KEY, FUZZ_KLEN, raw, size - 1, mac);
        memcpy(raw + size - 1, mac, 16);

        token.data = tok;
        token.len = fuzz_b64url(tok, raw, size - 1 + 16);

    } else {
        token.data = (const char *) data + 1;
        token.len = size - 1;
    }

    memset(&err, 0, sizeof(err));

    if (um_cursor_decode(a, token, FUZZ_KEY, FUZZ_KLEN, FUZZ_NOW, ttl,
                         digest, &c, &err)
        != UM_OK)
    {
        FUZZ_ASSERT(err.status == 400 || err.status == 500);
        goto done;
    }

    for (i = 0; i < c.nparts; i++) {
        FUZZ_ASSERT(c.parts[i].cont.len <= token.len);
    }

    /*
     * what is accepted reads back the same once re-encoded (the bytes may
     * differ: a signed payload may spell a varint with extra zero groups)
     */

    FUZZ_ASSERT(um_cursor_encode(a, &c, FUZZ_KEY, FUZZ_KLEN, &again)
                == UM_OK);

    FUZZ_ASSERT(um_cursor_decode(a, again, FUZZ_KEY, FUZZ_KLEN, FUZZ_NOW,
                                 ttl, digest, &back, &err)
                == UM_OK);
    FUZZ_ASSERT(back.issued == c.issued && back.nparts == c.nparts);

    for (i = 0; i < c.nparts; i++) {
        FUZZ_ASSERT(back.parts[i].stream == c.parts[i].stream
                    && back.parts[i].offset == c.parts[i].offset
                    && back.parts[i].cont.len == c.parts[i].cont.len
                    && memcmp(back.parts[i].cont.data, c.parts[i].cont.data,
                              c.parts[i].cont.len) == 0);
    }

    /* any other secret refuses it */

    FUZZ_ASSERT(um_cursor_decode(a, token, "other", 5, FUZZ_NOW, ttl,
                                 digest, &back, &err)
                == UM_ERR);

done:

    free(tok);
    free(raw);
    um_arena_destroy(a);

    return 0;
}
