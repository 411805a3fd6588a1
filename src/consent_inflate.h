
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * Streaming inflation of a gzip or deflate response body, so that the
 * filter can gate a page its backend compressed.  Bounded: the caller
 * gives the output room, and a limit on the total size inflated stops a
 * decompression bomb.  Pure C over zlib.
 */


#ifndef _CONSENT_INFLATE_H_INCLUDED_
#define _CONSENT_INFLATE_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>


/* the limit when none is given: consent_inflate_max_size's default */
#define CONSENT_INFLATE_MAX_DEFAULT  (32 * 1024 * 1024)


typedef enum {
    CONSENT_CODING_NONE = 0,      /* absent, empty or "identity" */
    CONSENT_CODING_GZIP,          /* "gzip", "x-gzip" */
    CONSENT_CODING_DEFLATE,       /* "deflate": zlib-wrapped or raw */
    CONSENT_CODING_OTHER          /* br, zstd, compress, a list, ... */
} consent_coding_e;


typedef enum {
    CONSENT_INFLATE_OK = 0,       /* out is full or in is used up */
    CONSENT_INFLATE_END,          /* the stream ended; in may have more */
    CONSENT_INFLATE_ERROR,        /* corrupt data */
    CONSENT_INFLATE_TOO_BIG       /* over the limit */
} consent_inflate_rc_e;


typedef struct consent_inflate_s  consent_inflate_t;


/* a Content-Encoding value as the browser would decode it */
consent_coding_e consent_coding(const char *value, size_t len);

/* the name of a coding, for the error log */
const char *consent_coding_name(consent_coding_e coding);

/*
 * malloc'ed; limit is the most bytes the whole body may inflate to
 * (0: none).  NULL when out of memory.
 */
consent_inflate_t *consent_inflate_new(consent_coding_e coding,
    uint64_t limit);

void consent_inflate_free(consent_inflate_t *z);

/*
 * Inflates from *in (advanced past what was used) into out (*out_len
 * set to what was written).  Gzip members that follow one another are
 * all inflated, as browsers do.  At the end of the body, "last" makes
 * a stream cut short an error.
 */
consent_inflate_rc_e consent_inflate(consent_inflate_t *z,
    const unsigned char **in, size_t *in_len, unsigned char *out,
    size_t *out_len, int last);

/* bytes inflated so far */
uint64_t consent_inflate_total(const consent_inflate_t *z);

/* a message for the error log after CONSENT_INFLATE_ERROR */
const char *consent_inflate_error(const consent_inflate_t *z);


#endif /* _CONSENT_INFLATE_H_INCLUDED_ */
