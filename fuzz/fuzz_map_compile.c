/*
 * libFuzzer target of the mapping compiler (src/um_map_compile.c): the
 * input is the text of a mapping file, optionally followed by a NUL byte
 * and a provider answer.  The file is read from a second mappings
 * directory after a small base one, so that a file for the base's
 * provider goes through the merge (RFC 7386) as an override does.  What
 * compiles is then run (fuzz_run.h): every method of it, over the answer
 * given or a generic one, so that whatever the compiler accepts is also
 * safe to execute.
 *
 *   make fuzz-build && build/fuzz/fuzz_map_compile fuzz/corpus/map_compile
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "fuzz_run.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);


static char  fuzz_dir[64];
static char  fuzz_base[96];
static char  fuzz_over[96];
static char  fuzz_file[128];

static const char  *fuzz_base_json =
    "{\"provider\": \"base\", \"account\": {\"params\": [\"org\"]},\n"
    " \"resources\": {\"usage\": {\"list\": {\n"
    "   \"request\": {\"path\": \"/orgs/{$account.org}/usage\",\n"
    "               \"query\": {\"from\": \"$query.from\"}},\n"
    "   \"pagination\": {\"send\": \"query\", \"param\": \"page\","
    " \"next\": \"next\"},\n"
    "   \"records\": \"data\", \"row\": {\"id\": \"id\", \"name\": \"name\"}},\n"
    "  \"get\": {\"request\": {\"path\": \"/usage/{$id}\"}, \"records\": "
    "\"data\",\n"
    "   \"row\": {\"id\": \"id\"}}}}}\n";

static const char  *fuzz_body =
    "{\"data\": [{\"id\": \"r1\", \"name\": \"one\", \"model\": \"m\","
    " \"results\": [{\"model\": \"m1\", \"user_id\": \"u1\", \"n\": 2},"
    " {\"model\": \"m2\", \"user_id\": \"u2\", \"n\": 3.5}],"
    " \"amount\": 12.5, \"start\": 1700000000},"
    " {\"id\": 2, \"name\": null, \"results\": []}],"
    " \"items\": [{\"id\": \"i1\"}], \"next\": \"p2\", \"has_more\": true,"
    " \"links\": {\"next\": \"https://api.example.com/usage?page=2\"}}";


int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    FILE  *f;
    char   path[160];

    (void) argc;
    (void) argv;

    snprintf(fuzz_dir, sizeof(fuzz_dir), "/tmp/um-fuzz-map-%d",
             (int) getpid());
    snprintf(fuzz_base, sizeof(fuzz_base), "%s/base", fuzz_dir);
    snprintf(fuzz_over, sizeof(fuzz_over), "%s/over", fuzz_dir);
    snprintf(fuzz_file, sizeof(fuzz_file), "%s/over/m.json", fuzz_dir);

    if (mkdir(fuzz_dir, 0700) != 0 || mkdir(fuzz_base, 0700) != 0
        || mkdir(fuzz_over, 0700) != 0)
    {
        perror(fuzz_dir);
        exit(1);
    }

    snprintf(path, sizeof(path), "%s/base.json", fuzz_base);

    f = fopen(path, "w");
    if (f == NULL) {
        perror(path);
        exit(1);
    }

    fputs(fuzz_base_json, f);
    fclose(f);

    return 0;
}


static void
fuzz_cleanup(void)
{
    char  path[160];

    unlink(fuzz_file);
    snprintf(path, sizeof(path), "%s/base.json", fuzz_base);
    unlink(path);
    rmdir(fuzz_over);
    rmdir(fuzz_base);
    rmdir(fuzz_dir);
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t                i, r, o, text;
    FILE                 *f;
    um_arena_t           *a;
    um_error_t            err;
    fuzz_input_t          in;
    um_registry_t        *reg;
    const um_method_t    *m;
    const um_provider_t  *p;
    static int            registered;

    if (!registered) {
        atexit(fuzz_cleanup);
        registered = 1;
    }

    for (text = 0; text < size && data[text] != '\0'; text++) {
        /* void */
    }

    f = fopen(fuzz_file, "w");
    if (f == NULL) {
        return 0;
    }

    fwrite(data, 1, text, f);
    fclose(f);

    a = um_arena_create(0, 64 * 1024 * 1024);
    if (a == NULL) {
        return 0;
    }

    memset(&err, 0, sizeof(err));
    reg = um_registry_create(a);

    if (reg == NULL
        || um_registry_load_dir(reg, fuzz_base, &err) != UM_OK
        || um_registry_load_dir(reg, fuzz_over, &err) != UM_OK
        || um_registry_compile(reg, &err) != UM_OK)
    {
        /* a mistake is reported, with a message */
        FUZZ_ASSERT(err.msg[0] != '\0');
        goto done;
    }

    memset(&in, 0, sizeof(in));

    in.query.data = "from=2024-01-01&limit=5&remote_query[x]=1";
    in.query.len = strlen(in.query.data);
    in.id.data = "r1";
    in.id.len = 2;
    in.cursor.data = "p2";
    in.cursor.len = 2;

    if (text + 1 < size) {
        in.body.data = (const char *) data + text + 1;
        in.body.len = size - text - 1;

    } else {
        in.body.data = fuzz_body;
        in.body.len = strlen(fuzz_body);
    }

    for (i = 0; i < UM_MAX_JOINS; i++) {
        in.joins[i] = in.body;
    }

    in.flags = (unsigned) size;

    for (i = 0; i < reg->n; i++) {
        p = reg->providers[i];

        for (r = 0; r < UM_RES_N; r++) {
            for (o = 0; o < UM_OP_N; o++) {
                m = p->methods[r][o];

                if (m) {
                    fuzz_run_method(p, m, &in);
                }
            }
        }
    }

done:

    um_arena_destroy(a);

    return 0;
}
