
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * Unit tests of consent_token.c: keys, the signed cookie, verification.
 * Cookies are also signed here by an independent reference (HKDF and
 * HMAC written from RFC 5869 with OpenSSL's one-shot HMAC()), so that
 * malformed but correctly signed values test the parser, not the MAC.
 */


#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "tap.h"
#include "consent_base64.h"
#include "consent_token.h"


#define NAME         "consent"
#define ISSUED       1700000000
#define REVISION     7
#define MAX_AGE      (182 * 86400)
#define NOW          (ISSUED + 3600)
#define LABEL        "ngx_http_consent cookie v1"


static const char *cstr(const char *s);
static void secret_bytes(unsigned char *buf, size_t len, unsigned seed);
static void secret_b64(unsigned seed, size_t len, char *out);
static consent_keyset_t *keys(const char *text);
static const char *parse_error(const char *text);
static void ref_hkdf(const unsigned char *secret, size_t len,
    const char *info, unsigned char out[32]);
static void ref_sign(unsigned seed, const char *name, const char *prefix,
    char *out);
static consent_state_e verify(const consent_keyset_t *ks, const char *value,
    size_t len, int64_t now, uint32_t revision, consent_token_t *tok);
static int is_zero(const consent_token_t *tok);
static void test_round_trip(void);
static void test_reference_mac(void);
static void test_mac_reuse(void);
static void test_single_byte_changes(void);
static void test_truncation_extension(void);
static void test_keys_and_rotation(void);
static void test_time_and_revision(void);
static void test_crafted(void);
static void test_lengths(void);
static void test_encode_errors(void);
static void test_parser_errors(void);
static void test_load(void);
static void test_derivation(void);
static void test_misc(void);
static void test_timing(void);
static consent_verified_t verified(consent_state_e state, uint32_t granted,
    int64_t issued, unsigned char id);
static void test_pick(void);
static void test_pick_real(void);
static void test_verify_only(void);
static const char *describe(const consent_keyset_t *ks);


static consent_keyset_t  *ks_a;
static unsigned char      the_id[CONSENT_ID_LEN];
static char               the_id_b64[CONSENT_ID_B64_LEN + 1];
static char               cookie[CONSENT_TOKEN_MAX + 1];
static size_t             cookie_len;


/* an array through a call: tap.h's is_str() tests its arguments for NULL */

static const char *
cstr(const char *s)
{
    return s;
}


static void
secret_bytes(unsigned char *buf, size_t len, unsigned seed)
{
    size_t  i;

    for (i = 0; i < len; i++) {
        buf[i] = (unsigned char) (seed * 37 + i * 11);
    }
}


/* standard padded base64 of len bytes made from seed */

static void
secret_b64(unsigned seed, size_t len, char *out)
{
    unsigned char  buf[512];

    secret_bytes(buf, len, seed);
    EVP_EncodeBlock((unsigned char *) out, buf, (int) len);
}


static consent_keyset_t *
keys(const char *text)
{
    char               err[256];
    consent_keyset_t  *ks;

    ks = consent_keyset_parse(text, strlen(text), "test.keys", err,
                              sizeof(err));
    if (ks == NULL) {
        printf("# key file refused: %s\n", err);
    }

    return ks;
}


static const char *
parse_error(const char *text)
{
    static char        err[256];
    consent_keyset_t  *ks;

    strcpy(err, "(no error)");

    ks = consent_keyset_parse(text, strlen(text), "test.keys", err,
                              sizeof(err));
    if (ks != NULL) {
        consent_keyset_free(ks);
        return "(accepted)";
    }

    return err;
}


/* RFC 5869 with no salt: PRK = HMAC(zeros, IKM), OKM = HMAC(PRK, info 1) */

static void
ref_hkdf(const unsigned char *secret, size_t len, const char *info,
    unsigned char out[32])
{
    size_t         n;
    unsigned int   mdlen;
    unsigned char  zeros[32], prk[32], msg[128];

    memset(zeros, 0, sizeof(zeros));

    HMAC(EVP_sha256(), zeros, sizeof(zeros), secret, len, prk, &mdlen);

    n = strlen(info);
    memcpy(msg, info, n);
    msg[n] = 1;

    HMAC(EVP_sha256(), prk, sizeof(prk), msg, n + 1, out, &mdlen);
}


/* prefix "." base64url(HMAC(cookie key, label 0 name 0 prefix)) */

static void
ref_sign(unsigned seed, const char *name, const char *prefix, char *out)
{
    size_t         n, l;
    unsigned int   mdlen;
    unsigned char  secret[32], key[32], mac[32], msg[512];

    secret_bytes(secret, sizeof(secret), seed);
    ref_hkdf(secret, sizeof(secret), LABEL, key);

    l = sizeof(LABEL);
    memcpy(msg, LABEL, l);
    n = strlen(name);
    memcpy(msg + l, name, n);
    l += n;
    msg[l++] = '\0';
    n = strlen(prefix);
    memcpy(msg + l, prefix, n);
    l += n;

    HMAC(EVP_sha256(), key, sizeof(key), msg, l, mac, &mdlen);

    n = strlen(prefix);
    memcpy(out, prefix, n);
    out[n] = '.';
    consent_b64url_encode(mac, sizeof(mac), out + n + 1);
    out[n + 1 + consent_b64url_len(sizeof(mac))] = '\0';
}


/* a copy in a buffer of exactly len bytes, so ASan sees over-reads */

static consent_state_e
verify(const consent_keyset_t *ks, const char *value, size_t len,
    int64_t now, uint32_t revision, consent_token_t *tok)
{
    char             *copy;
    consent_state_e   st;

    copy = malloc(len ? len : 1);
    if (copy == NULL) {
        return (consent_state_e) -1;
    }

    memcpy(copy, value, len);

    st = consent_token_verify(ks, NAME, sizeof(NAME) - 1, copy, len, now,
                              revision, MAX_AGE, tok);

    free(copy);

    return st;
}


static int
is_zero(const consent_token_t *tok)
{
    consent_token_t  zero;

    memset(&zero, 0, sizeof(consent_token_t));

    return memcmp(tok, &zero, sizeof(consent_token_t)) == 0;
}


static void
test_round_trip(void)
{
    int              n;
    char             prefix[64];
    consent_token_t  tok, got;

    memset(&tok, 0, sizeof(consent_token_t));
    tok.issued = ISSUED;
    tok.revision = REVISION;
    tok.granted = 0x0b;
    memcpy(tok.id, the_id, CONSENT_ID_LEN);

    n = consent_token_encode(ks_a, NAME, sizeof(NAME) - 1, &tok, cookie,
                             sizeof(cookie));
    ok(n > 0, "encode");
    cookie_len = n > 0 ? (size_t) n : 0;

    printf("# cookie: %s\n", cookie);

    is_int(strlen(cookie), cookie_len, "returned length is the string's");
    ok(cookie_len < CONSENT_TOKEN_MAX, "shorter than the cap");
    is_str(tok.kid, "k1", "encode sets tok->kid");

    snprintf(prefix, sizeof(prefix), "1.k1.%d.%d.b.%s.", ISSUED, REVISION,
             the_id_b64);
    ok(strncmp(cookie, prefix, strlen(prefix)) == 0,
       "fields in order: %s", prefix);
    is_int(cookie_len, strlen(prefix) + 43, "MAC is 43 characters");

    memset(&got, 0xa5, sizeof(consent_token_t));
    is_int(verify(ks_a, cookie, cookie_len, NOW, REVISION, &got),
           CONSENT_STATE_VALID, "round trip verifies");
    is_int(got.issued, ISSUED, "issued");
    is_int(got.revision, REVISION, "revision");
    is_int(got.granted, 0x0b, "granted");
    ok(memcmp(got.id, the_id, CONSENT_ID_LEN) == 0, "id");
    is_str(got.kid, "k1", "kid");

    is_int(consent_token_verify(ks_a, NAME, sizeof(NAME) - 1, cookie,
                                cookie_len, NOW, REVISION, MAX_AGE, NULL),
           CONSENT_STATE_VALID, "tok may be NULL");
}


static void
test_reference_mac(void)
{
    char  prefix[128], ref[CONSENT_TOKEN_MAX + 1];

    memcpy(prefix, cookie, cookie_len - 44);
    prefix[cookie_len - 44] = '\0';

    ref_sign(1, NAME, prefix, ref);

    is_str(cstr(cookie), cstr(ref),
           "MAC equals one-shot HMAC() with an RFC 5869 HKDF key "
           "over label, 0, name, 0, fields");
}


static void
test_mac_reuse(void)
{
    int              i, same, valid;
    char             out[CONSENT_TOKEN_MAX + 1];
    char             other[CONSENT_TOKEN_MAX + 1];
    consent_token_t  tok, tok2;

    memset(&tok, 0, sizeof(consent_token_t));
    tok.issued = ISSUED;
    tok.revision = REVISION;
    tok.granted = 0x0b;
    memcpy(tok.id, the_id, CONSENT_ID_LEN);

    tok2 = tok;
    tok2.granted = 0x01;

    same = 1;
    valid = 1;

    for (i = 0; i < 1000; i++) {
        if (consent_token_encode(ks_a, NAME, sizeof(NAME) - 1, &tok, out,
                                 sizeof(out)) != (int) cookie_len
            || strcmp(out, cookie) != 0)
        {
            same = 0;
        }

        /* another message and a failed verify in between */

        if (consent_token_encode(ks_a, NAME, sizeof(NAME) - 1, &tok2, other,
                                 sizeof(other)) <= 0
            || strcmp(other, cookie) == 0)
        {
            same = 0;
        }

        if (verify(ks_a, cookie, cookie_len - 1, NOW, REVISION, NULL)
            != CONSENT_STATE_INVALID)
        {
            valid = 0;
        }

        if (verify(ks_a, cookie, cookie_len, NOW, REVISION, NULL)
            != CONSENT_STATE_VALID)
        {
            valid = 0;
        }
    }

    ok(same, "the reused MAC context signs identically 1000 times");
    ok(valid, "and verifies 1000 times");
}


static void
test_single_byte_changes(void)
{
    int              good, zeroed;
    size_t           i;
    unsigned         b;
    char             buf[CONSENT_TOKEN_MAX + 1];
    consent_token_t  tok;

    zeroed = 1;

    for (i = 0; i < cookie_len; i++) {
        good = 1;

        for (b = 0; b < 256; b++) {
            if ((unsigned char) cookie[i] == b) {
                continue;
            }

            memcpy(buf, cookie, cookie_len);
            buf[i] = (char) b;

            memset(&tok, 0xa5, sizeof(consent_token_t));

            if (verify(ks_a, buf, cookie_len, NOW, REVISION, &tok)
                != CONSENT_STATE_INVALID)
            {
                printf("# position %zu byte 0x%02x not refused\n", i, b);
                good = 0;
            }

            if (!is_zero(&tok)) {
                zeroed = 0;
            }
        }

        ok(good, "position %zu ('%c'): all 255 other bytes are invalid",
           i, cookie[i]);
    }

    ok(zeroed, "tok is zeroed for every invalid value");
}


static void
test_truncation_extension(void)
{
    int       good;
    size_t    i, k;
    char      buf[CONSENT_TOKEN_MAX + 2];

    static const unsigned char  extra[] = {
        '.', 'A', 'a', '0', '-', '_', '=', '\0', '\n', '\r', ' ', ';', 0xff
    };

    good = 1;

    for (i = 0; i < cookie_len; i++) {
        if (verify(ks_a, cookie, i, NOW, REVISION, NULL)
            != CONSENT_STATE_INVALID)
        {
            printf("# truncation to %zu not refused\n", i);
            good = 0;
        }
    }

    ok(good, "every truncation (0..%zu bytes) is invalid", cookie_len - 1);

    good = 1;

    for (k = 0; k < sizeof(extra); k++) {
        memcpy(buf, cookie, cookie_len);
        buf[cookie_len] = (char) extra[k];

        if (verify(ks_a, buf, cookie_len + 1, NOW, REVISION, NULL)
            != CONSENT_STATE_INVALID)
        {
            printf("# appended 0x%02x not refused\n", extra[k]);
            good = 0;
        }

        buf[0] = (char) extra[k];
        memcpy(buf + 1, cookie, cookie_len);

        if (verify(ks_a, buf, cookie_len + 1, NOW, REVISION, NULL)
            != CONSENT_STATE_INVALID)
        {
            printf("# prepended 0x%02x not refused\n", extra[k]);
            good = 0;
        }
    }

    ok(good, "every one-byte extension, before or after, is invalid");

    memcpy(buf, cookie, cookie_len);
    memcpy(buf + cookie_len, cookie + cookie_len - 44, 44);

    is_int(verify(ks_a, buf, cookie_len + 44, NOW, REVISION, NULL),
           CONSENT_STATE_INVALID, "a repeated MAC field is invalid");
}


static void
test_keys_and_rotation(void)
{
    int                n;
    char               a[64], b[64], text[256];
    char               out[CONSENT_TOKEN_MAX + 1];
    consent_token_t    tok;
    consent_keyset_t  *ks, *old, *rotated, *retired;

    secret_b64(1, 32, a);
    secret_b64(2, 32, b);

    snprintf(text, sizeof(text), "k1 %s\n", b);
    ks = keys(text);
    is_int(verify(ks, cookie, cookie_len, NOW, REVISION, NULL),
           CONSENT_STATE_INVALID, "same kid, other secret: invalid");
    consent_keyset_free(ks);

    snprintf(text, sizeof(text), "k2 %s\n", a);
    ks = keys(text);
    is_int(verify(ks, cookie, cookie_len, NOW, REVISION, NULL),
           CONSENT_STATE_INVALID, "unknown kid (same secret): invalid");
    consent_keyset_free(ks);

    is_int(consent_token_verify(ks_a, "consent2", 8, cookie, cookie_len,
                                NOW, REVISION, MAX_AGE, NULL),
           CONSENT_STATE_INVALID, "other cookie name: invalid");
    is_int(consent_token_verify(ks_a, "Consent", 7, cookie, cookie_len,
                                NOW, REVISION, MAX_AGE, NULL),
           CONSENT_STATE_INVALID, "other case of the name: invalid");
    is_int(consent_token_verify(ks_a, NULL, 0, cookie, cookie_len,
                                NOW, REVISION, MAX_AGE, NULL),
           CONSENT_STATE_INVALID, "empty name: invalid");
    is_int(consent_token_verify(ks_a, "consen", 6, cookie, cookie_len,
                                NOW, REVISION, MAX_AGE, NULL),
           CONSENT_STATE_INVALID, "prefix of the name: invalid");

    /* rotation: "old" signed, then "new" is added in front */

    snprintf(text, sizeof(text), "old %s\n", a);
    old = keys(text);
    snprintf(text, sizeof(text), "new %s\nold %s\n", b, a);
    rotated = keys(text);
    snprintf(text, sizeof(text), "new %s\n", b);
    retired = keys(text);

    ok(old && rotated && retired, "key sets for rotation");

    if (!(old && rotated && retired)) {
        return;
    }

    memset(&tok, 0, sizeof(consent_token_t));
    tok.issued = ISSUED;
    tok.revision = REVISION;
    tok.granted = 3;
    memcpy(tok.id, the_id, CONSENT_ID_LEN);

    n = consent_token_encode(old, NAME, sizeof(NAME) - 1, &tok, out,
                             sizeof(out));
    ok(n > 0 && strncmp(out, "1.old.", 6) == 0, "old key signs: %s", out);

    memset(&tok, 0, sizeof(consent_token_t));
    is_int(verify(rotated, out, n, NOW, REVISION, &tok),
           CONSENT_STATE_VALID, "old cookie verifies after rotation");
    is_str(tok.kid, "old", "with the old kid");
    is_int(tok.granted, 3, "and its fields");

    is_int(verify(retired, out, n, NOW, REVISION, NULL),
           CONSENT_STATE_INVALID, "old cookie invalid once old key removed");

    tok.issued = ISSUED;
    n = consent_token_encode(rotated, NAME, sizeof(NAME) - 1, &tok, out,
                             sizeof(out));
    ok(n > 0 && strncmp(out, "1.new.", 6) == 0,
       "the first key signs new cookies: %s", out);
    is_str(tok.kid, "new", "tok->kid is the first key's");
    is_int(verify(rotated, out, n, NOW, REVISION, NULL),
           CONSENT_STATE_VALID, "new cookie verifies with rotated set");
    is_int(verify(retired, out, n, NOW, REVISION, NULL),
           CONSENT_STATE_VALID, "and with the new key alone");
    is_int(verify(old, out, n, NOW, REVISION, NULL),
           CONSENT_STATE_INVALID, "not with the old key alone");

    consent_keyset_free(old);
    consent_keyset_free(rotated);
    consent_keyset_free(retired);
}


static void
test_time_and_revision(void)
{
    consent_token_t  tok;

    is_int(verify(ks_a, cookie, cookie_len, ISSUED + MAX_AGE, REVISION,
                  NULL),
           CONSENT_STATE_VALID, "exactly max_age old: valid");

    memset(&tok, 0, sizeof(consent_token_t));
    is_int(verify(ks_a, cookie, cookie_len, ISSUED + MAX_AGE + 1, REVISION,
                  &tok),
           CONSENT_STATE_EXPIRED, "max_age + 1 old: expired");
    ok(tok.issued == ISSUED && tok.granted == 0x0b
       && memcmp(tok.id, the_id, CONSENT_ID_LEN) == 0,
       "tok filled for expired");

    is_int(consent_token_verify(ks_a, NAME, sizeof(NAME) - 1, cookie,
                                cookie_len, NOW, REVISION, 3599, NULL),
           CONSENT_STATE_EXPIRED, "a shorter max_age expires it");
    is_int(consent_token_verify(ks_a, NAME, sizeof(NAME) - 1, cookie,
                                cookie_len, ISSUED, REVISION, 0, NULL),
           CONSENT_STATE_VALID, "max_age 0 at the issue second: valid");

    memset(&tok, 0, sizeof(consent_token_t));
    is_int(verify(ks_a, cookie, cookie_len, NOW, REVISION + 1, &tok),
           CONSENT_STATE_OUTDATED, "newer policy revision: outdated");
    ok(tok.revision == REVISION && tok.granted == 0x0b,
       "tok filled for outdated");
    is_int(verify(ks_a, cookie, cookie_len, NOW, REVISION - 1, NULL),
           CONSENT_STATE_OUTDATED, "older policy revision: outdated");
    is_int(verify(ks_a, cookie, cookie_len, ISSUED + MAX_AGE + 1,
                  REVISION + 1, NULL),
           CONSENT_STATE_EXPIRED, "expired and outdated: expired first");

    is_int(verify(ks_a, cookie, cookie_len, ISSUED - CONSENT_CLOCK_SKEW,
                  REVISION, NULL),
           CONSENT_STATE_VALID, "issued exactly the skew ahead: valid");

    memset(&tok, 0xa5, sizeof(consent_token_t));
    is_int(verify(ks_a, cookie, cookie_len, ISSUED - CONSENT_CLOCK_SKEW - 1,
                  REVISION, &tok),
           CONSENT_STATE_INVALID, "issued skew + 1 ahead: invalid");
    ok(is_zero(&tok), "tok zeroed for a future cookie");

    is_int(verify(ks_a, cookie, cookie_len, INT64_MIN, REVISION, NULL),
           CONSENT_STATE_INVALID, "now = INT64_MIN: invalid, no overflow");
    is_int(verify(ks_a, cookie, cookie_len, INT64_MAX, REVISION, NULL),
           CONSENT_STATE_EXPIRED, "now = INT64_MAX: expired, no overflow");
}


typedef struct {
    const char       *fields;     /* "%s" is replaced by the id */
    uint32_t          revision;
    int64_t           now;
    consent_state_e   want;
    const char       *what;
} crafted_t;


static void
test_crafted(void)
{
    size_t           i;
    char             prefix[256], value[512], id[64], *p;
    consent_state_e  st;

    static const crafted_t  cases[] = {
        { "1.k1.1700000000.7.b.%s", 7, NOW, CONSENT_STATE_VALID,
          "control: reference-signed cookie" },
        { "1.k1.9999999999.7.b.%s", 7, 9999999999LL, CONSENT_STATE_VALID,
          "largest issue time" },
        { "1.k1.1.7.b.%s", 7, 1, CONSENT_STATE_VALID,
          "smallest issue time" },
        { "1.k1.01700000000.7.b.%s", 7, NOW, CONSENT_STATE_INVALID,
          "issued with a leading zero" },
        { "1.k1.0.7.b.%s", 7, NOW, CONSENT_STATE_INVALID,
          "issued 0" },
        { "1.k1.10000000000.7.b.%s", 7, NOW, CONSENT_STATE_INVALID,
          "issued of 11 digits" },
        { "1.k1.+1700000000.7.b.%s", 7, NOW, CONSENT_STATE_INVALID,
          "issued with '+'" },
        { "1.k1.-1.7.b.%s", 7, NOW, CONSENT_STATE_INVALID,
          "negative issued" },
        { "1.k1. 1700000000.7.b.%s", 7, NOW, CONSENT_STATE_INVALID,
          "issued with a space" },
        { "1.k1.1700000000.0.b.%s", 0, NOW, CONSENT_STATE_VALID,
          "revision 0" },
        { "1.k1.1700000000.4294967295.b.%s", 4294967295U, NOW,
          CONSENT_STATE_VALID, "largest revision" },
        { "1.k1.1700000000.4294967296.b.%s", 0, NOW, CONSENT_STATE_INVALID,
          "revision overflow by one" },
        { "1.k1.1700000000.9999999999.b.%s", 1410065407, NOW,
          CONSENT_STATE_INVALID, "revision overflow (mod 2^32 = want)" },
        { "1.k1.1700000000.42949672950.b.%s", 4294967286U, NOW,
          CONSENT_STATE_INVALID, "revision of 11 digits" },
        { "1.k1.1700000000.07.b.%s", 7, NOW, CONSENT_STATE_INVALID,
          "revision with a leading zero" },
        { "1.k1.1700000000.00.b.%s", 0, NOW, CONSENT_STATE_INVALID,
          "revision \"00\"" },
        { "1.k1.1700000000.7.0.%s", 7, NOW, CONSENT_STATE_VALID,
          "granted 0" },
        { "1.k1.1700000000.7.ffffffff.%s", 7, NOW, CONSENT_STATE_VALID,
          "granted ffffffff" },
        { "1.k1.1700000000.7.B.%s", 7, NOW, CONSENT_STATE_INVALID,
          "granted in uppercase hex" },
        { "1.k1.1700000000.7.0b.%s", 7, NOW, CONSENT_STATE_INVALID,
          "granted with a leading zero" },
        { "1.k1.1700000000.7.1ffffffff.%s", 7, NOW, CONSENT_STATE_INVALID,
          "granted of 9 digits" },
        { "1.k1.1700000000.7.0x1.%s", 7, NOW, CONSENT_STATE_INVALID,
          "granted with 0x" },
        { "1.k1.1700000000.7.g.%s", 7, NOW, CONSENT_STATE_INVALID,
          "granted not hex" },
        { "1.k1..1700000000.7.b.%s", 7, NOW, CONSENT_STATE_INVALID,
          "empty field (two dots)" },
        { "1.k1.1700000000.7..b.%s", 7, NOW, CONSENT_STATE_INVALID,
          "empty field before granted" },
        { "1.k1.1700000000.7.b..%s", 7, NOW, CONSENT_STATE_INVALID,
          "empty field before the id" },
        { "1.k1.1700000000.7.b.%s.", 7, NOW, CONSENT_STATE_INVALID,
          "empty field before the MAC" },
        { "1.k1.1700000000.7.b.%s.x", 7, NOW, CONSENT_STATE_INVALID,
          "an eighth field" },
        { "1.k1.1700000000.1.7.b.%s", 7, NOW, CONSENT_STATE_INVALID,
          "an extra number field" },
        { "1.k1.1700000000.7.%s", 7, NOW, CONSENT_STATE_INVALID,
          "granted missing" },
        { "1..k1.1700000000.7.b.%s", 7, NOW, CONSENT_STATE_INVALID,
          "empty field after the version" },
        { ".1.k1.1700000000.7.b.%s", 7, NOW, CONSENT_STATE_INVALID,
          "leading dot" },
        { "2.k1.1700000000.7.b.%s", 7, NOW, CONSENT_STATE_INVALID,
          "version 2" },
        { "01.k1.1700000000.7.b.%s", 7, NOW, CONSENT_STATE_INVALID,
          "version 01" },
        { "k1.1700000000.7.b.%s", 7, NOW, CONSENT_STATE_INVALID,
          "version missing" },
        { "1.K1.1700000000.7.b.%s", 7, NOW, CONSENT_STATE_INVALID,
          "kid in uppercase" },
        { "1.k1 .1700000000.7.b.%s", 7, NOW, CONSENT_STATE_INVALID,
          "kid with a space" },
        { "1.abcdefghi.1700000000.7.b.%s", 7, NOW, CONSENT_STATE_INVALID,
          "kid of 9 characters" },
        { "1.k1.1700000000.7.b.A%s", 7, NOW, CONSENT_STATE_INVALID,
          "id of 23 characters" },
        { "1.k1.1700000000.7.b.=%s", 7, NOW, CONSENT_STATE_INVALID,
          "id with '='" },
    };

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        snprintf(prefix, sizeof(prefix), cases[i].fields, the_id_b64);
        ref_sign(1, NAME, prefix, value);

        st = consent_token_verify(ks_a, NAME, sizeof(NAME) - 1, value,
                                  strlen(value), cases[i].now,
                                  cases[i].revision, MAX_AGE, NULL);

        is_int(st, cases[i].want, "signed, %s: %s", cases[i].what,
               consent_state_name(cases[i].want));
    }

    /* the id: short, non-canonical, standard alphabet */

    strcpy(id, the_id_b64);
    id[21] = '\0';
    snprintf(prefix, sizeof(prefix), "1.k1.1700000000.7.b.%s", id);
    ref_sign(1, NAME, prefix, value);
    is_int(verify(ks_a, value, strlen(value), NOW, REVISION, NULL),
           CONSENT_STATE_INVALID, "signed, id of 21 characters: invalid");

    /* 16 bytes leave 4 unused bits: 'A' is 000000, 'B' is 000001 */

    strcpy(id, "AAAAAAAAAAAAAAAAAAAAAA");
    snprintf(prefix, sizeof(prefix), "1.k1.1700000000.7.b.%s", id);
    ref_sign(1, NAME, prefix, value);
    is_int(verify(ks_a, value, strlen(value), NOW, REVISION, NULL),
           CONSENT_STATE_VALID, "signed, all-zero id: valid");

    id[21] = 'B';
    snprintf(prefix, sizeof(prefix), "1.k1.1700000000.7.b.%s", id);
    ref_sign(1, NAME, prefix, value);
    is_int(verify(ks_a, value, strlen(value), NOW, REVISION, NULL),
           CONSENT_STATE_INVALID,
           "signed, id with non-zero unused bits: invalid");

    strcpy(id, "-_AAAAAAAAAAAAAAAAAAAA");
    snprintf(prefix, sizeof(prefix), "1.k1.1700000000.7.b.%s", id);
    ref_sign(1, NAME, prefix, value);
    is_int(verify(ks_a, value, strlen(value), NOW, REVISION, NULL),
           CONSENT_STATE_VALID, "signed, id with '-' and '_': valid");

    strcpy(id, "+/AAAAAAAAAAAAAAAAAAAA");
    snprintf(prefix, sizeof(prefix), "1.k1.1700000000.7.b.%s", id);
    ref_sign(1, NAME, prefix, value);
    is_int(verify(ks_a, value, strlen(value), NOW, REVISION, NULL),
           CONSENT_STATE_INVALID, "signed, id with '+' and '/': invalid");

    /* the MAC: 32 bytes leave 2 unused bits in the last character */

    memcpy(value, cookie, cookie_len + 1);
    p = &value[cookie_len - 1];

    ok(strchr("AEIMQUYcgkosw048", *p) != NULL,
       "last MAC character has zero unused bits");

    (*p)++;
    is_int(verify(ks_a, value, cookie_len, NOW, REVISION, NULL),
           CONSENT_STATE_INVALID,
           "MAC with non-zero unused bits (same bytes): invalid");

    memcpy(value, cookie, cookie_len);
    value[cookie_len] = '=';
    is_int(verify(ks_a, value, cookie_len + 1, NOW, REVISION, NULL),
           CONSENT_STATE_INVALID, "padded MAC: invalid");

    memcpy(value, cookie, cookie_len);
    memcpy(value + cookie_len, "AA", 2);
    is_int(verify(ks_a, value, cookie_len + 2, NOW, REVISION, NULL),
           CONSENT_STATE_INVALID, "MAC of 45 characters: invalid");
}


