/*
 * The OpenAPI 3.1 document of the unified API, {prefix}/openapi.json.
 *
 * It is written once, when the configuration loads, from the unified model
 * (um_schema.c) and the compiled mappings: which providers support each
 * operation, and the provider-specific query parameters their mappings
 * read.  Only two things differ between the locations that serve it, and
 * they are put in when it is sent: the server URL (the location's prefix)
 * and, where usage_metering_api_key is set, the bearer security
 * requirement.
 */

#include "ngx_http_usage_metering.h"
#include "um_json_out.h"
#include "um_schema.h"


#define NGX_HTTP_USAGE_METERING_API_VERSION  "0.1.0"


static void ngx_http_usage_metering_openapi_paths(um_buf_t *b,
    um_registry_t *reg);
static void ngx_http_usage_metering_openapi_op(um_buf_t *b,
    um_registry_t *reg, const um_model_t *model, int res, int op);
static void ngx_http_usage_metering_openapi_meta_path(um_buf_t *b,
    um_registry_t *reg);
static void ngx_http_usage_metering_openapi_components(um_buf_t *b);
static void ngx_http_usage_metering_openapi_title(um_buf_t *b,
    const char *title, int plural);
static ngx_uint_t ngx_http_usage_metering_openapi_readers(um_buf_t *b,
    um_registry_t *reg, int res, int op, const um_str_t *q, size_t before);


static const char  ngx_http_usage_metering_openapi_info[] =
    "{\"openapi\":\"3.1.0\","
    "\"info\":{\"title\":\"Unified Usage Metering API\","
    "\"version\":\"" NGX_HTTP_USAGE_METERING_API_VERSION "\","
    "\"description\":\"One request shape for the usage, cost, products, "
    "organizations, workspaces and users of every provider, served by "
    "nginx (ngx_http_usage_metering_module). Each request names a "
    "configured integrated account; the module calls its provider through "
    "nginx and maps the answer with the provider's mapping file. "
    "x-providers on an operation lists the providers whose mappings "
    "support it; /{resource}/{provider}/meta/{method} tells what a mapping "
    "fills and reads.\","
    "\"license\":{\"name\":\"BSD-2-Clause\","
    "\"identifier\":\"BSD-2-Clause\"}},"
    "\"servers\":[{\"url\":";


ngx_int_t
ngx_http_usage_metering_openapi_init(ngx_conf_t *cf)
{
    um_buf_t                              head, tail;
    ngx_http_usage_metering_main_conf_t  *umcf;

    umcf = ngx_http_conf_get_module_main_conf(cf,
                                              ngx_http_usage_metering_module);

    /* in the arena of the compiled mappings: it goes away with them */

    um_buf_init(&head, umcf->arena, 0);
    um_buf_add(&head, ngx_http_usage_metering_openapi_info,
               sizeof(ngx_http_usage_metering_openapi_info) - 1);

    um_buf_init(&tail, umcf->arena, 0);
    um_buf_adds(&tail, "}],\"tags\":[");
    ngx_http_usage_metering_openapi_paths(&tail, umcf->registry);
    ngx_http_usage_metering_openapi_components(&tail);

    if (head.failed || tail.failed) {
        ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                      "usage_metering: out of memory for the OpenAPI "
                      "document");
        return NGX_ERROR;
    }

    umcf->openapi_head.data = (u_char *) head.data;
    umcf->openapi_head.len = head.len;
    umcf->openapi_tail.data = (u_char *) tail.data;
    umcf->openapi_tail.len = tail.len;

    return NGX_OK;
}


/* tags, then the paths: list and get of every resource, meta, itself */

