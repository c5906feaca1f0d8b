/*
 * The mapping engine alone, without nginx: how many unified rows per second
 * the compiled mapping makes from a provider page (make bench-engine).
 *
 *   engine_bench [-m DIR] [-p PROVIDER] [-r RESOURCE] [-q QUERY]
 *                [-t SECONDS | -n PAGES] [-o FILE] PAGE.json ...
 *
 *   -m DIR       mappings directory (mappings)
 *   -p PROVIDER  provider slug (confluent)
 *   -r RESOURCE  unified resource of the list method (usage)
 *   -q QUERY     the unified query string ("")
 *   -t SECONDS   time each page this long (2), after one untimed run
 *   -n PAGES     or map each page exactly this many times (for callgrind)
 *   -o FILE      write the rows of the first page to FILE (compare engines)
 *   -c N         compare instead of timing: map each page, and N random
 *                mutations of it, through the fast path and through jansson
 *                (um_exec_fast 0), and report any difference in the rows,
 *                the page's outcome or the error
 *
 * Each page is mapped the way the module maps a provider page: the page
 * arena reset, um_exec_page() over the body into an output buffer that is
 * reused, remote_data included.  It prints rows/s, provider MB/s and
 * ns/row per page.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "um_mapping.h"
#include "um_request.h"


static double
now(void)
{
    struct timespec  ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);

    return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}


static char *
slurp(const char *path, size_t *len)
{
    FILE    *f;
    char    *p;
    long     n;

    f = fopen(path, "rb");
    if (f == NULL) {
        perror(path);
        return NULL;
    }

    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);

    p = malloc((size_t) n + 1);
    if (p == NULL || fread(p, 1, (size_t) n, f) != (size_t) n) {
        fprintf(stderr, "%s: cannot read\n", path);
        fclose(f);
        free(p);
        return NULL;
    }

    fclose(f);
    p[n] = '\0';
    *len = (size_t) n;

    return p;
}


static int
resource_of(const char *name)
{
    static const char  *names[UM_RES_N] = {
        "organizations", "products", "usage", "workspaces", "users"
    };
    int  i;

    for (i = 0; i < UM_RES_N; i++) {
        if (strcmp(name, names[i]) == 0) {
            return i;
        }
    }

    return -1;
}


/* the outcome of one mapping, for comparisons */

typedef struct {
    int         rc;
    um_page_t   page;
    char        next[512];
    char        error[512];
    char        msg[320];
    size_t      rows;
    size_t      slices;
} outcome_t;


static void
map_outcome(um_exec_t *x, um_arena_t *pa, const char *body, size_t len,
    um_buf_t *out, um_error_t *err, um_window_t *win, size_t slice,
    outcome_t *o)
{
    memset(o, 0, sizeof(outcome_t));
    um_arena_reset(pa);
    memset(err, 0, sizeof(um_error_t));
    out->len = 0;
    out->failed = 0;
    x->rows = 0;

    /* sliced: as the module maps a large page, resumed until done */

    x->slice = slice;
    o->rc = um_exec_page(x, 0, (um_str_t) { NULL, 0 }, body, len,
                         um_undef(), win, out, &o->page);

    while (o->rc == UM_AGAIN) {
        o->slices++;
        o->rc = um_exec_page_resume(x);
    }

    x->slice = 0;

    snprintf(o->next, sizeof(o->next), "%.*s", (int) o->page.next.len,
             o->page.next.data ? o->page.next.data : "");
    snprintf(o->error, sizeof(o->error), "%.*s", (int) o->page.error.len,
             o->page.error.data ? o->page.error.data : "");
    snprintf(o->msg, sizeof(o->msg), "%s", o->rc == UM_OK ? "" : err->msg);
    o->rows = x->rows;
}


static uint64_t  seed = 7;

static uint32_t
rnd(uint32_t n)
{
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t) (seed >> 33) % (n ? n : 1);
}


/* a random change that keeps the text JSON most of the time */

static size_t
mutate(char *b, size_t len, size_t cap)
{
    size_t  i, j, n;

    static const char  *ins[] = {
        " ", "\n", "\t ", "\r\n", "\"x\":1,", "\"id\":\"dup\",",
        "\"data\":[],", "\"data\":null,", "1", "\\u00e9", "\\\"",
        "{", "}", "[", "]", ",", "\"", ":", "0.10", "1e2", "-0", "null",
        "\xc3\xa9", "\xff", "\"metadata\":{\"next\":\"/x\"},"
    };

    if (len == 0) {
        return 0;
    }

    i = rnd((uint32_t) len);

    switch (rnd(4)) {

    case 0:         /* delete a few bytes */
        n = 1 + rnd(3);
        if (i + n > len) {
            n = len - i;
        }

        memmove(b + i, b + i + n, len - i - n);
        return len - n;

    case 1:         /* whitespace or a token after a structural byte */
    case 2:
        for (j = i; j < len && b[j] != ',' && b[j] != '{' && b[j] != ':';
             j++)
        {
            /* void */
        }

        if (j < len) {
            i = j + 1;
        }

        /* fall through */

    default:
        n = strlen(ins[rnd(sizeof(ins) / sizeof(ins[0]))]);
        {
            const char  *t = ins[rnd(sizeof(ins) / sizeof(ins[0]))];

            n = strlen(t);
            if (len + n > cap) {
                return len;
            }

            memmove(b + i + n, b + i, len - i);
            memcpy(b + i, t, n);
        }

        return len + n;
    }
}


