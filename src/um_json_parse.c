/*
 * The fast JSON parser of provider bodies (um_json_parse.h says what it
 * accepts and makes).  It follows jansson's lexer (load.c) rule for rule:
 * the same whitespace, escapes, UTF-8 checks, number grammar and strtod
 * conversion; only the work per byte differs.
 */

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "um_json_parse.h"


#define UM_JP_NUM_MAX  400           /* longest number literal read here */

/* the per-byte and per-member helpers: inlined whatever the compiler's
 * size heuristics say, or a call's register saves cost as much as them */
#if defined(__GNUC__)
#define UM_JP_HOT  static inline __attribute__((always_inline))
#else
#define UM_JP_HOT  static inline
#endif


static int um_jp_fail(um_jp_t *jp);
UM_JP_HOT int um_jp_string(um_jp_t *jp, const char **s,
    uint32_t *len, int key);
static int um_jp_string_rest(um_jp_t *jp, const unsigned char *start,
    const unsigned char *p, const char **s, uint32_t *len, int key);
static int um_jp_escaped(um_jp_t *jp, const char *start, const char *q,
    const char **s, uint32_t *len, int key);
static size_t um_jp_utf8(const unsigned char *p, const unsigned char *end);
static int um_jp_number(um_jp_t *jp, double *d);
static int um_jp_object(um_jp_t *jp, um_value_t *v);
static int um_jp_array(um_jp_t *jp, um_value_t *v);
UM_JP_HOT int um_jp_key_in(um_jp_t *jp, um_str_t *key);
UM_JP_HOT int um_jp_obj_add_in(um_jp_t *jp, um_jp_obj_t *o,
    um_str_t key, const um_value_t *v);
static int um_jp_push_mem(um_jp_t *jp);
static int um_jp_push_item(um_jp_t *jp, um_value_t v);


static const double  um_jp_p10[] = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12,
    1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
};


#define um_jp_isws(c)  ((c) == ' ' || (c) == '\n' || (c) == '\r' || (c) == '\t')

/* whitespace is rare in provider JSON, and all of it is below '!' */

UM_JP_HOT void
um_jp_ws(um_jp_t *jp)
{
    if (jp->p < jp->end && (unsigned char) *jp->p <= ' ') {
        um_jp_skip_ws(jp);
    }
}


void
um_jp_init(um_jp_t *jp, um_arena_t *a, um_jp_scratch_t *s, const char *text,
    size_t len)
{
    jp->arena = a;
    jp->s = s;
    jp->start = text;
    jp->p = text;
    jp->end = text + len;
    jp->ws = 0;
    jp->depth = 0;
    jp->failed = 0;

    s->nmem = 0;
    s->nitems = 0;
}


void
um_jp_scratch_free(um_jp_scratch_t *s)
{
    free(s->mem);
    free(s->hash);
    free(s->items);

    s->mem = NULL;
    s->hash = NULL;
    s->items = NULL;
    s->nmem = s->cmem = 0;
    s->nitems = s->citems = 0;
}


static int
um_jp_fail(um_jp_t *jp)
{
    jp->failed = 1;
    return UM_ERR;
}


/*
 * After a member or an item: 1 and jp->p at the next one (a ',' and the
 * whitespace after it passed), 0 and jp->p after `close`, or UM_ERR.
 */

UM_JP_HOT int
um_jp_next(um_jp_t *jp, char close)
{
    um_jp_ws(jp);

    if (jp->p >= jp->end) {
        return um_jp_fail(jp);
    }

    if (*jp->p == ',') {
        jp->p++;
        um_jp_ws(jp);
        return 1;
    }

    if (*jp->p != close) {
        return um_jp_fail(jp);
    }

    jp->p++;

    return 0;
}


void
um_jp_skip_ws(um_jp_t *jp)
{
    const char  *p, *start;

    p = jp->p;

    if (p < jp->end && um_jp_isws(*p)) {
        start = p;

        do {
            p++;
        } while (p < jp->end && um_jp_isws(*p));

        jp->ws += (size_t) (p - start);
        jp->p = p;
    }
}


