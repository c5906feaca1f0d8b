/*
 * The expression compiler: a lexer and a Pratt parser that follow the
 * reference implementation's (jsonata-js parser.js) token by token, so that
 * what parses there parses here the same way; then a pass that rewrites
 * the parse tree as the reference's processAST does (paths of steps,
 * predicates, stages), resolves variables and functions, compiles regular
 * expressions, and folds constant subtrees.
 *
 * The subset, by binding power (higher binds tighter):
 *
 *   80  a[pred]  a[]  f(args)            predicate, keep array, call
 *   75  a.b                              map / path step
 *   70  -a  a{k: v}                      negation (prefix), group-by
 *   60  *  /  %                          also prefix * and ** (wildcards)
 *   50  +  -  &
 *   40  =  !=  <  <=  >  >=  in  ??  ?:
 *   30  and
 *   25  or
 *   20  a ? b : c                        else part optional
 *   10  $v := a                          right associative
 *
 * Operands: "str" 'str' (JSON escapes), numbers, true, false, null, names
 * and `quoted names`, $ $$ $name, (a; b; ...) blocks, [a, b, x..y] arrays,
 * {k: v, ...} objects, /re/flags as arguments of the regex functions.
 * Rejected with "unsupported: ...": function(){} lambdas, ~>, @, #, ^(),
 * |..|, %, partial application, calling anything but a built-in.
 */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "um_expr_int.h"


/* the largest constant folded at compile time, in arena bytes */
#define UM_FOLD_MAX  (256 * 1024)


typedef enum {
    UM_T_END = 0,
    UM_T_NAME,
    UM_T_VAR,
    UM_T_OP,
    UM_T_STR,
    UM_T_NUM,
    UM_T_VALUE,
    UM_T_REGEX
} um_tok_type_e;


typedef enum {
    UM_O_NONE = 0,
    UM_O_DOT, UM_O_LBRACK, UM_O_RBRACK, UM_O_LBRACE, UM_O_RBRACE,
    UM_O_LPAREN, UM_O_RPAREN, UM_O_COMMA, UM_O_AT, UM_O_HASH, UM_O_SEMI,
    UM_O_COLON, UM_O_QUEST, UM_O_PLUS, UM_O_MINUS, UM_O_STAR, UM_O_SLASH,
    UM_O_PERCENT, UM_O_PIPE, UM_O_EQ, UM_O_LT, UM_O_GT, UM_O_CARET,
    UM_O_AMP, UM_O_BANG, UM_O_TILDE, UM_O_DOTDOT, UM_O_ASSIGN, UM_O_NE,
    UM_O_LE, UM_O_GE, UM_O_DSTAR, UM_O_CHAIN, UM_O_ELVIS, UM_O_COALESCE,
    UM_O_AND, UM_O_OR, UM_O_IN,
    UM_O_N
} um_opid_e;


typedef struct {
    int              type;
    int              op;
    size_t           pos;
    size_t           end;
    const char      *s;          /* names, variables, regex pattern */
    size_t           len;
    const char      *flags;      /* regex flags */
    size_t           flen;
    um_value_t       val;        /* literals */
} um_tok_t;


typedef struct um_blk_s  um_blk_t;

struct um_blk_s {
    um_blk_t        *up;
    const char     **names;
    size_t          *lens;
    int             *slots;
    uint32_t         n;
    uint32_t         cap;
};


typedef struct {
    um_arena_t        *a;
    const char        *src;
    size_t             len;
    size_t             pos;          /* lexer position */
    um_tok_t           tok;          /* the current token */
    um_error_t        *err;
    int                failed;
    unsigned           rdepth;       /* parser recursion */
    const um_scope_t  *scope;
    um_blk_t          *blk;
    uint32_t           nlocals;
    uint32_t           nregex;
} um_parser_t;


static const char  *um_op_text[UM_O_N] = {
    "", ".", "[", "]", "{", "}", "(", ")", ",", "@", "#", ";", ":", "?",
    "+", "-", "*", "/", "%", "|", "=", "<", ">", "^", "&", "!", "~", "..",
    ":=", "!=", "<=", ">=", "**", "~>", "?:", "??", "and", "or", "in"
};

/* left binding powers, as the reference's symbol table ends up with */
static const int  um_op_lbp[UM_O_N] = {
    0, 75, 80, 0, 70, 0, 80, 0, 0, 80, 80, 0, 0, 20,
    50, 50, 60, 60, 60, 0, 40, 40, 40, 40, 50, 0, 0, 0,
    10, 40, 40, 40, 0, 40, 40, 40, 30, 25, 40
};