static int
same(const outcome_t *a, const um_buf_t *oa, const outcome_t *b,
    const um_buf_t *ob)
{
    return a->rc == b->rc && strcmp(a->msg, b->msg) == 0
           && a->page.rows == b->page.rows && a->page.left == b->page.left
           && a->page.is_error == b->page.is_error
           && strcmp(a->next, b->next) == 0 && strcmp(a->error, b->error) == 0
           && a->rows == b->rows
           && (a->rc != UM_OK
               || (oa->len == ob->len && oa->failed == ob->failed
                   && memcmp(oa->data, ob->data, oa->len) == 0));
}


/* fast path against jansson on the page and mutations of it */

static int
compare(um_exec_t *x, um_arena_t *pa, const char *page, size_t plen,
    long n, um_error_t *err, const char *name)
{
    int           bad;
    long          k, w, oks, sliced;
    char         *b;
    size_t        len, cap;
    um_buf_t      oa, ob, oc;
    outcome_t     a, o, c;
    um_window_t   win, *wp;

    cap = plen * 2 + 4096;
    b = malloc(cap);
    if (b == NULL) {
        return 1;
    }

    um_buf_init(&oa, NULL, 0);
    um_buf_init(&ob, NULL, 0);
    um_buf_init(&oc, NULL, 0);
    bad = 0;
    sliced = 0;
    oks = 0;

    memcpy(b, page, plen);
    len = plen;

    for (k = 0; k <= n; k++) {
        if (k && (k % 20) == 0) {
            memcpy(b, page, plen);
            len = plen;
        }

        if (k) {
            len = mutate(b, len, cap);
        }

        /* with and without a window of rows */

        for (w = 0; w < 2; w++) {
            win.skip = rnd(3);
            win.max = 1 + rnd(5);
            wp = w ? &win : NULL;

            um_exec_fast = 1;
            map_outcome(x, pa, b, len, &oa, err, wp, 0, &a);
            map_outcome(x, pa, b, len, &oc, err, wp, 1 + rnd(3000), &c);
            um_exec_fast = 0;
            map_outcome(x, pa, b, len, &ob, err, wp, 0, &o);
            um_exec_fast = 1;

            sliced += (c.slices > 0);

            if (!same(&c, &oc, &o, &ob)) {
                bad++;
                fprintf(stderr, "%s, mutation %ld%s: sliced (%zu slices) rc "
                        "%d rows %zu \"%s\" (%zu bytes) | jansson rc %d rows "
                        "%zu \"%s\" (%zu bytes)\n", name, k,
                        w ? " (window)" : "", c.slices, c.rc, c.page.rows,
                        c.msg, oc.len, o.rc, o.page.rows, o.msg, ob.len);
            }

            oks += (a.rc == UM_OK && a.page.rows > 0);

            if (!same(&a, &oa, &o, &ob)) {
                bad++;
                fprintf(stderr, "%s, mutation %ld%s: fast rc %d rows %zu "
                        "left %zu err %d \"%s\" next \"%s\" (%zu bytes) | "
                        "jansson rc %d rows %zu left %zu err %d \"%s\" next "
                        "\"%s\" (%zu bytes)\n", name, k,
                        w ? " (window)" : "", a.rc, a.page.rows, a.page.left,
                        a.page.is_error, a.msg, a.next, oa.len, o.rc,
                        o.page.rows, o.page.left, o.page.is_error, o.msg,
                        o.next, ob.len);

                if (bad < 3) {
                    fprintf(stderr, "  text: %.*s\n", (int) (len < 600 ? len
                                                                : 600), b);
                }
            }
        }
    }

    printf("%s: %ld texts compared (%ld mappings with rows, %ld in slices), "
           "%d differences\n", name, n + 1, oks, sliced, bad);

    um_buf_free(&oa);
    um_buf_free(&ob);
    um_buf_free(&oc);
    free(b);

    return bad != 0;
}


/* one mapping of the page; rows, or -1 with the error printed */

static long
map_once(um_exec_t *x, um_arena_t *pa, const char *body, size_t len,
    um_buf_t *out, um_error_t *err)
{
    um_page_t  page;

    um_arena_reset(pa);
    out->len = 0;
    x->rows = 0;

    if (um_exec_page(x, 0, (um_str_t) { NULL, 0 }, body, len, um_undef(),
                     NULL, out, &page)
        != UM_OK)
    {
        fprintf(stderr, "engine_bench: %s\n", err->msg);
        return -1;
    }

    if (out->failed) {
        fprintf(stderr, "engine_bench: out of memory\n");
        return -1;
    }

    return (long) page.rows;
}