int
um_jp_value(um_jp_t *jp, um_value_t *v)
{
    double       d;
    uint32_t     len;
    const char  *p, *s;

    um_jp_ws(jp);

    p = jp->p;

    if (p >= jp->end) {
        return um_jp_fail(jp);
    }

    memset(v, 0, sizeof(um_value_t));

    switch (*p) {

    case '"':
        if (um_jp_string(jp, &s, &len, 0) != UM_OK) {
            return UM_ERR;
        }

        v->type = UM_STR;
        v->flags = jp->plain ? UM_F_PLAIN : 0;
        v->len = len;
        v->u.s = s;
        return UM_OK;

    case '{':
        return um_jp_object(jp, v);

    case '[':
        return um_jp_array(jp, v);

    case 't':
        if (jp->end - p >= 4 && memcmp(p, "true", 4) == 0) {
            v->type = UM_BOOL;
            v->u.b = 1;
            jp->p = p + 4;
            break;
        }

        return um_jp_fail(jp);

    case 'f':
        if (jp->end - p >= 5 && memcmp(p, "false", 5) == 0) {
            v->type = UM_BOOL;
            v->u.b = 0;
            jp->p = p + 5;
            break;
        }

        return um_jp_fail(jp);

    case 'n':
        if (jp->end - p >= 4 && memcmp(p, "null", 4) == 0) {
            v->type = UM_NULL;
            jp->p = p + 4;
            break;
        }

        return um_jp_fail(jp);

    default:
        if (um_jp_number(jp, &d) != UM_OK) {
            return UM_ERR;
        }

        v->type = UM_NUM;
        v->u.n = d;
        return UM_OK;
    }

    /* jansson reads a run of letters as one token: "truex" is invalid */

    p = jp->p;

    if (p < jp->end
        && ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
    {
        return um_jp_fail(jp);
    }

    return UM_OK;
}


/*
 * Eight bytes at a time: a byte that ends the plain run of a string is a
 * quote, a backslash, a control character or the start of a multi-byte
 * UTF-8 sequence (checked on its own).
 */

#define UM_JP_ONES   0x0101010101010101ULL
#define UM_JP_HIGHS  0x8080808080808080ULL

#define um_jp_haszero(x)  (((x) - UM_JP_ONES) & ~(x) & UM_JP_HIGHS)


UM_JP_HOT int
um_jp_string(um_jp_t *jp, const char **s, uint32_t *len, int key)
{
    uint64_t              w, stop;
    const unsigned char  *p, *start, *end;

    start = (const unsigned char *) jp->p + 1;
    end = (const unsigned char *) jp->end;
    p = start;

    /* a plain run up to the closing quote, eight bytes at a time */

    while (end - p >= 8) {
        memcpy(&w, p, 8);

        stop = (um_jp_haszero(w ^ (UM_JP_ONES * '"'))
                | um_jp_haszero(w ^ (UM_JP_ONES * '\\'))
                | ((w - UM_JP_ONES * 0x20) & ~w)
                | w)
               & UM_JP_HIGHS;

        if (stop != 0) {
            /*
             * the lowest flag is a true one (a borrow only flags bytes
             * above a real match): on a little-endian machine, the first
             * such byte in memory
             */
#if (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__)
            p += __builtin_ctzll(stop) >> 3;
#endif
            break;
        }

        p += 8;
    }

    if (p < end && *p == '"') {
        *s = (const char *) start;
        *len = (uint32_t) (p - start);
        jp->p = (const char *) p + 1;
        jp->plain = 1;
        return UM_OK;
    }

    jp->plain = 0;

    return um_jp_string_rest(jp, start, p, s, len, key);
}


/* the rest of a string after the plain run: escapes, UTF-8, its end */

static int
um_jp_string_rest(um_jp_t *jp, const unsigned char *start,
    const unsigned char *p, const char **s, uint32_t *len, int key)
{
    size_t                n;
    const unsigned char  *end;

    end = (const unsigned char *) jp->end;

    for ( ;; ) {
        if (p >= end) {
            return um_jp_fail(jp);
        }

        if (*p == '"') {
            break;
        }

        if (*p == '\\') {
            return um_jp_escaped(jp, (const char *) start, (const char *) p,
                                 s, len, key);
        }

        if (*p < 0x20) {
            return um_jp_fail(jp);
        }

        if (*p >= 0x80) {
            n = um_jp_utf8(p, end);
            if (n == 0) {
                return um_jp_fail(jp);
            }

            p += n;
            continue;
        }

        p++;
    }

    if ((size_t) (p - start) > 0xffffffffU) {
        return um_jp_fail(jp);
    }

    *s = (const char *) start;
    *len = (uint32_t) (p - start);
    jp->p = (const char *) p + 1;

    return UM_OK;
}


static int
um_jp_hex4(const unsigned char *p, uint32_t *out)
{
    int       i;
    uint32_t  c, v;

    v = 0;

    for (i = 0; i < 4; i++) {
        c = p[i];

        if (c >= '0' && c <= '9') {
            c -= '0';

        } else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') {
            c = (c | 0x20) - 'a' + 10;

        } else {
            return -1;
        }

        v = (v << 4) | c;
    }

    *out = v;

    return 0;
}


