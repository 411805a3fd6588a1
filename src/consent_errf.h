
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * The message of a failure, for the parsers and loaders whose callers
 * may pass no buffer.  Pure C.
 */


#ifndef _CONSENT_ERRF_H_INCLUDED_
#define _CONSENT_ERRF_H_INCLUDED_


#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>


static inline void consent_errf(char *err, size_t errlen, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));


/* printf into err[errlen], cut to fit; nothing when err is NULL or 0 long */

static inline void
consent_errf(char *err, size_t errlen, const char *fmt, ...)
{
    va_list  args;

    if (err == NULL || errlen == 0) {
        return;
    }

    va_start(args, fmt);
    (void) vsnprintf(err, errlen, fmt, args);
    va_end(args);
}


#endif /* _CONSENT_ERRF_H_INCLUDED_ */