static int um_perr(um_parser_t *p, size_t pos, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
static int um_lex(um_parser_t *p, int infix);
static int um_lex_token(um_parser_t *p, int infix);
static int um_lex_string(um_parser_t *p, char quote);
static int um_lex_regex(um_parser_t *p);
static int um_lex_number(um_parser_t *p);
static int um_is_opchar(int c);
static int um_advance(um_parser_t *p, int op, int infix);
static um_node_t *um_node(um_parser_t *p, int type, size_t pos);
static int um_node_kid(um_parser_t *p, um_node_t *n, um_node_t *kid);
static int um_node_height(um_parser_t *p, um_node_t *n);
static um_node_t *um_expression(um_parser_t *p, int rbp);
static um_node_t *um_nud(um_parser_t *p, um_tok_t *t);
static um_node_t *um_led(um_parser_t *p, um_tok_t *t, um_node_t *left);
static um_node_t *um_parse_object(um_parser_t *p, um_node_t *n);
static const char *um_tok_desc(um_parser_t *p, um_tok_t *t, char *buf,
    size_t size);

static um_node_t *um_build(um_parser_t *p, um_node_t *n);
static um_node_t *um_build_dot(um_parser_t *p, um_node_t *n);
static um_node_t *um_build_filter(um_parser_t *p, um_node_t *n);
static um_node_t *um_build_call(um_parser_t *p, um_node_t *n);
static um_node_t *um_build_block(um_parser_t *p, um_node_t *n);
static int um_build_list(um_parser_t *p, um_node_t **list, uint32_t n);
static int um_prescan(um_parser_t *p, um_blk_t *b, um_node_t *n);
static int um_blk_find(um_blk_t *b, const char *name, size_t len);
static int um_resolve(um_parser_t *p, um_blk_t *from, const char *name,
    size_t len, int *kind, int *idx);
static int um_make_binds(um_parser_t *p, um_blk_t *b, um_binding_t **binds,
    uint32_t *nbinds);
static int um_scope_find(const um_scope_t *scope, const char *name,
    size_t len);
static int um_fold(um_parser_t *p, um_node_t *n);
static int um_fold_list(um_parser_t *p, um_node_t **list, uint32_t n,
    unsigned *deps);
static void um_mark_simple(um_node_t *n);
static size_t um_utf8_bad(const char *s, size_t len);


static int
um_perr(um_parser_t *p, size_t pos, const char *fmt, ...)
{
    size_t       i, line, col;
    va_list      args;
    um_error_t  *err;

    if (p->failed) {
        return UM_ERR;
    }

    p->failed = 1;
    err = p->err;

    if (err == NULL) {
        return UM_ERR;
    }

    err->status = 0;

    va_start(args, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, args);
    va_end(args);

    /* lines and columns count characters, not bytes */

    line = 1;
    col = 1;

    if (pos > p->len) {
        pos = p->len;
    }

    for (i = 0; i < pos; i++) {
        if (p->src[i] == '\n') {
            line++;
            col = 1;

        } else if (((unsigned char) p->src[i] & 0xc0) != 0x80) {
            col++;
        }
    }

    err->line = line;
    err->col = col;

    return UM_ERR;
}


/* lexer */


static int
um_is_opchar(int c)
{
    switch (c) {
    case '.': case '[': case ']': case '{': case '}': case '(': case ')':
    case ',': case '@': case '#': case ';': case ':': case '?': case '+':
    case '-': case '*': case '/': case '%': case '|': case '=': case '<':
    case '>': case '^': case '&': case '!': case '~':
        return 1;
    }

    return 0;
}


static int
um_is_ws(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v';
}


/*
 * Reads the next token into p->tok.  infix is the reference's "prefix"
 * argument: after an operand a '/' divides, elsewhere it opens a regex.
 */

static int
um_lex(um_parser_t *p, int infix)
{
    if (um_lex_token(p, infix) != UM_OK) {
        return UM_ERR;
    }

    p->tok.end = p->pos;

    return UM_OK;
}


static int
um_lex_token(um_parser_t *p, int infix)
{
    int          op;
    char         c, c2;
    size_t       start, i;
    const char  *s;

    s = p->src;

    for ( ;; ) {
        while (p->pos < p->len && um_is_ws((unsigned char) s[p->pos])) {
            p->pos++;
        }

        if (p->pos + 1 < p->len && s[p->pos] == '/' && s[p->pos + 1] == '*')
        {
            start = p->pos;
            p->pos += 2;

            for ( ;; ) {
                if (p->pos + 1 >= p->len) {
                    return um_perr(p, start, "unterminated comment");
                }

                if (s[p->pos] == '*' && s[p->pos + 1] == '/') {
                    p->pos += 2;
                    break;
                }

                p->pos++;
            }

            continue;
        }

        break;
    }

    memset(&p->tok, 0, sizeof(um_tok_t));
    p->tok.pos = p->pos;

    if (p->pos >= p->len) {
        p->tok.type = UM_T_END;
        return UM_OK;
    }

    c = s[p->pos];
    c2 = p->pos + 1 < p->len ? s[p->pos + 1] : '\0';

    if (!infix && c == '/') {
        p->pos++;
        return um_lex_regex(p);
    }

    op = UM_O_NONE;

    switch (c) {
    case '.':
        op = c2 == '.' ? UM_O_DOTDOT : UM_O_DOT;
        break;
    case ':':
        op = c2 == '=' ? UM_O_ASSIGN : UM_O_COLON;
        break;
    case '!':
        op = c2 == '=' ? UM_O_NE : UM_O_BANG;
        break;
    case '>':
        op = c2 == '=' ? UM_O_GE : UM_O_GT;
        break;
    case '<':
        op = c2 == '=' ? UM_O_LE : UM_O_LT;
        break;
    case '*':
        op = c2 == '*' ? UM_O_DSTAR : UM_O_STAR;
        break;
    case '~':
        op = c2 == '>' ? UM_O_CHAIN : UM_O_TILDE;
        break;
    case '?':
        op = c2 == ':' ? UM_O_ELVIS : (c2 == '?' ? UM_O_COALESCE : UM_O_QUEST);
        break;
    case '[': op = UM_O_LBRACK; break;
    case ']': op = UM_O_RBRACK; break;
    case '{': op = UM_O_LBRACE; break;
    case '}': op = UM_O_RBRACE; break;
    case '(': op = UM_O_LPAREN; break;
    case ')': op = UM_O_RPAREN; break;
    case ',': op = UM_O_COMMA; break;
    case '@': op = UM_O_AT; break;
    case '#': op = UM_O_HASH; break;
    case ';': op = UM_O_SEMI; break;
    case '+': op = UM_O_PLUS; break;
    case '-': op = UM_O_MINUS; break;
    case '/': op = UM_O_SLASH; break;
    case '%': op = UM_O_PERCENT; break;
    case '|': op = UM_O_PIPE; break;
    case '=': op = UM_O_EQ; break;
    case '^': op = UM_O_CARET; break;
    case '&': op = UM_O_AMP; break;
    }

    if (op != UM_O_NONE) {
        if (op == UM_O_BANG || op == UM_O_TILDE) {
            return um_perr(p, p->pos, "unknown operator \"%c\"", c);
        }

        p->pos += strlen(um_op_text[op]);
        p->tok.type = UM_T_OP;
        p->tok.op = op;
        return UM_OK;
    }

    if (c == '"' || c == '\'') {
        return um_lex_string(p, c);
    }

    if (c >= '0' && c <= '9') {
        return um_lex_number(p);
    }

    if (c == '`') {
        start = p->pos;

        for (i = p->pos + 1; i < p->len && s[i] != '`'; i++) {
            /* void */
        }

        if (i >= p->len) {
            return um_perr(p, start, "unterminated quoted name");
        }

        p->tok.type = UM_T_NAME;
        p->tok.s = um_strndup(p->a, s + start + 1, i - start - 1);
        p->tok.len = i - start - 1;
        p->pos = i + 1;

        if (p->tok.s == NULL) {
            return um_perr(p, start, "out of memory");
        }

        return UM_OK;
    }

    /* a name runs to whitespace or an operator character */

    start = p->pos;

    for (i = p->pos; i < p->len; i++) {
        if (um_is_ws((unsigned char) s[i])
            || um_is_opchar((unsigned char) s[i]))
        {
            break;
        }
    }

    p->pos = i;

    if (s[start] == '$') {
        p->tok.type = UM_T_VAR;
        p->tok.s = um_strndup(p->a, s + start + 1, i - start - 1);
        p->tok.len = i - start - 1;

    } else {
        p->tok.type = UM_T_NAME;
        p->tok.s = um_strndup(p->a, s + start, i - start);
        p->tok.len = i - start;
    }

    if (p->tok.s == NULL) {
        return um_perr(p, start, "out of memory");
    }

    if (p->tok.type == UM_T_NAME) {
        if (p->tok.len == 3 && memcmp(p->tok.s, "and", 3) == 0) {
            p->tok.type = UM_T_OP;
            p->tok.op = UM_O_AND;

        } else if (p->tok.len == 2 && memcmp(p->tok.s, "or", 2) == 0) {
            p->tok.type = UM_T_OP;
            p->tok.op = UM_O_OR;

        } else if (p->tok.len == 2 && memcmp(p->tok.s, "in", 2) == 0) {
            p->tok.type = UM_T_OP;
            p->tok.op = UM_O_IN;

        } else if (p->tok.len == 4 && memcmp(p->tok.s, "true", 4) == 0) {
            p->tok.type = UM_T_VALUE;
            p->tok.val = um_bool(1);

        } else if (p->tok.len == 5 && memcmp(p->tok.s, "false", 5) == 0) {
            p->tok.type = UM_T_VALUE;
            p->tok.val = um_bool(0);

        } else if (p->tok.len == 4 && memcmp(p->tok.s, "null", 4) == 0) {
            p->tok.type = UM_T_VALUE;
            p->tok.val = um_null();
        }
    }

    return UM_OK;
}


static int
um_hexval(int c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }

    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }

    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }

    return -1;
}


static int
um_hex4(const char *s, size_t avail, unsigned *v)
{
    int     h;
    size_t  i;

    if (avail < 4) {
        return -1;
    }

    *v = 0;

    for (i = 0; i < 4; i++) {
        h = um_hexval((unsigned char) s[i]);
        if (h < 0) {
            return -1;
        }

        *v = (*v << 4) | (unsigned) h;
    }

    return 0;
}


