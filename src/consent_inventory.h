
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * The cookie inventory (docs/cookies.md, "Inventory"): what the site
 * really sets and what browsers really send, counted by name, never a
 * value.  The nginx side keeps the entries in shared memory; this file
 * says what an entry is and writes the JSON.  Pure C with jansson.
 */


#ifndef _CONSENT_INVENTORY_H_INCLUDED_
#define _CONSENT_INVENTORY_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>

#include "consent_policy.h"
#include "consent_cookie.h"


#define CONSENT_INV_NAME_MAX      256
#define CONSENT_INV_DOMAIN_MAX    253
#define CONSENT_INV_PATH_MAX      128
#define CONSENT_INV_LOCATION_MAX  128


typedef enum {
    CONSENT_INV_SET = 0,        /* a Set-Cookie header of a response */
    CONSENT_INV_SENT            /* a cookie of a request's Cookie header */
} consent_inv_kind_e;


/* the flags of the Set-Cookie headers seen, OR-ed */
#define CONSENT_INV_SECURE        0x01
#define CONSENT_INV_HTTPONLY      0x02
#define CONSENT_INV_SESSION       0x04  /* neither Max-Age nor Expires */
#define CONSENT_INV_SAMESITE_STRICT 0x08
#define CONSENT_INV_SAMESITE_LAX  0x10
#define CONSENT_INV_SAMESITE_NONE 0x20


/* one entry, as the adapter copies it out of shared memory */
typedef struct {
    consent_inv_kind_e  kind;
    const char         *name;
    size_t              name_len;
    const char         *domain;       /* SET: the Domain attribute, or "" */
    size_t              domain_len;
    const char         *path;         /* SET: the Path attribute, or "" */
    size_t              path_len;
    const char         *location;     /* SET: the first location seen */
    size_t              location_len;
    uint64_t            count;
    uint64_t            refused;      /* SET: with its category refused */
    int64_t             max_age;      /* SET: the longest, -1 if none */
    unsigned            flags;
    int64_t             first;        /* unix times */
    int64_t             last;
} consent_inv_entry_t;


/*
 * The JSON document of the inventory:
 * {"cookies_set": [...], "cookies_sent": [...], "evicted": N,
 *  "entries": N}, each entry with its category (id, or null when the
 * policy does not declare it); a sent cookie says whether a response
 * set it ("set_by_response").  Compact, malloc'ed (free()), or NULL.
 */
char *consent_inventory_json(const consent_policy_t *policy,
    const consent_inv_entry_t *entries, size_t n, uint64_t evicted,
    size_t *len);

/* the flags of a parsed Set-Cookie header */
unsigned consent_inventory_flags(const consent_set_cookie_t *sc);


#endif /* _CONSENT_INVENTORY_H_INCLUDED_ */
