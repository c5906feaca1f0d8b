/*
 * The unified model as data (see um_schema.h).  Field names, nesting and
 * descriptions follow the hosted product's documentation of the usage
 * metering API and CONTRACT section 4; the usage object's counters are the
 * ones the bundled mappings fill.
 */

#include <string.h>

#include "um_json_out.h"
#include "um_request.h"
#include "um_schema.h"


#define UM_F(name, type, desc)                                               \
    { name, type, desc, NULL, NULL, 0 }
#define UM_FR(name, type, desc)                                              \
    { name, type, desc, NULL, NULL, 1 }
#define UM_FO(name, type, desc, fields)                                      \
    { name, type, desc, NULL, fields, 0 }
#define UM_FE(name, desc, enums)                                             \
    { name, UM_FT_STRING, desc, enums, NULL, 0 }
#define UM_FEND                                                              \
    { NULL, 0, NULL, NULL, NULL, 0 }

#define UM_REMOTE_DATA                                                       \
    UM_F("remote_data", UM_FT_ANY_OBJECT,                                    \
         "Raw data returned from the remote API call: the provider record "  \
         "the row came from, unchanged.")


/* nested objects */

static const um_field_t  um_f_org_ref[] = {
    UM_FR("id", UM_FT_STRING, "Unique identifier for the organization."),
    UM_F("name", UM_FT_STRING, "Name of the organization."),
    UM_FEND
};

static const um_field_t  um_f_workspace_ref[] = {
    UM_F("id", UM_FT_STRING, "Unique identifier for the workspace."),
    UM_F("name", UM_FT_STRING, "Name of the workspace."),
    UM_FEND
};

static const um_field_t  um_f_product_ref[] = {
    UM_FR("id", UM_FT_STRING, "Unique identifier for the product."),
    UM_F("name", UM_FT_STRING, "Name of the product."),
    UM_FEND
};

static const um_field_t  um_f_resource[] = {
    UM_F("id", UM_FT_STRING, "Unique identifier for the resource."),
    UM_F("name", UM_FT_STRING, "Name of the resource."),
    UM_FO("workspace", UM_FT_OBJECT,
          "The resource is present in this workspace.", um_f_workspace_ref),
    UM_FEND
};

static const um_field_t  um_f_user_ref[] = {
    UM_F("id", UM_FT_STRING,
         "Unique identifier for the user in the source application."),
    UM_F("email", UM_FT_STRING, "Primary email of the user."),
    UM_F("name", UM_FT_STRING, "Display name of the user."),
    UM_FEND
};

static const um_field_t  um_f_model_ref[] = {
    UM_F("id", UM_FT_STRING,
         "Model identifier (e.g. claude-sonnet-4-6, gpt-5)."),
    UM_F("provider", UM_FT_STRING,
         "Provider hosting the model (e.g. anthropic, openai, cursor)."),
    UM_FEND
};

static const char * const  um_charge_types[] = {
    "total", "net", "on_demand", "committed", "included", "usage_based",
    "discount", "tax", "credit", "platform_fee", NULL
};

static const um_field_t  um_f_charge[] = {
    UM_F("amount", UM_FT_NUMBER,
         "The amount charged for the usage, in major units of the currency "
         "(dollars, not cents)."),
    UM_F("currency", UM_FT_STRING,
         "The currency in which the charge is made: ISO 4217, upper case."),
    UM_FE("type", "The type of charge.", um_charge_types),
    UM_FEND
};

static const um_field_t  um_f_tokens[] = {
    UM_F("input", UM_FT_NUMBER, "Input tokens."),
    UM_F("output", UM_FT_NUMBER, "Output tokens."),
    UM_F("cache_read", UM_FT_NUMBER, "Input tokens read from a cache."),
    UM_F("cache_creation", UM_FT_NUMBER, "Input tokens written to a cache."),
    UM_FEND
};

