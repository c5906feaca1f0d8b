/*
 * The functions of the expression language: JSONata's built-ins of the
 * supported subset, written after the reference's functions.js, and the
 * documented date extensions.  Arguments arrive validated against the
 * function's JSONata signature (um_eval_call), so a handler only sees the
 * types its signature allows, undefined included.
 */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "um_date.h"
#include "um_expr_int.h"
#include "um_json_out.h"


/* valgrind's client request: a few no-op instructions natively */
#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define UM_RUNNING_ON_VALGRIND  RUNNING_ON_VALGRIND
#endif
#endif

#ifndef UM_RUNNING_ON_VALGRIND
#define UM_RUNNING_ON_VALGRIND  0
#endif


#ifndef M_LOG10E
#define M_LOG10E  0.43429448190325182765
#endif


#define UM_FN(name)                                                          \
    static int um_fn_##name(um_es_t *s, const um_node_t *n,                  \
        um_value_t *args, um_value_t *out)


typedef struct {
    um_es_t              *s;
    const um_regex_t     *re;
    const char           *str;
    size_t                len;
    pcre2_match_data     *md;
    PCRE2_SIZE           *ov;
    size_t                start;
    size_t                end;
    int                   found;
    const char           *fname;
} um_re_iter_t;


UM_FN(sum);
UM_FN(count);
UM_FN(max);
UM_FN(min);
UM_FN(average);
UM_FN(string);
UM_FN(substring);
UM_FN(substring_before);
UM_FN(substring_after);
UM_FN(lowercase);
UM_FN(uppercase);
UM_FN(length);
UM_FN(trim);
UM_FN(pad);
UM_FN(contains);
UM_FN(split);
UM_FN(join);
UM_FN(replace);
UM_FN(match);
UM_FN(number);
UM_FN(abs);
UM_FN(floor);
UM_FN(ceil);
UM_FN(round);
UM_FN(sqrt);
UM_FN(power);
UM_FN(boolean);
UM_FN(not);
UM_FN(exists);
UM_FN(keys);
UM_FN(lookup);
UM_FN(append);
UM_FN(merge);
UM_FN(spread);
UM_FN(reverse);
UM_FN(distinct);
UM_FN(type);
UM_FN(error);
UM_FN(assert);
UM_FN(from_millis);
UM_FN(to_millis);
UM_FN(now);
UM_FN(millis);
UM_FN(start_of_day);
UM_FN(start_of_month);
UM_FN(end_of_month);
UM_FN(add_days);
UM_FN(add_months);
UM_FN(format_date);
UM_FN(to_seconds);
UM_FN(to_iso);

static int um_case_map(um_es_t *s, um_value_t str, int upper,
    um_value_t *out);


static const um_func_t  um_funcs[] = {
    { "sum", "<a<n>:n>", um_fn_sum, 0 },
    { "count", "<a:n>", um_fn_count, 0 },
    { "max", "<a<n>:n>", um_fn_max, 0 },
    { "min", "<a<n>:n>", um_fn_min, 0 },
    { "average", "<a<n>:n>", um_fn_average, 0 },
    { "string", "<x-b?:s>", um_fn_string, 0 },
    { "substring", "<s-nn?:s>", um_fn_substring, 0 },
    { "substringBefore", "<s-s:s>", um_fn_substring_before, 0 },
    { "substringAfter", "<s-s:s>", um_fn_substring_after, 0 },
    { "lowercase", "<s-:s>", um_fn_lowercase, 0 },
    { "uppercase", "<s-:s>", um_fn_uppercase, 0 },
    { "length", "<s-:n>", um_fn_length, 0 },
    { "trim", "<s-:s>", um_fn_trim, 0 },
    { "pad", "<s-ns?:s>", um_fn_pad, 0 },
    { "contains", "<s-(sf):b>", um_fn_contains, UM_FN_REGEX },
    { "split", "<s-(sf)n?:a<s>>", um_fn_split, UM_FN_REGEX },
    { "join", "<a<s>s?:s>", um_fn_join, 0 },
    { "replace", "<s-(sf)(sf)n?:s>", um_fn_replace, UM_FN_REGEX },
    { "match", "<s-f<s:o>n?:a<o>>", um_fn_match, UM_FN_REGEX },
    { "number", "<(nsb)-:n>", um_fn_number, 0 },
    { "abs", "<n-:n>", um_fn_abs, 0 },
    { "floor", "<n-:n>", um_fn_floor, 0 },
    { "ceil", "<n-:n>", um_fn_ceil, 0 },
    { "round", "<n-n?:n>", um_fn_round, 0 },
    { "sqrt", "<n-:n>", um_fn_sqrt, 0 },
    { "power", "<n-n:n>", um_fn_power, 0 },
    { "boolean", "<x-:b>", um_fn_boolean, 0 },
    { "not", "<x-:b>", um_fn_not, 0 },
    { "exists", "<x:b>", um_fn_exists, 0 },
    { "keys", "<x-:a<s>>", um_fn_keys, 0 },
    { "lookup", "<x-s:x>", um_fn_lookup, 0 },
    { "append", "<xx:a>", um_fn_append, 0 },
    { "merge", "<a<o>:o>", um_fn_merge, 0 },
    { "spread", "<x-:a<o>>", um_fn_spread, 0 },
    { "reverse", "<a:a>", um_fn_reverse, 0 },
    { "distinct", "<x:x>", um_fn_distinct, 0 },
    { "type", "<x:s>", um_fn_type, 0 },
    { "error", "<s?:x>", um_fn_error, 0 },
    { "assert", "<bs?:x>", um_fn_assert, 0 },
    { "fromMillis", "<n-s?s?:s>", um_fn_from_millis, UM_FN_NOPIC },
    { "toMillis", "<(sn)-s?:n>", um_fn_to_millis, UM_FN_NOPIC },
    { "now", "<s?s?:s>", um_fn_now, UM_FN_NOW | UM_FN_NOARGS },
    { "millis", "<:n>", um_fn_millis, UM_FN_NOW },

    /* extensions */
    { "startOfDay", "<(ns)-:n>", um_fn_start_of_day, 0 },
    { "startOfMonth", "<(ns)-:n>", um_fn_start_of_month, 0 },
    { "endOfMonth", "<(ns)-:n>", um_fn_end_of_month, 0 },
    { "addDays", "<(ns)-n:n>", um_fn_add_days, 0 },
    { "addMonths", "<(ns)-n:n>", um_fn_add_months, 0 },
    { "formatDate", "<(ns)-s:s>", um_fn_format_date, 0 },
    { "toSeconds", "<(ns)-:n>", um_fn_to_seconds, 0 },
    { "toIso", "<(ns)-:s>", um_fn_to_iso, 0 },

    { NULL, NULL, NULL, 0 }
};


/* JSONata functions outside the subset: a clearer message than unknown */
static const char  *um_unsupported[] = {
    "map", "filter", "single", "reduce", "sift", "each", "sort", "shuffle",
    "zip", "eval", "formatNumber", "formatBase", "formatInteger",
    "parseInteger", "base64encode", "base64decode", "encodeUrlComponent",
    "encodeUrl", "decodeUrlComponent", "decodeUrl", "random", "clone",
    NULL
};


const um_func_t *
um_func_find(const char *name, size_t len)
{
    const um_func_t  *f;

    for (f = um_funcs; f->name; f++) {
        if (strlen(f->name) == len && memcmp(f->name, name, len) == 0) {
            return f;
        }
    }

    return NULL;
}


int
um_func_unsupported(const char *name, size_t len)
{
    const char  **u;

    for (u = um_unsupported; *u; u++) {
        if (strlen(*u) == len && memcmp(*u, name, len) == 0) {
            return 1;
        }
    }

    return 0;
}


static uint8_t
um_sig_symbol(char c)
{
    switch (c) {
    case 's': return UM_S_S;
    case 'n': return UM_S_N;
    case 'b': return UM_S_B;
    case 'l': return UM_S_L;
    case 'a': return UM_S_A;
    case 'o': return UM_S_O;
    case 'f': return UM_S_F;
    case 'j': return (uint8_t) ~(UM_S_F | UM_S_M) | UM_S_M;
    case 'x': return 0xff;
    }

    return 0;
}


/* parses a JSONata signature such as "<s-nn?:s>" */

int
um_sig_parse(const char *src, um_sig_t *sig)
{
    int          depth;
    um_param_t  *p, *prev;
    const char  *c;

    memset(sig, 0, sizeof(um_sig_t));
    prev = NULL;

    for (c = src + 1; *c && *c != ':' && *c != '>'; c++) {

        switch (*c) {

        case 's': case 'n': case 'b': case 'l': case 'o': case 'a': case 'f':
        case 'j': case 'x':
            if (sig->n == UM_SIG_MAX) {
                return UM_ERR;
            }

            p = &sig->p[sig->n++];
            p->type = *c;
            p->accept = um_sig_symbol(*c);

            if (*c != 'f' && *c != 'x' && *c != 'a') {
                p->accept |= UM_S_M;
            }

            if (*c == 'a') {
                p->accept = 0xff;
            }

            prev = p;
            break;

        case '(':
            if (sig->n == UM_SIG_MAX) {
                return UM_ERR;
            }

            p = &sig->p[sig->n++];
            p->type = '(';
            p->accept = UM_S_M;

            for (c++; *c && *c != ')'; c++) {
                p->accept |= um_sig_symbol(*c);
            }

            if (*c != ')') {
                return UM_ERR;
            }

            prev = p;
            break;

        case '-':
            if (prev == NULL) {
                return UM_ERR;
            }

            prev->ctx = 1;
            prev->ctx_accept = prev->accept;
            prev->opt = 1;
            break;

        case '?':
            if (prev == NULL) {
                return UM_ERR;
            }

            prev->opt = 1;
            break;

        case '<':
            if (prev == NULL) {
                return UM_ERR;
            }

            if (prev->type == 'a') {
                prev->subtype = um_sig_symbol(c[1]);
            }

            for (depth = 1, c++; *c && depth; c++) {
                if (*c == '<') {
                    depth++;

                } else if (*c == '>') {
                    depth--;
                }
            }

            c--;
            break;

        default:
            return UM_ERR;
        }
    }

    for (depth = 0; depth < sig->n; depth++) {
        if (!sig->p[depth].opt) {
            sig->min++;
        }
    }

    return UM_OK;
}


/* helpers */


static int
um_fn_error_set(um_es_t *s, const um_node_t *n, const char *fmt,
    const char *detail)
{
    return um_error_set(s->ev->err, 0, "$%s: %s%s", n->fn->name, fmt,
                        detail ? detail : "");
}


static int
um_new_str(um_es_t *s, um_buf_t *b, um_value_t *out)
{
    if (b->failed || b->len > 0x7fffffff) {
        return um_eval_oom(s);
    }

    *out = um_str(b->len ? b->data : "", b->len);

    return UM_OK;
}


static um_value_t
um_unwrap(um_value_t v)
{
    if (v.type == UM_ARR && (v.flags & UM_F_OUTER) && v.u.a->n > 0) {
        return v.u.a->items[0];
    }

    return v;
}


size_t
um_utf8_count(const char *s, size_t len)
{
    size_t  i, n;

    n = 0;

    for (i = 0; i < len; i++) {
        if (((unsigned char) s[i] & 0xc0) != 0x80) {
            n++;
        }
    }

    return n;
}


/* byte offset of code point k (clamped to len) */

static size_t
um_utf8_offset(const char *s, size_t len, size_t k)
{
    size_t  i;

    for (i = 0; i < len; i++) {
        if (((unsigned char) s[i] & 0xc0) != 0x80) {
            if (k == 0) {
                return i;
            }

            k--;
        }
    }

    return len;
}


/* UTF-16 length of a UTF-8 prefix: JavaScript string indexes */

static size_t
um_utf16_count(const char *s, size_t len)
{
    size_t          i, n;
    unsigned char   c;

    n = 0;

    for (i = 0; i < len; i++) {
        c = (unsigned char) s[i];

        if ((c & 0xc0) != 0x80) {
            n += c >= 0xf0 ? 2 : 1;
        }
    }

    return n;
}


static const char *
um_memmem(const char *h, size_t hlen, const char *n, size_t nlen)
{
    size_t  i;

    if (nlen == 0) {
        return h;
    }

    if (nlen > hlen) {
        return NULL;
    }

    for (i = 0; i + nlen <= hlen; i++) {
        if (h[i] == n[0] && memcmp(h + i, n, nlen) == 0) {
            return h + i;
        }
    }

    return NULL;
}


/*
 * Number.prototype.toPrecision(15) read back as a number: the reference
 * casts non-integers to strings so.  printf rounds ties to even, while
 * toPrecision takes the larger magnitude: the digits are rounded here.
 */

double
um_prec15(double d)
{
    int     i, e;
    char    buf[96], digits[20], out[48], *p;

    if (d == 0 || isnan(d) || isinf(d)) {
        return d;
    }

    snprintf(buf, sizeof(buf), "%.60e", fabs(d));

    /* buf: d.ddd...e[+-]xx */
    digits[0] = buf[0];
    memcpy(digits + 1, buf + 2, 14);
    digits[15] = '\0';
    p = strchr(buf, 'e');
    e = atoi(p + 1);

    if (buf[16] >= '5') {
        for (i = 14; i >= 0; i--) {
            if (digits[i] == '9') {
                digits[i] = '0';
                continue;
            }

            digits[i]++;
            break;
        }

        if (i < 0) {
            /* 9.99...9 rounded up to 10.0 */
            memmove(digits + 1, digits, 14);
            digits[0] = '1';
            e++;
        }
    }

    snprintf(out, sizeof(out), "%s%c.%se%d", d < 0 ? "-" : "", digits[0],
             digits + 1, e);

    return strtod(out, NULL);
}


static void
um_str_number(um_buf_t *b, double d)
{
    char    buf[UM_NUM_BUF];
    size_t  len;

    if (d != floor(d)) {
        d = um_prec15(d);
    }

    len = um_num_format(d, buf);
    um_buf_add(b, buf, len);
}


static void
um_indent(um_buf_t *b, int indent)
{
    int  i;

    um_buf_addc(b, '\n');

    for (i = 0; i < indent; i++) {
        um_buf_addc(b, ' ');
    }
}


/*
 * JSON.stringify with the reference's replacer: non-integers through
 * toPrecision(15), functions as "".  pretty is JSON.stringify's 2-space
 * indentation.
 */

int
um_stringify(um_es_t *s, um_buf_t *b, um_value_t v, int pretty, int indent)
{
    int          first;
    size_t       i, n, klen;
    json_t      *item;
    um_value_t   m;
    const char  *key;

    if (++s->depth > UM_EVAL_MAX_DEPTH * 4) {
        return um_error_set(s->ev->err, 0, "data nested too deeply");
    }

    switch (v.type) {

    case UM_UNDEF:
    case UM_NULL:
        um_buf_add(b, "null", 4);
        break;

    case UM_BOOL:
        if (v.u.b) {
            um_buf_add(b, "true", 4);

        } else {
            um_buf_add(b, "false", 5);
        }

        break;

    case UM_NUM:
        if (isnan(v.u.n) || isinf(v.u.n)) {
            return um_error_set(s->ev->err, 0,
                                "a number is not finite");
        }

        um_str_number(b, v.u.n);
        break;

    case UM_STR:
        um_json_str(b, v.u.s, v.len);
        break;

    case UM_FUNC:
        um_buf_add(b, "\"\"", 2);
        break;

    case UM_ARR:
    case UM_JSON:
        if (um_is_array(v)) {
            n = um_len(v);
            um_buf_addc(b, '[');

            for (i = 0; i < n; i++) {
                if (i) {
                    um_buf_addc(b, ',');
                }

                if (pretty) {
                    um_indent(b, indent + 2);
                }

                if (um_stringify(s, b, um_at(v, i), pretty, indent + 2)
                    != UM_OK)
                {
                    return UM_ERR;
                }
            }

            if (pretty && n) {
                um_indent(b, indent);
            }

            um_buf_addc(b, ']');
            break;
        }

        um_buf_addc(b, '{');
        first = 1;

        json_object_keylen_foreach(v.u.j, key, klen, item) {
            if (!first) {
                um_buf_addc(b, ',');
            }

            first = 0;

            if (pretty) {
                um_indent(b, indent + 2);
            }

            um_json_str(b, key, klen);
            um_buf_add(b, pretty ? ": " : ":", pretty ? 2 : 1);

            if (um_stringify(s, b, um_from_json(item), pretty, indent + 2)
                != UM_OK)
            {
                return UM_ERR;
            }
        }

        if (pretty && !first) {
            um_indent(b, indent);
        }

        um_buf_addc(b, '}');
        break;

    case UM_OBJ:
        um_buf_addc(b, '{');
        first = 1;

        for (i = 0; i < v.u.o->n; i++) {
            m = v.u.o->items[i].val;

            if (m.type == UM_UNDEF) {
                continue;
            }

            if (!first) {
                um_buf_addc(b, ',');
            }

            first = 0;

            if (pretty) {
                um_indent(b, indent + 2);
            }

            um_json_str(b, v.u.o->items[i].key, v.u.o->items[i].klen);
            um_buf_add(b, pretty ? ": " : ":", pretty ? 2 : 1);

            if (um_stringify(s, b, m, pretty, indent + 2) != UM_OK) {
                return UM_ERR;
            }
        }

        if (pretty && !first) {
            um_indent(b, indent);
        }

        um_buf_addc(b, '}');
        break;
    }

    s->depth--;

    return UM_OK;
}


