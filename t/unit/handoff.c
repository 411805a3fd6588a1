
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * Unit tests of consent_handoff.c: the domain list, the hand-off token
 * (round trip, a MAC recomputed here with OpenSSL's one-shot HMAC() and
 * HKDF from the documented derivation, every single-byte change, time,
 * keys), the chain's next hop and the replay cache.
 */


#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>

#include "tap.h"
#include "consent_base64.h"
#include "consent_handoff.h"
#include "consent_record.h"
#include "consent_render.h"


#define ISSUED   1800000000
/* the worked example of docs/cookie-format.md: 00 01 02 ... 1f */
#define SECRET   "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
#define SECRET2  "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8="


static consent_keyset_t *keys(const char *text);
static void example(consent_handoff_t *h);
static void ref_mac(const char *token, size_t len, char out[44]);
static void test_domains(void);
static void test_round_trip(void);
static void test_reference(void);
static void test_changes(void);
static void test_time(void);
static void test_keys(void);
static void test_malformed(void);
static void test_next(void);
static void test_json(void);
static void test_replay(void);
static void test_referer(void);
static void test_page(void);
static void test_record(void);
static void test_banner(void);


static consent_keyset_t  *ks;


int
main(void)
{
    ks = keys("k1 " SECRET "\n");

    test_domains();
    test_round_trip();
    test_reference();
    test_changes();
    test_time();
    test_keys();
    test_malformed();
    test_next();
    test_json();
    test_replay();
    test_referer();
    test_page();
    test_record();
    test_banner();

    consent_keyset_free(ks);

    return done_testing();
}


static consent_keyset_t *
keys(const char *text)
{
    char               err[256];
    consent_keyset_t  *k;

    k = consent_keyset_parse(text, strlen(text), "test.keys", err,
                             sizeof(err));
    if (k == NULL) {
        printf("# key file refused: %s\n", err);
        exit(1);
    }

    return k;
}


static void
example(consent_handoff_t *h)
{
    size_t  i;

    memset(h, 0, sizeof(consent_handoff_t));

    h->issued = ISSUED;
    h->revision = 3;
    h->granted = 0x5;

    for (i = 0; i < CONSENT_ID_LEN; i++) {
        h->id[i] = (unsigned char) (0x11 * i);
    }

    for (i = 0; i < CONSENT_HANDOFF_NONCE_LEN; i++) {
        h->nonce[i] = (unsigned char) (0xa0 + i);
    }

    consent_domains_add(&h->domains, "a.example", 9, NULL, 0);
    consent_domains_add(&h->domains, "b.example", 9, NULL, 0);
    consent_domains_add(&h->domains, "shop.c.example", 14, NULL, 0);

    strcpy(h->ret, "/news/today?x=1");
    h->ret_len = strlen(h->ret);
}


/* HKDF-SHA256 of the secret ("cookie" info), then HMAC of label, 0, data */

static void
ref_mac(const char *token, size_t len, char out[44])
{
    size_t          klen, slen;
    EVP_PKEY_CTX   *pctx;
    unsigned int    mlen;
    unsigned char   secret[64], key[32], mac[32], *buf;
    static const char  label[] = "ngx_http_consent handoff v1";

    slen = (size_t) consent_b64_decode_any(SECRET, strlen(SECRET), secret,
                                           sizeof(secret));

    pctx = EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, NULL);
    EVP_PKEY_derive_init(pctx);
    EVP_PKEY_CTX_set_hkdf_md(pctx, EVP_sha256());
    EVP_PKEY_CTX_set1_hkdf_key(pctx, secret, (int) slen);
    EVP_PKEY_CTX_add1_hkdf_info(pctx,
                                (const unsigned char *)
                                    "ngx_http_consent cookie v1", 26);
    klen = sizeof(key);
    EVP_PKEY_derive(pctx, key, &klen);
    EVP_PKEY_CTX_free(pctx);

    buf = malloc(sizeof(label) + len);
    memcpy(buf, label, sizeof(label));
    memcpy(buf + sizeof(label), token, len);

    HMAC(EVP_sha256(), key, (int) klen, buf, sizeof(label) + len, mac, &mlen);
    free(buf);

    consent_b64url_encode(mac, 32, out);
    out[43] = '\0';
}


