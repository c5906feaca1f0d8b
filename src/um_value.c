/*
 * Values of the expression language.
 */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "um_value.h"


static int um_equal_json_obj(json_t *a, um_value_t b);
static int um_equal_obj_obj(um_object_t *a, um_object_t *b);
static size_t um_num_digits(double d, char *digits, int *exp10);
static size_t um_num_uint(uint64_t u, char *p);
static size_t um_num_fixed(double d, char *p);
static int um_num_try(double d, const char *s);


um_value_t
um_from_json(json_t *j)
{
    um_value_t  v;

    if (j == NULL) {
        return um_undef();
    }

    switch (json_typeof(j)) {

    case JSON_OBJECT:
    case JSON_ARRAY:
        memset(&v, 0, sizeof(um_value_t));
        v.type = UM_JSON;
        v.u.j = j;
        return v;

    case JSON_STRING:
        return um_str(json_string_value(j), json_string_length(j));

    case JSON_INTEGER:
        return um_num((double) json_integer_value(j));

    case JSON_REAL:
        return um_num(json_real_value(j));

    case JSON_TRUE:
        return um_bool(1);

    case JSON_FALSE:
        return um_bool(0);

    case JSON_NULL:
        return um_null();
    }

    return um_undef();
}


int
um_str_dup(um_arena_t *a, const char *s, size_t len, um_value_t *out)
{
    char  *p;

    p = um_alloc(a, len ? len : 1);
    if (p == NULL) {
        *out = um_str(NULL, 0);
        return UM_ERR;
    }

    if (len) {
        memcpy(p, s, len);
    }

    *out = um_str(p, len);

    return UM_OK;
}


um_array_t *
um_arr_new(um_arena_t *a, uint32_t cap)
{
    um_array_t  *arr;

    arr = um_alloc(a, sizeof(um_array_t));
    if (arr == NULL) {
        return NULL;
    }

    arr->n = 0;
    arr->cap = cap;
    arr->items = NULL;

    if (cap) {
        arr->items = um_alloc(a, cap * sizeof(um_value_t));
        if (arr->items == NULL) {
            return NULL;
        }
    }

    return arr;
}


int
um_arr_push(um_arena_t *a, um_array_t *arr, um_value_t v)
{
    uint32_t     cap;
    um_value_t  *items;

    if (arr->n == arr->cap) {

        if (arr->cap >= 0x7fffffff / sizeof(um_value_t)) {
            return UM_ERR;
        }

        cap = arr->cap ? arr->cap * 2 : 4;

        items = um_realloc(a, arr->items, arr->cap * sizeof(um_value_t),
                           cap * sizeof(um_value_t));
        if (items == NULL) {
            return UM_ERR;
        }

        arr->items = items;
        arr->cap = cap;
    }

    arr->items[arr->n++] = v;

    return UM_OK;
}


um_object_t *
um_obj_new(um_arena_t *a, uint32_t cap)
{
    um_object_t  *o;

    o = um_alloc(a, sizeof(um_object_t));
    if (o == NULL) {
        return NULL;
    }

    o->n = 0;
    o->cap = cap;
    o->items = NULL;

    if (cap) {
        o->items = um_alloc(a, cap * sizeof(um_member_t));
        if (o->items == NULL) {
            return NULL;
        }
    }

    return o;
}


int
um_obj_set(um_arena_t *a, um_object_t *o, const char *key, size_t klen,
    um_value_t v)
{
    uint32_t      i, cap;
    um_member_t  *items;

    for (i = 0; i < o->n; i++) {
        if (o->items[i].klen == klen
            && (klen == 0 || memcmp(o->items[i].key, key, klen) == 0))
        {
            o->items[i].val = v;
            return UM_OK;
        }
    }

    if (o->n == o->cap) {

        if (o->cap >= 0x7fffffff / sizeof(um_member_t)) {
            return UM_ERR;
        }

        cap = o->cap ? o->cap * 2 : 4;

        items = um_realloc(a, o->items, o->cap * sizeof(um_member_t),
                           cap * sizeof(um_member_t));
        if (items == NULL) {
            return UM_ERR;
        }

        o->items = items;
        o->cap = cap;
    }

    o->items[o->n].key = key;
    o->items[o->n].klen = (uint32_t) klen;
    o->items[o->n].val = v;
    o->n++;

    return UM_OK;
}


