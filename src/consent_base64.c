
/*
 * Copyright (C) ngx_http_consent_module authors
 */


#include <limits.h>
#include <stdint.h>

#include "consent_base64.h"


#define CONSENT_B64_URL  0
#define CONSENT_B64_STD  1
#define CONSENT_B64_ANY  2


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


int
consent_b64any_digit(unsigned char c)
{
    return consent_b64_digit(c, CONSENT_B64_ANY);
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

    if (alphabet != CONSENT_B64_STD) {
        if (c == '-') {
            return 62;
        }

        if (c == '_') {
            return 63;
        }
    }

    if (alphabet != CONSENT_B64_URL) {
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


void
consent_b64bits_fail(consent_b64bits_t *b, const char *why)
{
    if (b->why == NULL) {
        b->why = why;
    }
}


int
consent_b64bits_bit(consent_b64bits_t *b)
{
    int  d;

    if (b->pos / 6 >= b->len) {
        consent_b64bits_fail(b, "too short");
        return -1;
    }

    d = consent_b64url_digit((unsigned char) b->in[b->pos / 6]);

    if (d < 0) {
        consent_b64bits_fail(b, "a character outside base64url");
        return -1;
    }

    d = (d >> (5 - b->pos % 6)) & 1;
    b->pos++;

    return d;
}


uint64_t
consent_b64bits_get(consent_b64bits_t *b, unsigned width)
{
    int       bit;
    uint64_t  v;

    v = 0;

    while (width--) {
        if (b->why != NULL) {
            return 0;
        }

        bit = consent_b64bits_bit(b);

        if (bit < 0) {
            return 0;
        }

        v = (v << 1) | (uint64_t) bit;
    }

    return v;
}


void
consent_b64bits_put_char(consent_b64bits_t *b, char c)
{
    if (b->nout + 1 >= b->size) {
        consent_b64bits_fail(b, "no room");

    } else {
        b->out[b->nout] = c;
    }

    b->nout++;
}


void
consent_b64bits_emit(consent_b64bits_t *b, unsigned bit)
{
    b->acc = (b->acc << 1) | (bit & 1);
    b->nbits++;

    if (++b->nacc < 6) {
        return;
    }

    consent_b64bits_put_char(b, consent_b64url_chars[b->acc & 0x3f]);
    b->acc = 0;
    b->nacc = 0;
}


void
consent_b64bits_put(consent_b64bits_t *b, uint64_t v, unsigned width)
{
    while (width--) {
        consent_b64bits_emit(b, (unsigned) (v >> width) & 1);
    }
}