static void
ngx_http_usage_metering_openapi_paths(um_buf_t *b, um_registry_t *reg)
{
    int                i;
    const um_model_t  *model;

    for (i = 0; i < UM_RES_N; i++) {
        model = um_model(i);

        if (i) {
            um_buf_addc(b, ',');
        }

        um_buf_adds(b, "{\"name\":");
        um_json_str(b, model->name, strlen(model->name));
        um_buf_adds(b, ",\"description\":");
        um_json_str(b, model->description, strlen(model->description));
        um_buf_addc(b, '}');
    }

    um_buf_adds(b, ",{\"name\":\"meta\",\"description\":\"What the API "
                "and its mappings offer.\"}],\"paths\":{");

    for (i = 0; i < UM_RES_N; i++) {
        model = um_model(i);

        um_buf_adds(b, "\"/");
        um_buf_adds(b, model->name);
        um_buf_adds(b, "\":{\"get\":");
        ngx_http_usage_metering_openapi_op(b, reg, model, i, UM_OP_LIST);

        um_buf_adds(b, "},\"/");
        um_buf_adds(b, model->name);
        um_buf_adds(b, "/{id}\":{\"get\":");
        ngx_http_usage_metering_openapi_op(b, reg, model, i, UM_OP_GET);
        um_buf_adds(b, "},");
    }

    ngx_http_usage_metering_openapi_meta_path(b, reg);

    um_buf_adds(b, ",\"/openapi.json\":{\"get\":{\"tags\":[\"meta\"],"
                "\"operationId\":\"getOpenApi\","
                "\"summary\":\"This document\","
                "\"security\":[],"
                "\"responses\":{\"200\":{\"description\":\"The OpenAPI "
                "document of this API.\",\"content\":{\"application/json\":"
                "{\"schema\":{\"type\":\"object\"}}}},"
                "\"405\":{\"$ref\":\"#/components/responses/"
                "MethodNotAllowed\"}}}}},");
}