static void
test_lengths(void)
{
    char  *big;

    big = malloc(1024 * 1024);
    if (big == NULL) {
        ok(0, "malloc");
        return;
    }

    memset(big, 'A', 1024 * 1024);
    memcpy(big, cookie, cookie_len);

    is_int(verify(ks_a, big, CONSENT_TOKEN_MAX + 1, NOW, REVISION, NULL),
           CONSENT_STATE_INVALID, "201 bytes: invalid");
    is_int(verify(ks_a, big, CONSENT_TOKEN_MAX, NOW, REVISION, NULL),
           CONSENT_STATE_INVALID, "200 bytes of junk after a cookie: "
           "invalid");
    is_int(consent_token_verify(ks_a, NAME, sizeof(NAME) - 1, big,
                                1024 * 1024, NOW, REVISION, MAX_AGE, NULL),
           CONSENT_STATE_INVALID, "1 MiB: invalid");

    is_int(verify(ks_a, "", 0, NOW, REVISION, NULL),
           CONSENT_STATE_INVALID, "empty value: invalid");
    is_int(consent_token_verify(ks_a, NAME, sizeof(NAME) - 1, NULL, 0, NOW,
                                REVISION, MAX_AGE, NULL),
           CONSENT_STATE_INVALID, "NULL value: invalid");
    is_int(verify(ks_a, "1", 1, NOW, REVISION, NULL),
           CONSENT_STATE_INVALID, "\"1\": invalid");
    is_int(verify(ks_a, "1.", 2, NOW, REVISION, NULL),
           CONSENT_STATE_INVALID, "\"1.\": invalid");

    free(big);
}