static const um_field_t  um_f_requests[] = {
    UM_F("total", UM_FT_NUMBER, "All requests."),
    UM_F("chat", UM_FT_NUMBER, "Chat requests."),
    UM_F("agent", UM_FT_NUMBER, "Agent requests."),
    UM_F("composer", UM_FT_NUMBER, "Composer requests."),
    UM_F("cmdk", UM_FT_NUMBER, "Inline edit (e.g. Cursor Cmd+K)."),
    UM_F("tab_shown", UM_FT_NUMBER, "Tab completions shown."),
    UM_F("tab_accepted", UM_FT_NUMBER, "Tab completions accepted."),
    UM_F("api_key", UM_FT_NUMBER, "Requests made with an API key."),
    UM_F("included", UM_FT_NUMBER, "Requests included in the plan."),
    UM_F("usage_based", UM_FT_NUMBER, "Requests billed by usage."),
    UM_F("bugbot", UM_FT_NUMBER, "Code review (bug bot) requests."),
    UM_FEND
};

static const um_field_t  um_f_sessions[] = {
    UM_F("distinct", UM_FT_NUMBER, "Distinct sessions or conversations."),
    UM_F("dispatch_turns", UM_FT_NUMBER,
         "Cowork / background dispatch turns."),
    UM_FEND
};

static const um_field_t  um_f_activity[] = {
    UM_F("client_version", UM_FT_STRING, "Client version last seen."),
    UM_F("is_active", UM_FT_BOOLEAN, "Whether the user was active."),
    UM_F("max_mode", UM_FT_BOOLEAN, "Whether max mode was used."),
    UM_FEND
};

static const um_field_t  um_f_code[] = {
    UM_F("accepts", UM_FT_NUMBER, "Suggested changes accepted."),
    UM_F("rejects", UM_FT_NUMBER, "Suggested changes rejected."),
    UM_F("applies", UM_FT_NUMBER, "Suggested changes applied."),
    UM_F("lines_added", UM_FT_NUMBER, "Lines of code added."),
    UM_F("lines_removed", UM_FT_NUMBER, "Lines of code removed."),
    UM_F("accepted_lines_added", UM_FT_NUMBER,
         "Lines added by accepted suggestions."),
    UM_F("accepted_lines_removed", UM_FT_NUMBER,
         "Lines removed by accepted suggestions."),
    UM_F("commits", UM_FT_NUMBER, "Commits made."),
    UM_F("pull_requests", UM_FT_NUMBER, "Pull requests opened."),
    UM_FEND
};

static const um_field_t  um_f_tool_action[] = {
    UM_F("accepted", UM_FT_NUMBER, "Uses of the tool accepted."),
    UM_F("rejected", UM_FT_NUMBER, "Uses of the tool rejected."),
    UM_FEND
};

static const um_field_t  um_f_usage_data[] = {
    UM_F("quantity", UM_FT_NUMBER, "Generic quantity (e.g. Confluent)."),
    UM_F("unit", UM_FT_STRING, "Unit for quantity (e.g. GB, request, hour)."),
    UM_FO("tokens", UM_FT_OBJECT, "Token counts.", um_f_tokens),
    UM_FO("requests", UM_FT_OBJECT, "Request counts.", um_f_requests),
    UM_FO("sessions", UM_FT_OBJECT, "Session counts.", um_f_sessions),
    UM_FO("activity", UM_FT_OBJECT, "Activity of the user.", um_f_activity),
    UM_FO("code", UM_FT_OBJECT, "Code changes.", um_f_code),
    UM_FO("tool_actions", UM_FT_MAP,
          "Per-tool accept/reject counts (e.g. Claude Code), by tool name.",
          um_f_tool_action),
    UM_FEND
};

static const um_field_t  um_f_email[] = {
    UM_F("email", UM_FT_STRING, "Email address."),
    UM_F("is_primary", UM_FT_BOOLEAN, "Whether this is the primary email."),
    UM_FEND
};

static const um_field_t  um_f_role[] = {
    UM_F("id", UM_FT_STRING, "The role's unique identifier."),
    UM_F("name", UM_FT_STRING, "The role's name."),
    UM_FEND
};

static const um_field_t  um_f_spend_limit[] = {
    UM_F("amount", UM_FT_NUMBER,
         "Spending limit amount (smallest currency unit)."),
    UM_F("currency", UM_FT_STRING, "ISO 4217 currency code."),
    UM_FEND
};


/* the resources */

static const um_field_t  um_f_organizations[] = {
    UM_FR("id", UM_FT_STRING, "Unique identifier for the organization."),
    UM_F("name", UM_FT_STRING, "Name of the organization."),
    UM_F("created_at", UM_FT_DATETIME,
         "Date and time when the organization was created."),
    UM_F("updated_at", UM_FT_DATETIME,
         "Date and time when the organization was last updated."),
    UM_REMOTE_DATA,
    UM_FEND
};

