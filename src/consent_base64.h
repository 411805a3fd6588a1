
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


#define consent_b64url_len(n)  (((n) * 4 + 2) / 3)


/* writes consent_b64url_len(len) bytes, no padding, no NUL */
/* the base64url character of a 6-bit value, and back (-1: not one) */
extern const char  consent_b64url_chars[65];
int consent_b64url_digit(unsigned char c);

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


#endif /* _CONSENT_BASE64_H_INCLUDED_ */
