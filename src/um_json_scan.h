/*
 * A scanner over raw JSON text: finds values by path and walks arrays
 * without building anything, so a row's remote_data can be the provider's
 * own bytes.  It is used on text jansson has already accepted, but it never
 * reads outside [p, end) whatever the input.
 */

#ifndef _UM_JSON_SCAN_H_INCLUDED_
#define _UM_JSON_SCAN_H_INCLUDED_


#include "um_str.h"


/* first non-whitespace byte at or after p (end if none) */
const char *um_scan_ws(const char *p, const char *end);

/* end of the value starting at p (whitespace skipped); NULL if malformed */
const char *um_scan_value(const char *p, const char *end);

/*
 * The value of member `key` of the object at p; the last one if the key is
 * repeated (jansson keeps the last too).  Returns 0 and the raw value, or
 * -1 when p is not an object or has no such member.
 */
int um_scan_member(const char *p, const char *end, const char *key,
    size_t klen, um_str_t *value);


typedef struct {
    const char  *p;
    const char  *end;
    unsigned     started:1;
} um_scan_iter_t;

/* 0 if raw is an array (iteration set up), -1 otherwise */
int um_scan_array(um_scan_iter_t *it, um_str_t raw);
/* 1: next item in *item; 0: end of the array; -1: malformed */
int um_scan_next(um_scan_iter_t *it, um_str_t *item);


#endif /* _UM_JSON_SCAN_H_INCLUDED_ */