static int
um_lex_string(um_parser_t *p, char quote)
{
    char         c, *d, *data;
    size_t       start, i, esc;
    unsigned     cp, lo;
    const char  *s;

    s = p->src;
    start = p->pos;

    /* find the end first: the decoded string is never longer */

    for (i = start + 1; i < p->len && s[i] != quote; i++) {
        if (s[i] == '\\') {
            i++;
        }
    }

    if (i >= p->len) {
        return um_perr(p, start, "unterminated string");
    }

    data = um_alloc(p->a, i - start);
    if (data == NULL) {
        return um_perr(p, start, "out of memory");
    }

    d = data;

    for (i = start + 1; i < p->len; i++) {
        c = s[i];

        if (c == quote) {
            p->pos = i + 1;
            p->tok.type = UM_T_STR;
            p->tok.val = um_str(data, (size_t) (d - data));
            return UM_OK;
        }

        if (c != '\\') {
            *d++ = c;
            continue;
        }

        esc = i;
        i++;

        switch (s[i]) {
        case '"': *d++ = '"'; continue;
        case '\\': *d++ = '\\'; continue;
        case '/': *d++ = '/'; continue;
        case 'b': *d++ = '\b'; continue;
        case 'f': *d++ = '\f'; continue;
        case 'n': *d++ = '\n'; continue;
        case 'r': *d++ = '\r'; continue;
        case 't': *d++ = '\t'; continue;
        case 'u':
            break;
        default:
            return um_perr(p, esc, "unsupported escape sequence \"\\%c\"",
                           s[i]);
        }

        if (um_hex4(s + i + 1, p->len - i - 1, &cp) != 0) {
            return um_perr(p, esc,
                           "the escape sequence \\u must be followed by "
                           "4 hex digits");
        }

        i += 4;

        if (cp >= 0xd800 && cp <= 0xdbff) {
            /* a surrogate pair written as two escapes */
            if (i + 2 < p->len && s[i + 1] == '\\' && s[i + 2] == 'u'
                && um_hex4(s + i + 3, p->len - i - 3, &lo) == 0
                && lo >= 0xdc00 && lo <= 0xdfff)
            {
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                i += 6;

            } else {
                return um_perr(p, esc, "unpaired surrogate in \\u escape");
            }

        } else if (cp >= 0xdc00 && cp <= 0xdfff) {
            return um_perr(p, esc, "unpaired surrogate in \\u escape");
        }

        if (cp < 0x80) {
            *d++ = (char) cp;

        } else if (cp < 0x800) {
            *d++ = (char) (0xc0 | (cp >> 6));
            *d++ = (char) (0x80 | (cp & 0x3f));

        } else if (cp < 0x10000) {
            *d++ = (char) (0xe0 | (cp >> 12));
            *d++ = (char) (0x80 | ((cp >> 6) & 0x3f));
            *d++ = (char) (0x80 | (cp & 0x3f));

        } else {
            *d++ = (char) (0xf0 | (cp >> 18));
            *d++ = (char) (0x80 | ((cp >> 12) & 0x3f));
            *d++ = (char) (0x80 | ((cp >> 6) & 0x3f));
            *d++ = (char) (0x80 | (cp & 0x3f));
        }
    }

    return um_perr(p, start, "unterminated string");
}


static int
um_lex_number(um_parser_t *p)
{
    char         buf[64], *tmp;
    double       d;
    size_t       i, start, n;
    const char  *s;

    /* (0|[1-9][0-9]*)(\.[0-9]+)?([Ee][-+]?[0-9]+)? */

    s = p->src;
    start = p->pos;
    i = start;

    if (s[i] == '0') {
        i++;

    } else {
        while (i < p->len && s[i] >= '0' && s[i] <= '9') {
            i++;
        }
    }

    if (i + 1 < p->len && s[i] == '.' && s[i + 1] >= '0' && s[i + 1] <= '9')
    {
        i += 2;

        while (i < p->len && s[i] >= '0' && s[i] <= '9') {
            i++;
        }
    }

    if (i < p->len && (s[i] == 'e' || s[i] == 'E')) {
        n = i + 1;

        if (n < p->len && (s[n] == '+' || s[n] == '-')) {
            n++;
        }

        if (n < p->len && s[n] >= '0' && s[n] <= '9') {
            while (n < p->len && s[n] >= '0' && s[n] <= '9') {
                n++;
            }

            i = n;
        }
    }

    n = i - start;

    if (n < sizeof(buf)) {
        memcpy(buf, s + start, n);
        buf[n] = '\0';
        d = strtod(buf, NULL);

    } else {
        tmp = um_strndup(p->a, s + start, n);
        if (tmp == NULL) {
            return um_perr(p, start, "out of memory");
        }

        d = strtod(tmp, NULL);
    }

    if (isinf(d) || isnan(d)) {
        return um_perr(p, start, "number out of range: %.*s",
                       (int) (n > 40 ? 40 : n), s + start);
    }

    p->pos = i;
    p->tok.type = UM_T_NUM;
    p->tok.val = um_num(d);

    return UM_OK;
}


static int
um_lex_regex(um_parser_t *p)
{
    int          depth;
    char         c;
    size_t       start, i, k, bs;
    const char  *s;

    /* the reference's scanRegex: a '/' closes unless escaped or inside
     * brackets; the bracket count ignores only directly escaped ones */

    s = p->src;
    start = p->pos;
    depth = 0;

    for (i = start; i < p->len; i++) {
        c = s[i];

        if (c == '/' && depth == 0) {
            bs = 0;

            while (i - bs > 0 && s[i - bs - 1] == '\\') {
                bs++;
            }

            if (bs % 2 == 0) {
                break;
            }
        }

        if ((c == '(' || c == '[' || c == '{') && (i == 0 || s[i - 1] != '\\'))
        {
            depth++;
        }

        if ((c == ')' || c == ']' || c == '}') && (i == 0 || s[i - 1] != '\\'))
        {
            depth--;
        }
    }

    if (i >= p->len) {
        return um_perr(p, start - 1, "unterminated regular expression");
    }

    if (i == start) {
        return um_perr(p, start - 1, "empty regular expression");
    }

    p->tok.type = UM_T_REGEX;
    p->tok.pos = start - 1;
    p->tok.s = s + start;
    p->tok.len = i - start;

    for (k = i + 1; k < p->len && (s[k] == 'i' || s[k] == 'm'); k++) {
        /* void */
    }

    p->tok.flags = s + i + 1;
    p->tok.flen = k - i - 1;
    p->pos = k;

    return UM_OK;
}


/* parser */


static const char *
um_tok_desc(um_parser_t *p, um_tok_t *t, char *buf, size_t size)
{
    size_t  n;

    switch (t->type) {

    case UM_T_END:
        return "end of expression";

    case UM_T_OP:
        snprintf(buf, size, "\"%s\"", um_op_text[t->op]);
        return buf;

    case UM_T_REGEX:
        return "regular expression";

    default:
        n = t->end > t->pos ? t->end - t->pos : 0;
        if (n > 40) {
            n = 40;
        }

        snprintf(buf, size, "\"%.*s\"", (int) n, p->src + t->pos);
        return buf;
    }
}


static int
um_advance(um_parser_t *p, int op, int infix)
{
    char  buf[64];

    if (op != UM_O_NONE
        && (p->tok.type != UM_T_OP || p->tok.op != op))
    {
        if (p->tok.type == UM_T_END) {
            return um_perr(p, p->tok.pos,
                           "expected \"%s\" before end of expression",
                           um_op_text[op]);
        }

        return um_perr(p, p->tok.pos, "expected \"%s\", got %s",
                       um_op_text[op], um_tok_desc(p, &p->tok, buf,
                                                   sizeof(buf)));
    }

    return um_lex(p, infix);
}


static int
um_is_op(um_parser_t *p, int op)
{
    return p->tok.type == UM_T_OP && p->tok.op == op;
}


static um_node_t *
um_node(um_parser_t *p, int type, size_t pos)
{
    um_node_t  *n;

    n = um_calloc(p->a, sizeof(um_node_t));
    if (n == NULL) {
        um_perr(p, pos, "out of memory");
        return NULL;
    }

    n->type = (uint8_t) type;
    n->pos = (uint32_t) pos;
    n->slot = -1;
    n->depth = 1;

    return n;
}


static int
um_push_node(um_parser_t *p, um_node_t ***list, uint32_t *n, um_node_t *kid)
{
    um_node_t  **items;

    /* grows by doubling; the arena reallocates in place when it can */

    if ((*n & (*n - 1)) == 0) {
        items = um_realloc(p->a, *list, *n * sizeof(um_node_t *),
                           (*n ? *n * 2 : 1) * sizeof(um_node_t *));
        if (items == NULL) {
            return um_perr(p, kid->pos, "out of memory");
        }

        *list = items;
    }

    (*list)[(*n)++] = kid;

    return UM_OK;
}


static int
um_node_kid(um_parser_t *p, um_node_t *n, um_node_t *kid)
{
    if (um_push_node(p, &n->kids, &n->nkids, kid) != UM_OK) {
        return UM_ERR;
    }

    if (kid->depth + 1 > n->depth) {
        n->depth = kid->depth + 1;
    }

    return um_node_height(p, n);
}