/* a string with escapes: decoded into the arena, as jansson decodes it */

static int
um_jp_escaped(um_jp_t *jp, const char *start, const char *q, const char **s,
    uint32_t *len, int key)
{
    char                 *t, *buf;
    size_t                n;
    uint32_t              c, c2;
    const unsigned char  *p, *end;

    end = (const unsigned char *) jp->end;

    /* the decoded string is never longer than its source: find where the
     * source ends (the first quote not escaped) to size the copy */

    for (p = (const unsigned char *) q; p < end && *p != '"'; p++) {
        if (*p == '\\') {
            p++;
        }
    }

    if (p >= end) {
        return um_jp_fail(jp);
    }

    buf = um_alloc(jp->arena, (size_t) (p - (const unsigned char *) start));
    if (buf == NULL) {
        return um_jp_fail(jp);
    }

    memcpy(buf, start, (size_t) (q - start));
    t = buf + (q - start);
    p = (const unsigned char *) q;

    for ( ;; ) {
        if (p >= end) {
            return um_jp_fail(jp);
        }

        if (*p == '"') {
            break;
        }

        if (*p < 0x20) {
            return um_jp_fail(jp);
        }

        if (*p >= 0x80) {
            n = um_jp_utf8(p, end);
            if (n == 0) {
                return um_jp_fail(jp);
            }

            memcpy(t, p, n);
            t += n;
            p += n;
            continue;
        }

        if (*p != '\\') {
            *t++ = (char) *p++;
            continue;
        }

        if (end - p < 2) {
            return um_jp_fail(jp);
        }

        switch (p[1]) {
        case '"':  *t++ = '"'; break;
        case '\\': *t++ = '\\'; break;
        case '/':  *t++ = '/'; break;
        case 'b':  *t++ = '\b'; break;
        case 'f':  *t++ = '\f'; break;
        case 'n':  *t++ = '\n'; break;
        case 'r':  *t++ = '\r'; break;
        case 't':  *t++ = '\t'; break;

        case 'u':
            if (end - p < 6 || um_jp_hex4(p + 2, &c) != 0) {
                return um_jp_fail(jp);
            }

            p += 6;

            if (c >= 0xd800 && c <= 0xdbff) {
                /* a surrogate pair, or nothing */

                if (end - p < 6 || p[0] != '\\' || p[1] != 'u'
                    || um_jp_hex4(p + 2, &c2) != 0
                    || c2 < 0xdc00 || c2 > 0xdfff)
                {
                    return um_jp_fail(jp);
                }

                p += 6;
                c = ((c - 0xd800) << 10) + (c2 - 0xdc00) + 0x10000;

            } else if (c >= 0xdc00 && c <= 0xdfff) {
                return um_jp_fail(jp);
            }

            if (c == 0 && key) {
                /* jansson: "NUL byte in object key not supported" */
                return um_jp_fail(jp);
            }

            if (c < 0x80) {
                *t++ = (char) c;

            } else if (c < 0x800) {
                *t++ = (char) (0xc0 | (c >> 6));
                *t++ = (char) (0x80 | (c & 0x3f));

            } else if (c < 0x10000) {
                *t++ = (char) (0xe0 | (c >> 12));
                *t++ = (char) (0x80 | ((c >> 6) & 0x3f));
                *t++ = (char) (0x80 | (c & 0x3f));

            } else {
                *t++ = (char) (0xf0 | (c >> 18));
                *t++ = (char) (0x80 | ((c >> 12) & 0x3f));
                *t++ = (char) (0x80 | ((c >> 6) & 0x3f));
                *t++ = (char) (0x80 | (c & 0x3f));
            }

            continue;

        default:
            return um_jp_fail(jp);
        }

        p += 2;
    }

    if ((size_t) (t - buf) > 0xffffffffU) {
        return um_jp_fail(jp);
    }

    *s = buf;
    *len = (uint32_t) (t - buf);
    jp->p = (const char *) p + 1;

    return UM_OK;
}