static void
test_domains(void)
{
    char               err[128], joined[256];
    consent_domains_t  d, from;

    ok(consent_domains_host_valid("a.example", 9), "a.example is a host");
    ok(consent_domains_host_valid("localhost", 9), "one label is a host");
    ok(consent_domains_host_valid("xn--bcher-kva.example", 21),
       "an A-label is a host");
    ok(consent_domains_host_valid("A.Example", 9), "upper case is taken");
    ok(!consent_domains_host_valid("", 0), "empty is no host");
    ok(!consent_domains_host_valid("a.example.", 10), "no trailing dot");
    ok(!consent_domains_host_valid(".a.example", 10), "no leading dot");
    ok(!consent_domains_host_valid("a..example", 10), "no empty label");
    ok(!consent_domains_host_valid("-a.example", 10), "no leading hyphen");
    ok(!consent_domains_host_valid("a-.example", 10), "no trailing hyphen");
    ok(!consent_domains_host_valid("a.example:80", 12), "no port");
    ok(!consent_domains_host_valid("a_b.example", 11), "no underscore");
    ok(!consent_domains_host_valid("*.example", 9), "no wildcard");
    ok(!consent_domains_host_valid("127.0.0.1", 9), "no address");
    ok(!consent_domains_host_valid("https://a.example", 17), "no scheme");
    ok(!consent_domains_host_valid("a.ex ample", 10), "no space");

    {
    char  big[300];

    memset(big, 'a', sizeof(big));
    big[63] = '.';
    ok(consent_domains_host_valid(big, 63), "a 63-character label");
    ok(!consent_domains_host_valid(big + 100, 64), "no 64-character label");

    memset(big, 'a', sizeof(big));
    big[60] = big[120] = big[180] = big[240] = '.';
    ok(consent_domains_host_valid(big, 253), "253 characters");
    big[253] = 'a';
    ok(!consent_domains_host_valid(big, 254), "not 254");
    }

    memset(&d, 0, sizeof(d));
    is_int(consent_domains_add(&d, "A.Example", 9, err, sizeof(err)), 0,
           "add a host");
    is_str(d.host[0], "a.example", "stored in lower case");
    is_int(consent_domains_add(&d, "a.EXAMPLE", 9, err, sizeof(err)), -1,
           "a duplicate, whatever its case");
    is_str(err, "duplicate domain \"a.EXAMPLE\"", "says so");
    is_int(consent_domains_add(&d, "b_x", 3, err, sizeof(err)), -1,
           "an invalid name");
    is_str(err, "invalid host name \"b_x\"", "says so");
    consent_domains_add(&d, "b.example", 9, NULL, 0);
    consent_domains_add(&d, "c.example", 9, NULL, 0);

    is_int(consent_domains_find(&d, "B.example", 9), 1, "found by case");
    is_int(consent_domains_find(&d, "b.exampl", 8), -1, "a prefix is not");
    is_int(consent_domains_find(&d, "d.example", 9), -1, "not listed");

    consent_domains_join(&d, ", ", joined, sizeof(joined));
    is_str(joined, "a.example, b.example, c.example", "joined");
    is_int(consent_domains_join(&d, ",", NULL, 0), 29, "length only");
    consent_domains_join(&d, ",", joined, 12);
    is_str(joined, "a.example,", "cut to the buffer");

    is_int(consent_domains_from(&d, "c.example", 9, &from), 0,
           "the list from c");
    consent_domains_join(&from, ",", joined, sizeof(joined));
    is_str(joined, "c.example,a.example,b.example", "origin first");
    is_int(consent_domains_from(&d, "x.example", 9, &from), -1,
           "not from a host off the list");

    {
    int   i, rc;
    char  name[32];

    memset(&d, 0, sizeof(d));
    rc = 0;

    for (i = 0; i < CONSENT_HANDOFF_DOMAINS_MAX; i++) {
        snprintf(name, sizeof(name), "d%d.example", i);
        rc |= consent_domains_add(&d, name, strlen(name), NULL, 0);
    }

    is_int(rc, 0, "%d domains", CONSENT_HANDOFF_DOMAINS_MAX);
    is_int(consent_domains_add(&d, "more.example", 12, err, sizeof(err)),
           -1, "one more is refused");
    is_str(err, "too many domains, at most 16", "says so");

    memset(&d, 0, sizeof(d));
    memset(name, 0, sizeof(name));
    rc = 0;

    /* 129 characters each: 7 and their commas fit, 8 would not */

    for (i = 0; i < 8 && rc == 0; i++) {
        char  big[200];

        memset(big, 'a' + i, 121);
        big[60] = '.';
        memcpy(big + 121, ".example", 8);
        rc = consent_domains_add(&d, big, 129, err, sizeof(err));
    }

    is_int(rc, -1, "a list longer than a token may hold");
    is_str(err, "the domains add up to more than 1024 characters", "says so");
    is_int(d.n, 7, "the list keeps what fitted");
    }
}


