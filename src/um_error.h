/*
 * Errors of the engine (no nginx dependency).
 *
 * Every engine function that can fail takes a um_error_t and returns UM_ERR;
 * the message is what the client or the nginx -t user will read, so it says
 * what and why, never a secret.
 */

#ifndef _UM_ERROR_H_INCLUDED_
#define _UM_ERROR_H_INCLUDED_


#include <stddef.h>


#define UM_OK     0
#define UM_ERR   -1


typedef struct {
    int      status;        /* suggested HTTP status, 0 when none */
    size_t   line;          /* 1-based position in a source text, 0: none */
    size_t   col;
    char     msg[320];
} um_error_t;


/* sets status and a printf-style message; always returns UM_ERR */
int um_error_set(um_error_t *err, int status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* prepends "<prefix>: " to an existing message */
void um_error_prefix(um_error_t *err, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;


#endif /* _UM_ERROR_H_INCLUDED_ */