static void
test_encode_errors(void)
{
    int              n;
    char             out[CONSENT_TOKEN_MAX + 1];
    consent_token_t  tok;

    memset(&tok, 0, sizeof(consent_token_t));
    tok.issued = ISSUED;
    tok.revision = REVISION;
    tok.granted = 0x0b;
    memcpy(tok.id, the_id, CONSENT_ID_LEN);

    memset(out, 'x', sizeof(out));
    is_int(consent_token_encode(ks_a, NAME, sizeof(NAME) - 1, &tok, out,
                                cookie_len),
           -1, "no room for the NUL: refused");
    ok(out[0] == 'x', "and nothing written");

    n = consent_token_encode(ks_a, NAME, sizeof(NAME) - 1, &tok, out,
                             cookie_len + 1);
    is_int(n, cookie_len, "exactly enough room");
    is_str(cstr(out), cstr(cookie), "same cookie");

    tok.issued = 0;
    is_int(consent_token_encode(ks_a, NAME, sizeof(NAME) - 1, &tok, out,
                                sizeof(out)),
           -1, "issued 0 refused");

    tok.issued = 10000000000LL;
    is_int(consent_token_encode(ks_a, NAME, sizeof(NAME) - 1, &tok, out,
                                sizeof(out)),
           -1, "issued of 11 digits refused");

    tok.issued = 9999999999LL;
    tok.revision = UINT32_MAX;
    tok.granted = UINT32_MAX;
    n = consent_token_encode(ks_a, NAME, sizeof(NAME) - 1, &tok, out,
                             sizeof(out));
    ok(n > 0, "largest fields encode: %s", out);
    is_int(consent_token_verify(ks_a, NAME, sizeof(NAME) - 1, out, n,
                                9999999999LL, UINT32_MAX, MAX_AGE, NULL),
           CONSENT_STATE_VALID, "and verify");

    is_int(consent_token_encode(NULL, NAME, sizeof(NAME) - 1, &tok, out,
                                sizeof(out)),
           -1, "no key set refused");
}