/*
 * The length of the UTF-8 sequence at p, 0 if jansson's utf8_check_first
 * and utf8_check_full refuse it: no overlong forms, no surrogates, nothing
 * above U+10FFFF.
 */

static size_t
um_jp_utf8(const unsigned char *p, const unsigned char *end)
{
    size_t    n, i;
    uint32_t  c;

    c = p[0];

    if (c >= 0xc2 && c <= 0xdf) {
        n = 2;
        c &= 0x1f;

    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        c &= 0x0f;

    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        c &= 0x07;

    } else {
        return 0;
    }

    if ((size_t) (end - p) < n) {
        return 0;
    }

    for (i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80) {
            return 0;
        }

        c = (c << 6) | (p[i] & 0x3f);
    }

    if ((n == 3 && c < 0x800) || (n == 4 && c < 0x10000) || c > 0x10ffff
        || (c >= 0xd800 && c <= 0xdfff))
    {
        return 0;
    }

    return n;
}


/*
 * A number, by JSON's grammar as jansson's lexer reads it; the value as
 * strtod gives it.  Up to 19 significant digits and a power of ten that a
 * double holds exactly, one correctly rounded multiplication or division
 * gives the same double (the mantissa below 2^53); otherwise strtod.
 */

static int
um_jp_number(um_jp_t *jp, double *d)
{
    int          neg, digits, e10, eneg, exp;
    char         buf[UM_JP_NUM_MAX + 1];
    double       r;
    uint64_t     m;
    const char  *p, *start, *end;

    p = jp->p;
    end = jp->end;
    start = p;
    neg = 0;

    if (*p == '-') {
        neg = 1;
        p++;
    }

    if (p >= end || *p < '0' || *p > '9') {
        return um_jp_fail(jp);
    }

    m = 0;
    digits = 0;             /* significant digits in m */
    e10 = 0;

    if (*p == '0') {
        p++;

        if (p < end && *p >= '0' && *p <= '9') {
            return um_jp_fail(jp);
        }

    } else {
        do {
            if (digits < 19) {
                m = m * 10 + (uint64_t) (*p - '0');
                digits++;

            } else {
                digits++;
                e10++;
            }

            p++;
        } while (p < end && *p >= '0' && *p <= '9');
    }

    if (p < end && *p == '.') {
        p++;

        if (p >= end || *p < '0' || *p > '9') {
            return um_jp_fail(jp);
        }

        do {
            if (m == 0 && *p == '0') {
                /* leading zeros of the fraction are not significant */
                e10--;

            } else if (digits < 19) {
                m = m * 10 + (uint64_t) (*p - '0');
                digits++;
                e10--;

            } else {
                digits++;
            }

            p++;
        } while (p < end && *p >= '0' && *p <= '9');
    }

    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        eneg = 0;

        if (p < end && (*p == '+' || *p == '-')) {
            eneg = (*p == '-');
            p++;
        }

        if (p >= end || *p < '0' || *p > '9') {
            return um_jp_fail(jp);
        }

        exp = 0;

        do {
            if (exp < 100000) {
                exp = exp * 10 + (*p - '0');
            }

            p++;
        } while (p < end && *p >= '0' && *p <= '9');

        e10 += eneg ? -exp : exp;
    }

    jp->p = p;

    if (digits <= 19 && m <= (1ULL << 53) && e10 >= -22 && e10 <= 22) {
        r = (double) m;
        r = (e10 < 0) ? r / um_jp_p10[-e10] : r * um_jp_p10[e10];
        *d = neg ? -r : r;
        return UM_OK;
    }

    if (p - start > UM_JP_NUM_MAX) {
        return um_jp_fail(jp);
    }

    memcpy(buf, start, (size_t) (p - start));
    buf[p - start] = '\0';

    errno = 0;
    r = strtod(buf, NULL);

    if ((r == HUGE_VAL || r == -HUGE_VAL) && errno == ERANGE) {
        /* jansson: "real number overflow" */
        return um_jp_fail(jp);
    }

    *d = r;

    return UM_OK;
}


/* the hash byte of a key, for finding repeated keys cheaply */