static void
ngx_http_usage_metering_openapi_op(um_buf_t *b, um_registry_t *reg,
    const um_model_t *model, int res, int op)
{
    size_t                i, k, n, mark;
    um_buf_t              text;
    const char           *name, *desc;
    um_method_t          *m;
    um_provider_t        *p;
    const um_uparam_t    *up;
    const um_str_t       *q;

    /* e.g. listUsage, getUsage, listOrganizations, getOrganization */

    um_buf_adds(b, "{\"tags\":[");
    um_json_str(b, model->name, strlen(model->name));
    um_buf_adds(b, "],\"operationId\":\"");
    um_buf_adds(b, op == UM_OP_LIST ? "list" : "get");
    ngx_http_usage_metering_openapi_title(b, model->title,
                                          op == UM_OP_LIST);

    um_buf_adds(b, "\",\"summary\":\"");
    um_buf_adds(b, op == UM_OP_LIST ? "List " : "Get one of ");
    um_buf_adds(b, model->name);

    /* the description: the resource's, then each provider's notes */

    um_buf_adds(b, "\",\"description\":");
    mark = b->len;
    um_buf_adds(b, model->description);
    um_buf_adds(b, op == UM_OP_LIST
                   ? " A list answers {result, next_cursor, result_count}."
                   : " A get answers the object itself.");

    n = 0;

    for (i = 0; i < reg->n; i++) {
        p = reg->providers[i];
        m = p->methods[res][op];

        if (m == NULL) {
            continue;
        }

        um_buf_adds(b, n++ ? "\n- " : "\n\nSupported by:\n- ");
        um_buf_add(b, p->name.data, p->name.len);

        if (p->label.len) {
            um_buf_adds(b, " (");
            um_buf_add(b, p->label.data, p->label.len);
            um_buf_addc(b, ')');
        }

        if (m->meta->description.len) {
            um_buf_adds(b, ": ");
            um_buf_add(b, m->meta->description.data,
                       m->meta->description.len);
        }
    }

    if (n == 0) {
        um_buf_adds(b, "\n\nNo loaded mapping supports it: it answers 404.");
    }

    /* the text was written raw: escape it in place, from a copy */

    if (!b->failed) {
        um_buf_init(&text, NULL, 0);
        um_buf_add(&text, b->data + mark, b->len - mark);
        um_buf_truncate(b, mark);

        if (!text.failed) {
            um_json_str(b, text.data, text.len);

        } else {
            b->failed = 1;
        }

        um_buf_free(&text);
    }

    /* the parameters: the unified ones, then those only mappings read */

    um_buf_adds(b, ",\"parameters\":[");
    n = 0;

    if (op == UM_OP_GET) {
        um_buf_adds(b, "{\"name\":\"id\",\"in\":\"path\",\"required\":true,"
                    "\"schema\":{\"type\":\"string\"},\"description\":"
                    "\"The id of the record at the provider.\"}");
        n++;
    }

    for (up = um_unified_params; up->name; up++) {
        if (!(up->ops & (op == UM_OP_LIST ? UM_PARAM_LIST : UM_PARAM_GET))) {
            continue;
        }

        um_buf_adds(b, n++ ? ",{\"$ref\":\"#/components/parameters/"
                           : "{\"$ref\":\"#/components/parameters/");
        um_buf_adds(b, up->name);
        um_buf_adds(b, "\"}");
    }

    for (i = 0; i < reg->n; i++) {
        m = reg->providers[i]->methods[res][op];

        if (m == NULL) {
            continue;
        }

        for (k = 0; k < m->meta->nparams; k++) {
            q = &m->meta->params[k];

            /* once, at the first provider that reads it */

            if (um_uparam_find(q->data, q->len)
                || ngx_http_usage_metering_openapi_readers(NULL, reg, res, op,
                                                           q, i))
            {
                continue;
            }

            um_buf_adds(b, n++ ? ",{\"name\":" : "{\"name\":");
            um_json_str(b, q->data, q->len);
            um_buf_adds(b, ",\"in\":\"query\",\"schema\":{\"type\":"
                        "\"string\"},\"description\":\"Read by the "
                        "mapping of ");
            (void) ngx_http_usage_metering_openapi_readers(b, reg, res, op,
                                                           q, reg->n);
            um_buf_adds(b, "; its meaning is the provider's.\"}");
        }
    }

    um_buf_addc(b, ']');

    /* which providers, and what each reads */

    um_buf_adds(b, ",\"x-providers\":[");
    n = 0;

    for (i = 0; i < reg->n; i++) {
        p = reg->providers[i];

        if (p->methods[res][op] == NULL) {
            continue;
        }

        if (n++) {
            um_buf_addc(b, ',');
        }

        um_json_str(b, p->name.data, p->name.len);
    }

    um_buf_adds(b, "],\"x-provider-query-parameters\":{");
    n = 0;

    for (i = 0; i < reg->n; i++) {
        p = reg->providers[i];
        m = p->methods[res][op];

        if (m == NULL) {
            continue;
        }

        if (n++) {
            um_buf_addc(b, ',');
        }

        um_json_str(b, p->name.data, p->name.len);
        um_buf_adds(b, ":[");

        for (k = 0; k < m->meta->nparams; k++) {
            if (k) {
                um_buf_addc(b, ',');
            }

            um_json_str(b, m->meta->params[k].data, m->meta->params[k].len);
        }

        um_buf_addc(b, ']');
    }

    /* the answers */

    name = model->title;
    desc = op == UM_OP_LIST ? "A page of records." : "The record.";

    um_buf_adds(b, "},\"responses\":{\"200\":{\"description\":");
    um_json_str(b, desc, strlen(desc));
    um_buf_adds(b, ",\"headers\":{"
                "\"ratelimit-limit\":{\"$ref\":\"#/components/headers/"
                "ratelimit-limit\"},"
                "\"ratelimit-remaining\":{\"$ref\":\"#/components/headers/"
                "ratelimit-remaining\"},"
                "\"ratelimit-reset\":{\"$ref\":\"#/components/headers/"
                "ratelimit-reset\"}},"
                "\"content\":{\"application/json\":{\"schema\":{\"$ref\":"
                "\"#/components/schemas/");
    um_buf_adds(b, name);

    if (op == UM_OP_LIST) {
        um_buf_adds(b, "List\"}},\"application/x-ndjson\":{\"schema\":"
                    "{\"$ref\":\"#/components/schemas/");
        um_buf_adds(b, name);
    }

    um_buf_adds(b, "\"}}}},"
                "\"400\":{\"$ref\":\"#/components/responses/BadRequest\"},"
                "\"401\":{\"$ref\":\"#/components/responses/"
                "Unauthorized\"},"
                "\"404\":{\"$ref\":\"#/components/responses/NotFound\"},"
                "\"405\":{\"$ref\":\"#/components/responses/"
                "MethodNotAllowed\"},"
                "\"502\":{\"$ref\":\"#/components/responses/BadGateway\"},"
                "\"504\":{\"$ref\":\"#/components/responses/"
                "GatewayTimeout\"},"
                "\"default\":{\"$ref\":\"#/components/responses/"
                "RemoteError\"}}}");
}


