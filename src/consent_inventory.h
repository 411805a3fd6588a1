
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


/* an inventory read back from its JSON document (consent-audit) */
typedef struct {
    consent_inv_entry_t *entries;
    size_t              n;
    uint64_t            evicted;
    void               *root;         /* the strings live in it */
} consent_inventory_t;

/* NULL and a message in err when the document is not an inventory */
consent_inventory_t *consent_inventory_parse(const char *json, size_t len,
    char *err, size_t errlen);
void consent_inventory_free(consent_inventory_t *inv);

/*
 * The seconds a lifetime text of the policy says, read as English: the
 * last "<number> <unit>" in it ("30 minutes to 2 years" is 2 years; a
 * month is 31 days, a year 366), 0 for "session", -1 when it says
 * neither.
 */
int64_t consent_lifetime_seconds(const char *text);


/* the declaration table's row flags */
#define CONSENT_DECL_UNDECLARED   0x01  /* seen, declared by no category */
#define CONSENT_DECL_REFUSED      0x02  /* set for a visitor who refused */
#define CONSENT_DECL_LONGER       0x04  /* a Max-Age past the declared */
#define CONSENT_DECL_SCRIPT       0x08  /* sent, never seen set: a script */


/* a row of the cookie declaration table */
typedef struct {
    const char         *name;         /* the declaration's, or as seen */
    size_t              name_len;
    unsigned            prefix:1;
    int                 decl;         /* into policy->cookies, or -1 */
    int                 category;     /* -1: undeclared */
    uint64_t            set;          /* times set, all Domains/Paths */
    uint64_t            refused;
    uint64_t            sent;
    int64_t             max_age;      /* the longest seen, -1 if none */
    unsigned            flags;
} consent_decl_row_t;

/*
 * The declaration table: a row for each cookie the policy declares, in
 * file order, with what the inventory saw of it, then a row for each
 * name the inventory saw that no declaration covers.  malloc'ed (one
 * free()), or NULL when out of memory.
 */
consent_decl_row_t *consent_declaration(const consent_policy_t *p,
    const consent_inv_entry_t *entries, size_t n, size_t *nrows);


#endif /* _CONSENT_INVENTORY_H_INCLUDED_ */
