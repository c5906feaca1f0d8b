/*
 * Large blocks kept from one request to the next of a worker: the
 * provider bodies and the unified answers, hundreds of kilobytes each.
 *
 * Given back to malloc after every request, such blocks make it trim its
 * heap and grow it again, or map and unmap them: every request then
 * faults its pages in anew (tens of thousands of faults a second were
 * measured), which costs the worker a third of its throughput on 500-row
 * pages in some runs and not in others.  A few blocks are kept instead,
 * within bounds; larger ones go back at once.
 */

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_usage_metering.h"


#define NGX_HTTP_USAGE_METERING_BLOCKS      64
#define NGX_HTTP_USAGE_METERING_BLOCK_MAX   (4 * 1024 * 1024)
#define NGX_HTTP_USAGE_METERING_KEPT_MAX    (32 * 1024 * 1024)


typedef struct {
    void                *p;
    size_t               cap;
} ngx_http_usage_metering_block_t;


/* each worker has its own */

static ngx_http_usage_metering_block_t
    ngx_http_usage_metering_blocks[NGX_HTTP_USAGE_METERING_BLOCKS];
static ngx_uint_t  ngx_http_usage_metering_nblocks;
static size_t      ngx_http_usage_metering_kept;


/* the smallest kept block of at least size bytes, or a new one */

void *
ngx_http_usage_metering_block_get(size_t size, size_t *cap, ngx_log_t *log)
{
    void                             *p;
    ngx_uint_t                        i, best;
    ngx_http_usage_metering_block_t  *b;

    b = ngx_http_usage_metering_blocks;
    best = NGX_HTTP_USAGE_METERING_BLOCKS;

    for (i = 0; i < ngx_http_usage_metering_nblocks; i++) {
        if (b[i].cap >= size
            && (best == NGX_HTTP_USAGE_METERING_BLOCKS
                || b[i].cap < b[best].cap))
        {
            best = i;
        }
    }

    if (best != NGX_HTTP_USAGE_METERING_BLOCKS) {
        p = b[best].p;
        *cap = b[best].cap;

        ngx_http_usage_metering_kept -= b[best].cap;
        b[best] = b[--ngx_http_usage_metering_nblocks];

        return p;
    }

    p = ngx_alloc(size, log);
    *cap = p ? size : 0;

    return p;
}


void
ngx_http_usage_metering_block_put(void *p, size_t cap)
{
    ngx_http_usage_metering_block_t  *b;

    if (p == NULL) {
        return;
    }

    if (cap > NGX_HTTP_USAGE_METERING_BLOCK_MAX
        || ngx_http_usage_metering_nblocks == NGX_HTTP_USAGE_METERING_BLOCKS
        || ngx_http_usage_metering_kept + cap
           > NGX_HTTP_USAGE_METERING_KEPT_MAX)
    {
        ngx_free(p);
        return;
    }

    b = &ngx_http_usage_metering_blocks[ngx_http_usage_metering_nblocks++];
    b->p = p;
    b->cap = cap;

    ngx_http_usage_metering_kept += cap;
}


/* at the worker's exit (and the master's, which never has any) */

void
ngx_http_usage_metering_blocks_free(void)
{
    ngx_uint_t  i;

    for (i = 0; i < ngx_http_usage_metering_nblocks; i++) {
        ngx_free(ngx_http_usage_metering_blocks[i].p);
    }

    ngx_http_usage_metering_nblocks = 0;
    ngx_http_usage_metering_kept = 0;
}
