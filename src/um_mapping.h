/*
 * Provider mappings: the compiled form of mappings/<provider>.json and the
 * functions that use it on the request path.
 *
 * A mapping file is read and compiled once, at configuration load, into
 * the tables below; the request path only walks them: it evaluates the
 * compiled expressions, writes pre-escaped keys and never looks anything up
 * by name.  No provider knowledge is in C: every provider is such a file.
 * mappings/README.md is the reference of the file format.
 */

#ifndef _UM_MAPPING_H_INCLUDED_
#define _UM_MAPPING_H_INCLUDED_


#include "um_arena.h"
#include "um_error.h"
#include "um_expr.h"
#include "um_json_parse.h"
#include "um_request.h"
#include "um_str.h"
#include "um_value.h"


/*
 * Variables every expression of a method can use, in this order; then the
 * method's "let" bindings, then its joins.
 */
enum {
    UM_VAR_QUERY = 0,       /* $query: the non-unified query parameters */
    UM_VAR_ACCOUNT,         /* $account: the account's parameters */
    UM_VAR_ID,              /* $id: the id of a get */
    UM_VAR_LIMIT,           /* $limit: records per page, or undefined */
    UM_VAR_CURSOR,          /* $cursor: the provider continuation */
    UM_VAR_HEADERS,         /* $headers: the provider's response headers */
    UM_VAR_RECORD,          /* $record: the record a row comes from */
    UM_VAR_GROUP,           /* $group: the elements of a grouped row */
    UM_VAR_N
};


#define UM_MAX_REQUESTS   8
#define UM_MAX_JOINS      4
#define UM_MAX_ROWSPECS   16


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


/*
 * An expression of a row that a record's members give without evaluating
 * it: a plain path (the member, as it is), or $toIso of one.  The record
 * is then read with um_jp_pick instead of built (um_map_row.c).
 */
typedef enum {
    UM_PICK_NONE = 0,
    UM_PICK_PATH,
    UM_PICK_ISO
} um_pick_e;


/*
 * A template compiled to a flat program (um_map_row.c), which the executor
 * runs without recursion: a field or item at a time, an object or array
 * opened before its members and closed, or taken back, after them.
 */
typedef enum {
    UM_ROP_OPEN = 0,
    UM_ROP_CLOSE,
    UM_ROP_CONST,
    UM_ROP_EXPR
} um_rop_e;


#define UM_ROW_MAX_DEPTH  32      /* objects and arrays in a template */


typedef struct {
    uint8_t             type;       /* um_rop_e */
    uint8_t             pick;       /* um_pick_e of a UM_ROP_EXPR */
    uint8_t             array;      /* OPEN, CLOSE: of an array */
    uint8_t             dynamic;    /* OPEN: the template's "dynamic" */
    uint32_t            slot;       /* pick: the slot of the value */
    uint32_t            end;        /* the op after this field's last */
    um_str_t            key;        /* "name": of a field, else empty;
                                       a ',' is before it */
    um_str_t            path;       /* dotted, for truto_exclude_fields */
    um_str_t            json;       /* CONST: pre-serialised */
    um_expr_t          *expr;       /* EXPR */
} um_rop_t;


struct um_tpl_s {
    um_tpl_type_e       type;
    unsigned            dynamic:1;  /* holds an expression somewhere */
    um_expr_t          *expr;       /* UM_TPL_EXPR */
    um_str_t            json;       /* UM_TPL_CONST */
    um_tpl_field_t     *fields;     /* UM_TPL_OBJECT */
    um_tpl_t          **items;      /* UM_TPL_ARRAY */
    size_t              n;

    /*
     * The template as a program, on the templates the executor writes:
     * of a row, its fields (the row's braces are the executor's); of a
     * request body, the whole object.
     */
    um_rop_t           *ops;
    uint32_t            nops;
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


/* the binding of a name to an expression: let, defaults */

typedef struct {
    um_str_t            name;
    um_expr_t          *expr;
} um_let_t;


/* one provider call of a method */

typedef struct {
    um_expr_t          *when;           /* NULL: always */
    um_str_t            http_method;    /* "GET", "POST" */
    um_part_t          *path;
    size_t              npath;
    um_qparam_t        *query;
    size_t              nquery;
    um_tpl_t           *body;           /* NULL: no body */
} um_callspec_t;


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
} um_paging_t;


/* another endpoint fetched with the first page, bound as $<name> */

typedef struct {
    um_str_t            name;
    um_callspec_t       call;
    um_str_t           *records;
    size_t              nrecords;
    um_expr_t          *key;        /* over each record: its lookup key */
} um_join_t;


typedef enum {
    UM_RD_RECORD = 0,       /* remote_data is the record */
    UM_RD_ELEMENT           /* remote_data is the element of "each" */
} um_rd_e;


/* how rows come out of one record */

