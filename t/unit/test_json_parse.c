/*
 * The fast JSON parser (src/um_json_parse.c) against jansson, which it
 * stands in for on the request path: for every text, either both accept it
 * and make the same values (compared as the engine writes them, key order
 * included), or both refuse it, or only the fast parser refuses it for a
 * reason it documents (then jansson's answer is used).  Hand-written edge
 * cases first, then random texts and random mutations of them.  Then
 * um_num_format, which the parser's numbers are written with, against a
 * plain reference.
 *
 *   test_json_parse [SECONDS]     the random part runs this long (2)
 */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "um_json_out.h"
#include "um_json_parse.h"


#define UM_TJP_FLAGS                                                         \
    (JSON_DECODE_ANY | JSON_ALLOW_NUL | JSON_DECODE_INT_AS_REAL)


static void check_pick(um_arena_t *a, um_jp_scratch_t *s, const char *text,
    size_t len, int fast, um_value_t v);


static int       failures;
static long      checks;
static long      accepted;
static long      refused_both;
static long      refused_fast;
static long      picks;


/* the fast parser over a whole text, as um_map_exec.c uses it */

static int
fast_parse(um_arena_t *a, um_jp_scratch_t *s, const char *text, size_t len,
    um_value_t *v)
{
    um_jp_t  jp;

    um_jp_init(&jp, a, s, text, len);

    if (um_jp_value(&jp, v) != UM_OK) {
        return UM_ERR;
    }

    um_jp_skip_ws(&jp);

    return jp.p == jp.end ? UM_OK : UM_ERR;
}


static void
show(const char *what, const char *text, size_t len)
{
    size_t  i;

    fprintf(stderr, "%s: \"", what);

    for (i = 0; i < len && i < 200; i++) {
        if ((unsigned char) text[i] < 0x20 || (unsigned char) text[i] >= 0x7f
            || text[i] == '"' || text[i] == '\\')
        {
            fprintf(stderr, "\\x%02x", (unsigned char) text[i]);

        } else {
            fputc(text[i], stderr);
        }
    }

    fprintf(stderr, "\"%s\n", len > 200 ? "..." : "");
}


static void
check(um_arena_t *a, um_jp_scratch_t *s, const char *text, size_t len)
{
    int           fast;
    json_t       *j;
    um_buf_t      bj, bf;
    um_value_t    v;
    json_error_t  err;

    checks++;
    um_arena_reset(a);

    j = json_loadb(text, len, UM_TJP_FLAGS, &err);
    fast = fast_parse(a, s, text, len, &v);
    check_pick(a, s, text, len, fast, v);

    if (j == NULL) {
        if (fast == UM_OK) {
            failures++;
            show("accepted, jansson refuses", text, len);
            fprintf(stderr, "  jansson: %s\n", err.text);
        }

        refused_both++;
        return;
    }

    if (fast != UM_OK) {
        /* allowed only for what the fast parser documents: depth, a very
         * long number literal, a NUL byte in the text (jansson's lexer
         * drops one that follows a number or a literal); anything else is
         * a difference */
        if (len < 400 && strstr(text, "[[[[[[[[[[") == NULL
            && memchr(text, '\0', len) == NULL)
        {
            failures++;
            show("refused, jansson accepts", text, len);
        }

        refused_fast++;

        json_decref(j);
        return;
    }

    accepted++;

    um_buf_init(&bj, NULL, 0);
    um_buf_init(&bf, NULL, 0);
    um_json_value(&bj, um_from_json(j), 0);
    um_json_value(&bf, v, 0);

    if (bj.len != bf.len || memcmp(bj.data, bf.data, bj.len) != 0) {
        failures++;
        show("different values", text, len);
        show("  jansson", bj.data, bj.len);
        show("  fast   ", bf.data, bf.len);
    }

    um_buf_free(&bj);
    um_buf_free(&bf);
    json_decref(j);
}


/*
 * um_jp_pick, which reads a record without building it, against the
 * parser that builds it: the same texts accepted, and each picked member
 * the value the built object has at its path.
 */