/* the reference's $string(): what "&" casts its operands with */

int
um_to_string(um_es_t *s, um_value_t v, um_value_t *out)
{
    um_buf_t  b;

    v = um_unwrap(v);

    switch (v.type) {

    case UM_UNDEF:
        *out = v;
        return UM_OK;

    case UM_STR:
        *out = v;
        return UM_OK;

    case UM_FUNC:
        *out = um_str("", 0);
        return UM_OK;

    default:
        break;
    }

    um_buf_init(&b, s->a, 0);

    if (um_stringify(s, &b, v, 0, 0) != UM_OK) {
        return UM_ERR;
    }

    return um_new_str(s, &b, out);
}


/* regular expressions */


static void *
um_pcre_malloc(PCRE2_SIZE size, void *data)
{
    return um_alloc(data, size);
}


static void
um_pcre_free(void *p, void *data)
{
    /* the arena frees everything at once */
    (void) p;
    (void) data;
}


static void
um_regex_cleanup(void *data)
{
    pcre2_code_free(data);
}


int
um_regex_compile(um_arena_t *a, const char *pat, size_t len,
    const char *flags, size_t flen, uint32_t index, um_regex_t **out,
    size_t *erroff, char *msg, size_t msgsize)
{
    int                      errcode;
    size_t                   i;
    uint32_t                 opts, ncap;
    PCRE2_SIZE               off;
    um_regex_t              *re;
    pcre2_code              *code;
    pcre2_compile_context   *cc;

    /* options that make PCRE2 read and match as JavaScript's RegExp */

    opts = PCRE2_UTF | PCRE2_ALT_BSUX | PCRE2_ALLOW_EMPTY_CLASS
           | PCRE2_MATCH_UNSET_BACKREF | PCRE2_DOLLAR_ENDONLY;

    for (i = 0; i < flen; i++) {
        if (flags[i] == 'i' && !(opts & PCRE2_CASELESS)) {
            opts |= PCRE2_CASELESS;

        } else if (flags[i] == 'm' && !(opts & PCRE2_MULTILINE)) {
            opts |= PCRE2_MULTILINE;

        } else {
            *erroff = len + 1 + i;
            snprintf(msg, msgsize, "invalid flags \"%.*s\"", (int) flen,
                     flags);
            return UM_ERR;
        }
    }

    cc = pcre2_compile_context_create(NULL);
    if (cc == NULL) {
        *erroff = 0;
        snprintf(msg, msgsize, "out of memory");
        return UM_ERR;
    }

    /* a dot does not match \n or \r, as in JavaScript */
    pcre2_set_newline(cc, PCRE2_NEWLINE_ANYCRLF);

    code = pcre2_compile((PCRE2_SPTR) pat, len, opts, &errcode, &off, cc);

    pcre2_compile_context_free(cc);

    if (code == NULL) {
        *erroff = off;
        pcre2_get_error_message(errcode, (PCRE2_UCHAR *) msg, msgsize);
        return UM_ERR;
    }

    if (um_arena_cleanup_add(a, um_regex_cleanup, code) != 0) {
        pcre2_code_free(code);
        *erroff = 0;
        snprintf(msg, msgsize, "out of memory");
        return UM_ERR;
    }

    /* JIT where the platform has it; the interpreter otherwise, and under
     * valgrind, which cannot follow JIT code and reports its reads as
     * uninitialised (or when built with UM_EXPR_NO_JIT) */
#ifndef UM_EXPR_NO_JIT
    if (!UM_RUNNING_ON_VALGRIND) {
        (void) pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
    }
#endif

    re = um_calloc(a, sizeof(um_regex_t));
    if (re == NULL) {
        *erroff = 0;
        snprintf(msg, msgsize, "out of memory");
        return UM_ERR;
    }

    ncap = 0;
    pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &ncap);

    re->code = code;
    re->index = index;
    re->ncap = ncap;
    *out = re;

    return UM_OK;
}


static int
um_re_exec(um_re_iter_t *it, size_t from)
{
    int        rc;
    um_es_t   *s;

    s = it->s;

    if (it->md == NULL) {
        if (s->gctx == NULL) {
            s->gctx = pcre2_general_context_create(um_pcre_malloc,
                                                   um_pcre_free, s->a);
            if (s->gctx == NULL) {
                return um_eval_oom(s);
            }
        }

        /* one match data per regex and evaluation */

        if (s->e && it->re->index < s->e->nregex) {
            if (s->md == NULL) {
                s->md = um_calloc(s->a, s->e->nregex
                                        * sizeof(pcre2_match_data *));
                if (s->md == NULL) {
                    return um_eval_oom(s);
                }
            }

            it->md = s->md[it->re->index];
        }

        if (it->md == NULL) {
            it->md = pcre2_match_data_create_from_pattern(it->re->code,
                                                          s->gctx);
            if (it->md == NULL) {
                return um_eval_oom(s);
            }

            if (s->md && s->e && it->re->index < s->e->nregex) {
                s->md[it->re->index] = it->md;
            }
        }

        it->ov = pcre2_get_ovector_pointer(it->md);
    }

    rc = pcre2_match(it->re->code, (PCRE2_SPTR) it->str, it->len, from, 0,
                     it->md, NULL);

    if (rc == PCRE2_ERROR_NOMATCH) {
        it->found = 0;
        return UM_OK;
    }

    if (rc == PCRE2_ERROR_NOMEMORY) {
        return um_eval_oom(s);
    }

    if (rc < 0) {
        char  msg[128];

        pcre2_get_error_message(rc, (PCRE2_UCHAR *) msg, sizeof(msg));
        return um_error_set(s->ev->err, 0, "$%s: regular expression: %s",
                            it->fname, msg);
    }

    it->found = 1;
    it->start = it->ov[0];
    it->end = it->ov[1];

    return UM_OK;
}


static int
um_re_first(um_re_iter_t *it, um_es_t *s, const um_node_t *n,
    um_value_t re, um_value_t str)
{
    memset(it, 0, sizeof(um_re_iter_t));
    it->s = s;
    it->re = re.u.f;
    it->str = str.u.s;
    it->len = str.len;
    it->fname = n->fn->name;

    return um_re_exec(it, 0);
}


/*
 * The reference's next(): none once the previous match reached the end,
 * otherwise the next match after it; an empty one there would never
 * progress and is an error.
 */

static int
um_re_next(um_re_iter_t *it)
{
    if (it->end >= it->len) {
        it->found = 0;
        return UM_OK;
    }

    if (um_re_exec(it, it->end) != UM_OK) {
        return UM_ERR;
    }

    if (it->found && it->start == it->end) {
        return um_error_set(it->s->ev->err, 0,
                            "$%s: the regular expression matches an empty "
                            "string", it->fname);
    }

    return UM_OK;
}


static um_value_t
um_re_group(um_re_iter_t *it, uint32_t i)
{
    if (i > it->re->ncap || it->ov[2 * i] == PCRE2_UNSET) {
        return um_undef();
    }

    return um_str(it->str + it->ov[2 * i], it->ov[2 * i + 1] - it->ov[2 * i]);
}


/* aggregates */


UM_FN(sum)
{
    size_t  i, len;
    double  total;

    (void) n;

    if (args[0].type == UM_UNDEF) {
        return UM_OK;
    }

    total = 0;
    len = um_len(args[0]);

    for (i = 0; i < len; i++) {
        total += um_at(args[0], i).u.n;
    }

    if (isinf(total) || isnan(total)) {
        return um_fn_error_set(s, n, "the sum is not a finite number", NULL);
    }

    *out = um_num(total);

    return UM_OK;
}


UM_FN(count)
{
    (void) s;
    (void) n;

    *out = um_num(args[0].type == UM_UNDEF ? 0 : (double) um_len(args[0]));

    return UM_OK;
}


static int
um_minmax(um_value_t arr, int max, um_value_t *out)
{
    size_t  i, len;
    double  r, d;

    len = um_len(arr);

    if (arr.type == UM_UNDEF || len == 0) {
        return UM_OK;
    }

    r = um_at(arr, 0).u.n;

    for (i = 1; i < len; i++) {
        d = um_at(arr, i).u.n;

        if (max ? (d > r || (d == 0 && r == 0 && !signbit(d)))
                : (d < r || (d == 0 && r == 0 && signbit(d))))
        {
            r = d;
        }
    }

    *out = um_num(r);

    return UM_OK;
}


UM_FN(max)
{
    (void) s;
    (void) n;

    return um_minmax(args[0], 1, out);
}


UM_FN(min)
{
    (void) s;
    (void) n;

    return um_minmax(args[0], 0, out);
}


UM_FN(average)
{
    size_t  i, len;
    double  total;

    (void) s;
    (void) n;

    len = um_len(args[0]);

    if (args[0].type == UM_UNDEF || len == 0) {
        return UM_OK;
    }

    total = 0;

    for (i = 0; i < len; i++) {
        total += um_at(args[0], i).u.n;
    }

    if (isinf(total) || isnan(total)) {
        return um_fn_error_set(s, n, "the sum is not a finite number", NULL);
    }

    *out = um_num(total / (double) len);

    return UM_OK;
}


/* strings */


UM_FN(string)
{
    um_buf_t    b;
    um_value_t  v;

    (void) n;

    v = um_unwrap(args[0]);

    if (v.type == UM_UNDEF) {
        return UM_OK;
    }

    if (args[1].type == UM_BOOL && args[1].u.b && v.type != UM_STR
        && v.type != UM_FUNC)
    {
        um_buf_init(&b, s->a, 0);

        if (um_stringify(s, &b, v, 1, 0) != UM_OK) {
            return UM_ERR;
        }

        return um_new_str(s, &b, out);
    }

    return um_to_string(s, v, out);
}


/* ToIntegerOrInfinity of a number, NaN (undefined) as 0 */

static double
um_to_integer(double d)
{
    if (isnan(d)) {
        return 0;
    }

    return d < 0 ? ceil(d) : floor(d);
}


/* Array.prototype.slice's index clamping */

static double
um_slice_index(double rel, double len)
{
    rel = um_to_integer(rel);

    if (rel < 0) {
        return rel + len < 0 ? 0 : rel + len;
    }

    return rel > len ? len : rel;
}


UM_FN(substring)
{
    double       len, start, length, from, to;
    size_t       a, b;
    um_value_t   str;

    (void) n;

    str = args[0];

    if (str.type == UM_UNDEF) {
        return UM_OK;
    }

    len = (double) um_utf8_count(str.u.s, str.len);
    start = args[1].type == UM_NUM ? args[1].u.n : NAN;

    if (len + start < 0) {
        start = 0;
    }

    if (args[2].type == UM_NUM) {
        length = args[2].u.n;

        if (length <= 0) {
            *out = um_str("", 0);
            return UM_OK;
        }

        to = start >= 0 ? start + length : len + start + length;

    } else {
        to = len;
    }

    from = um_slice_index(start, len);
    to = um_slice_index(to, len);

    if (to <= from) {
        *out = um_str("", 0);
        return UM_OK;
    }

    a = um_utf8_offset(str.u.s, str.len, (size_t) from);
    b = um_utf8_offset(str.u.s, str.len, (size_t) to);

    *out = um_str(str.u.s + a, b - a);

    (void) s;

    return UM_OK;
}


static um_value_t
um_str_or_undefined(um_value_t v)
{
    /* JavaScript's indexOf(undefined) looks for "undefined" */
    return v.type == UM_STR ? v : um_str("undefined", 9);
}


UM_FN(substring_before)
{
    um_value_t   str, chars;
    const char  *p;

    (void) s;
    (void) n;

    str = args[0];

    if (str.type == UM_UNDEF) {
        return UM_OK;
    }

    chars = um_str_or_undefined(args[1]);
    p = um_memmem(str.u.s, str.len, chars.u.s, chars.len);

    *out = p ? um_str(str.u.s, (size_t) (p - str.u.s)) : str;

    return UM_OK;
}


UM_FN(substring_after)
{
    um_value_t   str, chars;
    const char  *p;

    str = args[0];

    if (str.type == UM_UNDEF) {
        return UM_OK;
    }

    chars = um_str_or_undefined(args[1]);
    p = um_memmem(str.u.s, str.len, chars.u.s, chars.len);

    if (p && args[1].type == UM_UNDEF) {
        /* the reference fails reading undefined's length */
        return um_fn_error_set(s, n, "the separator is undefined", NULL);
    }

    *out = p ? um_str(p + chars.len, str.len - (size_t) (p - str.u.s)
                                     - chars.len)
             : str;

    return UM_OK;
}


UM_FN(lowercase)
{
    (void) n;

    if (args[0].type == UM_UNDEF) {
        return UM_OK;
    }

    return um_case_map(s, args[0], 0, out);
}


UM_FN(uppercase)
{
    (void) n;

    if (args[0].type == UM_UNDEF) {
        return UM_OK;
    }

    return um_case_map(s, args[0], 1, out);
}


UM_FN(length)
{
    (void) s;
    (void) n;

    if (args[0].type == UM_UNDEF) {
        return UM_OK;
    }

    *out = um_num((double) um_utf8_count(args[0].u.s, args[0].len));

    return UM_OK;
}


static int
um_is_trim_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}


UM_FN(trim)
{
    char        *d;
    size_t       i;
    um_value_t   str;

    (void) n;

    str = args[0];

    if (str.type == UM_UNDEF) {
        return UM_OK;
    }

    /* runs of [ \t\n\r] become one space, then one space is stripped at
     * either end */

    d = um_alloc(s->a, str.len ? str.len : 1);
    if (d == NULL) {
        return um_eval_oom(s);
    }

    out->len = 0;

    for (i = 0; i < str.len; i++) {
        if (um_is_trim_ws(str.u.s[i])) {
            while (i + 1 < str.len && um_is_trim_ws(str.u.s[i + 1])) {
                i++;
            }

            d[out->len++] = ' ';
            continue;
        }

        d[out->len++] = str.u.s[i];
    }

    i = 0;

    if (out->len && d[0] == ' ') {
        i = 1;
    }

    if (out->len > i && d[out->len - 1] == ' ') {
        out->len--;
    }

    *out = um_str(d + i, out->len - i);

    return UM_OK;
}


UM_FN(pad)
{
    double       width, padlen;
    size_t       k, plen, off, cn;
    um_buf_t     b;
    um_value_t   str, ch;

    (void) n;

    str = args[0];

    if (str.type == UM_UNDEF) {
        return UM_OK;
    }

    ch = args[2];

    if (ch.type != UM_STR || ch.len == 0) {
        ch = um_str(" ", 1);
    }

    width = args[1].type == UM_NUM ? um_to_integer(args[1].u.n) : NAN;
    padlen = fabs(width) - (double) um_utf8_count(str.u.s, str.len);

    if (!(padlen > 0)) {
        *out = str;
        return UM_OK;
    }

    if (padlen > 1e7) {
        return um_fn_error_set(s, n, "the padding is too long", NULL);
    }

    /* the pad characters repeated, cut to padlen characters */

    plen = (size_t) padlen;
    cn = um_utf8_count(ch.u.s, ch.len);

    um_buf_init(&b, s->a, 0);

    if (width < 0) {
        for (k = 0; k + cn <= plen; k += cn) {
            um_buf_add(&b, ch.u.s, ch.len);
        }

        off = um_utf8_offset(ch.u.s, ch.len, plen - k);
        um_buf_add(&b, ch.u.s, off);
        um_buf_add(&b, str.u.s, str.len);

    } else {
        um_buf_add(&b, str.u.s, str.len);

        for (k = 0; k + cn <= plen; k += cn) {
            um_buf_add(&b, ch.u.s, ch.len);
        }

        off = um_utf8_offset(ch.u.s, ch.len, plen - k);
        um_buf_add(&b, ch.u.s, off);
    }

    return um_new_str(s, &b, out);
}


