
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * TC strings and Additional Consent strings (src/consent_tcf.c).
 *
 * Input: 1 byte for the mode, then either a string (even mode: decoded
 * as a TC string and as an AC string) or bytes that fill the fields
 * (odd).
 *
 * Properties: decoding never reads outside its input (an exact-size
 * heap copy); whatever decodes encodes, decodes back to the same fields
 * and encodes again to the same string (a round trip, and
 * encode(decode(s)) a fixed point); whatever fields encode decode to
 * themselves; a buffer one byte too small is refused and nothing is
 * written past any buffer; the same for AC strings.
 */


#include "fuzz.h"
#include "consent_tcf.h"


#define FUZZ_TCF_BUF  (256 * 1024)


static void fuzz_tcf_round(const consent_tcf_t *tc);
static void fuzz_tcf_ac_round(const consent_tcf_ac_t *ac);
static void fuzz_tcf_fields(fuzz_in_t *in);
static void fuzz_tcf_set(fuzz_in_t *in, consent_tcf_set_t *set);


static consent_tcf_t     fuzz_tcf_a, fuzz_tcf_b;
static consent_tcf_ac_t  fuzz_tcf_ac_a, fuzz_tcf_ac_b;
static char              fuzz_tcf_out[FUZZ_TCF_BUF];
static char              fuzz_tcf_out2[FUZZ_TCF_BUF];


int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    return 0;
}


/* tc encodes, decodes to itself, and a buffer one short is refused */

static void
fuzz_tcf_round(const consent_tcf_t *tc)
{
    int          n, m;
    char        *small;
    const char  *why;

    why = NULL;
    n = consent_tcf_encode(tc, fuzz_tcf_out, sizeof(fuzz_tcf_out), &why);

    if (n < 0) {
        fuzz_check(why != NULL, "a refusal says why");
        return;
    }

    fuzz_check((size_t) n == strlen(fuzz_tcf_out), "length returned");

    fuzz_check(consent_tcf_decode(fuzz_tcf_out, (size_t) n, &fuzz_tcf_b,
                                  &why) == 0, "what we write decodes");
    fuzz_check(memcmp(tc, &fuzz_tcf_b, sizeof(consent_tcf_t)) == 0,
               "to the same fields");

    m = consent_tcf_encode(&fuzz_tcf_b, fuzz_tcf_out2,
                           sizeof(fuzz_tcf_out2), &why);
    fuzz_check(m == n && memcmp(fuzz_tcf_out, fuzz_tcf_out2, n) == 0,
               "and encodes again to the same string");

    small = malloc((size_t) n);

    if (small != NULL) {
        fuzz_check(consent_tcf_encode(tc, small, (size_t) n, &why) == -1,
                   "a buffer one byte short is refused");
        free(small);
    }
}


static void
fuzz_tcf_ac_round(const consent_tcf_ac_t *ac)
{
    int          n;
    char        *small;
    const char  *why;

    why = NULL;
    n = consent_tcf_ac_encode(ac, fuzz_tcf_out, sizeof(fuzz_tcf_out), &why);

    if (n < 0) {
        fuzz_check(why != NULL, "a refusal says why");
        return;
    }

    fuzz_check(consent_tcf_ac_decode(fuzz_tcf_out, (size_t) n,
                                     &fuzz_tcf_ac_b, &why) == 0,
               "an AC string we write decodes");
    fuzz_check(memcmp(ac, &fuzz_tcf_ac_b, sizeof(consent_tcf_ac_t)) == 0,
               "to the same ids");

    small = malloc((size_t) n);

    if (small != NULL) {
        fuzz_check(consent_tcf_ac_encode(ac, small, (size_t) n, &why) == -1,
                   "a buffer one byte short is refused");
        free(small);
    }
}


/* a few ids, sometimes a run of them */

static void
fuzz_tcf_set(fuzz_in_t *in, consent_tcf_set_t *set)
{
    unsigned  n, i, id, run;

    consent_tcf_set_clear(set);

    n = fuzz_byte(in) % 16;

    for (i = 0; i < n; i++) {
        id = fuzz_byte(in) << 8 | fuzz_byte(in);
        run = fuzz_byte(in) % 8 == 0 ? fuzz_byte(in) * 4 : 0;

        while (run-- && id < CONSENT_TCF_MAX_ID) {
            consent_tcf_set_add(set, id++);
        }

        consent_tcf_set_add(set, id);
    }
}