UM_JP_HOT uint8_t
um_jp_khash(const char *k, uint32_t len)
{
    const unsigned char  *u = (const unsigned char *) k;

    /* length, first, middle and last bytes: distinct for most keys */
    return len ? (uint8_t) ((len << 5) ^ u[0] ^ (u[len >> 1] << 1)
                            ^ (u[len - 1] << 3))
               : 0;
}


int
um_jp_key(um_jp_t *jp, um_str_t *key)
{
    return um_jp_key_in(jp, key);
}


UM_JP_HOT int
um_jp_key_in(um_jp_t *jp, um_str_t *key)
{
    uint32_t     len;
    const char  *s;

    if (jp->p >= jp->end || *jp->p != '"') {
        return um_jp_fail(jp);
    }

    if (um_jp_string(jp, &s, &len, 1) != UM_OK) {
        return UM_ERR;
    }

    um_jp_ws(jp);

    if (jp->p >= jp->end || *jp->p != ':') {
        return um_jp_fail(jp);
    }

    jp->p++;
    um_jp_ws(jp);

    key->data = s;
    key->len = len;

    return UM_OK;
}


void
um_jp_obj_begin(um_jp_t *jp, um_jp_obj_t *o)
{
    o->base = jp->s->nmem;
    o->bits[0] = o->bits[1] = o->bits[2] = o->bits[3] = 0;
}


int
um_jp_obj_add(um_jp_t *jp, um_jp_obj_t *o, um_str_t key, um_value_t v)
{
    return um_jp_obj_add_in(jp, o, key, &v);
}


UM_JP_HOT int
um_jp_obj_add_in(um_jp_t *jp, um_jp_obj_t *o, um_str_t key,
    const um_value_t *v)
{
    uint8_t           h;
    uint32_t          i;
    uint64_t          bit;
    um_member_t      *m;
    um_jp_scratch_t  *s;

    s = jp->s;
    h = um_jp_khash(key.data, (uint32_t) key.len);
    bit = 1ULL << (h & 63);

    if (o->bits[h >> 6] & bit) {
        /* maybe a repeated key: the later value replaces the earlier */

        for (i = o->base; i < s->nmem; i++) {
            m = &s->mem[i];

            if (s->hash[i] == h && m->klen == key.len
                && memcmp(m->key, key.data, key.len) == 0)
            {
                m->val = *v;
                return UM_OK;
            }
        }
    }

    o->bits[h >> 6] |= bit;

    if (s->nmem == s->cmem && um_jp_push_mem(jp) != UM_OK) {
        return UM_ERR;
    }

    m = &s->mem[s->nmem];
    m->key = key.data;
    m->klen = (uint32_t) key.len;
    m->val = *v;
    s->hash[s->nmem] = h;
    s->nmem++;

    return UM_OK;
}


int
um_jp_obj_end(um_jp_t *jp, um_jp_obj_t *o, um_value_t *v)
{
    uint32_t          n;
    um_object_t      *obj;
    um_jp_scratch_t  *s;

    s = jp->s;
    n = s->nmem - o->base;

    /* the object and its members in one allocation */

    obj = um_alloc(jp->arena, sizeof(um_object_t) + n * sizeof(um_member_t));
    if (obj == NULL) {
        return um_jp_fail(jp);
    }

    obj->items = (um_member_t *) (obj + 1);
    obj->n = n;
    obj->cap = n;

    if (n) {
        memcpy(obj->items, &s->mem[o->base], n * sizeof(um_member_t));
    }

    s->nmem = o->base;

    memset(v, 0, sizeof(um_value_t));
    v->type = UM_OBJ;
    v->u.o = obj;

    return UM_OK;
}