/*
 * The providers whose mapping of (res, op) reads the query parameter q:
 * with b, written as "a, b"; without, only counted among the providers
 * before index `before`.
 */

static ngx_uint_t
ngx_http_usage_metering_openapi_readers(um_buf_t *b, um_registry_t *reg,
    int res, int op, const um_str_t *q, size_t before)
{
    size_t          i, k;
    ngx_uint_t      n;
    um_method_t    *m;
    um_provider_t  *p;

    n = 0;

    for (i = 0; i < before && i < reg->n; i++) {
        p = reg->providers[i];
        m = p->methods[res][op];

        if (m == NULL) {
            continue;
        }

        for (k = 0; k < m->meta->nparams; k++) {
            if (m->meta->params[k].len == q->len
                && ngx_strncmp(m->meta->params[k].data, q->data, q->len)
                   == 0)
            {
                break;
            }
        }

        if (k == m->meta->nparams) {
            continue;
        }

        if (b) {
            if (n) {
                um_buf_adds(b, ", ");
            }

            um_buf_add(b, p->name.data, p->name.len);
        }

        n++;
    }

    return n;
}


static void
ngx_http_usage_metering_openapi_meta_path(um_buf_t *b, um_registry_t *reg)
{
    int     i;
    size_t  k;

    um_buf_adds(b, "\"/{resource}/{provider}/meta/{method}\":{\"get\":{"
                "\"tags\":[\"meta\"],\"operationId\":\"getMappingMeta\","
                "\"summary\":\"What a provider's mapping does for a "
                "resource\","
                "\"description\":\"The unified fields the mapping fills, "
                "the query parameters it reads, its defaults and the "
                "provider endpoints it calls, with the resource's schema "
                "and the part of it the mapping fills. Needs no account "
                "and no API key; 404 when the provider does not support "
                "the resource and method.\","
                "\"security\":[],\"parameters\":["
                "{\"name\":\"resource\",\"in\":\"path\",\"required\":true,"
                "\"schema\":{\"type\":\"string\",\"enum\":[");

    for (i = 0; i < UM_RES_N; i++) {
        if (i) {
            um_buf_addc(b, ',');
        }

        um_json_str(b, um_model(i)->name, strlen(um_model(i)->name));
    }

    um_buf_adds(b, "]}},{\"name\":\"provider\",\"in\":\"path\","
                "\"required\":true,\"description\":\"A provider slug of "
                "the loaded mappings.\",\"schema\":{\"type\":\"string\"");

    if (reg->n) {
        um_buf_adds(b, ",\"enum\":[");

        for (k = 0; k < reg->n; k++) {
            if (k) {
                um_buf_addc(b, ',');
            }

            um_json_str(b, reg->providers[k]->name.data,
                        reg->providers[k]->name.len);
        }

        um_buf_addc(b, ']');
    }

    um_buf_adds(b, "}},{\"name\":\"method\",\"in\":\"path\","
                "\"required\":true,\"schema\":{\"type\":\"string\","
                "\"enum\":[\"list\",\"get\"]}}],"
                "\"responses\":{\"200\":{\"description\":\"The mapping's "
                "meta.\",\"content\":{\"application/json\":{\"schema\":"
                "{\"$ref\":\"#/components/schemas/Meta\"}}}},"
                "\"404\":{\"$ref\":\"#/components/responses/NotFound\"},"
                "\"405\":{\"$ref\":\"#/components/responses/"
                "MethodNotAllowed\"}}}}");
}


/* "Usage" -> "Usage", "Organization" -> "Organizations" for list */

static void
ngx_http_usage_metering_openapi_title(um_buf_t *b, const char *title,
    int plural)
{
    um_buf_adds(b, title);

    if (plural && ngx_strcmp(title, "Usage") != 0) {
        um_buf_addc(b, 's');
    }
}


