/*
 * libFuzzer target of the mapping executor (src/um_map_exec.c) over a
 * fixed set of compiled mappings: the repository's mappings/ and
 * fuzz/mappings/ (test providers that use every feature of the
 * language).  The fuzzer chooses the method, the client's query string,
 * id and continuation, the provider's answer, its headers and the answers
 * of joins; fuzz_run.h runs the request and checks the calls and rows.
 *
 * Input: a flags byte (fuzz_run.h), then parts separated by 0x1e (the
 * record separator):
 *     method 0x1e query 0x1e id 0x1e continuation 0x1e body 0x1e headers
 *     0x1e join 0x1e join...
 * where method is "<provider> <resource> <list|get>" (the seeds name
 * theirs, so they keep their meaning when mappings are added); any other
 * text picks a method by its bytes.
 *
 * FUZZ_MAPPINGS (a colon-separated list of directories) overrides the
 * directories read.
 *
 *   make fuzz-build && build/fuzz/fuzz_map_exec fuzz/corpus/map_exec
 */

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_run.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);


#define FUZZ_MAX_METHODS  512
#define FUZZ_SEP          0x1e


typedef struct {
    const um_provider_t  *provider;
    const um_method_t    *method;
    char                  name[96];
} fuzz_method_t;


static fuzz_method_t  fuzz_methods[FUZZ_MAX_METHODS];
static size_t         fuzz_nmethods;


static int
fuzz_name_cmp(const void *a, const void *b)
{
    return strcmp(*(char * const *) a, *(char * const *) b);
}


/* every file alone: a file another helper is editing only drops out */

static void
fuzz_load_dir(const char *dir)
{
    DIR                  *d;
    char                 *names[256], path[4096];
    size_t                n, i, len, k, r, o;
    um_arena_t           *a;
    um_error_t            err;
    struct dirent        *de;
    um_registry_t        *reg;
    const um_method_t    *m;
    const um_provider_t  *p;

    d = opendir(dir);
    if (d == NULL) {
        fprintf(stderr, "fuzz_map_exec: cannot open %s\n", dir);
        return;
    }

    n = 0;

    while ((de = readdir(d)) != NULL && n < 256) {
        len = strlen(de->d_name);

        if (len > 5 && de->d_name[0] != '.'
            && strcmp(de->d_name + len - 5, ".json") == 0)
        {
            names[n++] = strdup(de->d_name);
        }
    }

    closedir(d);
    qsort(names, n, sizeof(char *), fuzz_name_cmp);

    for (i = 0; i < n; i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        free(names[i]);

        /* compiled mappings live as long as the process, as in nginx */

        a = um_arena_create(0, 0);
        reg = um_registry_create(a);
        memset(&err, 0, sizeof(err));

        if (um_registry_load_file(reg, path, &err) != UM_OK
            || um_registry_compile(reg, &err) != UM_OK)
        {
            fprintf(stderr, "fuzz_map_exec: skipped %s\n", err.msg);
            um_arena_destroy(a);
            continue;
        }

        for (k = 0; k < reg->n; k++) {
            p = reg->providers[k];

            for (r = 0; r < UM_RES_N; r++) {
                for (o = 0; o < UM_OP_N; o++) {
                    m = p->methods[r][o];

                    if (m && fuzz_nmethods < FUZZ_MAX_METHODS) {
                        fuzz_methods[fuzz_nmethods].provider = p;
                        fuzz_methods[fuzz_nmethods].method = m;
                        snprintf(fuzz_methods[fuzz_nmethods].name,
                                 sizeof(fuzz_methods[0].name), "%.*s %s %s",
                                 (int) p->name.len, p->name.data,
                                 um_resource_name((int) r),
                                 o == UM_OP_GET ? "get" : "list");
                        fuzz_nmethods++;
                    }
                }
            }
        }
    }
}


int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    char        *dirs, *dir, *save;
    size_t       i;
    const char  *env;

    (void) argc;
    (void) argv;

    env = getenv("FUZZ_MAPPINGS");
    dirs = strdup(env ? env : "mappings:fuzz/mappings");

    for (dir = strtok_r(dirs, ":", &save); dir;
         dir = strtok_r(NULL, ":", &save))
    {
        fuzz_load_dir(dir);
    }

    free(dirs);

    if (fuzz_nmethods == 0) {
        fprintf(stderr, "fuzz_map_exec: no mapping compiled; run it from "
                "the repository root or set FUZZ_MAPPINGS\n");
        exit(1);
    }

    fprintf(stderr, "fuzz_map_exec: %zu methods\n", fuzz_nmethods);

    if (getenv("FUZZ_LIST_METHODS")) {
        for (i = 0; i < fuzz_nmethods; i++) {
            printf("%s\n", fuzz_methods[i].name);
        }

        exit(0);
    }

    return 0;
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char            *copy[5 + UM_MAX_JOINS];
    size_t           i, part, start, sum;
    um_str_t         sel, *parts[6 + UM_MAX_JOINS];
    fuzz_input_t     in;
    fuzz_method_t   *fm;

    if (size < 1) {
        return 0;
    }

    memset(&in, 0, sizeof(in));
    memset(&sel, 0, sizeof(sel));

    in.flags = data[0];

    parts[0] = &sel;
    parts[1] = &in.query;
    parts[2] = &in.id;
    parts[3] = &in.cursor;
    parts[4] = &in.body;
    parts[5] = &in.headers;

    for (i = 0; i < UM_MAX_JOINS; i++) {
        parts[6 + i] = &in.joins[i];
    }

    part = 0;
    start = 1;

    for (i = 1; i <= size && part < 6 + UM_MAX_JOINS; i++) {
        if (i < size && data[i] != FUZZ_SEP) {
            continue;
        }

        parts[part]->data = (const char *) data + start;
        parts[part]->len = i - start;
        part++;
        start = i + 1;
    }

    fm = NULL;
    sum = 0;

    for (i = 0; i < fuzz_nmethods; i++) {
        if (strlen(fuzz_methods[i].name) == sel.len
            && memcmp(fuzz_methods[i].name, sel.data, sel.len) == 0)
        {
            fm = &fuzz_methods[i];
            break;
        }
    }

    if (fm == NULL) {
        for (i = 0; i < sel.len; i++) {
            sum += (unsigned char) sel.data[i];
        }

        fm = &fuzz_methods[sum % fuzz_nmethods];
    }

    /* each part in a buffer of its own size: ASan sees a read past it */

    for (i = 0; i < 5 + UM_MAX_JOINS; i++) {
        copy[i] = malloc(parts[i + 1]->len ? parts[i + 1]->len : 1);

        if (copy[i] != NULL) {
            memcpy(copy[i], parts[i + 1]->data ? parts[i + 1]->data : "",
                   parts[i + 1]->len);
            parts[i + 1]->data = copy[i];
        }
    }

    fuzz_run_method(fm->provider, fm->method, &in);

    for (i = 0; i < 5 + UM_MAX_JOINS; i++) {
        free(copy[i]);
    }

    return 0;
}