static int
um_jp_object(um_jp_t *jp, um_value_t *v)
{
    int          rc;
    um_str_t     key;
    um_value_t   val;
    um_jp_obj_t  o;

    if (++jp->depth > UM_JP_MAX_DEPTH) {
        return um_jp_fail(jp);
    }

    jp->p++;
    um_jp_ws(jp);
    um_jp_obj_begin(jp, &o);

    if (jp->p < jp->end && *jp->p == '}') {
        jp->p++;

    } else {
        for ( ;; ) {
            if (um_jp_key_in(jp, &key) != UM_OK) {
                return UM_ERR;
            }

            /* a string value here, without the call (the most common) */

            if (jp->p < jp->end && *jp->p == '"') {
                memset(&val, 0, sizeof(um_value_t));
                val.type = UM_STR;

                if (um_jp_string(jp, &val.u.s, &val.len, 0) != UM_OK) {
                    return UM_ERR;
                }

                val.flags = jp->plain ? UM_F_PLAIN : 0;

            } else if (um_jp_value(jp, &val) != UM_OK) {
                return UM_ERR;
            }

            if (um_jp_obj_add_in(jp, &o, key, &val) != UM_OK) {
                return UM_ERR;
            }

            rc = um_jp_next(jp, '}');

            if (rc == 0) {
                break;
            }

            if (rc != 1) {
                return UM_ERR;
            }
        }
    }

    jp->depth--;

    return um_jp_obj_end(jp, &o, v);
}


static int
um_jp_array(um_jp_t *jp, um_value_t *v)
{
    int               rc;
    uint32_t          base, n;
    um_array_t       *arr;
    um_value_t        item;
    um_jp_scratch_t  *s;

    if (++jp->depth > UM_JP_MAX_DEPTH) {
        return um_jp_fail(jp);
    }

    s = jp->s;
    base = s->nitems;

    jp->p++;
    um_jp_ws(jp);

    if (jp->p < jp->end && *jp->p == ']') {
        jp->p++;

    } else {
        for ( ;; ) {
            if (um_jp_value(jp, &item) != UM_OK
                || um_jp_push_item(jp, item) != UM_OK)
            {
                return UM_ERR;
            }

            rc = um_jp_next(jp, ']');

            if (rc == 0) {
                break;
            }

            if (rc != 1) {
                return UM_ERR;
            }
        }
    }

    jp->depth--;

    n = s->nitems - base;

    arr = um_alloc(jp->arena, sizeof(um_array_t) + n * sizeof(um_value_t));
    if (arr == NULL) {
        return um_jp_fail(jp);
    }

    arr->items = (um_value_t *) (arr + 1);
    arr->n = n;
    arr->cap = n;

    if (n) {
        memcpy(arr->items, &s->items[base], n * sizeof(um_value_t));
    }

    s->nitems = base;

    memset(v, 0, sizeof(um_value_t));
    v->type = UM_ARR;
    v->u.a = arr;

    return UM_OK;
}


static int
um_jp_push_mem(um_jp_t *jp)
{
    uint8_t          *h;
    uint32_t          cap;
    um_member_t      *m;
    um_jp_scratch_t  *s;

    s = jp->s;

    if (s->cmem >= 0x7fffffff / sizeof(um_member_t)) {
        return um_jp_fail(jp);
    }

    cap = s->cmem ? s->cmem * 2 : 256;

    m = realloc(s->mem, cap * sizeof(um_member_t));
    if (m == NULL) {
        return um_jp_fail(jp);
    }

    s->mem = m;

    h = realloc(s->hash, cap);
    if (h == NULL) {
        return um_jp_fail(jp);
    }

    s->hash = h;
    s->cmem = cap;

    return UM_OK;
}


static int
um_jp_push_item(um_jp_t *jp, um_value_t v)
{
    uint32_t          cap;
    um_value_t       *items;
    um_jp_scratch_t  *s;

    s = jp->s;

    if (s->nitems == s->citems) {
        if (s->citems >= 0x7fffffff / sizeof(um_value_t)) {
            return um_jp_fail(jp);
        }

        cap = s->citems ? s->citems * 2 : 256;

        items = realloc(s->items, cap * sizeof(um_value_t));
        if (items == NULL) {
            return um_jp_fail(jp);
        }

        s->items = items;
        s->citems = cap;
    }

    s->items[s->nitems++] = v;

    return UM_OK;
}


/*
 * Reading a record without building it (um_jp_pick): what is not wanted is
 * validated by the same rules and thrown away, so a record is accepted or
 * refused exactly as um_jp_value would, at a fraction of the cost.
 */

static int um_jp_skip(um_jp_t *jp);


/*
 * A number's text by JSON's grammar, as um_jp_number reads it, when it has
 * no exponent and at most UM_JP_NUM_TEXT bytes: its value can then be
 * neither out of range nor too long, so the text alone says it is valid.
 * 1 with jp->p after it; 0 when um_jp_number must read it (jp->p as it
 * was); UM_ERR when the grammar refuses it.
 */