/* the generator's keys are "a" to "d": a, a.b, b, c, c.d, d */

static um_jp_want_t   pick_ab[1], pick_cd[1], pick_root[4];
static um_jp_wants_t  pick_a, pick_c, pick_w;
static um_jp_memo_t   memo_root[UM_JP_MEMO_KEYS], memo_a[UM_JP_MEMO_KEYS],
                      memo_c[UM_JP_MEMO_KEYS];

static const struct {
    const char  *path[2];
    uint32_t     slot;
    uint32_t     parent;
} picked[] = {
    { { "a", NULL }, 0, 0 }, { { "a", "b" }, 1, 0 }, { { "b", NULL }, 2, 0 },
    { { "c", NULL }, 3, 0 }, { { "c", "d" }, 4, 3 }, { { "d", NULL }, 5, 0 }
};

#define NSLOTS  6


static void
want_set(um_jp_want_t *w, const char *name, uint32_t slot,
    um_jp_wants_t *kids)
{
    w->name.data = name;
    w->name.len = strlen(name);
    w->slot = slot;
    w->kids = kids;
}


static void
wants_index(um_jp_wants_t *w, um_jp_want_t *want, uint32_t n,
    um_jp_memo_t *memo)
{
    uint32_t  k;
    unsigned  h;

    w->want = want;
    w->n = n;
    w->seed = 1;
    w->memo = memo;
    memset(w->index, 0, sizeof(w->index));

    for (k = 0; k < n; k++) {
        h = um_jp_want_hash(want[k].name.data, want[k].name.len, 1);
        w->index[h] = w->index[h] ? 0xff : (uint8_t) (k + 1);
    }
}


static void
pick_init(void)
{
    want_set(&pick_ab[0], "b", 1, NULL);
    want_set(&pick_cd[0], "d", 4, NULL);
    wants_index(&pick_a, pick_ab, 1, memo_a);
    wants_index(&pick_c, pick_cd, 1, memo_c);

    want_set(&pick_root[0], "a", 0, &pick_a);
    want_set(&pick_root[1], "b", 2, NULL);
    want_set(&pick_root[2], "c", 3, &pick_c);
    want_set(&pick_root[3], "d", 5, NULL);
    wants_index(&pick_w, pick_root, 4, memo_root);
}


/* a value as JSON text, a picked number by its text */

static void
pick_text(um_buf_t *b, um_value_t v)
{
    char    buf[UM_NUM_BUF + UM_JP_NUM_TEXT];
    size_t  n;

    if (v.type == UM_NUM && (v.flags & UM_F_NUMTEXT)) {
        n = um_num_text(v.u.s, v.len, buf);

        if (n == 0) {
            memcpy(buf, v.u.s, v.len);
            buf[v.len] = '\0';
            n = um_num_format(strtod(buf, NULL), buf);
        }

        um_buf_add(b, buf, n);
        return;
    }

    um_json_value(b, v, 0);
}


