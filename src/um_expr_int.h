/*
 * Internals of the expression engine, shared by the parser/compiler
 * (um_expr_parse.c), the evaluator (um_expr_eval.c) and the functions
 * (um_expr_func.c).  Not part of the engine's interface.
 */

#ifndef _UM_EXPR_INT_H_INCLUDED_
#define _UM_EXPR_INT_H_INCLUDED_


#ifndef PCRE2_CODE_UNIT_WIDTH
#define PCRE2_CODE_UNIT_WIDTH  8
#endif

#include <pcre2.h>

#include "um_expr.h"
#include "um_str.h"


/* nesting of the parse tree, and of evaluation */
#define UM_EXPR_MAX_DEPTH    256
#define UM_EVAL_MAX_DEPTH    1024

/* largest range [a..b], as JSONata */
#define UM_RANGE_MAX         10000000

/* dates the functions accept: JavaScript's Date range, in ms */
#define UM_TIME_MAX          8.64e15


/*
 * Array flags beyond UM_F_SEQ and UM_F_KEEP of um_value.h: they travel
 * with the value, as JSONata's flags travel with its arrays.
 */
#define UM_F_CONS    0x04    /* made by a constructor step: not flattened */
#define UM_F_OUTER   0x08    /* the wrapper of an array input */


typedef enum {
    UM_N_LIT = 1,        /* literal or folded constant: val */
    UM_N_NAME,           /* field name: val (string) */
    UM_N_PATH,           /* kids: the steps */
    UM_N_CTX,            /* $ */
    UM_N_ROOT,           /* $$ */
    UM_N_VAR,            /* variable of the scope: slot */
    UM_N_LOCAL,          /* variable bound in the expression: slot */
    UM_N_WILD,           /* * */
    UM_N_DESC,           /* ** */
    UM_N_NEG,            /* -lhs */
    UM_N_ARRAY,          /* [kids] */
    UM_N_OBJECT,         /* {kids[0]: kids[1], ...} */
    UM_N_RANGE,          /* lhs..rhs */
    UM_N_BINARY,         /* lhs op rhs */
    UM_N_AND,
    UM_N_OR,
    UM_N_COND,           /* lhs ? rhs : third */
    UM_N_ELVIS,          /* lhs ?: rhs */
    UM_N_COALESCE,       /* lhs ?? rhs */
    UM_N_BLOCK,          /* (kids; ...) */
    UM_N_BIND,           /* $slot := rhs */
    UM_N_CALL,           /* fn(kids) */
    UM_N_REGEX,          /* /re/ */

    /* parse tree only: rewritten by the compiler */
    UM_N_VARREF,         /* $name, unresolved: val */
    UM_N_DOT,            /* lhs.rhs */
    UM_N_FILTER,         /* lhs[rhs] */
    UM_N_GROUP,          /* lhs{kids} */
    UM_N_FNCALL          /* lhs(kids), lhs not yet a function */
} um_node_type_e;


typedef enum {
    UM_OP_NONE = 0,
    UM_OP_ADD,
    UM_OP_SUB,
    UM_OP_MUL,
    UM_OP_DIV,
    UM_OP_MOD,
    UM_OP_EQ,
    UM_OP_NE,
    UM_OP_LT,
    UM_OP_LE,
    UM_OP_GT,
    UM_OP_GE,
    UM_OP_CONCAT,
    UM_OP_IN
} um_op_e;


/* node flags */
#define UM_NF_KEEP_ARRAY   0x0001   /* a[] : keep a singleton result */
#define UM_NF_KEEP_SINGLE  0x0002   /* path: a step keeps singletons */
#define UM_NF_CONSARRAY    0x0004   /* array constructor at a path's end */
#define UM_NF_ARRAY_CTOR   0x0008   /* was an array constructor */
#define UM_NF_NUMLIT       0x0010   /* number literal of the source */
#define UM_NF_STRLIT       0x0020   /* string literal of the source */
#define UM_NF_VALLIT       0x0040   /* true, false, null of the source */
#define UM_NF_SIMPLE       0x0080   /* path of plain names: fast path */
#define UM_NF_FOLDED       0x0100   /* constant folded at compile time */
#define UM_NF_VARSTEP      0x0200   /* a variable ($, $$, $name) */


/* dependencies of a subtree, for constant folding */
#define UM_D_CTX     0x01
#define UM_D_ROOT    0x02
#define UM_D_VAR     0x04
#define UM_D_NOW     0x08
#define UM_D_SIDE    0x10


/* signature symbols, as JSONata's validator names them */
#define UM_S_S   0x01    /* string */
#define UM_S_N   0x02    /* number */
#define UM_S_B   0x04    /* boolean */
#define UM_S_L   0x08    /* null */
#define UM_S_A   0x10    /* array */
#define UM_S_O   0x20    /* object */
#define UM_S_F   0x40    /* function (a regex) */
#define UM_S_M   0x80    /* missing (undefined) */

