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
 * after a number or a literal): a refused text goes to jansson, whose
 * error message is the one reported, so the two can never disagree on what
 * is valid.
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

/*
 * The members of an object that a caller wants, by name, and those it
 * wants of their values in turn (a.b.c): made once, at load time, and read
 * from each record by um_jp_pick without building the record.
 */
typedef struct um_jp_wants_s  um_jp_wants_t;

typedef struct {
    um_str_t          name;
    uint32_t          slot;         /* where its value goes */
    um_jp_wants_t    *kids;         /* wanted of its value, if an object */
} um_jp_want_t;

/*
 * The keys of the last object read at a level, in order, as their text
 * ("key":): the records of a page share their keys and order, so the next
 * object's keys are mostly the same bytes, which need no reading (the
 * text was valid, and the same text is).  A cache, written as objects are
 * read (each nginx worker has its own copy of the compiled mappings).
 */
#define UM_JP_MEMO_KEYS  64
#define UM_JP_MEMO_TEXT  30

typedef struct {
    uint8_t           len;          /* of the text, 0: none */
    uint8_t           want;         /* want + 1, 0: not wanted */
    char              text[UM_JP_MEMO_TEXT];
} um_jp_memo_t;

struct um_jp_wants_s {
    um_jp_want_t     *want;
    uint32_t          n;
    uint32_t          seed;         /* of the hash: chosen at load so that
                                       the names do not collide */
    uint8_t           index[64];    /* by um_jp_want_hash: want + 1, 0:
                                       none, 0xff: several */
    um_jp_memo_t     *memo;         /* UM_JP_MEMO_KEYS, or NULL */
};

/* the bucket of index[] for a key: its length and three of its bytes */
#define um_jp_want_hash(k, len, seed)                                        \
    ((len) ? (((len) * 7u + (unsigned char) (k)[0] * 3u                     \
               + (unsigned char) (k)[(len) - 1]                             \
               + (unsigned char) (k)[(len) >> 1] * (seed)) & 63u) : 0u)

/*
 * The object at jp->p, read and validated exactly as um_jp_value would,
 * without building it: the value of each wanted member goes to
 * slots[slot], and what is wanted of a member that is an object is read
 * from it in turn.  An object or array value goes there as a marker (its
 * type, no contents: UM_OBJ or UM_ARR with a NULL pointer), a number
 * without an exponent as its text (UM_NUM with UM_F_NUMTEXT: u.s and len,
 * for um_num_text; such a slot is not a value to evaluate); the slots
 * must be UM_UNDEF before.  UM_OK with jp->p after the object; UM_JP_NO
 * when it is not an object or a wanted member repeats (the caller builds
 * the value instead, which keeps jansson's last-one-wins); UM_ERR with
 * jp->failed on a text um_jp_value refuses.
 */
#define UM_JP_NO  1

/* the longest number text a slot holds */
#define UM_JP_NUM_TEXT  64

int um_jp_pick(um_jp_t *jp, const um_jp_wants_t *w, um_value_t *slots);


/* 1 if s (JSON text known to be valid) reads as the same bytes minified */
#define um_jp_no_ws(jp, before)  ((jp)->ws == (before))


#endif /* _UM_JSON_PARSE_H_INCLUDED_ */