UM_FN(contains)
{
    um_value_t    str, tok;
    um_re_iter_t  it;

    str = args[0];
    tok = args[1];

    if (str.type == UM_UNDEF || tok.type == UM_UNDEF) {
        return UM_OK;
    }

    if (tok.type == UM_STR) {
        *out = um_bool(um_memmem(str.u.s, str.len, tok.u.s, tok.len) != NULL);
        return UM_OK;
    }

    if (um_re_first(&it, s, n, tok, str) != UM_OK) {
        return UM_ERR;
    }

    *out = um_bool(it.found);

    return UM_OK;
}


/* ToUint32, as String.prototype.split reads its limit */

static double
um_to_uint32(double d)
{
    if (isnan(d) || isinf(d)) {
        return 0;
    }

    d = um_to_integer(d);
    d = fmod(d, 4294967296.0);

    return d < 0 ? d + 4294967296.0 : d;
}


static int
um_push_str(um_es_t *s, um_array_t *arr, const char *p, size_t len)
{
    if (um_arr_push(s->a, arr, um_str(p, len)) != UM_OK) {
        return um_eval_oom(s);
    }

    return UM_OK;
}


UM_FN(split)
{
    double        limit, count;
    size_t        pos, i, next;
    um_value_t    str, sep, arrv;
    um_array_t   *arr;
    const char   *p;
    um_re_iter_t  it;

    str = args[0];
    sep = args[1];

    if (str.type == UM_UNDEF) {
        return UM_OK;
    }

    if (args[2].type == UM_NUM && args[2].u.n < 0) {
        return um_fn_error_set(s, n, "the limit must not be negative", NULL);
    }

    arr = um_seq_new(s, 4, &arrv, 0);
    if (arr == NULL) {
        return UM_ERR;
    }

    *out = arrv;

    if (args[2].type == UM_NUM && !(args[2].u.n > 0)) {
        return UM_OK;
    }

    if (sep.type == UM_STR) {
        /* String.prototype.split */
        limit = args[2].type == UM_NUM ? um_to_uint32(args[2].u.n)
                                       : 4294967295.0;

        if (limit == 0) {
            return UM_OK;
        }

        if (sep.len == 0) {
            for (i = 0; i < str.len && (double) arr->n < limit; i = next) {
                next = um_utf8_offset(str.u.s + i, str.len - i, 1) + i;

                if (um_push_str(s, arr, str.u.s + i, next - i) != UM_OK) {
                    return UM_ERR;
                }
            }

            return UM_OK;
        }

        pos = 0;

        for ( ;; ) {
            p = um_memmem(str.u.s + pos, str.len - pos, sep.u.s, sep.len);

            if (p == NULL) {
                break;
            }

            if (um_push_str(s, arr, str.u.s + pos,
                            (size_t) (p - str.u.s) - pos)
                != UM_OK)
            {
                return UM_ERR;
            }

            if ((double) arr->n >= limit) {
                return UM_OK;
            }

            pos = (size_t) (p - str.u.s) + sep.len;
        }

        return um_push_str(s, arr, str.u.s + pos, str.len - pos);
    }

    if (sep.type != UM_FUNC) {
        return um_fn_error_set(s, n, "the separator must be a string or a "
                               "regular expression", NULL);
    }

    if (um_re_first(&it, s, n, sep, str) != UM_OK) {
        return UM_ERR;
    }

    if (!it.found) {
        return um_push_str(s, arr, str.u.s, str.len);
    }

    limit = args[2].type == UM_NUM ? args[2].u.n : INFINITY;
    count = 0;
    pos = 0;

    while (it.found && count < limit) {
        if (um_push_str(s, arr, str.u.s + pos, it.start - pos) != UM_OK) {
            return UM_ERR;
        }

        pos = it.end;

        if (um_re_next(&it) != UM_OK) {
            return UM_ERR;
        }

        count++;
    }

    if (count < limit) {
        return um_push_str(s, arr, str.u.s + pos, str.len - pos);
    }

    return UM_OK;
}


UM_FN(join)
{
    size_t       i, len;
    um_buf_t     b;
    um_value_t   sep, item;

    (void) n;

    if (args[0].type == UM_UNDEF) {
        return UM_OK;
    }

    sep = args[1].type == UM_STR ? args[1] : um_str("", 0);
    len = um_len(args[0]);

    um_buf_init(&b, s->a, 0);

    for (i = 0; i < len; i++) {
        if (i) {
            um_buf_add(&b, sep.u.s, sep.len);
        }

        item = um_at(args[0], i);
        um_buf_add(&b, item.u.s, item.len);
    }

    return um_new_str(s, &b, out);
}


/* the replacement text of one match: $0, $1.. $$, as the reference reads
 * them (parseInt over at most as many digits as the group count has) */

static void
um_substitute(um_buf_t *b, um_value_t repl, um_re_iter_t *it)
{
    int          maxd, sign, digits;
    long         idx, v;
    size_t       pos, k, end, ngroups;
    um_value_t   g;
    const char  *r;
    char         num[24];

    r = repl.u.s;
    ngroups = it->re->ncap;
    v = -1;
    idx = -1;
    pos = 0;

    while (pos < repl.len) {
        if (r[pos] != '$') {
            um_buf_addc(b, r[pos++]);
            continue;
        }

        pos++;

        if (pos < repl.len && r[pos] == '$') {
            um_buf_addc(b, '$');
            pos++;
            continue;
        }

        if (pos < repl.len && r[pos] == '0') {
            um_buf_add(b, it->str + it->start, it->end - it->start);
            pos++;
            continue;
        }

        maxd = ngroups == 0 ? 1
                            : (int) floor(log((double) ngroups) * M_LOG10E)
                              + 1;

        for (digits = maxd; digits >= 1; digits--) {
            /* parseInt over the next `digits` characters */
            end = pos + (size_t) digits < repl.len ? pos + (size_t) digits
                                                   : repl.len;
            k = pos;

            while (k < end && (r[k] == ' ' || r[k] == '\t' || r[k] == '\n'
                               || r[k] == '\r' || r[k] == '\v'
                               || r[k] == '\f'))
            {
                k++;
            }

            sign = 1;

            if (k < end && (r[k] == '+' || r[k] == '-')) {
                sign = r[k] == '-' ? -1 : 1;
                k++;
            }

            v = -1;

            for ( /* void */ ; k < end && r[k] >= '0' && r[k] <= '9'; k++) {
                v = (v < 0 ? 0 : v * 10) + (r[k] - '0');
            }

            idx = v < 0 ? -1 : sign * v;

            if (digits == maxd && maxd > 1 && v >= 0
                && idx > (long) ngroups)
            {
                continue;
            }

            break;
        }

        if (v < 0) {
            /* not a group reference: a literal $ */
            um_buf_addc(b, '$');
            continue;
        }

        if (ngroups > 0 && idx >= 1 && (size_t) idx <= ngroups) {
            g = um_re_group(it, (uint32_t) idx);
            if (g.type == UM_STR) {
                um_buf_add(b, g.u.s, g.len);
            }
        }

        pos += (size_t) snprintf(num, sizeof(num), "%ld", idx);
    }
}


UM_FN(replace)
{
    double        limit, count;
    size_t        pos;
    um_buf_t      b;
    um_value_t    str, pat, repl;
    const char   *p;
    um_re_iter_t  it;

    str = args[0];
    pat = args[1];
    repl = args[2];

    if (str.type == UM_UNDEF) {
        return UM_OK;
    }

    if (pat.type == UM_STR && pat.len == 0) {
        return um_fn_error_set(s, n, "the pattern must not be an empty "
                               "string", NULL);
    }

    if (args[3].type == UM_NUM && args[3].u.n < 0) {
        return um_fn_error_set(s, n, "the limit must not be negative", NULL);
    }

    if (args[3].type == UM_NUM && !(args[3].u.n > 0)) {
        *out = str;
        return UM_OK;
    }

    limit = args[3].type == UM_NUM ? args[3].u.n : INFINITY;
    count = 0;
    pos = 0;

    um_buf_init(&b, s->a, 0);

    if (pat.type == UM_STR) {
        /* the replacement is inserted as it is; JavaScript would write an
         * undefined one as "undefined" */
        repl = um_str_or_undefined(repl);

        for ( ;; ) {
            if (!(count < limit)) {
                break;
            }

            p = um_memmem(str.u.s + pos, str.len - pos, pat.u.s, pat.len);
            if (p == NULL) {
                break;
            }

            um_buf_add(&b, str.u.s + pos, (size_t) (p - str.u.s) - pos);
            um_buf_add(&b, repl.u.s, repl.len);
            pos = (size_t) (p - str.u.s) + pat.len;
            count++;
        }

        um_buf_add(&b, str.u.s + pos, str.len - pos);

        return um_new_str(s, &b, out);
    }

    if (pat.type != UM_FUNC) {
        return um_fn_error_set(s, n, "the pattern must be a string or a "
                               "regular expression", NULL);
    }

    if (um_re_first(&it, s, n, pat, str) != UM_OK) {
        return UM_ERR;
    }

    if (!it.found) {
        *out = str;
        return UM_OK;
    }

    if (repl.type != UM_STR) {
        return um_fn_error_set(s, n, "the replacement must be a string",
                               NULL);
    }

    while (it.found && count < limit) {
        um_buf_add(&b, str.u.s + pos, it.start - pos);
        um_substitute(&b, repl, &it);
        pos = it.end;
        count++;

        if (um_re_next(&it) != UM_OK) {
            return UM_ERR;
        }
    }

    um_buf_add(&b, str.u.s + pos, str.len - pos);

    return um_new_str(s, &b, out);
}


UM_FN(match)
{
    double         limit, count;
    uint32_t       g;
    um_value_t     str, arrv, gv, m, objv;
    um_array_t    *arr, *groups;
    um_object_t   *obj;
    um_re_iter_t   it;

    str = args[0];

    if (str.type == UM_UNDEF) {
        return UM_OK;
    }

    if (args[2].type == UM_NUM && args[2].u.n < 0) {
        return um_fn_error_set(s, n, "the limit must not be negative", NULL);
    }

    arr = um_seq_new(s, 4, &arrv, UM_F_SEQ);
    if (arr == NULL) {
        return UM_ERR;
    }

    *out = arrv;

    if (args[2].type == UM_NUM && !(args[2].u.n > 0)) {
        return UM_OK;
    }

    limit = args[2].type == UM_NUM ? args[2].u.n : INFINITY;
    count = 0;

    if (um_re_first(&it, s, n, args[1], str) != UM_OK) {
        return UM_ERR;
    }

    while (it.found && count < limit) {
        groups = um_seq_new(s, it.re->ncap ? it.re->ncap : 1, &gv, 0);
        obj = um_obj_new(s->a, 3);

        if (groups == NULL || obj == NULL) {
            return um_eval_oom(s);
        }

        for (g = 1; g <= it.re->ncap; g++) {
            m = um_re_group(&it, g);
            /* an unmatched group: undefined, which JSON writes as null */
            groups->items[groups->n++] = m.type == UM_STR ? m : um_null();
        }

        if (um_obj_set(s->a, obj, "match", 5,
                       um_str(str.u.s + it.start, it.end - it.start))
               != UM_OK
            || um_obj_set(s->a, obj, "index", 5,
                          um_num((double) um_utf16_count(str.u.s, it.start)))
               != UM_OK
            || um_obj_set(s->a, obj, "groups", 6, gv) != UM_OK)
        {
            return um_eval_oom(s);
        }

        memset(&objv, 0, sizeof(um_value_t));
        objv.type = UM_OBJ;
        objv.u.o = obj;

        if (um_arr_push(s->a, arr, objv) != UM_OK) {
            return um_eval_oom(s);
        }

        if (um_re_next(&it) != UM_OK) {
            return UM_ERR;
        }

        count++;
    }

    return UM_OK;
}


/* numbers */


static int
um_parse_decimal(const char *p, size_t len, double *d)
{
    char    buf[128];
    size_t  i;

    /* -?[0-9]+(\.[0-9]+)?([Ee][-+]?[0-9]+)? */

    i = 0;

    if (i < len && p[i] == '-') {
        i++;
    }

    if (i == len || p[i] < '0' || p[i] > '9') {
        return -1;
    }

    while (i < len && p[i] >= '0' && p[i] <= '9') {
        i++;
    }

    if (i < len && p[i] == '.') {
        i++;

        if (i == len || p[i] < '0' || p[i] > '9') {
            return -1;
        }

        while (i < len && p[i] >= '0' && p[i] <= '9') {
            i++;
        }
    }

    if (i < len && (p[i] == 'e' || p[i] == 'E')) {
        i++;

        if (i < len && (p[i] == '+' || p[i] == '-')) {
            i++;
        }

        if (i == len || p[i] < '0' || p[i] > '9') {
            return -1;
        }

        while (i < len && p[i] >= '0' && p[i] <= '9') {
            i++;
        }
    }

    if (i != len || len >= sizeof(buf)) {
        return -1;
    }

    memcpy(buf, p, len);
    buf[len] = '\0';
    *d = strtod(buf, NULL);

    return isinf(*d) || isnan(*d) ? -1 : 0;
}


/* 0x.., 0o.., 0b.. as JavaScript's Number() reads them, exactly rounded
 * by way of a hexadecimal float for strtod */

static int
um_parse_radix(const char *p, size_t len, double *d)
{
    int       bits, v, acc, nacc;
    char      buf[160], *h;
    size_t    i;
    static const char  hex[] = "0123456789abcdef";

    if (len < 3 || p[0] != '0') {
        return -1;
    }

    switch (p[1]) {
    case 'x': case 'X': bits = 4; break;
    case 'o': case 'O': bits = 3; break;
    case 'b': case 'B': bits = 1; break;
    default: return -1;
    }

    if ((len - 2) * (size_t) bits / 4 + 8 >= sizeof(buf)) {
        return -1;
    }

    h = buf;
    *h++ = '0';
    *h++ = 'x';

    /* pad the bit string on the left to a multiple of four */
    nacc = (int) (((len - 2) * (size_t) bits) % 4);
    nacc = nacc ? 4 - nacc : 0;
    acc = 0;

    for (i = 2; i < len; i++) {
        if (bits == 4) {
            v = (p[i] >= '0' && p[i] <= '9') ? p[i] - '0'
                : ((p[i] | 0x20) >= 'a' && (p[i] | 0x20) <= 'f')
                  ? (p[i] | 0x20) - 'a' + 10 : -1;

        } else {
            v = p[i] - '0';

            if (v < 0 || v >= (1 << bits)) {
                v = -1;
            }
        }

        if (v < 0) {
            return -1;
        }

        acc = (acc << bits) | v;
        nacc += bits;

        while (nacc >= 4) {
            *h++ = hex[(acc >> (nacc - 4)) & 0xf];
            nacc -= 4;
        }

        acc &= (1 << nacc) - 1;
    }

    *h = '\0';
    *d = strtod(buf, NULL);

    return isinf(*d) ? -1 : 0;
}


UM_FN(number)
{
    double       d;
    um_value_t   v;

    v = args[0];

    switch (v.type) {

    case UM_UNDEF:
        return UM_OK;

    case UM_NUM:
        *out = v;
        return UM_OK;

    case UM_BOOL:
        *out = um_num(v.u.b ? 1 : 0);
        return UM_OK;

    case UM_STR:
        if (um_parse_decimal(v.u.s, v.len, &d) == 0
            || um_parse_radix(v.u.s, v.len, &d) == 0)
        {
            *out = um_num(d == 0 ? 0 : d);
            return UM_OK;
        }

        break;
    }

    return um_fn_error_set(s, n, "unable to cast the value to a number",
                           NULL);
}


UM_FN(abs)
{
    (void) s;
    (void) n;

    if (args[0].type == UM_NUM) {
        *out = um_num(fabs(args[0].u.n));
    }

    return UM_OK;
}


UM_FN(floor)
{
    (void) s;
    (void) n;

    if (args[0].type == UM_NUM) {
        *out = um_num(floor(args[0].u.n));
    }

    return UM_OK;
}


UM_FN(ceil)
{
    (void) s;
    (void) n;

    if (args[0].type == UM_NUM) {
        *out = um_num(ceil(args[0].u.n));
    }

    return UM_OK;
}


/* +(mantissa + "e" + (exponent + shift)): the reference's decimal shift */

static double
um_shift(double d, double shift)
{
    int     e;
    char    buf[UM_NUM_BUF + 32], *p;
    double  ne;
    size_t  len;

    len = um_num_format(d, buf);
    p = strchr(buf, 'e');
    e = 0;

    if (p) {
        e = atoi(p + 1);
        len = (size_t) (p - buf);
    }

    ne = (double) e + shift;

    snprintf(buf + len, sizeof(buf) - len, "e%.0f", ne);

    return strtod(buf, NULL);
}