static const char  ngx_http_usage_metering_openapi_shared[] =

    "\"Error\":{\"type\":\"object\","
    "\"required\":[\"statusCode\",\"error\",\"message\"],"
    "\"properties\":{"
    "\"statusCode\":{\"type\":\"integer\",\"description\":\"The HTTP "
    "status.\"},"
    "\"error\":{\"type\":\"string\",\"description\":\"Its reason "
    "phrase.\"},"
    "\"message\":{\"type\":\"string\",\"description\":\"What went wrong, "
    "and why.\"}},"
    "\"description\":\"Every error of the API.\"},"

    "\"RemoteError\":{\"allOf\":[{\"$ref\":\"#/components/schemas/Error\"},"
    "{\"type\":\"object\",\"required\":[\"truto_is_remote_error\"],"
    "\"properties\":{"
    "\"truto_is_remote_error\":{\"const\":true},"
    "\"raw_response\":{\"description\":\"The provider's body: JSON when it "
    "is, else text.\"}}}],"
    "\"description\":\"The provider answered with an error status.\"},"

    "\"Meta\":{\"type\":\"object\","
    "\"required\":[\"documentation_link\",\"resource\",\"method\","
    "\"provider\",\"static\",\"fields\",\"query_parameters\","
    "\"default_query\",\"requests\",\"schema\",\"response_schema\","
    "\"query_schema\"],"
    "\"properties\":{"
    "\"documentation_link\":{\"type\":\"string\",\"description\":\"This "
    "operation in the OpenAPI document.\"},"
    "\"resource\":{\"type\":\"string\"},"
    "\"method\":{\"type\":\"string\",\"enum\":[\"list\",\"get\"]},"
    "\"provider\":{\"type\":\"string\"},"
    "\"provider_label\":{\"type\":\"string\"},"
    "\"description\":{\"type\":\"string\",\"description\":\"The mapping's "
    "description of the method.\"},"
    "\"static\":{\"type\":\"boolean\",\"description\":\"A fixed answer, "
    "no provider call.\"},"
    "\"fields\":{\"type\":\"array\",\"items\":{\"type\":\"string\"},"
    "\"description\":\"The unified fields the mapping fills, as dotted "
    "paths (array items are transparent, as in truto_exclude_fields).\"},"
    "\"query_parameters\":{\"type\":\"array\",\"items\":{\"type\":"
    "\"string\"},\"description\":\"The query parameters the mapping "
    "reads.\"},"
    "\"reads_any_query_parameter\":{\"type\":\"boolean\",\"description\":"
    "\"The mapping reads the query as a whole.\"},"
    "\"default_query\":{\"type\":\"object\",\"description\":\"Constant "
    "defaults of query parameters.\"},"
    "\"default_query_expressions\":{\"type\":\"object\","
    "\"additionalProperties\":{\"type\":\"string\"},\"description\":"
    "\"Every default, as the expression the mapping evaluates when the "
    "parameter is not given.\"},"
    "\"requests\":{\"type\":\"array\",\"items\":{\"type\":\"object\","
    "\"properties\":{\"method\":{\"type\":\"string\"},\"path\":{\"type\":"
    "\"string\"},\"query\":{\"type\":\"array\",\"items\":{\"type\":"
    "\"string\"}},\"body\":{\"type\":\"boolean\"},\"conditional\":{\"type\":"
    "\"boolean\"},\"join\":{\"type\":\"string\"}}},\"description\":\"The "
    "provider endpoints the mapping calls.\"},"
    "\"pagination\":{\"type\":[\"string\",\"null\"],\"enum\":[\"url\","
    "\"query\",\"body\",null]},"
    "\"schema\":{\"type\":\"object\",\"description\":\"The resource's "
    "unified schema.\"},"
    "\"response_schema\":{\"type\":\"object\",\"description\":\"The part "
    "of it the mapping fills.\"},"
    "\"query_schema\":{\"type\":\"object\",\"description\":\"The query "
    "parameters the mapping reads.\"}}}"

    "},\"responses\":{"

    "\"BadRequest\":{\"description\":\"A missing or invalid parameter, a "
    "bad date, end before start, a bad or tampered cursor.\","
    "\"content\":{\"application/json\":{\"schema\":{\"$ref\":"
    "\"#/components/schemas/Error\"}}}},"

    "\"Unauthorized\":{\"description\":\"A missing or wrong API key, where "
    "keys are configured.\",\"headers\":{\"WWW-Authenticate\":{\"schema\":"
    "{\"type\":\"string\",\"const\":\"Bearer\"}}},"
    "\"content\":{\"application/json\":{\"schema\":{\"$ref\":"
    "\"#/components/schemas/Error\"}}}},"

    "\"NotFound\":{\"description\":\"An unknown account, or one the key may "
    "not use; an unknown resource, or one the account's provider does not "
    "support.\",\"content\":{\"application/json\":{\"schema\":{\"$ref\":"
    "\"#/components/schemas/Error\"}}}},"

    "\"MethodNotAllowed\":{\"description\":\"A method other than GET or "
    "HEAD.\",\"headers\":{\"Allow\":{\"schema\":{\"type\":\"string\"}}},"
    "\"content\":{\"application/json\":{\"schema\":{\"$ref\":"
    "\"#/components/schemas/Error\"}}}},"

    "\"BadGateway\":{\"description\":\"The provider could not be reached, "
    "or its answer was too large, not JSON or cut short; or it answered "
    "with a 5xx (then with truto_is_remote_error).\","
    "\"content\":{\"application/json\":{\"schema\":{\"$ref\":"
    "\"#/components/schemas/Error\"}}}},"

    "\"GatewayTimeout\":{\"description\":\"The provider did not answer in "
    "time.\",\"content\":{\"application/json\":{\"schema\":{\"$ref\":"
    "\"#/components/schemas/Error\"}}}},"

    "\"RemoteError\":{\"description\":\"The provider answered with an "
    "error: its 4xx status, with its body as raw_response.\","
    "\"headers\":{"
    "\"Retry-After\":{\"$ref\":\"#/components/headers/Retry-After\"},"
    "\"ratelimit-limit\":{\"$ref\":\"#/components/headers/"
    "ratelimit-limit\"},"
    "\"ratelimit-remaining\":{\"$ref\":\"#/components/headers/"
    "ratelimit-remaining\"},"
    "\"ratelimit-reset\":{\"$ref\":\"#/components/headers/"
    "ratelimit-reset\"}},"
    "\"content\":{\"application/json\":{\"schema\":{\"$ref\":"
    "\"#/components/schemas/RemoteError\"}}}}"

    "},\"headers\":{"
    "\"Retry-After\":{\"description\":\"The provider's Retry-After.\","
    "\"schema\":{\"type\":\"string\"}},"
    "\"ratelimit-limit\":{\"description\":\"The provider's request quota, "
    "when it says.\",\"schema\":{\"type\":\"string\"}},"
    "\"ratelimit-remaining\":{\"description\":\"Requests left in the "
    "provider's window, when it says.\",\"schema\":{\"type\":\"string\"}},"
    "\"ratelimit-reset\":{\"description\":\"When the provider's window "
    "resets, when it says.\",\"schema\":{\"type\":\"string\"}}"

    "},\"securitySchemes\":{\"bearerAuth\":{\"type\":\"http\","
    "\"scheme\":\"bearer\",\"description\":\"A key of "
    "usage_metering_api_key, as Authorization: Bearer <key>.\"}}";