static void
test_round_trip(void)
{
    int                n;
    char               tok[CONSENT_HANDOFF_TOKEN_MAX + 1];
    consent_handoff_t  h, v;

    example(&h);

    n = consent_handoff_encode(ks, &h, tok, sizeof(tok));
    ok(n > 0, "encoded (%d bytes)", n);
    is_int(strlen(tok), n, "length returned");
    ok(strncmp(tok, "h1.k1.1800000000.3.5.ABEiM0RVZneImaq7zN3u_w.", 44) == 0,
       "fields in the documented order: %.*s", 44, tok);
    is_str(h.kid, "k1", "kid set");

    is_int(consent_handoff_verify(ks, tok, n, ISSUED + 10, &v),
           CONSENT_HANDOFF_OK, "verifies");
    is_int(v.issued, ISSUED, "issued");
    is_int(v.revision, 3, "revision");
    is_int(v.granted, 5, "granted");
    ok(memcmp(v.id, h.id, CONSENT_ID_LEN) == 0, "consent id");
    ok(memcmp(v.nonce, h.nonce, CONSENT_HANDOFF_NONCE_LEN) == 0, "nonce");
    ok(memcmp(v.mac, h.mac, CONSENT_MAC_LEN) == 0, "mac kept");
    is_int(v.domains.n, 3, "three domains");
    is_str(v.domains.host[0], "a.example", "origin");
    is_str(v.domains.host[2], "shop.c.example", "the last one");
    is_str(v.ret, "/news/today?x=1", "return path");
    is_str(v.kid, "k1", "kid");

    /* nothing outside the URL's unreserved characters and '.' */

    {
    int  i, clean = 1;

    for (i = 0; i < n; i++) {
        if (!((tok[i] >= 'a' && tok[i] <= 'z') || (tok[i] >= 'A'
               && tok[i] <= 'Z') || (tok[i] >= '0' && tok[i] <= '9')
              || tok[i] == '-' || tok[i] == '_' || tok[i] == '.'))
        {
            clean = 0;
        }
    }

    ok(clean, "the token needs no escaping in a URL");
    }

    /* the longest: 16 domains of a full list, the longest return path */

    {
    int   i;
    char  name[80];

    example(&h);
    memset(&h.domains, 0, sizeof(h.domains));

    for (i = 0; i < CONSENT_HANDOFF_DOMAINS_MAX; i++) {
        snprintf(name, sizeof(name), "%c%060d.example", 'a' + i, i);
        consent_domains_add(&h.domains, name, strlen(name), NULL, 0);
    }

    is_int(h.domains.n, 14, "14 long names fit the list");
    memset(h.ret, 'x', CONSENT_RETURN_MAX);
    h.ret[0] = '/';
    h.ret_len = CONSENT_RETURN_MAX;
    h.ret[h.ret_len] = '\0';
    h.granted = 0xffffffff;
    h.revision = 4294967295u;
    h.issued = 9999999999LL;

    n = consent_handoff_encode(ks, &h, tok, sizeof(tok));
    ok(n > 0 && n <= CONSENT_HANDOFF_TOKEN_MAX,
       "the longest token fits (%d bytes)", n);
    is_int(consent_handoff_verify(ks, tok, n, 9999999999LL, &v),
           CONSENT_HANDOFF_OK, "and verifies");
    is_int(v.granted, 0xffffffff, "all bits");
    is_int(v.revision, 4294967295u, "largest revision");
    }

    example(&h);
    h.domains.n = 1;
    is_int(consent_handoff_encode(ks, &h, tok, sizeof(tok)), -1,
           "one domain: nothing to hand off");
    example(&h);
    strcpy(h.ret, "//evil.example/");
    h.ret_len = strlen(h.ret);
    is_int(consent_handoff_encode(ks, &h, tok, sizeof(tok)), -1,
           "no return to another host");
    example(&h);
    is_int(consent_handoff_encode(ks, &h, tok, 100), -1, "buffer too small");
}


