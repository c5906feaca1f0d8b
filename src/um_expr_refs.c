/*
 * What a compiled expression reads of a variable: the walk behind the meta
 * endpoints' "query_parameters" (um_map_meta.c).  It lives with the
 * expression engine because it reads the compiled tree (um_expr_int.h).
 */

#include "um_expr_int.h"


typedef struct {
    int                 slot;
    um_expr_ref_pt      fn;
    void               *data;
    unsigned            found;
} um_refs_t;


static void um_refs_node(um_refs_t *r, const um_node_t *n);
static void um_refs_binds(um_refs_t *r, const um_binding_t *b, uint32_t n);


unsigned
um_expr_refs(const um_expr_t *e, int slot, um_expr_ref_pt fn, void *data)
{
    um_refs_t  r;

    if (e == NULL) {
        return 0;
    }

    r.slot = slot;
    r.fn = fn;
    r.data = data;
    r.found = 0;

    um_refs_binds(&r, e->binds, e->nbinds);
    um_refs_node(&r, e->root);

    return r.found;
}


/* a block local that starts as the variable: it may read any of it */

static void
um_refs_binds(um_refs_t *r, const um_binding_t *b, uint32_t n)
{
    uint32_t  i;

    for (i = 0; i < n; i++) {
        if (b[i].outer_kind == UM_N_VAR && b[i].outer == r->slot) {
            r->found |= UM_REF_WHOLE;
        }
    }
}


/*
 * $var.name compiles to a path whose first step is the variable and whose
 * second is a field name; the variable anywhere else is a whole use.
 */

static void
um_refs_node(um_refs_t *r, const um_node_t *n)
{
    uint32_t          i, from;
    const um_node_t  *head;

    if (n == NULL) {
        return;
    }

    from = 0;

    if (n->type == UM_N_PATH && n->nkids) {
        head = n->kids[0];

        if (head->type == UM_N_VAR && head->slot == r->slot) {
            if (n->nkids > 1 && n->kids[1]->type == UM_N_NAME
                && n->kids[1]->val.type == UM_STR)
            {
                r->found |= UM_REF_FIELD;

                if (r->fn) {
                    r->fn(r->data, n->kids[1]->val.u.s, n->kids[1]->val.len);
                }

            } else {
                r->found |= UM_REF_WHOLE;
            }

            /* the head is done, not its predicates */

            for (i = 0; i < head->npreds; i++) {
                um_refs_node(r, head->preds[i]);
            }

            for (i = 0; i < head->nstages; i++) {
                um_refs_node(r, head->stages[i]);
            }

            from = 1;
        }

    } else if (n->type == UM_N_VAR && n->slot == r->slot) {
        r->found |= UM_REF_WHOLE;
    }

    um_refs_binds(r, n->binds, n->nbinds);

    um_refs_node(r, n->lhs);
    um_refs_node(r, n->rhs);
    um_refs_node(r, n->third);

    for (i = from; i < n->nkids; i++) {
        um_refs_node(r, n->kids[i]);
    }

    for (i = 0; i < n->npreds; i++) {
        um_refs_node(r, n->preds[i]);
    }

    for (i = 0; i < n->nstages; i++) {
        um_refs_node(r, n->stages[i]);
    }

    for (i = 0; i < n->ngroup; i++) {
        um_refs_node(r, n->group[i]);
    }
}