int
main(int argc, char **argv)
{
    int                   i, res, first;
    long                  rows, n, iters, cmp;
    char                 *body;
    size_t                len;
    double                secs, t0, t, rps;
    FILE                 *f;
    um_buf_t              out;
    um_exec_t             x;
    um_error_t            err;
    um_arena_t           *ca, *a, *pa;
    um_request_t          req;
    um_registry_t        *reg;
    const char           *dir, *prov, *resname, *query, *outfile;
    const um_method_t    *m;
    const um_provider_t  *p;

    dir = "mappings";
    prov = "confluent";
    resname = "usage";
    query = "";
    outfile = NULL;
    secs = 2;
    iters = 0;
    cmp = -1;

    for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
        if (i + 1 >= argc) {
            goto usage;
        }

        switch (argv[i][1]) {
        case 'm': dir = argv[++i]; break;
        case 'p': prov = argv[++i]; break;
        case 'r': resname = argv[++i]; break;
        case 'q': query = argv[++i]; break;
        case 't': secs = atof(argv[++i]); break;
        case 'n': iters = atol(argv[++i]); break;
        case 'o': outfile = argv[++i]; break;
        case 'c': cmp = atol(argv[++i]); break;
        default: goto usage;
        }
    }

    if (i >= argc) {
        goto usage;
    }

    res = resource_of(resname);
    if (res < 0) {
        fprintf(stderr, "engine_bench: unknown resource \"%s\"\n", resname);
        return 1;
    }

    memset(&err, 0, sizeof(err));
    ca = um_arena_create(0, 0);
    reg = um_registry_create(ca);

    if (um_registry_load_dir(reg, dir, &err) != UM_OK
        || um_registry_compile(reg, &err) != UM_OK)
    {
        fprintf(stderr, "engine_bench: %s\n", err.msg);
        return 1;
    }

    p = um_registry_find(reg, prov, strlen(prov));
    m = p ? p->methods[res][UM_OP_LIST] : NULL;

    if (m == NULL) {
        fprintf(stderr, "engine_bench: %s has no %s list\n", prov, resname);
        return 1;
    }

    /* as the handler: a request arena and a page arena reset per page */

    a = um_arena_create(8192, 16 * 1024 * 1024);
    pa = um_arena_create(64 * 1024, 256 * 1024 * 1024);

    memset(&req, 0, sizeof(req));

    if (um_request_parse(a, &req, query, strlen(query), &err) != UM_OK) {
        fprintf(stderr, "engine_bench: %s\n", err.msg);
        return 1;
    }

    req.resource = res;
    req.op = UM_OP_LIST;

    if (um_exec_init(&x, p, m, &req, um_undef(), a, pa,
                     (double) time(NULL) * 1000, &err)
        != UM_OK)
    {
        fprintf(stderr, "engine_bench: %s\n", err.msg);
        return 1;
    }

    um_buf_init(&out, NULL, 0);
    first = 1;

    for ( /* void */ ; i < argc; i++) {
        body = slurp(argv[i], &len);
        if (body == NULL) {
            return 1;
        }

        if (cmp >= 0) {
            if (compare(&x, pa, body, len, cmp, &err, argv[i]) != 0) {
                first = -1;
            }

            free(body);
            continue;
        }

        /* warm: one untimed run, which also checks the page maps */

        rows = map_once(&x, pa, body, len, &out, &err);
        if (rows < 0) {
            return 1;
        }

        if (first && outfile) {
            f = fopen(outfile, "wb");
            if (f == NULL || fwrite(out.data, 1, out.len, f) != out.len
                || fclose(f) != 0)
            {
                perror(outfile);
                return 1;
            }
        }

        first = 0;
        n = 0;
        t0 = now();

        do {
            if (map_once(&x, pa, body, len, &out, &err) < 0) {
                return 1;
            }

            n++;
            t = now() - t0;

        } while (iters ? n < iters : t < secs);

        rps = (double) (rows * n) / t;

        printf("%s %s list, %s: %ld rows/page (%.0f KB -> %.0f KB), "
               "%ld pages in %.2f s: %.0f rows/s, %.1f MB/s of provider "
               "JSON, %.0f ns/row\n", prov, resname, argv[i], rows,
               (double) len / 1024, (double) out.len / 1024, n, t, rps,
               (double) len * n / t / 1e6, rows ? 1e9 / rps : 0);

        free(body);
    }

    um_buf_free(&out);
    um_arena_destroy(pa);
    um_arena_destroy(a);
    um_arena_destroy(ca);

    return first < 0 ? 1 : 0;

usage:

    fprintf(stderr, "usage: engine_bench [-m DIR] [-p PROVIDER] "
            "[-r RESOURCE] [-q QUERY] [-t SECONDS | -n PAGES | -c N] "
            "[-o FILE] PAGE.json ...\n");
    return 1;
}
