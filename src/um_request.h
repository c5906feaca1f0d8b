/*
 * The unified request: the resource and id of the URI and every query
 * parameter of CONTRACT section 3, parsed and validated once.  Whatever is
 * not a unified parameter is handed to the mapping as $query.
 */

#ifndef _UM_REQUEST_H_INCLUDED_
#define _UM_REQUEST_H_INCLUDED_


#include <stdint.h>

#include "um_arena.h"
#include "um_error.h"
#include "um_str.h"
#include "um_value.h"


typedef enum {
    UM_RES_ORGANIZATIONS = 0,
    UM_RES_PRODUCTS,
    UM_RES_USAGE,
    UM_RES_WORKSPACES,
    UM_RES_USERS,
    UM_RES_N
} um_resource_e;


typedef enum {
    UM_OP_LIST = 0,
    UM_OP_GET,
    UM_OP_N
} um_op_e;


typedef enum {
    UM_FMT_UNIFIED = 0,
    UM_FMT_NORMALIZED,
    UM_FMT_RAW,
    UM_FMT_STREAM,
    UM_FMT_DEBUG
} um_format_e;


#define UM_PARAM_MAX_LEN     4096     /* bytes of one decoded value */
#define UM_PARAMS_MAX        64       /* parameters in one query string */
#define UM_LIMIT_MAX         10000
#define UM_ACCOUNTS_MAX      16


typedef struct {
    um_str_t            key;
    um_str_t            value;
} um_param_t;


typedef struct {
    int                 resource;       /* um_resource_e */
    int                 op;             /* um_op_e */
    um_str_t            id;             /* get: the decoded id */

    um_str_t            accounts[UM_ACCOUNTS_MAX];
    size_t              naccounts;

    um_str_t            start_date;     /* raw, validated */
    um_str_t            end_date;
    int64_t             start_ms;
    int64_t             end_ms;

    long                limit;          /* 0: not given */
    um_str_t            next_cursor;
    int                 format;         /* um_format_e */
    um_str_t            key_by;

    um_str_t           *exclude;        /* truto_exclude_fields */
    size_t              nexclude;

    um_param_t         *remote_query;
    size_t              nremote;

    unsigned            has_start:1;
    unsigned            has_end:1;
    unsigned            ignore_limit:1;
    unsigned            ignore_remote_data:1;
    unsigned            skip_api_call:1;

    um_value_t          query;          /* $query of the mappings */

    um_param_t         *params;         /* every parameter, decoded */
    size_t              nparams;
} um_request_t;


const char *um_resource_name(int resource);
int um_resource_find(const char *s, size_t len);

/*
 * Routes the part of the URI after the location prefix ("usage",
 * "users/u-1"); the id is percent-decoded.  Errors: 404 for an unknown
 * resource, 400 for an unusable id.
 */
int um_request_route(um_arena_t *a, um_request_t *req, const char *path,
    size_t len, um_error_t *err);

/* parses the raw (still encoded) query string; 400 on bad input */
int um_request_parse(um_arena_t *a, um_request_t *req, const char *args,
    size_t len, um_error_t *err);


#endif /* _UM_REQUEST_H_INCLUDED_ */
