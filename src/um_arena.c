/*
 * Arena allocator: bump allocation in malloc'd blocks.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "um_arena.h"


#define UM_ARENA_ALIGN         16
#define UM_ARENA_DEFAULT_SIZE  (16 * 1024)


typedef struct um_block_s  um_block_t;

struct um_block_s {
    um_block_t  *next;
    char        *last;
    char        *end;
    /* data follows, aligned */
};


typedef struct um_cleanup_s  um_cleanup_t;

struct um_cleanup_s {
    um_cleanup_pt   handler;
    void           *data;
    um_cleanup_t   *next;
};


struct um_arena_s {
    um_block_t    *first;
    um_block_t    *current;
    um_cleanup_t  *cleanups;
    size_t         block_size;
    size_t         limit;
    size_t         total;          /* bytes of all blocks */
    size_t         used;           /* bytes handed out */
    void          *last_alloc;     /* for in-place realloc */
};


static um_block_t *um_block_new(um_arena_t *a, size_t size);
static void um_run_cleanups(um_arena_t *a);


#define um_align_ptr(p)                                                      \
    (char *) (((uintptr_t) (p) + (UM_ARENA_ALIGN - 1))                       \
              & ~((uintptr_t) UM_ARENA_ALIGN - 1))


um_arena_t *
um_arena_create(size_t block_size, size_t limit)
{
    um_arena_t  *a;

    a = calloc(1, sizeof(um_arena_t));
    if (a == NULL) {
        return NULL;
    }

    a->block_size = block_size ? block_size : UM_ARENA_DEFAULT_SIZE;
    a->limit = limit;

    a->first = um_block_new(a, a->block_size);
    if (a->first == NULL) {
        free(a);
        return NULL;
    }

    a->current = a->first;

    return a;
}


void
um_arena_destroy(um_arena_t *a)
{
    um_block_t  *b, *next;

    if (a == NULL) {
        return;
    }

    um_run_cleanups(a);

    for (b = a->first; b; b = next) {
        next = b->next;
        free(b);
    }

    free(a);
}


void
um_arena_reset(um_arena_t *a)
{
    um_block_t  *b, *next;

    um_run_cleanups(a);

    for (b = a->first->next; b; b = next) {
        next = b->next;
        a->total -= (size_t) (b->end - (char *) b);
        free(b);
    }

    a->first->next = NULL;
    a->first->last = um_align_ptr((char *) a->first + sizeof(um_block_t));
    a->current = a->first;
    a->used = 0;
    a->last_alloc = NULL;
}


void *
um_alloc(um_arena_t *a, size_t size)
{
    char        *p;
    size_t       bsize;
    um_block_t  *b;

    if (size == 0) {
        size = 1;
    }

    b = a->current;
    p = um_align_ptr(b->last);

    if (size > (size_t) (b->end - p)) {

        bsize = a->block_size;
        if (size + sizeof(um_block_t) + UM_ARENA_ALIGN > bsize) {
            bsize = size + sizeof(um_block_t) + UM_ARENA_ALIGN;
        }

        b = um_block_new(a, bsize);
        if (b == NULL) {
            return NULL;
        }

        /* a big block does not become current: the rest of the current one
         * stays usable for small allocations */

        if (bsize == a->block_size) {
            b->next = a->current->next;
            a->current->next = b;
            a->current = b;

        } else {
            b->next = a->current->next;
            a->current->next = b;
        }

        p = um_align_ptr(b->last);
    }

    b->last = p + size;
    a->used += size;
    a->last_alloc = p;

    return p;
}


void *
um_calloc(um_arena_t *a, size_t size)
{
    void  *p;

    p = um_alloc(a, size);
    if (p) {
        memset(p, 0, size);
    }

    return p;
}


char *
um_strndup(um_arena_t *a, const char *s, size_t len)
{
    char  *p;

    p = um_alloc(a, len + 1);
    if (p == NULL) {
        return NULL;
    }

    if (len) {
        memcpy(p, s, len);
    }

    p[len] = '\0';

    return p;
}


void *
um_realloc(um_arena_t *a, void *p, size_t old, size_t size)
{
    void        *np;
    um_block_t  *b;

    if (p == NULL) {
        return um_alloc(a, size);
    }

    if (size <= old) {
        return p;
    }

    b = a->current;

    if (p == a->last_alloc
        && (char *) p + old == b->last
        && size - old <= (size_t) (b->end - b->last))
    {
        b->last += size - old;
        a->used += size - old;
        return p;
    }

    np = um_alloc(a, size);
    if (np == NULL) {
        return NULL;
    }

    memcpy(np, p, old);

    return np;
}


int
um_arena_cleanup_add(um_arena_t *a, um_cleanup_pt handler, void *data)
{
    um_cleanup_t  *c;

    c = um_alloc(a, sizeof(um_cleanup_t));
    if (c == NULL) {
        return -1;
    }

    c->handler = handler;
    c->data = data;
    c->next = a->cleanups;
    a->cleanups = c;

    return 0;
}


size_t
um_arena_used(const um_arena_t *a)
{
    return a->used;
}


static um_block_t *
um_block_new(um_arena_t *a, size_t size)
{
    um_block_t  *b;

    if (a->limit && a->total + size > a->limit) {
        return NULL;
    }

    b = malloc(size);
    if (b == NULL) {
        return NULL;
    }

    b->next = NULL;
    b->last = um_align_ptr((char *) b + sizeof(um_block_t));
    b->end = (char *) b + size;

    a->total += size;

    return b;
}


static void
um_run_cleanups(um_arena_t *a)
{
    um_cleanup_t  *c;

    /* a cleanup may not allocate from this arena; detach the list first */

    c = a->cleanups;
    a->cleanups = NULL;

    for ( /* void */ ; c; c = c->next) {
        c->handler(c->data);
    }
}
