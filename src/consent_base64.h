
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * Base64 helpers of the core: strict, canonical base64url for cookie
 * fields, and a tolerant decoder (either alphabet, optional padding)
 * for secrets in the key file.
 */


#ifndef _CONSENT_BASE64_H_INCLUDED_
#define _CONSENT_BASE64_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>


#define consent_b64url_len(n)  (((n) * 4 + 2) / 3)


/* writes consent_b64url_len(len) bytes, no padding, no NUL */
/* the base64url character of a 6-bit value, and back (-1: not one) */
extern const char  consent_b64url_chars[65];
int consent_b64url_digit(unsigned char c);
/* the same for either alphabet, even mixed (tolerant readers: data: URLs) */
int consent_b64any_digit(unsigned char c);

void consent_b64url_encode(const unsigned char *in, size_t len, char *out);

/*
 * Decodes exactly outlen bytes from exactly consent_b64url_len(outlen)
 * characters of the url alphabet, no padding; unused low bits of the last
 * character must be zero (one encoding per value).  Returns 0 or -1.
 */
int consent_b64url_decode_exact(const char *in, size_t inlen,
    unsigned char *out, size_t outlen);

/*
 * Decodes standard or url alphabet (not mixed), '=' padding optional.
 * Returns the decoded length, or -1 on bad input or when it would not
 * fit in outcap.
 */
long consent_b64_decode_any(const char *in, size_t inlen,
    unsigned char *out, size_t outcap);


/*
 * A stream of bits, 6 a base64url character, most significant first, as
 * TCF and GPP strings are written: read from in (len characters, pos
 * bits read) or written to out (size bytes, room for a NUL kept; nout
 * characters written or wanted, nbits bits).  The first failure is kept
 * in why; reading then gives 0s.  reading: which way a codec that walks
 * its fields once for both ways goes (GPP).
 */

typedef struct {
    int                 reading;

    const char         *in;
    size_t              len;
    size_t              pos;

    char               *out;
    size_t              size;
    size_t              nout;
    unsigned            acc;
    unsigned            nacc;
    size_t              nbits;

    const char         *why;
} consent_b64bits_t;

void consent_b64bits_fail(consent_b64bits_t *b, const char *why);
/* the next bit, or -1 (why set) past the end or on a bad character */
int consent_b64bits_bit(consent_b64bits_t *b);
/* width bits (at most 64) as an integer */
uint64_t consent_b64bits_get(consent_b64bits_t *b, unsigned width);
void consent_b64bits_put_char(consent_b64bits_t *b, char c);
void consent_b64bits_emit(consent_b64bits_t *b, unsigned bit);
void consent_b64bits_put(consent_b64bits_t *b, uint64_t v, unsigned width);


#endif /* _CONSENT_BASE64_H_INCLUDED_ */