static void
test_reference(void)
{
    int                n;
    char               tok[CONSENT_HANDOFF_TOKEN_MAX + 1], ref[44];
    char              *dot;
    consent_handoff_t  h;

    example(&h);
    n = consent_handoff_encode(ks, &h, tok, sizeof(tok));

    dot = strrchr(tok, '.');
    ref_mac(tok, dot - tok, ref);
    is_str(dot + 1, ref, "MAC = HMAC(HKDF cookie key, label 0x00 fields)");

    /* the fields of the list and the return, decoded by hand */

    ok(strstr(tok, ".YS5leGFtcGxlLGIuZXhhbXBsZSxzaG9wLmMuZXhhbXBsZQ.")
       != NULL, "domains: base64url of the comma-joined list");
    ok(strstr(tok, ".L25ld3MvdG9kYXk_eD0x.") != NULL,
       "return: base64url of the path");

    /* the worked example of docs/cookie-format.md, byte for byte */

    example(&h);
    h.issued = 1735689600;
    memset(&h.domains, 0, sizeof(h.domains));
    consent_domains_add(&h.domains, "a.example", 9, NULL, 0);
    consent_domains_add(&h.domains, "b.example", 9, NULL, 0);
    strcpy(h.ret, "/news");
    h.ret_len = 5;

    n = consent_handoff_encode(ks, &h, tok, sizeof(tok));
    is_str(tok, "h1.k1.1735689600.3.5.ABEiM0RVZneImaq7zN3u_w.oKGio6Slpqc."
                "YS5leGFtcGxlLGIuZXhhbXBsZQ.L25ld3M."
                "YfdIdEsKVtri9_4Cb9sPep2V52VqB34i64uhQxGWOUU",
           "the worked example of docs/cookie-format.md (%d bytes)", n);
}


/* every byte changed to every other token character: never OK */

static void
test_changes(void)
{
    int                n, i, j, bad;
    char               tok[CONSENT_HANDOFF_TOKEN_MAX + 1], t2[sizeof(tok)];
    consent_handoff_t  h, v;
    consent_handoff_status_e  st;
    static const char  alphabet[] =
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.=";

    example(&h);
    n = consent_handoff_encode(ks, &h, tok, sizeof(tok));
    bad = 0;

    for (i = 0; i < n; i++) {
        for (j = 0; alphabet[j]; j++) {
            if (tok[i] == alphabet[j]) {
                continue;
            }

            memcpy(t2, tok, n + 1);
            t2[i] = alphabet[j];

            st = consent_handoff_verify(ks, t2, n, ISSUED, &v);
            if (st == CONSENT_HANDOFF_OK || st == CONSENT_HANDOFF_EXPIRED) {
                bad++;
                printf("# accepted with byte %d as '%c'\n", i, alphabet[j]);
            }
        }
    }

    is_int(bad, 0, "no single-byte change verifies");

    bad = 0;

    for (i = 1; i < n; i++) {
        if (consent_handoff_verify(ks, tok, i, ISSUED, &v)
            != CONSENT_HANDOFF_MALFORMED
            && consent_handoff_verify(ks, tok, i, ISSUED, &v)
               != CONSENT_HANDOFF_FORGED)
        {
            bad++;
        }
    }

    is_int(bad, 0, "no truncation verifies");

    memcpy(t2, tok, n);
    memcpy(t2 + n, "A", 2);
    ok(consent_handoff_verify(ks, t2, n + 1, ISSUED, &v)
       != CONSENT_HANDOFF_OK, "an extension does not verify");
}


static void
test_time(void)
{
    int                n;
    char               tok[CONSENT_HANDOFF_TOKEN_MAX + 1];
    consent_handoff_t  h, v;

    example(&h);
    n = consent_handoff_encode(ks, &h, tok, sizeof(tok));

    is_int(consent_handoff_verify(ks, tok, n, ISSUED + CONSENT_HANDOFF_TTL,
                                  &v),
           CONSENT_HANDOFF_OK, "valid at the end of its lifetime");
    is_int(consent_handoff_verify(ks, tok, n,
                                  ISSUED + CONSENT_HANDOFF_TTL + 1, &v),
           CONSENT_HANDOFF_EXPIRED, "expired a second later");
    is_int(v.issued, ISSUED, "an expired token's fields are known");
    is_int(consent_handoff_verify(ks, tok, n, ISSUED - CONSENT_HANDOFF_SKEW,
                                  &v),
           CONSENT_HANDOFF_OK, "valid up to the skew ahead");
    is_int(consent_handoff_verify(ks, tok, n,
                                  ISSUED - CONSENT_HANDOFF_SKEW - 1, &v),
           CONSENT_HANDOFF_FUTURE, "refused further ahead");
    is_int(v.issued, 0, "and zeroed");
}


