/*
 * ngx_http_usage_metering_module: a unified usage-metering API inside
 * nginx.  This file holds the module, its directives and configuration;
 * the request path is in src/ngx_http_usage_metering_*.c and the engine
 * (mappings, expressions, request parsing, JSON) in src/um_*.c.
 */

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_usage_metering.h"


static ngx_int_t ngx_http_usage_metering_preconf(ngx_conf_t *cf);
static ngx_int_t ngx_http_usage_metering_postconf(ngx_conf_t *cf);
static void *ngx_http_usage_metering_create_main_conf(ngx_conf_t *cf);
static char *ngx_http_usage_metering_init_main_conf(ngx_conf_t *cf,
    void *conf);
static void *ngx_http_usage_metering_create_loc_conf(ngx_conf_t *cf);
static char *ngx_http_usage_metering_merge_loc_conf(ngx_conf_t *cf,
    void *parent, void *child);

static char *ngx_http_usage_metering(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_usage_metering_mappings(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
static char *ngx_http_usage_metering_account(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
static char *ngx_http_usage_metering_cursor_secret(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
static char *ngx_http_usage_metering_retry_429(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
static ngx_int_t ngx_http_usage_metering_random_secret(ngx_conf_t *cf,
    ngx_http_usage_metering_main_conf_t *umcf);
static ngx_int_t ngx_http_usage_metering_account_value(ngx_conf_t *cf,
    ngx_http_usage_metering_main_conf_t *umcf,
    ngx_http_usage_metering_account_t *acc);
static ngx_uint_t ngx_http_usage_metering_secret_name(ngx_str_t *name);
static void ngx_http_usage_metering_arena_cleanup(void *data);


static ngx_command_t  ngx_http_usage_metering_commands[] = {

    { ngx_string("usage_metering"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_usage_metering,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("usage_metering_mappings"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_http_usage_metering_mappings,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("usage_metering_account"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_2MORE,
      ngx_http_usage_metering_account,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("usage_metering_cursor_secret"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_http_usage_metering_cursor_secret,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("usage_metering_cursor_ttl"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_sec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_usage_metering_main_conf_t, cursor_ttl),
      NULL },

    { ngx_string("usage_metering_parallel"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_usage_metering_loc_conf_t, parallel),
      NULL },

    { ngx_string("usage_metering_max_pages"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_usage_metering_loc_conf_t, max_pages),
      NULL },

    { ngx_string("usage_metering_api_key"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE12,
      ngx_http_usage_metering_api_key,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("usage_metering_max_body"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_size_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_usage_metering_loc_conf_t, max_body),
      NULL },

    { ngx_string("usage_metering_max_response"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_size_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_usage_metering_loc_conf_t, max_response),
      NULL },

    { ngx_string("usage_metering_retry_429"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE12,
      ngx_http_usage_metering_retry_429,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

      ngx_null_command
};


static ngx_http_module_t  ngx_http_usage_metering_module_ctx = {
    ngx_http_usage_metering_preconf,            /* preconfiguration */
    ngx_http_usage_metering_postconf,           /* postconfiguration */

    ngx_http_usage_metering_create_main_conf,   /* create main conf */
    ngx_http_usage_metering_init_main_conf,     /* init main conf */

    NULL,                                       /* create server conf */
    NULL,                                       /* merge server conf */

    ngx_http_usage_metering_create_loc_conf,    /* create location conf */
    ngx_http_usage_metering_merge_loc_conf      /* merge location conf */
};


static void ngx_http_usage_metering_exit_process(ngx_cycle_t *cycle);


ngx_module_t  ngx_http_usage_metering_module = {
    NGX_MODULE_V1,
    &ngx_http_usage_metering_module_ctx,        /* module context */
    ngx_http_usage_metering_commands,           /* module directives */
    NGX_HTTP_MODULE,                            /* module type */
    NULL,                                       /* init master */
    NULL,                                       /* init module */
    NULL,                                       /* init process */
    NULL,                                       /* init thread */
    NULL,                                       /* exit thread */
    ngx_http_usage_metering_exit_process,       /* exit process */
    NULL,                                       /* exit master */
    NGX_MODULE_V1_PADDING
};


static ngx_int_t
ngx_http_usage_metering_preconf(ngx_conf_t *cf)
{
    return ngx_http_usage_metering_add_variables(cf);
}


static ngx_int_t
ngx_http_usage_metering_postconf(ngx_conf_t *cf)
{
    /* the mappings are compiled (init main conf): describe them once */

    if (ngx_http_usage_metering_openapi_init(cf) != NGX_OK) {
        return NGX_ERROR;
    }

    return ngx_http_usage_metering_capture_init(cf);
}


static void *
ngx_http_usage_metering_create_main_conf(ngx_conf_t *cf)
{
    ngx_pool_cleanup_t                   *cln;
    ngx_http_usage_metering_main_conf_t  *umcf;

    umcf = ngx_pcalloc(cf->pool, sizeof(ngx_http_usage_metering_main_conf_t));
    if (umcf == NULL) {
        return NULL;
    }

    if (ngx_array_init(&umcf->accounts, cf->pool, 4,
                       sizeof(ngx_http_usage_metering_account_t))
        != NGX_OK)
    {
        return NULL;
    }

    /*
     * The compiled mappings live in an engine arena that goes away with
     * the configuration's pool, so a reload frees the old ones.
     */

    cln = ngx_pool_cleanup_add(cf->pool, 0);
    if (cln == NULL) {
        return NULL;
    }

    umcf->arena = um_arena_create(64 * 1024, 0);
    if (umcf->arena == NULL) {
        return NULL;
    }

    cln->handler = ngx_http_usage_metering_arena_cleanup;
    cln->data = umcf->arena;

    umcf->registry = um_registry_create(umcf->arena);
    if (umcf->registry == NULL) {
        return NULL;
    }

    umcf->cursor_ttl = NGX_CONF_UNSET;

    return umcf;
}


static char *
ngx_http_usage_metering_init_main_conf(ngx_conf_t *cf, void *conf)
{
    ngx_http_usage_metering_main_conf_t *umcf = conf;

    size_t                               k;
    ngx_uint_t                           i, j;
    ngx_hash_key_t                      *key;
    ngx_hash_init_t                      hash;
    ngx_array_t                          keys;
    ngx_http_usage_metering_param_t     *param;
    ngx_http_usage_metering_account_t   *acc;

    um_error_t                           err;

    acc = umcf->accounts.elts;

    /* every directory is read: compile, overrides merged */

    ngx_memzero(&err, sizeof(um_error_t));

    if (um_registry_compile(umcf->registry, &err) != UM_OK) {
        ngx_log_error(NGX_LOG_EMERG, cf->log, 0, "usage_metering: %s",
                      err.msg);
        return NGX_CONF_ERROR;
    }

    ngx_conf_init_value(umcf->cursor_ttl, 3600);

    if (umcf->cursor_secret.len == 0
        && ngx_http_usage_metering_random_secret(cf, umcf) != NGX_OK)
    {
        return NGX_CONF_ERROR;
    }

    if (umcf->accounts.nelts && umcf->mapping_dirs == NULL) {
        ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                      "usage_metering_account \"%V\" in %V:%ui needs "
                      "\"usage_metering_mappings\" in the http block",
                      &acc[0].id, &acc[0].file, acc[0].line);
        return NGX_CONF_ERROR;
    }

    if (ngx_array_init(&keys, cf->temp_pool, umcf->accounts.nelts + 1,
                       sizeof(ngx_hash_key_t))
        != NGX_OK)
    {
        return NGX_CONF_ERROR;
    }

    for (i = 0; i < umcf->accounts.nelts; i++) {

        acc[i].provider = um_registry_find(umcf->registry,
                                           (char *) acc[i].provider_name.data,
                                           acc[i].provider_name.len);

        if (acc[i].provider == NULL) {
            ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                          "usage_metering_account \"%V\" in %V:%ui: unknown "
                          "provider \"%V\" (no mapping file defines it)",
                          &acc[i].id, &acc[i].file, acc[i].line,
                          &acc[i].provider_name);
            return NGX_CONF_ERROR;
        }

        /* the parameters the provider's mapping needs */

        param = acc[i].params.elts;

        for (k = 0; k < acc[i].provider->naccount_params; k++) {
            for (j = 0; j < acc[i].params.nelts; j++) {
                if (param[j].name.len == acc[i].provider->account_params[k].len
                    && ngx_strncmp(param[j].name.data,
                                   acc[i].provider->account_params[k].data,
                                   param[j].name.len) == 0)
                {
                    break;
                }
            }

            if (j == acc[i].params.nelts) {
                ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                              "usage_metering_account \"%V\" in %V:%ui: "
                              "provider \"%V\" needs the parameter "
                              "\"%*s=...\"", &acc[i].id, &acc[i].file,
                              acc[i].line, &acc[i].provider_name,
                              acc[i].provider->account_params[k].len,
                              acc[i].provider->account_params[k].data);
                return NGX_CONF_ERROR;
            }
        }

        if (ngx_http_usage_metering_account_value(cf, umcf, &acc[i])
            != NGX_OK)
        {
            return NGX_CONF_ERROR;
        }

        key = ngx_array_push(&keys);
        if (key == NULL) {
            return NGX_CONF_ERROR;
        }

        key->key = acc[i].id;
        key->key_hash = ngx_hash_key(acc[i].id.data, acc[i].id.len);
        key->value = &acc[i];
    }

    hash.hash = &umcf->accounts_hash;
    hash.key = ngx_hash_key;
    hash.max_size = 4096;
    hash.bucket_size = ngx_align(256, ngx_cacheline_size);
    hash.name = "usage_metering_accounts_hash";
    hash.pool = cf->pool;
    hash.temp_pool = NULL;

    if (ngx_hash_init(&hash, keys.elts, keys.nelts) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


/* $account: the account's parameters that are not secrets */

static ngx_int_t
ngx_http_usage_metering_account_value(ngx_conf_t *cf,
    ngx_http_usage_metering_main_conf_t *umcf,
    ngx_http_usage_metering_account_t *acc)
{
    ngx_uint_t                        i;
    um_object_t                      *o;
    ngx_http_usage_metering_param_t  *param;

    o = um_obj_new(umcf->arena, (uint32_t) acc->params.nelts + 2);
    if (o == NULL) {
        return NGX_ERROR;
    }

    if (um_obj_set(umcf->arena, o, "id", 2,
                   um_str((char *) acc->id.data, acc->id.len))
        != 0)
    {
        return NGX_ERROR;
    }

    param = acc->params.elts;

    for (i = 0; i < acc->params.nelts; i++) {
        if (param[i].secret) {
            continue;
        }

        if (um_obj_set(umcf->arena, o, (char *) param[i].name.data,
                       param[i].name.len,
                       um_str((char *) param[i].value.data,
                              param[i].value.len))
            != 0)
        {
            return NGX_ERROR;
        }
    }

    acc->value.type = UM_OBJ;
    acc->value.flags = 0;
    acc->value.u.o = o;

    return NGX_OK;
}


static void *
ngx_http_usage_metering_create_loc_conf(ngx_conf_t *cf)
{
    ngx_http_usage_metering_loc_conf_t  *conf;

    conf = ngx_pcalloc(cf->pool, sizeof(ngx_http_usage_metering_loc_conf_t));
    if (conf == NULL) {
        return NULL;
    }

    conf->enable = NGX_CONF_UNSET;
    conf->max_body = NGX_CONF_UNSET_SIZE;
    conf->max_response = NGX_CONF_UNSET_SIZE;
    conf->parallel = NGX_CONF_UNSET_UINT;
    conf->max_pages = NGX_CONF_UNSET_UINT;
    conf->api_keys = NGX_CONF_UNSET_PTR;
    conf->retry_429 = NGX_CONF_UNSET_UINT;
    conf->retry_max_delay = NGX_CONF_UNSET_MSEC;

    return conf;
}


static char *
ngx_http_usage_metering_merge_loc_conf(ngx_conf_t *cf, void *parent,
    void *child)
{
    ngx_http_usage_metering_loc_conf_t *prev = parent;
    ngx_http_usage_metering_loc_conf_t *conf = child;

    ngx_conf_merge_value(conf->enable, prev->enable, 0);
    ngx_conf_merge_size_value(conf->max_body, prev->max_body,
                              8 * 1024 * 1024);
    ngx_conf_merge_size_value(conf->max_response, prev->max_response,
                              64 * 1024 * 1024);

    ngx_conf_merge_uint_value(conf->parallel, prev->parallel, 8);
    ngx_conf_merge_uint_value(conf->max_pages, prev->max_pages, 1000);

    /* the delay and the count go together: both from the same level */

    if (conf->retry_429 == NGX_CONF_UNSET_UINT) {
        conf->retry_429 = prev->retry_429;
        conf->retry_max_delay = prev->retry_max_delay;
    }

    ngx_conf_merge_uint_value(conf->retry_429, prev->retry_429, 0);
    ngx_conf_merge_msec_value(conf->retry_max_delay, prev->retry_max_delay,
                              5000);

    if (conf->parallel == 0 || conf->max_pages == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"usage_metering_parallel\" and "
                           "\"usage_metering_max_pages\" must not be 0");
        return NGX_CONF_ERROR;
    }

    /* keys are inherited as a whole, like nginx's allow/deny lists */
    ngx_conf_merge_ptr_value(conf->api_keys, prev->api_keys, NULL);

    if (conf->max_body == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"usage_metering_max_body\" must not be 0");
        return NGX_CONF_ERROR;
    }

    /* 0 would be no cap at all (the engine's buffers take 0 as "none") */

    if (conf->max_response == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"usage_metering_max_response\" must not be 0");
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


static char *
ngx_http_usage_metering(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_usage_metering_loc_conf_t *umlcf = conf;

    ngx_http_core_loc_conf_t  *clcf;

    if (umlcf->enable != NGX_CONF_UNSET) {
        return "is duplicate";
    }

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);

    /* the resource is read from the URI after the location's prefix */

#if (NGX_PCRE)
    if (clcf->regex) {
        return "must be in a prefix location, such as "
               "\"location /unified/usage-metering/\"";
    }
#endif

    if (clcf->named) {
        return "must be in a prefix location, not a named one";
    }

    clcf->handler = ngx_http_usage_metering_handler;
    umlcf->enable = 1;

    return NGX_CONF_OK;
}


/*
 * usage_metering_mappings dir;  may be given more than once: a later
 * directory's file for a provider overrides fields of the earlier one.
 */

static char *
ngx_http_usage_metering_mappings(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_usage_metering_main_conf_t *umcf = conf;

    u_char      *dir;
    ngx_str_t   *value, path, *d;
    um_error_t   err;

    value = cf->args->elts;
    path = value[1];

    if (ngx_conf_full_name(cf->cycle, &path, 1) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    if (umcf->mapping_dirs == NULL) {
        umcf->mapping_dirs = ngx_array_create(cf->pool, 2, sizeof(ngx_str_t));
        if (umcf->mapping_dirs == NULL) {
            return NGX_CONF_ERROR;
        }
    }

    d = ngx_array_push(umcf->mapping_dirs);
    if (d == NULL) {
        return NGX_CONF_ERROR;
    }

    *d = path;

    dir = ngx_pnalloc(cf->temp_pool, path.len + 1);
    if (dir == NULL) {
        return NGX_CONF_ERROR;
    }

    ngx_cpystrn(dir, path.data, path.len + 1);

    ngx_memzero(&err, sizeof(um_error_t));

    if (um_registry_load_dir(umcf->registry, (char *) dir, &err) != UM_OK) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "%s", err.msg);
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


/*
 * usage_metering_cursor_secret secret | file:path;  the key next_cursor
 * tokens are signed with; nodes of one deployment share it.
 */

static char *
ngx_http_usage_metering_cursor_secret(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_usage_metering_main_conf_t *umcf = conf;

    ngx_str_t  *value, secret;

    if (umcf->cursor_secret.len) {
        return "is duplicate";
    }

    value = cf->args->elts;
    secret = value[1];

    if (secret.len > 5 && ngx_strncmp(secret.data, "file:", 5) == 0) {
        secret.data += 5;
        secret.len -= 5;

        if (ngx_http_usage_metering_read_secret(cf, &secret) != NGX_OK) {
            return NGX_CONF_ERROR;
        }
    }

    if (secret.len < 32) {
        return "needs a secret of at least 32 characters";
    }

    umcf->cursor_secret = secret;

    return NGX_CONF_OK;
}


/*
 * usage_metering_retry_429 number [max_delay];  a provider's 429 is asked
 * again up to number times, after its Retry-After (1s when it has none),
 * unless that is longer than max_delay: then the client gets the 429.
 */

static char *
ngx_http_usage_metering_retry_429(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_usage_metering_loc_conf_t *umlcf = conf;

    ngx_int_t    n;
    ngx_str_t   *value;
    ngx_msec_t   ms;

    if (umlcf->retry_429 != NGX_CONF_UNSET_UINT) {
        return "is duplicate";
    }

    value = cf->args->elts;

    n = ngx_atoi(value[1].data, value[1].len);
    if (n == NGX_ERROR || n > 10) {
        return "needs a number of retries from 0 to 10";
    }

    umlcf->retry_429 = (ngx_uint_t) n;
    umlcf->retry_max_delay = 5000;

    if (cf->args->nelts == 3) {
        ms = ngx_parse_time(&value[2], 0);
        if (ms == (ngx_msec_t) NGX_ERROR) {
            return "has an invalid max_delay (a time, 5s or 500ms say)";
        }

        umlcf->retry_max_delay = ms;
    }

    return NGX_CONF_OK;
}


/*
 * Without a configured secret, cursors are signed with a random one made
 * when the configuration loads: they stop working after a reload, and
 * across nodes.
 */

static ngx_int_t
ngx_http_usage_metering_random_secret(ngx_conf_t *cf,
    ngx_http_usage_metering_main_conf_t *umcf)
{
    u_char    *p;
    ssize_t    n;
    ngx_fd_t   fd;

    p = ngx_pnalloc(cf->pool, 32);
    if (p == NULL) {
        return NGX_ERROR;
    }

    fd = ngx_open_file("/dev/urandom", NGX_FILE_RDONLY, NGX_FILE_OPEN, 0);
    if (fd == NGX_INVALID_FILE) {
        ngx_log_error(NGX_LOG_EMERG, cf->log, ngx_errno,
                      "usage_metering: cannot open /dev/urandom for a cursor "
                      "secret; set usage_metering_cursor_secret");
        return NGX_ERROR;
    }

    n = read(fd, p, 32);
    ngx_close_file(fd);

    if (n != 32) {
        ngx_log_error(NGX_LOG_EMERG, cf->log, ngx_errno,
                      "usage_metering: cannot read /dev/urandom");
        return NGX_ERROR;
    }

    umcf->cursor_secret.data = p;
    umcf->cursor_secret.len = 32;

    return NGX_OK;
}


/*
 * usage_metering_account <id> provider=<slug> upstream=<uri-prefix>
 *                        [<name>=<value> | <name>=file:<path>] ...;
 */

static char *
ngx_http_usage_metering_account(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_usage_metering_main_conf_t *umcf = conf;

    u_char                             *eq, c;
    ngx_str_t                          *value, name, val;
    ngx_uint_t                          i, j;
    ngx_http_usage_metering_param_t    *param;
    ngx_http_usage_metering_account_t  *acc;

    value = cf->args->elts;

    if (value[1].len == 0 || value[1].len > 128) {
        return "has an empty or too long (over 128 bytes) account id";
    }

    for (i = 0; i < value[1].len; i++) {
        c = value[1].data[i];

        if (c <= 0x20 || c >= 0x7f || c == '"' || c == '\\') {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "account id \"%V\" has a character that is "
                               "not printable ASCII (or is a quote)",
                               &value[1]);
            return NGX_CONF_ERROR;
        }
    }

    acc = umcf->accounts.elts;

    for (i = 0; i < umcf->accounts.nelts; i++) {
        if (acc[i].id.len == value[1].len
            && ngx_strncmp(acc[i].id.data, value[1].data, value[1].len) == 0)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "duplicate account \"%V\", first defined in "
                               "%V:%ui", &value[1], &acc[i].file,
                               acc[i].line);
            return NGX_CONF_ERROR;
        }
    }

    acc = ngx_array_push(&umcf->accounts);
    if (acc == NULL) {
        return NGX_CONF_ERROR;
    }

    ngx_memzero(acc, sizeof(ngx_http_usage_metering_account_t));

    acc->id = value[1];
    acc->file = cf->conf_file->file.name;
    acc->line = cf->conf_file->line;

    if (ngx_array_init(&acc->params, cf->pool, 4,
                       sizeof(ngx_http_usage_metering_param_t))
        != NGX_OK)
    {
        return NGX_CONF_ERROR;
    }

    for (i = 2; i < cf->args->nelts; i++) {

        eq = ngx_strlchr(value[i].data, value[i].data + value[i].len, '=');

        if (eq == NULL || eq == value[i].data) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid parameter \"%V\": parameters are "
                               "written name=value", &value[i]);
            return NGX_CONF_ERROR;
        }

        name.data = value[i].data;
        name.len = eq - value[i].data;
        val.data = eq + 1;
        val.len = value[i].data + value[i].len - val.data;

        for (j = 0; j < name.len; j++) {
            c = name.data[j];

            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                  || c == '_'))
            {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "invalid parameter name \"%V\": names "
                                   "are made of a-z, 0-9 and \"_\"", &name);
                return NGX_CONF_ERROR;
            }
        }

        if (name.len == 8 && ngx_strncmp(name.data, "provider", 8) == 0) {
            acc->provider_name = val;
            continue;
        }

        if (name.len == 8 && ngx_strncmp(name.data, "upstream", 8) == 0) {
            if (val.len < 2 || val.data[0] != '/') {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "upstream=\"%V\" must be the URI prefix "
                                   "of an internal location, such as "
                                   "\"/_um/confluent\"", &val);
                return NGX_CONF_ERROR;
            }

            /* the provider path starts with "/" */

            while (val.len > 1 && val.data[val.len - 1] == '/') {
                val.len--;
            }

            acc->upstream = val;
            continue;
        }

        param = acc->params.elts;

        for (j = 0; j < acc->params.nelts; j++) {
            if (param[j].name.len == name.len
                && ngx_strncmp(param[j].name.data, name.data, name.len) == 0)
            {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "parameter \"%V\" is given twice", &name);
                return NGX_CONF_ERROR;
            }
        }

        param = ngx_array_push(&acc->params);
        if (param == NULL) {
            return NGX_CONF_ERROR;
        }

        param->name = name;
        param->value = val;
        param->secret = ngx_http_usage_metering_secret_name(&name);

        if (val.len > 5 && ngx_strncmp(val.data, "file:", 5) == 0) {
            param->value.data += 5;
            param->value.len -= 5;
            param->secret = 1;

            if (ngx_http_usage_metering_read_secret(cf, &param->value)
                != NGX_OK)
            {
                return NGX_CONF_ERROR;
            }
        }
    }

    if (acc->provider_name.len == 0) {
        return "needs provider=<slug>";
    }

    if (acc->upstream.len == 0) {
        return "needs upstream=<uri-prefix> (the internal location that "
               "proxies to the provider)";
    }

    return NGX_CONF_OK;
}