static int
um_node_height(um_parser_t *p, um_node_t *n)
{
    uint32_t  d;

    d = 1;

    if (n->lhs && n->lhs->depth + 1 > d) {
        d = n->lhs->depth + 1;
    }

    if (n->rhs && n->rhs->depth + 1 > d) {
        d = n->rhs->depth + 1;
    }

    if (n->third && n->third->depth + 1 > d) {
        d = n->third->depth + 1;
    }

    if (d > n->depth) {
        n->depth = d;
    }

    /* every later pass recurses over the tree: bound its height */

    if (n->depth > UM_EXPR_MAX_DEPTH) {
        return um_perr(p, n->pos, "expression too deeply nested");
    }

    return UM_OK;
}


static um_node_t *
um_expression(um_parser_t *p, int rbp)
{
    um_tok_t    t;
    um_node_t  *left;

    if (++p->rdepth > UM_EXPR_MAX_DEPTH) {
        um_perr(p, p->tok.pos, "expression too deeply nested");
        return NULL;
    }

    t = p->tok;

    if (um_lex(p, 1) != UM_OK) {
        return NULL;
    }

    left = um_nud(p, &t);
    if (left == NULL) {
        return NULL;
    }

    while (p->tok.type == UM_T_OP && rbp < um_op_lbp[p->tok.op]) {
        t = p->tok;

        if (um_lex(p, 0) != UM_OK) {
            return NULL;
        }

        left = um_led(p, &t, left);
        if (left == NULL) {
            return NULL;
        }
    }

    p->rdepth--;

    return left;
}


static um_node_t *
um_nud(um_parser_t *p, um_tok_t *t)
{
    char        buf[64];
    um_node_t  *n, *item, *range;

    switch (t->type) {

    case UM_T_NAME:
        n = um_node(p, UM_N_NAME, t->pos);
        if (n) {
            n->val = um_str(t->s, t->len);
        }

        return n;

    case UM_T_VAR:
        n = um_node(p, UM_N_VARREF, t->pos);
        if (n) {
            n->val = um_str(t->s, t->len);
        }

        return n;

    case UM_T_STR:
    case UM_T_NUM:
    case UM_T_VALUE:
        n = um_node(p, UM_N_LIT, t->pos);
        if (n) {
            n->val = t->val;
            n->flags = t->type == UM_T_STR ? UM_NF_STRLIT
                       : (t->type == UM_T_NUM ? UM_NF_NUMLIT : UM_NF_VALLIT);
        }

        return n;

    case UM_T_REGEX:
        n = um_node(p, UM_N_REGEX, t->pos);
        if (n) {
            n->val = um_str(t->s, t->len);
            n->lhs = NULL;
            /* flags kept in a second string node */
            n->third = um_node(p, UM_N_LIT, t->pos);
            if (n->third == NULL) {
                return NULL;
            }

            n->third->val = um_str(t->flags, t->flen);
        }

        return n;

    case UM_T_END:
        um_perr(p, t->pos, "unexpected end of expression");
        return NULL;
    }

    /* operators in prefix position */

    switch (t->op) {

    case UM_O_AND:
    case UM_O_OR:
    case UM_O_IN:
        /* keywords double as field names */
        n = um_node(p, UM_N_NAME, t->pos);
        if (n) {
            n->val = um_str(um_op_text[t->op], strlen(um_op_text[t->op]));
        }

        return n;

    case UM_O_MINUS:
        n = um_node(p, UM_N_NEG, t->pos);
        if (n == NULL) {
            return NULL;
        }

        n->lhs = um_expression(p, 70);
        if (n->lhs == NULL || um_node_height(p, n) != UM_OK) {
            return NULL;
        }

        return n;

    case UM_O_STAR:
        return um_node(p, UM_N_WILD, t->pos);

    case UM_O_DSTAR:
        return um_node(p, UM_N_DESC, t->pos);

    case UM_O_PERCENT:
        um_perr(p, t->pos, "unsupported: parent operator \"%%\"");
        return NULL;

    case UM_O_PIPE:
        um_perr(p, t->pos, "unsupported: transform \"|...|\"");
        return NULL;

    case UM_O_LPAREN:
        n = um_node(p, UM_N_BLOCK, t->pos);
        if (n == NULL) {
            return NULL;
        }

        while (!um_is_op(p, UM_O_RPAREN)) {
            item = um_expression(p, 0);
            if (item == NULL || um_node_kid(p, n, item) != UM_OK) {
                return NULL;
            }

            if (!um_is_op(p, UM_O_SEMI)) {
                break;
            }

            if (um_advance(p, UM_O_SEMI, 0) != UM_OK) {
                return NULL;
            }
        }

        if (um_advance(p, UM_O_RPAREN, 1) != UM_OK) {
            return NULL;
        }

        return n;

    case UM_O_LBRACK:
        n = um_node(p, UM_N_ARRAY, t->pos);
        if (n == NULL) {
            return NULL;
        }

        n->flags |= UM_NF_ARRAY_CTOR;

        if (!um_is_op(p, UM_O_RBRACK)) {
            for ( ;; ) {
                item = um_expression(p, 0);
                if (item == NULL) {
                    return NULL;
                }

                if (um_is_op(p, UM_O_DOTDOT)) {
                    range = um_node(p, UM_N_RANGE, p->tok.pos);
                    if (range == NULL
                        || um_advance(p, UM_O_DOTDOT, 0) != UM_OK)
                    {
                        return NULL;
                    }

                    range->lhs = item;
                    range->rhs = um_expression(p, 0);
                    if (range->rhs == NULL
                        || um_node_height(p, range) != UM_OK)
                    {
                        return NULL;
                    }

                    item = range;
                }

                if (um_node_kid(p, n, item) != UM_OK) {
                    return NULL;
                }

                if (!um_is_op(p, UM_O_COMMA)) {
                    break;
                }

                if (um_advance(p, UM_O_COMMA, 0) != UM_OK) {
                    return NULL;
                }
            }
        }

        if (um_advance(p, UM_O_RBRACK, 1) != UM_OK) {
            return NULL;
        }

        return n;

    case UM_O_LBRACE:
        n = um_node(p, UM_N_OBJECT, t->pos);
        if (n == NULL) {
            return NULL;
        }

        return um_parse_object(p, n);
    }

    um_perr(p, t->pos, "unexpected %s", um_tok_desc(p, t, buf, sizeof(buf)));

    return NULL;
}


static um_node_t *
um_parse_object(um_parser_t *p, um_node_t *n)
{
    um_node_t  *k, *v;

    if (!um_is_op(p, UM_O_RBRACE)) {
        for ( ;; ) {
            k = um_expression(p, 0);
            if (k == NULL || um_advance(p, UM_O_COLON, 0) != UM_OK) {
                return NULL;
            }

            v = um_expression(p, 0);
            if (v == NULL) {
                return NULL;
            }

            if (um_node_kid(p, n, k) != UM_OK || um_node_kid(p, n, v) != UM_OK)
            {
                return NULL;
            }

            if (!um_is_op(p, UM_O_COMMA)) {
                break;
            }

            if (um_advance(p, UM_O_COMMA, 0) != UM_OK) {
                return NULL;
            }
        }
    }

    if (um_advance(p, UM_O_RBRACE, 1) != UM_OK) {
        return NULL;
    }

    return n;
}


