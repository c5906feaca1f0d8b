/*
 * A fast JSON parser for provider bodies: one pass over the text, no
 * allocation per value but the containers themselves, straight into the
 * engine's values (um_value_t) in an arena.  A string without escapes
 * points into the text; objects are UM_OBJ, arrays UM_ARR (no flags),
 * numbers doubles.
 *
 * It accepts what json_loadb(JSON_DECODE_ANY | JSON_ALLOW_NUL |
 * JSON_DECODE_INT_AS_REAL) accepts, and makes the same values of it: a
 * repeated key keeps its first position and its last value, as jansson's
 * objects do; numbers read as strtod reads them.  It may refuse more (a
 * nesting deeper than UM_JP_MAX_DEPTH, a number literal over 400
 * characters, a NUL byte outside a string, which jansson's lexer drops
 * after a number or a literal): a refused text goes to jansson, whose error message is the
 * one reported, so the two can never disagree on what is valid.
 *
 * The text must stay alive and unchanged as long as the values.
 */

#ifndef _UM_JSON_PARSE_H_INCLUDED_
#define _UM_JSON_PARSE_H_INCLUDED_


#include "um_arena.h"
#include "um_str.h"
#include "um_value.h"


#define UM_JP_MAX_DEPTH  1000


/*
 * The members and items of the containers being parsed, reused from page
 * to page (malloc'd; um_jp_scratch_free releases it).
 */
typedef struct {
    um_member_t     *mem;
    uint8_t         *hash;          /* per member: its key's hash byte */
    uint32_t         nmem;
    uint32_t         cmem;
    um_value_t      *items;
    uint32_t         nitems;
    uint32_t         citems;
} um_jp_scratch_t;


typedef struct {
    um_arena_t       *arena;        /* the values */
    um_jp_scratch_t  *s;
    const char       *start;
    const char       *p;            /* the next byte */
    const char       *end;
    size_t            ws;           /* whitespace bytes skipped so far */
    unsigned          depth;
    unsigned          failed:1;     /* refused or out of memory */
    unsigned          plain:1;      /* the last string: UM_F_PLAIN */
} um_jp_t;


void um_jp_init(um_jp_t *jp, um_arena_t *a, um_jp_scratch_t *s,
    const char *text, size_t len);
void um_jp_scratch_free(um_jp_scratch_t *s);

/* skips whitespace at jp->p (counted in jp->ws) */
void um_jp_skip_ws(um_jp_t *jp);

/*
 * The value at jp->p (whitespace before it skipped); jp->p is left after
 * it.  UM_OK, or UM_ERR with jp->failed set.
 */
int um_jp_value(um_jp_t *jp, um_value_t *v);

/*
 * An object key at jp->p (the opening quote), then the colon and the
 * whitespace after it; the key is decoded (in the arena if it has escapes).
 */
int um_jp_key(um_jp_t *jp, um_str_t *key);

/*
 * Object building for a caller that parses an object member by member
 * (um_map_exec.c streams a records array found inside the body):
 * um_jp_obj_begin() notes where its members start on the scratch stack,
 * um_jp_obj_add() adds one (a repeated key replaces the value in place),
 * um_jp_obj_end() makes the object.  Nested objects parsed in between pop
 * their own members.
 */
typedef struct {
    uint32_t          base;
    uint64_t          bits[4];      /* hash bytes of the keys so far */
} um_jp_obj_t;

void um_jp_obj_begin(um_jp_t *jp, um_jp_obj_t *o);
int um_jp_obj_add(um_jp_t *jp, um_jp_obj_t *o, um_str_t key, um_value_t v);
int um_jp_obj_end(um_jp_t *jp, um_jp_obj_t *o, um_value_t *v);

/* 1 if s (JSON text known to be valid) reads as the same bytes minified */
#define um_jp_no_ws(jp, before)  ((jp)->ws == (before))


#endif /* _UM_JSON_PARSE_H_INCLUDED_ */