/* Math.round: halves toward +infinity */

static double
um_js_round(double d)
{
    double  f;

    f = floor(d);

    if (d - f >= 0.5) {
        f += 1;
    }

    return f;
}


UM_FN(round)
{
    double  d, prec, r, diff;

    (void) s;

    if (args[0].type != UM_NUM) {
        return UM_OK;
    }

    d = args[0].u.n;
    prec = args[1].type == UM_NUM ? args[1].u.n : 0;

    if (prec != floor(prec) || fabs(prec) > 400) {
        return um_fn_error_set(s, n, "the precision must be an integer",
                               NULL);
    }

    if (prec != 0) {
        d = um_shift(d, prec);
    }

    r = um_js_round(d);
    diff = r - d;

    /* halves go to the even neighbour */
    if (fabs(diff) == 0.5 && fabs(fmod(r, 2)) == 1) {
        r -= 1;
    }

    if (prec != 0) {
        r = um_shift(r, -prec);
    }

    if (isinf(r) || isnan(r)) {
        return um_fn_error_set(s, n, "the result is not a finite number",
                               NULL);
    }

    *out = um_num(r == 0 ? 0 : r);

    return UM_OK;
}


UM_FN(sqrt)
{
    if (args[0].type != UM_NUM) {
        return UM_OK;
    }

    if (args[0].u.n < 0) {
        return um_fn_error_set(s, n, "the argument must not be negative",
                               NULL);
    }

    *out = um_num(sqrt(args[0].u.n));

    return UM_OK;
}


UM_FN(power)
{
    double  r;

    if (args[0].type != UM_NUM) {
        return UM_OK;
    }

    if (args[1].type != UM_NUM) {
        return um_fn_error_set(s, n, "the exponent must be a number", NULL);
    }

    r = pow(args[0].u.n, args[1].u.n);

    if (isinf(r) || isnan(r)) {
        return um_fn_error_set(s, n, "the result is not a finite number",
                               NULL);
    }

    *out = um_num(r);

    return UM_OK;
}


/* booleans */


UM_FN(boolean)
{
    (void) s;
    (void) n;

    if (args[0].type != UM_UNDEF) {
        *out = um_bool(um_truthy(args[0]));
    }

    return UM_OK;
}


UM_FN(not)
{
    (void) s;
    (void) n;

    if (args[0].type != UM_UNDEF) {
        *out = um_bool(!um_truthy(args[0]));
    }

    return UM_OK;
}


UM_FN(exists)
{
    (void) s;
    (void) n;

    *out = um_bool(args[0].type != UM_UNDEF);

    return UM_OK;
}


/* objects and arrays */


static int
um_keys_add(um_es_t *s, um_array_t *keys, const char *k, size_t klen)
{
    uint32_t  i;

    for (i = 0; i < keys->n; i++) {
        if (keys->items[i].len == klen
            && memcmp(keys->items[i].u.s, k, klen) == 0)
        {
            return UM_OK;
        }
    }

    if (um_arr_push(s->a, keys, um_str(k, klen)) != UM_OK) {
        return um_eval_oom(s);
    }

    return UM_OK;
}


static int
um_keys_of(um_es_t *s, um_array_t *keys, um_value_t v, unsigned depth)
{
    size_t       i, n, klen;
    json_t      *item;
    const char  *key;

    if (depth > UM_EVAL_MAX_DEPTH * 4) {
        return um_error_set(s->ev->err, 0, "data nested too deeply");
    }

    if (um_is_array(v)) {
        n = um_len(v);

        for (i = 0; i < n; i++) {
            if (um_keys_of(s, keys, um_at(v, i), depth + 1) != UM_OK) {
                return UM_ERR;
            }
        }

        return UM_OK;
    }

    if (v.type == UM_OBJ) {
        for (i = 0; i < v.u.o->n; i++) {
            if (um_keys_add(s, keys, v.u.o->items[i].key,
                            v.u.o->items[i].klen) != UM_OK)
            {
                return UM_ERR;
            }
        }

    } else if (v.type == UM_JSON) {
        json_object_keylen_foreach(v.u.j, key, klen, item) {
            if (um_keys_add(s, keys, key, klen) != UM_OK) {
                return UM_ERR;
            }
        }

        (void) item;
    }

    return UM_OK;
}


UM_FN(keys)
{
    um_array_t  *keys;

    (void) n;

    keys = um_seq_new(s, 4, out, UM_F_SEQ);
    if (keys == NULL) {
        return UM_ERR;
    }

    return um_keys_of(s, keys, args[0], 0);
}


UM_FN(lookup)
{
    um_value_t  key;

    (void) n;

    key = um_str_or_undefined(args[1]);

    if (!um_is_array(args[0])) {
        *out = um_get(args[0], key.u.s, key.len);
        return UM_OK;
    }

    /* the same as a field step over an array */
    {
        um_node_t  name;

        memset(&name, 0, sizeof(um_node_t));
        name.type = UM_N_NAME;
        name.val = key;

        return um_eval_node(s, &name, args[0], out);
    }
}


UM_FN(append)
{
    (void) n;

    return um_append(s, args[0], args[1], out);
}


static int
um_merge_into(um_es_t *s, um_object_t *obj, um_value_t v)
{
    size_t       i, klen;
    json_t      *item;
    const char  *key;

    if (v.type == UM_OBJ) {
        for (i = 0; i < v.u.o->n; i++) {
            if (um_obj_set(s->a, obj, v.u.o->items[i].key,
                           v.u.o->items[i].klen, v.u.o->items[i].val)
                != UM_OK)
            {
                return um_eval_oom(s);
            }
        }

    } else if (v.type == UM_JSON && json_is_object(v.u.j)) {
        json_object_keylen_foreach(v.u.j, key, klen, item) {
            if (um_obj_set(s->a, obj, key, klen, um_from_json(item))
                != UM_OK)
            {
                return um_eval_oom(s);
            }
        }
    }

    return UM_OK;
}


UM_FN(merge)
{
    size_t        i, len;
    um_object_t  *obj;

    (void) n;

    if (args[0].type == UM_UNDEF) {
        return UM_OK;
    }

    obj = um_obj_new(s->a, 8);
    if (obj == NULL) {
        return um_eval_oom(s);
    }

    len = um_len(args[0]);

    for (i = 0; i < len; i++) {
        if (um_merge_into(s, obj, um_at(args[0], i)) != UM_OK) {
            return UM_ERR;
        }
    }

    memset(out, 0, sizeof(um_value_t));
    out->type = UM_OBJ;
    out->u.o = obj;

    return UM_OK;
}


static int
um_spread(um_es_t *s, um_value_t arg, um_value_t *out, unsigned depth)
{
    size_t        i, len, klen;
    json_t       *item;
    um_value_t    r, seqv, ov;
    um_array_t   *seq;
    um_object_t  *o;
    const char   *key;

    if (depth > UM_EVAL_MAX_DEPTH * 4) {
        return um_error_set(s->ev->err, 0, "data nested too deeply");
    }

    if (um_is_array(arg)) {
        /* appending turns the sequence into a plain array */
        seq = um_seq_new(s, 4, &seqv, UM_F_SEQ);
        if (seq == NULL) {
            return UM_ERR;
        }

        len = um_len(arg);

        for (i = 0; i < len; i++) {
            if (um_spread(s, um_at(arg, i), &r, depth + 1) != UM_OK
                || um_append(s, seqv, r, &seqv) != UM_OK)
            {
                return UM_ERR;
            }
        }

        *out = seqv;
        return UM_OK;
    }

    if (!um_is_object(arg)) {
        *out = arg;
        return UM_OK;
    }

    seq = um_seq_new(s, 4, &seqv, UM_F_SEQ);
    if (seq == NULL) {
        return UM_ERR;
    }

    memset(&ov, 0, sizeof(um_value_t));
    ov.type = UM_OBJ;

    if (arg.type == UM_OBJ) {
        for (i = 0; i < arg.u.o->n; i++) {
            o = um_obj_new(s->a, 1);
            if (o == NULL
                || um_obj_set(s->a, o, arg.u.o->items[i].key,
                              arg.u.o->items[i].klen, arg.u.o->items[i].val)
                   != UM_OK)
            {
                return um_eval_oom(s);
            }

            ov.u.o = o;

            if (um_arr_push(s->a, seq, ov) != UM_OK) {
                return um_eval_oom(s);
            }
        }

    } else {
        json_object_keylen_foreach(arg.u.j, key, klen, item) {
            o = um_obj_new(s->a, 1);
            if (o == NULL
                || um_obj_set(s->a, o, key, klen, um_from_json(item))
                   != UM_OK)
            {
                return um_eval_oom(s);
            }

            ov.u.o = o;

            if (um_arr_push(s->a, seq, ov) != UM_OK) {
                return um_eval_oom(s);
            }
        }
    }

    *out = seqv;

    return UM_OK;
}


UM_FN(spread)
{
    (void) n;

    return um_spread(s, args[0], out, 0);
}


UM_FN(reverse)
{
    size_t       i, len;
    um_value_t   arrv;
    um_array_t  *arr;

    (void) n;

    if (args[0].type == UM_UNDEF) {
        return UM_OK;
    }

    len = um_len(args[0]);

    if (len <= 1) {
        *out = args[0];
        return UM_OK;
    }

    arr = um_seq_new(s, (uint32_t) len, &arrv, 0);
    if (arr == NULL) {
        return UM_ERR;
    }

    for (i = 0; i < len; i++) {
        arr->items[arr->n++] = um_at(args[0], len - 1 - i);
    }

    *out = arrv;

    return UM_OK;
}


UM_FN(distinct)
{
    size_t       i, len;
    uint32_t     k;
    um_value_t   arrv, v;
    um_array_t  *arr;

    (void) n;

    if (!um_is_array(args[0]) || um_len(args[0]) <= 1) {
        *out = args[0];
        return UM_OK;
    }

    len = um_len(args[0]);

    arr = um_seq_new(s, (uint32_t) len, &arrv,
                     um_is_seq(args[0]) ? UM_F_SEQ : 0);
    if (arr == NULL) {
        return UM_ERR;
    }

    for (i = 0; i < len; i++) {
        v = um_at(args[0], i);

        for (k = 0; k < arr->n; k++) {
            if (um_equal(v, arr->items[k])) {
                break;
            }
        }

        if (k == arr->n) {
            arr->items[arr->n++] = v;
        }
    }

    *out = arrv;

    return UM_OK;
}


UM_FN(type)
{
    (void) s;
    (void) n;

    if (args[0].type != UM_UNDEF) {
        *out = um_str(um_type_name(args[0]),
                      strlen(um_type_name(args[0])));
    }

    return UM_OK;
}


UM_FN(error)
{
    (void) n;
    (void) out;

    if (args[0].type == UM_STR && args[0].len) {
        return um_error_set(s->ev->err, 0, "%.*s",
                            (int) (args[0].len > 256 ? 256 : args[0].len),
                            args[0].u.s);
    }

    return um_error_set(s->ev->err, 0, "$error() function evaluated");
}


UM_FN(assert)
{
    (void) n;
    (void) out;

    if (args[0].type == UM_BOOL && args[0].u.b) {
        return UM_OK;
    }

    if (args[1].type == UM_STR && args[1].len) {
        return um_error_set(s->ev->err, 0, "%.*s",
                            (int) (args[1].len > 256 ? 256 : args[1].len),
                            args[1].u.s);
    }

    return um_error_set(s->ev->err, 0, "$assert() statement failed");
}


/* dates */


/* a time argument: ms since the epoch, or an ISO 8601 string */

static int
um_time_arg(um_es_t *s, const um_node_t *n, um_value_t v, int64_t *ms)
{
    int      has_time, y, mo;
    double   d;
    size_t   i;
    um_tm_t  tm;

    if (v.type == UM_NUM) {
        d = v.u.n;

        if (!(fabs(d) <= UM_TIME_MAX)) {
            return um_fn_error_set(s, n, "the time is out of range", NULL);
        }

        *ms = (int64_t) d;
        return UM_OK;
    }

    if (v.type != UM_STR) {
        return um_fn_error_set(s, n, "the time must be a number or a string",
                               NULL);
    }

    if (um_date_parse(v.u.s, v.len, ms, &has_time) == 0) {
        return UM_OK;
    }

    /* "YYYY" and "YYYY-MM", which JSONata's $toMillis reads too */

    for (i = 0; i < v.len && i < 7; i++) {
        if (i == 4 ? v.u.s[i] != '-'
                   : (v.u.s[i] < '0' || v.u.s[i] > '9'))
        {
            break;
        }
    }

    if ((v.len == 4 && i == 4) || (v.len == 7 && i == 7)) {
        y = (v.u.s[0] - '0') * 1000 + (v.u.s[1] - '0') * 100
            + (v.u.s[2] - '0') * 10 + (v.u.s[3] - '0');
        mo = v.len == 7 ? (v.u.s[5] - '0') * 10 + (v.u.s[6] - '0') : 1;

        if (mo >= 1 && mo <= 12) {
            memset(&tm, 0, sizeof(um_tm_t));
            tm.year = y;
            tm.month = mo;
            tm.day = 1;
            *ms = um_date_join(&tm);
            return UM_OK;
        }
    }

    return um_error_set(s->ev->err, 0, "$%s: cannot read \"%.*s\" as a date",
                        n->fn->name, (int) (v.len > 64 ? 64 : v.len),
                        v.u.s);
}


static int
um_time_out(um_es_t *s, const um_node_t *n, int64_t ms, um_value_t *out)
{
    if (!((double) ms <= UM_TIME_MAX && (double) ms >= -UM_TIME_MAX)) {
        return um_fn_error_set(s, n, "the time is out of range", NULL);
    }

    *out = um_num((double) ms);

    return UM_OK;
}


static int
um_iso_out(um_es_t *s, const um_node_t *n, int64_t ms, um_value_t *out)
{
    char     buf[UM_DATE_BUF];
    size_t   len;
    um_tm_t  tm;

    um_date_split(ms, &tm);

    if (tm.year < 0 || tm.year > 9999) {
        return um_fn_error_set(s, n, "the year is out of the range 0..9999",
                               NULL);
    }

    len = um_date_format_iso(ms, buf);

    return um_str_dup(s->a, buf, len, out) == UM_OK ? UM_OK
                                                    : um_eval_oom(s);
}


UM_FN(from_millis)
{
    if (args[0].type == UM_UNDEF) {
        return UM_OK;
    }

    if (args[1].type != UM_UNDEF || args[2].type != UM_UNDEF) {
        return um_fn_error_set(s, n, "pictures and timezones are not "
                               "supported", NULL);
    }

    if (!(fabs(args[0].u.n) <= UM_TIME_MAX)) {
        return um_fn_error_set(s, n, "the time is out of range", NULL);
    }

    return um_iso_out(s, n, (int64_t) args[0].u.n, out);
}


UM_FN(to_millis)
{
    int64_t  ms;

    if (args[0].type == UM_UNDEF) {
        return UM_OK;
    }

    if (args[1].type != UM_UNDEF) {
        return um_fn_error_set(s, n, "pictures are not supported", NULL);
    }

    if (args[0].type == UM_NUM) {
        *out = args[0];
        return UM_OK;
    }

    if (um_time_arg(s, n, args[0], &ms) != UM_OK) {
        return UM_ERR;
    }

    return um_time_out(s, n, ms, out);
}


UM_FN(now)
{
    if (args[0].type != UM_UNDEF || args[1].type != UM_UNDEF) {
        return um_fn_error_set(s, n, "pictures and timezones are not "
                               "supported", NULL);
    }

    if (!(fabs(s->ev->now) <= UM_TIME_MAX)) {
        return um_fn_error_set(s, n, "the time is out of range", NULL);
    }

    return um_iso_out(s, n, (int64_t) s->ev->now, out);
}


UM_FN(millis)
{
    (void) args;
    (void) n;

    *out = um_num(s->ev->now);

    return UM_OK;
}


UM_FN(start_of_day)
{
    int64_t  ms;

    if (args[0].type == UM_UNDEF) {
        return UM_OK;
    }

    if (um_time_arg(s, n, args[0], &ms) != UM_OK) {
        return UM_ERR;
    }

    return um_time_out(s, n, um_date_start_of_day(ms), out);
}


UM_FN(start_of_month)
{
    int64_t  ms;

    if (args[0].type == UM_UNDEF) {
        return UM_OK;
    }

    if (um_time_arg(s, n, args[0], &ms) != UM_OK) {
        return UM_ERR;
    }

    return um_time_out(s, n, um_date_start_of_month(ms), out);
}


