
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
 * 1 if the headers name a charset (the Content-Type's charset parameter,
 * or the charset nginx will add) that a browser keeps whatever the page
 * says, and that is not one of the ISO-2022 family, whose escapes change
 * how the bytes after them are read.
 */
int consent_charset_fixed(const char *content_type, size_t ct_len,
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

/*
 * An Accept-Encoding value that asks only for what the filter can read:
 * the gzip, x-gzip, deflate and identity codings of value, with their
 * parameters, in order, the first CONSENT_AE_CODINGS_MAX of them;
 * "identity" if none is left.  out has room for len + 8 bytes; returns
 * the new length.
 */
#define CONSENT_AE_CODINGS_MAX  8

size_t consent_accept_encoding_ours(const char *value, size_t len,
    char *out);

/*
 * A Cache-Control value that makes a browser revalidate the page before
 * each use: "no-cache" added unless "no-cache" or "no-store" is there.
 * out has room for len + 10 bytes, and may be value itself; returns the
 * new length.
 */
size_t consent_cache_control_no_cache(const char *value, size_t len,
    char *out);

/*
 * A filtered page's Cache-Control: made private if asked
 * (consent_cache_control_private()), then revalidated
 * (consent_cache_control_no_cache()).  out has room for 2 * len + 19
 * bytes; out may be value itself only when private is 0.
 */
size_t consent_cache_control_page(const char *value, size_t len,
    int private, char *out);


#endif /* _CONSENT_HEADER_H_INCLUDED_ */
