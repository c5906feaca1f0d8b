/*
 * ngx_http_usage_metering_module: the nginx side.
 *
 * The module is thin glue around the engine (um_*.c, no nginx there): the
 * content handler parses and routes the unified request, issues background
 * subrequests to the account's internal location, the capture filter keeps
 * their bodies, and the resume handler hands them to the engine and writes
 * the answer.
 */

#ifndef _NGX_HTTP_USAGE_METERING_H_INCLUDED_
#define _NGX_HTTP_USAGE_METERING_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "um_arena.h"
#include "um_cursor.h"
#include "um_error.h"
#include "um_mapping.h"
#include "um_request.h"
#include "um_str.h"


#define NGX_HTTP_USAGE_METERING_MAIN   1     /* ctx of the client's request */
#define NGX_HTTP_USAGE_METERING_CALL   2     /* ctx of a provider call */


typedef struct {
    ngx_str_t                            name;
    ngx_str_t                            value;
    unsigned                             secret:1;   /* read from a file */
} ngx_http_usage_metering_param_t;


typedef struct {
    ngx_str_t                            id;
    ngx_str_t                            provider_name;
    const um_provider_t                 *provider;
    ngx_str_t                            upstream;      /* URI prefix */
    ngx_array_t                          params;
    um_value_t                           value;         /* $account */

    /* where it was declared, for errors found after parsing */
    ngx_str_t                            file;
    ngx_uint_t                           line;
} ngx_http_usage_metering_account_t;


typedef struct {
    um_arena_t                          *arena;     /* compiled mappings */
    um_registry_t                       *registry;
    ngx_array_t                          accounts;
    ngx_hash_t                           accounts_hash;
    ngx_array_t                         *mapping_dirs;
    ngx_str_t                            cursor_secret;
    time_t                               cursor_ttl;

    /* the OpenAPI document, built at load: before and after its prefix */
    ngx_str_t                            openapi_head;
    ngx_str_t                            openapi_tail;
} ngx_http_usage_metering_main_conf_t;


typedef struct {
    u_char                               digest[32];    /* SHA-256 */
    ngx_array_t                         *accounts;      /* NULL: all */
} ngx_http_usage_metering_key_t;


typedef struct {
    ngx_flag_t                           enable;
    size_t                               max_body;
    size_t                               max_response;
    ngx_uint_t                           parallel;
    ngx_uint_t                           max_pages;
    ngx_uint_t                           retry_429;     /* 0: off */
    ngx_msec_t                           retry_max_delay;
    ngx_array_t                         *api_keys;
} ngx_http_usage_metering_loc_conf_t;


typedef struct ngx_http_usage_metering_ctx_s  ngx_http_usage_metering_ctx_t;


/* one provider call: the ctx of its subrequest */

typedef struct {
    ngx_uint_t                           type;      /* _CALL */
    ngx_http_usage_metering_ctx_t       *ctx;
    ngx_http_usage_metering_account_t   *account;
    ngx_http_request_t                  *sr;
    um_call_t                            spec;

    u_char                              *body;      /* malloc'd */
    size_t                               len;
    size_t                               cap;
    size_t                               max;

    ngx_uint_t                           status;
    ngx_int_t                            rc;
    ngx_http_headers_out_t              *headers;   /* the provider's */
    ngx_uint_t                           retries;   /* after a 429 */
    size_t                               burst;     /* read in one go */

    /* debug: what was sent, as the proxy module wrote it */
    ngx_str_t                            schema;
    ngx_str_t                            sent;
    ngx_str_t                            body_sent;

    unsigned                             issued:1;
    unsigned                             eof:1;
    unsigned                             too_big:1;
    unsigned                             failed:1;  /* could not keep it */
    unsigned                             done:1;
} ngx_http_usage_metering_call_t;


/* one account of the request, with its provider's method */

typedef struct {
    ngx_http_usage_metering_account_t   *account;
    const um_method_t                   *method;
    um_exec_t                            exec;
    ngx_http_usage_metering_call_t      *joins[UM_MAX_JOINS];
    unsigned                             joined:1;
} ngx_http_usage_metering_target_t;


/* the pages of one call of one target: what the cursor tracks */

typedef struct {
    ngx_http_usage_metering_target_t    *target;
    ngx_uint_t                           index;     /* the method's call */
    ngx_str_t                            cont;      /* "": the first page */
    uint64_t                             offset;    /* rows already given */
    ngx_http_usage_metering_call_t      *call;      /* this round's */
    unsigned                             done:1;
    unsigned                             looping:1;
} ngx_http_usage_metering_stream_t;


struct ngx_http_usage_metering_ctx_s {
    ngx_uint_t                           type;      /* _MAIN */
    um_request_t                         req;
    um_arena_t                          *arena;
    um_arena_t                          *page_arena;
    um_error_t                           err;
    um_buf_t                             out;

    ngx_http_usage_metering_key_t       *key;
    ngx_http_usage_metering_account_t   *account;   /* the first one */
    const um_method_t                   *method;    /* the first one */

    ngx_http_usage_metering_target_t    *targets;
    ngx_uint_t                           ntargets;
    ngx_http_usage_metering_stream_t    *streams;
    ngx_uint_t                           nstreams;

    /* the calls of the current round, issued `parallel` at a time */
    ngx_http_usage_metering_call_t     **calls;
    ngx_uint_t                           ncalls;
    ngx_uint_t                           issued;
    ngx_uint_t                           pending;
    ngx_msec_t                           round_start;

