/*
 * Arena allocator of the engine.
 *
 * The engine never frees single objects: everything made while compiling a
 * mapping lives in the configuration's arena, everything made while mapping
 * a page lives in a per-page arena that is reset between pages.  Resources
 * that are not plain memory (jansson values, PCRE2 codes) are released
 * through cleanups run by reset and destroy.  A size limit turns a runaway
 * evaluation into an allocation failure instead of an exhausted worker.
 */

#ifndef _UM_ARENA_H_INCLUDED_
#define _UM_ARENA_H_INCLUDED_


#include <stddef.h>


typedef struct um_arena_s  um_arena_t;

typedef void (*um_cleanup_pt)(void *data);


/* block_size: bytes per block (0: default); limit: total bytes (0: none) */
um_arena_t *um_arena_create(size_t block_size, size_t limit);
void um_arena_destroy(um_arena_t *a);

/* frees all but the first block and runs the cleanups, newest first */
void um_arena_reset(um_arena_t *a);

/* 16-byte aligned, uninitialised; NULL when out of memory or over limit */
void *um_alloc(um_arena_t *a, size_t size);
void *um_calloc(um_arena_t *a, size_t size);
char *um_strndup(um_arena_t *a, const char *s, size_t len);

/* grows the last allocation in place when possible, else copies */
void *um_realloc(um_arena_t *a, void *p, size_t old, size_t size);

int um_arena_cleanup_add(um_arena_t *a, um_cleanup_pt handler, void *data);

size_t um_arena_used(const um_arena_t *a);


#endif /* _UM_ARENA_H_INCLUDED_ */
