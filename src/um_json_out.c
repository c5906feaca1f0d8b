/*
 * JSON output.
 */

#include <string.h>

#include "um_json_out.h"


static void um_json_jansson(um_buf_t *b, json_t *j, unsigned flags);
static size_t um_json_utf8_len(const char *s, size_t len);


#define UM_JSON_ONES   0x0101010101010101ULL
#define UM_JSON_HIGHS  0x8080808080808080ULL

#define um_json_haszero(x)  (((x) - UM_JSON_ONES) & ~(x) & UM_JSON_HIGHS)


void
um_json_str(um_buf_t *b, const char *s, size_t len)
{
    size_t          i, n, start;
    uint64_t        w;
    unsigned char   c;
    static const char  hex[] = "0123456789abcdef";

    /* worst case \u00XX for every byte, plus quotes */

    if (um_buf_reserve(b, len + 2) != 0) {
        return;
    }

    b->data[b->len++] = '"';

    /*
     * Most strings are plain ASCII that needs no escape: find the first
     * byte that is not, eight at a time, and copy a string without one in
     * one go (the lowest flag of the mask is a true one).
     */

    i = 0;

    while (len - i >= 8) {
        memcpy(&w, s + i, 8);

        if (((um_json_haszero(w ^ (UM_JSON_ONES * '"'))
              | um_json_haszero(w ^ (UM_JSON_ONES * '\\'))
              | ((w - UM_JSON_ONES * 0x20) & ~w)
              | w)
             & UM_JSON_HIGHS) != 0)
        {
            break;
        }

        i += 8;
    }

    while (i < len) {
        c = (unsigned char) s[i];

        if (c < 0x20 || c == '"' || c == '\\' || c >= 0x80) {
            break;
        }

        i++;
    }

    if (i == len) {
        memcpy(b->data + b->len, s, len);
        b->len += len;
        b->data[b->len++] = '"';
        return;
    }

    start = 0;

    for ( /* void */ ; i < len; i++) {
        c = (unsigned char) s[i];

        if (c >= 0x20 && c != '"' && c != '\\') {

            if (c < 0x80) {
                continue;
            }

            /*
             * Text that did not come through jansson (a provider's header,
             * a continuation made of one) may not be UTF-8: a byte that
             * starts no valid sequence becomes U+FFFD, so that the output
             * stays JSON.
             */

            n = um_json_utf8_len(s + i, len - i);

            if (n) {
                i += n - 1;
                continue;
            }

            um_buf_add(b, s + start, i - start);
            um_buf_add(b, "\\ufffd", 6);
            start = i + 1;
            continue;
        }

        um_buf_add(b, s + start, i - start);
        start = i + 1;

        switch (c) {
        case '"':
            um_buf_add(b, "\\\"", 2);
            break;
        case '\\':
            um_buf_add(b, "\\\\", 2);
            break;
        case '\n':
            um_buf_add(b, "\\n", 2);
            break;
        case '\r':
            um_buf_add(b, "\\r", 2);
            break;
        case '\t':
            um_buf_add(b, "\\t", 2);
            break;
        case '\b':
            um_buf_add(b, "\\b", 2);
            break;
        case '\f':
            um_buf_add(b, "\\f", 2);
            break;
        default:
            um_buf_add(b, "\\u00", 4);
            um_buf_addc(b, hex[c >> 4]);
            um_buf_addc(b, hex[c & 0x0f]);
        }
    }

    um_buf_add(b, s + start, len - start);
    um_buf_addc(b, '"');
}


/* the length of the valid UTF-8 sequence at s, 0 if there is none */

static size_t
um_json_utf8_len(const char *s, size_t len)
{
    size_t          n;
    unsigned char   c;

    c = (unsigned char) s[0];

    n = (c >= 0xc2 && c <= 0xdf) ? 2
        : (c >= 0xe0 && c <= 0xef) ? 3
        : (c >= 0xf0 && c <= 0xf4) ? 4 : 0;

    if (n == 0 || n > len || !um_utf8_valid(s, n)) {
        return 0;
    }

    return n;
}


void
um_json_num(um_buf_t *b, double n)
{
    char    buf[UM_NUM_BUF];
    size_t  len;

    len = um_num_format(n, buf);
    um_buf_add(b, buf, len);
}


