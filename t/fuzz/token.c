
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * The cookie verifier (consent_token_verify) with a fixed key set.
 *
 * Input: 1 byte of set-up, then the cookie value or its fields.
 *   bit 0: 0 = the rest is the whole cookie value, as a browser sends
 *          it; 1 = the rest is the fields before the MAC, and the
 *          harness appends a correct MAC made with key k1 (so the parser
 *          is exercised past the MAC check, where a forger cannot go)
 *   bits 1-2: the cookie name (consent, site_consent, __Host-consent)
 *
 * Properties: the state agrees with an independent reading of the
 * grammar of docs/cookie-format.md (signed inputs); a value that
 * verifies is the one consent_token_encode() writes for what it holds
 * (one encoding per value); an invalid value leaves the token zeroed.
 */


#include <openssl/hmac.h>
#include <openssl/evp.h>

#include "fuzz.h"
#include "consent_base64.h"


#define FUZZ_NOW       INT64_C(1735689600)
#define FUZZ_REVISION  3
#define FUZZ_MAX_AGE   (182 * 86400)


/* the cookie key of k1, from docs/cookie-format.md */
static const unsigned char  cookie_key_k1[32] = {
    0x7e, 0xf4, 0xdd, 0xc6, 0x10, 0xa5, 0x3e, 0x0c,
    0x2e, 0xe6, 0x68, 0xd2, 0x81, 0x32, 0x91, 0x81,
    0x60, 0xe9, 0x29, 0x06, 0x08, 0xa6, 0x65, 0xa7,
    0x9c, 0x53, 0xe0, 0x84, 0x14, 0xe7, 0x23, 0x71
};

static const char *const  names[4] = {
    "consent", "site_consent", "__Host-consent", "consent"
};

static consent_keyset_t  *keys;


int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    keys = fuzz_keyset();
    return 0;
}


static int
is_b64url(int c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
           || (c >= '0' && c <= '9') || c == '-' || c == '_';
}


/*
 * An independent reading of the fields "1.KID.ISSUED.REVISION.GRANTED.ID"
 * (format 2: "2.KID.ISSUED.REVISION.GRANTED.ID.REGIME") by the ABNF of
 * docs/cookie-format.md: 1 if they are well formed.
 */
static int
ref_fields(const char *s, size_t len, char *kid, int64_t *issued,
    uint32_t *revision)
{
    size_t    i, j, n;
    uint64_t  v;

    i = 0;

    if (len < 2 || (s[0] != '1' && s[0] != '2') || s[1] != '.') {
        return 0;
    }

    /* format 2: ".REGIME" after the id, a-z first, then a-z 0-9 - */

    if (s[0] == '2') {
        for (j = len; j > 0 && s[j - 1] != '.'; j--) {
            /* void */
        }

        if (j == 0 || len - j < 1 || len - j > 16
            || s[j] < 'a' || s[j] > 'z')
        {
            return 0;
        }

        for (n = j; n < len; n++) {
            if (!((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= '0' && s[n] <= '9')
                  || s[n] == '-'))
            {
                return 0;
            }
        }

        len = j - 1;
    }

    i = 2;

    /* kid */
    for (n = 0; i < len && s[i] != '.'; i++, n++) {
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9'))
            || n == 8)
        {
            return 0;
        }

        kid[n] = s[i];
    }

    kid[n] = '\0';

    if (n == 0 || i == len) {
        return 0;
    }

    i++;

    /* issued: 1 .. 9999999999, no leading zero */
    v = 0;

    for (n = 0; i < len && s[i] != '.'; i++, n++) {
        if (s[i] < '0' || s[i] > '9' || n == 10 || (n == 0 && s[i] == '0')) {
            return 0;
        }

        v = v * 10 + (uint64_t) (s[i] - '0');
    }

    if (n == 0 || i == len) {
        return 0;
    }

    *issued = (int64_t) v;
    i++;

    /* revision: 0 .. 4294967295 */
    v = 0;

    for (n = 0; i < len && s[i] != '.'; i++, n++) {
        if (s[i] < '0' || s[i] > '9' || n == 10) {
            return 0;
        }

        if (n == 1 && s[i - 1] == '0') {
            return 0;
        }

        v = v * 10 + (uint64_t) (s[i] - '0');
    }

    if (n == 0 || i == len || v > 0xffffffff) {
        return 0;
    }

    *revision = (uint32_t) v;
    i++;

    /* granted: lowercase hex, no leading zero, 8 digits at most */
    for (n = 0; i < len && s[i] != '.'; i++, n++) {
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))
            || n == 8)
        {
            return 0;
        }

        if (n == 1 && s[i - 1] == '0') {
            return 0;
        }
    }

    if (n == 0 || i == len) {
        return 0;
    }

    i++;

    /* id: 22 canonical base64url characters, then the end */
    if (len - i != 22) {
        return 0;
    }

    for (j = i; j < len; j++) {
        if (!is_b64url((unsigned char) s[j])) {
            return 0;
        }
    }

    return strchr("AQgw", s[len - 1]) != NULL;
}