UM_FN(end_of_month)
{
    int64_t  ms;

    if (args[0].type == UM_UNDEF) {
        return UM_OK;
    }

    if (um_time_arg(s, n, args[0], &ms) != UM_OK) {
        return UM_ERR;
    }

    /* exclusive: the first instant of the next month */
    return um_time_out(s, n,
                       um_date_add_months(um_date_start_of_month(ms), 1),
                       out);
}


static int
um_int_arg(um_es_t *s, const um_node_t *n, um_value_t v, double max,
    double *d)
{
    if (v.type != UM_NUM || v.u.n != floor(v.u.n) || fabs(v.u.n) > max) {
        return um_fn_error_set(s, n, "the count must be an integer", NULL);
    }

    *d = v.u.n;

    return UM_OK;
}


UM_FN(add_days)
{
    double   d;
    int64_t  ms;

    d = 0;

    if (args[0].type == UM_UNDEF || args[1].type == UM_UNDEF) {
        return UM_OK;
    }

    if (um_time_arg(s, n, args[0], &ms) != UM_OK
        || um_int_arg(s, n, args[1], 2e8, &d) != UM_OK)
    {
        return UM_ERR;
    }

    return um_time_out(s, n, ms + (int64_t) d * 86400000, out);
}


UM_FN(add_months)
{
    double   d;
    int64_t  ms;

    d = 0;

    if (args[0].type == UM_UNDEF || args[1].type == UM_UNDEF) {
        return UM_OK;
    }

    if (um_time_arg(s, n, args[0], &ms) != UM_OK
        || um_int_arg(s, n, args[1], 4e6, &d) != UM_OK)
    {
        return UM_ERR;
    }

    return um_time_out(s, n, um_date_add_months(ms, (int) d), out);
}


/* n decimal digits of v (0 <= v < 10^n), without printf: request paths
 * format dates for every provider call */

static void
um_fn_digits(um_buf_t *b, int v, int n)
{
    char  *p;

    if (um_buf_reserve(b, (size_t) n) != 0) {
        return;
    }

    b->len += (size_t) n;
    p = b->data + b->len;

    while (n--) {
        *--p = (char) ('0' + v % 10);
        v /= 10;
    }
}


UM_FN(format_date)
{
    int64_t       ms;
    size_t        i;
    um_tm_t       tm;
    um_buf_t      b;
    um_value_t    pic;
    const char   *p;

    pic = args[1];

    if (args[0].type == UM_UNDEF || pic.type == UM_UNDEF) {
        return UM_OK;
    }

    if (um_time_arg(s, n, args[0], &ms) != UM_OK) {
        return UM_ERR;
    }

    um_date_split(ms, &tm);

    if (tm.year < 0 || tm.year > 9999) {
        return um_fn_error_set(s, n, "the year is out of the range 0..9999",
                               NULL);
    }

    um_buf_init(&b, s->a, 0);
    p = pic.u.s;

    for (i = 0; i < pic.len; /* void */ ) {
        if (pic.len - i >= 4 && memcmp(p + i, "YYYY", 4) == 0) {
            um_fn_digits(&b, tm.year, 4);
            i += 4;

        } else if (pic.len - i >= 3 && memcmp(p + i, "SSS", 3) == 0) {
            um_fn_digits(&b, tm.ms, 3);
            i += 3;

        } else if (pic.len - i >= 2 && memcmp(p + i, "MM", 2) == 0) {
            um_fn_digits(&b, tm.month, 2);
            i += 2;

        } else if (pic.len - i >= 2 && memcmp(p + i, "DD", 2) == 0) {
            um_fn_digits(&b, tm.day, 2);
            i += 2;

        } else if (pic.len - i >= 2 && memcmp(p + i, "HH", 2) == 0) {
            um_fn_digits(&b, tm.hour, 2);
            i += 2;

        } else if (pic.len - i >= 2 && memcmp(p + i, "mm", 2) == 0) {
            um_fn_digits(&b, tm.min, 2);
            i += 2;

        } else if (pic.len - i >= 2 && memcmp(p + i, "ss", 2) == 0) {
            um_fn_digits(&b, tm.sec, 2);
            i += 2;

        } else {
            um_buf_addc(&b, p[i]);
            i++;
        }
    }

    return um_new_str(s, &b, out);
}


UM_FN(to_seconds)
{
    int64_t  ms, sec;

    if (args[0].type == UM_UNDEF) {
        return UM_OK;
    }

    if (um_time_arg(s, n, args[0], &ms) != UM_OK) {
        return UM_ERR;
    }

    sec = ms / 1000;

    if (ms % 1000 < 0) {
        sec--;
    }

    *out = um_num((double) sec);

    return UM_OK;
}


UM_FN(to_iso)
{
    char     buf[UM_DATE_BUF];
    size_t   len;
    int64_t  ms;

    if (args[0].type == UM_UNDEF) {
        return UM_OK;
    }

    /* the common case, shared with the mapping executor's fast path */

    if (args[0].type == UM_STR) {
        len = um_date_iso_of(args[0].u.s, args[0].len, buf);

        if (len) {
            return um_str_dup(s->a, buf, len, out) == UM_OK ? UM_OK
                                                            : um_eval_oom(s);
        }
    }

    if (um_time_arg(s, n, args[0], &ms) != UM_OK) {
        return UM_ERR;
    }

    return um_iso_out(s, n, ms, out);
}


/*
 * Case mapping as JavaScript's toLowerCase/toUpperCase (full mappings, not
 * locale-specific), from the tables below: runs of 1:1 mappings, 1:n
 * mappings such as "\u00df" -> "SS", and the Final_Sigma rule.
 */

typedef struct {
    uint32_t  lo;
    uint32_t  hi;
    int32_t   delta;
    uint32_t  stride;
} um_case_run_t;

typedef struct {
    uint32_t     cp;
    const char  *to;
} um_case_multi_t;

typedef struct {
    uint32_t  lo;
    uint32_t  hi;
} um_range_t;


/* ---- generated ---- */

/* generated by t/unit/expr_diff/gen_case_table.js, node v20.20.2 */

static const um_case_run_t  um_lower_runs[] = {
    { 0x41, 0x5a, 32, 1 }, { 0xc0, 0xd6, 32, 1 }, { 0xd8, 0xde, 32, 1 },
    { 0x100, 0x12e, 1, 2 }, { 0x132, 0x136, 1, 2 }, { 0x139, 0x147, 1, 2 },
    { 0x14a, 0x176, 1, 2 }, { 0x178, 0x178, -121, 1 }, { 0x179, 0x17d, 1, 2 },
    { 0x181, 0x181, 210, 1 }, { 0x182, 0x184, 1, 2 }, { 0x186, 0x186, 206, 1 },
    { 0x187, 0x187, 1, 1 }, { 0x189, 0x18a, 205, 1 }, { 0x18b, 0x18b, 1, 1 },
    { 0x18e, 0x18e, 79, 1 }, { 0x18f, 0x18f, 202, 1 },
    { 0x190, 0x190, 203, 1 }, { 0x191, 0x191, 1, 1 }, { 0x193, 0x193, 205, 1 },
    { 0x194, 0x194, 207, 1 }, { 0x196, 0x196, 211, 1 },
    { 0x197, 0x197, 209, 1 }, { 0x198, 0x198, 1, 1 }, { 0x19c, 0x19c, 211, 1 },
    { 0x19d, 0x19d, 213, 1 }, { 0x19f, 0x19f, 214, 1 }, { 0x1a0, 0x1a4, 1, 2 },
    { 0x1a6, 0x1a6, 218, 1 }, { 0x1a7, 0x1a7, 1, 1 }, { 0x1a9, 0x1a9, 218, 1 },
    { 0x1ac, 0x1ac, 1, 1 }, { 0x1ae, 0x1ae, 218, 1 }, { 0x1af, 0x1af, 1, 1 },
    { 0x1b1, 0x1b2, 217, 1 }, { 0x1b3, 0x1b5, 1, 2 }, { 0x1b7, 0x1b7, 219, 1 },
    { 0x1b8, 0x1b8, 1, 1 }, { 0x1bc, 0x1bc, 1, 1 }, { 0x1c4, 0x1c4, 2, 1 },
    { 0x1c5, 0x1c5, 1, 1 }, { 0x1c7, 0x1c7, 2, 1 }, { 0x1c8, 0x1c8, 1, 1 },
    { 0x1ca, 0x1ca, 2, 1 }, { 0x1cb, 0x1db, 1, 2 }, { 0x1de, 0x1ee, 1, 2 },
    { 0x1f1, 0x1f1, 2, 1 }, { 0x1f2, 0x1f4, 1, 2 }, { 0x1f6, 0x1f6, -97, 1 },
    { 0x1f7, 0x1f7, -56, 1 }, { 0x1f8, 0x21e, 1, 2 },
    { 0x220, 0x220, -130, 1 }, { 0x222, 0x232, 1, 2 },
    { 0x23a, 0x23a, 10795, 1 }, { 0x23b, 0x23b, 1, 1 },
    { 0x23d, 0x23d, -163, 1 }, { 0x23e, 0x23e, 10792, 1 },
    { 0x241, 0x241, 1, 1 }, { 0x243, 0x243, -195, 1 }, { 0x244, 0x244, 69, 1 },
    { 0x245, 0x245, 71, 1 }, { 0x246, 0x24e, 1, 2 }, { 0x370, 0x372, 1, 2 },
    { 0x376, 0x376, 1, 1 }, { 0x37f, 0x37f, 116, 1 }, { 0x386, 0x386, 38, 1 },
    { 0x388, 0x38a, 37, 1 }, { 0x38c, 0x38c, 64, 1 }, { 0x38e, 0x38f, 63, 1 },
    { 0x391, 0x3a1, 32, 1 }, { 0x3a3, 0x3ab, 32, 1 }, { 0x3cf, 0x3cf, 8, 1 },
    { 0x3d8, 0x3ee, 1, 2 }, { 0x3f4, 0x3f4, -60, 1 }, { 0x3f7, 0x3f7, 1, 1 },
    { 0x3f9, 0x3f9, -7, 1 }, { 0x3fa, 0x3fa, 1, 1 }, { 0x3fd, 0x3ff, -130, 1 },
    { 0x400, 0x40f, 80, 1 }, { 0x410, 0x42f, 32, 1 }, { 0x460, 0x480, 1, 2 },
    { 0x48a, 0x4be, 1, 2 }, { 0x4c0, 0x4c0, 15, 1 }, { 0x4c1, 0x4cd, 1, 2 },
    { 0x4d0, 0x52e, 1, 2 }, { 0x531, 0x556, 48, 1 },
    { 0x10a0, 0x10c5, 7264, 1 }, { 0x10c7, 0x10c7, 7264, 1 },
    { 0x10cd, 0x10cd, 7264, 1 }, { 0x13a0, 0x13ef, 38864, 1 },
    { 0x13f0, 0x13f5, 8, 1 }, { 0x1c89, 0x1c89, 1, 1 },
    { 0x1c90, 0x1cba, -3008, 1 }, { 0x1cbd, 0x1cbf, -3008, 1 },
    { 0x1e00, 0x1e94, 1, 2 }, { 0x1e9e, 0x1e9e, -7615, 1 },
    { 0x1ea0, 0x1efe, 1, 2 }, { 0x1f08, 0x1f0f, -8, 1 },
    { 0x1f18, 0x1f1d, -8, 1 }, { 0x1f28, 0x1f2f, -8, 1 },
    { 0x1f38, 0x1f3f, -8, 1 }, { 0x1f48, 0x1f4d, -8, 1 },
    { 0x1f59, 0x1f5f, -8, 2 }, { 0x1f68, 0x1f6f, -8, 1 },
    { 0x1f88, 0x1f8f, -8, 1 }, { 0x1f98, 0x1f9f, -8, 1 },
    { 0x1fa8, 0x1faf, -8, 1 }, { 0x1fb8, 0x1fb9, -8, 1 },
    { 0x1fba, 0x1fbb, -74, 1 }, { 0x1fbc, 0x1fbc, -9, 1 },
    { 0x1fc8, 0x1fcb, -86, 1 }, { 0x1fcc, 0x1fcc, -9, 1 },
    { 0x1fd8, 0x1fd9, -8, 1 }, { 0x1fda, 0x1fdb, -100, 1 },
    { 0x1fe8, 0x1fe9, -8, 1 }, { 0x1fea, 0x1feb, -112, 1 },
    { 0x1fec, 0x1fec, -7, 1 }, { 0x1ff8, 0x1ff9, -128, 1 },
    { 0x1ffa, 0x1ffb, -126, 1 }, { 0x1ffc, 0x1ffc, -9, 1 },
    { 0x2126, 0x2126, -7517, 1 }, { 0x212a, 0x212a, -8383, 1 },
    { 0x212b, 0x212b, -8262, 1 }, { 0x2132, 0x2132, 28, 1 },
    { 0x2160, 0x216f, 16, 1 }, { 0x2183, 0x2183, 1, 1 },
    { 0x24b6, 0x24cf, 26, 1 }, { 0x2c00, 0x2c2f, 48, 1 },
    { 0x2c60, 0x2c60, 1, 1 }, { 0x2c62, 0x2c62, -10743, 1 },
    { 0x2c63, 0x2c63, -3814, 1 }, { 0x2c64, 0x2c64, -10727, 1 },
    { 0x2c67, 0x2c6b, 1, 2 }, { 0x2c6d, 0x2c6d, -10780, 1 },
    { 0x2c6e, 0x2c6e, -10749, 1 }, { 0x2c6f, 0x2c6f, -10783, 1 },
    { 0x2c70, 0x2c70, -10782, 1 }, { 0x2c72, 0x2c72, 1, 1 },
    { 0x2c75, 0x2c75, 1, 1 }, { 0x2c7e, 0x2c7f, -10815, 1 },
    { 0x2c80, 0x2ce2, 1, 2 }, { 0x2ceb, 0x2ced, 1, 2 },
    { 0x2cf2, 0x2cf2, 1, 1 }, { 0xa640, 0xa66c, 1, 2 },
    { 0xa680, 0xa69a, 1, 2 }, { 0xa722, 0xa72e, 1, 2 },
    { 0xa732, 0xa76e, 1, 2 }, { 0xa779, 0xa77b, 1, 2 },
    { 0xa77d, 0xa77d, -35332, 1 }, { 0xa77e, 0xa786, 1, 2 },
    { 0xa78b, 0xa78b, 1, 1 }, { 0xa78d, 0xa78d, -42280, 1 },
    { 0xa790, 0xa792, 1, 2 }, { 0xa796, 0xa7a8, 1, 2 },
    { 0xa7aa, 0xa7aa, -42308, 1 }, { 0xa7ab, 0xa7ab, -42319, 1 },
    { 0xa7ac, 0xa7ac, -42315, 1 }, { 0xa7ad, 0xa7ad, -42305, 1 },
    { 0xa7ae, 0xa7ae, -42308, 1 }, { 0xa7b0, 0xa7b0, -42258, 1 },
    { 0xa7b1, 0xa7b1, -42282, 1 }, { 0xa7b2, 0xa7b2, -42261, 1 },
    { 0xa7b3, 0xa7b3, 928, 1 }, { 0xa7b4, 0xa7c2, 1, 2 },
    { 0xa7c4, 0xa7c4, -48, 1 }, { 0xa7c5, 0xa7c5, -42307, 1 },
    { 0xa7c6, 0xa7c6, -35384, 1 }, { 0xa7c7, 0xa7c9, 1, 2 },
    { 0xa7cb, 0xa7cb, -42343, 1 }, { 0xa7cc, 0xa7da, 1, 2 },
    { 0xa7dc, 0xa7dc, -42561, 1 }, { 0xa7f5, 0xa7f5, 1, 1 },
    { 0xff21, 0xff3a, 32, 1 }, { 0x10400, 0x10427, 40, 1 },
    { 0x104b0, 0x104d3, 40, 1 }, { 0x10570, 0x1057a, 39, 1 },
    { 0x1057c, 0x1058a, 39, 1 }, { 0x1058c, 0x10592, 39, 1 },
    { 0x10594, 0x10595, 39, 1 }, { 0x10c80, 0x10cb2, 64, 1 },
    { 0x10d50, 0x10d65, 32, 1 }, { 0x118a0, 0x118bf, 32, 1 },
    { 0x16e40, 0x16e5f, 32, 1 }, { 0x16ea0, 0x16eb8, 27, 1 },
    { 0x1e900, 0x1e921, 34, 1 },
};

static const um_case_multi_t  um_lower_multi[] = {
    { 0x130, "\x69\xcc\x87" },
};