#define um_jp_digit(c)  ((c) >= '0' && (c) <= '9')

UM_JP_HOT int
um_jp_num_text(um_jp_t *jp)
{
    const char  *p, *end;

    p = jp->p;
    end = jp->end;

    if (*p == '-') {
        p++;
    }

    if (p >= end || !um_jp_digit(*p)) {
        return um_jp_fail(jp);
    }

    if (*p++ == '0') {
        if (p < end && um_jp_digit(*p)) {
            return um_jp_fail(jp);
        }

    } else {
        while (p < end && um_jp_digit(*p)) {
            p++;
        }
    }

    if (p < end && *p == '.') {
        p++;

        if (p >= end || !um_jp_digit(*p)) {
            return um_jp_fail(jp);
        }

        do {
            p++;
        } while (p < end && um_jp_digit(*p));
    }

    if ((p < end && (*p == 'e' || *p == 'E')) || p - jp->p > UM_JP_NUM_TEXT) {
        return 0;
    }

    jp->p = p;

    return 1;
}


/* memcmp(a, b, n) == 0 for the short names of members, without a call */

UM_JP_HOT int
um_jp_same(const char *a, const char *b, size_t n)
{
    uint32_t  a4, b4, y4, z4;
    uint64_t  a8, b8, y8, z8;

    if (n >= 8 && n <= 16) {
        memcpy(&a8, a, 8);
        memcpy(&b8, b, 8);
        memcpy(&y8, a + n - 8, 8);
        memcpy(&z8, b + n - 8, 8);
        return ((a8 ^ b8) | (y8 ^ z8)) == 0;
    }

    if (n > 16 && n <= 32) {
        memcpy(&a8, a, 8);
        memcpy(&b8, b, 8);
        memcpy(&y8, a + 8, 8);
        memcpy(&z8, b + 8, 8);

        if (((a8 ^ b8) | (y8 ^ z8)) != 0) {
            return 0;
        }

        memcpy(&a8, a + n - 16, 8);
        memcpy(&b8, b + n - 16, 8);
        memcpy(&y8, a + n - 8, 8);
        memcpy(&z8, b + n - 8, 8);

        return ((a8 ^ b8) | (y8 ^ z8)) == 0;
    }

    if (n >= 4 && n < 8) {
        memcpy(&a4, a, 4);
        memcpy(&b4, b, 4);
        memcpy(&y4, a + n - 4, 4);
        memcpy(&z4, b + n - 4, 4);
        return ((a4 ^ b4) | (y4 ^ z4)) == 0;
    }

    return memcmp(a, b, n) == 0;
}


UM_JP_HOT const um_jp_want_t *
um_jp_wanted(const um_jp_wants_t *w, um_str_t key)
{
    uint32_t             i;
    const um_jp_want_t  *c;

    i = w->index[um_jp_want_hash(key.data, key.len, w->seed)];

    if (i == 0) {
        return NULL;
    }

    if (i != 0xff) {
        c = &w->want[i - 1];

        return (c->name.len == key.len
                && um_jp_same(c->name.data, key.data, key.len))
               ? c : NULL;
    }

    for (i = 0; i < w->n; i++) {
        c = &w->want[i];

        if (c->name.len == key.len
            && memcmp(c->name.data, key.data, key.len) == 0)
        {
            return c;
        }
    }

    return NULL;
}