static um_node_t *
um_led(um_parser_t *p, um_tok_t *t, um_node_t *left)
{
    int         bp;
    um_node_t  *n, *arg, *step;

    bp = um_op_lbp[t->op];

    switch (t->op) {

    case UM_O_DOT:
    case UM_O_PLUS:
    case UM_O_MINUS:
    case UM_O_STAR:
    case UM_O_SLASH:
    case UM_O_PERCENT:
    case UM_O_EQ:
    case UM_O_LT:
    case UM_O_GT:
    case UM_O_NE:
    case UM_O_LE:
    case UM_O_GE:
    case UM_O_AMP:
    case UM_O_AND:
    case UM_O_OR:
    case UM_O_IN:
        n = um_node(p, UM_N_BINARY, t->pos);
        if (n == NULL) {
            return NULL;
        }

        switch (t->op) {
        case UM_O_DOT: n->type = UM_N_DOT; break;
        case UM_O_AND: n->type = UM_N_AND; break;
        case UM_O_OR: n->type = UM_N_OR; break;
        case UM_O_PLUS: n->op = UM_OP_ADD; break;
        case UM_O_MINUS: n->op = UM_OP_SUB; break;
        case UM_O_STAR: n->op = UM_OP_MUL; break;
        case UM_O_SLASH: n->op = UM_OP_DIV; break;
        case UM_O_PERCENT: n->op = UM_OP_MOD; break;
        case UM_O_EQ: n->op = UM_OP_EQ; break;
        case UM_O_NE: n->op = UM_OP_NE; break;
        case UM_O_LT: n->op = UM_OP_LT; break;
        case UM_O_LE: n->op = UM_OP_LE; break;
        case UM_O_GT: n->op = UM_OP_GT; break;
        case UM_O_GE: n->op = UM_OP_GE; break;
        case UM_O_AMP: n->op = UM_OP_CONCAT; break;
        case UM_O_IN: n->op = UM_OP_IN; break;
        }

        n->lhs = left;
        n->rhs = um_expression(p, bp);
        if (n->rhs == NULL || um_node_height(p, n) != UM_OK) {
            return NULL;
        }

        return n;

    case UM_O_CHAIN:
        um_perr(p, t->pos, "unsupported: function application \"~>\"");
        return NULL;

    case UM_O_CARET:
        um_perr(p, t->pos, "unsupported: sorting \"^(...)\"");
        return NULL;

    case UM_O_AT:
        um_perr(p, t->pos, "unsupported: context variable binding \"@\"");
        return NULL;

    case UM_O_HASH:
        um_perr(p, t->pos, "unsupported: positional variable binding \"#\"");
        return NULL;

    case UM_O_COALESCE:
    case UM_O_ELVIS:
        n = um_node(p, t->op == UM_O_ELVIS ? UM_N_ELVIS : UM_N_COALESCE,
                    t->pos);
        if (n == NULL) {
            return NULL;
        }

        n->lhs = left;
        n->rhs = um_expression(p, 0);
        if (n->rhs == NULL || um_node_height(p, n) != UM_OK) {
            return NULL;
        }

        return n;

    case UM_O_QUEST:
        n = um_node(p, UM_N_COND, t->pos);
        if (n == NULL) {
            return NULL;
        }

        n->lhs = left;
        n->rhs = um_expression(p, 0);
        if (n->rhs == NULL) {
            return NULL;
        }

        if (um_is_op(p, UM_O_COLON)) {
            if (um_advance(p, UM_O_COLON, 0) != UM_OK) {
                return NULL;
            }

            n->third = um_expression(p, 0);
            if (n->third == NULL) {
                return NULL;
            }
        }

        if (um_node_height(p, n) != UM_OK) {
            return NULL;
        }

        return n;

    case UM_O_ASSIGN:
        if (left->type != UM_N_VARREF) {
            um_perr(p, left->pos,
                    "the left side of \":=\" must be a variable name");
            return NULL;
        }

        n = um_node(p, UM_N_BIND, t->pos);
        if (n == NULL) {
            return NULL;
        }

        n->lhs = left;
        n->rhs = um_expression(p, bp - 1);
        if (n->rhs == NULL || um_node_height(p, n) != UM_OK) {
            return NULL;
        }

        return n;

    case UM_O_LPAREN:
        if (left->type == UM_N_NAME
            && ((left->val.len == 8
                 && memcmp(left->val.u.s, "function", 8) == 0)
                || (left->val.len == 2
                    && memcmp(left->val.u.s, "\xce\xbb", 2) == 0)))
        {
            um_perr(p, left->pos, "unsupported: lambda functions");
            return NULL;
        }

        n = um_node(p, UM_N_FNCALL, t->pos);
        if (n == NULL) {
            return NULL;
        }

        n->lhs = left;

        if (!um_is_op(p, UM_O_RPAREN)) {
            for ( ;; ) {
                if (um_is_op(p, UM_O_QUEST)) {
                    um_perr(p, p->tok.pos,
                            "unsupported: partial function application");
                    return NULL;
                }

                arg = um_expression(p, 0);
                if (arg == NULL || um_node_kid(p, n, arg) != UM_OK) {
                    return NULL;
                }

                if (!um_is_op(p, UM_O_COMMA)) {
                    break;
                }

                if (um_advance(p, UM_O_COMMA, 0) != UM_OK) {
                    return NULL;
                }
            }
        }

        if (um_advance(p, UM_O_RPAREN, 1) != UM_OK
            || um_node_height(p, n) != UM_OK)
        {
            return NULL;
        }

        return n;

    case UM_O_LBRACK:
        if (um_is_op(p, UM_O_RBRACK)) {
            /* a[] : keep singleton arrays, flagged on the innermost step */
            step = left;

            while (step->type == UM_N_FILTER) {
                step = step->lhs;
            }

            step->flags |= UM_NF_KEEP_ARRAY;

            if (um_advance(p, UM_O_RBRACK, 0) != UM_OK) {
                return NULL;
            }

            return left;
        }

        n = um_node(p, UM_N_FILTER, t->pos);
        if (n == NULL) {
            return NULL;
        }

        n->lhs = left;
        n->rhs = um_expression(p, 0);
        if (n->rhs == NULL || um_advance(p, UM_O_RBRACK, 1) != UM_OK
            || um_node_height(p, n) != UM_OK)
        {
            return NULL;
        }

        return n;

    case UM_O_LBRACE:
        n = um_node(p, UM_N_GROUP, t->pos);
        if (n == NULL) {
            return NULL;
        }

        n->lhs = left;

        if (um_parse_object(p, n) == NULL || um_node_height(p, n) != UM_OK) {
            return NULL;
        }

        return n;
    }

    /* not reached: only operators with a left binding power get here */
    um_perr(p, t->pos, "unexpected \"%s\"", um_op_text[t->op]);

    return NULL;
}


/* compiler: the reference's processAST, plus resolution and folding */