static void
test_keys(void)
{
    int                n;
    char               tok[CONSENT_HANDOFF_TOKEN_MAX + 1];
    consent_keyset_t  *other, *rotated, *vonly;
    consent_handoff_t  h, v;

    other = keys("k1 " SECRET2 "\n");
    rotated = keys("k2 " SECRET2 "\nk1 " SECRET " verify-only\n");
    vonly = keys("k1 " SECRET " verify-only\n");

    example(&h);
    n = consent_handoff_encode(ks, &h, tok, sizeof(tok));

    is_int(consent_handoff_verify(other, tok, n, ISSUED, &v),
           CONSENT_HANDOFF_FORGED, "another secret under the same kid");
    is_int(consent_handoff_verify(rotated, tok, n, ISSUED, &v),
           CONSENT_HANDOFF_OK, "a verify-only key still verifies");

    example(&h);
    n = consent_handoff_encode(rotated, &h, tok, sizeof(tok));
    is_str(h.kid, "k2", "the signer signs");
    is_int(consent_handoff_verify(ks, tok, n, ISSUED, &v),
           CONSENT_HANDOFF_FORGED, "unknown kid");
    is_int(consent_handoff_encode(vonly, &h, tok, sizeof(tok)), -1,
           "a verify-only set signs nothing");

    /* a cookie MAC is no token MAC: the same key, another label */

    {
    int              cn;
    char             cookie[CONSENT_TOKEN_MAX + 1];
    consent_token_t  ct;

    memset(&ct, 0, sizeof(ct));
    ct.issued = ISSUED;
    cn = consent_token_encode(ks, "consent", 7, &ct, cookie,
                              sizeof(cookie));
    ok(cn > 0, "a cookie");
    is_int(consent_handoff_verify(ks, cookie, cn, ISSUED, &v),
           CONSENT_HANDOFF_MALFORMED, "a cookie is no token");
    }

    consent_keyset_free(other);
    consent_keyset_free(rotated);
    consent_keyset_free(vonly);
}


/* well-signed tokens with bad fields: the parser, not the MAC, refuses */

