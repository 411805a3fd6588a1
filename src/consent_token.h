
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * Keys and the signed consent cookie (format v1, docs/cookie-format.md).
 * Pure C: OpenSSL only, no nginx headers.
 */


#ifndef _CONSENT_TOKEN_H_INCLUDED_
#define _CONSENT_TOKEN_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>


#define CONSENT_KID_MAX        8
#define CONSENT_ID_LEN         16
#define CONSENT_ID_B64_LEN     22
#define CONSENT_MAC_LEN        32
#define CONSENT_SECRET_MIN     32
#define CONSENT_SECRET_MAX     256
#define CONSENT_TOKEN_MAX      200     /* checked before any parsing */
#define CONSENT_CLOCK_SKEW     300     /* seconds an issue time may lead */
#define CONSENT_LOG_KEY_LEN    32
#define CONSENT_REGIME_TAG_MAX 16      /* a regime's name, a-z 0-9 - */


/*
 * What a key derives from its secret (the cookie key's MAC state, the
 * log key): inside consent_token.c only, used through consent_key_mac()
 * and consent_key_log_mac().
 */
typedef struct consent_key_secret_s  consent_key_secret_t;


typedef struct {
    char                  kid[CONSENT_KID_MAX + 1];
    size_t                kid_len;
    consent_key_secret_t *secret;
    size_t                line;          /* in the key file */
    unsigned              verify_only:1; /* "verify-only": never signs */
} consent_key_t;


/*
 * keys[0] signs unless it is verify-only (then no key signs: see
 * consent_keyset_signer()); all verify.  The parser puts the first key
 * of the file that is not verify-only first, the others in file order.
 */
typedef struct {
    consent_key_t      *keys;
    size_t              nkeys;
} consent_keyset_t;


typedef enum {
    CONSENT_STATE_ABSENT = 0,
    CONSENT_STATE_VALID,
    CONSENT_STATE_INVALID,
    CONSENT_STATE_EXPIRED,
    CONSENT_STATE_OUTDATED
} consent_state_e;


typedef struct {
    uint32_t            revision;
    uint32_t            granted;       /* bit i: policy category i */
    int64_t             issued;        /* unix time, seconds */
    unsigned char       id[CONSENT_ID_LEN];
    char                kid[CONSENT_KID_MAX + 1];
    char                regime[CONSENT_REGIME_TAG_MAX + 1];  /* format 2;
                                           "" in format 1: "opt-in" */
} consent_token_t;


/*
 * Key file: "KID SECRET [verify-only]" a line, '#' comments, blank lines.
 * A key marked "verify-only" verifies cookies and log lines but never
 * signs; of the others, the first signs.  A file of verify-only keys
 * only is valid (an auditor's archive of retired keys); a server needs
 * consent_keyset_signer().  The name is used in messages only.  On
 * error returns NULL and writes "NAME:LINE: what is wrong" (or
 * "NAME: ...") into err.
 */
consent_keyset_t *consent_keyset_parse(const char *data, size_t len,
    const char *name, char *err, size_t errlen);

/* opens, refuses a world-readable file, reads and parses */
consent_keyset_t *consent_keyset_load(const char *path, char *err,
    size_t errlen);

void consent_keyset_free(consent_keyset_t *ks);

/*
 * The key that signs, or NULL when every key is verify-only; then err
 * has "NAME:LINE: no key signs ..." (the line of the last key).
 */
const consent_key_t *consent_keyset_signer(const consent_keyset_t *ks,
    const char *name, char *err, size_t errlen);

/*
 * What the set does, for a message: "k2 signs; k1 verifies only" or
 * "k2 signs; k1, k0 verify only".  Returns out (always NUL-terminated,
 * cut with "..." if too short).
 */
char *consent_keyset_describe(const consent_keyset_t *ks, char *out,
    size_t outlen);

const consent_key_t *consent_keyset_find(const consent_keyset_t *ks,
    const char *kid, size_t len);

const char *consent_state_name(consent_state_e state);

/*
 * HMAC-SHA256 with the key's cookie key of label (label_len bytes, its
 * NUL counted: a label of its own for each kind of token) and data: the
 * consent_domains hand-off token's MAC.  0 or -1.
 */
int consent_key_mac(const consent_key_t *key, const char *label,
    size_t label_len, const void *data, size_t len,
    unsigned char mac[CONSENT_MAC_LEN]);