static const um_case_run_t  um_upper_runs[] = {
    { 0x61, 0x7a, -32, 1 }, { 0xb5, 0xb5, 743, 1 }, { 0xe0, 0xf6, -32, 1 },
    { 0xf8, 0xfe, -32, 1 }, { 0xff, 0xff, 121, 1 }, { 0x101, 0x12f, -1, 2 },
    { 0x131, 0x131, -232, 1 }, { 0x133, 0x137, -1, 2 },
    { 0x13a, 0x148, -1, 2 }, { 0x14b, 0x177, -1, 2 }, { 0x17a, 0x17e, -1, 2 },
    { 0x17f, 0x17f, -300, 1 }, { 0x180, 0x180, 195, 1 },
    { 0x183, 0x185, -1, 2 }, { 0x188, 0x188, -1, 1 }, { 0x18c, 0x18c, -1, 1 },
    { 0x192, 0x192, -1, 1 }, { 0x195, 0x195, 97, 1 }, { 0x199, 0x199, -1, 1 },
    { 0x19a, 0x19a, 163, 1 }, { 0x19b, 0x19b, 42561, 1 },
    { 0x19e, 0x19e, 130, 1 }, { 0x1a1, 0x1a5, -1, 2 }, { 0x1a8, 0x1a8, -1, 1 },
    { 0x1ad, 0x1ad, -1, 1 }, { 0x1b0, 0x1b0, -1, 1 }, { 0x1b4, 0x1b6, -1, 2 },
    { 0x1b9, 0x1b9, -1, 1 }, { 0x1bd, 0x1bd, -1, 1 }, { 0x1bf, 0x1bf, 56, 1 },
    { 0x1c5, 0x1c5, -1, 1 }, { 0x1c6, 0x1c6, -2, 1 }, { 0x1c8, 0x1c8, -1, 1 },
    { 0x1c9, 0x1c9, -2, 1 }, { 0x1cb, 0x1cb, -1, 1 }, { 0x1cc, 0x1cc, -2, 1 },
    { 0x1ce, 0x1dc, -1, 2 }, { 0x1dd, 0x1dd, -79, 1 }, { 0x1df, 0x1ef, -1, 2 },
    { 0x1f2, 0x1f2, -1, 1 }, { 0x1f3, 0x1f3, -2, 1 }, { 0x1f5, 0x1f5, -1, 1 },
    { 0x1f9, 0x21f, -1, 2 }, { 0x223, 0x233, -1, 2 }, { 0x23c, 0x23c, -1, 1 },
    { 0x23f, 0x240, 10815, 1 }, { 0x242, 0x242, -1, 1 },
    { 0x247, 0x24f, -1, 2 }, { 0x250, 0x250, 10783, 1 },
    { 0x251, 0x251, 10780, 1 }, { 0x252, 0x252, 10782, 1 },
    { 0x253, 0x253, -210, 1 }, { 0x254, 0x254, -206, 1 },
    { 0x256, 0x257, -205, 1 }, { 0x259, 0x259, -202, 1 },
    { 0x25b, 0x25b, -203, 1 }, { 0x25c, 0x25c, 42319, 1 },
    { 0x260, 0x260, -205, 1 }, { 0x261, 0x261, 42315, 1 },
    { 0x263, 0x263, -207, 1 }, { 0x264, 0x264, 42343, 1 },
    { 0x265, 0x265, 42280, 1 }, { 0x266, 0x266, 42308, 1 },
    { 0x268, 0x268, -209, 1 }, { 0x269, 0x269, -211, 1 },
    { 0x26a, 0x26a, 42308, 1 }, { 0x26b, 0x26b, 10743, 1 },
    { 0x26c, 0x26c, 42305, 1 }, { 0x26f, 0x26f, -211, 1 },
    { 0x271, 0x271, 10749, 1 }, { 0x272, 0x272, -213, 1 },
    { 0x275, 0x275, -214, 1 }, { 0x27d, 0x27d, 10727, 1 },
    { 0x280, 0x280, -218, 1 }, { 0x282, 0x282, 42307, 1 },
    { 0x283, 0x283, -218, 1 }, { 0x287, 0x287, 42282, 1 },
    { 0x288, 0x288, -218, 1 }, { 0x289, 0x289, -69, 1 },
    { 0x28a, 0x28b, -217, 1 }, { 0x28c, 0x28c, -71, 1 },
    { 0x292, 0x292, -219, 1 }, { 0x29d, 0x29d, 42261, 1 },
    { 0x29e, 0x29e, 42258, 1 }, { 0x345, 0x345, 84, 1 },
    { 0x371, 0x373, -1, 2 }, { 0x377, 0x377, -1, 1 }, { 0x37b, 0x37d, 130, 1 },
    { 0x3ac, 0x3ac, -38, 1 }, { 0x3ad, 0x3af, -37, 1 },
    { 0x3b1, 0x3c1, -32, 1 }, { 0x3c2, 0x3c2, -31, 1 },
    { 0x3c3, 0x3cb, -32, 1 }, { 0x3cc, 0x3cc, -64, 1 },
    { 0x3cd, 0x3ce, -63, 1 }, { 0x3d0, 0x3d0, -62, 1 },
    { 0x3d1, 0x3d1, -57, 1 }, { 0x3d5, 0x3d5, -47, 1 },
    { 0x3d6, 0x3d6, -54, 1 }, { 0x3d7, 0x3d7, -8, 1 }, { 0x3d9, 0x3ef, -1, 2 },
    { 0x3f0, 0x3f0, -86, 1 }, { 0x3f1, 0x3f1, -80, 1 }, { 0x3f2, 0x3f2, 7, 1 },
    { 0x3f3, 0x3f3, -116, 1 }, { 0x3f5, 0x3f5, -96, 1 },
    { 0x3f8, 0x3f8, -1, 1 }, { 0x3fb, 0x3fb, -1, 1 }, { 0x430, 0x44f, -32, 1 },
    { 0x450, 0x45f, -80, 1 }, { 0x461, 0x481, -1, 2 }, { 0x48b, 0x4bf, -1, 2 },
    { 0x4c2, 0x4ce, -1, 2 }, { 0x4cf, 0x4cf, -15, 1 }, { 0x4d1, 0x52f, -1, 2 },
    { 0x561, 0x586, -48, 1 }, { 0x10d0, 0x10fa, 3008, 1 },
    { 0x10fd, 0x10ff, 3008, 1 }, { 0x13f8, 0x13fd, -8, 1 },
    { 0x1c80, 0x1c80, -6254, 1 }, { 0x1c81, 0x1c81, -6253, 1 },
    { 0x1c82, 0x1c82, -6244, 1 }, { 0x1c83, 0x1c84, -6242, 1 },
    { 0x1c85, 0x1c85, -6243, 1 }, { 0x1c86, 0x1c86, -6236, 1 },
    { 0x1c87, 0x1c87, -6181, 1 }, { 0x1c88, 0x1c88, 35266, 1 },
    { 0x1c8a, 0x1c8a, -1, 1 }, { 0x1d79, 0x1d79, 35332, 1 },
    { 0x1d7d, 0x1d7d, 3814, 1 }, { 0x1d8e, 0x1d8e, 35384, 1 },
    { 0x1e01, 0x1e95, -1, 2 }, { 0x1e9b, 0x1e9b, -59, 1 },
    { 0x1ea1, 0x1eff, -1, 2 }, { 0x1f00, 0x1f07, 8, 1 },
    { 0x1f10, 0x1f15, 8, 1 }, { 0x1f20, 0x1f27, 8, 1 },
    { 0x1f30, 0x1f37, 8, 1 }, { 0x1f40, 0x1f45, 8, 1 },
    { 0x1f51, 0x1f57, 8, 2 }, { 0x1f60, 0x1f67, 8, 1 },
    { 0x1f70, 0x1f71, 74, 1 }, { 0x1f72, 0x1f75, 86, 1 },
    { 0x1f76, 0x1f77, 100, 1 }, { 0x1f78, 0x1f79, 128, 1 },
    { 0x1f7a, 0x1f7b, 112, 1 }, { 0x1f7c, 0x1f7d, 126, 1 },
    { 0x1fb0, 0x1fb1, 8, 1 }, { 0x1fbe, 0x1fbe, -7205, 1 },
    { 0x1fd0, 0x1fd1, 8, 1 }, { 0x1fe0, 0x1fe1, 8, 1 },
    { 0x1fe5, 0x1fe5, 7, 1 }, { 0x214e, 0x214e, -28, 1 },
    { 0x2170, 0x217f, -16, 1 }, { 0x2184, 0x2184, -1, 1 },
    { 0x24d0, 0x24e9, -26, 1 }, { 0x2c30, 0x2c5f, -48, 1 },
    { 0x2c61, 0x2c61, -1, 1 }, { 0x2c65, 0x2c65, -10795, 1 },
    { 0x2c66, 0x2c66, -10792, 1 }, { 0x2c68, 0x2c6c, -1, 2 },
    { 0x2c73, 0x2c73, -1, 1 }, { 0x2c76, 0x2c76, -1, 1 },
    { 0x2c81, 0x2ce3, -1, 2 }, { 0x2cec, 0x2cee, -1, 2 },
    { 0x2cf3, 0x2cf3, -1, 1 }, { 0x2d00, 0x2d25, -7264, 1 },
    { 0x2d27, 0x2d27, -7264, 1 }, { 0x2d2d, 0x2d2d, -7264, 1 },
    { 0xa641, 0xa66d, -1, 2 }, { 0xa681, 0xa69b, -1, 2 },
    { 0xa723, 0xa72f, -1, 2 }, { 0xa733, 0xa76f, -1, 2 },
    { 0xa77a, 0xa77c, -1, 2 }, { 0xa77f, 0xa787, -1, 2 },
    { 0xa78c, 0xa78c, -1, 1 }, { 0xa791, 0xa793, -1, 2 },
    { 0xa794, 0xa794, 48, 1 }, { 0xa797, 0xa7a9, -1, 2 },
    { 0xa7b5, 0xa7c3, -1, 2 }, { 0xa7c8, 0xa7ca, -1, 2 },
    { 0xa7cd, 0xa7db, -1, 2 }, { 0xa7f6, 0xa7f6, -1, 1 },
    { 0xab53, 0xab53, -928, 1 }, { 0xab70, 0xabbf, -38864, 1 },
    { 0xff41, 0xff5a, -32, 1 }, { 0x10428, 0x1044f, -40, 1 },
    { 0x104d8, 0x104fb, -40, 1 }, { 0x10597, 0x105a1, -39, 1 },
    { 0x105a3, 0x105b1, -39, 1 }, { 0x105b3, 0x105b9, -39, 1 },
    { 0x105bb, 0x105bc, -39, 1 }, { 0x10cc0, 0x10cf2, -64, 1 },
    { 0x10d70, 0x10d85, -32, 1 }, { 0x118c0, 0x118df, -32, 1 },
    { 0x16e60, 0x16e7f, -32, 1 }, { 0x16ebb, 0x16ed3, -27, 1 },
    { 0x1e922, 0x1e943, -34, 1 },
};

static const um_case_multi_t  um_upper_multi[] = {
    { 0xdf, "\x53\x53" },
    { 0x149, "\xca\xbc\x4e" },
    { 0x1f0, "\x4a\xcc\x8c" },
    { 0x390, "\xce\x99\xcc\x88\xcc\x81" },
    { 0x3b0, "\xce\xa5\xcc\x88\xcc\x81" },
    { 0x587, "\xd4\xb5\xd5\x92" },
    { 0x1e96, "\x48\xcc\xb1" },
    { 0x1e97, "\x54\xcc\x88" },
    { 0x1e98, "\x57\xcc\x8a" },
    { 0x1e99, "\x59\xcc\x8a" },
    { 0x1e9a, "\x41\xca\xbe" },
    { 0x1f50, "\xce\xa5\xcc\x93" },
    { 0x1f52, "\xce\xa5\xcc\x93\xcc\x80" },
    { 0x1f54, "\xce\xa5\xcc\x93\xcc\x81" },
    { 0x1f56, "\xce\xa5\xcc\x93\xcd\x82" },
    { 0x1f80, "\xe1\xbc\x88\xce\x99" },
    { 0x1f81, "\xe1\xbc\x89\xce\x99" },
    { 0x1f82, "\xe1\xbc\x8a\xce\x99" },
    { 0x1f83, "\xe1\xbc\x8b\xce\x99" },
    { 0x1f84, "\xe1\xbc\x8c\xce\x99" },
    { 0x1f85, "\xe1\xbc\x8d\xce\x99" },
    { 0x1f86, "\xe1\xbc\x8e\xce\x99" },
    { 0x1f87, "\xe1\xbc\x8f\xce\x99" },
    { 0x1f88, "\xe1\xbc\x88\xce\x99" },
    { 0x1f89, "\xe1\xbc\x89\xce\x99" },
    { 0x1f8a, "\xe1\xbc\x8a\xce\x99" },
    { 0x1f8b, "\xe1\xbc\x8b\xce\x99" },
    { 0x1f8c, "\xe1\xbc\x8c\xce\x99" },
    { 0x1f8d, "\xe1\xbc\x8d\xce\x99" },
    { 0x1f8e, "\xe1\xbc\x8e\xce\x99" },
    { 0x1f8f, "\xe1\xbc\x8f\xce\x99" },
    { 0x1f90, "\xe1\xbc\xa8\xce\x99" },
    { 0x1f91, "\xe1\xbc\xa9\xce\x99" },
    { 0x1f92, "\xe1\xbc\xaa\xce\x99" },
    { 0x1f93, "\xe1\xbc\xab\xce\x99" },
    { 0x1f94, "\xe1\xbc\xac\xce\x99" },
    { 0x1f95, "\xe1\xbc\xad\xce\x99" },
    { 0x1f96, "\xe1\xbc\xae\xce\x99" },
    { 0x1f97, "\xe1\xbc\xaf\xce\x99" },
    { 0x1f98, "\xe1\xbc\xa8\xce\x99" },
    { 0x1f99, "\xe1\xbc\xa9\xce\x99" },
    { 0x1f9a, "\xe1\xbc\xaa\xce\x99" },
    { 0x1f9b, "\xe1\xbc\xab\xce\x99" },
    { 0x1f9c, "\xe1\xbc\xac\xce\x99" },
    { 0x1f9d, "\xe1\xbc\xad\xce\x99" },
    { 0x1f9e, "\xe1\xbc\xae\xce\x99" },
    { 0x1f9f, "\xe1\xbc\xaf\xce\x99" },
    { 0x1fa0, "\xe1\xbd\xa8\xce\x99" },
    { 0x1fa1, "\xe1\xbd\xa9\xce\x99" },
    { 0x1fa2, "\xe1\xbd\xaa\xce\x99" },
    { 0x1fa3, "\xe1\xbd\xab\xce\x99" },
    { 0x1fa4, "\xe1\xbd\xac\xce\x99" },
    { 0x1fa5, "\xe1\xbd\xad\xce\x99" },
    { 0x1fa6, "\xe1\xbd\xae\xce\x99" },
    { 0x1fa7, "\xe1\xbd\xaf\xce\x99" },
    { 0x1fa8, "\xe1\xbd\xa8\xce\x99" },
    { 0x1fa9, "\xe1\xbd\xa9\xce\x99" },
    { 0x1faa, "\xe1\xbd\xaa\xce\x99" },
    { 0x1fab, "\xe1\xbd\xab\xce\x99" },
    { 0x1fac, "\xe1\xbd\xac\xce\x99" },
    { 0x1fad, "\xe1\xbd\xad\xce\x99" },
    { 0x1fae, "\xe1\xbd\xae\xce\x99" },
    { 0x1faf, "\xe1\xbd\xaf\xce\x99" },
    { 0x1fb2, "\xe1\xbe\xba\xce\x99" },
    { 0x1fb3, "\xce\x91\xce\x99" },
    { 0x1fb4, "\xce\x86\xce\x99" },
    { 0x1fb6, "\xce\x91\xcd\x82" },
    { 0x1fb7, "\xce\x91\xcd\x82\xce\x99" },
    { 0x1fbc, "\xce\x91\xce\x99" },
    { 0x1fc2, "\xe1\xbf\x8a\xce\x99" },
    { 0x1fc3, "\xce\x97\xce\x99" },
    { 0x1fc4, "\xce\x89\xce\x99" },
    { 0x1fc6, "\xce\x97\xcd\x82" },
    { 0x1fc7, "\xce\x97\xcd\x82\xce\x99" },
    { 0x1fcc, "\xce\x97\xce\x99" },
    { 0x1fd2, "\xce\x99\xcc\x88\xcc\x80" },
    { 0x1fd3, "\xce\x99\xcc\x88\xcc\x81" },
    { 0x1fd6, "\xce\x99\xcd\x82" },
    { 0x1fd7, "\xce\x99\xcc\x88\xcd\x82" },
    { 0x1fe2, "\xce\xa5\xcc\x88\xcc\x80" },
    { 0x1fe3, "\xce\xa5\xcc\x88\xcc\x81" },
    { 0x1fe4, "\xce\xa1\xcc\x93" },
    { 0x1fe6, "\xce\xa5\xcd\x82" },
    { 0x1fe7, "\xce\xa5\xcc\x88\xcd\x82" },
    { 0x1ff2, "\xe1\xbf\xba\xce\x99" },
    { 0x1ff3, "\xce\xa9\xce\x99" },
    { 0x1ff4, "\xce\x8f\xce\x99" },
    { 0x1ff6, "\xce\xa9\xcd\x82" },
    { 0x1ff7, "\xce\xa9\xcd\x82\xce\x99" },
    { 0x1ffc, "\xce\xa9\xce\x99" },
    { 0xfb00, "\x46\x46" },
    { 0xfb01, "\x46\x49" },
    { 0xfb02, "\x46\x4c" },
    { 0xfb03, "\x46\x46\x49" },
    { 0xfb04, "\x46\x46\x4c" },
    { 0xfb05, "\x53\x54" },
    { 0xfb06, "\x53\x54" },
    { 0xfb13, "\xd5\x84\xd5\x86" },
    { 0xfb14, "\xd5\x84\xd4\xb5" },
    { 0xfb15, "\xd5\x84\xd4\xbb" },
    { 0xfb16, "\xd5\x8e\xd5\x86" },
    { 0xfb17, "\xd5\x84\xd4\xbd" },
};