static void
test_parser_errors(void)
{
    char               a[64], b[64], text[2048], big[1024];
    char               err[16];
    consent_keyset_t  *ks;

    secret_b64(1, 32, a);
    secret_b64(2, 32, b);

    snprintf(text, sizeof(text), "# keys\n\nk1 %s\nK2 %s\n", a, b);
    is_str(parse_error(text),
           "test.keys:4: invalid key id, 1 to 8 characters of a-z and 0-9 "
           "expected", "uppercase kid, line 4");

    snprintf(text, sizeof(text), "k1 %s\nabcdefghi %s\n", a, b);
    is_str(parse_error(text),
           "test.keys:2: invalid key id, 1 to 8 characters of a-z and 0-9 "
           "expected", "kid of 9 characters, line 2");

    snprintf(text, sizeof(text), "abcdefgh %s\n", a);
    is_str(parse_error(text), "(accepted)", "kid of 8 characters");

    snprintf(text, sizeof(text), "k-1 %s\n", a);
    is_str(parse_error(text),
           "test.keys:1: invalid key id, 1 to 8 characters of a-z and 0-9 "
           "expected", "kid with '-', line 1");

    snprintf(text, sizeof(text), "k1 %s\n\n\n# x\nk2 not*base64\n", a);
    is_str(parse_error(text), "test.keys:5: secret is not valid base64",
           "bad base64, line 5");

    snprintf(text, sizeof(text), "k1 %.20s+_%s\n", a, a + 22);
    is_str(parse_error(text), "test.keys:1: secret is not valid base64",
           "mixed alphabets");

    secret_b64(3, 16, big);
    snprintf(text, sizeof(text), "k1 %s\nk2 %s\n", a, big);
    is_str(parse_error(text),
           "test.keys:2: key is 16 bytes, at least 32 are required",
           "short secret, line 2");

    secret_b64(3, 31, big);
    snprintf(text, sizeof(text), "k1 %s\n", big);
    is_str(parse_error(text),
           "test.keys:1: key is 31 bytes, at least 32 are required",
           "31 bytes refused");

    secret_b64(3, 256, big);
    snprintf(text, sizeof(text), "k1 %s\n", big);
    is_str(parse_error(text), "(accepted)", "256 bytes accepted");

    secret_b64(3, 257, big);
    snprintf(text, sizeof(text), "k1 %s\n", big);
    is_str(parse_error(text),
           "test.keys:1: key is 257 bytes, at most 256 are allowed",
           "257 bytes refused");

    secret_b64(3, 300, big);
    snprintf(text, sizeof(text), "\nk1 %s\n", big);
    is_str(parse_error(text), "test.keys:2: key is longer than 256 bytes",
           "300 bytes refused");

    snprintf(text, sizeof(text), "k1 %s extra\n", a);
    is_str(parse_error(text),
           "test.keys:1: unexpected field after the secret: \"extra\", "
           "only \"verify-only\" may follow it", "extra field");

    snprintf(text, sizeof(text), "k1 %s # comment\n", a);
    is_str(parse_error(text),
           "test.keys:1: unexpected field after the secret: \"#\", "
           "only \"verify-only\" may follow it",
           "comment after the secret is an extra field");

    snprintf(text, sizeof(text), "k1 %s\n#\nk3\n", a);
    is_str(parse_error(text), "test.keys:3: key \"k3\" has no secret",
           "missing secret");

    snprintf(text, sizeof(text), "k1 %s\n# again\nk1 %s\n", a, b);
    is_str(parse_error(text), "test.keys:3: duplicate key id \"k1\"",
           "duplicate kid, line 3");

    is_str(parse_error(""), "test.keys: no keys", "empty file");
    is_str(parse_error("# nothing\n\n   \n\t\n"), "test.keys: no keys",
           "only comments and blanks");

    snprintf(text, sizeof(text), "k1 %s\n", a);
    text[3] = '\0';
    ks = consent_keyset_parse(text, strlen(a) + 4, "test.keys", NULL, 0);
    ok(ks == NULL, "NUL in the secret refused, NULL err buffer is fine");

    snprintf(text, sizeof(text), "k1 %s x\n", a);
    memset(err, 'x', sizeof(err));
    ks = consent_keyset_parse(text, strlen(text), "test.keys", err, 8);
    ok(ks == NULL && strcmp(err, "test.ke") == 0 && err[8] == 'x',
       "a short err buffer is cut and terminated");

    /* accepted forms */

    snprintf(text, sizeof(text),
             "# rotated 2024-05-01\r\n\r\n  k2\t%s  \r\nk1 \t %s\r\n", b, a);
    ks = keys(text);
    ok(ks != NULL && ks->nkeys == 2
       && strcmp(ks->keys[0].kid, "k2") == 0
       && strcmp(ks->keys[1].kid, "k1") == 0
       && ks->keys[1].kid_len == 2,
       "CRLF, tabs, leading and trailing blanks; order kept");
    ok(ks != NULL && consent_keyset_find(ks, "k1", 2) == &ks->keys[1]
       && consent_keyset_find(ks, "k", 1) == NULL
       && consent_keyset_find(ks, "k1x", 3) == NULL,
       "consent_keyset_find");
    consent_keyset_free(ks);

    snprintf(text, sizeof(text), "k1 %s", a);
    ks = keys(text);
    ok(ks != NULL, "no newline at the end");
    consent_keyset_free(ks);
}