int
um_jp_pick(um_jp_t *jp, const um_jp_wants_t *w, um_value_t *slots)
{
    int                  rc;
    size_t               len;
    uint32_t             k;
    um_str_t             key;
    um_value_t          *v;
    const char          *start;
    um_jp_memo_t        *memo;
    const um_jp_want_t  *c;

    um_jp_ws(jp);

    if (jp->p >= jp->end || *jp->p != '{') {
        return UM_JP_NO;
    }

    if (++jp->depth > UM_JP_MAX_DEPTH) {
        return um_jp_fail(jp);
    }

    jp->p++;
    um_jp_ws(jp);

    if (jp->p < jp->end && *jp->p == '}') {
        jp->p++;
        jp->depth--;
        return UM_OK;
    }

    for (k = 0; /* void */ ; k++) {
        memo = (w->memo && k < UM_JP_MEMO_KEYS) ? &w->memo[k] : NULL;

        if (memo && memo->len && (size_t) (jp->end - jp->p) >= memo->len
            && um_jp_same(memo->text, jp->p, memo->len))
        {
            /* the key of the last object here at this place */

            jp->p += memo->len;
            um_jp_ws(jp);
            c = memo->want ? &w->want[memo->want - 1] : NULL;

        } else {
            start = jp->p;

            if (um_jp_key_in(jp, &key) != UM_OK) {
                return UM_ERR;
            }

            c = um_jp_wanted(w, key);

            if (memo) {
                /* "key": without whitespace, remembered for the next */

                len = (size_t) (key.data + key.len - start) + 2;

                if (len > UM_JP_MEMO_TEXT || key.data != start + 1
                    || start[len - 1] != ':')
                {
                    memo->len = 0;

                } else {
                    memcpy(memo->text, start, len);
                    memo->len = (uint8_t) len;
                    memo->want = c ? (uint8_t) (c - w->want + 1) : 0;
                }
            }
        }

        if (c == NULL) {
            if (um_jp_skip(jp) != UM_OK) {
                return UM_ERR;
            }

        } else {
            v = &slots[c->slot];

            if (v->type != UM_UNDEF) {
                /* a repeated member: jansson keeps the later value */
                return UM_JP_NO;
            }

            if (jp->p >= jp->end) {
                return um_jp_fail(jp);
            }

            if (*jp->p == '{' || *jp->p == '[') {
                v->type = (*jp->p == '{') ? UM_OBJ : UM_ARR;

                rc = (*jp->p == '{' && c->kids) ? um_jp_pick(jp, c->kids, slots)
                                                : um_jp_skip(jp);
                if (rc != UM_OK) {
                    return rc;
                }

            } else if (*jp->p == '"') {
                if (um_jp_string(jp, &v->u.s, &v->len, 0) != UM_OK) {
                    return UM_ERR;
                }

                v->type = UM_STR;
                v->flags = jp->plain ? UM_F_PLAIN : 0;

            } else if (*jp->p == '-' || um_jp_digit(*jp->p)) {
                /* the text: the row writes it as it would the value */

                v->u.s = jp->p;
                rc = um_jp_num_text(jp);

                if (rc == 1) {
                    v->type = UM_NUM;
                    v->flags = UM_F_NUMTEXT;
                    v->len = (uint32_t) (jp->p - v->u.s);

                } else if (rc != 0 || um_jp_value(jp, v) != UM_OK) {
                    return UM_ERR;
                }

            } else if (um_jp_value(jp, v) != UM_OK) {
                return UM_ERR;
            }
        }

        rc = um_jp_next(jp, '}');

        if (rc == 0) {
            jp->depth--;
            return UM_OK;
        }

        if (rc != 1) {
            return UM_ERR;
        }
    }
}


/* a value, validated as um_jp_value validates it, and dropped */

static int
um_jp_skip(um_jp_t *jp)
{
    int          rc, close;
    double       d;
    uint32_t     len;
    um_str_t     key;
    um_value_t   v;
    const char  *s;

    um_jp_ws(jp);

    if (jp->p >= jp->end) {
        return um_jp_fail(jp);
    }

    switch (*jp->p) {

    case '"':
        return um_jp_string(jp, &s, &len, 0);

    case '{':
    case '[':
        break;

    default:
        if (*jp->p == '-' || um_jp_digit(*jp->p)) {
            switch (um_jp_num_text(jp)) {
            case 1:
                return UM_OK;
            case 0:
                return um_jp_number(jp, &d);
            default:
                return UM_ERR;
            }
        }

        /* literals build nothing anyway */
        return um_jp_value(jp, &v);
    }

    close = (*jp->p == '{') ? '}' : ']';

    if (++jp->depth > UM_JP_MAX_DEPTH) {
        return um_jp_fail(jp);
    }

    jp->p++;
    um_jp_ws(jp);

    if (jp->p < jp->end && *jp->p == close) {
        jp->p++;
        jp->depth--;
        return UM_OK;
    }

    for ( ;; ) {
        if (close == '}' && um_jp_key_in(jp, &key) != UM_OK) {
            return UM_ERR;
        }

        if (um_jp_skip(jp) != UM_OK) {
            return UM_ERR;
        }

        rc = um_jp_next(jp, (char) close);

        if (rc == 0) {
            jp->depth--;
            return UM_OK;
        }

        if (rc != 1) {
            return UM_ERR;
        }
    }
}