static const um_field_t  um_f_products[] = {
    UM_FR("id", UM_FT_STRING, "Unique identifier for the product."),
    UM_F("name", UM_FT_STRING, "Name of the product."),
    UM_F("description", UM_FT_STRING, "Description for the product."),
    UM_F("created_at", UM_FT_DATETIME,
         "Date and time when the product was created."),
    UM_F("updated_at", UM_FT_DATETIME,
         "Date and time when the product was last updated."),
    UM_REMOTE_DATA,
    UM_FEND
};

static const um_field_t  um_f_usage[] = {
    UM_FR("id", UM_FT_STRING, "Unique identifier for the usage."),
    UM_FO("product", UM_FT_OBJECT, "The product associated with the usage.",
          um_f_product_ref),
    UM_F("metric_name", UM_FT_STRING, "Name of the metric being charged for."),
    UM_FO("resources", UM_FT_ARRAY,
          "The resources the usage was measured on.", um_f_resource),
    UM_FO("organization", UM_FT_OBJECT,
          "The organization associated with the usage.", um_f_org_ref),
    UM_FO("user", UM_FT_OBJECT,
          "User attributed to the usage row when the vendor exposes a user "
          "pivot. Omitted for org-level or aggregated rows.", um_f_user_ref),
    UM_FO("model", UM_FT_OBJECT,
          "AI model for the row when applicable. Omitted for non-AI "
          "vendors.", um_f_model_ref),
    UM_F("surface", UM_FT_STRING,
         "Specific product surface for this row when the source exposes a "
         "single surface, such as chat, claude_code, cowork, office_agent, "
         "composer, or api. Omitted when the row is aggregate."),
    UM_FO("charges", UM_FT_ARRAY, "The amounts charged for the usage.",
          um_f_charge),
    UM_FO("usage", UM_FT_OBJECT, "The usage data for the product.",
          um_f_usage_data),
    UM_F("start_date", UM_FT_DATETIME, "The start date for the usage data."),
    UM_F("end_date", UM_FT_DATETIME,
         "The end date for the usage data: the exclusive end of the period "
         "(a March row ends 2024-04-01T00:00:00.000Z)."),
    UM_F("created_at", UM_FT_DATETIME,
         "Date and time when the usage data metric was created."),
    UM_F("updated_at", UM_FT_DATETIME,
         "Date and time when the usage data metric was last updated."),
    UM_REMOTE_DATA,
    UM_FEND
};

static const um_field_t  um_f_workspaces[] = {
    UM_FR("id", UM_FT_STRING, "Unique identifier for the workspace."),
    UM_F("name", UM_FT_STRING, "Name of the workspace."),
    UM_FO("organization", UM_FT_OBJECT,
          "Workspace belongs to this organization.", um_f_org_ref),
    UM_F("created_at", UM_FT_DATETIME,
         "Date and time when the workspace was created."),
    UM_F("updated_at", UM_FT_DATETIME,
         "Date and time when the workspace was last updated."),
    UM_REMOTE_DATA,
    UM_FEND
};

static const um_field_t  um_f_user_org[] = {
    UM_F("id", UM_FT_STRING, "Unique identifier for the organization."),
    UM_F("name", UM_FT_STRING, "Name of the organization."),
    UM_FEND
};

static const um_field_t  um_f_users[] = {
    UM_FR("id", UM_FT_STRING,
          "Unique identifier for the user inside the source application."),
    UM_F("first_name", UM_FT_STRING, "The first name of the user."),
    UM_F("last_name", UM_FT_STRING, "The last name of the user."),
    UM_FR("name", UM_FT_STRING, "Display name of the user."),
    UM_FO("emails", UM_FT_ARRAY, "Email addresses of the user.", um_f_email),
    UM_FO("roles", UM_FT_ARRAY, "The roles the user has.", um_f_role),
    UM_F("status", UM_FT_STRING,
         "The status of the user: active, inactive, deleted or invited. If "
         "no clear mapping is available, the raw value is returned."),
    UM_FO("organization", UM_FT_OBJECT,
          "The organization / team / workspace the user belongs to.",
          um_f_user_org),
    UM_FO("spend_limit", UM_FT_OBJECT,
          "Per-user spending limit configured in the source application.",
          um_f_spend_limit),
    UM_F("last_active_at", UM_FT_DATETIME,
         "Date and time when the user was last active."),
    UM_F("created_at", UM_FT_DATETIME,
         "Date and time when the user was created."),
    UM_F("updated_at", UM_FT_DATETIME,
         "Date and time when the user was last updated."),
    UM_REMOTE_DATA,
    UM_FEND
};