static void
check_canonical(const char *name, const char *value, size_t len,
    consent_token_t *tok)
{
    int   n;
    char  out[CONSENT_TOKEN_MAX + 1];

    if (strcmp(tok->kid, "k1") != 0) {
        return;
    }

    /* k1 signs: encoding what was read must give back the same bytes */
    n = consent_token_encode(keys, name, strlen(name), tok, out, sizeof(out));
    fuzz_check(n > 0, "a verified token encodes");

    if ((size_t) n != len || memcmp(out, value, len) != 0) {
        fprintf(stderr, "fuzz: read  %.*s\nfuzz: wrote %s\n", (int) len,
                value, out);
        fuzz_check(0, "one encoding per value");
    }
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int               signed_mode, ok;
    char             *value, kid[16];
    size_t            len, flen;
    int64_t           issued;
    uint32_t          revision;
    fuzz_in_t         in;
    const char       *name;
    unsigned int      maclen;
    unsigned char     mac[EVP_MAX_MD_SIZE], *msg;
    consent_state_e   st, want;
    consent_token_t   tok;
    static const consent_token_t  zero;

    in.p = data;
    in.left = size;

    ok = fuzz_byte(&in);
    signed_mode = ok & 1;
    name = names[(ok >> 1) & 3];

    flen = in.left;

    if (!signed_mode) {
        value = fuzz_copy(in.p, flen);
        len = flen;

    } else {
        /* fields "." MAC */
        value = malloc(flen + 1 + 43 + 1);
        msg = malloc(27 + strlen(name) + 1 + flen);

        if (value == NULL || msg == NULL) {
            abort();
        }

        memcpy(msg, "ngx_http_consent cookie v1", 27);   /* with its NUL */
        memcpy(msg + 27, name, strlen(name) + 1);
        if (flen) {
            memcpy(msg + 27 + strlen(name) + 1, in.p, flen);
        }

        HMAC(EVP_sha256(), cookie_key_k1, sizeof(cookie_key_k1), msg,
             27 + strlen(name) + 1 + flen, mac, &maclen);
        free(msg);

        if (flen) {
            memcpy(value, in.p, flen);
        }

        value[flen] = '.';
        consent_b64url_encode(mac, 32, value + flen + 1);
        len = flen + 1 + 43;
        value[len] = '\0';
    }

    memset(&tok, 0xa5, sizeof(consent_token_t));

    st = consent_token_verify(keys, name, strlen(name), value, len,
                              FUZZ_NOW, FUZZ_REVISION, FUZZ_MAX_AGE, &tok);

    fuzz_check(st == CONSENT_STATE_VALID || st == CONSENT_STATE_INVALID
               || st == CONSENT_STATE_EXPIRED
               || st == CONSENT_STATE_OUTDATED, "a known state");

    if (st == CONSENT_STATE_INVALID) {
        fuzz_check(memcmp(&tok, &zero, sizeof(consent_token_t)) == 0,
                   "an invalid cookie leaves the token zeroed");

    } else {
        fuzz_check(len <= CONSENT_TOKEN_MAX, "a verified value is short");
        fuzz_check(strcmp(tok.kid, "k1") == 0 || strcmp(tok.kid, "k2") == 0,
                   "a verified value names a key");
        check_canonical(name, value, len, &tok);
    }

    if (signed_mode) {
        want = CONSENT_STATE_INVALID;

        if (len <= CONSENT_TOKEN_MAX
            && ref_fields(value, flen, kid, &issued, &revision)
            && strcmp(kid, "k1") == 0
            && issued <= FUZZ_NOW + CONSENT_CLOCK_SKEW)
        {
            if (FUZZ_NOW - issued > FUZZ_MAX_AGE) {
                want = CONSENT_STATE_EXPIRED;

            } else if (revision != FUZZ_REVISION) {
                want = CONSENT_STATE_OUTDATED;

            } else {
                want = CONSENT_STATE_VALID;
            }
        }

        if (st != want) {
            fprintf(stderr, "fuzz: %.*s: state %s, the grammar says %s\n",
                    (int) len, value, consent_state_name(st),
                    consent_state_name(want));
            fuzz_check(0, "verifier agrees with the grammar");
        }

        if (st != CONSENT_STATE_INVALID) {
            fuzz_check(tok.issued == issued && tok.revision == revision,
                       "fields read back");
        }
    }

    free(value);

    return 0;
}
