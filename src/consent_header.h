
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * What the filter decides about a response's headers: whether its
 * charset is one the scanner can read, and how its Cache-Control keeps
 * a personalised page out of shared caches.  Pure C.
 */


#ifndef _CONSENT_HEADER_H_INCLUDED_
#define _CONSENT_HEADER_H_INCLUDED_


#include <stddef.h>


/*
 * 1 unless the charset (the Content-Type's charset parameter, or the
 * charset nginx will add) is UTF-16 or UTF-32, whose bytes are not
 * ASCII-compatible markup.
 */
int consent_charset_ascii(const char *content_type, size_t ct_len,
    const char *charset, size_t cs_len);

/*
 * Rewrites a Cache-Control value so that only private caches may keep
 * the response: "private" first, without "public" and "s-maxage";
 * "no-store" and "private" values are kept as they are.  out has room
 * for 2 * len + 9 bytes; returns the new length.
 */
size_t consent_cache_control_private(const char *value, size_t len,
    char *out);

/*
 * 1 if an Accept-Encoding value takes gzip: a "gzip" (or "x-gzip") or
 * "*" coding whose q is not 0, unless "gzip;q=0" refuses it.
 */
int consent_accept_gzip(const char *value, size_t len);


#endif /* _CONSENT_HEADER_H_INCLUDED_ */