static void
check_pick(um_arena_t *a, um_jp_scratch_t *s, const char *text, size_t len,
    int fast, um_value_t v)
{
    int          rc, ok;
    size_t       i, k;
    um_jp_t      jp;
    um_buf_t     bw, bp;
    um_value_t   slots[NSLOTS], e;

    memset(slots, 0, sizeof(slots));
    um_jp_init(&jp, a, s, text, len);

    rc = um_jp_pick(&jp, &pick_w, slots);

    if (rc == UM_JP_NO) {
        /* not an object, or a picked member repeats: built instead */
        return;
    }

    checks++;

    if (rc == UM_OK) {
        um_jp_skip_ws(&jp);
    }

    ok = (rc == UM_OK && jp.p == jp.end);

    if (ok != (fast == UM_OK)) {
        failures++;
        show(ok ? "picked, the parser refuses" : "not picked, the parser "
             "accepts", text, len);
        return;
    }

    if (!ok) {
        return;
    }

    picks++;

    for (i = 0; i < sizeof(picked) / sizeof(picked[0]); i++) {
        e = v;

        for (k = 0; k < 2 && picked[i].path[k]; k++) {
            if (k && (slots[picked[i].parent].type == UM_ARR)) {
                e.type = UM_FUNC;   /* through an array: not compared */
                break;
            }

            e = um_is_object(e) ? um_get(e, picked[i].path[k],
                                         strlen(picked[i].path[k]))
                                : um_undef();
        }

        if (e.type == UM_FUNC) {
            continue;
        }

        um_buf_init(&bw, NULL, 0);
        um_buf_init(&bp, NULL, 0);

        if (e.type == UM_OBJ || e.type == UM_ARR || e.type == UM_JSON) {
            um_buf_adds(&bw, um_is_array(e) ? "[array]" : "{object}");

        } else {
            pick_text(&bw, e);
        }

        if (slots[picked[i].slot].type == UM_OBJ
            || slots[picked[i].slot].type == UM_ARR)
        {
            um_buf_adds(&bp, slots[picked[i].slot].type == UM_ARR
                             ? "[array]" : "{object}");

        } else {
            pick_text(&bp, slots[picked[i].slot]);
        }

        if (bw.len != bp.len || memcmp(bw.data, bp.data, bw.len) != 0) {
            failures++;
            show("picked another value", text, len);
            fprintf(stderr, "  at %s%s%s: built %.*s, picked %.*s\n",
                    picked[i].path[0], picked[i].path[1] ? "." : "",
                    picked[i].path[1] ? picked[i].path[1] : "",
                    (int) bw.len, bw.data, (int) bp.len, bp.data);
        }

        um_buf_free(&bw);
        um_buf_free(&bp);
    }
}


static void
check_str(um_arena_t *a, um_jp_scratch_t *s, const char *text)
{
    check(a, s, text, strlen(text));
}


/* a 64-bit LCG: the same texts on every run */

static uint64_t  seed = 42;

static uint32_t
rnd(uint32_t n)
{
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t) (seed >> 33) % n;
}


static const char  *pieces[] = {
    "0", "-0", "1", "-1", "24.0", "1.380162", "0.1", "1e5", "1E-5", "2.5e+3",
    "123456789012345678901234567890", "9007199254740993", "1e308", "1e-400",
    "4.9e-324", "0.30000000000000004", "-12.50", "100000000000000000000000",
    "\"\"", "\"a\"", "\"caf\xc3\xa9\"", "\"\\u00e9\"", "\"\\ud83d\\ude00\"",
    "\"a\\\"b\"", "\"\\\\\"", "\"\\/\"", "\"\\b\\f\\n\\r\\t\"", "\"\\u0000\"",
    "\"\xf0\x9f\x98\x80\"", "\"tab\there\"", "true", "false", "null", "{}",
    "[]", "{\"a\":1}", "{\"a\":1,\"a\":2}", "{\"b\":1,\"a\":2,\"b\":3}",
    "[1,2,3]", "{\"\\u0061\":1,\"a\":2}", " ", "\n", "\t", "\r"
};


static void
gen_value(um_buf_t *b, int depth)
{
    int  i, n;

    switch (depth > 4 ? rnd(3) : rnd(6)) {

    case 0:
    case 1:
    case 2:
        /* a scalar piece (or whitespace around one) */
        for ( ;; ) {
            i = rnd(sizeof(pieces) / sizeof(pieces[0]));

            if (pieces[i][0] != '{' && pieces[i][0] != '['
                && pieces[i][0] != ' ' && pieces[i][0] != '\n'
                && pieces[i][0] != '\t' && pieces[i][0] != '\r')
            {
                break;
            }
        }

        um_buf_adds(b, pieces[i]);
        break;

    case 3:
    case 4:
        um_buf_addc(b, '{');
        n = rnd(5);

        for (i = 0; i < n; i++) {
            if (i) {
                um_buf_adds(b, rnd(4) ? "," : " , ");
            }

            um_buf_printf(b, "\"%c\"%s", 'a' + rnd(4), rnd(4) ? ":" : " : ");
            gen_value(b, depth + 1);
        }

        um_buf_addc(b, '}');
        break;

    default:
        um_buf_addc(b, '[');
        n = rnd(5);

        for (i = 0; i < n; i++) {
            if (i) {
                um_buf_adds(b, rnd(4) ? "," : "\n,\t");
            }

            gen_value(b, depth + 1);
        }

        um_buf_addc(b, ']');
    }
}