static void
ngx_http_usage_metering_openapi_components(um_buf_t *b)
{
    int                 i;
    const um_model_t   *model;
    const um_uparam_t  *up;

    um_buf_adds(b, "\"components\":{\"schemas\":{");

    for (i = 0; i < UM_RES_N; i++) {
        model = um_model(i);

        /* the resource */

        um_json_str(b, model->title, strlen(model->title));
        um_buf_addc(b, ':');
        um_schema_write(b, model, NULL, 0, 0);

        /* its list envelope; truto_key_by makes result an object */

        um_buf_adds(b, ",\"");
        um_buf_adds(b, model->title);
        um_buf_adds(b, "List\":{\"type\":\"object\","
                    "\"required\":[\"result\",\"next_cursor\","
                    "\"result_count\"],\"properties\":{\"result\":{"
                    "\"anyOf\":[{\"type\":\"array\",\"items\":{\"$ref\":"
                    "\"#/components/schemas/");
        um_buf_adds(b, model->title);
        um_buf_adds(b, "\"}},{\"type\":\"object\",\"additionalProperties\":"
                    "{\"$ref\":\"#/components/schemas/");
        um_buf_adds(b, model->title);
        um_buf_adds(b, "\"},\"description\":\"With truto_key_by: the "
                    "records by that field.\"}]},"
                    "\"next_cursor\":{\"type\":[\"string\",\"null\"],"
                    "\"description\":\"Pass it back as next_cursor for the "
                    "next page; null on the last page.\"},"
                    "\"result_count\":{\"type\":\"integer\",\"minimum\":0,"
                    "\"description\":\"Records in result.\"}},"
                    "\"description\":\"A page of records.\"},");
    }

    um_buf_add(b, ngx_http_usage_metering_openapi_shared,
               sizeof(ngx_http_usage_metering_openapi_shared) - 1);

    /* the unified query parameters, referenced by every operation */

    um_buf_adds(b, ",\"parameters\":{");

    for (up = um_unified_params; up->name; up++) {
        if (up != um_unified_params) {
            um_buf_addc(b, ',');
        }

        um_json_str(b, up->name, strlen(up->name));
        um_buf_adds(b, ":{\"name\":");
        um_json_str(b, up->name, strlen(up->name));
        um_buf_adds(b, ",\"in\":\"query\"");

        if (up->required) {
            um_buf_adds(b, ",\"required\":true");
        }

        um_buf_adds(b, ",\"schema\":");
        um_buf_adds(b, up->schema);

        if (up->extra) {
            um_buf_addc(b, ',');
            um_buf_adds(b, up->extra);
        }

        um_buf_adds(b, ",\"description\":");
        um_json_str(b, up->description, strlen(up->description));
        um_buf_addc(b, '}');
    }

    um_buf_adds(b, "}}");
}