/* in the order of um_resource_e */

static const um_model_t  um_models[UM_RES_N] = {
    { "organizations", "Organization",
      "Represents the organizations that are using the products.",
      um_f_organizations },
    { "products", "Product",
      "Products represent the services or products that are being used by "
      "the organization for a particular integration.", um_f_products },
    { "usage", "Usage",
      "Returns the usage data across products for the organization.",
      um_f_usage },
    { "workspaces", "Workspace",
      "The workspaces (environments, projects) of the organization.",
      um_f_workspaces },
    { "users", "User",
      "The users (members) of the organization.", um_f_users }
};


/* CONTRACT section 3 */

#define UM_BOOL_SCHEMA  "{\"type\":\"boolean\"}"

/* ISO 8601: a date or a date-time, which JSON Schema's formats split */
#define UM_DATE_SCHEMA                                                       \
    "{\"type\":\"string\",\"examples\":[\"2024-03-01\","                  \
    "\"2024-03-01T00:00:00Z\"]}"

const um_uparam_t  um_unified_params[] = {

    { "integrated_account_id", UM_PARAM_LIST | UM_PARAM_GET, 1,
      "{\"type\":\"string\"}", NULL,
      "The ID of the integrated account to use for the request: one "
      "configured with usage_metering_account. A list may name several "
      "(repeat the parameter); each row then carries its "
      "integrated_account_id." },

    { "start_date", UM_PARAM_LIST, 0, UM_DATE_SCHEMA, NULL,
      "The start date for the usage data: an ISO 8601 date or date-time. "
      "Defaults and resolution depend on the provider." },

    { "end_date", UM_PARAM_LIST, 0, UM_DATE_SCHEMA, NULL,
      "The end date for the usage data: an ISO 8601 date or date-time, not "
      "before start_date. Defaults depend on the provider." },

    { "date", UM_PARAM_LIST, 0, UM_DATE_SCHEMA, NULL,
      "The day to read, for providers that report one day at a time: "
      "YYYY-MM-DD (of a date-time, the day); the provider's default "
      "otherwise." },

    { "user_id", UM_PARAM_LIST, 0,
      "{\"type\":\"string\"}", NULL,
      "Filter usage to one user of the provider, where the provider "
      "supports it." },

    { "limit", UM_PARAM_LIST, 0,
      "{\"type\":\"integer\",\"minimum\":1,\"maximum\":10000}", NULL,
      "Records per page." },

    { "next_cursor", UM_PARAM_LIST, 0,
      "{\"type\":\"string\"}", NULL,
      "The cursor of the next page, from the next_cursor of the previous "
      "answer; the other parameters must not change." },

    { "truto_response_format", UM_PARAM_LIST | UM_PARAM_GET, 0,
      "{\"type\":\"string\",\"enum\":[\"unified\",\"normalized\",\"raw\","
      "\"stream\",\"debug\"],\"default\":\"unified\"}", NULL,
      "The format of the response: unified (mappings applied), normalized "
      "(unified without remote_data), raw (the provider's body and status), "
      "stream (every page of a list as it arrives, chunked; NDJSON with "
      "Accept: application/x-ndjson), debug (the unified result and what "
      "was sent to the provider, credentials redacted)." },

    { "truto_key_by", UM_PARAM_LIST, 0,
      "{\"type\":\"string\"}", NULL,
      "A field of the records: result becomes an object of the records "
      "keyed by it." },

    { "truto_ignore_limit", UM_PARAM_LIST, 0,
      UM_BOOL_SCHEMA, NULL,
      "Ignore the limit parameter." },

    { "truto_ignore_remote_data", UM_PARAM_LIST | UM_PARAM_GET, 0,
      UM_BOOL_SCHEMA, NULL,
      "Leave remote_data out of the records." },

    { "truto_exclude_fields", UM_PARAM_LIST | UM_PARAM_GET, 0,
      "{\"type\":\"array\",\"items\":{\"type\":\"string\"}}",
      "\"style\":\"form\",\"explode\":false",
      "Fields to leave out of the records, dotted paths allowed "
      "(charges.currency): a,b or truto_exclude_fields[]=a&"
      "truto_exclude_fields[]=b." },

    { "truto_skip_api_call", UM_PARAM_LIST, 0,
      UM_BOOL_SCHEMA, NULL,
      "Make no provider call: an empty list." },

    { "remote_query", UM_PARAM_LIST | UM_PARAM_GET, 0,
      "{\"type\":\"object\",\"additionalProperties\":{\"type\":\"string\"}}",
      "\"style\":\"deepObject\",\"explode\":true",
      "Query parameters sent to the provider as they are, overriding the "
      "mapped ones: remote_query[foo]=bar sends foo=bar." },

    { NULL, 0, 0, NULL, NULL, NULL }
};