static void
mutate(um_buf_t *b)
{
    size_t  i;

    static const char  bytes[] = "{}[]:,\"\\ -+.eE0123456789tfnul\x00\x01\x7f"
                                 "\x80\xbf\xc0\xc3\xe0\xed\xf0\xf4\xf5\xff";

    if (b->len == 0) {
        return;
    }

    i = rnd((uint32_t) b->len);

    switch (rnd(3)) {
    case 0:
        b->data[i] = bytes[rnd(sizeof(bytes) - 1)];
        break;
    case 1:
        memmove(b->data + i, b->data + i + 1, b->len - i - 1);
        b->len--;
        break;
    default:
        um_buf_addc(b, ' ');
        memmove(b->data + i + 1, b->data + i, b->len - i - 1);
        b->data[i] = bytes[rnd(sizeof(bytes) - 1)];
    }
}


/*
 * um_num_format against a plain reference of JavaScript's Number#toString:
 * the first precision whose %e form reads back, laid out by exponent.
 * (um_num_format has a printf-free path for short decimals.)
 */

static size_t
ref_format(double d, char *buf)
{
    int     p, e, k, i;
    char    t[40], digits[24], *q;

    if (d == 0) {
        strcpy(buf, "0");
        return 1;
    }

    q = buf;

    if (d < 0) {
        *q++ = '-';
        d = -d;
    }

    for (p = 1; p <= 17; p++) {
        snprintf(t, sizeof(t), "%.*e", p - 1, d);
        if (strtod(t, NULL) == d) {
            break;
        }
    }

    k = 0;

    for (i = 0; t[i] != 'e'; i++) {
        if (t[i] != '.') {
            digits[k++] = t[i];
        }
    }

    while (k > 1 && digits[k - 1] == '0') {
        k--;
    }

    e = atoi(t + i + 1) + 1;            /* d = 0.digits * 10^e */

    if (k <= e && e <= 21) {
        memcpy(q, digits, k);
        q += k;
        for (i = k; i < e; i++) {
            *q++ = '0';
        }

    } else if (0 < e && e <= 21) {
        memcpy(q, digits, e);
        q += e;
        *q++ = '.';
        memcpy(q, digits + e, k - e);
        q += k - e;

    } else if (-6 < e && e <= 0) {
        *q++ = '0';
        *q++ = '.';
        for (i = e; i < 0; i++) {
            *q++ = '0';
        }
        memcpy(q, digits, k);
        q += k;

    } else {
        *q++ = digits[0];
        if (k > 1) {
            *q++ = '.';
            memcpy(q, digits + 1, k - 1);
            q += k - 1;
        }
        q += sprintf(q, "e%c%d", e - 1 < 0 ? '-' : '+', e - 1 < 0 ? 1 - e : e - 1);
    }

    *q = '\0';

    return (size_t) (q - buf);
}


static void
check_num(double d)
{
    char    a[UM_NUM_BUF], b[64];
    size_t  la, lb;

    if (isnan(d) || isinf(d)) {
        return;
    }

    checks++;
    la = um_num_format(d, a);
    lb = ref_format(d, b);

    if (la != lb || memcmp(a, b, la) != 0) {
        failures++;
        fprintf(stderr, "number %.17g: um_num_format \"%s\", reference "
                "\"%s\"\n", d, a, b);
    }
}


/* um_num_text, over a number's text, against um_num_format of its value */