static const um_range_t  um_cased[] = {
    { 0x41, 0x5a }, { 0x61, 0x7a }, { 0xaa, 0xaa }, { 0xb5, 0xb5 },
    { 0xba, 0xba }, { 0xc0, 0xd6 }, { 0xd8, 0xf6 }, { 0xf8, 0x1ba },
    { 0x1bc, 0x1bf }, { 0x1c4, 0x293 }, { 0x296, 0x2b8 }, { 0x2c0, 0x2c1 },
    { 0x2e0, 0x2e4 }, { 0x345, 0x345 }, { 0x370, 0x373 }, { 0x376, 0x377 },
    { 0x37a, 0x37d }, { 0x37f, 0x37f }, { 0x386, 0x386 }, { 0x388, 0x38a },
    { 0x38c, 0x38c }, { 0x38e, 0x3a1 }, { 0x3a3, 0x3f5 }, { 0x3f7, 0x481 },
    { 0x48a, 0x52f }, { 0x531, 0x556 }, { 0x560, 0x588 }, { 0x10a0, 0x10c5 },
    { 0x10c7, 0x10c7 }, { 0x10cd, 0x10cd }, { 0x10d0, 0x10fa },
    { 0x10fc, 0x10ff }, { 0x13a0, 0x13f5 }, { 0x13f8, 0x13fd },
    { 0x1c80, 0x1c8a }, { 0x1c90, 0x1cba }, { 0x1cbd, 0x1cbf },
    { 0x1d00, 0x1dbf }, { 0x1e00, 0x1f15 }, { 0x1f18, 0x1f1d },
    { 0x1f20, 0x1f45 }, { 0x1f48, 0x1f4d }, { 0x1f50, 0x1f57 },
    { 0x1f59, 0x1f59 }, { 0x1f5b, 0x1f5b }, { 0x1f5d, 0x1f5d },
    { 0x1f5f, 0x1f7d }, { 0x1f80, 0x1fb4 }, { 0x1fb6, 0x1fbc },
    { 0x1fbe, 0x1fbe }, { 0x1fc2, 0x1fc4 }, { 0x1fc6, 0x1fcc },
    { 0x1fd0, 0x1fd3 }, { 0x1fd6, 0x1fdb }, { 0x1fe0, 0x1fec },
    { 0x1ff2, 0x1ff4 }, { 0x1ff6, 0x1ffc }, { 0x2071, 0x2071 },
    { 0x207f, 0x207f }, { 0x2090, 0x209c }, { 0x2102, 0x2102 },
    { 0x2107, 0x2107 }, { 0x210a, 0x2113 }, { 0x2115, 0x2115 },
    { 0x2119, 0x211d }, { 0x2124, 0x2124 }, { 0x2126, 0x2126 },
    { 0x2128, 0x2128 }, { 0x212a, 0x212d }, { 0x212f, 0x2134 },
    { 0x2139, 0x2139 }, { 0x213c, 0x213f }, { 0x2145, 0x2149 },
    { 0x214e, 0x214e }, { 0x2160, 0x217f }, { 0x2183, 0x2184 },
    { 0x24b6, 0x24e9 }, { 0x2c00, 0x2ce4 }, { 0x2ceb, 0x2cee },
    { 0x2cf2, 0x2cf3 }, { 0x2d00, 0x2d25 }, { 0x2d27, 0x2d27 },
    { 0x2d2d, 0x2d2d }, { 0xa640, 0xa66d }, { 0xa680, 0xa69d },
    { 0xa722, 0xa787 }, { 0xa78b, 0xa78e }, { 0xa790, 0xa7dc },
    { 0xa7f1, 0xa7f6 }, { 0xa7f8, 0xa7fa }, { 0xab30, 0xab5a },
    { 0xab5c, 0xab69 }, { 0xab70, 0xabbf }, { 0xfb00, 0xfb06 },
    { 0xfb13, 0xfb17 }, { 0xff21, 0xff3a }, { 0xff41, 0xff5a },
    { 0x10400, 0x1044f }, { 0x104b0, 0x104d3 }, { 0x104d8, 0x104fb },
    { 0x10570, 0x1057a }, { 0x1057c, 0x1058a }, { 0x1058c, 0x10592 },
    { 0x10594, 0x10595 }, { 0x10597, 0x105a1 }, { 0x105a3, 0x105b1 },
    { 0x105b3, 0x105b9 }, { 0x105bb, 0x105bc }, { 0x10780, 0x10780 },
    { 0x10783, 0x10785 }, { 0x10787, 0x107b0 }, { 0x107b2, 0x107ba },
    { 0x10c80, 0x10cb2 }, { 0x10cc0, 0x10cf2 }, { 0x10d50, 0x10d65 },
    { 0x10d70, 0x10d85 }, { 0x118a0, 0x118df }, { 0x16e40, 0x16e7f },
    { 0x16ea0, 0x16eb8 }, { 0x16ebb, 0x16ed3 }, { 0x1d400, 0x1d454 },
    { 0x1d456, 0x1d49c }, { 0x1d49e, 0x1d49f }, { 0x1d4a2, 0x1d4a2 },
    { 0x1d4a5, 0x1d4a6 }, { 0x1d4a9, 0x1d4ac }, { 0x1d4ae, 0x1d4b9 },
    { 0x1d4bb, 0x1d4bb }, { 0x1d4bd, 0x1d4c3 }, { 0x1d4c5, 0x1d505 },
    { 0x1d507, 0x1d50a }, { 0x1d50d, 0x1d514 }, { 0x1d516, 0x1d51c },
    { 0x1d51e, 0x1d539 }, { 0x1d53b, 0x1d53e }, { 0x1d540, 0x1d544 },
    { 0x1d546, 0x1d546 }, { 0x1d54a, 0x1d550 }, { 0x1d552, 0x1d6a5 },
    { 0x1d6a8, 0x1d6c0 }, { 0x1d6c2, 0x1d6da }, { 0x1d6dc, 0x1d6fa },
    { 0x1d6fc, 0x1d714 }, { 0x1d716, 0x1d734 }, { 0x1d736, 0x1d74e },
    { 0x1d750, 0x1d76e }, { 0x1d770, 0x1d788 }, { 0x1d78a, 0x1d7a8 },
    { 0x1d7aa, 0x1d7c2 }, { 0x1d7c4, 0x1d7cb }, { 0x1df00, 0x1df09 },
    { 0x1df0b, 0x1df1e }, { 0x1df25, 0x1df2a }, { 0x1e030, 0x1e06d },
    { 0x1e900, 0x1e943 }, { 0x1f130, 0x1f149 }, { 0x1f150, 0x1f169 },
    { 0x1f170, 0x1f189 },
};