static void
test_load(void)
{
    int                fd;
    char               path[64], a[64], text[256], err[512];
    char              *big;
    size_t             len;
    consent_keyset_t  *ks;

    secret_b64(1, 32, a);
    snprintf(text, sizeof(text), "# test\nk1 %s\n", a);
    len = strlen(text);

    strcpy(path, "/tmp/consent-keys-XXXXXX");
    fd = mkstemp(path);
    if (fd == -1 || write(fd, text, len) != (ssize_t) len) {
        ok(0, "temp file: %s", strerror(errno));
        return;
    }

    close(fd);

    chmod(path, 0644);
    err[0] = '\0';
    ks = consent_keyset_load(path, err, sizeof(err));
    ok(ks == NULL, "mode 0644 refused");
    printf("# %s\n", err);
    ok(strstr(err, path) && strstr(err, "world-readable")
       && strstr(err, "chmod 600"), "message names file, cause and fix");
    consent_keyset_free(ks);

    chmod(path, 0604);
    ks = consent_keyset_load(path, err, sizeof(err));
    ok(ks == NULL, "mode 0604 refused");
    consent_keyset_free(ks);

    chmod(path, 0600);
    ks = consent_keyset_load(path, err, sizeof(err));
    ok(ks != NULL && ks->nkeys == 1, "mode 0600 loads");
    is_int(verify(ks, cookie, cookie_len, NOW, REVISION, NULL),
           CONSENT_STATE_VALID, "loaded keys verify");
    consent_keyset_free(ks);

    chmod(path, 0640);
    ks = consent_keyset_load(path, err, sizeof(err));
    ok(ks != NULL, "mode 0640 loads");
    consent_keyset_free(ks);

    fd = open(path, O_WRONLY | O_APPEND);
    if (fd != -1) {
        len = write(fd, "bad!\n", 5);
        close(fd);
    }

    ks = consent_keyset_load(path, err, sizeof(err));
    snprintf(text, sizeof(text), "%s:3: invalid key id", path);
    ok(ks == NULL && strncmp(err, text, strlen(text)) == 0,
       "parse error names path and line: %s", err);

    big = malloc(65537);
    if (big) {
        memset(big, '#', 65537);
        fd = open(path, O_WRONLY | O_TRUNC);
        if (fd != -1) {
            len = write(fd, big, 65537);
            close(fd);
        }

        ks = consent_keyset_load(path, err, sizeof(err));
        ok(ks == NULL && strstr(err, "larger than"),
           "over 64 KiB refused: %s", err);

        fd = open(path, O_WRONLY | O_TRUNC);
        if (fd != -1) {
            len = write(fd, big, 65536);
            close(fd);
        }

        ks = consent_keyset_load(path, err, sizeof(err));
        ok(ks == NULL && strstr(err, "no keys"),
           "exactly 64 KiB is read: %s", err);

        free(big);
    }

    unlink(path);

    ks = consent_keyset_load(path, err, sizeof(err));
    ok(ks == NULL && strstr(err, path) && strstr(err, "cannot open"),
       "missing file: %s", err);

    ks = consent_keyset_load("/tmp", err, sizeof(err));
    ok(ks == NULL && strstr(err, "not a regular file"),
       "directory refused: %s", err);

    ks = consent_keyset_load("/dev/null", err, sizeof(err));
    ok(ks == NULL && strstr(err, "not a regular file"),
       "device refused: %s", err);
}


static void
test_derivation(void)
{
    char               b[64], text[256];
    unsigned int       mdlen;
    unsigned char      secret[32], want[32], key[32], mac[32];
    consent_keyset_t  *ks;
    static const char  probe[] = "a line of the audit log";

    secret_bytes(secret, sizeof(secret), 1);

    /* the log key is inside the key: seen through the MAC it makes */

    ok(consent_key_log_mac(&ks_a->keys[0], probe, sizeof(probe), mac) == 0,
       "log MAC made");

    ref_hkdf(secret, sizeof(secret), "ngx_http_consent log v1", key);
    HMAC(EVP_sha256(), key, sizeof(key), (const unsigned char *) probe,
         sizeof(probe), want, &mdlen);
    ok(memcmp(mac, want, 32) == 0,
       "log key is HKDF-SHA256(secret, \"ngx_http_consent log v1\")");

    ref_hkdf(secret, sizeof(secret), LABEL, key);
    HMAC(EVP_sha256(), key, sizeof(key), (const unsigned char *) probe,
         sizeof(probe), want, &mdlen);
    ok(memcmp(mac, want, 32) != 0, "log key differs from the cookie key");

    /* the cookie key's MAC under another label: the hand-off token's */

    memcpy(text, "label", 6);
    memcpy(text + 6, probe, sizeof(probe));
    HMAC(EVP_sha256(), key, sizeof(key), (const unsigned char *) text,
         6 + sizeof(probe), want, &mdlen);
    ok(consent_key_mac(&ks_a->keys[0], "label", 6, probe, sizeof(probe),
                       mac) == 0
       && memcmp(mac, want, 32) == 0,
       "consent_key_mac: HMAC(cookie key, label 0x00 data)");
    ok(consent_key_mac(NULL, "label", 6, probe, sizeof(probe), mac) == -1,
       "consent_key_mac: no key");

    consent_key_log_mac(&ks_a->keys[0], probe, sizeof(probe), mac);

    secret_b64(2, 32, b);
    snprintf(text, sizeof(text), "k1 %s\n", b);
    ks = keys(text);
    ok(ks && consent_key_log_mac(&ks->keys[0], probe, sizeof(probe), want)
             == 0
       && memcmp(want, mac, 32) != 0,
       "other secret, other log key");
    consent_keyset_free(ks);
}