static void
check_num_text(const char *t)
{
    char    a[UM_NUM_BUF], b[UM_NUM_BUF];
    size_t  la, lb;

    la = um_num_text(t, strlen(t), a);

    if (la == 0) {
        return;
    }

    checks++;
    lb = um_num_format(strtod(t, NULL), b);

    if (la != lb || memcmp(a, b, la) != 0) {
        failures++;
        fprintf(stderr, "number text \"%s\": um_num_text \"%.*s\", "
                "um_num_format \"%.*s\"\n", t, (int) la, a, (int) lb, b);
    }
}


static void
test_num_text(double secs)
{
    int       i, k, n, f;
    char      t[64];
    time_t    stop;

    static const char  *edge[] = {
        "0", "-0", "0.0", "-0.000", "1", "10", "54.0", "2.4975", "0.025",
        "0.000001", "0.0000001", "0.00000123", "-5.40", "999999999999999",
        "9999999999999999", "123456789012345.6", "0.1234567890123456",
        "1.000000000000001", "100.25", "0.5000", "7", "-7.0"
    };

    for (i = 0; i < (int) (sizeof(edge) / sizeof(edge[0])); i++) {
        check_num_text(edge[i]);
    }

    stop = time(NULL) + (time_t) secs;

    do {
        for (i = 0; i < 20000; i++) {
            /* -?(0|[1-9]d*)(.d+)? of up to 20 digits, some zeros */
            k = 0;

            if (rnd(4) == 0) {
                t[k++] = '-';
            }

            n = (int) rnd(17);

            if (n == 0) {
                t[k++] = '0';

            } else {
                t[k++] = (char) ('1' + rnd(9));

                while (--n > 0) {
                    t[k++] = rnd(3) ? (char) ('0' + rnd(10)) : '0';
                }
            }

            f = (int) rnd(18);

            if (f) {
                t[k++] = '.';

                while (f-- > 0) {
                    t[k++] = rnd(3) ? (char) ('0' + rnd(10)) : '0';
                }
            }

            t[k] = '\0';
            check_num_text(t);
        }
    } while (time(NULL) < stop);
}


static void
test_numbers(double secs)
{
    int       i, digits, e;
    char      t[64];
    double    d;
    time_t    stop;
    uint64_t  bits;

    static const double  edge[] = {
        1e-6, 9.999999999999999e-7, 1e-7, 0.1, 0.2, 0.3, 1.5, 24.0, 1e15,
        999999999999999.9, 1e15 - 0.5, 1e21, 1e21 - 65536, 123456789012345.6,
        0.000001234, 1.380162, 0.527198, 9007199254740991.0,
        9007199254740993.0, 4.9e-324, 2.2250738585072014e-308, 1.7976931348623157e308,
        0.1 + 0.2, 1.0 / 3, 2.0 / 3, 100.25, 5e-7
    };

    for (i = 0; i < (int) (sizeof(edge) / sizeof(edge[0])); i++) {
        check_num(edge[i]);
        check_num(-edge[i]);
    }

    stop = time(NULL) + (time_t) secs;

    do {
        for (i = 0; i < 10000; i++) {
            /* a decimal of 1..17 digits at some exponent, as data has */
            digits = 1 + rnd(17);
            e = (int) rnd(40) - 20;
            snprintf(t, sizeof(t), "%.*e", digits - 1,
                     (double) (1 + rnd(999999999)) / 1e9
                     * pow(10, (double) e) * (1 + rnd(9)));
            check_num(strtod(t, NULL));

            /* any double */
            bits = ((uint64_t) rnd(0x7fffffff) << 33)
                   ^ ((uint64_t) rnd(0x7fffffff) << 2) ^ rnd(4);
            memcpy(&d, &bits, sizeof(d));
            check_num(d);

            /* amounts with a few decimals */
            d = (double) rnd(100000000) / (double) (1u << rnd(20));
            check_num(d);
            check_num((double) rnd(1000000000) / 1e6);
        }
    } while (time(NULL) < stop);
}


