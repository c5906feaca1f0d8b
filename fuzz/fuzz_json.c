/*
 * libFuzzer target of the JSON handling (src/um_json_scan.c,
 * src/um_json_out.c, src/um_json_parse.c).
 *
 * Any bytes: the raw scanner must never read outside them; what the fast
 * parser accepts, jansson accepts too, as the same value.  Bytes jansson
 * accepts as a provider body: the scanner must agree with jansson (a
 * member's or an item's raw text parses to the value jansson has), the
 * minifier and the value writer must give JSON that parses back to the
 * same value.  Valid UTF-8 text written as a JSON string must read back
 * as itself.
 *
 *   make fuzz-build && build/fuzz/fuzz_json fuzz/corpus/json
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "um_json_out.h"
#include "um_json_parse.h"
#include "um_json_scan.h"
#include "um_value.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


#define FUZZ_ASSERT(cond)                                                    \
    do { if (!(cond)) { abort(); } } while (0)

/* as a provider body is read (src/um_map_exec.c) */
#define FUZZ_FLAGS  (JSON_DECODE_ANY | JSON_ALLOW_NUL | JSON_DECODE_INT_AS_REAL)

/* the scanner's own nesting limit (src/um_json_scan.c) */
#define FUZZ_SCAN_DEPTH  512


static size_t
fuzz_depth(json_t *j)
{
    size_t       i, d, max;
    json_t      *v;
    const char  *k;

    max = 0;

    if (json_is_array(j)) {
        json_array_foreach(j, i, v) {
            d = fuzz_depth(v);
            max = d > max ? d : max;
        }

        return max + 1;
    }

    if (json_is_object(j)) {
        json_object_foreach(j, k, v) {
            d = fuzz_depth(v);
            max = d > max ? d : max;
        }

        return max + 1;
    }

    return 0;
}


static int
fuzz_ascii(const char *s, size_t len)
{
    size_t  i;

    for (i = 0; i < len; i++) {
        if ((unsigned char) s[i] < 0x20 || (unsigned char) s[i] > 0x7e) {
            return 0;
        }
    }

    return 1;
}


/* raw text that must parse to exactly the value v */

static void
fuzz_same(const char *raw, size_t len, json_t *v)
{
    json_t  *j;

    j = json_loadb(raw, len, FUZZ_FLAGS, NULL);
    FUZZ_ASSERT(j != NULL);
    FUZZ_ASSERT(json_equal(j, v));
    json_decref(j);
}


static void
fuzz_valid(const char *s, size_t size, json_t *root)
{
    int              rc;
    size_t           i, klen, n;
    json_t          *v;
    um_buf_t         b;
    um_str_t         raw, item;
    const char      *k, *end;
    um_scan_iter_t   it;

    end = s + size;

    /* the minified text is the same value */

    um_buf_init(&b, NULL, 0);
    um_json_minify(&b, s, size);
    FUZZ_ASSERT(!b.failed);
    fuzz_same(b.data, b.len, root);
    um_buf_free(&b);

    /* the writer, over the tree as the evaluator sees it */

    um_buf_init(&b, NULL, 0);
    FUZZ_ASSERT(um_json_value(&b, um_from_json(root), 0) == 1);
    FUZZ_ASSERT(!b.failed);
    fuzz_same(b.data, b.len, root);

    b.len = 0;
    FUZZ_ASSERT(um_json_value(&b, um_from_json(root), UM_JSON_OMIT_NULL)
                == 1);
    v = json_loadb(b.data, b.len, FUZZ_FLAGS, NULL);
    FUZZ_ASSERT(v != NULL);
    json_decref(v);
    um_buf_free(&b);

    if (fuzz_depth(root) > FUZZ_SCAN_DEPTH) {
        /* the scanner gives up (an error, never a wrong answer) */
        return;
    }

    FUZZ_ASSERT(um_scan_value(s, end) != NULL);
    FUZZ_ASSERT(um_scan_ws(um_scan_value(s, end), end) == end);

    if (json_is_object(root)) {
        json_object_keylen_foreach(root, k, klen, v) {
            if (!fuzz_ascii(k, klen)) {
                continue;
            }

            FUZZ_ASSERT(um_scan_member(s, end, k, klen, &raw) == 0);
            fuzz_same(raw.data, raw.len, v);
        }
    }

    if (json_is_array(root)) {
        raw.data = s;
        raw.len = size;
        FUZZ_ASSERT(um_scan_array(&it, raw) == 0);

        n = json_array_size(root);

        for (i = 0; (rc = um_scan_next(&it, &item)) == 1; i++) {
            FUZZ_ASSERT(i < n);
            fuzz_same(item.data, item.len, json_array_get(root, i));
        }

        FUZZ_ASSERT(rc == 0 && i == n);
    }
}