typedef struct {
    um_expr_t          *each;       /* NULL: one row per record */
    um_str_t           *each_path;  /* "each" as plain keys: raw bytes */
    size_t              neach_path;
    um_expr_t          *group_by;   /* NULL: one row per element */
    um_expr_t          *when;       /* NULL: always */
    um_rd_e             remote_data;
    um_tpl_t           *row;
} um_rowspec_t;


/*
 * What a method reads and fills, found when it is compiled: for the meta
 * endpoints and the OpenAPI document (um_map_meta.c).
 */

typedef struct {
    um_str_t           *fields;     /* unified fields the rows fill, dotted */
    size_t              nfields;
    um_str_t           *params;     /* $query names it reads */
    size_t              nparams;
    unsigned            all_query:1;    /* reads $query as a whole */
    unsigned            limit:1;        /* reads $limit */
    um_str_t            description;    /* the method's, if any */
    um_str_t            json;       /* the meta answer's members, from
                                       "resource" to its closing brace */
} um_meta_t;


typedef struct {
    int                 resource;   /* um_resource_e */
    int                 op;         /* um_op_e */
    um_str_t            where;      /* "resources.usage.list", for errors */
    um_meta_t          *meta;

    /* a static response: no provider call; rows[0].row is an array */
    unsigned            is_static:1;

    /* the executor's: whether its records may be streamed, found at the
     * first page a worker maps (um_map_exec.c) */
    unsigned            fp_checked:1;
    unsigned            fp_stream:1;

    um_let_t           *defaults;       /* missing $query values */
    size_t              ndefaults;
    um_let_t           *lets;
    size_t              nlets;

    um_callspec_t       calls[UM_MAX_REQUESTS];
    size_t              ncalls;

    um_join_t           joins[UM_MAX_JOINS];
    size_t              njoins;

    um_paging_t         paging;

    um_str_t           *records;        /* path of keys to the records */
    size_t              nrecords;

    um_rowspec_t        rows[UM_MAX_ROWSPECS];
    size_t              nrows;

    um_expr_t          *error_when;     /* a 2xx body that is an error */
    um_expr_t          *error_message;

    /*
     * What the rows read of a record by plain paths, when none of its row
     * specs has "each": the members to pick (NULL: the record is built),
     * and per slot, the slot of the object it is a member of (or
     * UM_SLOT_NONE), so that a path through an array is evaluated.
     */
    um_jp_wants_t      *want;
    uint32_t            nslots;
    uint32_t           *parent;
} um_method_t;


#define UM_SLOT_NONE  0xffffffffU


typedef struct {
    um_str_t            name;           /* the slug, e.g. "confluent" */
    um_str_t            label;
    um_str_t            file;           /* where it was read from */
    um_str_t           *account_params; /* parameters accounts must have */
    size_t              naccount_params;
    um_expr_t          *error_when;     /* over a 2xx body */
    um_expr_t          *error_message;  /* over an error body */
    um_expr_t          *rate_limit[3];  /* limit, remaining, reset */
    um_method_t        *methods[UM_RES_N][UM_OP_N];
} um_provider_t;


typedef struct um_source_s  um_source_t;

typedef struct {
    um_arena_t         *arena;
    um_provider_t     **providers;
    size_t              n;
    um_source_t        *sources;        /* the files read, in order */
    um_source_t        *last;
    unsigned            dirs;           /* directories read so far */
} um_registry_t;


/* compiler: um_map_compile.c */

um_registry_t *um_registry_create(um_arena_t *a);

/*
 * Reads every *.json file of dir, in name order.  A file for a provider
 * that an earlier directory defined is merged into it (RFC 7386 JSON
 * Merge Patch: objects merge, null removes, anything else replaces).
 */
int um_registry_load_dir(um_registry_t *reg, const char *dir,
    um_error_t *err);
int um_registry_load_file(um_registry_t *reg, const char *path,
    um_error_t *err);

/* compiles what was loaded; errors name the file that set the value */
int um_registry_compile(um_registry_t *reg, um_error_t *err);

const um_provider_t *um_registry_find(const um_registry_t *reg,
    const char *name, size_t len);


/*
 * Compiles the templates of a method to programs, and finds what the rows
 * of a list read of a record by plain paths: marks those ops and fills
 * m->want (um_map_row.c).
 */
int um_map_rows(um_arena_t *a, um_method_t *m, um_error_t *err);


/* introspection: um_map_meta.c */

/*
 * Computes m->meta from the compiled method and j, its (merged) mapping
 * JSON, which lives as long as the registry's arena.
 */
int um_map_meta(um_arena_t *a, const um_provider_t *p, um_method_t *m,
    json_t *j, um_error_t *err);


/* executor: um_map_exec.c */