um_value_t
um_get(um_value_t v, const char *key, size_t klen)
{
    uint32_t      i;
    um_member_t  *m;

    if (v.type == UM_OBJ) {
        for (i = 0; i < v.u.o->n; i++) {
            m = &v.u.o->items[i];

            /* the first byte before memcmp: most keys differ there */

            if (m->klen == klen
                && (klen == 0
                    || (m->key[0] == key[0]
                        && memcmp(m->key, key, klen) == 0)))
            {
                return m->val;
            }
        }

        return um_undef();
    }

    if (v.type == UM_JSON && json_is_object(v.u.j)) {
        return um_from_json(json_object_getn(v.u.j, key, klen));
    }

    return um_undef();
}


size_t
um_len(um_value_t v)
{
    if (v.type == UM_ARR) {
        return v.u.a->n;
    }

    if (v.type == UM_JSON && json_is_array(v.u.j)) {
        return json_array_size(v.u.j);
    }

    return 0;
}


um_value_t
um_at(um_value_t v, size_t i)
{
    if (v.type == UM_ARR) {
        return i < v.u.a->n ? v.u.a->items[i] : um_undef();
    }

    if (v.type == UM_JSON && json_is_array(v.u.j)) {
        return um_from_json(json_array_get(v.u.j, i));
    }

    return um_undef();
}


int
um_is_array(um_value_t v)
{
    return v.type == UM_ARR || (v.type == UM_JSON && json_is_array(v.u.j));
}


int
um_is_object(um_value_t v)
{
    return v.type == UM_OBJ || (v.type == UM_JSON && json_is_object(v.u.j));
}


int
um_truthy(um_value_t v)
{
    size_t  i, n;

    switch (v.type) {

    case UM_BOOL:
        return v.u.b;

    case UM_NUM:
        return v.u.n != 0 && !isnan(v.u.n);

    case UM_STR:
        return v.len > 0;

    case UM_OBJ:
        return v.u.o->n > 0;

    case UM_JSON:
        if (json_is_object(v.u.j)) {
            return json_object_size(v.u.j) > 0;
        }

        /* fall through */

    case UM_ARR:
        /* a singleton is its member; otherwise any truthy member */
        n = um_len(v);

        for (i = 0; i < n; i++) {
            if (um_truthy(um_at(v, i))) {
                return 1;
            }
        }

        return 0;

    default:
        /* undefined, null, functions */
        return 0;
    }
}


int
um_equal(um_value_t a, um_value_t b)
{
    size_t  i, n;

    if (a.type == UM_UNDEF || b.type == UM_UNDEF) {
        return 0;
    }

    if (um_is_array(a)) {
        if (!um_is_array(b)) {
            return 0;
        }

        n = um_len(a);
        if (n != um_len(b)) {
            return 0;
        }

        for (i = 0; i < n; i++) {
            if (!um_equal(um_at(a, i), um_at(b, i))) {
                return 0;
            }
        }

        return 1;
    }

    if (um_is_object(a)) {
        if (!um_is_object(b)) {
            return 0;
        }

        if (a.type == UM_JSON) {
            return um_equal_json_obj(a.u.j, b);
        }

        if (b.type == UM_JSON) {
            return um_equal_json_obj(b.u.j, a);
        }

        return um_equal_obj_obj(a.u.o, b.u.o);
    }

    if (a.type != b.type) {
        return 0;
    }

    switch (a.type) {

    case UM_NULL:
        return 1;

    case UM_BOOL:
        return a.u.b == b.u.b;

    case UM_NUM:
        return a.u.n == b.u.n;

    case UM_STR:
        return a.len == b.len
               && (a.len == 0 || memcmp(a.u.s, b.u.s, a.len) == 0);

    case UM_FUNC:
        return a.u.f == b.u.f;

    default:
        return 0;
    }
}


static int
um_equal_json_obj(json_t *a, um_value_t b)
{
    size_t       klen;
    json_t      *item;
    const char  *key;
    um_value_t   bv;

    /* same number of keys, and every key of a is in b with an equal value */

    if (b.type == UM_JSON) {
        if (json_object_size(a) != json_object_size(b.u.j)) {
            return 0;
        }

    } else if (json_object_size(a) != b.u.o->n) {
        return 0;
    }

    json_object_keylen_foreach(a, key, klen, item) {
        bv = um_get(b, key, klen);

        if (!um_equal(um_from_json(item), bv)) {
            return 0;
        }
    }

    return 1;
}


static int
um_equal_obj_obj(um_object_t *a, um_object_t *b)
{
    uint32_t      i;
    um_value_t    bo;
    um_member_t  *m;

    if (a->n != b->n) {
        return 0;
    }

    bo.type = UM_OBJ;
    bo.u.o = b;

    for (i = 0; i < a->n; i++) {
        m = &a->items[i];

        if (!um_equal(m->val, um_get(bo, m->key, m->klen))) {
            return 0;
        }
    }

    return 1;
}