/*
 * The fast parser (as um_map_exec.c uses it, over a whole body): what it
 * accepts jansson accepts, and both make the same value; it may refuse
 * more (its header says what), then jansson decides.
 */

static void
fuzz_fast(const char *s, size_t size, json_t *root)
{
    int               rc;
    um_jp_t           jp;
    um_buf_t          bj, bf;
    um_arena_t       *a;
    um_value_t        v;
    um_jp_scratch_t   sc;

    a = um_arena_create(0, 64 * 1024 * 1024);
    if (a == NULL) {
        return;
    }

    memset(&sc, 0, sizeof(sc));
    um_jp_init(&jp, a, &sc, s, size);

    rc = um_jp_value(&jp, &v);

    if (rc == UM_OK) {
        um_jp_skip_ws(&jp);
        rc = (jp.p == jp.end) ? UM_OK : UM_ERR;
    }

    if (rc == UM_OK) {
        FUZZ_ASSERT(root != NULL);

        um_buf_init(&bj, NULL, 0);
        um_buf_init(&bf, NULL, 0);
        um_json_value(&bj, um_from_json(root), 0);
        um_json_value(&bf, v, 0);

        FUZZ_ASSERT(!bj.failed && !bf.failed);
        FUZZ_ASSERT(bj.len == bf.len && memcmp(bj.data, bf.data, bj.len) == 0);

        um_buf_free(&bj);
        um_buf_free(&bf);
    }

    um_jp_scratch_free(&sc);
    um_arena_destroy(a);
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int              rc, n;
    char            *copy;
    json_t          *root, *j;
    um_buf_t         b;
    um_str_t         raw, item;
    const char      *s, *end, *p;
    um_scan_iter_t   it;

    /* an exact-size copy: a read past the end is caught by ASan */

    copy = malloc(size ? size : 1);
    if (copy == NULL) {
        return 0;
    }

    memcpy(copy, data, size);
    s = copy;
    end = s + size;

    /* whatever the bytes: no read outside them, no endless loop */

    p = um_scan_value(s, end);
    FUZZ_ASSERT(p == NULL || (p > s && p <= end));

    if (um_scan_member(s, end, "data", 4, &raw) == 0) {
        FUZZ_ASSERT(raw.data >= s && raw.data + raw.len <= end);
    }

    raw.data = s;
    raw.len = size;

    if (um_scan_array(&it, raw) == 0) {
        for (n = 0; (rc = um_scan_next(&it, &item)) == 1; n++) {
            FUZZ_ASSERT(item.data >= s && item.data + item.len <= end
                        && item.len > 0);
        }

        FUZZ_ASSERT(rc == 0 || rc == -1);
    }

    um_buf_init(&b, NULL, 0);
    um_json_minify(&b, s, size);
    FUZZ_ASSERT(b.len <= size);

    /* a string: any valid UTF-8 reads back as itself */

    if (um_utf8_valid(s, size)) {
        b.len = 0;
        um_json_str(&b, s, size);
        FUZZ_ASSERT(!b.failed);

        j = json_loadb(b.data, b.len, FUZZ_FLAGS, NULL);
        FUZZ_ASSERT(j != NULL && json_is_string(j));
        FUZZ_ASSERT(json_string_length(j) == size
                    && memcmp(json_string_value(j), s, size) == 0);
        json_decref(j);
    }

    um_buf_free(&b);

    root = json_loadb(s, size, FUZZ_FLAGS, NULL);

    fuzz_fast(s, size, root);

    if (root) {
        fuzz_valid(s, size, root);
        json_decref(root);
    }

    free(copy);

    return 0;
}
