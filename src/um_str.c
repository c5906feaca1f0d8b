/*
 * Strings and output buffers.
 */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "um_str.h"


void
um_buf_init(um_buf_t *b, um_arena_t *arena, size_t limit)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->limit = limit;
    b->arena = arena;
    b->failed = 0;
}


void
um_buf_free(um_buf_t *b)
{
    if (b->arena == NULL) {
        free(b->data);
    }

    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}


int
um_buf_reserve(um_buf_t *b, size_t more)
{
    char    *p;
    size_t   cap;

    if (b->failed) {
        return -1;
    }

    if (b->cap - b->len >= more) {
        return 0;
    }

    if (b->limit && b->len + more > b->limit) {
        b->failed = 1;
        return -1;
    }

    cap = b->cap ? b->cap : 256;

    while (cap - b->len < more) {
        cap *= 2;
    }

    if (b->limit && cap > b->limit) {
        cap = b->limit;
    }

    if (b->arena) {
        p = um_realloc(b->arena, b->data, b->cap, cap);

    } else {
        p = realloc(b->data, cap);
    }

    if (p == NULL) {
        b->failed = 1;
        return -1;
    }

    b->data = p;
    b->cap = cap;

    return 0;
}


void
um_buf_add_grow(um_buf_t *b, const void *p, size_t len)
{
    if (len == 0 || um_buf_reserve(b, len) != 0) {
        return;
    }

    memcpy(b->data + b->len, p, len);
    b->len += len;
}


void
um_buf_addc_grow(um_buf_t *b, char c)
{
    if (um_buf_reserve(b, 1) != 0) {
        return;
    }

    b->data[b->len++] = c;
}


void
um_buf_adds(um_buf_t *b, const char *s)
{
    um_buf_add(b, s, strlen(s));
}


void
um_buf_printf(um_buf_t *b, const char *fmt, ...)
{
    int      n;
    va_list  args;

    va_start(args, fmt);
    n = vsnprintf(NULL, 0, fmt, args);
    va_end(args);

    if (n < 0 || um_buf_reserve(b, (size_t) n + 1) != 0) {
        b->failed = 1;
        return;
    }

    va_start(args, fmt);
    vsnprintf(b->data + b->len, (size_t) n + 1, fmt, args);
    va_end(args);

    b->len += (size_t) n;
}


static int
um_hex(int c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }

    c |= 0x20;

    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }

    return -1;
}


long
um_url_decode(char *dst, const char *src, size_t len)
{
    int      hi, lo;
    char    *d;
    size_t   i;

    d = dst;

    for (i = 0; i < len; i++) {

        if (src[i] == '+') {
            *d++ = ' ';
            continue;
        }

        if (src[i] != '%') {
            *d++ = src[i];
            continue;
        }

        if (len - i < 3) {
            return -1;
        }

        hi = um_hex((unsigned char) src[i + 1]);
        lo = um_hex((unsigned char) src[i + 2]);

        if (hi < 0 || lo < 0) {
            return -1;
        }

        *d++ = (char) ((hi << 4) | lo);
        i += 2;
    }

    return (long) (d - dst);
}


void
um_url_encode(um_buf_t *b, const char *s, size_t len)
{
    size_t          i;
    unsigned char   c;
    static const char  hex[] = "0123456789ABCDEF";

    if (um_buf_reserve(b, len * 3) != 0) {
        return;
    }

    for (i = 0; i < len; i++) {
        c = (unsigned char) s[i];

        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
            || (c >= '0' && c <= '9')
            || c == '-' || c == '.' || c == '_' || c == '~')
        {
            b->data[b->len++] = (char) c;
            continue;
        }

        b->data[b->len++] = '%';
        b->data[b->len++] = hex[c >> 4];
        b->data[b->len++] = hex[c & 0x0f];
    }
}


int
um_utf8_valid(const char *s, size_t len)
{
    size_t          i, n, k;
    uint32_t        cp;
    unsigned char   c;

    for (i = 0; i < len; /* void */ ) {
        c = (unsigned char) s[i];

        if (c < 0x80) {
            i++;
            continue;
        }

        if (c >= 0xc2 && c <= 0xdf) {
            n = 1;
            cp = c & 0x1f;

        } else if (c >= 0xe0 && c <= 0xef) {
            n = 2;
            cp = c & 0x0f;

        } else if (c >= 0xf0 && c <= 0xf4) {
            n = 3;
            cp = c & 0x07;

        } else {
            return 0;
        }

        if (len - i <= n) {
            return 0;
        }

        for (k = 1; k <= n; k++) {
            c = (unsigned char) s[i + k];

            if ((c & 0xc0) != 0x80) {
                return 0;
            }

            cp = (cp << 6) | (c & 0x3f);
        }

        if ((n == 2 && cp < 0x800)
            || (n == 3 && (cp < 0x10000 || cp > 0x10ffff))
            || (cp >= 0xd800 && cp <= 0xdfff))
        {
            return 0;
        }

        i += n + 1;
    }

    return 1;
}
