
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * ASCII case folding, hex digits, token characters and the numbers of
 * an IPv4 address, one definition per contract for the whole core.
 * Never locale-dependent (tolower() and strcasecmp() are): HTTP, HTML
 * and URL names fold only A-Z.  Static inline because the scanner and
 * matcher call them per byte.
 * Pure C.
 */


#ifndef _CONSENT_ASCII_H_INCLUDED_
#define _CONSENT_ASCII_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>
#include <string.h>


/* A-Z to a-z, any other value unchanged */

static inline int
consent_ascii_lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}


/* ASCII case-insensitive equality, both sides folded */

static inline int
consent_ascii_ieq(const char *a, size_t alen, const char *b, size_t blen)
{
    size_t  i;

    if (alen != blen) {
        return 0;
    }

    for (i = 0; i < alen; i++) {
        if (consent_ascii_lower((unsigned char) a[i])
            != consent_ascii_lower((unsigned char) b[i]))
        {
            return 0;
        }
    }

    return 1;
}


/*
 * ASCII case-insensitive equality with a literal already in lower case:
 * only s is folded, so an upper-case byte in lit never matches
 */

static inline int
consent_ascii_ieq_lit(const char *s, size_t len, const char *lit,
    size_t litlen)
{
    size_t  i;

    if (len != litlen) {
        return 0;
    }

    for (i = 0; i < len; i++) {
        if (consent_ascii_lower((unsigned char) s[i]) != lit[i]) {
            return 0;
        }
    }

    return 1;
}


/*
 * 1 for a token character (RFC 9110 tchar, RFC 6265 cookie-name):
 * printable ASCII but space and ()<>@,;:\"/[]?={}
 */

static inline int
consent_ascii_token(int c)
{
    return c > 0x20 && c < 0x7f && strchr("()<>@,;:\\\"/[]?={}", c) == NULL;
}


/*
 * 1 for a word of 1 to max bytes from a-z, 0-9 and the byte extra (-1:
 * none): the audit record's words (extra '_'), a regime's tag ('-'),
 * a key id (-1)
 */

static inline int
consent_ascii_word(const char *s, size_t len, size_t max, int extra)
{
    size_t  i;

    if (s == NULL || len == 0 || len > max) {
        return 0;
    }

    for (i = 0; i < len; i++) {
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9')
              || (unsigned char) s[i] == extra))
        {
            return 0;
        }
    }

    return 1;
}


/* value of a hex digit of either case, or -1 */

static inline int
consent_hex_value(int c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }

    c |= 0x20;                  /* A-F to a-f; no other byte lands there */

    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }

    return -1;
}


/*
 * A part of an IPv4 address as the WHATWG URL Standard reads it:
 * decimal, 0x hex (maybe with no digits: 0) or 0 octal, into *n, capped
 * just above 2^32; 0, or -1 for an empty part or a bad digit.  For the
 * URL parser and the matcher's host check alike.
 */

static inline int
consent_ipv4_number(const char *s, size_t len, uint64_t *n)
{
    int     d, radix;
    size_t  i;

    if (len == 0) {
        return -1;
    }

    radix = 10;
    i = 0;

    if (len >= 2 && s[0] == '0' && (s[1] | 0x20) == 'x') {
        radix = 16;
        i = 2;

    } else if (len >= 2 && s[0] == '0') {
        radix = 8;
        i = 1;
    }

    *n = 0;

    for ( /* void */ ; i < len; i++) {
        d = consent_hex_value((unsigned char) s[i]);

        if (d < 0 || d >= radix) {
            return -1;
        }

        if (*n <= 0xffffffffULL) {
            *n = *n * (uint64_t) radix + (uint64_t) d;
        }
    }

    return 0;
}


/* lower-case hex of len bytes into out[2 * len + 1], NUL-terminated */

static inline void
consent_hex_encode(const unsigned char *in, size_t len, char *out)
{
    size_t             i;
    static const char  hex[] = "0123456789abcdef";

    for (i = 0; i < len; i++) {
        out[2 * i] = hex[in[i] >> 4];
        out[2 * i + 1] = hex[in[i] & 0xf];
    }

    out[2 * len] = '\0';
}


#endif /* _CONSENT_ASCII_H_INCLUDED_ */