const um_model_t *
um_model(int resource)
{
    if (resource < 0 || resource >= UM_RES_N) {
        return NULL;
    }

    return &um_models[resource];
}


const um_uparam_t *
um_uparam_find(const char *name, size_t len)
{
    const um_uparam_t  *p;

    for (p = um_unified_params; p->name; p++) {
        if (strlen(p->name) == len && memcmp(p->name, name, len) == 0) {
            return p;
        }
    }

    return NULL;
}


/* the filter: which fields at the level of `prefix` are wanted */

typedef struct {
    const um_str_t     *paths;
    size_t              n;
    int                 on;
} um_sfilter_t;


/*
 * 2: the whole field (a path names it, or no filter), 1: some of what is
 * below it, 0: none of it.
 */

static int
um_schema_wanted(const um_sfilter_t *f, const char *prefix, size_t plen,
    const char *name, size_t nlen)
{
    int              want;
    size_t           i, flen;
    const um_str_t  *p;

    if (!f->on) {
        return 2;
    }

    want = 0;
    flen = plen ? plen + 1 + nlen : nlen;

    for (i = 0; i < f->n; i++) {
        p = &f->paths[i];

        if (p->len < flen
            || (plen && (memcmp(p->data, prefix, plen) != 0
                         || p->data[plen] != '.'))
            || memcmp(p->data + flen - nlen, name, nlen) != 0)
        {
            continue;
        }

        if (p->len == flen) {
            return 2;
        }

        if (p->data[flen] == '.') {
            want = 1;
        }
    }

    return want;
}


static void um_schema_fields(um_buf_t *b, const um_field_t *fields,
    const um_sfilter_t *f, const char *prefix, size_t plen);


static void
um_schema_field(um_buf_t *b, const um_field_t *fd, const um_sfilter_t *f,
    const char *path, size_t len)
{
    const char * const  *e;

    switch (fd->type) {

    case UM_FT_STRING:
        um_buf_adds(b, "{\"type\":\"string\"");

        if (fd->enums) {
            um_buf_adds(b, ",\"enum\":[");

            for (e = fd->enums; *e; e++) {
                if (e != fd->enums) {
                    um_buf_addc(b, ',');
                }

                um_json_str(b, *e, strlen(*e));
            }

            um_buf_addc(b, ']');
        }

        break;

    case UM_FT_DATETIME:
        um_buf_adds(b, "{\"type\":\"string\",\"format\":\"date-time\"");
        break;

    case UM_FT_NUMBER:
        um_buf_adds(b, "{\"type\":\"number\"");
        break;

    case UM_FT_BOOLEAN:
        um_buf_adds(b, "{\"type\":\"boolean\"");
        break;

    case UM_FT_OBJECT:
        um_buf_addc(b, '{');
        um_schema_fields(b, fd->fields, f, path, len);
        break;

    case UM_FT_ARRAY:
        um_buf_adds(b, "{\"type\":\"array\",\"items\":{");
        um_schema_fields(b, fd->fields, f, path, len);
        um_buf_addc(b, '}');
        break;

    case UM_FT_MAP:
        um_buf_adds(b, "{\"type\":\"object\",\"additionalProperties\":{");
        um_schema_fields(b, fd->fields, NULL, NULL, 0);
        um_buf_addc(b, '}');
        break;

    default: /* UM_FT_ANY_OBJECT */
        um_buf_adds(b, "{\"type\":\"object\",\"additionalProperties\":true");
        break;
    }

    um_buf_adds(b, ",\"description\":");
    um_json_str(b, fd->description, strlen(fd->description));
    um_buf_addc(b, '}');
}


