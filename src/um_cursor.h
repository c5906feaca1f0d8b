/*
 * next_cursor: an opaque, URL-safe token for the page after this one.
 *
 * It carries, for every provider stream of the request that has more, the
 * provider's continuation and how many rows of that page were already
 * returned (limit trims pages), plus a digest of the request it belongs to
 * and when it was issued.  It is signed with HMAC-SHA256 under a secret
 * that nodes of one deployment share, so a client can neither forge one
 * nor use one with other parameters, and an old one expires.
 */

#ifndef _UM_CURSOR_H_INCLUDED_
#define _UM_CURSOR_H_INCLUDED_


#include <stdint.h>

#include "um_arena.h"
#include "um_error.h"
#include "um_request.h"
#include "um_str.h"


#define UM_CURSOR_DIGEST   16
#define UM_CURSOR_MAX      8192    /* bytes of a token */


typedef struct {
    uint32_t            stream;     /* which provider stream */
    uint64_t            offset;     /* rows of its page already returned */
    um_str_t            cont;       /* its continuation, empty: first page */
} um_cursor_part_t;


typedef struct {
    int64_t             issued;     /* Unix seconds */
    uint8_t             digest[UM_CURSOR_DIGEST];
    um_cursor_part_t   *parts;
    size_t              nparts;
} um_cursor_t;


/*
 * The digest of what a cursor may be used with: resource, id, accounts and
 * every parameter but next_cursor and the ones that only shape the answer
 * (truto_response_format, truto_key_by, truto_exclude_fields,
 * truto_ignore_remote_data), in a canonical order.
 */
void um_cursor_digest(const um_request_t *req, uint8_t out[UM_CURSOR_DIGEST]);

int um_cursor_encode(um_arena_t *a, const um_cursor_t *c, const void *key,
    size_t klen, um_str_t *out);

/*
 * Checks and reads a token: 400 when it is malformed or its signature is
 * wrong ("not valid"), when it belongs to other parameters, or when it is
 * older than ttl seconds.
 */
int um_cursor_decode(um_arena_t *a, um_str_t token, const void *key,
    size_t klen, int64_t now, int64_t ttl,
    const uint8_t digest[UM_CURSOR_DIGEST], um_cursor_t *c,
    um_error_t *err);


#endif /* _UM_CURSOR_H_INCLUDED_ */
