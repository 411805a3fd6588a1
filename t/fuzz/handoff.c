
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * The hand-off token verifier (consent_handoff_verify), the chain's next
 * hop and the replay cache, with the fixed key set of fuzz.h.
 *
 * Input: 1 byte of set-up, then the token or its fields.
 *   bit 0: 0 = the rest is the whole token, as the query sends it;
 *          1 = the rest is the fields before the MAC, and the harness
 *          appends a correct MAC made with the cookie key of k1 (so the
 *          parser is exercised past the MAC check)
 *   bit 1: the rest is also tried as a consent_domains argument
 *
 * Properties: a token that verifies (OK or EXPIRED) is byte for byte
 * what consent_handoff_encode() writes for what it holds (one encoding
 * per value), its domains are 2 or more valid hosts without duplicates
 * and its return path is safe; anything else leaves the result zeroed;
 * a signed input verifies only if its fields are canonical; the next
 * hop of every listed domain but the origin is a listed domain; a token
 * recorded in the replay cache is refused the second time.
 */


#include <openssl/hmac.h>
#include <openssl/evp.h>

#include "fuzz.h"
#include "consent_base64.h"
#include "consent_handoff.h"


#define FUZZ_NOW  INT64_C(1800000000)


/* the cookie key of k1, from docs/cookie-format.md */
static const unsigned char  cookie_key_k1[32] = {
    0x7e, 0xf4, 0xdd, 0xc6, 0x10, 0xa5, 0x3e, 0x0c,
    0x2e, 0xe6, 0x68, 0xd2, 0x81, 0x32, 0x91, 0x81,
    0x60, 0xe9, 0x29, 0x06, 0x08, 0xa6, 0x65, 0xa7,
    0x9c, 0x53, 0xe0, 0x84, 0x14, 0xe7, 0x23, 0x71
};

static consent_keyset_t  *keys;
static consent_replay_t  *cache;


int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    keys = fuzz_keyset();

    cache = malloc(consent_replay_size(64));
    if (cache == NULL) {
        abort();
    }

    consent_replay_init(cache, 64);

    return 0;
}


static int
is_zero(const void *p, size_t n)
{
    const unsigned char  *c = p;

    while (n--) {
        if (*c++) {
            return 0;
        }
    }

    return 1;
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int                       mode, n, rc;
    char                     *value, *again;
    size_t                    i, len, flen, nlen;
    fuzz_in_t                 in;
    const char               *next;
    unsigned int              maclen;
    unsigned char             mac[EVP_MAX_MD_SIZE], *msg;
    consent_domains_t         d;
    consent_handoff_t         h, copy;
    consent_handoff_status_e  st;
    static const char         label[] = "ngx_http_consent handoff v1";

    if (keys == NULL) {
        LLVMFuzzerInitialize(NULL, NULL);
    }

    in.p = data;
    in.left = size;

    mode = (int) fuzz_byte(&in);
    flen = in.left;

    if (mode & 2) {
        memset(&d, 0, sizeof(d));
        rc = consent_domains_add(&d, (const char *) in.p, flen, NULL, 0);
        fuzz_check(rc == 0
                   ? consent_domains_host_valid(d.host[0], d.len[0])
                     && d.len[0] == flen
                   : 1, "an added host is valid and whole");
    }

    if (!(mode & 1)) {
        value = fuzz_copy(in.p, flen);
        len = flen;

    } else {
        value = malloc(flen + 1 + 43 + 1);
        if (value == NULL) {
            abort();
        }

        memcpy(value, in.p, flen);

        msg = malloc(sizeof(label) + flen);
        if (msg == NULL) {
            abort();
        }

        memcpy(msg, label, sizeof(label));
        memcpy(msg + sizeof(label), in.p, flen);
        HMAC(EVP_sha256(), cookie_key_k1, sizeof(cookie_key_k1), msg,
             sizeof(label) + flen, mac, &maclen);
        free(msg);

        value[flen] = '.';
        consent_b64url_encode(mac, 32, value + flen + 1);
        len = flen + 1 + 43;
        value[len] = '\0';
    }

    st = consent_handoff_verify(keys, value, len, FUZZ_NOW, &h);

    if (st != CONSENT_HANDOFF_OK && st != CONSENT_HANDOFF_EXPIRED) {
        fuzz_check(is_zero(&h, sizeof(h)), "a refused token is zeroed");
        free(value);
        return 0;
    }

    /* one encoding per value: re-encoded with the same key, the same */

    fuzz_check(h.domains.n >= 2, "two domains at least");
    fuzz_check(consent_return_path_ok(h.ret, h.ret_len), "a safe return");

    for (i = 0; i < h.domains.n; i++) {
        fuzz_check(consent_domains_host_valid(h.domains.host[i],
                                              h.domains.len[i]),
                   "valid hosts");
        fuzz_check(consent_domains_find(&h.domains, h.domains.host[i],
                                        h.domains.len[i]) == (int) i,
                   "no duplicate");

        rc = consent_handoff_next(&h, h.domains.host[i], h.domains.len[i],
                                  &next, &nlen);

        if (i == 0) {
            fuzz_check(rc == -1, "the origin has no next hop");

        } else {
            fuzz_check(rc >= 0, "a listed domain has a next hop");
            fuzz_check(consent_domains_find(&h.domains, next, nlen) >= 0,
                       "the next hop is listed");
            fuzz_check((rc == 0) == (i + 1 == h.domains.n),
                       "the last one returns to the origin");
        }
    }

    if (strcmp(h.kid, "k1") == 0) {
        again = malloc(CONSENT_HANDOFF_TOKEN_MAX + 1);
        if (again == NULL) {
            abort();
        }

        copy = h;
        n = consent_handoff_encode(keys, &copy, again,
                                   CONSENT_HANDOFF_TOKEN_MAX + 1);

        fuzz_check(n > 0 && (size_t) n == len
                   && memcmp(again, value, len) == 0,
                   "a token that verifies is the one encode writes");
        free(again);
    }

    /* single use: recorded once, refused the second time */

    rc = consent_replay_check(cache, h.mac, "b.example", 9,
                              h.issued + CONSENT_HANDOFF_TTL, FUZZ_NOW);

    if (st == CONSENT_HANDOFF_OK && rc == CONSENT_REPLAY_FRESH) {
        fuzz_check(consent_replay_check(cache, h.mac, "b.example", 9,
                                        h.issued + CONSENT_HANDOFF_TTL,
                                        FUZZ_NOW)
                   == CONSENT_REPLAY_SEEN, "a replay is refused");
    }

    free(value);

    return 0;
}
