/*
 * SHA-256 and HMAC-SHA256 (FIPS 180-4, RFC 2104), for API keys stored as
 * digests and for signed cursors.  Kept in the engine, so that it has no
 * dependency beyond jansson and PCRE2 and can be fuzzed alone.
 */

#ifndef _UM_SHA256_H_INCLUDED_
#define _UM_SHA256_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>


#define UM_SHA256_LEN  32


typedef struct {
    uint32_t   state[8];
    uint64_t   bits;
    uint8_t    buf[64];
    size_t     used;
} um_sha256_t;


void um_sha256_init(um_sha256_t *c);
void um_sha256_update(um_sha256_t *c, const void *data, size_t len);
void um_sha256_final(um_sha256_t *c, uint8_t out[UM_SHA256_LEN]);

void um_sha256(const void *data, size_t len, uint8_t out[UM_SHA256_LEN]);
void um_hmac_sha256(const void *key, size_t klen, const void *data,
    size_t len, uint8_t out[UM_SHA256_LEN]);

/* 1 if equal; the time taken does not depend on where they differ */
int um_ct_equal(const void *a, const void *b, size_t len);


#endif /* _UM_SHA256_H_INCLUDED_ */