/* HMAC-SHA256 with the key's log key: the audit log's lines.  0 or -1 */
int consent_key_log_mac(const consent_key_t *key, const void *data,
    size_t len, unsigned char mac[CONSENT_MAC_LEN]);

/* RAND_bytes; 0 or -1 */
int consent_id_generate(unsigned char id[CONSENT_ID_LEN]);

/* writes CONSENT_ID_B64_LEN characters and a NUL */
void consent_id_format(const unsigned char id[CONSENT_ID_LEN],
    char out[CONSENT_ID_B64_LEN + 1]);

/* 0 or -1; strict canonical base64url of exactly 16 bytes */
int consent_id_parse(const char *in, size_t len,
    unsigned char id[CONSENT_ID_LEN]);

/*
 * Signs tok with ks->keys[0] (tok->kid is set to it) and writes the
 * NUL-terminated cookie value into out.  Returns its length, or -1.
 */
int consent_token_encode(const consent_keyset_t *ks, const char *name,
    size_t name_len, consent_token_t *tok, char *out, size_t outlen);

/*
 * Verifies a cookie value.  VALID, INVALID (anything malformed, unknown
 * kid, bad MAC, issued more than CONSENT_CLOCK_SKEW in the future),
 * EXPIRED (now - issued > max_age), OUTDATED (revision differs from the
 * one in force).  tok is filled for VALID, EXPIRED and OUTDATED (the MAC
 * verified), and zeroed for INVALID, a signed future issue time included.
 */
consent_state_e consent_token_verify(const consent_keyset_t *ks,
    const char *name, size_t name_len, const char *value, size_t len,
    int64_t now, uint32_t revision, int64_t max_age, consent_token_t *tok);

/*
 * 1 if value is a well-formed cookie whose key id the set does not hold
 * (signed by a server with another key file: a rotation half done), and
 * kid gets the id; 0 otherwise.  The MAC is not checked: anyone can
 * make such a cookie, so it is a hint for the operator, never a state.
 */
int consent_token_unknown_kid(const consent_keyset_t *ks, const char *value,
    size_t len, char kid[CONSENT_KID_MAX + 1]);

/*
 * A regime's tag, as a cookie carries it and a policy names it: 1 to
 * CONSENT_REGIME_TAG_MAX of a-z 0-9 -, a letter first.  1 if valid.
 */
int consent_regime_tag_valid(const char *s, size_t len);


/*
 * What the consent cookies of one request add up to, when a browser
 * sends several of the name (a parent domain's next to the host's own,
 * one planted by a sibling subdomain):
 *
 * - if any is VALID, the state is VALID and the categories in force are
 *   those every valid cookie grants (the intersection): a planted cookie
 *   can take a grant away, never add one.  token is the valid cookie
 *   with the fewest categories (then the latest issued, then the first
 *   sent), its granted replaced by the intersection;
 * - otherwise the first OUTDATED, else EXPIRED, else INVALID one counts,
 *   as with a single cookie; none at all is ABSENT.
 *
 * conflict: the cookies whose MAC verified (VALID, EXPIRED, OUTDATED)
 * carry more than one consent id, so a decision cannot tell which
 * history is the visitor's own and starts a new one.
 */
typedef struct {
    consent_state_e     state;
    consent_token_t     token;
    unsigned            ncookies;      /* cookies of the name */
    unsigned            nvalid;        /* of them VALID */
    unsigned            nsigned;       /* VALID, EXPIRED or OUTDATED */
    unsigned            conflict:1;
    unsigned            bits;          /* categories token itself grants */
    unsigned char       first_id[CONSENT_ID_LEN];   /* of the signed */
} consent_pick_t;


/* one verified cookie, as consent_token_verify() left it */
typedef struct {
    consent_state_e     state;
    consent_token_t     token;
} consent_verified_t;


void consent_pick_init(consent_pick_t *pick);

/* adds one cookie: tok as consent_token_verify() filled it */
void consent_pick_add(consent_pick_t *pick, consent_state_e state,
    const consent_token_t *tok);

/* the same over an array, in the order the browser sent them */
void consent_pick(consent_pick_t *pick, const consent_verified_t *v,
    size_t n);


#endif /* _CONSENT_TOKEN_H_INCLUDED_ */
