/*
 * Raw JSON scanner.
 */

#include <string.h>

#include "um_json_scan.h"


#define UM_SCAN_MAX_DEPTH  512


static const char *um_scan_string(const char *p, const char *end);
static int um_scan_key_eq(const char *p, const char *q, const char *key,
    size_t klen);


const char *
um_scan_ws(const char *p, const char *end)
{
    while (p < end
           && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
    {
        p++;
    }

    return p;
}


/* p at the opening quote; returns the byte after the closing quote */

static const char *
um_scan_string(const char *p, const char *end)
{
    const char  *start, *q, *b;

    start = p + 1;
    p = start;

    for ( ;; ) {
        q = memchr(p, '"', (size_t) (end - p));
        if (q == NULL) {
            return NULL;
        }

        /* the quote is escaped if preceded by an odd run of backslashes */

        for (b = q; b > start && b[-1] == '\\'; b--) {
            /* void */
        }

        if (((q - b) & 1) == 0) {
            return q + 1;
        }

        p = q + 1;
    }
}


const char *
um_scan_value(const char *p, const char *end)
{
    int   depth;

    depth = 0;
    p = um_scan_ws(p, end);

    if (p >= end) {
        return NULL;
    }

    for ( ;; ) {

        if (p >= end) {
            return NULL;
        }

        switch (*p) {

        case '"':
            p = um_scan_string(p, end);
            if (p == NULL) {
                return NULL;
            }

            break;

        case '{':
        case '[':
            if (++depth > UM_SCAN_MAX_DEPTH) {
                return NULL;
            }

            p++;
            break;

        case '}':
        case ']':
            if (--depth < 0) {
                return NULL;
            }

            p++;
            break;

        case ',':
        case ':':
        case ' ':
        case '\t':
        case '\n':
        case '\r':
            if (depth == 0) {
                return NULL;
            }

            p++;
            break;

        default:
            /* a literal or a number: up to the next delimiter */
            while (p < end && *p != ',' && *p != '}' && *p != ']'
                   && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r'
                   && *p != ':' && *p != '"' && *p != '{' && *p != '[')
            {
                p++;
            }
        }

        if (depth == 0) {
            return p;
        }
    }
}


int
um_scan_member(const char *p, const char *end, const char *key, size_t klen,
    um_str_t *value)
{
    int          found;
    const char  *k, *ke, *v, *ve;

    found = 0;
    p = um_scan_ws(p, end);

    if (p >= end || *p != '{') {
        return -1;
    }

    p = um_scan_ws(p + 1, end);

    if (p < end && *p == '}') {
        return -1;
    }

    for ( ;; ) {
        if (p >= end || *p != '"') {
            return -1;
        }

        k = p;
        ke = um_scan_string(p, end);
        if (ke == NULL) {
            return -1;
        }

        p = um_scan_ws(ke, end);
        if (p >= end || *p != ':') {
            return -1;
        }

        v = um_scan_ws(p + 1, end);
        ve = um_scan_value(v, end);
        if (ve == NULL) {
            return -1;
        }

        if (um_scan_key_eq(k + 1, ke - 1, key, klen)) {
            value->data = v;
            value->len = (size_t) (ve - v);
            found = 1;
        }

        p = um_scan_ws(ve, end);

        if (p < end && *p == ',') {
            p = um_scan_ws(p + 1, end);
            continue;
        }

        if (p < end && *p == '}') {
            return found ? 0 : -1;
        }

        return -1;
    }
}


/* compares the raw key text [p, q) (escapes allowed) with key */

static int
um_scan_key_eq(const char *p, const char *q, const char *key, size_t klen)
{
    int     c, i, h;
    size_t  n;

    if (memchr(p, '\\', (size_t) (q - p)) == NULL) {
        return (size_t) (q - p) == klen && memcmp(p, key, klen) == 0;
    }

    /* rare: an escaped key; only ASCII escapes can equal a mapping key */

    n = 0;

    while (p < q) {
        c = (unsigned char) *p++;

        if (c == '\\' && p < q) {
            c = (unsigned char) *p++;

            switch (c) {
            case 'n': c = '\n'; break;
            case 't': c = '\t'; break;
            case 'r': c = '\r'; break;
            case 'b': c = '\b'; break;
            case 'f': c = '\f'; break;
            case 'u':
                if (q - p < 4) {
                    return 0;
                }

                c = 0;

                for (i = 0; i < 4; i++) {
                    h = (unsigned char) p[i];
                    h = (h >= '0' && h <= '9') ? h - '0'
                        : ((h | 0x20) >= 'a' && (h | 0x20) <= 'f')
                          ? (h | 0x20) - 'a' + 10 : -1;
                    if (h < 0) {
                        return 0;
                    }

                    c = (c << 4) | h;
                }

                p += 4;

                if (c > 0x7f) {
                    return 0;
                }

                break;
            default:
                break;
            }
        }

        if (n >= klen || (unsigned char) key[n] != c) {
            return 0;
        }

        n++;
    }

    return n == klen;
}


int
um_scan_array(um_scan_iter_t *it, um_str_t raw)
{
    const char  *p, *end;

    p = raw.data;
    end = raw.data + raw.len;
    p = um_scan_ws(p, end);

    if (p >= end || *p != '[') {
        return -1;
    }

    it->p = p + 1;
    it->end = end;
    it->started = 0;

    return 0;
}


int
um_scan_next(um_scan_iter_t *it, um_str_t *item)
{
    const char  *p, *e;

    p = um_scan_ws(it->p, it->end);

    if (p >= it->end) {
        return -1;
    }

    if (*p == ']') {
        it->p = p;
        return 0;
    }

    if (it->started) {
        if (*p != ',') {
            return -1;
        }

        p = um_scan_ws(p + 1, it->end);
    }

    e = um_scan_value(p, it->end);
    if (e == NULL) {
        return -1;
    }

    item->data = p;
    item->len = (size_t) (e - p);

    it->p = e;
    it->started = 1;

    return 1;
}