#define UM_SIG_MAX  6


typedef struct um_node_s   um_node_t;
typedef struct um_es_s     um_es_t;
typedef struct um_func_s   um_func_t;


typedef struct {
    uint8_t            accept;      /* symbols accepted */
    uint8_t            ctx_accept;  /* context types when substituted */
    uint8_t            opt;         /* may match nothing */
    uint8_t            ctx;         /* '-': the context when not given */
    char               type;        /* 'a' for arrays, else the symbol */
    uint8_t            subtype;     /* symbol of an a<x> item, 0: any */
} um_param_t;


typedef struct {
    um_param_t         p[UM_SIG_MAX];
    int                n;
    int                min;         /* arguments that must be written */
} um_sig_t;


typedef int (*um_fn_pt)(um_es_t *s, const um_node_t *n, um_value_t *args,
    um_value_t *out);


#define UM_FN_REGEX    0x01         /* may take regex literals */
#define UM_FN_NOW      0x02         /* reads the clock */
#define UM_FN_NOPIC    0x04         /* a second argument is unsupported */
#define UM_FN_NOARGS   0x08         /* any argument is unsupported */

struct um_func_s {
    const char        *name;
    const char        *sig;         /* JSONata signature */
    um_fn_pt           handler;
    unsigned           flags;
};


typedef struct {
    pcre2_code        *code;
    uint32_t           index;       /* match data slot of an evaluation */
    uint32_t           ncap;
} um_regex_t;


/* a local variable a block initialises from the enclosing binding */
typedef struct {
    int                slot;
    int                outer_kind;  /* UM_N_VAR, UM_N_LOCAL, 0: undefined */
    int                outer;
} um_binding_t;


struct um_node_s {
    uint8_t            type;
    uint8_t            op;
    uint16_t           flags;
    uint32_t           pos;         /* offset in the source */
    uint32_t           depth;       /* height of the subtree */
    int                slot;
    um_value_t         val;
    um_node_t         *lhs;
    um_node_t         *rhs;
    um_node_t         *third;
    um_node_t        **kids;
    uint32_t           nkids;
    uint32_t           npreds;
    uint32_t           nstages;
    uint32_t           ngroup;
    um_node_t        **preds;       /* predicates of the node */
    um_node_t        **stages;      /* predicates of a path step */
    um_node_t        **group;       /* lhs{k: v}: key/value nodes */
    const um_func_t   *fn;
    um_sig_t          *sig;
    um_regex_t        *re;
    um_binding_t      *binds;       /* block: its locals */
    uint32_t           nbinds;
    unsigned           deps;
};


struct um_expr_s {
    um_node_t         *root;
    uint32_t           nlocals;
    uint32_t           nregex;
    um_binding_t      *binds;       /* top-level locals */
    uint32_t           nbinds;
};


/* evaluation state */
struct um_es_s {
    um_eval_t                *ev;
    um_arena_t               *a;
    const um_expr_t          *e;
    um_value_t               *locals;
    unsigned                  depth;
    pcre2_general_context    *gctx;
    pcre2_match_data        **md;        /* per regex of the expression */
};


/* um_expr_eval.c */
int um_eval_node(um_es_t *s, const um_node_t *n, um_value_t in,
    um_value_t *out);
int um_eval_run(um_es_t *s, const um_node_t *n, um_value_t in,
    um_value_t *out);
int um_eval_oom(um_es_t *s);
int um_eval_call(um_es_t *s, const um_node_t *n, um_value_t in,
    um_value_t *out);
um_array_t *um_seq_new(um_es_t *s, uint32_t cap, um_value_t *v,
    uint8_t flags);
int um_append(um_es_t *s, um_value_t a, um_value_t b, um_value_t *out);
int um_is_seq(um_value_t v);
uint8_t um_symbol(um_value_t v);
int um_str_cmp16(um_value_t a, um_value_t b);

/* um_expr_func.c */
const um_func_t *um_func_find(const char *name, size_t len);
int um_func_unsupported(const char *name, size_t len);
int um_sig_parse(const char *src, um_sig_t *sig);
int um_stringify(um_es_t *s, um_buf_t *b, um_value_t v, int pretty,
    int indent);
int um_to_string(um_es_t *s, um_value_t v, um_value_t *out);
double um_prec15(double d);
int um_regex_compile(um_arena_t *a, const char *pat, size_t len,
    const char *flags, size_t flen, uint32_t index, um_regex_t **out,
    size_t *erroff, char *msg, size_t msgsize);
size_t um_utf8_count(const char *s, size_t len);


#endif /* _UM_EXPR_INT_H_INCLUDED_ */