/*
 * Sends the document: its head, the server URL (the location's prefix),
 * the rest, and the security requirement where API keys are configured.
 */

ngx_int_t
ngx_http_usage_metering_openapi_send(ngx_http_request_t *r, ngx_str_t *prefix)
{
    size_t                                len;
    u_char                               *p;
    ngx_int_t                             rc;
    ngx_buf_t                            *b[4];
    ngx_str_t                             url, sec;
    ngx_uint_t                            i, n;
    ngx_chain_t                           out[4];
    ngx_http_usage_metering_loc_conf_t   *umlcf;
    ngx_http_usage_metering_main_conf_t  *umcf;

    static u_char  keyed[] = ",\"security\":[{\"bearerAuth\":[]}]}";

    umcf = ngx_http_get_module_main_conf(r, ngx_http_usage_metering_module);
    umlcf = ngx_http_get_module_loc_conf(r, ngx_http_usage_metering_module);

    /* the prefix without its trailing slash, "/unified/usage-metering" */

    url = *prefix;

    while (url.len > 1 && url.data[url.len - 1] == '/') {
        url.len--;
    }

    len = url.len + ngx_escape_json(NULL, url.data, url.len);

    p = ngx_pnalloc(r->pool, len + 2);
    if (p == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    url.data = p;
    *p++ = '"';
    p = (u_char *) ngx_escape_json(p, prefix->data, url.len);
    *p++ = '"';
    url.len = p - url.data;

    if (umlcf->api_keys && umlcf->api_keys->nelts) {
        sec.data = keyed;
        sec.len = sizeof(keyed) - 1;

    } else {
        ngx_str_set(&sec, "}");
    }

    r->headers_out.status = NGX_HTTP_OK;
    r->headers_out.content_length_n = umcf->openapi_head.len + url.len
                                      + umcf->openapi_tail.len + sec.len;
    ngx_str_set(&r->headers_out.content_type, "application/json");
    r->headers_out.content_type_len = r->headers_out.content_type.len;
    r->headers_out.content_type_lowcase = NULL;

    rc = ngx_http_send_header(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        return rc;
    }

    n = 4;

    for (i = 0; i < n; i++) {
        b[i] = ngx_calloc_buf(r->pool);
        if (b[i] == NULL) {
            return NGX_ERROR;
        }

        b[i]->memory = 1;
        out[i].buf = b[i];
        out[i].next = (i + 1 < n) ? &out[i + 1] : NULL;
    }

    /* the document lives in the configuration: sent, never copied */

    b[0]->pos = umcf->openapi_head.data;
    b[0]->last = b[0]->pos + umcf->openapi_head.len;
    b[1]->pos = url.data;
    b[1]->last = url.data + url.len;
    b[2]->pos = umcf->openapi_tail.data;
    b[2]->last = b[2]->pos + umcf->openapi_tail.len;
    b[3]->pos = sec.data;
    b[3]->last = sec.data + sec.len;
    b[3]->last_buf = 1;
    b[3]->last_in_chain = 1;

    return ngx_http_output_filter(r, &out[0]);
}
