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
 * Appends; inline when there is room, since every row is written a few
 * bytes at a time (um_buf_add_grow grows the buffer, or fails it).
 */

static inline void
um_buf_add(um_buf_t *b, const void *p, size_t len)
{
    char        *d;
    uint32_t     a4, z4;
    uint64_t     a8, z8;
    const char  *s;

    if (len <= b->cap - b->len && !b->failed) {
        d = b->data + b->len;
        s = p;
        b->len += len;

        /*
         * Keys and values of rows are short: two overlapping moves of a
         * fixed size instead of a call to memcpy (the compiler inlines
         * those as loads and stores)
         */

        if (len >= 8 && len <= 16) {
            memcpy(&a8, s, 8);
            memcpy(&z8, s + len - 8, 8);
            memcpy(d, &a8, 8);
            memcpy(d + len - 8, &z8, 8);

        } else if (len >= 4 && len < 8) {
            memcpy(&a4, s, 4);
            memcpy(&z4, s + len - 4, 4);
            memcpy(d, &a4, 4);
            memcpy(d + len - 4, &z4, 4);

        } else if (len) {
            memcpy(d, s, len);
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