static void
test_malformed(void)
{
    size_t             i;
    char               ref[44], buf[600];
    consent_handoff_t  v;

    static const char *fields[] = {
        /* the good one first */
        "h1.k1.1800000000.3.5.ABEiM0RVZneImaq7zN3u_w.oKGio6Slpqc."
            "YS5leGFtcGxlLGIuZXhhbXBsZQ.Lw",
        "h2.k1.1800000000.3.5.ABEiM0RVZneImaq7zN3u_w.oKGio6Slpqc."
            "YS5leGFtcGxlLGIuZXhhbXBsZQ.Lw",
        "h1.K1.1800000000.3.5.ABEiM0RVZneImaq7zN3u_w.oKGio6Slpqc."
            "YS5leGFtcGxlLGIuZXhhbXBsZQ.Lw",
        "h1.k1.01800000000.3.5.ABEiM0RVZneImaq7zN3u_w.oKGio6Slpqc."
            "YS5leGFtcGxlLGIuZXhhbXBsZQ.Lw",
        "h1.k1.1800000000.03.5.ABEiM0RVZneImaq7zN3u_w.oKGio6Slpqc."
            "YS5leGFtcGxlLGIuZXhhbXBsZQ.Lw",
        "h1.k1.1800000000.4294967296.5.ABEiM0RVZneImaq7zN3u_w.oKGio6Slpqc."
            "YS5leGFtcGxlLGIuZXhhbXBsZQ.Lw",
        "h1.k1.1800000000.3.5A.ABEiM0RVZneImaq7zN3u_w.oKGio6Slpqc."
            "YS5leGFtcGxlLGIuZXhhbXBsZQ.Lw",
        "h1.k1.1800000000.3.100000000.ABEiM0RVZneImaq7zN3u_w.oKGio6Slpqc."
            "YS5leGFtcGxlLGIuZXhhbXBsZQ.Lw",
        "h1.k1.1800000000.3.5.ABEiM0RVZneImaq7zN3u_x.oKGio6Slpqc."
            "YS5leGFtcGxlLGIuZXhhbXBsZQ.Lw",
        "h1.k1.1800000000.3.5.ABEiM0RVZneImaq7zN3u_w.oKGio6Slpqd."
            "YS5leGFtcGxlLGIuZXhhbXBsZQ.Lw",
        /* one domain only: "a.example" */
        "h1.k1.1800000000.3.5.ABEiM0RVZneImaq7zN3u_w.oKGio6Slpqc."
            "YS5leGFtcGxl.Lw",
        /* "a.example,a.example" */
        "h1.k1.1800000000.3.5.ABEiM0RVZneImaq7zN3u_w.oKGio6Slpqc."
            "YS5leGFtcGxlLGEuZXhhbXBsZQ.Lw",
        /* "A.example,b.example": the origin writes lower case */
        "h1.k1.1800000000.3.5.ABEiM0RVZneImaq7zN3u_w.oKGio6Slpqc."
            "QS5leGFtcGxlLGIuZXhhbXBsZQ.Lw",
        /* "a.example,,b.example" */
        "h1.k1.1800000000.3.5.ABEiM0RVZneImaq7zN3u_w.oKGio6Slpqc."
            "YS5leGFtcGxlLCxiLmV4YW1wbGU.Lw",
        /* return "//x" */
        "h1.k1.1800000000.3.5.ABEiM0RVZneImaq7zN3u_w.oKGio6Slpqc."
            "YS5leGFtcGxlLGIuZXhhbXBsZQ.Ly94",
        /* return "x" */
        "h1.k1.1800000000.3.5.ABEiM0RVZneImaq7zN3u_w.oKGio6Slpqc."
            "YS5leGFtcGxlLGIuZXhhbXBsZQ.eA",
        /* non-canonical base64url of "/" */
        "h1.k1.1800000000.3.5.ABEiM0RVZneImaq7zN3u_w.oKGio6Slpqc."
            "YS5leGFtcGxlLGIuZXhhbXBsZQ.Lx",
        "h1.k1.1800000000.3.5.ABEiM0RVZneImaq7zN3u_w.oKGio6Slpqc."
            "YS5leGFtcGxlLGIuZXhhbXBsZQ==.Lw",
        "h1.k1.0.3.5.ABEiM0RVZneImaq7zN3u_w.oKGio6Slpqc."
            "YS5leGFtcGxlLGIuZXhhbXBsZQ.Lw",
        NULL
    };

    for (i = 0; fields[i]; i++) {
        ref_mac(fields[i], strlen(fields[i]), ref);
        snprintf(buf, sizeof(buf), "%s.%s", fields[i], ref);

        is_int(consent_handoff_verify(ks, buf, strlen(buf), ISSUED, &v),
               i == 0 ? CONSENT_HANDOFF_OK : CONSENT_HANDOFF_MALFORMED,
               "%s: %.60s...", i == 0 ? "well-formed" : "malformed",
               fields[i]);
    }

    is_int(consent_handoff_verify(ks, "", 0, ISSUED, &v),
           CONSENT_HANDOFF_MALFORMED, "empty");
    is_int(consent_handoff_verify(ks, NULL, 0, ISSUED, &v),
           CONSENT_HANDOFF_MALFORMED, "NULL");
    is_int(consent_handoff_verify(ks, "h1..........", 12, ISSUED, &v),
           CONSENT_HANDOFF_MALFORMED, "empty fields");

    {
    char  *big;

    big = malloc(CONSENT_HANDOFF_TOKEN_MAX + 2);
    memset(big, 'a', CONSENT_HANDOFF_TOKEN_MAX + 1);
    is_int(consent_handoff_verify(ks, big, CONSENT_HANDOFF_TOKEN_MAX + 1,
                                  ISSUED, &v),
           CONSENT_HANDOFF_MALFORMED, "too long");
    free(big);
    }

    is_str(consent_handoff_status_name(CONSENT_HANDOFF_EXPIRED), "expired",
           "status names");
}


static void
test_next(void)
{
    size_t             len;
    const char        *next;
    consent_handoff_t  h;

    example(&h);

    is_int(consent_handoff_next(&h, "b.example", 9, &next, &len), 1,
           "after b");
    is_str(next, "shop.c.example", "comes c");
    is_int(consent_handoff_next(&h, "SHOP.c.example", 14, &next, &len), 0,
           "after c, the last");
    is_str(next, "a.example", "back to the origin");
    is_int(consent_handoff_next(&h, "a.example", 9, &next, &len), -1,
           "the origin receives no hand-off");
    is_int(consent_handoff_next(&h, "d.example", 9, &next, &len), -1,
           "nor a host off the list");
}


static void
test_json(void)
{
    char    *j;
    size_t   len;

    j = strdup("{\"state\":\"valid\"}");
    len = strlen(j);
    j = consent_handoff_json(j, &len, "http://b.example/consent/?h=1", 29);
    is_str(j, "{\"state\":\"valid\",\"handoff\":\"http://b.example/consent/"
              "?h=1\"}", "appended");
    is_int(len, strlen(j), "length");
    free(j);

    j = strdup("{}\n");
    len = strlen(j);
    j = consent_handoff_json(j, &len, "a\"b\\c\n", 6);
    is_str(j, "{\"handoff\":\"a\\\"b\\\\c\"}", "escaped, to an empty object");
    free(j);

    j = strdup("[]");
    len = 2;
    ok(consent_handoff_json(j, &len, "x", 1) == NULL, "not an object");
}


