
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * One choice across a site's domains (docs/domains.md): the list of
 * domains (consent_domains), the signed hand-off token that carries a
 * choice from one of them to another's endpoint (docs/cookie-format.md),
 * and the replay cache that makes a token single-use.  Pure C: OpenSSL,
 * no nginx headers; the cache works on memory the caller provides (a
 * shared memory zone) and the caller holds its lock.
 */


#ifndef _CONSENT_HANDOFF_H_INCLUDED_
#define _CONSENT_HANDOFF_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>

#include "consent_token.h"
#include "consent_request.h"


#define CONSENT_HANDOFF_TTL          60    /* seconds a token lives */
#define CONSENT_HANDOFF_SKEW         60    /* an issue time may lead */
#define CONSENT_HANDOFF_DOMAINS_MAX  16
#define CONSENT_HANDOFF_HOST_MAX     253
#define CONSENT_HANDOFF_LIST_MAX     1024  /* the list, comma-joined */
#define CONSENT_HANDOFF_NONCE_LEN    8
#define CONSENT_HANDOFF_TOKEN_MAX    3200  /* checked before parsing */
#define CONSENT_REPLAY_WINDOW        32    /* slots a key may sit in */


/* the domains that share a choice, as consent_domains lists them */
typedef struct {
    size_t              n;
    size_t              len[CONSENT_HANDOFF_DOMAINS_MAX];
    char                host[CONSENT_HANDOFF_DOMAINS_MAX]
                            [CONSENT_HANDOFF_HOST_MAX + 1];
} consent_domains_t;


/* what a token carries */
typedef struct {
    char                kid[CONSENT_KID_MAX + 1];
    int64_t             issued;        /* the choice, unix seconds */
    uint32_t            revision;
    uint32_t            granted;
    unsigned char       id[CONSENT_ID_LEN];
    unsigned char       nonce[CONSENT_HANDOFF_NONCE_LEN];
    consent_domains_t   domains;       /* the origin first */
    size_t              ret_len;
    char                ret[CONSENT_RETURN_MAX + 1];
    unsigned char       mac[CONSENT_MAC_LEN];
} consent_handoff_t;


typedef enum {
    CONSENT_HANDOFF_OK = 0,
    CONSENT_HANDOFF_MALFORMED,     /* not a token: 400 */
    CONSENT_HANDOFF_FORGED,        /* unknown key id or MAC: 403 */
    CONSENT_HANDOFF_FUTURE,        /* issued too far ahead: 403 */
    CONSENT_HANDOFF_EXPIRED        /* older than its lifetime: 410 */
} consent_handoff_status_e;


typedef enum {
    CONSENT_REPLAY_FRESH = 0,      /* first use: now recorded */
    CONSENT_REPLAY_SEEN,           /* used before: refuse */
    CONSENT_REPLAY_FULL            /* no room: refuse, fail closed */
} consent_replay_e;


typedef struct {
    uint64_t            key[2];
    int64_t             expires;       /* 0: never used */
} consent_replay_slot_t;


typedef struct {
    uint32_t            nslots;        /* a power of two */
    uint32_t            pad;
    uint64_t            fresh;         /* tokens accepted */
    uint64_t            seen;          /* replays refused */
    uint64_t            full;          /* refused for want of room */
    consent_replay_slot_t  slots[];
} consent_replay_t;


/*
 * A host name as consent_domains takes it: LDH labels of 1 to 63
 * characters separated by dots, 1 to 253 characters, no dot at either
 * end, no hyphen at either end of a label, not all digits and dots (an
 * address is no site).  Upper case is accepted.  1 if valid.
 */
int consent_domains_host_valid(const char *host, size_t len);

/*
 * Adds a host (lower-cased) to the list; 0, or -1 with "invalid host
 * name", "duplicate domain" or "too many domains" in err.
 */
int consent_domains_add(consent_domains_t *d, const char *host, size_t len,
    char *err, size_t errlen);

/* the index of host in the list (compared without regard to case), or -1 */
int consent_domains_find(const consent_domains_t *d, const char *host,
    size_t len);

/* "a.example, b.example" into out (NUL-terminated); the length */
size_t consent_domains_join(const consent_domains_t *d, const char *sep,
    char *out, size_t outlen);

/*
 * The list with this host first and the others in their order, for a
 * token minted on host; -1 if host is not on the list.
 */
int consent_domains_from(const consent_domains_t *d, const char *host,
    size_t len, consent_domains_t *out);


/* RAND_bytes; 0 or -1 */
int consent_handoff_nonce(unsigned char nonce[CONSENT_HANDOFF_NONCE_LEN]);

/*
 * Signs h with the key set's signer (h->kid is set) and writes the
 * NUL-terminated token into out.  h->domains must hold 2 or more valid
 * hosts, h->ret a safe return path.  Returns the length, or -1.
 */
int consent_handoff_encode(const consent_keyset_t *ks, consent_handoff_t *h,
    char *out, size_t outlen);

/*
 * Verifies a token as received (the query argument, already decoded:
 * the token has no character that needs escaping).  h is filled for OK
 * and EXPIRED (the MAC verified), zeroed otherwise.
 */
consent_handoff_status_e consent_handoff_verify(const consent_keyset_t *ks,
    const char *token, size_t len, int64_t now, consent_handoff_t *h);

const char *consent_handoff_status_name(consent_handoff_status_e st);

/*
 * The hop after host in the token's chain: 1 and the next host, or 0
 * when host is the last one (back to the origin, domains.host[0]); -1
 * when host is not one of the token's domains or is its origin.
 */
int consent_handoff_next(const consent_handoff_t *h, const char *host,
    size_t len, const char **next, size_t *next_len);

/*
 * Appends "handoff":"url" to a JSON object that consent_render_*()
 * made (malloc'ed); returns the new string (the old one is freed) or
 * NULL.
 */
char *consent_handoff_json(char *json, size_t *len, const char *url,
    size_t url_len);


/*
 * The host of a Referer ("http://a.example:8080/page" -> "a.example"):
 * http or https only, no user info; 1 and the host, or 0.
 */
int consent_handoff_referer_host(const char *referer, size_t len,
    const char **host, size_t *host_len);

/*
 * The page of a refused hand-off, for a browser: the reason, and when
 * next is given a link on (and a refresh to it), so that the visitor's
 * way through the other domains goes on.  malloc'ed, NUL-terminated.
 */
char *consent_handoff_page(const char *reason, const char *next,
    size_t next_len, size_t *len);


/* the replay cache: bytes for nslots slots, and slots that fit in size */
size_t consent_replay_size(uint32_t nslots);
uint32_t consent_replay_slots(size_t size);

void consent_replay_init(consent_replay_t *c, uint32_t nslots);

/*
 * Records the use of the token with this MAC on host, until expires
 * (unix seconds; after it the token is refused as expired anyway).
 * Expired entries are reused.  The caller holds the lock.
 */
consent_replay_e consent_replay_check(consent_replay_t *c,
    const unsigned char mac[CONSENT_MAC_LEN], const char *host, size_t len,
    int64_t expires, int64_t now);


#endif /* _CONSENT_HANDOFF_H_INCLUDED_ */