static void
test_misc(void)
{
    char               a[64], url[64], text[256], *p;
    char               out[CONSENT_TOKEN_MAX + 1];
    unsigned char      id1[CONSENT_ID_LEN], id2[CONSENT_ID_LEN], back[16];
    consent_token_t    tok;
    consent_keyset_t  *ks;

    is_str(consent_state_name(CONSENT_STATE_ABSENT), "absent", "absent");
    is_str(consent_state_name(CONSENT_STATE_VALID), "valid", "valid");
    is_str(consent_state_name(CONSENT_STATE_INVALID), "invalid", "invalid");
    is_str(consent_state_name(CONSENT_STATE_EXPIRED), "expired", "expired");
    is_str(consent_state_name(CONSENT_STATE_OUTDATED), "outdated",
           "outdated");

    ok(consent_id_generate(id1) == 0 && consent_id_generate(id2) == 0
       && memcmp(id1, id2, CONSENT_ID_LEN) != 0, "two random ids differ");

    consent_id_format(id1, url);
    is_int(strlen(url), CONSENT_ID_B64_LEN, "id is 22 characters");
    ok(consent_id_parse(url, 22, back) == 0
       && memcmp(back, id1, CONSENT_ID_LEN) == 0, "id parses back");
    is_int(consent_id_parse(url, 21, back), -1, "21 characters refused");
    is_int(consent_id_parse("AAAAAAAAAAAAAAAAAAAAAB", 22, back), -1,
           "non-canonical id refused");

    /* the same secret in url alphabet without padding: same cookies */

    secret_b64(1, 32, a);
    strcpy(url, a);

    for (p = url; *p; p++) {
        if (*p == '+') {
            *p = '-';

        } else if (*p == '/') {
            *p = '_';

        } else if (*p == '=') {
            *p = '\0';
            break;
        }
    }

    snprintf(text, sizeof(text), "k1 %s\n", url);
    ks = keys(text);

    memset(&tok, 0, sizeof(consent_token_t));
    tok.issued = ISSUED;
    tok.revision = REVISION;
    tok.granted = 0x0b;
    memcpy(tok.id, the_id, CONSENT_ID_LEN);

    ok(ks && consent_token_encode(ks, NAME, sizeof(NAME) - 1, &tok, out,
                                  sizeof(out)) > 0
       && strcmp(out, cookie) == 0,
       "url-alphabet unpadded secret %s gives the same key", url);
    consent_keyset_free(ks);
}


/*
 * CONSENT_NO_TIMING (make test-valgrind sets it): the time per verify is
 * not checked, and fewer verifies run, under a slow valgrind
 */

static void
test_timing(void)
{
    int              timed;
    long             i, bad, n;
    double           ns;
    const char      *no;
    struct timespec  t0, t1;

    no = getenv("CONSENT_NO_TIMING");
    timed = (no == NULL || no[0] == '\0');

    n = timed ? 200000 : 2000;
    bad = 0;

    clock_gettime(CLOCK_MONOTONIC, &t0);

    for (i = 0; i < n; i++) {
        if (consent_token_verify(ks_a, NAME, sizeof(NAME) - 1, cookie,
                                 cookie_len, NOW, REVISION, MAX_AGE, NULL)
            != CONSENT_STATE_VALID)
        {
            bad++;
        }
    }

    clock_gettime(CLOCK_MONOTONIC, &t1);

    ns = ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / n;

    printf("# verify: %.0f ns/op\n", ns);

    is_int(bad, 0, "%ld verifies all valid", n);

    if (timed) {
        ok(ns < 20000, "verify is below 20 us");

    } else {
        ok(1, "verify is below 20 us # skip CONSENT_NO_TIMING is set");
    }
}


/* a verified cookie as consent_token_verify() leaves it */

static consent_verified_t
verified(consent_state_e state, uint32_t granted, int64_t issued,
    unsigned char id)
{
    consent_verified_t  v;

    memset(&v, 0, sizeof(consent_verified_t));
    v.state = state;

    if (state == CONSENT_STATE_INVALID) {
        return v;
    }

    v.token.revision = REVISION;
    v.token.granted = granted;
    v.token.issued = issued;
    memset(v.token.id, id, CONSENT_ID_LEN);
    memcpy(v.token.kid, "k1", 3);

    return v;
}