static um_node_t *
um_build(um_parser_t *p, um_node_t *n)
{
    int         kind, idx;
    um_node_t  *r, *path;

    switch (n->type) {

    case UM_N_LIT:
    case UM_N_WILD:
    case UM_N_DESC:
        r = n;
        break;

    case UM_N_NAME:
        path = um_node(p, UM_N_PATH, n->pos);
        if (path == NULL || um_node_kid(p, path, n) != UM_OK) {
            return NULL;
        }

        if (n->flags & UM_NF_KEEP_ARRAY) {
            path->flags |= UM_NF_KEEP_SINGLE;
        }

        r = path;
        break;

    case UM_N_VARREF:
        if (n->val.len == 0) {
            n->type = UM_N_CTX;

        } else if (n->val.len == 1 && n->val.u.s[0] == '$') {
            n->type = UM_N_ROOT;

        } else {
            if (um_resolve(p, p->blk, n->val.u.s, n->val.len, &kind, &idx)
                != UM_OK)
            {
                return NULL;
            }

            if (kind == 0) {
                um_perr(p, n->pos, "unknown variable $%.*s",
                        (int) (n->val.len > 64 ? 64 : n->val.len),
                        n->val.u.s);
                return NULL;
            }

            n->type = (uint8_t) kind;
            n->slot = idx;
        }

        n->flags |= UM_NF_VARSTEP;
        r = n;
        break;

    case UM_N_REGEX:
        um_perr(p, n->pos,
                "unsupported: regular expression outside the arguments of "
                "$match, $contains, $replace and $split");
        return NULL;

    case UM_N_NEG:
        n->lhs = um_build(p, n->lhs);
        if (n->lhs == NULL) {
            return NULL;
        }

        /* a negative number literal is a number literal */
        if (n->lhs->type == UM_N_LIT && (n->lhs->flags & UM_NF_NUMLIT)) {
            r = n->lhs;
            r->val.u.n = -r->val.u.n;
            r->pos = n->pos;
            break;
        }

        r = n;
        break;

    case UM_N_ARRAY:
    case UM_N_OBJECT:
        if (um_build_list(p, n->kids, n->nkids) != UM_OK) {
            return NULL;
        }

        r = n;
        break;

    case UM_N_BINARY:
    case UM_N_AND:
    case UM_N_OR:
    case UM_N_RANGE:
    case UM_N_ELVIS:
    case UM_N_COALESCE:
    case UM_N_COND:
        n->lhs = um_build(p, n->lhs);
        if (n->lhs == NULL) {
            return NULL;
        }

        n->rhs = um_build(p, n->rhs);
        if (n->rhs == NULL) {
            return NULL;
        }

        if (n->third) {
            n->third = um_build(p, n->third);
            if (n->third == NULL) {
                return NULL;
            }
        }

        r = n;
        break;

    case UM_N_BIND:
        if (um_resolve(p, p->blk, n->lhs->val.u.s, n->lhs->val.len, &kind,
                       &idx) != UM_OK)
        {
            return NULL;
        }

        /* the prescan bound it in this block */
        n->slot = idx;
        n->rhs = um_build(p, n->rhs);
        if (n->rhs == NULL) {
            return NULL;
        }

        n->lhs = NULL;
        r = n;
        break;

    case UM_N_DOT:
        r = um_build_dot(p, n);
        break;

    case UM_N_FILTER:
        r = um_build_filter(p, n);
        break;

    case UM_N_GROUP:
        r = um_build(p, n->lhs);
        if (r == NULL) {
            return NULL;
        }

        if (r->ngroup) {
            um_perr(p, n->pos, "a group-by cannot follow another group-by");
            return NULL;
        }

        if (um_build_list(p, n->kids, n->nkids) != UM_OK) {
            return NULL;
        }

        r->group = n->kids;
        r->ngroup = n->nkids;
        break;

    case UM_N_FNCALL:
        r = um_build_call(p, n);
        break;

    case UM_N_BLOCK:
        r = um_build_block(p, n);
        break;

    default:
        um_perr(p, n->pos, "internal error: unexpected node");
        return NULL;
    }

    if (r && (n->flags & UM_NF_KEEP_ARRAY)) {
        r->flags |= UM_NF_KEEP_ARRAY;
    }

    return r;
}


static int
um_build_list(um_parser_t *p, um_node_t **list, uint32_t n)
{
    uint32_t  i;

    for (i = 0; i < n; i++) {
        list[i] = um_build(p, list[i]);
        if (list[i] == NULL) {
            return UM_ERR;
        }
    }

    return UM_OK;
}


static um_node_t *
um_build_dot(um_parser_t *p, um_node_t *n)
{
    uint32_t    i;
    um_node_t  *l, *rest, *path, *step;

    l = um_build(p, n->lhs);
    if (l == NULL) {
        return NULL;
    }

    if (l->type == UM_N_PATH) {
        path = l;

    } else {
        path = um_node(p, UM_N_PATH, n->pos);
        if (path == NULL || um_node_kid(p, path, l) != UM_OK) {
            return NULL;
        }
    }

    rest = um_build(p, n->rhs);
    if (rest == NULL) {
        return NULL;
    }

    if (rest->type == UM_N_PATH) {
        for (i = 0; i < rest->nkids; i++) {
            if (um_node_kid(p, path, rest->kids[i]) != UM_OK) {
                return NULL;
            }
        }

    } else {
        /* predicates of a step filter each of its results */
        if (rest->npreds) {
            rest->stages = rest->preds;
            rest->nstages = rest->npreds;
            rest->preds = NULL;
            rest->npreds = 0;
        }

        if (um_node_kid(p, path, rest) != UM_OK) {
            return NULL;
        }
    }

    for (i = 0; i < path->nkids; i++) {
        step = path->kids[i];

        if (step->type == UM_N_LIT && (step->flags & UM_NF_NUMLIT)) {
            um_perr(p, step->pos, "a path step cannot be a number");
            return NULL;
        }

        if (step->type == UM_N_LIT && (step->flags & UM_NF_VALLIT)) {
            um_perr(p, step->pos,
                    "a path step cannot be true, false or null");
            return NULL;
        }

        if (step->type == UM_N_LIT && (step->flags & UM_NF_STRLIT)) {
            /* "name" as a step is a field name */
            step->type = UM_N_NAME;
            step->flags &= ~UM_NF_STRLIT;
        }

        if (step->flags & UM_NF_KEEP_ARRAY) {
            path->flags |= UM_NF_KEEP_SINGLE;
        }
    }

    step = path->kids[0];
    if (step->type == UM_N_ARRAY) {
        step->flags |= UM_NF_CONSARRAY;
    }

    step = path->kids[path->nkids - 1];
    if (step->type == UM_N_ARRAY) {
        step->flags |= UM_NF_CONSARRAY;
    }

    return path;
}


static um_node_t *
um_build_filter(um_parser_t *p, um_node_t *n)
{
    um_node_t  *r, *step, *pred;

    r = um_build(p, n->lhs);
    if (r == NULL) {
        return NULL;
    }

    step = r->type == UM_N_PATH ? r->kids[r->nkids - 1] : r;

    if (step->ngroup) {
        um_perr(p, n->pos, "a predicate cannot follow a group-by");
        return NULL;
    }

    pred = um_build(p, n->rhs);
    if (pred == NULL) {
        return NULL;
    }

    if (r->type == UM_N_PATH) {
        if (um_push_node(p, &step->stages, &step->nstages, pred) != UM_OK) {
            return NULL;
        }

    } else if (um_push_node(p, &step->preds, &step->npreds, pred) != UM_OK) {
        return NULL;
    }

    return r;
}


static um_node_t *
um_build_call(um_parser_t *p, um_node_t *n)
{
    int               kind, idx;
    size_t           erroff;
    uint32_t          i;
    um_node_t        *proc, *arg;
    const char       *name;
    const um_func_t  *fn;
    char              msg[256];

    proc = n->lhs;

    if (proc->type != UM_N_VARREF) {
        um_perr(p, proc->pos,
                "unsupported: calling anything but a built-in function");
        return NULL;
    }

    name = proc->val.u.s;

    fn = um_func_find(name, proc->val.len);

    if (fn == NULL) {
        if (um_func_unsupported(name, proc->val.len)) {
            um_perr(p, proc->pos, "unsupported: function $%.*s",
                    (int) proc->val.len, name);
            return NULL;
        }

        if (um_resolve(p, p->blk, name, proc->val.len, &kind, &idx)
            == UM_OK && kind != 0)
        {
            um_perr(p, proc->pos, "unsupported: calling variable $%.*s",
                    (int) proc->val.len, name);
            return NULL;
        }

        um_perr(p, proc->pos, "unknown function $%.*s",
                (int) (proc->val.len > 64 ? 64 : proc->val.len), name);
        return NULL;
    }

    n->sig = um_calloc(p->a, sizeof(um_sig_t));
    if (n->sig == NULL) {
        um_perr(p, n->pos, "out of memory");
        return NULL;
    }

    if (um_sig_parse(fn->sig, n->sig) != UM_OK) {
        um_perr(p, n->pos, "internal error: bad signature of $%s", fn->name);
        return NULL;
    }

    if (((fn->flags & UM_FN_NOPIC) && n->nkids >= 2)
        || ((fn->flags & UM_FN_NOARGS) && n->nkids >= 1))
    {
        um_perr(p, n->kids[n->nkids >= 2 && (fn->flags & UM_FN_NOPIC)
                           ? 1 : 0]->pos,
                "unsupported: the picture and timezone arguments of $%s",
                fn->name);
        return NULL;
    }

    if ((int) n->nkids > n->sig->n || (int) n->nkids < n->sig->min) {
        if (n->sig->min == n->sig->n) {
            um_perr(p, proc->pos, "$%s takes %d argument%s, not %u",
                    fn->name, n->sig->n, n->sig->n == 1 ? "" : "s",
                    n->nkids);

        } else {
            um_perr(p, proc->pos, "$%s takes %d to %d arguments, not %u",
                    fn->name, n->sig->min, n->sig->n, n->nkids);
        }

        return NULL;
    }

    for (i = 0; i < n->nkids; i++) {
        arg = n->kids[i];

        if (arg->type == UM_N_REGEX && (fn->flags & UM_FN_REGEX)) {
            if (um_regex_compile(p->a, arg->val.u.s, arg->val.len,
                                 arg->third->val.u.s, arg->third->val.len,
                                 p->nregex, &arg->re, &erroff, msg,
                                 sizeof(msg))
                != UM_OK)
            {
                um_perr(p, arg->pos + 1 + erroff,
                        "invalid regular expression: %s", msg);
                return NULL;
            }

            p->nregex++;
            arg->third = NULL;
            continue;
        }

        n->kids[i] = um_build(p, arg);
        if (n->kids[i] == NULL) {
            return NULL;
        }
    }

    n->type = UM_N_CALL;
    n->fn = fn;
    n->lhs = NULL;

    return n;
}