static const um_range_t  um_case_ignorable[] = {
    { 0x27, 0x27 }, { 0x2e, 0x2e }, { 0x3a, 0x3a }, { 0x5e, 0x5e },
    { 0x60, 0x60 }, { 0xa8, 0xa8 }, { 0xad, 0xad }, { 0xaf, 0xaf },
    { 0xb4, 0xb4 }, { 0xb7, 0xb8 }, { 0x2b0, 0x36f }, { 0x374, 0x375 },
    { 0x37a, 0x37a }, { 0x384, 0x385 }, { 0x387, 0x387 }, { 0x483, 0x489 },
    { 0x559, 0x559 }, { 0x55f, 0x55f }, { 0x591, 0x5bd }, { 0x5bf, 0x5bf },
    { 0x5c1, 0x5c2 }, { 0x5c4, 0x5c5 }, { 0x5c7, 0x5c7 }, { 0x5f4, 0x5f4 },
    { 0x600, 0x605 }, { 0x610, 0x61a }, { 0x61c, 0x61c }, { 0x640, 0x640 },
    { 0x64b, 0x65f }, { 0x670, 0x670 }, { 0x6d6, 0x6dd }, { 0x6df, 0x6e8 },
    { 0x6ea, 0x6ed }, { 0x70f, 0x70f }, { 0x711, 0x711 }, { 0x730, 0x74a },
    { 0x7a6, 0x7b0 }, { 0x7eb, 0x7f5 }, { 0x7fa, 0x7fa }, { 0x7fd, 0x7fd },
    { 0x816, 0x82d }, { 0x859, 0x85b }, { 0x888, 0x888 }, { 0x890, 0x891 },
    { 0x897, 0x89f }, { 0x8c9, 0x902 }, { 0x93a, 0x93a }, { 0x93c, 0x93c },
    { 0x941, 0x948 }, { 0x94d, 0x94d }, { 0x951, 0x957 }, { 0x962, 0x963 },
    { 0x971, 0x971 }, { 0x981, 0x981 }, { 0x9bc, 0x9bc }, { 0x9c1, 0x9c4 },
    { 0x9cd, 0x9cd }, { 0x9e2, 0x9e3 }, { 0x9fe, 0x9fe }, { 0xa01, 0xa02 },
    { 0xa3c, 0xa3c }, { 0xa41, 0xa42 }, { 0xa47, 0xa48 }, { 0xa4b, 0xa4d },
    { 0xa51, 0xa51 }, { 0xa70, 0xa71 }, { 0xa75, 0xa75 }, { 0xa81, 0xa82 },
    { 0xabc, 0xabc }, { 0xac1, 0xac5 }, { 0xac7, 0xac8 }, { 0xacd, 0xacd },
    { 0xae2, 0xae3 }, { 0xafa, 0xaff }, { 0xb01, 0xb01 }, { 0xb3c, 0xb3c },
    { 0xb3f, 0xb3f }, { 0xb41, 0xb44 }, { 0xb4d, 0xb4d }, { 0xb55, 0xb56 },
    { 0xb62, 0xb63 }, { 0xb82, 0xb82 }, { 0xbc0, 0xbc0 }, { 0xbcd, 0xbcd },
    { 0xc00, 0xc00 }, { 0xc04, 0xc04 }, { 0xc3c, 0xc3c }, { 0xc3e, 0xc40 },
    { 0xc46, 0xc48 }, { 0xc4a, 0xc4d }, { 0xc55, 0xc56 }, { 0xc62, 0xc63 },
    { 0xc81, 0xc81 }, { 0xcbc, 0xcbc }, { 0xcbf, 0xcbf }, { 0xcc6, 0xcc6 },
    { 0xccc, 0xccd }, { 0xce2, 0xce3 }, { 0xd00, 0xd01 }, { 0xd3b, 0xd3c },
    { 0xd41, 0xd44 }, { 0xd4d, 0xd4d }, { 0xd62, 0xd63 }, { 0xd81, 0xd81 },
    { 0xdca, 0xdca }, { 0xdd2, 0xdd4 }, { 0xdd6, 0xdd6 }, { 0xe31, 0xe31 },
    { 0xe34, 0xe3a }, { 0xe46, 0xe4e }, { 0xeb1, 0xeb1 }, { 0xeb4, 0xebc },
    { 0xec6, 0xec6 }, { 0xec8, 0xece }, { 0xf18, 0xf19 }, { 0xf35, 0xf35 },
    { 0xf37, 0xf37 }, { 0xf39, 0xf39 }, { 0xf71, 0xf7e }, { 0xf80, 0xf84 },
    { 0xf86, 0xf87 }, { 0xf8d, 0xf97 }, { 0xf99, 0xfbc }, { 0xfc6, 0xfc6 },
    { 0x102d, 0x1030 }, { 0x1032, 0x1037 }, { 0x1039, 0x103a },
    { 0x103d, 0x103e }, { 0x1058, 0x1059 }, { 0x105e, 0x1060 },
    { 0x1071, 0x1074 }, { 0x1082, 0x1082 }, { 0x1085, 0x1086 },
    { 0x108d, 0x108d }, { 0x109d, 0x109d }, { 0x10fc, 0x10fc },
    { 0x135d, 0x135f }, { 0x1712, 0x1714 }, { 0x1732, 0x1733 },
    { 0x1752, 0x1753 }, { 0x1772, 0x1773 }, { 0x17b4, 0x17b5 },
    { 0x17b7, 0x17bd }, { 0x17c6, 0x17c6 }, { 0x17c9, 0x17d3 },
    { 0x17d7, 0x17d7 }, { 0x17dd, 0x17dd }, { 0x180b, 0x180f },
    { 0x1843, 0x1843 }, { 0x1885, 0x1886 }, { 0x18a9, 0x18a9 },
    { 0x1920, 0x1922 }, { 0x1927, 0x1928 }, { 0x1932, 0x1932 },
    { 0x1939, 0x193b }, { 0x1a17, 0x1a18 }, { 0x1a1b, 0x1a1b },
    { 0x1a56, 0x1a56 }, { 0x1a58, 0x1a5e }, { 0x1a60, 0x1a60 },
    { 0x1a62, 0x1a62 }, { 0x1a65, 0x1a6c }, { 0x1a73, 0x1a7c },
    { 0x1a7f, 0x1a7f }, { 0x1aa7, 0x1aa7 }, { 0x1ab0, 0x1add },
    { 0x1ae0, 0x1aeb }, { 0x1b00, 0x1b03 }, { 0x1b34, 0x1b34 },
    { 0x1b36, 0x1b3a }, { 0x1b3c, 0x1b3c }, { 0x1b42, 0x1b42 },
    { 0x1b6b, 0x1b73 }, { 0x1b80, 0x1b81 }, { 0x1ba2, 0x1ba5 },
    { 0x1ba8, 0x1ba9 }, { 0x1bab, 0x1bad }, { 0x1be6, 0x1be6 },
    { 0x1be8, 0x1be9 }, { 0x1bed, 0x1bed }, { 0x1bef, 0x1bf1 },
    { 0x1c2c, 0x1c33 }, { 0x1c36, 0x1c37 }, { 0x1c78, 0x1c7d },
    { 0x1cd0, 0x1cd2 }, { 0x1cd4, 0x1ce0 }, { 0x1ce2, 0x1ce8 },
    { 0x1ced, 0x1ced }, { 0x1cf4, 0x1cf4 }, { 0x1cf8, 0x1cf9 },
    { 0x1d2c, 0x1d6a }, { 0x1d78, 0x1d78 }, { 0x1d9b, 0x1dff },
    { 0x1fbd, 0x1fbd }, { 0x1fbf, 0x1fc1 }, { 0x1fcd, 0x1fcf },
    { 0x1fdd, 0x1fdf }, { 0x1fed, 0x1fef }, { 0x1ffd, 0x1ffe },
    { 0x200b, 0x200f }, { 0x2018, 0x2019 }, { 0x2024, 0x2024 },
    { 0x2027, 0x2027 }, { 0x202a, 0x202e }, { 0x2060, 0x2064 },
    { 0x2066, 0x206f }, { 0x2071, 0x2071 }, { 0x207f, 0x207f },
    { 0x2090, 0x209c }, { 0x20d0, 0x20f0 }, { 0x2c7c, 0x2c7d },
    { 0x2cef, 0x2cf1 }, { 0x2d6f, 0x2d6f }, { 0x2d7f, 0x2d7f },
    { 0x2de0, 0x2dff }, { 0x2e2f, 0x2e2f }, { 0x3005, 0x3005 },
    { 0x302a, 0x302d }, { 0x3031, 0x3035 }, { 0x303b, 0x303b },
    { 0x3099, 0x309e }, { 0x30fc, 0x30fe }, { 0xa015, 0xa015 },
    { 0xa4f8, 0xa4fd }, { 0xa60c, 0xa60c }, { 0xa66f, 0xa672 },
    { 0xa674, 0xa67d }, { 0xa67f, 0xa67f }, { 0xa69c, 0xa69f },
    { 0xa6f0, 0xa6f1 }, { 0xa700, 0xa721 }, { 0xa770, 0xa770 },
    { 0xa788, 0xa78a }, { 0xa7f1, 0xa7f4 }, { 0xa7f8, 0xa7f9 },
    { 0xa802, 0xa802 }, { 0xa806, 0xa806 }, { 0xa80b, 0xa80b },
    { 0xa825, 0xa826 }, { 0xa82c, 0xa82c }, { 0xa8c4, 0xa8c5 },
    { 0xa8e0, 0xa8f1 }, { 0xa8ff, 0xa8ff }, { 0xa926, 0xa92d },
    { 0xa947, 0xa951 }, { 0xa980, 0xa982 }, { 0xa9b3, 0xa9b3 },
    { 0xa9b6, 0xa9b9 }, { 0xa9bc, 0xa9bd }, { 0xa9cf, 0xa9cf },
    { 0xa9e5, 0xa9e6 }, { 0xaa29, 0xaa2e }, { 0xaa31, 0xaa32 },
    { 0xaa35, 0xaa36 }, { 0xaa43, 0xaa43 }, { 0xaa4c, 0xaa4c },
    { 0xaa70, 0xaa70 }, { 0xaa7c, 0xaa7c }, { 0xaab0, 0xaab0 },
    { 0xaab2, 0xaab4 }, { 0xaab7, 0xaab8 }, { 0xaabe, 0xaabf },
    { 0xaac1, 0xaac1 }, { 0xaadd, 0xaadd }, { 0xaaec, 0xaaed },
    { 0xaaf3, 0xaaf4 }, { 0xaaf6, 0xaaf6 }, { 0xab5b, 0xab5f },
    { 0xab69, 0xab6b }, { 0xabe5, 0xabe5 }, { 0xabe8, 0xabe8 },
    { 0xabed, 0xabed }, { 0xfb1e, 0xfb1e }, { 0xfbb2, 0xfbc2 },
    { 0xfe00, 0xfe0f }, { 0xfe13, 0xfe13 }, { 0xfe20, 0xfe2f },
    { 0xfe52, 0xfe52 }, { 0xfe55, 0xfe55 }, { 0xfeff, 0xfeff },
    { 0xff07, 0xff07 }, { 0xff0e, 0xff0e }, { 0xff1a, 0xff1a },
    { 0xff3e, 0xff3e }, { 0xff40, 0xff40 }, { 0xff70, 0xff70 },
    { 0xff9e, 0xff9f }, { 0xffe3, 0xffe3 }, { 0xfff9, 0xfffb },
    { 0x101fd, 0x101fd }, { 0x102e0, 0x102e0 }, { 0x10376, 0x1037a },
    { 0x10780, 0x10785 }, { 0x10787, 0x107b0 }, { 0x107b2, 0x107ba },
    { 0x10a01, 0x10a03 }, { 0x10a05, 0x10a06 }, { 0x10a0c, 0x10a0f },
    { 0x10a38, 0x10a3a }, { 0x10a3f, 0x10a3f }, { 0x10ae5, 0x10ae6 },
    { 0x10d24, 0x10d27 }, { 0x10d4e, 0x10d4e }, { 0x10d69, 0x10d6d },
    { 0x10d6f, 0x10d6f }, { 0x10eab, 0x10eac }, { 0x10ec5, 0x10ec5 },
    { 0x10efa, 0x10eff }, { 0x10f46, 0x10f50 }, { 0x10f82, 0x10f85 },
    { 0x11001, 0x11001 }, { 0x11038, 0x11046 }, { 0x11070, 0x11070 },
    { 0x11073, 0x11074 }, { 0x1107f, 0x11081 }, { 0x110b3, 0x110b6 },
    { 0x110b9, 0x110ba }, { 0x110bd, 0x110bd }, { 0x110c2, 0x110c2 },
    { 0x110cd, 0x110cd }, { 0x11100, 0x11102 }, { 0x11127, 0x1112b },
    { 0x1112d, 0x11134 }, { 0x11173, 0x11173 }, { 0x11180, 0x11181 },
    { 0x111b6, 0x111be }, { 0x111c9, 0x111cc }, { 0x111cf, 0x111cf },
    { 0x1122f, 0x11231 }, { 0x11234, 0x11234 }, { 0x11236, 0x11237 },
    { 0x1123e, 0x1123e }, { 0x11241, 0x11241 }, { 0x112df, 0x112df },
    { 0x112e3, 0x112ea }, { 0x11300, 0x11301 }, { 0x1133b, 0x1133c },
    { 0x11340, 0x11340 }, { 0x11366, 0x1136c }, { 0x11370, 0x11374 },
    { 0x113bb, 0x113c0 }, { 0x113ce, 0x113ce }, { 0x113d0, 0x113d0 },
    { 0x113d2, 0x113d2 }, { 0x113e1, 0x113e2 }, { 0x11438, 0x1143f },
    { 0x11442, 0x11444 }, { 0x11446, 0x11446 }, { 0x1145e, 0x1145e },
    { 0x114b3, 0x114b8 }, { 0x114ba, 0x114ba }, { 0x114bf, 0x114c0 },
    { 0x114c2, 0x114c3 }, { 0x115b2, 0x115b5 }, { 0x115bc, 0x115bd },
    { 0x115bf, 0x115c0 }, { 0x115dc, 0x115dd }, { 0x11633, 0x1163a },
    { 0x1163d, 0x1163d }, { 0x1163f, 0x11640 }, { 0x116ab, 0x116ab },
    { 0x116ad, 0x116ad }, { 0x116b0, 0x116b5 }, { 0x116b7, 0x116b7 },
    { 0x1171d, 0x1171d }, { 0x1171f, 0x1171f }, { 0x11722, 0x11725 },
    { 0x11727, 0x1172b }, { 0x1182f, 0x11837 }, { 0x11839, 0x1183a },
    { 0x1193b, 0x1193c }, { 0x1193e, 0x1193e }, { 0x11943, 0x11943 },
    { 0x119d4, 0x119d7 }, { 0x119da, 0x119db }, { 0x119e0, 0x119e0 },
    { 0x11a01, 0x11a0a }, { 0x11a33, 0x11a38 }, { 0x11a3b, 0x11a3e },
    { 0x11a47, 0x11a47 }, { 0x11a51, 0x11a56 }, { 0x11a59, 0x11a5b },
    { 0x11a8a, 0x11a96 }, { 0x11a98, 0x11a99 }, { 0x11b60, 0x11b60 },
    { 0x11b62, 0x11b64 }, { 0x11b66, 0x11b66 }, { 0x11c30, 0x11c36 },
    { 0x11c38, 0x11c3d }, { 0x11c3f, 0x11c3f }, { 0x11c92, 0x11ca7 },
    { 0x11caa, 0x11cb0 }, { 0x11cb2, 0x11cb3 }, { 0x11cb5, 0x11cb6 },
    { 0x11d31, 0x11d36 }, { 0x11d3a, 0x11d3a }, { 0x11d3c, 0x11d3d },
    { 0x11d3f, 0x11d45 }, { 0x11d47, 0x11d47 }, { 0x11d90, 0x11d91 },
    { 0x11d95, 0x11d95 }, { 0x11d97, 0x11d97 }, { 0x11dd9, 0x11dd9 },
    { 0x11ef3, 0x11ef4 }, { 0x11f00, 0x11f01 }, { 0x11f36, 0x11f3a },
    { 0x11f40, 0x11f40 }, { 0x11f42, 0x11f42 }, { 0x11f5a, 0x11f5a },
    { 0x13430, 0x13440 }, { 0x13447, 0x13455 }, { 0x1611e, 0x16129 },
    { 0x1612d, 0x1612f }, { 0x16af0, 0x16af4 }, { 0x16b30, 0x16b36 },
    { 0x16b40, 0x16b43 }, { 0x16d40, 0x16d42 }, { 0x16d6b, 0x16d6c },
    { 0x16f4f, 0x16f4f }, { 0x16f8f, 0x16f9f }, { 0x16fe0, 0x16fe1 },
    { 0x16fe3, 0x16fe4 }, { 0x16ff2, 0x16ff3 }, { 0x1aff0, 0x1aff3 },
    { 0x1aff5, 0x1affb }, { 0x1affd, 0x1affe }, { 0x1bc9d, 0x1bc9e },
    { 0x1bca0, 0x1bca3 }, { 0x1cf00, 0x1cf2d }, { 0x1cf30, 0x1cf46 },
    { 0x1d167, 0x1d169 }, { 0x1d173, 0x1d182 }, { 0x1d185, 0x1d18b },
    { 0x1d1aa, 0x1d1ad }, { 0x1d242, 0x1d244 }, { 0x1da00, 0x1da36 },
    { 0x1da3b, 0x1da6c }, { 0x1da75, 0x1da75 }, { 0x1da84, 0x1da84 },
    { 0x1da9b, 0x1da9f }, { 0x1daa1, 0x1daaf }, { 0x1e000, 0x1e006 },
    { 0x1e008, 0x1e018 }, { 0x1e01b, 0x1e021 }, { 0x1e023, 0x1e024 },
    { 0x1e026, 0x1e02a }, { 0x1e030, 0x1e06d }, { 0x1e08f, 0x1e08f },
    { 0x1e130, 0x1e13d }, { 0x1e2ae, 0x1e2ae }, { 0x1e2ec, 0x1e2ef },
    { 0x1e4eb, 0x1e4ef }, { 0x1e5ee, 0x1e5ef }, { 0x1e6e3, 0x1e6e3 },
    { 0x1e6e6, 0x1e6e6 }, { 0x1e6ee, 0x1e6ef }, { 0x1e6f5, 0x1e6f5 },
    { 0x1e6ff, 0x1e6ff }, { 0x1e8d0, 0x1e8d6 }, { 0x1e944, 0x1e94b },
    { 0x1f3fb, 0x1f3ff }, { 0xe0001, 0xe0001 }, { 0xe0020, 0xe007f },
    { 0xe0100, 0xe01ef },
};

/* ---- end of generated ---- */


#define um_nelts(a)  (sizeof(a) / sizeof((a)[0]))


static int
um_in_ranges(const um_range_t *r, size_t n, uint32_t cp)
{
    size_t  lo, hi, mid;

    lo = 0;
    hi = n;

    while (lo < hi) {
        mid = lo + (hi - lo) / 2;

        if (cp < r[mid].lo) {
            hi = mid;

        } else if (cp > r[mid].hi) {
            lo = mid + 1;

        } else {
            return 1;
        }
    }

    return 0;
}


static uint32_t
um_case_simple(const um_case_run_t *r, size_t n, uint32_t cp)
{
    size_t  lo, hi, mid;

    lo = 0;
    hi = n;

    while (lo < hi) {
        mid = lo + (hi - lo) / 2;

        if (cp < r[mid].lo) {
            hi = mid;

        } else if (cp > r[mid].hi) {
            lo = mid + 1;

        } else {
            if ((cp - r[mid].lo) % r[mid].stride == 0) {
                return (uint32_t) ((int32_t) cp + r[mid].delta);
            }

            return cp;
        }
    }

    return cp;
}


static const char *
um_case_multi(const um_case_multi_t *m, size_t n, uint32_t cp)
{
    size_t  lo, hi, mid;

    lo = 0;
    hi = n;

    while (lo < hi) {
        mid = lo + (hi - lo) / 2;

        if (cp < m[mid].cp) {
            hi = mid;

        } else if (cp > m[mid].cp) {
            lo = mid + 1;

        } else {
            return m[mid].to;
        }
    }

    return NULL;
}


static uint32_t
um_utf8_decode(const char *s, size_t len, size_t *n)
{
    uint32_t              c;
    const unsigned char  *p;

    p = (const unsigned char *) s;
    c = p[0];

    if (c < 0x80 || len < 2) {
        *n = 1;
        return c;
    }

    if (c < 0xe0) {
        *n = 2;
        return ((c & 0x1f) << 6) | (p[1] & 0x3f);
    }

    if (c < 0xf0 || len < 4) {
        *n = len < 3 ? len : 3;
        return len < 3 ? c
                       : ((c & 0x0f) << 12) | ((p[1] & 0x3f) << 6)
                         | (p[2] & 0x3f);
    }

    *n = 4;

    return ((c & 0x07) << 18) | ((p[1] & 0x3f) << 12) | ((p[2] & 0x3f) << 6)
           | (p[3] & 0x3f);
}


static void
um_utf8_put(um_buf_t *b, uint32_t cp)
{
    char  buf[4];

    if (cp < 0x80) {
        um_buf_addc(b, (char) cp);

    } else if (cp < 0x800) {
        buf[0] = (char) (0xc0 | (cp >> 6));
        buf[1] = (char) (0x80 | (cp & 0x3f));
        um_buf_add(b, buf, 2);

    } else if (cp < 0x10000) {
        buf[0] = (char) (0xe0 | (cp >> 12));
        buf[1] = (char) (0x80 | ((cp >> 6) & 0x3f));
        buf[2] = (char) (0x80 | (cp & 0x3f));
        um_buf_add(b, buf, 3);

    } else {
        buf[0] = (char) (0xf0 | (cp >> 18));
        buf[1] = (char) (0x80 | ((cp >> 12) & 0x3f));
        buf[2] = (char) (0x80 | ((cp >> 6) & 0x3f));
        buf[3] = (char) (0x80 | (cp & 0x3f));
        um_buf_add(b, buf, 4);
    }
}


/*
 * Final_Sigma: a capital sigma preceded by a cased letter and not followed
 * by one (case-ignorable characters in between skipped) lowercases to the
 * final form.
 */

static int
um_final_sigma(const char *s, size_t len, size_t at, size_t n)
{
    size_t    i, k, m;
    uint32_t  cp;
    int       before;

    before = 0;

    for (i = at; i > 0; /* void */ ) {
        k = i - 1;

        while (k > 0 && ((unsigned char) s[k] & 0xc0) == 0x80) {
            k--;
        }

        cp = um_utf8_decode(s + k, len - k, &m);

        if (!um_in_ranges(um_case_ignorable, um_nelts(um_case_ignorable), cp))
        {
            before = um_in_ranges(um_cased, um_nelts(um_cased), cp);
            break;
        }

        i = k;
    }

    if (!before) {
        return 0;
    }

    for (i = at + n; i < len; i += m) {
        cp = um_utf8_decode(s + i, len - i, &m);

        if (!um_in_ranges(um_case_ignorable, um_nelts(um_case_ignorable), cp))
        {
            return !um_in_ranges(um_cased, um_nelts(um_cased), cp);
        }
    }

    return 1;
}


static int
um_case_map(um_es_t *s, um_value_t str, int upper, um_value_t *out)
{
    char         c;
    size_t       i, n;
    uint32_t     cp;
    um_buf_t     b;
    const char  *multi;

    um_buf_init(&b, s->a, 0);

    if (um_buf_reserve(&b, str.len + 1) != 0) {
        return um_eval_oom(s);
    }

    for (i = 0; i < str.len; i += n) {
        c = str.u.s[i];

        if ((unsigned char) c < 0x80) {
            if (upper && c >= 'a' && c <= 'z') {
                c = (char) (c - 'a' + 'A');

            } else if (!upper && c >= 'A' && c <= 'Z') {
                c = (char) (c - 'A' + 'a');
            }

            um_buf_addc(&b, c);
            n = 1;
            continue;
        }

        cp = um_utf8_decode(str.u.s + i, str.len - i, &n);

        if (!upper && cp == 0x3a3 && um_final_sigma(str.u.s, str.len, i, n)) {
            um_utf8_put(&b, 0x3c2);
            continue;
        }

        multi = upper ? um_case_multi(um_upper_multi,
                                      um_nelts(um_upper_multi), cp)
                      : um_case_multi(um_lower_multi,
                                      um_nelts(um_lower_multi), cp);

        if (multi) {
            um_buf_adds(&b, multi);
            continue;
        }

        cp = upper ? um_case_simple(um_upper_runs, um_nelts(um_upper_runs),
                                    cp)
                   : um_case_simple(um_lower_runs, um_nelts(um_lower_runs),
                                    cp);

        um_utf8_put(&b, cp);
    }

    return um_new_str(s, &b, out);
}
