/*
 * Provider mappings: the compiled form of mappings/<provider>.json and the
 * functions that use it on the request path.
 *
 * A mapping file is read and compiled once, at configuration load, into
 * the tables below; the request path only walks them: it evaluates the
 * compiled expressions, writes pre-escaped keys and never looks anything up
 * by name.  No provider knowledge is in C: every provider is such a file.
 */

#ifndef _UM_MAPPING_H_INCLUDED_
#define _UM_MAPPING_H_INCLUDED_


#include "um_arena.h"
#include "um_error.h"
#include "um_expr.h"
#include "um_request.h"
#include "um_str.h"
#include "um_value.h"


/* variables every expression of a method can use, in this order */
enum {
    UM_VAR_QUERY = 0,       /* $query: the non-unified query parameters */
    UM_VAR_ACCOUNT,         /* $account: the account's parameters */
    UM_VAR_ID,              /* $id: the id of a get */
    UM_VAR_LIMIT,           /* $limit: records per page, or undefined */
    UM_VAR_CURSOR,          /* $cursor: the provider continuation */
    UM_VAR_N                /* then the method's "let" bindings */
};


typedef enum {
    UM_TPL_EXPR = 0,        /* a value computed per row */
    UM_TPL_CONST,           /* a constant, pre-serialised */
    UM_TPL_OBJECT,
    UM_TPL_ARRAY
} um_tpl_type_e;


typedef struct um_tpl_s  um_tpl_t;

typedef struct {
    um_str_t            name;       /* the unified field name */
    um_str_t            key;        /* "name": pre-escaped, with the colon */
    um_tpl_t           *tpl;
} um_tpl_field_t;


struct um_tpl_s {
    um_tpl_type_e       type;
    unsigned            dynamic:1;  /* holds an expression somewhere */
    um_expr_t          *expr;       /* UM_TPL_EXPR */
    um_str_t            json;       /* UM_TPL_CONST */
    um_tpl_field_t     *fields;     /* UM_TPL_OBJECT */
    um_tpl_t          **items;      /* UM_TPL_ARRAY */
    size_t              n;
};


typedef enum {
    UM_PART_TEXT = 0,
    UM_PART_EXPR
} um_part_type_e;


typedef struct {
    um_part_type_e      type;
    um_str_t            text;
    um_expr_t          *expr;
} um_part_t;


typedef struct {
    um_str_t            name;       /* as sent, e.g. "user_ids[]" */
    um_expr_t          *expr;
} um_qparam_t;


typedef enum {
    UM_PAGE_NONE = 0,
    UM_PAGE_URL,            /* the next page's URL: path and query reused */
    UM_PAGE_QUERY,          /* a token sent as a query parameter */
    UM_PAGE_BODY            /* a token sent as a field of the JSON body */
} um_page_type_e;


typedef struct {
    um_page_type_e      type;
    um_expr_t          *next;       /* over the body: the continuation */
    um_str_t            param;      /* QUERY, BODY: where to send it */
    um_str_t            limit;      /* provider's page-size parameter */
    long                max_limit;
} um_paging_t;


typedef struct {
    um_str_t            name;
    um_expr_t          *expr;
} um_let_t;


typedef struct {
    int                 resource;   /* um_resource_e */
    int                 op;         /* um_op_e */
    um_str_t            where;      /* "resources.usage.list", for errors */

    /* a static response: no provider call */
    um_str_t            static_json;    /* the rows, comma-separated */
    size_t              static_count;

    um_let_t           *lets;
    size_t              nlets;

    um_str_t            http_method;    /* "GET", "POST" */
    um_part_t          *path;
    size_t              npath;
    um_qparam_t        *query;
    size_t              nquery;
    um_tpl_t           *body;           /* NULL: no body */

    um_paging_t         paging;

    um_str_t           *records;        /* path of keys to the records */
    size_t              nrecords;

    um_tpl_t           *row;

    unsigned            is_static:1;
} um_method_t;


typedef struct {
    um_str_t            name;           /* the slug, e.g. "confluent" */
    um_str_t            label;
    um_str_t            file;           /* where it was read from */
    um_str_t           *account_params; /* parameters accounts must have */
    size_t              naccount_params;
    um_expr_t          *error_message;  /* over a non-2xx body */
    um_expr_t          *rate_limit[3];  /* limit, remaining, reset */
    um_method_t        *methods[UM_RES_N][UM_OP_N];
} um_provider_t;


typedef struct {
    um_arena_t         *arena;
    um_provider_t     **providers;
    size_t              n;
} um_registry_t;


/* compiler: um_map_compile.c */

um_registry_t *um_registry_create(um_arena_t *a);

/* compiles every *.json file of dir, in name order */
int um_registry_load_dir(um_registry_t *reg, const char *dir,
    um_error_t *err);
int um_registry_load_file(um_registry_t *reg, const char *path,
    um_error_t *err);

const um_provider_t *um_registry_find(const um_registry_t *reg,
    const char *name, size_t len);


/* executor: um_map_exec.c */

typedef struct {
    um_arena_t         *arena;          /* request lifetime */
    um_arena_t         *page_arena;     /* reset for every page */
    const um_method_t  *method;
    const um_request_t *request;
    um_str_t            path;           /* the provider path of the call */
    um_value_t         *vars;           /* UM_VAR_N + nlets */
    um_value_t          body;           /* the page being mapped */
    double              now;
    um_error_t         *err;

    /* response shaping */
    um_str_t            key_by;
    um_str_t           *exclude;
    size_t              nexclude;
    unsigned            remote_data:1;

    size_t              rows;           /* rows written, all pages */
} um_exec_t;


typedef struct {
    um_str_t            method;         /* "GET" */
    um_str_t            path;           /* decoded: nginx escapes it */
    um_str_t            args;           /* encoded query string */
    um_str_t            body;           /* JSON text, empty for none */
} um_call_t;


typedef struct {
    size_t              rows;           /* rows of this page */
    um_str_t            next;           /* continuation, empty: last page */
} um_page_t;


/*
 * Binds the variables of the method, evaluates its "let"s and the provider
 * path (errors there are the client's: 400).
 */
int um_exec_init(um_exec_t *x, const um_method_t *m, const um_request_t *req,
    um_value_t account, um_arena_t *arena, um_arena_t *page_arena,
    double now, um_error_t *err);

/* the provider call for the page after `cursor` (empty: the first page) */
int um_exec_call(um_exec_t *x, um_str_t cursor, um_call_t *call);

/*
 * Maps one provider body (a 2xx answer): appends the rows to out, each
 * preceded by a comma unless it is the first row of the response.  For a
 * get, writes the single object.  A body that is not JSON or has no records
 * where the mapping says is an error (502).
 */
int um_exec_page(um_exec_t *x, const char *body, size_t len, um_buf_t *out,
    um_page_t *page);

/* the static rows of a static method */
int um_exec_static(um_exec_t *x, um_buf_t *out, um_page_t *page);

/*
 * The provider's rate-limit state from its response headers ($ is an
 * object of the headers, names in lower case): limit, remaining, reset,
 * each empty when the provider gives none.
 */
int um_exec_rate_limit(const um_provider_t *p, um_arena_t *a,
    um_value_t headers, um_str_t out[3]);

/* the provider's message in a non-2xx body, if the mapping finds one */
int um_exec_error_message(const um_provider_t *p, um_arena_t *a,
    const char *body, size_t len, um_str_t *msg);


#endif /* _UM_MAPPING_H_INCLUDED_ */