int
um_json_value(um_buf_t *b, um_value_t v, unsigned flags)
{
    int           first;
    size_t        i, n;
    um_value_t    item;
    um_member_t  *m;

    switch (v.type) {

    case UM_UNDEF:
    case UM_FUNC:
        return 0;

    case UM_NULL:
        um_buf_add(b, "null", 4);
        return 1;

    case UM_BOOL:
        if (v.u.b) {
            um_buf_add(b, "true", 4);

        } else {
            um_buf_add(b, "false", 5);
        }

        return 1;

    case UM_NUM:
        um_json_num(b, v.u.n);
        return 1;

    case UM_STR:
        if ((v.flags & UM_F_PLAIN) && um_buf_reserve(b, v.len + 2) == 0) {
            /* the parser saw nothing to escape in it */
            b->data[b->len++] = '"';
            memcpy(b->data + b->len, v.u.s, v.len);
            b->len += v.len;
            b->data[b->len++] = '"';
            return 1;
        }

        um_json_str(b, v.u.s, v.len);
        return 1;

    case UM_JSON:
        um_json_jansson(b, v.u.j, flags);
        return 1;

    case UM_ARR:
        um_buf_addc(b, '[');
        n = um_len(v);
        first = 1;

        for (i = 0; i < n; i++) {
            item = um_at(v, i);

            if (item.type == UM_UNDEF || item.type == UM_FUNC) {
                continue;
            }

            if (!first) {
                um_buf_addc(b, ',');
            }

            first = 0;
            um_json_value(b, item, flags);
        }

        um_buf_addc(b, ']');
        return 1;

    case UM_OBJ:
        um_buf_addc(b, '{');
        first = 1;

        for (i = 0; i < v.u.o->n; i++) {
            m = &v.u.o->items[i];

            if (m->val.type == UM_UNDEF || m->val.type == UM_FUNC
                || (m->val.type == UM_NULL && (flags & UM_JSON_OMIT_NULL)))
            {
                continue;
            }

            if (!first) {
                um_buf_addc(b, ',');
            }

            first = 0;
            um_json_str(b, m->key, m->klen);
            um_buf_addc(b, ':');
            um_json_value(b, m->val, flags);
        }

        um_buf_addc(b, '}');
        return 1;
    }

    return 0;
}


static void
um_json_jansson(um_buf_t *b, json_t *j, unsigned flags)
{
    int          first;
    size_t       i, klen;
    json_t      *item;
    const char  *key;

    if (json_is_array(j)) {
        um_buf_addc(b, '[');

        json_array_foreach(j, i, item) {
            if (i) {
                um_buf_addc(b, ',');
            }

            um_json_value(b, um_from_json(item), flags);
        }

        um_buf_addc(b, ']');
        return;
    }

    if (json_is_object(j)) {
        um_buf_addc(b, '{');
        first = 1;

        json_object_keylen_foreach(j, key, klen, item) {
            if (json_is_null(item) && (flags & UM_JSON_OMIT_NULL)) {
                continue;
            }

            if (!first) {
                um_buf_addc(b, ',');
            }

            first = 0;
            um_json_str(b, key, klen);
            um_buf_addc(b, ':');
            um_json_value(b, um_from_json(item), flags);
        }

        um_buf_addc(b, '}');
        return;
    }

    um_json_value(b, um_from_json(j), flags);
}


void
um_json_minify(um_buf_t *b, const char *raw, size_t len)
{
    const char  *p, *end, *start;

    if (um_buf_reserve(b, len) != 0) {
        return;
    }

    p = raw;
    end = raw + len;
    start = p;

    while (p < end) {

        switch (*p) {

        case ' ':
        case '\t':
        case '\n':
        case '\r':
            um_buf_add(b, start, (size_t) (p - start));
            p++;
            start = p;
            break;

        case '"':
            /* copy the string as is, escapes included */
            p++;

            while (p < end && *p != '"') {
                if (*p == '\\' && p + 1 < end) {
                    p++;
                }

                p++;
            }

            if (p < end) {
                p++;
            }

            break;

        default:
            p++;
        }
    }

    um_buf_add(b, start, (size_t) (p - start));
}
