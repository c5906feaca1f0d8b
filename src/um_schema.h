/*
 * The unified model as data: the fields of the five resources and the
 * query parameters of the unified API, in one place.
 *
 * Nothing validates answers against it (a mapping may add fields); it is
 * what the OpenAPI document and the meta endpoints describe, written as
 * JSON Schema (2020-12, the dialect of OpenAPI 3.1).
 */

#ifndef _UM_SCHEMA_H_INCLUDED_
#define _UM_SCHEMA_H_INCLUDED_


#include "um_str.h"


typedef enum {
    UM_FT_STRING = 1,
    UM_FT_DATETIME,         /* string, RFC 3339 UTC with milliseconds */
    UM_FT_NUMBER,
    UM_FT_BOOLEAN,
    UM_FT_OBJECT,           /* fields: its members */
    UM_FT_ARRAY,            /* fields: the members of each item */
    UM_FT_MAP,              /* object of any keys; fields: each value's */
    UM_FT_ANY_OBJECT        /* any object (remote_data) */
} um_field_type_e;


typedef struct um_field_s  um_field_t;

struct um_field_s {
    const char          *name;          /* NULL ends a list */
    int                  type;          /* um_field_type_e */
    const char          *description;
    const char * const  *enums;         /* NULL-terminated, or NULL */
    const um_field_t    *fields;
    unsigned             required:1;
};


typedef struct {
    const char          *name;          /* "usage" */
    const char          *title;         /* "Usage": the schema's name */
    const char          *description;
    const um_field_t    *fields;
} um_model_t;


/* a query parameter of the unified API */

#define UM_PARAM_LIST   0x01
#define UM_PARAM_GET    0x02

typedef struct {
    const char          *name;          /* NULL ends the list */
    unsigned             ops;           /* UM_PARAM_LIST | UM_PARAM_GET */
    unsigned             required:1;
    const char          *schema;        /* JSON Schema, JSON text */
    const char          *extra;         /* more Parameter Object members */
    const char          *description;
} um_uparam_t;


/* the model of a resource (um_resource_e) */
const um_model_t *um_model(int resource);

extern const um_uparam_t  um_unified_params[];

/* the unified parameter of that name, or NULL */
const um_uparam_t *um_uparam_find(const char *name, size_t len);

/*
 * Writes the JSON Schema of a resource.  With filter set, only the fields
 * named by paths (dotted, array items transparent: "charges.amount") and
 * what lies below them; a path the model does not know becomes a property
 * of any type, so an addition of the mapping is still described.
 */
void um_schema_write(um_buf_t *b, const um_model_t *m, const um_str_t *paths,
    size_t npaths, int filter);


#endif /* _UM_SCHEMA_H_INCLUDED_ */