static void
test_pick(void)
{
    consent_pick_t      p;
    consent_verified_t  v[6];

    consent_pick(&p, NULL, 0);
    is_int(p.state, CONSENT_STATE_ABSENT, "pick: no cookie, absent");
    ok(p.ncookies == 0 && p.nvalid == 0 && !p.conflict,
       "pick: no cookie, nothing counted");

    /* one cookie: as it was verified */

    v[0] = verified(CONSENT_STATE_VALID, 0x5, ISSUED, 1);
    consent_pick(&p, v, 1);
    ok(p.state == CONSENT_STATE_VALID && p.token.granted == 0x5
       && p.token.id[0] == 1 && p.nvalid == 1 && !p.conflict,
       "pick: one valid cookie");

    /* the planted accept-all first, the visitor's reject second */

    v[0] = verified(CONSENT_STATE_VALID, 0xf, ISSUED, 0xaa);
    v[1] = verified(CONSENT_STATE_VALID, 0x1, ISSUED + 60, 0x11);
    consent_pick(&p, v, 2);
    is_int(p.state, CONSENT_STATE_VALID, "pick: planted + own: valid");
    is_int(p.token.granted, 0x1, "pick: planted accept-all + own reject: "
           "reject");
    is_int(p.token.id[0], 0x11, "pick: the token in force is the reject");
    ok(p.nvalid == 2 && p.nsigned == 2 && p.ncookies == 2,
       "pick: two valid counted");
    ok(p.conflict, "pick: two ids, conflict");

    /* the order the browser sends them in does not matter */

    v[0] = verified(CONSENT_STATE_VALID, 0x1, ISSUED + 60, 0x11);
    v[1] = verified(CONSENT_STATE_VALID, 0xf, ISSUED, 0xaa);
    consent_pick(&p, v, 2);
    ok(p.token.granted == 0x1 && p.token.id[0] == 0x11 && p.conflict,
       "pick: own reject first, planted accept-all second: reject");

    /* neither is a subset: only what both grant */

    v[0] = verified(CONSENT_STATE_VALID, 0x1 | 0x2 | 0x4, ISSUED, 0xaa);
    v[1] = verified(CONSENT_STATE_VALID, 0x1 | 0x4 | 0x8, ISSUED + 1, 0xbb);
    v[2] = verified(CONSENT_STATE_VALID, 0x1 | 0x4 | 0x8 | 0x2, ISSUED + 2,
                    0xcc);
    consent_pick(&p, v, 3);
    is_int(p.token.granted, 0x1 | 0x4, "pick: the intersection of three");
    is_int(p.token.id[0], 0xbb, "pick: fewest bits, then the latest: bb");
    is_int(p.nvalid, 3, "pick: three valid");

    /* same number of bits: the latest issued, else the first sent */

    v[0] = verified(CONSENT_STATE_VALID, 0x3, ISSUED + 10, 0xaa);
    v[1] = verified(CONSENT_STATE_VALID, 0x5, ISSUED, 0xbb);
    consent_pick(&p, v, 2);
    ok(p.token.id[0] == 0xaa && p.token.granted == 0x1
       && p.token.issued == ISSUED + 10,
       "pick: a tie goes to the latest issued");

    v[1] = verified(CONSENT_STATE_VALID, 0x5, ISSUED + 10, 0xbb);
    consent_pick(&p, v, 2);
    ok(p.token.id[0] == 0xaa, "pick: a full tie goes to the first sent");

    /* one id twice (a host and a parent cookie): no conflict */

    v[0] = verified(CONSENT_STATE_VALID, 0xf, ISSUED, 0x11);
    v[1] = verified(CONSENT_STATE_VALID, 0x3, ISSUED + 5, 0x11);
    consent_pick(&p, v, 2);
    ok(p.token.granted == 0x3 && !p.conflict && p.nvalid == 2,
       "pick: one id twice: the intersection, no conflict");

    /* a valid cookie counts over any other */

    v[0] = verified(CONSENT_STATE_OUTDATED, 0x1, ISSUED, 0x11);
    v[1] = verified(CONSENT_STATE_INVALID, 0, 0, 0);
    v[2] = verified(CONSENT_STATE_VALID, 0xf, ISSUED, 0xaa);
    v[3] = verified(CONSENT_STATE_EXPIRED, 0x1, ISSUED, 0x22);
    consent_pick(&p, v, 4);
    ok(p.state == CONSENT_STATE_VALID && p.token.granted == 0xf
       && p.token.id[0] == 0xaa && p.nvalid == 1,
       "pick: the valid one counts over outdated, invalid, expired");
    ok(p.conflict && p.nsigned == 3 && p.ncookies == 4,
       "pick: signed cookies of three ids: conflict");

    /* none valid: outdated, then expired, then invalid, the first of a rank */

    v[0] = verified(CONSENT_STATE_INVALID, 0, 0, 0);
    v[1] = verified(CONSENT_STATE_EXPIRED, 0x3, ISSUED, 0x22);
    v[2] = verified(CONSENT_STATE_OUTDATED, 0x7, ISSUED, 0x33);
    v[3] = verified(CONSENT_STATE_OUTDATED, 0x1, ISSUED, 0x44);
    consent_pick(&p, v, 4);
    ok(p.state == CONSENT_STATE_OUTDATED && p.token.id[0] == 0x33
       && p.token.granted == 0x7 && p.nvalid == 0,
       "pick: without a valid one, the first outdated counts");

    consent_pick(&p, v, 2);
    ok(p.state == CONSENT_STATE_EXPIRED && p.token.id[0] == 0x22
       && !p.conflict,
       "pick: then expired, one id: no conflict");

    consent_pick(&p, v, 1);
    ok(p.state == CONSENT_STATE_INVALID && p.nsigned == 0 && !p.conflict,
       "pick: then invalid");

    /* a valid one after others replaces their token entirely */

    v[0] = verified(CONSENT_STATE_OUTDATED, 0xf, ISSUED - 100, 0x33);
    v[1] = verified(CONSENT_STATE_VALID, 0x1, ISSUED, 0x44);
    consent_pick(&p, v, 2);
    ok(p.state == CONSENT_STATE_VALID && p.token.granted == 0x1
       && p.token.issued == ISSUED && p.token.id[0] == 0x44,
       "pick: a valid one after an outdated one");

    /* the fold gives what the array does, one by one */

    v[0] = verified(CONSENT_STATE_VALID, 0xf, ISSUED, 0xaa);
    v[1] = verified(CONSENT_STATE_VALID, 0x1, ISSUED, 0x11);
    consent_pick_init(&p);
    consent_pick_add(&p, v[0].state, &v[0].token);
    consent_pick_add(&p, v[1].state, &v[1].token);
    ok(p.token.granted == 0x1 && p.conflict && p.nvalid == 2,
       "pick: consent_pick_add one by one");

    /* no bit is ever added: every valid cookie's bits bound the result */

    {
    unsigned  i, j, n, good;
    uint32_t  seed, all;

    good = 1;
    seed = 12345;

    for (i = 0; i < 2000 && good; i++) {
        n = 1 + i % 6;
        all = 0xffffffff;

        for (j = 0; j < n; j++) {
            seed = seed * 1103515245 + 12345;
            v[j] = verified((seed >> 8) % 3 == 0 ? CONSENT_STATE_OUTDATED
                                                 : CONSENT_STATE_VALID,
                            seed >> 12, ISSUED + (seed >> 20) % 7,
                            (unsigned char) (seed >> 16));
            if (v[j].state == CONSENT_STATE_VALID) {
                all &= v[j].token.granted;
            }
        }

        consent_pick(&p, v, n);

        if (p.state == CONSENT_STATE_VALID && p.token.granted != all) {
            printf("#     round %u: granted %x, intersection %x\n", i,
                   p.token.granted, all);
            good = 0;
        }
    }

    ok(good, "pick: 2000 random sets give the intersection of the valid");
    }
}


/* real cookies: the planted one signed with the same key */

static void
test_pick_real(void)
{
    int              n;
    char             own[CONSENT_TOKEN_MAX + 1];
    char             planted[CONSENT_TOKEN_MAX + 1];
    consent_pick_t   p;
    consent_token_t  tok;
    consent_state_e  st;

    memset(&tok, 0, sizeof(consent_token_t));
    tok.issued = ISSUED;
    tok.revision = REVISION;
    tok.granted = 0xf;
    memset(tok.id, 0xaa, CONSENT_ID_LEN);
    n = consent_token_encode(ks_a, NAME, strlen(NAME), &tok, planted,
                             sizeof(planted));

    tok.granted = 0x1;
    memcpy(tok.id, the_id, CONSENT_ID_LEN);
    n |= consent_token_encode(ks_a, NAME, strlen(NAME), &tok, own,
                              sizeof(own));
    ok(n > 0, "pick: two real cookies signed");

    consent_pick_init(&p);

    st = consent_token_verify(ks_a, NAME, strlen(NAME), planted,
                              strlen(planted), NOW, REVISION, MAX_AGE, &tok);
    consent_pick_add(&p, st, &tok);

    st = consent_token_verify(ks_a, NAME, strlen(NAME), own, strlen(own),
                              NOW, REVISION, MAX_AGE, &tok);
    consent_pick_add(&p, st, &tok);

    ok(p.state == CONSENT_STATE_VALID && p.token.granted == 0x1
       && memcmp(p.token.id, the_id, CONSENT_ID_LEN) == 0 && p.conflict,
       "pick: verified planted accept-all and own reject: the reject, "
       "conflict");
}


static const char *
describe(const consent_keyset_t *ks)
{
    static char  buf[128];

    return consent_keyset_describe(ks, buf, sizeof(buf));
}


/* "verify-only": the two-phase rotation of a fleet, as the core sees it */