static um_node_t *
um_build_block(um_parser_t *p, um_node_t *n)
{
    uint32_t    i;
    um_blk_t   *b;
    um_node_t  *part;

    b = um_calloc(p->a, sizeof(um_blk_t));
    if (b == NULL) {
        um_perr(p, n->pos, "out of memory");
        return NULL;
    }

    b->up = p->blk;

    for (i = 0; i < n->nkids; i++) {
        if (um_prescan(p, b, n->kids[i]) != UM_OK) {
            return NULL;
        }
    }

    if (um_make_binds(p, b, &n->binds, &n->nbinds) != UM_OK) {
        return NULL;
    }

    p->blk = b;

    for (i = 0; i < n->nkids; i++) {
        part = um_build(p, n->kids[i]);
        if (part == NULL) {
            return NULL;
        }

        n->kids[i] = part;

        if ((part->type == UM_N_ARRAY && (part->flags & UM_NF_CONSARRAY))
            || (part->type == UM_N_BLOCK && (part->flags & UM_NF_CONSARRAY))
            || (part->type == UM_N_PATH
                && (part->kids[0]->flags & UM_NF_CONSARRAY)))
        {
            n->flags |= UM_NF_CONSARRAY;
        }
    }

    p->blk = b->up;

    return n;
}


/*
 * Collects the variables bound (":=") in a subtree into block b, not
 * looking into nested blocks, which bind into their own frames.
 */

static int
um_prescan(um_parser_t *p, um_blk_t *b, um_node_t *n)
{
    uint32_t      i;
    size_t        len;
    const char   *name;
    int          *slots;
    size_t       *lens;
    const char  **names;

    if (n == NULL || n->type == UM_N_BLOCK) {
        return UM_OK;
    }

    if (n->type == UM_N_BIND) {
        name = n->lhs->val.u.s;
        len = n->lhs->val.len;

        if (len == 0 || (len == 1 && name[0] == '$')) {
            return um_perr(p, n->lhs->pos,
                           "cannot bind the context or root variable");
        }

        if (um_blk_find(b, name, len) < 0) {
            if (b->n == b->cap) {
                b->cap = b->cap ? b->cap * 2 : 4;
                names = um_alloc(p->a, b->cap * sizeof(char *));
                lens = um_alloc(p->a, b->cap * sizeof(size_t));
                slots = um_alloc(p->a, b->cap * sizeof(int));

                if (names == NULL || lens == NULL || slots == NULL) {
                    return um_perr(p, n->pos, "out of memory");
                }

                if (b->n) {
                    memcpy(names, b->names, b->n * sizeof(char *));
                    memcpy(lens, b->lens, b->n * sizeof(size_t));
                    memcpy(slots, b->slots, b->n * sizeof(int));
                }

                b->names = names;
                b->lens = lens;
                b->slots = slots;
            }

            b->names[b->n] = name;
            b->lens[b->n] = len;
            b->slots[b->n] = (int) p->nlocals++;
            b->n++;
        }
    }

    if (um_prescan(p, b, n->lhs) != UM_OK
        || um_prescan(p, b, n->rhs) != UM_OK
        || um_prescan(p, b, n->third) != UM_OK)
    {
        return UM_ERR;
    }

    for (i = 0; i < n->nkids; i++) {
        if (um_prescan(p, b, n->kids[i]) != UM_OK) {
            return UM_ERR;
        }
    }

    return UM_OK;
}


static int
um_blk_find(um_blk_t *b, const char *name, size_t len)
{
    uint32_t  i;

    for (i = 0; i < b->n; i++) {
        if (b->lens[i] == len && memcmp(b->names[i], name, len) == 0) {
            return b->slots[i];
        }
    }

    return -1;
}


static int
um_scope_find(const um_scope_t *scope, const char *name, size_t len)
{
    size_t  i;

    if (scope == NULL) {
        return -1;
    }

    for (i = 0; i < scope->n; i++) {
        if (scope->names[i] && strlen(scope->names[i]) == len
            && memcmp(scope->names[i], name, len) == 0)
        {
            return (int) i;
        }
    }

    return -1;
}


static int
um_resolve(um_parser_t *p, um_blk_t *from, const char *name, size_t len,
    int *kind, int *idx)
{
    int        slot;
    um_blk_t  *b;

    (void) p;

    for (b = from; b; b = b->up) {
        slot = um_blk_find(b, name, len);
        if (slot >= 0) {
            *kind = UM_N_LOCAL;
            *idx = slot;
            return UM_OK;
        }
    }

    slot = um_scope_find(p->scope, name, len);
    if (slot >= 0) {
        *kind = UM_N_VAR;
        *idx = slot;
        return UM_OK;
    }

    *kind = 0;
    *idx = -1;

    return UM_OK;
}


/*
 * A block's locals start as the enclosing binding of the same name: until
 * the block assigns one, a lookup finds the outer value, as the
 * reference's frames do.
 */

static int
um_make_binds(um_parser_t *p, um_blk_t *b, um_binding_t **binds,
    uint32_t *nbinds)
{
    int            kind, idx;
    uint32_t       i;
    um_binding_t  *bd;

    *binds = NULL;
    *nbinds = 0;

    if (b->n == 0) {
        return UM_OK;
    }

    bd = um_alloc(p->a, b->n * sizeof(um_binding_t));
    if (bd == NULL) {
        return um_perr(p, 0, "out of memory");
    }

    for (i = 0; i < b->n; i++) {
        um_resolve(p, b->up, b->names[i], b->lens[i], &kind, &idx);
        bd[i].slot = b->slots[i];
        bd[i].outer_kind = kind;
        bd[i].outer = idx;
    }

    *binds = bd;
    *nbinds = b->n;

    return UM_OK;
}


/*
 * Folding: a subtree that reads neither the context, the root, variables
 * nor the clock is evaluated once, here, in the compile arena.  If that
 * fails (a type error, say) it is left alone: the error belongs to the
 * evaluations that reach it, if any.
 */

static int
um_fold_list(um_parser_t *p, um_node_t **list, uint32_t n, unsigned *deps)
{
    uint32_t  i;

    for (i = 0; i < n; i++) {
        if (um_fold(p, list[i]) != UM_OK) {
            return UM_ERR;
        }

        *deps |= list[i]->deps;
    }

    return UM_OK;
}