int
main(int argc, char **argv)
{
    int               i, k;
    char              deep[3000];
    double            secs;
    time_t            stop;
    um_buf_t          b;
    um_arena_t       *a;
    um_jp_scratch_t   s;

    secs = argc > 1 ? atof(argv[1]) : 2;
    a = um_arena_create(64 * 1024, 0);
    memset(&s, 0, sizeof(s));
    pick_init();

    /* hand-written cases: every rule of the lexer on both sides */

    for (i = 0; i < (int) (sizeof(pieces) / sizeof(pieces[0])); i++) {
        check_str(a, &s, pieces[i]);
    }

    {
        static const char  *cases[] = {
            "", " ", "{", "}", "[", "]", "[1,]", "[,1]", "{\"a\"}",
            "{\"a\":}", "{\"a\" 1}", "{\"a\":1,}", "{,}", "{1:2}", "01",
            "-01", "1.", ".5", "-", "+1", "1e", "1e+", "0x10", "1.5.3",
            "truex", "true1", "nul", "NULL", "True", "[true false]",
            "\"abc", "\"a\nb\"", "\"\\x\"", "\"\\u12\"", "\"\\u12G4\"",
            "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"",
            "\"\\ud800x\"", "{\"\\u0000\":1}", "{\"a\\u0000b\":1}",
            "\"\xc0\xaf\"", "\"\xc2\"", "\"\xe0\x80\xaf\"",
            "\"\xed\xa0\x80\"", "\"\xf4\x90\x80\x80\"", "\"\xf5\x80\x80\x80\"",
            "\"\x80\"", "\"\xef\xbf\xbf\"", "\"\xf0\x90\x80\x80\"",
            "1 2", "{} {}", "[1] x", "\xef\xbb\xbf{}", "  {\"a\" :\t[ 1 , 2 ] }  ",
            "1e400", "-1e400", "1e-400", "123456789012345678901.5e-3",
            "0.000000000000000000000000000001",
            "179769313486231570000000000000000000000000000000000000000000000"
            "00000000000000000000000000000000000000000000000000000000000000"
            "00000000000000000000000000000000000000000000000000000000000000"
            "00000000000000000000000000000000000000000000000000000000000000"
            "00000000000000000000000000000000000000000000000000000000000000"
            ".0",
            "[\"\\\\\\\"\"]", "\"\\\\\"", "\"\\\\\\\\\"",
            "{\"a\":{\"b\":1},\"a\":[2]}", "{\"k\":1,\"k\":null,\"j\":2}",
        };

        for (i = 0; i < (int) (sizeof(cases) / sizeof(cases[0])); i++) {
            check_str(a, &s, cases[i]);
        }
    }

    /* NUL bytes in the text itself, and a value NUL */
    check(a, &s, "\"a\0b\"", 5);
    check(a, &s, "[1]\0", 4);
    check(a, &s, "\"a\\u0000b\"", 10);

    /* nesting: within the fast parser's depth, and beyond it */

    for (k = 0; k < 2; k++) {
        int  d = k ? 1200 : 900;

        memset(deep, '[', d);
        memset(deep + d, ']', d);
        check(a, &s, deep, 2 * (size_t) d);
    }

    /* random texts, and each mutated a few times */

    um_buf_init(&b, NULL, 0);
    stop = time(NULL) + (time_t) secs;

    do {
        for (k = 0; k < 200; k++) {
            b.len = 0;
            gen_value(&b, 0);
            check(a, &s, b.data, b.len);

            for (i = 0; i < 4; i++) {
                mutate(&b);
                check(a, &s, b.data, b.len);
            }
        }
    } while (time(NULL) < stop);

    um_buf_free(&b);
    um_jp_scratch_free(&s);

    test_numbers(secs / 2);
    test_num_text(secs / 4);
    um_arena_destroy(a);

    printf("test_json_parse: %ld texts, %ld accepted by both, %ld refused by "
           "both, %ld by the fast parser only (jansson decides), %ld "
           "objects picked, %d differences\n", checks, accepted,
           refused_both, refused_fast, picks, failures);

    return failures ? 1 : 0;
}