const char *
um_type_name(um_value_t v)
{
    switch (v.type) {
    case UM_NULL:
        return "null";
    case UM_BOOL:
        return "boolean";
    case UM_NUM:
        return "number";
    case UM_STR:
        return "string";
    case UM_ARR:
        return "array";
    case UM_OBJ:
        return "object";
    case UM_JSON:
        return json_is_array(v.u.j) ? "array" : "object";
    case UM_FUNC:
        return "function";
    default:
        return "undefined";
    }
}


/*
 * JavaScript's Number::toString: the shortest digit string that reads back
 * to the same double (the closest one among the shortest), laid out in
 * positional notation for exponents in [-7, 21), exponent form otherwise.
 */

size_t
um_num_format(double d, char *buf)
{
    int     n, k, i;
    char    digits[24], *p;
    size_t  len;

    if (isnan(d) || isinf(d)) {
        memcpy(buf, "null", 5);
        return 4;
    }

    if (d == 0) {
        buf[0] = '0';
        buf[1] = '\0';
        return 1;
    }

    p = buf;

    if (d < 0) {
        *p++ = '-';
        d = -d;
    }

    /* integers below 2^53 print exactly; no shorter form reads back */

    if (d < 9007199254740992.0 && d == floor(d)) {
        len = um_num_uint((uint64_t) d, p);
        p[len] = '\0';
        return (size_t) (p - buf) + len;
    }

    /* most numbers of provider data: few decimals, no exponent */

    len = um_num_fixed(d, p);

    if (len) {
        return (size_t) (p - buf) + len;
    }

    k = (int) um_num_digits(d, digits, &n);

    /* value = 0.digits * 10^n */

    if (k <= n && n <= 21) {
        memcpy(p, digits, k);
        p += k;

        for (i = k; i < n; i++) {
            *p++ = '0';
        }

    } else if (0 < n && n <= 21) {
        memcpy(p, digits, n);
        p += n;
        *p++ = '.';
        memcpy(p, digits + n, k - n);
        p += k - n;

    } else if (-6 < n && n <= 0) {
        *p++ = '0';
        *p++ = '.';

        for (i = n; i < 0; i++) {
            *p++ = '0';
        }

        memcpy(p, digits, k);
        p += k;

    } else {
        *p++ = digits[0];

        if (k > 1) {
            *p++ = '.';
            memcpy(p, digits + 1, k - 1);
            p += k - 1;
        }

        p += snprintf(p, 8, "e%c%d", n - 1 < 0 ? '-' : '+',
                      n - 1 < 0 ? 1 - n : n - 1);
    }

    *p = '\0';

    return (size_t) (p - buf);
}


static size_t
um_num_uint(uint64_t u, char *p)
{
    char    tmp[24];
    size_t  n, len;

    n = sizeof(tmp);

    do {
        tmp[--n] = (char) ('0' + u % 10);
        u /= 10;
    } while (u);

    len = sizeof(tmp) - n;
    memcpy(p, tmp + n, len);

    return len;
}


/*
 * A non-integer 1e-6 <= d < 1e15 whose shortest form has at most 15
 * significant digits, without printf: the fewest decimals k for which the
 * integer r = d * 10^k reads back, r / 10^k == d (r below 2^53 and 10^k
 * are exact, so the division is strtod's correctly rounded result).  At
 * most one decimal of 15 digits or fewer reads back to d (see below), so
 * the first found is the shortest.  The product d * 10^k is within an
 * eighth of r when r is below 1e15, so rounding it finds r.  Returns 0 when
 * d is not such a number: the general way formats it.
 */

static size_t
um_num_fixed(double d, char *p)
{
    int       k;
    char     *q, digits[24];
    double    m, r;
    size_t    len;
    uint64_t  u;

    static const double  p10[] = {
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21
    };

    if (!(d >= 1e-6 && d < 1e15)) {
        return 0;
    }

    for (k = 1; k <= 21; k++) {
        m = d * p10[k];

        if (m >= 1e15) {
            return 0;
        }

        /* m is positive and below 2^53: truncation is floor, and cheaper
         * than a call to it */
        r = (double) (uint64_t) (m + 0.5);

        if (r / p10[k] != d) {
            continue;
        }

        u = (uint64_t) r;
        len = um_num_uint(u, digits);
        q = p;

        if (len <= (size_t) k) {
            /* 0.000ddd: k decimals in all */
            *q++ = '0';
            *q++ = '.';
            memset(q, '0', k - len);
            q += k - len;
            memcpy(q, digits, len);
            q += len;

        } else {
            memcpy(q, digits, len - k);
            q += len - k;
            *q++ = '.';
            memcpy(q, digits + len - k, k);
            q += k;
        }

        *q = '\0';

        return (size_t) (q - p);
    }

    return 0;
}


