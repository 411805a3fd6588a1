
/*
 * Copyright (C) ngx_http_consent_module authors
 */


#include <limits.h>
#include <stdint.h>

#include "consent_base64.h"


#define CONSENT_B64_URL  0
#define CONSENT_B64_STD  1


static int consent_b64_digit(unsigned char c, int alphabet);
static int consent_b64_decode(const char *in, size_t inlen,
    unsigned char *out, int alphabet);


const char  consent_b64url_chars[65] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";


void
consent_b64url_encode(const unsigned char *in, size_t len, char *out)
{
    uint32_t  v;

    while (len >= 3) {
        v = (uint32_t) in[0] << 16 | (uint32_t) in[1] << 8 | in[2];

        *out++ = consent_b64url_chars[v >> 18];
        *out++ = consent_b64url_chars[(v >> 12) & 0x3f];
        *out++ = consent_b64url_chars[(v >> 6) & 0x3f];
        *out++ = consent_b64url_chars[v & 0x3f];

        in += 3;
        len -= 3;
    }

    if (len == 2) {
        v = (uint32_t) in[0] << 16 | (uint32_t) in[1] << 8;

        *out++ = consent_b64url_chars[v >> 18];
        *out++ = consent_b64url_chars[(v >> 12) & 0x3f];
        *out = consent_b64url_chars[(v >> 6) & 0x3f];

    } else if (len == 1) {
        v = (uint32_t) in[0] << 16;

        *out++ = consent_b64url_chars[v >> 18];
        *out = consent_b64url_chars[(v >> 12) & 0x3f];
    }
}


int
consent_b64url_decode_exact(const char *in, size_t inlen,
    unsigned char *out, size_t outlen)
{
    if (outlen > (SIZE_MAX - 2) / 4
        || inlen != consent_b64url_len(outlen))
    {
        return -1;
    }

    return consent_b64_decode(in, inlen, out, CONSENT_B64_URL);
}


long
consent_b64_decode_any(const char *in, size_t inlen,
    unsigned char *out, size_t outcap)
{
    int     alphabet;
    size_t  i, n, pad, declen;

    pad = 0;

    if (inlen > 0 && in[inlen - 1] == '=') {

        /* padding, when present, must complete the last group */

        if (inlen % 4 != 0) {
            return -1;
        }

        pad = (inlen >= 2 && in[inlen - 2] == '=') ? 2 : 1;
    }

    n = inlen - pad;

    if (n % 4 == 1) {
        return -1;
    }

    /*
     * '+' or '/' anywhere selects the standard alphabet, which then
     * refuses '-' and '_': mixed alphabets never decode
     */

    alphabet = CONSENT_B64_URL;

    for (i = 0; i < n; i++) {
        if (in[i] == '+' || in[i] == '/') {
            alphabet = CONSENT_B64_STD;
            break;
        }
    }

    declen = n / 4 * 3 + (n % 4 ? n % 4 - 1 : 0);

    if (declen > outcap || declen > LONG_MAX) {
        return -1;
    }

    if (consent_b64_decode(in, n, out, alphabet) != 0) {
        return -1;
    }

    return (long) declen;
}


int
consent_b64url_digit(unsigned char c)
{
    return consent_b64_digit(c, CONSENT_B64_URL);
}


static int
consent_b64_digit(unsigned char c, int alphabet)
{
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }

    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }

    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }

    if (alphabet == CONSENT_B64_URL) {
        if (c == '-') {
            return 62;
        }

        if (c == '_') {
            return 63;
        }

    } else {
        if (c == '+') {
            return 62;
        }

        if (c == '/') {
            return 63;
        }
    }

    return -1;
}


/*
 * Decodes inlen characters (inlen % 4 != 1) without padding; the
 * unused low bits of a last partial group must be zero, so that every
 * value has exactly one encoding.
 */

static int
consent_b64_decode(const char *in, size_t inlen, unsigned char *out,
    int alphabet)
{
    int       d[4];
    size_t    i, k, rest;
    uint32_t  v;

    rest = inlen % 4;

    if (rest == 1) {
        return -1;
    }

    for (i = 0; i + 4 <= inlen; i += 4) {
        for (k = 0; k < 4; k++) {
            d[k] = consent_b64_digit((unsigned char) in[i + k], alphabet);
            if (d[k] < 0) {
                return -1;
            }
        }

        v = (uint32_t) d[0] << 18 | (uint32_t) d[1] << 12
            | (uint32_t) d[2] << 6 | (uint32_t) d[3];

        *out++ = (unsigned char) (v >> 16);
        *out++ = (unsigned char) (v >> 8);
        *out++ = (unsigned char) v;
    }

    if (rest == 0) {
        return 0;
    }

    for (k = 0; k < rest; k++) {
        d[k] = consent_b64_digit((unsigned char) in[i + k], alphabet);
        if (d[k] < 0) {
            return -1;
        }
    }

    if (rest == 2) {
        if (d[1] & 0x0f) {
            return -1;
        }

        *out = (unsigned char) (d[0] << 2 | d[1] >> 4);

        return 0;
    }

    if (d[2] & 0x03) {
        return -1;
    }

    *out++ = (unsigned char) (d[0] << 2 | d[1] >> 4);
    *out = (unsigned char) ((d[1] & 0x0f) << 4 | d[2] >> 2);

    return 0;
}