/* a value read from a file at load time; trailing newlines are dropped */

ngx_int_t
ngx_http_usage_metering_read_secret(ngx_conf_t *cf, ngx_str_t *value)
{
    u_char           *buf;
    ssize_t           n;
    ngx_str_t         name;
    ngx_file_t        file;
    ngx_file_info_t   fi;

    name = *value;

    if (ngx_conf_full_name(cf->cycle, &name, 1) != NGX_OK) {
        return NGX_ERROR;
    }

    ngx_memzero(&file, sizeof(ngx_file_t));
    file.name = name;
    file.log = cf->log;

    file.fd = ngx_open_file(name.data, NGX_FILE_RDONLY, NGX_FILE_OPEN, 0);
    if (file.fd == NGX_INVALID_FILE) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           ngx_open_file_n " \"%V\" failed", &name);
        return NGX_ERROR;
    }

    if (ngx_fd_info(file.fd, &fi) == NGX_FILE_ERROR
        || ngx_file_size(&fi) > 16384)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\" is not a readable file of at most 16 KB",
                           &name);
        ngx_close_file(file.fd);
        return NGX_ERROR;
    }

    buf = ngx_pnalloc(cf->pool, (size_t) ngx_file_size(&fi) + 1);
    if (buf == NULL) {
        ngx_close_file(file.fd);
        return NGX_ERROR;
    }

    n = ngx_read_file(&file, buf, (size_t) ngx_file_size(&fi), 0);
    ngx_close_file(file.fd);

    if (n == NGX_ERROR) {
        return NGX_ERROR;
    }

    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r')) {
        n--;
    }

    value->data = buf;
    value->len = (size_t) n;

    return NGX_OK;
}


/*
 * A parameter is a secret when it comes from a file or its name says so;
 * secrets are not visible to mappings and are redacted in debug output.
 */

static ngx_uint_t
ngx_http_usage_metering_secret_name(ngx_str_t *name)
{
    ngx_uint_t  i;

    static const char  *words[] = {
        "key", "secret", "token", "password", "auth", "credential", NULL
    };

    for (i = 0; words[i]; i++) {
        if (ngx_strlcasestrn(name->data, name->data + name->len,
                             (u_char *) words[i], ngx_strlen(words[i]) - 1)
            != NULL)
        {
            return 1;
        }
    }

    return 0;
}


static void
ngx_http_usage_metering_arena_cleanup(void *data)
{
    um_arena_destroy(data);
}


static void
ngx_http_usage_metering_exit_process(ngx_cycle_t *cycle)
{
    ngx_http_usage_metering_blocks_free();
}