static void
test_replay(void)
{
    int                i, fresh;
    size_t             size;
    consent_replay_t  *c;
    unsigned char      mac[CONSENT_MAC_LEN];

    is_int(consent_replay_slots(100), 0, "too small for one window");
    size = consent_replay_size(64);
    is_int(consent_replay_slots(size), 64, "64 slots");
    is_int(consent_replay_slots(size + 20), 64, "a power of two");
    is_int(consent_replay_slots(1024 * 1024), 32768, "a megabyte");

    c = malloc(size);
    consent_replay_init(c, 64);

    memset(mac, 7, sizeof(mac));

    is_int(consent_replay_check(c, mac, "b.example", 9, 1060, 1000),
           CONSENT_REPLAY_FRESH, "first use");
    is_int(consent_replay_check(c, mac, "b.example", 9, 1060, 1030),
           CONSENT_REPLAY_SEEN, "replayed");
    is_int(consent_replay_check(c, mac, "c.example", 9, 1060, 1030),
           CONSENT_REPLAY_FRESH, "the same token on another host");
    is_int(consent_replay_check(c, mac, "b.example", 9, 1060, 1060),
           CONSENT_REPLAY_SEEN, "replayed at its last second");
    is_int(consent_replay_check(c, mac, "b.example", 9, 1060, 1061),
           CONSENT_REPLAY_FRESH, "forgotten once expired (the token is "
           "refused as expired by then)");
    is_int(c->seen, 2, "replays counted");

    /* fill it: every key lives, so a window ends up full */

    consent_replay_init(c, 64);
    fresh = 0;

    for (i = 0; i < 200; i++) {
        memset(mac, 0, sizeof(mac));
        memcpy(mac, &i, sizeof(i));

        if (consent_replay_check(c, mac, "b.example", 9, 2000, 1000)
            == CONSENT_REPLAY_FRESH)
        {
            fresh++;
        }
    }

    is_int(fresh, 64, "64 live tokens in 64 slots");
    is_int(c->full, 136, "the rest refused, never evicting a live one");

    /* all of them replayed: each one recorded is seen */

    for (i = 0; i < 200; i++) {
        memset(mac, 0, sizeof(mac));
        memcpy(mac, &i, sizeof(i));
        consent_replay_check(c, mac, "b.example", 9, 2000, 1500);
    }

    is_int(c->seen, 64, "every recorded token is refused again");

    memset(mac, 0x55, sizeof(mac));
    is_int(consent_replay_check(c, mac, "b.example", 9, 3000, 2001),
           CONSENT_REPLAY_FRESH, "room again once they expire");

    free(c);
}


static void
test_referer(void)
{
    size_t       i, len;
    const char  *host;

    static const struct {
        const char  *referer;
        const char  *host;
    } cases[] = {
        { "http://a.example/", "a.example" },
        { "https://a.example:8443/page?x=1#f", "a.example" },
        { "HTTP://A.Example", "A.Example" },
        { "http://a.example?q", "a.example" },
        { "http://a.example@evil.example/", NULL },
        { "http://user:pw@a.example/", NULL },
        { "http://evil.example/@a.example", "evil.example" },
        { "http://a.example\\@evil.example/", NULL },
        { "ftp://a.example/", NULL },
        { "//a.example/", NULL },
        { "http:///", NULL },
        { "http://127.0.0.1/", NULL },
        { "http://[::1]/", NULL },
        { "", NULL },
        { NULL, NULL }
    };

    for (i = 0; cases[i].referer; i++) {
        char  got[300];

        got[0] = '\0';

        if (consent_handoff_referer_host(cases[i].referer,
                                         strlen(cases[i].referer), &host,
                                         &len))
        {
            snprintf(got, sizeof(got), "%.*s", (int) len, host);
        }

        is_str(got, cases[i].host ? cases[i].host : "",
               "Referer host of \"%s\"", cases[i].referer);
    }

    ok(!consent_handoff_referer_host(NULL, 0, &host, &len), "no Referer");
}


