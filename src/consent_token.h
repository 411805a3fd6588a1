
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
#include <openssl/evp.h>


#define CONSENT_KID_MAX        8
#define CONSENT_ID_LEN         16
#define CONSENT_ID_B64_LEN     22
#define CONSENT_MAC_LEN        32
#define CONSENT_SECRET_MIN     32
#define CONSENT_SECRET_MAX     256
#define CONSENT_TOKEN_MAX      200     /* checked before any parsing */
#define CONSENT_CLOCK_SKEW     300     /* seconds an issue time may lead */
#define CONSENT_LOG_KEY_LEN    32


typedef struct {
    char                kid[CONSENT_KID_MAX + 1];
    size_t              kid_len;
    EVP_MAC_CTX        *cookie_mac;    /* HMAC-SHA256, cookie key set */
    unsigned char       log_key[CONSENT_LOG_KEY_LEN];
} consent_key_t;


typedef struct {
    consent_key_t      *keys;          /* keys[0] signs, all verify */
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
} consent_token_t;


/*
 * Key file: "KID SECRET" a line, '#' comments, blank lines.  The name is
 * used in messages only.  On error returns NULL and writes
 * "NAME:LINE: what is wrong" (or "NAME: ...") into err.
 */
consent_keyset_t *consent_keyset_parse(const char *data, size_t len,
    const char *name, char *err, size_t errlen);

/* opens, refuses a world-readable file, reads and parses */
consent_keyset_t *consent_keyset_load(const char *path, char *err,
    size_t errlen);

void consent_keyset_free(consent_keyset_t *ks);

const consent_key_t *consent_keyset_find(const consent_keyset_t *ks,
    const char *kid, size_t len);

const char *consent_state_name(consent_state_e state);

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


#endif /* _CONSENT_TOKEN_H_INCLUDED_ */
