/*
 * Unit tests of the expression engine and of the values (um_expr.h,
 * um_value.h): compile errors and their positions, every function,
 * undefined propagation, evaluation over jansson input, constants, the
 * allocation-free path, limits.  Run under valgrind or ASan by unit.mk.
 */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "um_expr.h"
#include "um_json_out.h"
#include "um_str.h"


static int  um_t_run, um_t_failed;


#define UM_T(cond)                                                           \
    do {                                                                     \
        um_t_run++;                                                          \
        if (!(cond)) {                                                       \
            um_t_failed++;                                                   \
            fprintf(stderr, "%s:%d: FAILED: %s\n", __FILE__, __LINE__,       \
                    #cond);                                                  \
        }                                                                    \
    } while (0)


static const char  *um_t_names[] = { "x", "y", "s", "arr" };


typedef struct {
    um_arena_t   *ca;
    um_arena_t   *ea;
    json_t       *input;
    json_t       *varj[4];
    um_value_t    vars[4];
    um_scope_t    scope;
    um_error_t    err;
    char          out[4096];
} um_t_ctx_t;


static void
um_t_init(um_t_ctx_t *t, const char *input)
{
    int           i;
    json_error_t  jerr;
    static const char  *vals[] = { "10", "[1, 2, 3]", "\"str\"",
                                   "[{\"a\": 1}, {\"a\": 2}]" };

    memset(t, 0, sizeof(*t));
    t->ca = um_arena_create(0, 0);
    t->ea = um_arena_create(1024, 1024 * 1024);
    t->input = input ? json_loads(input, JSON_DECODE_ANY | JSON_ALLOW_NUL,
                                  &jerr)
                     : NULL;

    if (input && t->input == NULL) {
        fprintf(stderr, "bad test input: %s: %s\n", input, jerr.text);
        exit(2);
    }

    for (i = 0; i < 4; i++) {
        t->varj[i] = json_loads(vals[i], JSON_DECODE_ANY, &jerr);
        t->vars[i] = um_from_json(t->varj[i]);
    }

    t->scope.names = um_t_names;
    t->scope.n = 4;
}


static void
um_t_free(um_t_ctx_t *t)
{
    int  i;

    um_arena_destroy(t->ea);
    um_arena_destroy(t->ca);
    json_decref(t->input);

    for (i = 0; i < 4; i++) {
        json_decref(t->varj[i]);
    }
}


/* compiles and evaluates; writes the result as JSON, "undefined", or
 * "error: <msg>" into t->out */

static const char *
um_t_eval(um_t_ctx_t *t, const char *expr)
{
    um_buf_t     b;
    um_expr_t   *e;
    um_eval_t    ev;
    um_value_t   in, r;

    e = um_expr_compile(t->ca, expr, strlen(expr), &t->scope, &t->err);
    if (e == NULL) {
        snprintf(t->out, sizeof(t->out), "compile error %zu:%zu: %s",
                 t->err.line, t->err.col, t->err.msg);
        return t->out;
    }

    in = t->input ? um_from_json(t->input) : um_undef();

    memset(&ev, 0, sizeof(ev));
    ev.arena = t->ea;
    ev.vars = t->vars;
    ev.root = in;
    ev.now = 1700000000000.0;
    ev.err = &t->err;

    if (um_expr_eval(e, &ev, in, &r) != UM_OK) {
        snprintf(t->out, sizeof(t->out), "error: %s", t->err.msg);
        return t->out;
    }

    um_buf_init(&b, t->ea, 0);

    if (!um_json_value(&b, r, 0)) {
        snprintf(t->out, sizeof(t->out), "undefined");

    } else {
        snprintf(t->out, sizeof(t->out), "%.*s", (int) b.len, b.data);
    }

    return t->out;
}


static int
um_t_check(const char *expr, const char *input, const char *expect)
{
    int          ok;
    um_t_ctx_t   t;
    const char  *got;

    um_t_init(&t, input);
    got = um_t_eval(&t, expr);

    ok = strcmp(got, expect) == 0
         || (strcmp(expect, "error") == 0 && strncmp(got, "error", 5) == 0);

    if (!ok) {
        fprintf(stderr,
                "  %s\n    input:  %s\n    expect: %s\n    got:    %s\n",
                expr, input ? input : "(none)", expect, got);
    }

    um_t_free(&t);

    return ok;
}


#define UM_TCOMP(src)                                                        \
    um_expr_compile(t.ca, src, strlen(src), &t.scope, &t.err)

#define UM_TE(expr, input, expect)  UM_T(um_t_check(expr, input, expect))


static int
um_t_compile_error(const char *expr, size_t line, size_t col,
    const char *msg)
{
    int          ok;
    um_t_ctx_t   t;
    um_expr_t   *e;

    um_t_init(&t, NULL);

    e = um_expr_compile(t.ca, expr, strlen(expr), &t.scope, &t.err);

    ok = e == NULL && t.err.line == line && t.err.col == col
         && strstr(t.err.msg, msg) != NULL;

    if (!ok) {
        fprintf(stderr,
                "  %s\n    expect: %zu:%zu %s\n    got:    %s%zu:%zu %s\n",
                expr, line, col, msg, e ? "(compiled) " : "", t.err.line,
                t.err.col, t.err.msg);
    }

    um_t_free(&t);

    return ok;
}


#define UM_TC(expr, line, col, msg)                                          \
    UM_T(um_t_compile_error(expr, line, col, msg))


static void
um_t_compile_errors(void)
{
    char  deep[1300];
    int   i;

    UM_TC("1 +", 1, 4, "unexpected end of expression");
    UM_TC("a.b)", 1, 4, "unexpected \")\"");
    UM_TC(")", 1, 1, "unexpected \")\"");
    UM_TC("$foo()", 1, 1, "unknown function $foo");
    UM_TC("\"abc", 1, 1, "unterminated string");
    UM_TC("'abc", 1, 1, "unterminated string");
    UM_TC("a +\n  )", 2, 3, "unexpected \")\"");
    UM_TC("a\n\n  + $nope", 3, 5, "unknown variable $nope");
    UM_TC("\xc3\xa9 + )", 1, 5, "unexpected \")\"");
    UM_TC("a ~> $string()", 1, 3, "unsupported: function application");
    UM_TC("function($x){1}", 1, 1, "unsupported: lambda");
    UM_TC("a^(b)", 1, 2, "unsupported: sorting");
    UM_TC("a@$x", 1, 2, "unsupported: context variable binding");
    UM_TC("a#$i", 1, 2, "unsupported: positional");
    UM_TC("|a|{}|", 1, 1, "unsupported: transform");
    UM_TC("a.%", 1, 3, "unsupported: parent");
    UM_TC("$map(x, $string)", 1, 1, "unsupported: function $map");
    UM_TC("$string(?)", 1, 9, "unsupported: partial");
    UM_TC("$x(1)", 1, 1, "unsupported: calling variable $x");
    UM_TC("(a)(1)", 1, 1, "unsupported: calling");
    UM_TC("$string(1, true, 3)", 1, 1, "$string takes 0 to 2 arguments");
    UM_TC("$count()", 1, 1, "$count takes 1 argument");
    UM_TC("$append(1)", 1, 1, "$append takes 2 arguments");
    UM_TC("$match(\"a\", /a**/)", 1, 16, "invalid regular expression");
    UM_TC("$match(\"a\", /(/)", 1, 13, "unterminated regular expression");
    UM_TC("$match(\"a\", /a/g)", 1, 16, "expected \")\", got \"g\"");
    UM_TC("$contains(\"a\", /a/ii)", 1, 20, "invalid flags");
    UM_TC("/a/", 1, 1, "unsupported: regular expression");
    UM_TC("$string(/a/)", 1, 9, "unsupported: regular expression");
    UM_TC("$match(\"a\", /a)", 1, 13, "unterminated regular expression");
    UM_TC("/* never closed", 1, 1, "unterminated comment");
    UM_TC("`name", 1, 1, "unterminated quoted name");
    UM_TC("\"\\q\"", 1, 2, "unsupported escape sequence");
    UM_TC("\"\\u12\"", 1, 2, "must be followed by 4 hex digits");
    UM_TC("\"\\ud800\"", 1, 2, "unpaired surrogate");
    UM_TC("1e999", 1, 1, "number out of range");
    UM_TC("a.1", 1, 3, "a path step cannot be a number");
    UM_TC("a.true", 1, 3, "a path step cannot be true");
    UM_TC("[1, 2", 1, 6, "expected \"]\" before end of expression");
    UM_TC("{\"a\" 1}", 1, 6, "expected \":\", got \"1\"");
    UM_TC("1 1", 1, 3, "unexpected \"1\"");
    UM_TC("1 ! 2", 1, 3, "unknown operator \"!\"");
    UM_TC("a := 1", 1, 1, "must be a variable name");
    UM_TC("$fromMillis(1, \"[Y]\")", 1, 16, "unsupported: the picture");
    UM_TC("$toMillis(\"x\", \"[Y]\")", 1, 16, "unsupported: the picture");
    UM_TC("$now(\"[Y]\")", 1, 6, "unsupported: the picture");
    UM_TC("(a){\"k\": 1}[0]", 1, 12, "predicate cannot follow");
    UM_TC("a{\"k\": 1}{\"j\": 2}", 1, 10, "cannot follow another group-by");
    UM_TC("a{\"k\": 1}{\"j\": 2}", 1, 10, "cannot follow another group-by");
    UM_TC("\"abc\xff\"", 1, 5, "invalid UTF-8");
    UM_TC("", 1, 1, "unexpected end of expression");

    /* nesting beyond the limit is an error, not a stack overflow */

    for (i = 0; i < 600; i++) {
        deep[i] = '(';
    }

    deep[600] = '\0';
    UM_TC(deep, 1, 257, "too deeply nested");

    for (i = 0; i < 600; i++) {
        deep[2 * i] = '-';
        deep[2 * i + 1] = ' ';
    }

    deep[1199] = '1';
    deep[1200] = '\0';
    UM_TC(deep, 1, 513, "too deeply nested");

    for (i = 0; i < 400; i++) {
        memcpy(deep + 3 * i, "a+", 2);
        deep[3 * i + 2] = ' ';
    }

    memcpy(deep + 1200, "a\0", 2);
    {
        um_t_ctx_t   t;
        um_expr_t   *e;

        um_t_init(&t, NULL);
        e = um_expr_compile(t.ca, deep, strlen(deep), &t.scope, &t.err);
        UM_T(e == NULL && strstr(t.err.msg, "too deeply nested") != NULL);
        um_t_free(&t);
    }
}


static void
um_t_paths(void)
{
    const char  *order;

    order = "{\"Account\": {\"Order\": [{\"id\": \"o1\", \"Product\": "
            "[{\"Name\": \"Hat\", \"Price\": 34.45, \"Qty\": 2}, "
            "{\"Name\": \"Cap\", \"Price\": 21.67, \"Qty\": 1}]}, "
            "{\"id\": \"o2\", \"Product\": [{\"Name\": \"Cloak\", "
            "\"Price\": 107.99, \"Qty\": 1}]}]}}";

    UM_TE("Account.Order.Product.Name", order, "[\"Hat\",\"Cap\",\"Cloak\"]");
    UM_TE("Account.Order[0].Product[0].Name", order, "\"Hat\"");
    UM_TE("Account.Order.Product[0].Name", order, "[\"Hat\",\"Cloak\"]");
    UM_TE("(Account.Order.Product)[0].Name", order, "\"Hat\"");
    UM_TE("Account.Order.Product[-1].Name", order, "[\"Cap\",\"Cloak\"]");
    UM_TE("Account.Order.Product[Price > 30].Name", order,
          "[\"Hat\",\"Cloak\"]");
    UM_TE("$sum(Account.Order.Product.(Price * Qty))", order, "198.56");
    UM_TE("Account.Order[1].Product.Name", order, "\"Cloak\"");
    UM_TE("Account.Order[1].Product.Name[]", order, "[\"Cloak\"]");
    UM_TE("Account.Order.id", order, "[\"o1\",\"o2\"]");
    UM_TE("Account.Order.Product.`Name`", order, "[\"Hat\",\"Cap\",\"Cloak\"]");
    UM_TE("Account.missing.x", order, "undefined");
    UM_TE("Account.Order.Product{Name: Price}", order,
          "{\"Hat\":34.45,\"Cap\":21.67,\"Cloak\":107.99}");

    /* singleton collapse, arrays kept as they are */
    UM_TE("a", "{\"a\": [1]}", "[1]");
    UM_TE("a.b", "{\"a\": [{\"b\": 1}]}", "1");
    UM_TE("a.b", "{\"a\": [{\"b\": 1}, {\"b\": [2, 3]}]}", "[1,2,3]");
    UM_TE("a.b[]", "{\"a\": {\"b\": 1}}", "[1]");
    UM_TE("a.b", "{\"a\": [[{\"b\": 1}], [{\"b\": 2}]]}", "[1,2]");
    UM_TE("a[0]", "{\"a\": [[1, 2], [3]]}", "[1,2]");
    UM_TE("a.[b, c]", "{\"a\": [{\"b\": 1, \"c\": 2}, {\"b\": 3}]}",
          "[[1,2],[3]]");
    UM_TE("a.b", "{\"a\": \"str\"}", "undefined");
    UM_TE("$", "[1, 2]", "[1,2]");
    UM_TE("$[0]", "[1, 2]", "1");
    UM_TE("a", "[{\"a\": 1}, {\"a\": 2}]", "[1,2]");
    UM_TE("$$.a", "{\"a\": 5}", "5");
    UM_TE("*", "{\"a\": 1, \"b\": [2, [3]]}", "[1,2,3]");
    UM_TE("**.c", "{\"a\": {\"c\": 1, \"b\": [{\"c\": 2}]}}", "[1,2]");
    UM_TE("a.(b + c)", "{\"a\": [{\"b\": 1, \"c\": 2}, {\"b\": 3, \"c\": 4}]}",
          "[3,7]");
    UM_TE("[1..3].($ * 2)", NULL, "[2,4,6]");
    UM_TE("[[1, 2], [3]]", NULL, "[[1,2],[3]]");
    UM_TE("[$x, $arr.a]", NULL, "[10,1,2]");
}


static void
um_t_operators(void)
{
    UM_TE("1 + 2 * 3 - 4 / 2", NULL, "5");
    UM_TE("7 % 3", NULL, "1");
    UM_TE("-$x", NULL, "-10");
    UM_TE("0.1 + 0.2", NULL, "0.30000000000000004");
    UM_TE("\"a\" - 1", NULL, "error");
    UM_TE("1 + \"a\"", NULL, "error");
    UM_TE("true * 2", NULL, "error");
    UM_TE("-\"a\"", NULL, "error");
    UM_TE("1 / 0", NULL, "error");
    UM_TE("missing + 1", "{}", "undefined");
    UM_TE("-missing", "{}", "undefined");
    UM_TE("1 < 2", NULL, "true");
    UM_TE("\"a\" < \"b\"", NULL, "true");
    UM_TE("\"a\" < 1", NULL, "error");
    UM_TE("null < 1", NULL, "error");
    UM_TE("missing < 1", "{}", "undefined");
    UM_TE("1 = 1", NULL, "true");
    UM_TE("missing = missing", "{}", "false");
    UM_TE("[1, {\"a\": [2]}] = [1, {\"a\": [2]}]", NULL, "true");
    UM_TE("{\"a\": 1, \"b\": 2} = {\"b\": 2, \"a\": 1}", NULL, "true");
    UM_TE("$x != 10", NULL, "false");
    UM_TE("2 in [1, 2]", NULL, "true");
    UM_TE("\"s\" in \"s\"", NULL, "true");
    UM_TE("missing in [1]", "{}", "false");
    UM_TE("\"a\" & 1 & true & null", NULL, "\"a1truenull\"");
    UM_TE("missing & \"x\"", "{}", "\"x\"");
    UM_TE("$arr & \"\"", NULL, "\"[{\\\"a\\\":1},{\\\"a\\\":2}]\"");
    UM_TE("true and missing", "{}", "false");
    UM_TE("false or \"x\"", NULL, "true");
    UM_TE("$x > 5 ? \"big\" : \"small\"", NULL, "\"big\"");
    UM_TE("$x > 50 ? \"big\"", NULL, "undefined");
    UM_TE("missing ?? 3", "{}", "3");
    UM_TE("0 ?: 3", NULL, "3");
    UM_TE("[1..4]", NULL, "[1,2,3,4]");
    UM_TE("[1.5..4]", NULL, "error");
    UM_TE("[4..1]", NULL, "[]");
    UM_TE("{\"a\": 1, \"b\": missing}", "{}", "{\"a\":1}");
    UM_TE("{\"a\": 1, \"a\": 2}", NULL, "error");
    UM_TE("{1: 2}", NULL, "error");
    UM_TE("( $v := $x * 2; $v + 1 )", NULL, "21");
    UM_TE("( $x := 1; ( $x := 2 ); $x )", NULL, "1");
    UM_TE("$x := 5", NULL, "5");
    UM_TE("(1; 2; 3)", NULL, "3");
    UM_TE("()", NULL, "undefined");
}


static void
um_t_functions(void)
{
    /* aggregates */
    UM_TE("$sum($y)", NULL, "6");
    UM_TE("$sum([])", NULL, "0");
    UM_TE("$sum(missing)", "{}", "undefined");
    UM_TE("$sum([\"a\"])", NULL, "error");
    UM_TE("$count($y)", NULL, "3");
    UM_TE("$count(missing)", "{}", "0");
    UM_TE("$count(5)", NULL, "1");
    UM_TE("$max($y)", NULL, "3");
    UM_TE("$min($y)", NULL, "1");
    UM_TE("$max([])", NULL, "undefined");
    UM_TE("$average($y)", NULL, "2");
    UM_TE("$average([])", NULL, "undefined");

    /* strings */
    UM_TE("$string(1/3)", NULL, "\"0.333333333333333\"");
    UM_TE("$string(123456789012344.5)", NULL, "\"123456789012345\"");
    UM_TE("$string(1e21)", NULL, "\"1e+21\"");
    UM_TE("$string({\"a\": [1, true, null]})", NULL,
          "\"{\\\"a\\\":[1,true,null]}\"");
    UM_TE("$string({\"a\": [1]}, true)", NULL,
          "\"{\\n  \\\"a\\\": [\\n    1\\n  ]\\n}\"");
    UM_TE("$string(missing)", "{}", "undefined");
    UM_TE("$string()", "[1]", "\"[1]\"");
    UM_TE("$number(\"12.5e1\")", NULL, "125");
    UM_TE("$number(\"0x1F\")", NULL, "31");
    UM_TE("$number(\"0o17\")", NULL, "15");
    UM_TE("$number(\"0b101\")", NULL, "5");
    UM_TE("$number(true)", NULL, "1");
    UM_TE("$number(\"abc\")", NULL, "error");
    UM_TE("$number(null)", NULL, "error");
    UM_TE("$boolean([0, \"\"])", NULL, "false");
    UM_TE("$boolean({})", NULL, "false");
    UM_TE("$boolean(\"0\")", NULL, "true");
    UM_TE("$not(0)", NULL, "true");
    UM_TE("$not(missing)", "{}", "undefined");
    UM_TE("$exists(missing)", "{}", "false");
    UM_TE("$exists(null)", NULL, "true");
    UM_TE("$length(\"h\xc3\xa9llo \xf0\x9f\x98\x80\")", NULL, "7");
    UM_TE("$lowercase(\"\xc3\x80" "B\xce\xa3\")", NULL,
          "\"\xc3\xa0" "b\xcf\x82\"");
    UM_TE("$uppercase(\"stra\xc3\x9f" "e\")", NULL, "\"STRASSE\"");
    UM_TE("$trim(\"  a \\t\\n b  \")", NULL, "\"a b\"");
    UM_TE("$pad(\"ab\", -4, \"x\")", NULL, "\"xxab\"");
    UM_TE("$substring(\"hello\", 1, 3)", NULL, "\"ell\"");
    UM_TE("$substring(\"hello\", -3)", NULL, "\"llo\"");
    UM_TE("$substring(\"h\xc3\xa9llo\", 1, 2)", NULL, "\"\xc3\xa9l\"");
    UM_TE("$substring(\"hello\", 0, -1)", NULL, "\"\"");
    UM_TE("$substringBefore(\"a.b.c\", \".\")", NULL, "\"a\"");
    UM_TE("$substringAfter(\"a.b.c\", \".\")", NULL, "\"b.c\"");
    UM_TE("$substringAfter(\"abc\", \"x\")", NULL, "\"abc\"");
    UM_TE("$contains(\"abc\", \"b\")", NULL, "true");
    UM_TE("$contains(\"abc\", /B/i)", NULL, "true");
    UM_TE("$contains(missing, \"b\")", "{}", "undefined");
    UM_TE("$split(\"a,b,c\", \",\", 2)", NULL, "[\"a\",\"b\"]");
    UM_TE("$split(\"a1b22c\", /\\d+/)", NULL, "[\"a\",\"b\",\"c\"]");
    UM_TE("$split(\"abc\", \"\")", NULL, "[\"a\",\"b\",\"c\"]");
    UM_TE("$split(\"a\", \",\", -1)", NULL, "error");
    UM_TE("$join([\"a\", \"b\"], \"-\")", NULL, "\"a-b\"");
    UM_TE("$join([1])", NULL, "error");
    UM_TE("$replace(\"hello\", \"l\", \"L\")", NULL, "\"heLLo\"");
    UM_TE("$replace(\"2024-01-15\", /(\\d+)-(\\d+)-(\\d+)/, \"$3/$2/$1\")",
          NULL, "\"15/01/2024\"");
    UM_TE("$replace(\"abc\", /b/, \"[$0$$]\")", NULL, "\"a[b$]c\"");
    UM_TE("$replace(\"aaa\", /a/, \"b\", 2)", NULL, "\"bba\"");
    UM_TE("$replace(\"abc\", \"\", \"x\")", NULL, "error");
    UM_TE("$replace(\"abc\", /x*/, \"-\")", NULL, "error");
    UM_TE("$match(\"a1b22\", /(\\d)(\\d)?/)", NULL,
          "[{\"match\":\"1\",\"index\":1,\"groups\":[\"1\",null]},"
          "{\"match\":\"22\",\"index\":3,\"groups\":[\"2\",\"2\"]}]");
    UM_TE("$match(\"\xf0\x9f\x98\x80" "a\", /a/)", NULL,
          "{\"match\":\"a\",\"index\":2,\"groups\":[]}");
    UM_TE("$match(\"abc\", /x/)", NULL, "undefined");
    UM_TE("$match(\"abc\", \"b\")", NULL, "error");

    /* numbers */
    UM_TE("$round(2.5)", NULL, "2");
    UM_TE("$round(3.5)", NULL, "4");
    UM_TE("$round(-2.5)", NULL, "-2");
    UM_TE("$round(1.005, 2)", NULL, "1");
    UM_TE("$round(123.455, 2)", NULL, "123.46");
    UM_TE("$round(125, -1)", NULL, "120");
    UM_TE("$floor(-1.5)", NULL, "-2");
    UM_TE("$ceil(1.2)", NULL, "2");
    UM_TE("$abs(-3)", NULL, "3");
    UM_TE("$sqrt(16)", NULL, "4");
    UM_TE("$sqrt(-1)", NULL, "error");
    UM_TE("$power(2, 10)", NULL, "1024");

    /* objects and arrays */
    UM_TE("$keys({\"a\": 1, \"b\": 2})", NULL, "[\"a\",\"b\"]");
    UM_TE("$keys({\"a\": 1})", NULL, "\"a\"");
    UM_TE("$keys($arr)", NULL, "\"a\"");
    UM_TE("$lookup({\"a\": 1}, \"a\")", NULL, "1");
    UM_TE("$lookup($arr, \"a\")", NULL, "[1,2]");
    UM_TE("$merge([{\"a\": 1}, {\"b\": 2}, {\"a\": 3}])", NULL,
          "{\"a\":3,\"b\":2}");
    UM_TE("$append([1], 2)", NULL, "[1,2]");
    UM_TE("$append(missing, 2)", "{}", "2");
    UM_TE("$spread({\"a\": 1, \"b\": 2})", NULL, "[{\"a\":1},{\"b\":2}]");
    UM_TE("$reverse([1, 2, 3])", NULL, "[3,2,1]");
    UM_TE("$distinct([1, 1, \"1\", [1], [1]])", NULL, "[1,\"1\",[1]]");
    UM_TE("$type([])", NULL, "\"array\"");
    UM_TE("$error(\"boom\")", NULL, "error");
    UM_TE("$assert(false, \"nope\")", NULL, "error");
    UM_TE("$assert(true)", NULL, "undefined");

    /* dates */
    UM_TE("$fromMillis(1700000000123)", NULL, "\"2023-11-14T22:13:20.123Z\"");
    UM_TE("$toMillis(\"2023-11-14T22:13:20.123Z\")", NULL, "1700000000123");
    UM_TE("$toMillis(\"2024-03-01T10:00:00+01:00\")", NULL, "1709283600000");
    UM_TE("$toMillis(\"2024-02-30\")", NULL, "error");
    UM_TE("$toMillis(5)", NULL, "5");
    UM_TE("$now()", NULL, "\"2023-11-14T22:13:20.000Z\"");
    UM_TE("$millis()", NULL, "1700000000000");
    UM_TE("$startOfDay(\"2024-01-31T13:45:10Z\")", NULL, "1706659200000");
    UM_TE("$startOfMonth(\"2024-01-31T13:45:10Z\")", NULL, "1704067200000");
    UM_TE("$endOfMonth(\"2024-01-31T13:45:10Z\")", NULL, "1706745600000");
    UM_TE("$addDays(0, 2)", NULL, "172800000");
    UM_TE("$addMonths(\"2024-01-31\", 1)", NULL, "1709164800000");
    UM_TE("$formatDate(\"2024-01-31T13:45:10.250Z\", "
          "\"YYYY-MM-DD HH:mm:ss.SSS\")", NULL, "\"2024-01-31 13:45:10.250\"");
    UM_TE("$toSeconds(1999)", NULL, "1");
    UM_TE("$toIso(0)", NULL, "\"1970-01-01T00:00:00.000Z\"");
    UM_TE("$toIso(\"junk\")", NULL, "error");
    UM_TE("$startOfDay(missing)", "{}", "undefined");

    /* context substitution and signature checks */
    UM_TE("s.$uppercase()", NULL, "undefined");
    UM_TE("$uppercase()", "\"abc\"", "\"ABC\"");
    UM_TE("$uppercase()", "5", "error");
    UM_TE("$uppercase(5)", NULL, "error");
    UM_TE("$substring(1)", "\"hello\"", "\"ello\"");
}


static void
um_t_undefined(void)
{
    static const char  *exprs[] = {
        "m", "m.a", "m[0]", "m + 1", "-m", "m < 1", "$string(m)",
        "$number(m)", "$substring(m, 1)", "$uppercase(m)", "$length(m)",
        "$trim(m)", "$round(m)", "$abs(m)", "$floor(m)", "$keys(m)",
        "$lookup(m, \"a\")", "$merge(m)", "$split(m, \",\")", "$join(m)",
        "$replace(m, \"a\", \"b\")", "$match(m, /a/)", "$fromMillis(m)",
        "$toMillis(m)", "$sum(m)", "$max(m)", "$average(m)", "$boolean(m)",
        "$not(m)", "$reverse(m)", "$distinct(m)", "$type(m)", "$toIso(m)",
        "$formatDate(m, \"YYYY\")", "m ? 1", "[m][0]", "{\"a\": m}.a",
        "m.$string()", "$addMonths(m, 1)", "$pad(m, 2)", NULL
    };
    const char  **e;

    for (e = exprs; *e; e++) {
        UM_TE(*e, "{\"a\": 1}", "undefined");
    }
}


static void
um_t_api(void)
{
    char          buf[UM_NUM_BUF];
    size_t        used;
    json_t       *j, *s;
    um_expr_t    *e;
    um_eval_t     ev;
    um_value_t    v, r, obj;
    um_t_ctx_t    t;
    um_object_t  *o;
    um_array_t   *a;
    json_error_t  jerr;

    /* numbers as JavaScript writes them */
    UM_T(um_num_format(0.1 + 0.2, buf) == 19
         && strcmp(buf, "0.30000000000000004") == 0);
    um_num_format(1e21, buf);
    UM_T(strcmp(buf, "1e+21") == 0);
    um_num_format(1e-7, buf);
    UM_T(strcmp(buf, "1e-7") == 0);
    um_num_format(123.0, buf);
    UM_T(strcmp(buf, "123") == 0);
    um_num_format(-0.0, buf);
    UM_T(strcmp(buf, "0") == 0);
    um_num_format(1.5e-6, buf);
    UM_T(strcmp(buf, "0.0000015") == 0);
    um_num_format(-1.2345e25, buf);
    UM_T(strcmp(buf, "-1.2345e+25") == 0);
    um_num_format(5e-324, buf);
    UM_T(strcmp(buf, "5e-324") == 0);
    um_num_format(1.7976931348623157e308, buf);
    UM_T(strcmp(buf, "1.7976931348623157e+308") == 0);
    um_num_format(9007199254740993.0, buf);
    UM_T(strcmp(buf, "9007199254740992") == 0);
    um_num_format(1152921504606846976.0, buf);
    UM_T(strcmp(buf, "1152921504606847000") == 0);
    um_num_format(NAN, buf);
    UM_T(strcmp(buf, "null") == 0);
    um_num_format(-INFINITY, buf);
    UM_T(strcmp(buf, "null") == 0);

    /* jansson values */
    j = json_loads("{\"i\": 42, \"r\": 1.5, \"s\": \"a\\u0000b\", \"t\": true,"
                   " \"n\": null, \"a\": [1, 2], \"o\": {\"k\": 1}, \"e\": {}}",
                   JSON_ALLOW_NUL, &jerr);
    UM_T(j != NULL);

    v = um_from_json(j);
    UM_T(v.type == UM_JSON && um_is_object(v) && !um_is_array(v));
    UM_T(um_get(v, "i", 1).type == UM_NUM && um_get(v, "i", 1).u.n == 42);
    UM_T(um_get(v, "r", 1).u.n == 1.5);
    r = um_get(v, "s", 1);
    UM_T(r.type == UM_STR && r.len == 3 && memcmp(r.u.s, "a\0b", 3) == 0);
    UM_T(um_get(v, "t", 1).type == UM_BOOL && um_get(v, "t", 1).u.b);
    UM_T(um_get(v, "n", 1).type == UM_NULL);
    UM_T(um_get(v, "x", 1).type == UM_UNDEF);
    r = um_get(v, "a", 1);
    UM_T(um_is_array(r) && um_len(r) == 2 && um_at(r, 1).u.n == 2);
    UM_T(um_at(r, 5).type == UM_UNDEF);
    UM_T(um_len(v) == 0);
    UM_T(strcmp(um_type_name(r), "array") == 0);
    UM_T(strcmp(um_type_name(v), "object") == 0);
    UM_T(strcmp(um_type_name(um_undef()), "undefined") == 0);
    UM_T(um_truthy(v) && !um_truthy(um_get(v, "e", 1)));
    UM_T(um_truthy(r) && !um_truthy(um_num(0)) && !um_truthy(um_str("", 0)));
    UM_T(!um_truthy(um_null()) && !um_truthy(um_undef()));

    s = json_integer(9007199254740993LL);
    UM_T(um_from_json(s).u.n == 9007199254740992.0);
    json_decref(s);

    /* arena objects and arrays */
    um_t_init(&t, NULL);

    o = um_obj_new(t.ea, 0);
    UM_T(o != NULL);
    UM_T(um_obj_set(t.ea, o, "k", 1, um_num(1)) == UM_OK);
    UM_T(um_obj_set(t.ea, o, "k", 1, um_num(2)) == UM_OK && o->n == 1);
    memset(&obj, 0, sizeof(obj));
    obj.type = UM_OBJ;
    obj.u.o = o;
    UM_T(um_get(obj, "k", 1).u.n == 2);
    UM_T(um_equal(obj, um_get(v, "o", 1)) == 0);
    UM_T(um_obj_set(t.ea, o, "k", 1, um_num(1)) == UM_OK);
    UM_T(um_equal(obj, um_get(v, "o", 1)));
    UM_T(um_equal(um_get(v, "o", 1), obj));

    a = um_arr_new(t.ea, 0);
    UM_T(a != NULL && um_arr_push(t.ea, a, um_num(1)) == UM_OK
         && um_arr_push(t.ea, a, um_num(2)) == UM_OK);
    memset(&r, 0, sizeof(r));
    r.type = UM_ARR;
    r.u.a = a;
    UM_T(um_equal(r, um_get(v, "a", 1)) && um_len(r) == 2);
    UM_T(um_str_dup(t.ea, "abc", 3, &r) == UM_OK && r.len == 3);

    /* constants and paths */
    e = UM_TCOMP("1 + 2");
    UM_T(e && um_expr_constant(e, &r) && r.type == UM_NUM && r.u.n == 3);
    UM_T(e && !um_expr_is_path(e));

    e = UM_TCOMP("{\"a\": [1, \"x\" & \"y\"]}");
    UM_T(e && um_expr_constant(e, &r) && r.type == UM_OBJ);

    e = UM_TCOMP("\"a\" - 1");
    UM_T(e && !um_expr_constant(e, &r));

    e = UM_TCOMP("$x + 1");
    UM_T(e && !um_expr_constant(e, &r));

    e = UM_TCOMP("$now()");
    UM_T(e && !um_expr_constant(e, &r));

    e = UM_TCOMP("a.b.`c d`");
    UM_T(e && um_expr_is_path(e) && !um_expr_constant(e, &r));

    e = UM_TCOMP("a.b[0]");
    UM_T(e && !um_expr_is_path(e));

    /* simple paths over objects allocate nothing */
    e = UM_TCOMP("o.k");
    UM_T(e != NULL);

    memset(&ev, 0, sizeof(ev));
    ev.arena = t.ea;
    ev.vars = t.vars;
    ev.root = v;
    ev.err = &t.err;

    used = um_arena_used(t.ea);
    UM_T(e && um_expr_eval(e, &ev, v, &r) == UM_OK && r.u.n == 1);
    UM_T(um_arena_used(t.ea) == used);

    e = UM_TCOMP("a");
    UM_T(e && um_expr_eval(e, &ev, v, &r) == UM_OK && um_len(r) == 2);
    UM_T(um_arena_used(t.ea) == used);

    /* the evaluation arena's limit: an error, not a crash */
    um_arena_destroy(t.ea);
    t.ea = um_arena_create(1024, 4096);
    ev.arena = t.ea;

    e = UM_TCOMP("[1..$x * 10000]");
    UM_T(e && um_expr_eval(e, &ev, v, &r) == UM_ERR
         && strstr(t.err.msg, "out of memory") != NULL);

    e = UM_TCOMP("$join($split($string([1..1000]), \",\"))");
    UM_T(e && um_expr_eval(e, &ev, v, &r) == UM_ERR);

    um_arena_destroy(t.ea);
    t.ea = um_arena_create(0, 0);
    ev.arena = t.ea;

    /* one compiled expression, many evaluations and arena resets */
    e = UM_TCOMP("a.$replace($string(), /(\\d)/, \"<$1>\")");
    UM_T(e != NULL);

    for (used = 0; used < 100 && e; used++) {
        UM_T(um_expr_eval(e, &ev, v, &r) == UM_OK && um_len(r) == 2
             && um_at(r, 1).len == 3);
        um_arena_reset(t.ea);
    }

    /* a result used as the next input is a plain array document */
    e = UM_TCOMP("a.$string()");
    UM_T(e && um_expr_eval(e, &ev, v, &r) == UM_OK && um_len(r) == 2);
    e = UM_TCOMP("{\"n\": $count($), \"first\": $[0], \"all\": $}");
    UM_T(e && um_expr_eval(e, &ev, r, &r) == UM_OK && r.type == UM_OBJ
         && um_get(r, "n", 1).u.n == 2
         && um_get(r, "first", 5).type == UM_STR
         && um_len(um_get(r, "all", 3)) == 2);

    /* locals start afresh at every evaluation */
    e = UM_TCOMP("( $n := $n + $x; $n )");
    UM_T(e && um_expr_eval(e, &ev, v, &r) == UM_OK && r.type == UM_UNDEF);
    e = UM_TCOMP("( $n := $x; $n := $n + 1; $n )");
    UM_T(e && um_expr_eval(e, &ev, v, &r) == UM_OK && r.u.n == 11);
    UM_T(e && um_expr_eval(e, &ev, v, &r) == UM_OK && r.u.n == 11);

    /* one regex, many matches in one evaluation and across evaluations */
    e = UM_TCOMP("[1..50].$replace($string($), /(\\d)$/, \"<$1>\")");
    UM_T(e != NULL);

    for (used = 0; used < 20 && e; used++) {
        UM_T(um_expr_eval(e, &ev, v, &r) == UM_OK && um_len(r) == 50
             && um_at(r, 49).len == 4
             && memcmp(um_at(r, 49).u.s, "5<0>", 4) == 0);
    }

    um_t_free(&t);
    json_decref(j);
}


int
main(void)
{
    um_t_compile_errors();
    um_t_paths();
    um_t_operators();
    um_t_functions();
    um_t_undefined();
    um_t_api();

    printf("test_expr: %d checks, %d failed\n", um_t_run, um_t_failed);

    return um_t_failed ? 1 : 0;
}
