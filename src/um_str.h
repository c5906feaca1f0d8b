/*
 * Strings and output buffers of the engine.
 *
 * um_buf_t is a growable byte buffer with a sticky failure flag: writers
 * append without checking every call and the owner checks `failed` once.
 * It grows with malloc (output pages, reused between pages) or in an arena.
 */

#ifndef _UM_STR_H_INCLUDED_
#define _UM_STR_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "um_arena.h"


typedef struct {
    const char  *data;
    size_t       len;
} um_str_t;


#define um_string(s)      { s, sizeof(s) - 1 }
#define um_str_eq(s, lit)                                                    \
    ((s).len == sizeof(lit) - 1 && memcmp((s).data, lit, sizeof(lit) - 1) == 0)


typedef struct {
    char        *data;
    size_t       len;
    size_t       cap;
    size_t       limit;        /* 0: none */
    um_arena_t  *arena;        /* NULL: malloc */
    unsigned     failed:1;
} um_buf_t;


void um_buf_init(um_buf_t *b, um_arena_t *arena, size_t limit);
void um_buf_free(um_buf_t *b);                  /* malloc buffers only */
int um_buf_reserve(um_buf_t *b, size_t more);   /* 0 or -1 (sets failed) */
void um_buf_add_grow(um_buf_t *b, const void *p, size_t len);
void um_buf_addc_grow(um_buf_t *b, char c);

/*
 * memcpy for the short keys and values of rows: moves of a fixed size,
 * overlapping, instead of a call (the compiler inlines them as loads and
 * stores).
 */

static inline void
um_copy(char *d, const char *s, size_t n)
{
    uint32_t  a4, z4;
    uint64_t  a8, b8, y8, z8;

    if (n >= 8 && n <= 16) {
        memcpy(&a8, s, 8);
        memcpy(&z8, s + n - 8, 8);
        memcpy(d, &a8, 8);
        memcpy(d + n - 8, &z8, 8);

    } else if (n > 16 && n <= 32) {
        memcpy(&a8, s, 8);
        memcpy(&b8, s + 8, 8);
        memcpy(&y8, s + n - 16, 8);
        memcpy(&z8, s + n - 8, 8);
        memcpy(d, &a8, 8);
        memcpy(d + 8, &b8, 8);
        memcpy(d + n - 16, &y8, 8);
        memcpy(d + n - 8, &z8, 8);

    } else if (n >= 4 && n < 8) {
        memcpy(&a4, s, 4);
        memcpy(&z4, s + n - 4, 4);
        memcpy(d, &a4, 4);
        memcpy(d + n - 4, &z4, 4);

    } else if (n) {
        memcpy(d, s, n);
    }
}


/*
 * Appends; inline when there is room, since every row is written a few
 * bytes at a time (um_buf_add_grow grows the buffer, or fails it).
 */

static inline void
um_buf_add(um_buf_t *b, const void *p, size_t len)
{
    if (len <= b->cap - b->len && !b->failed) {
        if (len) {
            /* (a buffer without room yet has no data) */
            um_copy(b->data + b->len, p, len);
            b->len += len;
        }

        return;
    }

    um_buf_add_grow(b, p, len);
}


static inline void
um_buf_addc(um_buf_t *b, char c)
{
    if (b->len < b->cap && !b->failed) {
        b->data[b->len++] = c;
        return;
    }

    um_buf_addc_grow(b, c);
}

void um_buf_adds(um_buf_t *b, const char *s);   /* NUL-terminated */
static inline void
um_buf_truncate(um_buf_t *b, size_t len)
{
    if (len < b->len) {
        b->len = len;
    }
}

void um_buf_printf(um_buf_t *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;


/*
 * Percent-decoding of a query component ('+' is a space).  Returns the
 * decoded length or -1 on an invalid escape.  dst may equal src.
 */
long um_url_decode(char *dst, const char *src, size_t len);

/* appends s percent-encoded: everything but RFC 3986 unreserved */
void um_url_encode(um_buf_t *b, const char *s, size_t len);

/* 1 if s is well-formed UTF-8 (no overlongs, no surrogates) */
int um_utf8_valid(const char *s, size_t len);


#endif /* _UM_STR_H_INCLUDED_ */
