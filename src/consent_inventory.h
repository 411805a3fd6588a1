
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * The cookie inventory (docs/cookies.md, "Inventory"): what the site
 * really sets and what browsers really send, counted by name, never a
 * value, and the third-party hosts its pages load from, by host.  The
 * nginx side keeps the entries in shared memory; this file says what an
 * entry is and writes the JSON.  Pure C with jansson.
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
#define CONSENT_INV_ELEMENT_MAX   16


typedef enum {
    CONSENT_INV_SET = 0,        /* a Set-Cookie header of a response */
    CONSENT_INV_SENT,           /* a cookie of a request's Cookie header */
    CONSENT_INV_HOST            /* a third-party host a page loads from */
} consent_inv_kind_e;


/* the flags of the Set-Cookie headers seen, OR-ed */
#define CONSENT_INV_SECURE        0x01
#define CONSENT_INV_HTTPONLY      0x02
#define CONSENT_INV_SESSION       0x04  /* neither Max-Age nor Expires */
#define CONSENT_INV_SAMESITE_STRICT 0x08
#define CONSENT_INV_SAMESITE_LAX  0x10
#define CONSENT_INV_SAMESITE_NONE 0x20


/*
 * one entry, as the adapter copies it out of shared memory; a HOST's
 * name is the host, its count the pages that referenced it, its
 * location the first page's
 */
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
    const char         *element;      /* HOST: the first element seen */
    size_t              element_len;
    uint32_t            categories;   /* HOST: the rules' that matched */
    uint64_t            unclassified; /* HOST: pages with a URL of it no
                                         rule or mark classified */
    const char         *category_ids; /* HOST, as parsed: "a b", or "" */
    size_t              category_ids_len;
} consent_inv_entry_t;


/*
 * The JSON document of the inventory:
 * {"cookies_set": [...], "cookies_sent": [...], "third_party_hosts":
 *  [...], "evicted": N, "entries": N, "host_pages_cut": N}, each cookie
 * with its category (id, or null when the policy does not declare it);
 * a sent cookie says whether a response set it ("set_by_response"); a
 * host its categories (ids) and "unclassified".  host_pages_cut: pages
 * with more third-party hosts than were counted.  Compact, malloc'ed
 * (free()), or NULL.
 */
char *consent_inventory_json(const consent_policy_t *policy,
    const consent_inv_entry_t *entries, size_t n, uint64_t evicted,
    uint64_t host_pages_cut, size_t *len);

/*
 * 1 when host, as consent_url_parse() writes it, is a third party to
 * a page of the request host page (lower case, no port): neither the
 * site nor under it.  The site is site (consent_cookie_domain), when
 * page is site or under it; otherwise page without a leading "www."
 * label (a host of three labels or more).  Case is ignored, and a
 * trailing dot.
 */
int consent_inventory_third_party(const char *host, size_t len,
    const char *page, size_t page_len, const char *site, size_t site_len);

/* the flags of a parsed Set-Cookie header */
unsigned consent_inventory_flags(const consent_set_cookie_t *sc);


/* an inventory read back from its JSON document (consent-audit) */
typedef struct {
    consent_inv_entry_t *entries;
    size_t              n;
    uint64_t            evicted;
    uint64_t            host_pages_cut;
    void               *root;         /* the strings live in it */
    char               *ids;          /* and the category_ids here */
} consent_inventory_t;

/* NULL and a message in err when the document is not an inventory */
consent_inventory_t *consent_inventory_parse(const char *json, size_t len,
    char *err, size_t errlen);
void consent_inventory_free(consent_inventory_t *inv);

/* the declaration table's row flags */
#define CONSENT_DECL_UNDECLARED   0x01  /* seen, declared by no category */
#define CONSENT_DECL_REFUSED      0x02  /* set for a visitor who refused */
#define CONSENT_DECL_LONGER       0x04  /* a Max-Age past the declared */
#define CONSENT_DECL_SCRIPT       0x08  /* sent, never seen set: a script */
#define CONSENT_DECL_HOST         0x10  /* a host no rule classifies */


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


/*
 * The inventory's hosts that a URL no rule or mark classified came
 * from (the "undeclared third-party hosts"): how many; with out, also
 * their indexes into entries, in the inventory's order
 */
size_t consent_inventory_undeclared_hosts(const consent_inv_entry_t *entries,
    size_t n, size_t *out);


#endif /* _CONSENT_INVENTORY_H_INCLUDED_ */