static void
fuzz_tcf_fields(fuzz_in_t *in)
{
    unsigned        i, n, purpose, type, from, to;
    consent_tcf_t  *tc;

    tc = &fuzz_tcf_a;
    consent_tcf_init(tc);

    tc->version = fuzz_byte(in) % 8 == 0 ? fuzz_byte(in) % 4 : 2;
    tc->created = (uint64_t) fuzz_byte(in) << 29 | fuzz_byte(in) << 8
                  | fuzz_byte(in);
    tc->last_updated = (uint64_t) fuzz_byte(in) << 29 | fuzz_byte(in);
    tc->cmp_id = (fuzz_byte(in) << 8 | fuzz_byte(in)) & 0x1fff;
    tc->cmp_version = fuzz_byte(in) << 4;
    tc->consent_screen = fuzz_byte(in) % 70;
    tc->consent_language[0] = (char) ('A' + fuzz_byte(in) % 27);
    tc->publisher_cc[1] = (char) ('A' + fuzz_byte(in) % 27);
    tc->vendor_list_version = fuzz_byte(in) << 4;
    tc->policy_version = fuzz_byte(in) % 8;
    tc->is_service_specific = fuzz_byte(in) & 1;
    tc->use_non_standard_texts = fuzz_byte(in) & 1;
    tc->purpose_one_treatment = fuzz_byte(in) & 1;
    tc->has_disclosed = fuzz_byte(in) % 4 != 0;
    tc->has_publisher = fuzz_byte(in) & 1;
    tc->special_feature_opt_ins = fuzz_byte(in) << 5 | fuzz_byte(in);
    tc->purpose_consents = fuzz_byte(in) << 16 | fuzz_byte(in) << 8
                           | fuzz_byte(in);
    tc->purpose_li = (fuzz_byte(in) << 16 | fuzz_byte(in) << 8
                      | fuzz_byte(in)) & (fuzz_byte(in) & 1 ? ~0x3du : ~0u);
    tc->pub_consents = fuzz_byte(in) << 16 | fuzz_byte(in);
    tc->pub_li = fuzz_byte(in) << 8 | fuzz_byte(in);
    tc->num_custom = fuzz_byte(in) % 66;
    tc->custom_consents = (uint64_t) fuzz_byte(in) << 56 | fuzz_byte(in);
    tc->custom_li = (uint64_t) fuzz_byte(in) << 3;

    if (tc->num_custom < 64) {
        tc->custom_consents &= fuzz_byte(in) & 1
                               ? ((uint64_t) 1 << tc->num_custom) - 1
                               : ~(uint64_t) 0;
        tc->custom_li &= ((uint64_t) 1 << tc->num_custom) - 1;
    }

    fuzz_tcf_set(in, &tc->vendor_consents);
    fuzz_tcf_set(in, &tc->vendor_li);
    fuzz_tcf_set(in, &tc->disclosed);

    /* what is not written is not read back either */
    if (!tc->has_disclosed) {
        consent_tcf_set_clear(&tc->disclosed);
    }

    if (!tc->has_publisher) {
        tc->pub_consents = 0;
        tc->pub_li = 0;
        tc->num_custom = 0;
        tc->custom_consents = 0;
        tc->custom_li = 0;
    }

    n = fuzz_byte(in) % 8;

    for (i = 0; i < n; i++) {
        purpose = fuzz_byte(in) % 66;
        type = fuzz_byte(in) % 4;
        from = fuzz_byte(in) << 8 | fuzz_byte(in);
        to = from + fuzz_byte(in) % 4;
        consent_tcf_restrict(tc, purpose, type, from, to, NULL);
    }

    fuzz_tcf_round(tc);

    fuzz_tcf_ac_a.version = 2;
    fuzz_tcf_set(in, &fuzz_tcf_ac_a.consented);
    fuzz_tcf_set(in, &fuzz_tcf_ac_a.disclosed);
    fuzz_tcf_ac_round(&fuzz_tcf_ac_a);
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char       *s;
    fuzz_in_t   in;
    const char  *why;

    if (size == 0) {
        return 0;
    }

    if (data[0] & 1) {
        in.p = data + 1;
        in.left = size - 1;
        fuzz_tcf_fields(&in);
        return 0;
    }

    /* an exact-size copy: ASan sees any read past the end */
    s = malloc(size - 1 ? size - 1 : 1);

    if (s == NULL) {
        return 0;
    }

    memcpy(s, data + 1, size - 1);

    why = NULL;

    if (consent_tcf_decode(s, size - 1, &fuzz_tcf_a, &why) == 0) {
        fuzz_tcf_round(&fuzz_tcf_a);

        fuzz_check(consent_tcf_encode(&fuzz_tcf_a, fuzz_tcf_out,
                                      sizeof(fuzz_tcf_out), &why) >= 0,
                   "whatever decodes encodes");

    } else {
        fuzz_check(why != NULL, "a refusal says why");
    }

    if (consent_tcf_ac_decode(s, size - 1, &fuzz_tcf_ac_a, &why) == 0) {
        if (fuzz_tcf_ac_a.version == 2) {
            fuzz_tcf_ac_round(&fuzz_tcf_ac_a);
            fuzz_check(consent_tcf_ac_encode(&fuzz_tcf_ac_a, fuzz_tcf_out,
                                             sizeof(fuzz_tcf_out), &why)
                       == (int) (size - 1)
                       && memcmp(fuzz_tcf_out, s, size - 1) == 0,
                       "an AC string is written back as it was");
        }
    }

    free(s);

    return 0;
}
