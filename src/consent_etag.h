
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * Validators that know the visitor's consent.  A page the filter
 * rewrote carries an entity tag that names the variant it was built for
 * (consent state, granted categories, notice, language...).  A
 * conditional request may then be answered 304 only when the variant the
 * visitor would get now is the one they hold: a browser never keeps a
 * page built for another consent.  Pure C.
 */


#ifndef _CONSENT_ETAG_H_INCLUDED_
#define _CONSENT_ETAG_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>


#define CONSENT_ETAG_MARK_LEN   19      /* ";c=" and 16 hex digits */


/* what a filtered page's bytes depend on, besides the page itself */
typedef struct {
    const unsigned char  *policy_sha256;     /* 32 bytes */
    uint32_t              revision;
    uint32_t              state;
    uint32_t              granted;
    uint32_t              flags;             /* GPC, banner options */
    const char           *lang;              /* NUL-terminated */
    const char           *endpoint;
    size_t                endpoint_len;
    const char           *assets_version;    /* NUL-terminated */
} consent_variant_t;


uint64_t consent_variant_hash(const consent_variant_t *v);

/*
 * The entity tag of the page for variant fp: W/"<opaque>;c=<hex>",
 * from an ETag value (strong, weak or malformed).  out has room for
 * len + CONSENT_ETAG_MARK_LEN + 4 bytes; returns the length.
 */
size_t consent_etag_mark(const char *etag, size_t len, uint64_t fp,
    char *out);

/*
 * Rewrites an If-None-Match value for nginx and the backend: a marked
 * tag of variant fp becomes the page's own tag (in its strong and weak
 * forms), a marked tag of another variant is dropped, and so is any
 * other tag unless keep_unmarked.  out has room for 2 * len + 8 bytes.
 * Returns the number of tags kept (0: the condition must go); *matched
 * tells whether a marked tag of fp was among them.
 */
int consent_inm_rewrite(const char *value, size_t len, uint64_t fp,
    int keep_unmarked, char *out, size_t *out_len, int *matched);

/*
 * 1 if a Sec-Fetch-Dest value names a destination that is never
 * rendered as a document (image, script, style, font...): its own
 * validators may be used as they are.
 */
int consent_fetch_dest_subresource(const char *value, size_t len);


#endif /* _CONSENT_ETAG_H_INCLUDED_ */
