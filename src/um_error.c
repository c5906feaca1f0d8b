/*
 * Engine error messages.
 */

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "um_error.h"


int
um_error_set(um_error_t *err, int status, const char *fmt, ...)
{
    va_list  args;

    if (err == NULL) {
        return UM_ERR;
    }

    err->status = status;
    err->line = 0;
    err->col = 0;

    va_start(args, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, args);
    va_end(args);

    return UM_ERR;
}


void
um_error_prefix(um_error_t *err, const char *fmt, ...)
{
    char     prefix[160];
    size_t   plen, mlen, room;
    va_list  args;

    if (err == NULL) {
        return;
    }

    va_start(args, fmt);
    vsnprintf(prefix, sizeof(prefix), fmt, args);
    va_end(args);

    /* "<prefix>: <message>", the message cut if it does not fit */

    plen = strlen(prefix);
    mlen = strlen(err->msg);
    room = sizeof(err->msg) - 1 - plen - 2;

    if (mlen > room) {
        mlen = room;
    }

    memmove(err->msg + plen + 2, err->msg, mlen);
    memcpy(err->msg, prefix, plen);
    err->msg[plen] = ':';
    err->msg[plen + 1] = ' ';
    err->msg[plen + 2 + mlen] = '\0';
}
