
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * The key file parser (consent_keyset_parse).
 *
 * Input: the key file.  Properties: a parsed key set has 1 or more keys
 * with distinct ids of 1 to 8 characters of a-z 0-9, each of which
 * finds itself, and signs a cookie that verifies; a refused file gets a
 * message that names the file.
 */


#include "fuzz.h"


int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    return 0;
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int                   n;
    char                 *text, err[256], cookie[CONSENT_TOKEN_MAX + 1];
    size_t                i, j;
    consent_token_t       tok, got;
    consent_keyset_t     *ks;
    const consent_key_t  *k;

    text = fuzz_copy(data, size);

    memset(err, 'x', sizeof(err));

    ks = consent_keyset_parse(text, size, "fuzz.keys", err, sizeof(err));

    if (ks == NULL) {
        fuzz_check(memchr(err, '\0', sizeof(err)) != NULL,
                   "the message is a string");
        fuzz_check(strncmp(err, "fuzz.keys", 9) == 0,
                   "the message names the file");
        free(text);
        return 0;
    }

    fuzz_check(ks->nkeys >= 1, "a key set has a key");

    for (i = 0; i < ks->nkeys; i++) {
        k = &ks->keys[i];

        fuzz_check(k->kid_len >= 1 && k->kid_len <= CONSENT_KID_MAX
                   && strlen(k->kid) == k->kid_len, "kid length");

        for (j = 0; j < k->kid_len; j++) {
            fuzz_check((k->kid[j] >= 'a' && k->kid[j] <= 'z')
                       || (k->kid[j] >= '0' && k->kid[j] <= '9'),
                       "kid characters");
        }

        fuzz_check(consent_keyset_find(ks, k->kid, k->kid_len) == k,
                   "each key finds itself, ids are distinct");
    }

    memset(&tok, 0, sizeof(consent_token_t));
    tok.issued = 1735689600;
    tok.revision = 7;
    tok.granted = 5;

    n = consent_token_encode(ks, "consent", 7, &tok, cookie, sizeof(cookie));

    /* a file of verify-only keys signs nothing */

    if (consent_keyset_signer(ks, "fuzz.keys", err, sizeof(err)) == NULL) {
        fuzz_check(n == -1 && ks->keys[0].verify_only,
                   "no signer: nothing signed");
        fuzz_check(strncmp(err, "fuzz.keys:", 10) == 0,
                   "no signer: the message names the file");
        consent_keyset_free(ks);
        free(text);
        return 0;
    }

    fuzz_check(n > 0 && !ks->keys[0].verify_only,
               "the first key signs, and is not verify-only");

    fuzz_check(consent_token_verify(ks, "consent", 7, cookie, (size_t) n,
                                    1735689600, 7, 86400, &got)
               == CONSENT_STATE_VALID, "and its cookie verifies");

    consent_keyset_free(ks);
    free(text);

    return 0;
}
