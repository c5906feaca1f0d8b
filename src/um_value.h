/*
 * Values of the expression language and of the mapping executor.
 *
 * Provider data stays in the jansson tree it was parsed into: objects and
 * arrays are borrowed as UM_JSON, scalars are read into the value itself
 * (strings point into jansson's storage).  Values the evaluator builds
 * (strings, arrays, objects) live in an arena, so a value never needs to be
 * released on its own and a page's worth of them goes away with one reset.
 *
 * Numbers are doubles, as in JSONata (JavaScript); provider integers are
 * read as doubles too.
 */

#ifndef _UM_VALUE_H_INCLUDED_
#define _UM_VALUE_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <jansson.h>

#include "um_arena.h"
#include "um_error.h"


typedef enum {
    UM_UNDEF = 0,       /* JSONata "undefined": no value at all */
    UM_NULL,
    UM_BOOL,
    UM_NUM,
    UM_STR,
    UM_JSON,            /* borrowed jansson object or array, never a scalar */
    UM_ARR,             /* array built in an arena */
    UM_OBJ,             /* object built in an arena, keys in insertion order */
    UM_FUNC             /* a function used as a value (reserved) */
} um_type_e;


/* UM_ARR flags */
#define UM_F_SEQ    0x01    /* a path's result sequence, not an array value */
#define UM_F_KEEP   0x02    /* keep a singleton sequence as an array */

/* UM_STR flags */
#define UM_F_PLAIN  0x80    /* ASCII without '"', '\\' or controls: written
                               as it is in JSON (um_json_parse.c sets it) */

/* UM_NUM flags */
#define UM_F_NUMTEXT 0x40   /* only in the slots of um_jp_pick: u.s and len
                               are the number's JSON text, it is not read */


typedef struct um_array_s   um_array_t;
typedef struct um_object_s  um_object_t;

typedef struct {
    uint8_t            type;         /* um_type_e */
    uint8_t            flags;
    uint32_t           len;          /* UM_STR: length in bytes */
    union {
        int            b;
        double         n;
        const char    *s;            /* UM_STR: not NUL-terminated */
        json_t        *j;
        um_array_t    *a;
        um_object_t   *o;
        const void    *f;
    } u;
} um_value_t;


struct um_array_s {
    um_value_t        *items;
    uint32_t           n;
    uint32_t           cap;
};


typedef struct {
    const char        *key;
    uint32_t           klen;
    um_value_t         val;
} um_member_t;


struct um_object_s {
    um_member_t       *items;
    uint32_t           n;
    uint32_t           cap;
};


#define um_is_undef(v)   ((v).type == UM_UNDEF)


/* constructors of scalar values (no allocation; um_str borrows s) */

static inline um_value_t
um_undef(void)
{
    um_value_t  v;

    memset(&v, 0, sizeof(um_value_t));

    return v;
}


static inline um_value_t
um_null(void)
{
    um_value_t  v;

    memset(&v, 0, sizeof(um_value_t));
    v.type = UM_NULL;

    return v;
}


static inline um_value_t
um_bool(int b)
{
    um_value_t  v;

    memset(&v, 0, sizeof(um_value_t));
    v.type = UM_BOOL;
    v.u.b = b ? 1 : 0;

    return v;
}


static inline um_value_t
um_num(double n)
{
    um_value_t  v;

    memset(&v, 0, sizeof(um_value_t));
    v.type = UM_NUM;
    v.u.n = n;

    return v;
}


static inline um_value_t
um_str(const char *s, size_t len)
{
    um_value_t  v;

    memset(&v, 0, sizeof(um_value_t));
    v.type = UM_STR;
    v.len = (uint32_t) len;
    v.u.s = s;

    return v;
}

/* a jansson value as a value: scalars are read, containers borrowed */
um_value_t um_from_json(json_t *j);

/* string copied into the arena; NULL string on allocation failure */
int um_str_dup(um_arena_t *a, const char *s, size_t len, um_value_t *out);

um_array_t *um_arr_new(um_arena_t *a, uint32_t cap);
int um_arr_push(um_arena_t *a, um_array_t *arr, um_value_t v);

um_object_t *um_obj_new(um_arena_t *a, uint32_t cap);
/* sets key (replacing an existing one in place); borrows key */
int um_obj_set(um_arena_t *a, um_object_t *o, const char *key, size_t klen,
    um_value_t v);

/*
 * Member of an object value (UM_OBJ or a UM_JSON object); UM_UNDEF when
 * absent or when v is not an object.
 */
um_value_t um_get(um_value_t v, const char *key, size_t klen);

/* number of items of an array value (UM_ARR or UM_JSON array), else 0 */
size_t um_len(um_value_t v);
/* item i of an array value */
um_value_t um_at(um_value_t v, size_t i);

int um_is_array(um_value_t v);
int um_is_object(um_value_t v);

/* JSONata's $boolean() cast */
int um_truthy(um_value_t v);

/* deep equality as JSONata's = operator on values */
int um_equal(um_value_t a, um_value_t b);

/* JSONata type name: "string", "number", "boolean", "null", "array",
 * "object", "function", or "undefined" */
const char *um_type_name(um_value_t v);

/*
 * Formats a number as JavaScript's Number.prototype.toString does
 * (shortest representation that reads back to the same double; exponent
 * form below 1e-6 and from 1e21).  buf must hold UM_NUM_BUF bytes.
 * Returns the length; NaN and infinities format as "null" (they cannot be
 * represented in JSON; the evaluator reports them as errors first).
 */
#define UM_NUM_BUF  32
size_t um_num_format(double d, char *buf);

/*
 * The same for a number given as its JSON text (valid by JSON's grammar),
 * without reading its value: "54.0" is "54", "-0.50" is "-0.5".  Returns
 * the length written to buf (UM_NUM_BUF bytes), or 0 when the value must
 * be read: an exponent, more than 15 significant digits (the text may not
 * be the shortest that reads back), a magnitude below 1e-6.
 */
size_t um_num_text(const char *s, size_t len, char *buf);


#endif /* _UM_VALUE_H_INCLUDED_ */