    /* the page being mapped, kept while it is mapped in slices */
    um_page_t                            page;
    um_window_t                          win;
    ngx_uint_t                           map_next;  /* stream mapped */
    ngx_event_t                          slice_ev;
    ngx_event_t                          retry_ev;  /* after a 429 */

    ngx_http_usage_metering_call_t      *first;     /* for raw, debug */
    size_t                               rows;      /* rows answered */
    ngx_uint_t                           provider_calls;   /* all rounds */
    ngx_msec_t                           provider_time;    /* upstream ms */
    ngx_uint_t                           pages;     /* rounds done */
    ngx_str_t                            next_cursor;

    unsigned                             stream:1;  /* format stream */
    unsigned                             ndjson:1;
    unsigned                             started:1; /* stream header sent */
    unsigned                             draining:1;
    unsigned                             looping:1;
    unsigned                             mapping:1; /* between slices */
    unsigned                             retrying:1; /* retry_ev is set */
};


extern ngx_module_t  ngx_http_usage_metering_module;


/* ngx_http_usage_metering_module.c */
ngx_int_t ngx_http_usage_metering_read_secret(ngx_conf_t *cf,
    ngx_str_t *value);

/* auth.c */
char *ngx_http_usage_metering_api_key(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
ngx_int_t ngx_http_usage_metering_auth(ngx_http_request_t *r,
    ngx_http_usage_metering_loc_conf_t *umlcf,
    ngx_http_usage_metering_key_t **key);
ngx_int_t ngx_http_usage_metering_key_allows(
    ngx_http_usage_metering_key_t *key, ngx_str_t *account);

/* debug.c */
void ngx_http_usage_metering_debug_capture(ngx_http_request_t *sr,
    ngx_http_usage_metering_call_t *call);
void ngx_http_usage_metering_debug_write(ngx_http_usage_metering_ctx_t *ctx,
    ngx_http_usage_metering_call_t *call, um_buf_t *out);

/* handler.c */
ngx_int_t ngx_http_usage_metering_handler(ngx_http_request_t *r);
void ngx_http_usage_metering_resume(ngx_http_request_t *r);

/* fetch.c */
ngx_http_usage_metering_call_t *ngx_http_usage_metering_call_new(
    ngx_http_request_t *r, ngx_http_usage_metering_ctx_t *ctx,
    ngx_http_usage_metering_account_t *account, um_call_t *spec);
ngx_int_t ngx_http_usage_metering_issue(ngx_http_request_t *r,
    ngx_http_usage_metering_ctx_t *ctx);
ngx_int_t ngx_http_usage_metering_done(ngx_http_request_t *sr, void *data,
    ngx_int_t rc);

/* capture.c */
ngx_int_t ngx_http_usage_metering_capture_init(ngx_conf_t *cf);
ngx_int_t ngx_http_usage_metering_call_headers(
    ngx_http_usage_metering_call_t *call, um_arena_t *a, um_value_t *out);

/* handler.c */
ngx_int_t ngx_http_usage_metering_fail(ngx_http_request_t *r,
    ngx_http_usage_metering_ctx_t *ctx);

/* output.c */
ngx_int_t ngx_http_usage_metering_send(ngx_http_request_t *r,
    ngx_uint_t status, um_buf_t *body);
ngx_int_t ngx_http_usage_metering_stream_rows(ngx_http_request_t *r,
    ngx_http_usage_metering_ctx_t *ctx, ngx_uint_t last);
ngx_int_t ngx_http_usage_metering_send_answer(ngx_http_request_t *r,
    ngx_http_usage_metering_ctx_t *ctx, ngx_http_usage_metering_call_t *call);
ngx_int_t ngx_http_usage_metering_send_raw(ngx_http_request_t *r,
    ngx_http_usage_metering_ctx_t *ctx, ngx_http_usage_metering_call_t *call);
void ngx_http_usage_metering_provider_headers(ngx_http_request_t *r,
    ngx_http_usage_metering_ctx_t *ctx, ngx_http_usage_metering_call_t *call);
ngx_int_t ngx_http_usage_metering_send_error(ngx_http_request_t *r,
    ngx_uint_t status, const char *message, size_t len);
ngx_int_t ngx_http_usage_metering_send_remote_error(ngx_http_request_t *r,
    ngx_http_usage_metering_ctx_t *ctx, ngx_http_usage_metering_call_t *call,
    um_str_t *message);

/* variables.c */
ngx_int_t ngx_http_usage_metering_add_variables(ngx_conf_t *cf);

/* meta.c: {prefix}/openapi.json and {prefix}/{res}/{provider}/meta/{op} */
ngx_int_t ngx_http_usage_metering_meta_handler(ngx_http_request_t *r);

/* openapi.c */
ngx_int_t ngx_http_usage_metering_openapi_init(ngx_conf_t *cf);
ngx_int_t ngx_http_usage_metering_openapi_send(ngx_http_request_t *r,
    ngx_str_t *prefix);


/* ngx_http_usage_metering_blocks.c: large blocks kept between requests */
void *ngx_http_usage_metering_block_get(size_t size, size_t *cap,
    ngx_log_t *log);
void ngx_http_usage_metering_block_put(void *p, size_t cap);
void ngx_http_usage_metering_blocks_free(void);


#endif /* _NGX_HTTP_USAGE_METERING_H_INCLUDED_ */