/*
 * Shortest round-trip digits of d > 0: returns the digit count k and sets
 * exp10 so that d = 0.d1d2...dk * 10^exp10.
 *
 * A double's rounding interval is at most 2^-52 wide relative to it, and
 * 15-digit decimals are at least 10^-15 apart: at most one decimal of 15
 * digits or fewer reads back to d, and if one does it is the closest 15-digit
 * decimal (printf rounds correctly), trailing zeros stripped.  Otherwise 16
 * digits: the closest, or, next to a power of two where the interval is
 * lopsided, a neighbour; otherwise 17, which always reads back.
 * Subnormals, with fewer significant bits, are searched from one digit.
 */

static size_t
um_num_digits(double d, char *digits, int *exp10)
{
    int     p, e, carry, i;
    char    buf[40], cand[40], *dot;
    size_t  k;

    /* subnormals have fewer significant bits: search from 1 digit up */

    for (p = d < 2.2250738585072014e-308 ? 1 : 15; p <= 16; p++) {
        snprintf(buf, sizeof(buf), "%.*e", p - 1, d);

        if (um_num_try(d, buf)) {
            goto found;
        }

        if (p < 16) {
            continue;
        }

        /* neighbours in the last digit */

        for (carry = -1; carry <= 1; carry += 2) {
            memcpy(cand, buf, sizeof(buf));
            dot = strchr(cand, 'e');
            i = (int) (dot - cand) - 1;

            if (carry > 0) {
                while (i >= 0 && (cand[i] == '9' || cand[i] == '.')) {
                    if (cand[i] == '9') {
                        cand[i] = '0';
                    }

                    i--;
                }

                if (i < 0) {
                    continue;
                }

                cand[i]++;

            } else {
                while (i >= 0 && (cand[i] == '0' || cand[i] == '.')) {
                    if (cand[i] == '0') {
                        cand[i] = '9';
                    }

                    i--;
                }

                if (i < 0 || (i == 0 && cand[0] == '1')) {
                    continue;
                }

                cand[i]--;
            }

            if (um_num_try(d, cand)) {
                memcpy(buf, cand, sizeof(buf));
                goto found;
            }
        }
    }

    snprintf(buf, sizeof(buf), "%.16e", d);

found:

    /* buf is "d[.ddd]e[+-]xx" */

    k = 0;

    for (i = 0; buf[i] != 'e'; i++) {
        if (buf[i] != '.') {
            digits[k++] = buf[i];
        }
    }

    e = atoi(buf + i + 1);

    while (k > 1 && digits[k - 1] == '0') {
        k--;
    }

    digits[k] = '\0';
    *exp10 = e + 1;

    return k;
}


static int
um_num_try(double d, const char *s)
{
    return strtod(s, NULL) == d;
}


size_t
um_num_text(const char *s, size_t len, char *buf)
{
    size_t  i, ilen, flen, lead, n;

    i = (len && s[0] == '-');

    /* the integer part: "0" or digits without a leading zero (grammar) */

    for (ilen = 0; i + ilen < len && s[i + ilen] >= '0'
                   && s[i + ilen] <= '9'; ilen++)
    {
        /* void */
    }

    if (ilen == 0 || ilen > 15) {
        return 0;
    }

    flen = 0;

    if (i + ilen < len) {
        if (s[i + ilen] != '.') {
            return 0;           /* an exponent */
        }

        flen = len - (i + ilen + 1);

        for (n = 0; n < flen; n++) {
            if (s[i + ilen + 1 + n] < '0' || s[i + ilen + 1 + n] > '9') {
                return 0;
            }
        }

        /* trailing zeros of the fraction are not written */

        while (flen && s[i + ilen + flen] == '0') {
            flen--;
        }
    }

    if (s[i] == '0') {
        if (flen == 0) {
            buf[0] = '0';       /* zero, "-0" too, as JavaScript writes it */
            return 1;
        }

        for (lead = 0; s[i + 2 + lead] == '0'; lead++) {
            /* void */
        }

        if (lead >= 6 || flen - lead > 15) {
            return 0;           /* below 1e-6: an exponent form */
        }

    } else if (ilen + flen > 15) {
        return 0;
    }

    n = i + ilen + (flen ? 1 + flen : 0);
    memcpy(buf, s, n);

    return n;
}