typedef struct {
    um_arena_t         *arena;          /* request lifetime */
    um_arena_t         *page_arena;     /* reset for every page */
    const um_method_t  *method;
    const um_provider_t *provider;
    const um_request_t *request;
    um_value_t         *vars;           /* UM_VAR_N + nlets + njoins */
    um_str_t            paths[UM_MAX_REQUESTS];
    um_value_t          body;           /* the page being mapped */
    double              now;
    um_error_t         *err;

    /* response shaping */
    um_str_t            key_by;
    um_str_t           *exclude;
    size_t              nexclude;
    um_str_t            tag;            /* integrated_account_id to add */
    const char         *separator;      /* between rows: "," or "\n" */
    unsigned            remote_data:1;
    unsigned            ndjson:1;       /* each row ends with "\n" */
    unsigned            request_tpl:1;  /* writing a request body: constant
                                           parts stay */

    size_t              rows;           /* rows written, all pages */
    size_t             *count;          /* rows of the answer (shared) */

    /*
     * The fast path of um_exec_page (um_json_parse.c instead of jansson,
     * the records streamed): its state, kept between slices.  slice: bytes
     * of records mapped before um_exec_page returns UM_AGAIN (0: the whole
     * page at once).
     */
    size_t              slice;
    struct um_exec_fp_s *fp;
    unsigned            raw_min:1;      /* remote_data bytes need no minify */
} um_exec_t;


/* um_exec_page: the page is not done, call um_exec_page_resume */
#define UM_AGAIN  1

/* 0: every page through jansson (the reference path, for comparisons) */
extern int  um_exec_fast;


typedef struct {
    um_str_t            method;         /* "GET" */
    um_str_t            path;           /* decoded: nginx escapes it */
    um_str_t            args;           /* encoded query string */
    um_str_t            body;           /* JSON text, empty for none */
} um_call_t;


typedef struct {
    size_t              skip;           /* rows of the page to pass over */
    size_t              max;            /* rows to write at most, 0: all */
} um_window_t;


typedef struct {
    size_t              rows;           /* rows written from this page */
    size_t              left;           /* rows of the page not written */
    um_str_t            next;           /* continuation, empty: last page */
    um_str_t            error;          /* a 2xx body that is an error */
    unsigned            is_error:1;
} um_page_t;


/*
 * Binds the variables of the method, fills $query defaults, evaluates its
 * "let"s and the provider paths (errors there are the client's: 400).
 */
int um_exec_init(um_exec_t *x, const um_provider_t *p, const um_method_t *m,
    const um_request_t *req, um_value_t account, um_arena_t *arena,
    um_arena_t *page_arena, double now, um_error_t *err);

/* 1 if the method's call i is made for this request ("when") */
int um_exec_call_active(um_exec_t *x, size_t i, int *active);

/* the provider call i for the page after `cursor` (empty: the first) */
int um_exec_call(um_exec_t *x, size_t i, um_str_t cursor, um_call_t *call);

/* the call of join j, and its answer, bound as $<name> for the rows */
int um_exec_join_call(um_exec_t *x, size_t j, um_call_t *call);
int um_exec_join_result(um_exec_t *x, size_t j, const char *body,
    size_t len);

/*
 * Maps one provider body (a 2xx answer) of call i: appends the rows to
 * out, each preceded by the separator unless it is the first row of the
 * answer; for a get, writes the single object.  headers is the object of
 * the provider's response headers (or undefined).  A body that is not
 * JSON or has no records where the mapping says is an error (502); a body
 * that the mapping recognises as an error sets page->is_error.
 */
int um_exec_page(um_exec_t *x, size_t i, um_str_t cursor, const char *body,
    size_t len, um_value_t headers, um_window_t *win, um_buf_t *out,
    um_page_t *page);

/*
 * With x->slice set, um_exec_page may return UM_AGAIN after that many
 * bytes of records, so that a large page does not hold the event loop:
 * the rows so far are in out, and um_exec_page_resume continues where it
 * stopped (the body, window, out and page as given, the page arena not
 * reset in between).  It returns what um_exec_page would have, or UM_AGAIN
 * again.
 */
int um_exec_page_resume(um_exec_t *x);

/* the static rows of a static method */
int um_exec_static(um_exec_t *x, um_window_t *win, um_buf_t *out,
    um_page_t *page);

/*
 * The provider's rate-limit state from its response headers ($ is an
 * object of the headers, names in lower case): limit, remaining, reset,
 * each empty when the provider gives none.
 */
int um_exec_rate_limit(const um_provider_t *p, um_arena_t *a,
    um_value_t headers, double now, um_str_t out[3]);

/* the provider's message in a non-2xx body, if the mapping finds one */
int um_exec_error_message(const um_provider_t *p, um_arena_t *a,
    const char *body, size_t len, um_str_t *msg);


#endif /* _UM_MAPPING_H_INCLUDED_ */