/*
 * The members of an object schema, without its braces: type, required,
 * properties; then, when filtering, the paths at this level that the model
 * does not have.
 */

static void
um_schema_fields(um_buf_t *b, const um_field_t *fields, const um_sfilter_t *f,
    const char *prefix, size_t plen)
{
    int                  want, any, req;
    char                 path[512];
    size_t               i, j, k, nlen, len, slen;
    const char          *seg;
    const um_field_t    *fd;
    const um_str_t      *p;
    um_sfilter_t         all;

    if (f == NULL) {
        all.on = 0;
        f = &all;
    }

    um_buf_adds(b, "\"type\":\"object\"");

    req = 0;

    for (fd = fields; fd->name; fd++) {
        if (!fd->required
            || um_schema_wanted(f, prefix, plen, fd->name, strlen(fd->name))
               == 0)
        {
            continue;
        }

        um_buf_adds(b, req ? "," : ",\"required\":[");
        um_json_str(b, fd->name, strlen(fd->name));
        req = 1;
    }

    if (req) {
        um_buf_addc(b, ']');
    }

    um_buf_adds(b, ",\"properties\":{");
    any = 0;

    for (fd = fields; fd->name; fd++) {
        nlen = strlen(fd->name);
        want = um_schema_wanted(f, prefix, plen, fd->name, nlen);

        if (want == 0) {
            continue;
        }

        len = plen ? plen + 1 + nlen : nlen;

        if (len >= sizeof(path)) {
            continue;
        }

        if (plen) {
            memcpy(path, prefix, plen);
            path[plen] = '.';
        }

        memcpy(path + (plen ? plen + 1 : 0), fd->name, nlen);

        if (any) {
            um_buf_addc(b, ',');
        }

        um_json_str(b, fd->name, nlen);
        um_buf_addc(b, ':');

        if (want == 2) {
            um_schema_field(b, fd, NULL, NULL, 0);

        } else {
            um_schema_field(b, fd, f, path, len);
        }

        any = 1;
    }

    /* what the mapping adds at this level, described as "any" once */

    for (i = 0; f->on && i < f->n; i++) {
        p = &f->paths[i];

        if (p->len <= plen
            || (plen && (memcmp(p->data, prefix, plen) != 0
                         || p->data[plen] != '.')))
        {
            continue;
        }

        seg = p->data + (plen ? plen + 1 : 0);
        slen = p->len - (size_t) (seg - p->data);

        for (k = 0; k < slen && seg[k] != '.'; k++) {
            /* void */
        }

        slen = k;

        for (fd = fields; fd->name; fd++) {
            if (strlen(fd->name) == slen && memcmp(fd->name, seg, slen) == 0)
            {
                break;
            }
        }

        if (fd->name || slen == 0) {
            continue;
        }

        /* once: not if an earlier path had the same segment */

        for (j = 0; j < i; j++) {
            if (f->paths[j].len >= (size_t) (seg - p->data) + slen
                && memcmp(f->paths[j].data, p->data,
                          (size_t) (seg - p->data) + slen) == 0
                && (f->paths[j].len == (size_t) (seg - p->data) + slen
                    || f->paths[j].data[(seg - p->data) + slen] == '.'))
            {
                break;
            }
        }

        if (j < i) {
            continue;
        }

        if (any) {
            um_buf_addc(b, ',');
        }

        um_json_str(b, seg, slen);
        um_buf_adds(b, ":{\"description\":\"Not in the unified model: "
                    "added by the mapping.\"}");
        any = 1;
    }

    um_buf_addc(b, '}');
}


void
um_schema_write(um_buf_t *b, const um_model_t *m, const um_str_t *paths,
    size_t npaths, int filter)
{
    um_sfilter_t  f;

    f.paths = paths;
    f.n = npaths;
    f.on = filter;

    um_buf_addc(b, '{');
    um_schema_fields(b, m->fields, &f, NULL, 0);
    um_buf_adds(b, ",\"description\":");
    um_json_str(b, m->description, strlen(m->description));
    um_buf_addc(b, '}');
}