static void
test_verify_only(void)
{
    int                    n;
    char                   a[64], b[64], c[64], text[512], err[256];
    char                   old_cookie[CONSENT_TOKEN_MAX + 1];
    char                   new_cookie[CONSENT_TOKEN_MAX + 1];
    char                   kid[CONSENT_KID_MAX + 1], small[16];
    consent_token_t        tok, got;
    consent_keyset_t      *ks, *old, *added, *switched, *retired, *archive;

    secret_b64(1, 32, a);
    secret_b64(2, 32, b);
    secret_b64(3, 32, c);

    /* the syntax */

    snprintf(text, sizeof(text), "k1 %s verify-only\nk2 %s\n", a, b);
    ks = keys(text);
    ok(ks != NULL && ks->nkeys == 2
       && strcmp(ks->keys[0].kid, "k2") == 0 && !ks->keys[0].verify_only
       && ks->keys[0].line == 2
       && strcmp(ks->keys[1].kid, "k1") == 0 && ks->keys[1].verify_only
       && ks->keys[1].line == 1,
       "a verify-only first key: the next one signs and goes first");
    ok(ks && consent_keyset_signer(ks, "test.keys", err, sizeof(err))
             == &ks->keys[0], "consent_keyset_signer");
    is_str(describe(ks), "k2 signs; k1 verifies only", "described");
    consent_keyset_free(ks);

    snprintf(text, sizeof(text),
             "k1 %s verify-only\n# new\nk0 %s\t verify-only \r\nk2 %s\n",
             a, c, b);
    ks = keys(text);
    ok(ks != NULL && ks->nkeys == 3
       && strcmp(ks->keys[0].kid, "k2") == 0
       && strcmp(ks->keys[1].kid, "k1") == 0
       && strcmp(ks->keys[2].kid, "k0") == 0 && ks->keys[2].verify_only
       && ks->keys[2].line == 3,
       "the signer first, the others in file order; blanks and CRLF");
    is_str(describe(ks), "k2 signs; k1, k0 verify only",
           "described, two verify-only");
    ok(ks && consent_keyset_find(ks, "k0", 2) == &ks->keys[2],
       "find after reordering");
    consent_keyset_free(ks);

    snprintf(text, sizeof(text), "k1 %s\nk2 %s verify-only\nk3 %s\n",
             a, b, c);
    ks = keys(text);
    ok(ks != NULL && strcmp(ks->keys[0].kid, "k1") == 0
       && strcmp(ks->keys[1].kid, "k2") == 0
       && strcmp(ks->keys[2].kid, "k3") == 0 && !ks->keys[2].verify_only,
       "without marks, the first signs, as before");
    is_str(describe(ks), "k1 signs; k2, k3 verify only",
           "an unmarked later key verifies only too");
    consent_keyset_free(ks);

    snprintf(text, sizeof(text), "k1 %s\n", a);
    ks = keys(text);
    is_str(describe(ks), "k1 signs", "one key");
    consent_keyset_free(ks);

    snprintf(text, sizeof(text), "k1 %s VERIFY-ONLY\n", a);
    is_str(parse_error(text),
           "test.keys:1: unexpected field after the secret: \"VERIFY-ONLY\", "
           "only \"verify-only\" may follow it", "the mark is lower case");

    snprintf(text, sizeof(text), "k1 %s verify-only x\n", a);
    is_str(parse_error(text),
           "test.keys:1: unexpected field after \"verify-only\"",
           "nothing after the mark");

    snprintf(text, sizeof(text), "k1 %s verify-onlyx\n", a);
    ok(strstr(parse_error(text), ": \"verify-onlyx\", only")
       != NULL, "a longer word is no mark");

    snprintf(text, sizeof(text), "k1 verify-only\n");
    is_str(parse_error(text), "test.keys:1: secret is not valid base64",
           "the mark is no secret");

    /* every key verify-only: an auditor's archive, not a server's file */

    snprintf(text, sizeof(text),
             "k1 %s verify-only\n\nk2 %s verify-only\n# end\n", a, b);
    ks = keys(text);
    ok(ks != NULL && ks->nkeys == 2
       && strcmp(ks->keys[0].kid, "k1") == 0,
       "only verify-only keys: parsed, file order");
    strcpy(err, "x");
    ok(ks && consent_keyset_signer(ks, "test.keys", err, sizeof(err))
             == NULL, "no signer");
    is_str(cstr(err), "test.keys:3: no key signs: every key is marked "
           "\"verify-only\"; remove the mark from the key that is to sign",
           "said with the line of the last key");
    is_str(describe(ks), "no key signs; k1, k2 verify only",
           "described, no signer");

    memset(&tok, 0, sizeof(tok));
    tok.issued = ISSUED;
    tok.revision = REVISION;
    memcpy(tok.id, the_id, CONSENT_ID_LEN);
    ok(ks && consent_token_encode(ks, NAME, sizeof(NAME) - 1, &tok,
                                  new_cookie, sizeof(new_cookie)) == -1,
       "a verify-only key never signs a cookie");
    consent_keyset_free(ks);

    ok(consent_keyset_signer(NULL, NULL, err, sizeof(err)) == NULL
       && strcmp(err, "keys: no keys") == 0, "signer of NULL");

    consent_keyset_describe(NULL, small, sizeof(small));
    is_str(cstr(small), "", "describe NULL");

    snprintf(text, sizeof(text), "k1 %s\nk2 %s\n", a, b);
    ks = keys(text);
    consent_keyset_describe(ks, small, sizeof(small));
    is_str(cstr(small), "k1 signs; k2...", "describe cut short");
    consent_keyset_describe(ks, small, 9);
    is_str(cstr(small), "k1 si...", "describe cut in the first part");
    consent_keyset_free(ks);

    /*
     * the rotation: old {k1}; added {k1, k2 verify-only} everywhere;
     * switched {k2, k1 verify-only}; retired {k2}
     */

    snprintf(text, sizeof(text), "k1 %s\n", a);
    old = keys(text);
    snprintf(text, sizeof(text), "k1 %s\nk2 %s verify-only\n", a, b);
    added = keys(text);
    snprintf(text, sizeof(text), "k1 %s verify-only\nk2 %s\n", a, b);
    switched = keys(text);
    snprintf(text, sizeof(text), "k2 %s\n", b);
    retired = keys(text);
    snprintf(text, sizeof(text), "k1 %s verify-only\nk2 %s verify-only\n",
             a, b);
    archive = keys(text);

    if (old == NULL || added == NULL || switched == NULL || retired == NULL
        || archive == NULL)
    {
        ok(0, "rotation key sets");
        goto done;
    }

    n = consent_token_encode(added, NAME, sizeof(NAME) - 1, &tok,
                             old_cookie, sizeof(old_cookie));
    ok(n > 0 && strncmp(old_cookie, "1.k1.", 5) == 0,
       "phase 1 (new key verify-only) still signs with k1");

    n = consent_token_encode(switched, NAME, sizeof(NAME) - 1, &tok,
                             new_cookie, sizeof(new_cookie));
    ok(n > 0 && strncmp(new_cookie, "1.k2.", 5) == 0,
       "phase 2 signs with k2");

    is_int(verify(added, new_cookie, strlen(new_cookie), NOW, REVISION,
                  &got), CONSENT_STATE_VALID,
           "a server in phase 1 accepts a cookie of phase 2");
    ok(memcmp(got.id, the_id, CONSENT_ID_LEN) == 0, "with its consent id");
    is_int(verify(switched, old_cookie, strlen(old_cookie), NOW, REVISION,
                  &got), CONSENT_STATE_VALID,
           "a server in phase 2 accepts a cookie of phase 1");
    is_int(verify(old, new_cookie, strlen(new_cookie), NOW, REVISION, &got),
           CONSENT_STATE_INVALID,
           "a server that skipped phase 1 refuses it");
    is_int(verify(archive, new_cookie, strlen(new_cookie), NOW, REVISION,
                  &got), CONSENT_STATE_VALID, "an archive verifies");

    /* the unknown key id: a hint, not a state */

    ok(consent_token_unknown_kid(old, new_cookie, strlen(new_cookie), kid)
       == 1 && strcmp(kid, "k2") == 0,
       "unknown_kid: k2 is unknown to {k1}");
    ok(consent_token_unknown_kid(retired, old_cookie, strlen(old_cookie),
                                 kid) == 1 && strcmp(kid, "k1") == 0,
       "unknown_kid: a retired key");
    ok(consent_token_unknown_kid(added, new_cookie, strlen(new_cookie), kid)
       == 0, "unknown_kid: a known kid");
    ok(consent_token_unknown_kid(old, "garbage", 7, kid) == 0,
       "unknown_kid: not a cookie");
    ok(consent_token_unknown_kid(old, NULL, 0, kid) == 0,
       "unknown_kid: NULL");
    n = (int) strlen(new_cookie) - 10;
    new_cookie[n] = new_cookie[n] == 'A' ? 'B' : 'A';
    ok(consent_token_unknown_kid(added, new_cookie, strlen(new_cookie), kid)
       == 0, "unknown_kid: a known kid with a bad MAC is just invalid");
    ok(consent_token_unknown_kid(old, new_cookie, strlen(new_cookie), kid)
       == 1, "unknown_kid: the MAC is not what it looks at");

done:

    consent_keyset_free(old);
    consent_keyset_free(added);
    consent_keyset_free(switched);
    consent_keyset_free(retired);
    consent_keyset_free(archive);
}


int
main(void)
{
    char  a[64], text[256];

    secret_b64(1, 32, a);
    snprintf(text, sizeof(text), "k1 %s\n", a);

    ks_a = keys(text);
    ok(ks_a != NULL && ks_a->nkeys == 1, "key set k1");

    if (ks_a == NULL) {
        return done_testing();
    }

    memcpy(the_id, "\x00\x11\x22\x33\x44\x55\x66\x77"
                   "\x88\x99\xaa\xbb\xcc\xdd\xee\xff", CONSENT_ID_LEN);
    consent_id_format(the_id, the_id_b64);

    test_round_trip();

    if (cookie_len == 0) {
        return done_testing();
    }

    test_reference_mac();
    test_mac_reuse();
    test_single_byte_changes();
    test_truncation_extension();
    test_keys_and_rotation();
    test_time_and_revision();
    test_crafted();
    test_lengths();
    test_encode_errors();
    test_parser_errors();
    test_load();
    test_derivation();
    test_misc();
    test_pick();
    test_pick_real();
    test_verify_only();
    test_timing();

    consent_keyset_free(ks_a);

    return done_testing();
}