static void
test_page(void)
{
    char    *p;
    size_t   len;

    p = consent_handoff_page("hand-off token expired",
                             "http://a.example/x?a=1&b=\"<2>", 29, &len);
    ok(p != NULL, "a refusal page");
    is_int(strlen(p), len, "its length");
    ok(strstr(p, "<meta http-equiv=\"refresh\" content=\"0;url="
                 "http://a.example/x?a=1&amp;b=&quot;&lt;2&gt;\">") != NULL,
       "a refresh to the next hop, escaped");
    ok(strstr(p, "<a href=\"http://a.example/x?a=1&amp;b=&quot;&lt;2&gt;\">"
                 "Continue</a>") != NULL, "and a link");
    ok(strstr(p, "<p>hand-off token expired</p>") != NULL, "the reason");
    ok(strstr(p, "noindex") != NULL, "not for search engines");
    free(p);

    p = consent_handoff_page("a <b>", NULL, 0, &len);
    ok(strstr(p, "refresh") == NULL && strstr(p, "<a ") == NULL,
       "no way on when the token is not trusted");
    ok(strstr(p, "a &lt;b&gt;") != NULL, "the reason escaped");
    free(p);
}


/* the audit record of a hand-off: "handoff" before "kid", read back */

static void
test_record(void)
{
    char                     err[256], id[CONSENT_ID_B64_LEN + 1];
    char                    *line;
    size_t                   len, slen;
    const char              *s;
    consent_chain_t          chain;
    consent_policy_t        *policy;
    consent_record_t         rec;
    unsigned char            raw[CONSENT_ID_LEN];
    consent_record_parsed_t  parsed;

    policy = consent_policy_load("conf/policy.json", err, sizeof(err));
    if (policy == NULL) {
        printf("Bail out! conf/policy.json: %s\n", err);
        exit(1);
    }

    memset(raw, 0x42, sizeof(raw));
    consent_id_format(raw, id);
    consent_chain_init(&chain);

    memset(&rec, 0, sizeof(rec));
    rec.ts_ms = (int64_t) ISSUED * 1000;
    rec.id.data = id;
    rec.id.len = CONSENT_ID_B64_LEN;
    rec.action = "grant";
    rec.mechanism = "handoff";
    rec.policy = policy;
    rec.granted = 0xf;
    rec.host.data = "b.example";
    rec.host.len = 9;
    rec.handoff.data = "a.example";
    rec.handoff.len = 9;

    line = consent_record_line(&rec, &chain, &ks->keys[0], &len);
    ok(line != NULL, "a hand-off record");
    ok(line && strstr(line, "\"ip\":\"\",\"handoff\":\"a.example\","
                            "\"kid\":\"k1\"") != NULL,
       "\"handoff\" between \"ip\" and \"kid\"");

    is_int(consent_record_parse(line, len - 1, &parsed, err, sizeof(err)), 0,
           "read back (%s)", err);
    s = consent_record_get_str(&parsed, "handoff", &slen);
    is_str(s, "a.example", "its origin");
    ok(consent_record_hmac_ok(line, len - 1, &parsed, &ks->keys[0]),
       "its HMAC verifies");
    consent_record_parsed_free(&parsed);
    free(line);

    rec.handoff.data = NULL;
    line = consent_record_line(&rec, &chain, &ks->keys[0], &len);
    ok(line && strstr(line, "\"handoff\":") == NULL,
       "a choice made here has no \"handoff\"");
    free(line);

    /* out of place, it is refused like any member */

    {
    const char  *bad = "{\"v\":1,\"handoff\":\"a.example\"}";

    ok(consent_record_parse(bad, strlen(bad), &parsed, err, sizeof(err))
       != 0, "a record with \"handoff\" out of place is refused");
    consent_record_parsed_free(&parsed);
    }

    consent_policy_free(policy);
}


/* the banner lists the domains; without them it says nothing */

static void
test_banner(void)
{
    char                   err[256], *out;
    size_t                 len;
    consent_policy_t      *policy;
    consent_tpl_vars_t     vars;
    consent_render_conf_t  rc;

    policy = consent_policy_load("conf/policy.json", err, sizeof(err));
    if (policy == NULL) {
        printf("Bail out! conf/policy.json: %s\n", err);
        exit(1);
    }

    memset(&rc, 0, sizeof(rc));
    memset(&vars, 0, sizeof(vars));
    rc.endpoint = "/consent/";
    rc.endpoint_len = 9;
    rc.version = "v";
    vars.ret = "/";
    vars.ret_len = 1;

    out = consent_render_banner(policy, "en", &rc, &vars, &len);
    ok(out && strstr(out, "consent-domains") == NULL,
       "no list without consent_domains");
    free(out);

    rc.domains = "a.example, b.<example>";
    rc.domains_len = strlen(rc.domains);
    out = consent_render_banner(policy, "en", &rc, &vars, &len);
    ok(out && strstr(out, "<p class=\"consent-domains\">This choice applies "
                          "to: a.example, b.&lt;example&gt;</p>") != NULL,
       "the domains, escaped, after the default text");
    free(out);

    consent_policy_free(policy);
}