static int
um_fold(um_parser_t *p, um_node_t *n)
{
    int          i, rc;
    unsigned     deps, d;
    uint32_t     k, j;
    um_es_t      es;
    um_arena_t  *scratch;
    um_eval_t    ev;
    um_error_t   err;
    um_value_t   v;
    um_node_t   *step;

    deps = 0;

    switch (n->type) {

    case UM_N_LIT:
    case UM_N_REGEX:
        break;

    case UM_N_NAME:
    case UM_N_WILD:
    case UM_N_DESC:
    case UM_N_CTX:
        deps = UM_D_CTX;
        break;

    case UM_N_ROOT:
        deps = UM_D_ROOT;
        break;

    case UM_N_VAR:
    case UM_N_LOCAL:
        deps = UM_D_VAR;
        break;

    case UM_N_BIND:
        if (um_fold(p, n->rhs) != UM_OK) {
            return UM_ERR;
        }

        deps = UM_D_SIDE | n->rhs->deps;
        break;

    case UM_N_PATH:
        for (k = 0; k < n->nkids; k++) {
            step = n->kids[k];

            if (um_fold(p, step) != UM_OK) {
                return UM_ERR;
            }

            d = step->deps;

            for (j = 0; j < step->nstages; j++) {
                d |= step->stages[j]->deps & ~UM_D_CTX;
            }

            if (k == 0) {
                /* the first step runs once per item of the context */
                deps = d;

                if (!(step->flags & UM_NF_CONSARRAY)) {
                    deps |= UM_D_CTX;
                }

            } else {
                deps |= d & ~UM_D_CTX;
            }
        }

        break;

    case UM_N_CALL:
        if (um_fold_list(p, n->kids, n->nkids, &deps) != UM_OK) {
            return UM_ERR;
        }

        if (n->fn->flags & UM_FN_NOW) {
            deps |= UM_D_NOW;
        }

        /* a parameter may take the context when arguments are missing */
        for (i = 0; i < n->sig->n; i++) {
            if (n->sig->p[i].ctx && (int) n->nkids < n->sig->n) {
                deps |= UM_D_CTX;
            }
        }

        break;

    default:
        if ((n->lhs && um_fold(p, n->lhs) != UM_OK)
            || (n->rhs && um_fold(p, n->rhs) != UM_OK)
            || (n->third && um_fold(p, n->third) != UM_OK))
        {
            return UM_ERR;
        }

        deps = (n->lhs ? n->lhs->deps : 0) | (n->rhs ? n->rhs->deps : 0)
               | (n->third ? n->third->deps : 0);

        if (um_fold_list(p, n->kids, n->nkids, &deps) != UM_OK) {
            return UM_ERR;
        }
    }

    /* predicates and group-by see the node's results as their context */

    d = 0;

    if (um_fold_list(p, n->preds, n->npreds, &d) != UM_OK
        || um_fold_list(p, n->group, n->ngroup, &d) != UM_OK)
    {
        return UM_ERR;
    }

    deps |= d & ~UM_D_CTX;

    /* stages filter the node's results in the enclosing path: the path
     * accounts for them, they are not part of the node's own value */

    d = 0;

    if (um_fold_list(p, n->stages, n->nstages, &d) != UM_OK) {
        return UM_ERR;
    }

    n->deps = deps;

    if (deps != 0 || n->type == UM_N_LIT || n->type == UM_N_REGEX) {
        return UM_OK;
    }

    /* a trial in a small scratch arena first: a constant too big to keep
     * (say [1..10000000]) is left to the evaluations and their limits */

    scratch = um_arena_create(0, UM_FOLD_MAX);
    if (scratch == NULL) {
        return UM_OK;
    }

    memset(&ev, 0, sizeof(um_eval_t));
    memset(&es, 0, sizeof(um_es_t));
    memset(&err, 0, sizeof(um_error_t));

    ev.arena = scratch;
    ev.err = &err;
    es.ev = &ev;
    es.a = scratch;

    rc = um_eval_run(&es, n, um_undef(), &v);

    um_arena_destroy(scratch);

    if (rc != UM_OK) {
        return UM_OK;
    }

    memset(&es, 0, sizeof(um_es_t));
    ev.arena = p->a;
    es.ev = &ev;
    es.a = p->a;

    if (um_eval_run(&es, n, um_undef(), &v) != UM_OK) {
        return UM_OK;
    }

    n->type = UM_N_LIT;
    n->val = v;
    n->flags = (uint16_t) ((n->flags & (UM_NF_ARRAY_CTOR | UM_NF_CONSARRAY))
                           | UM_NF_FOLDED);
    n->lhs = NULL;
    n->rhs = NULL;
    n->third = NULL;
    n->kids = NULL;
    n->nkids = 0;
    n->preds = NULL;
    n->npreds = 0;
    n->group = NULL;
    n->ngroup = 0;
    n->fn = NULL;

    return UM_OK;
}


static void
um_mark_simple(um_node_t *n)
{
    uint32_t    i;
    um_node_t  *step;

    if (n->type != UM_N_PATH
        || (n->flags & (UM_NF_KEEP_SINGLE | UM_NF_KEEP_ARRAY))
        || n->npreds || n->ngroup)
    {
        return;
    }

    for (i = 0; i < n->nkids; i++) {
        step = n->kids[i];

        if (step->type != UM_N_NAME || step->nstages || step->npreds
            || step->ngroup || (step->flags & UM_NF_KEEP_ARRAY))
        {
            return;
        }
    }

    n->flags |= UM_NF_SIMPLE;
}


static void
um_mark_all(um_node_t *n)
{
    uint32_t  i;

    if (n == NULL) {
        return;
    }

    um_mark_simple(n);
    um_mark_all(n->lhs);
    um_mark_all(n->rhs);
    um_mark_all(n->third);

    for (i = 0; i < n->nkids; i++) {
        um_mark_all(n->kids[i]);
    }

    for (i = 0; i < n->npreds; i++) {
        um_mark_all(n->preds[i]);
    }

    for (i = 0; i < n->nstages; i++) {
        um_mark_all(n->stages[i]);
    }

    for (i = 0; i < n->ngroup; i++) {
        um_mark_all(n->group[i]);
    }
}


/* offset of the first byte that is not valid UTF-8 */

static size_t
um_utf8_bad(const char *s, size_t len)
{
    size_t  i, n;

    for (i = 0; i < len; i += n) {
        for (n = 1; n <= 4 && i + n <= len; n++) {
            if (um_utf8_valid(s + i, n)) {
                break;
            }
        }

        if (n > 4 || i + n > len) {
            return i;
        }
    }

    return len;
}


um_expr_t *
um_expr_compile(um_arena_t *a, const char *src, size_t len,
    const um_scope_t *scope, um_error_t *err)
{
    um_blk_t      top;
    um_expr_t    *e;
    um_node_t    *root;
    um_parser_t   p;

    memset(&p, 0, sizeof(um_parser_t));
    memset(&top, 0, sizeof(um_blk_t));

    p.a = a;
    p.src = src;
    p.len = len;
    p.err = err;
    p.scope = scope;

    if (err) {
        err->line = 0;
        err->col = 0;
        err->msg[0] = '\0';
    }

    /* the source must be UTF-8: strings are, and PCRE2 runs in UTF mode */

    if (!um_utf8_valid(src, len)) {
        um_perr(&p, um_utf8_bad(src, len), "invalid UTF-8 in expression");
        return NULL;
    }

    if (um_lex(&p, 0) != UM_OK) {
        return NULL;
    }

    root = um_expression(&p, 0);
    if (root == NULL) {
        return NULL;
    }

    if (p.tok.type != UM_T_END) {
        char  buf[64];

        um_perr(&p, p.tok.pos, "unexpected %s",
                um_tok_desc(&p, &p.tok, buf, sizeof(buf)));
        return NULL;
    }

    e = um_calloc(a, sizeof(um_expr_t));
    if (e == NULL) {
        um_perr(&p, 0, "out of memory");
        return NULL;
    }

    /* the top level is a frame of its own, as the reference's */

    if (um_prescan(&p, &top, root) != UM_OK
        || um_make_binds(&p, &top, &e->binds, &e->nbinds) != UM_OK)
    {
        return NULL;
    }

    p.blk = &top;

    root = um_build(&p, root);
    if (root == NULL) {
        return NULL;
    }

    p.blk = NULL;

    e->root = root;
    e->nlocals = p.nlocals;
    e->nregex = p.nregex;

    /* folding evaluates regexes: they need their slots */
    if (um_fold(&p, root) != UM_OK) {
        return NULL;
    }

    um_mark_all(root);

    return e;
}


int
um_expr_constant(const um_expr_t *e, um_value_t *out)
{
    if (e->root->type != UM_N_LIT) {
        return 0;
    }

    *out = e->root->val;

    return 1;
}


int
um_expr_is_path(const um_expr_t *e)
{
    return e->root->type == UM_N_PATH && (e->root->flags & UM_NF_SIMPLE);
}
