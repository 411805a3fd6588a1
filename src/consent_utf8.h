
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * A code point written as UTF-8: one definition for the character
 * references the scanner decodes, the CSS escapes and the notices the
 * audit tool renders.  Static inline: the scanner calls it per
 * reference.
 * Pure C.
 */


#ifndef _CONSENT_UTF8_H_INCLUDED_
#define _CONSENT_UTF8_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>


#define CONSENT_UTF8_MAX  4


/*
 * cp (at most 0x10FFFF; the callers replace surrogates and larger values
 * with U+FFFD first) into out[CONSENT_UTF8_MAX]; returns the bytes written
 */

static inline size_t
consent_utf8_put(uint32_t cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char) cp;
        return 1;
    }

    if (cp < 0x800) {
        out[0] = (char) (0xc0 | (cp >> 6));
        out[1] = (char) (0x80 | (cp & 0x3f));
        return 2;
    }

    if (cp < 0x10000) {
        out[0] = (char) (0xe0 | (cp >> 12));
        out[1] = (char) (0x80 | ((cp >> 6) & 0x3f));
        out[2] = (char) (0x80 | (cp & 0x3f));
        return 3;
    }

    out[0] = (char) (0xf0 | (cp >> 18));
    out[1] = (char) (0x80 | ((cp >> 12) & 0x3f));
    out[2] = (char) (0x80 | ((cp >> 6) & 0x3f));
    out[3] = (char) (0x80 | (cp & 0x3f));
    return 4;
}


#endif /* _CONSENT_UTF8_H_INCLUDED_ */
