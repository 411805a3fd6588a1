
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * TC strings and Additional Consent strings (src/consent_tcf.c): real
 * strings written by registered CMPs, a string written by IAB's
 * @iabtechlabtcf/core, the spec's rules (TCF 2.3's mandatory Disclosed
 * Vendors segment, no legitimate interest for purposes 1, 3-6), the
 * choice between bit field and ranges, refusals, buffers, and Google's
 * example "2~1.35.41~dv.9.21".
 */


#include <stdlib.h>

#include "tap.h"
#include "consent_tcf.h"


#define BUF  8192


static consent_tcf_t     tc, tc2;
static consent_tcf_ac_t  ac;
static char              buf[BUF], buf2[BUF];


/* from a registered CMP (888), TCF 2.0, policy version 2 */
static const char  *real_v20 =
    "COwAdDhOwAdDhN4ABAENAPCgAAQAAv___wAAAFP_AAp_4AI6ACACAA";

/* a CMP's (7) policy version 5 core segment, without its DV segment */
static const char  *real_v23_core =
    "CP188cAQKFpAAAHABBENBSFsAP_gAEPgAAiQKqNX_H__bW9r8X73aft0eY1P9_j77uQxB"
    "hfJE-4FzLvW_JwXx2ExNA36tqIKmRIEu3bBIQNlHJHUTVigaogVryHMak2cpTNKJ6Bki"
    "FMRM2dYCF5vm4tj-QKY5_r993dx2D-t_dv83dzyz81Hn3f5_2e0eLCdQ5-tDfv9bROb-"
    "9IPd_78v4v8_l_rk2_eT1n_tevr7D_-ft8__XW_9_fff_9Pn_-uB_-_3_vf_EFUwCTDQ"
    "qIA-wJCQg0DCKBACoKwgIoFAQAAJA0QEAJgwKdgYALrCRACAFAAMEAIAAQZAAgAAAgAQi"
    "ACQAoEAAEAgUAAYAEAwEABAwAAgAsBAIAAQHQMUwIIFAsIEjMioUwIQoEggJbKhBICgQVw"
    "hCLPAIgERMFAAgAAAVgACAsFgcSSAlQkECXUG0AABAAgFEIFQgk9MAAwJmy1B4MG0ZWmAY"
    "PmCRDTAMgCIIyEAAAA";

/* written by @iabtechlabtcf/core 1.5 from the fields of test_iab() */
static const char  *iab_made =
    "CQZCrAAQZCrAAEsACBDEB4FoAPLAAELAAAYgH0QA4AAgAHAvMC-AH0AXnABAXmACEgBQA"
    "FAAcABI.IF6QAoAAgAHAvMC9AAAA.cAAACAAAAaIA";


static void test_real(void);
static void test_iab(void);
static void test_rules(void);
static void test_encodings(void);
static void test_malformed(void);
static void test_buffers(void);
static void test_restrictions(void);
static void test_ac(void);
static int decode(const char *s, const char **why);


static int
decode(const char *s, const char **why)
{
    *why = NULL;

    return consent_tcf_decode(s, strlen(s), &tc, why);
}


static void
test_real(void)
{
    unsigned     id;
    const char  *why = NULL;
    int          n;

    is_int(decode(real_v20, &why), 0, "a TCF 2.0 string decodes (%s)",
           why ? why : "");
    is_int(tc.version, 2, "version");
    is_int(tc.created, 15837810913ULL, "created, deciseconds");
    is_int(tc.last_updated, 15837810913ULL, "last updated");
    is_int(tc.cmp_id, 888, "CMP id");
    is_int(tc.cmp_version, 1, "CMP version");
    is_str(tc.consent_language, "EN", "consent language");
    is_int(tc.vendor_list_version, 15, "vendor list version");
    is_int(tc.policy_version, 2, "policy version 2");
    ok(tc.is_service_specific, "service specific");
    is_int(tc.purpose_consents, (1u << 5) | (1u << 22), "purposes 6 and 23");
    is_int(tc.purpose_li, 0xffffff, "every purpose on legitimate interest");
    is_str(tc.publisher_cc, "AA", "publisher country");

    for (id = 1; id <= 11; id++) {
        is_int(consent_tcf_set_has(&tc.vendor_consents, id), id <= 10,
               "vendor %u consent", id);
    }

    is_int(tc.nrestrictions, 1, "one restriction");
    is_int(consent_tcf_restriction(&tc, 32, 7), CONSENT_TCF_REQUIRE_CONSENT,
           "vendor 32, purpose 7: consent required");
    is_int(consent_tcf_restriction(&tc, 31, 7), -1, "not vendor 31");
    ok(!tc.has_disclosed && !tc.has_publisher, "no other segment");

    n = consent_tcf_encode(&tc, buf, sizeof(buf), &why);
    is_str(n > 0 ? buf : why, "COwAdDhOwAdDhN4ABAENAPCgAAQAAv___wAAAFP_AAp_"
           "4AI6ACACAAAA", "written back the same, padded to 24 bits");

    is_int(decode(real_v23_core, &why), -1,
           "policy version 5 without its Disclosed Vendors: refused");
    ok(why && strstr(why, "Disclosed Vendors"), "why: %s", why ? why : "");

    snprintf(buf2, sizeof(buf2), "%s.IF6QAoAAgAHAvMC9AAAA", real_v23_core);
    is_int(decode(buf2, &why), 0, "with one, it decodes (%s)",
           why ? why : "");
    is_int(tc.cmp_id, 7, "CMP 7");
    is_int(tc.policy_version, 5, "policy version 5");
    is_int(tc.created, 17011296000ULL, "created");
    is_int(tc.last_updated, 17349120000ULL, "last updated");
    is_str(tc.publisher_cc, "ES", "Spain");
    is_int(tc.special_feature_opt_ins, 3, "special features 1 and 2");
    is_int(tc.purpose_consents, 0x7ff, "purposes 1-11");
    ok(!(tc.purpose_li & 0x3d), "no legitimate interest for 1, 3-6");
    ok(consent_tcf_set_has(&tc.vendor_consents, 755)
       && !consent_tcf_set_has(&tc.vendor_consents, 3),
       "vendor 755 consented, 3 not");
    ok(tc.has_disclosed && consent_tcf_set_has(&tc.disclosed, 755)
       && consent_tcf_set_has(&tc.disclosed, 1)
       && !consent_tcf_set_has(&tc.disclosed, 4), "disclosed vendors");

    n = consent_tcf_encode(&tc, buf, sizeof(buf), &why);
    ok(n > 0, "encodes (%s)", n > 0 ? "" : why);
    memcpy(&tc2, &tc, sizeof(consent_tcf_t));
    is_int(consent_tcf_decode(buf, (size_t) n, &tc, &why), 0,
           "and decodes back");
    ok(memcmp(&tc, &tc2, sizeof(consent_tcf_t)) == 0, "to the same fields");
}


static void
test_iab(void)
{
    int          n;
    const char  *why = NULL;

    consent_tcf_init(&tc);
    tc.created = 17600000000ULL;
    tc.last_updated = 17600000000ULL;
    tc.cmp_id = 300;
    tc.cmp_version = 2;
    tc.consent_screen = 1;
    memcpy(tc.consent_language, "DE", 3);
    tc.vendor_list_version = 120;
    tc.is_service_specific = 1;
    tc.special_feature_opt_ins = 1;
    tc.purpose_consents = 0x1 | 0x2 | 0x4 | 0x8 | 0x40 | 0x100 | 0x200;
    tc.purpose_li = 0x2 | 0x40 | 0x100 | 0x200;
    memcpy(tc.publisher_cc, "DE", 3);

    consent_tcf_set_add(&tc.vendor_consents, 1);
    consent_tcf_set_add(&tc.vendor_consents, 2);
    consent_tcf_set_add(&tc.vendor_consents, 3);

    for (n = 755; n <= 760; n++) {
        consent_tcf_set_add(&tc.vendor_consents, n);
    }

    consent_tcf_set_add(&tc.vendor_consents, 1000);
    consent_tcf_set_add(&tc.vendor_li, 755);

    ok(consent_tcf_restrict(&tc, 2, 1, 5, 5, NULL) == 0
       && consent_tcf_restrict(&tc, 2, 1, 6, 7, NULL) == 0
       && consent_tcf_restrict(&tc, 2, 1, 9, 9, NULL) == 0,
       "restriction on 5, 6-7, 9");
    is_int(tc.restrictions[0].n, 2, "5-7 joined");

    consent_tcf_set_add(&tc.disclosed, 1);
    consent_tcf_set_add(&tc.disclosed, 2);
    consent_tcf_set_add(&tc.disclosed, 3);
    consent_tcf_set_add(&tc.disclosed, 755);
    consent_tcf_set_add(&tc.disclosed, 756);

    tc.has_publisher = 1;
    tc.pub_consents = 1;
    tc.pub_li = 2;
    tc.num_custom = 3;
    tc.custom_consents = 2;
    tc.custom_li = 4;

    n = consent_tcf_encode(&tc, buf, sizeof(buf), &why);
    is_str(n > 0 ? buf : why, iab_made,
           "the same string as @iabtechlabtcf/core, byte for byte");
    is_int(n, (int) strlen(iab_made), "its length returned");
}


static void
test_rules(void)
{
    const char  *why = NULL;

    consent_tcf_init(&tc);
    tc.cmp_id = 2;
    tc.purpose_li = 1;
    ok(consent_tcf_encode(&tc, buf, sizeof(buf), &why) < 0
       && strstr(why, "legitimate"),
       "policy 5: legitimate interest for purpose 1 refused");

    tc.purpose_li = 1u << 2;
    ok(consent_tcf_encode(&tc, buf, sizeof(buf), &why) < 0,
       "and for purpose 3");

    tc.purpose_li = 1u << 1;
    ok(consent_tcf_encode(&tc, buf, sizeof(buf), &why) > 0,
       "purpose 2 may");

    tc.purpose_li = 1;
    tc.policy_version = 2;
    ok(consent_tcf_encode(&tc, buf, sizeof(buf), &why) > 0,
       "policy 2: purpose 1 may");

    tc.purpose_li = 0;
    tc.policy_version = 5;
    tc.has_disclosed = 0;
    ok(consent_tcf_encode(&tc, buf, sizeof(buf), &why) < 0
       && strstr(why, "Disclosed"),
       "policy 5 without Disclosed Vendors refused");

    tc.policy_version = 4;
    ok(consent_tcf_encode(&tc, buf, sizeof(buf), &why) > 0
       && strchr(buf, '.') == NULL, "policy 4 may do without");

    tc.policy_version = 6;
    ok(consent_tcf_encode(&tc, buf, sizeof(buf), &why) < 0,
       "policy 6 is not known");

    tc.policy_version = 5;
    tc.has_disclosed = 1;
    tc.version = 1;
    ok(consent_tcf_encode(&tc, buf, sizeof(buf), &why) < 0,
       "version 1 is not written");

    tc.version = 2;
    memcpy(tc.consent_language, "e1", 3);
    ok(consent_tcf_encode(&tc, buf, sizeof(buf), &why) < 0,
       "a language not A-Z refused");

    memcpy(tc.consent_language, "EN", 3);
    tc.created = 1ULL << 36;
    ok(consent_tcf_encode(&tc, buf, sizeof(buf), &why) < 0,
       "a time beyond 36 bits refused");

    tc.created = 0;
    tc.has_publisher = 1;
    tc.num_custom = 2;
    tc.custom_consents = 4;
    ok(consent_tcf_encode(&tc, buf, sizeof(buf), &why) < 0,
       "a custom purpose beyond NumCustomPurposes refused");
}


static void
test_encodings(void)
{
    int          n, m;
    unsigned     id;
    const char  *why = NULL;

    consent_tcf_init(&tc);
    tc.cmp_id = 2;

    for (id = 1; id <= 1000; id++) {
        consent_tcf_set_add(&tc.vendor_consents, id);
    }

    n = consent_tcf_encode(&tc, buf, sizeof(buf), &why);
    ok(n > 0 && n < 60, "1-1000 as one range: %d characters", n);

    consent_tcf_init(&tc);
    tc.cmp_id = 2;

    for (id = 1; id <= 1000; id += 2) {
        consent_tcf_set_add(&tc.vendor_consents, id);
    }

    m = consent_tcf_encode(&tc, buf, sizeof(buf), &why);
    ok(m > 0 && m < 250, "every other id as a bit field: %d characters", m);
    is_int(consent_tcf_decode(buf, (size_t) m, &tc2, &why), 0, "decodes");
    ok(memcmp(&tc.vendor_consents, &tc2.vendor_consents,
              sizeof(consent_tcf_set_t)) == 0, "to the same vendors");

    consent_tcf_init(&tc);
    tc.cmp_id = 2;
    consent_tcf_set_add(&tc.vendor_consents, CONSENT_TCF_MAX_ID);
    consent_tcf_set_add(&tc.disclosed, CONSENT_TCF_MAX_ID);
    n = consent_tcf_encode(&tc, buf, sizeof(buf), &why);
    ok(n > 0 && n < 80, "vendor 65535 alone: a range (%d)", n);
    is_int(consent_tcf_decode(buf, (size_t) n, &tc2, &why), 0, "decodes");
    ok(consent_tcf_set_has(&tc2.vendor_consents, CONSENT_TCF_MAX_ID)
       && consent_tcf_set_max(&tc2.vendor_consents) == CONSENT_TCF_MAX_ID,
       "to 65535");
}


static void
test_malformed(void)
{
    size_t       i;
    const char  *why = NULL;

    static const struct {
        const char  *s;
        const char  *what;
    } bad[] = {
        { "", "empty" },
        { "C", "too short" },
        { "BOwAdDhOwAdDhN4ABAENAPCgAAQAAv___wAAAFP_AAp_4AI6ACACAA",
          "version 1" },
        { "COwAdDhOwAdDhN4ABAENAPCgAAQAAv___wAAAFP_AAp_4AI6ACACAB",
          "non-zero padding" },
        { "COwAdDhOwAdDhN4ABAENAPCgAAQAAv___wAAAFP_AAp_4AI6ACACAAAAAAAA",
          "too long" },
        { "COwAdDhOwAdDhN4ABAENAPCgAAQAAv___wAAAFP_AAp_4AI6ACACA=",
          "a character outside base64url" },
        { "COwAdDhOwAdDhN4ABAENAPCgAAQAAv___wAAAFP_AAp_4AI6ACACAA.",
          "an empty segment" },
        { "COwAdDhOwAdDhN4ABAENAPCgAAQAAv___wAAAFP_AAp_4AI6ACACAA.QAAA",
          "an Allowed Vendors segment" },
        { "COwAdDhOwAdDhN4ABAENAPCgAAQAAv___wAAAFP_AAp_4AI6ACACAA.AAAA",
          "segment type 0" },
        { "COwAdDhOwAdDhN4ABAENAPCgAAQAAv___wAAAFP_AAp_4AI6ACACAA.IAAA.IAAA",
          "a repeated segment" },
        { "COwAdDhOwAdDhN4ABAENAPCgAAQAAv___wAAAFP_AAp_4AI6ACACAA.IAAA.cAAAAA"
          "AAAAAA.IAAA", "too many segments" },
        /* consent language letters 26 and 27 */
        { "COwAdDhOwAdDhN4ABAEa7PCgAAQAAv___wAAAFP_AAp_4AI6ACACAA",
          "a letter beyond Z" },
        /* policy version 63 */
        { "COwAdDhOwAdDhN4ABAENAP_gAAQAAv___wAAAFP_AAp_4AI6ACACAA",
          "an unknown policy version" },
    };

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        why = NULL;
        ok(consent_tcf_decode(bad[i].s, strlen(bad[i].s), &tc, &why) == -1
           && why != NULL, "refused: %s (%s)", bad[i].what, why ? why : "");
    }

    /* every prefix of a valid string is refused or decodes, never reads
       past its end (ASan: a heap copy of exactly that size) */
    for (i = 0; i < strlen(iab_made); i++) {
        char  *p = malloc(i + 1);

        memcpy(p, iab_made, i);
        consent_tcf_decode(p, i, &tc, &why);
        free(p);
    }

    ok(1, "prefixes of a string read within their bounds");
}


static void
test_buffers(void)
{
    int          n, m;
    const char  *why = NULL;

    is_int(consent_tcf_decode(iab_made, strlen(iab_made), &tc, &why), 0,
           "decode");
    n = consent_tcf_encode(&tc, buf, sizeof(buf), &why);
    memset(buf2, 'x', sizeof(buf2));
    m = consent_tcf_encode(&tc, buf2, (size_t) n, &why);
    ok(m == -1 && buf2[n] == 'x', "a buffer one byte short: refused, "
       "nothing written past it");
    m = consent_tcf_encode(&tc, buf2, (size_t) n + 1, &why);
    ok(m == n && strcmp(buf, buf2) == 0, "exactly enough: written");
}


static void
test_restrictions(void)
{
    const char  *why = NULL;

    consent_tcf_init(&tc);
    ok(consent_tcf_restrict(&tc, 0, 0, 1, 1, &why) < 0, "purpose 0 refused");
    ok(consent_tcf_restrict(&tc, 1, 3, 1, 1, &why) < 0, "type 3 refused");
    ok(consent_tcf_restrict(&tc, 1, 0, 0, 1, &why) < 0, "vendor 0 refused");
    ok(consent_tcf_restrict(&tc, 1, 0, 5, 4, &why) < 0, "5-4 refused");
    ok(consent_tcf_restrict(&tc, 1, 0, 5, 9, &why) == 0, "5-9");
    ok(consent_tcf_restrict(&tc, 1, 0, 9, 12, &why) < 0, "then 9 refused");
    ok(consent_tcf_restrict(&tc, 3, 2, 20, 20, &why) == 0, "purpose 3, 20");
    ok(consent_tcf_restrict(&tc, 1, 0, 30, 30, &why) < 0,
       "back to purpose 1 refused (its ranges are together)");
    ok(consent_tcf_restrict(&tc, 3, 0, 20, 20, &why) == 0,
       "purpose 3, not allowed, 20");
    is_int(consent_tcf_restriction(&tc, 20, 3), CONSENT_TCF_NOT_ALLOWED,
           "not allowed comes before require LI");
    is_int(consent_tcf_restriction(&tc, 7, 1), CONSENT_TCF_NOT_ALLOWED,
           "7 in 5-9");
    is_int(consent_tcf_restriction(&tc, 10, 1), -1, "10 is not");
}


static void
test_ac(void)
{
    int          n;
    const char  *why = NULL;

    static const char  *bad[] = {
        "", "2", "2~", "3~1~dv.", "2~1.35", "2~1.1~dv.", "2~35.1~dv.",
        "2~01~dv.", "2~1..2~dv.", "2~1~dv.1", "2~1~dv.2~", "2~1~xv.2",
        "2~1~dv.x", "2~65536~dv.", "1~1~dv.2", "2~1.~dv.", "2~.1~dv.",
        "2~ 1~dv.",
    };

    is_int(consent_tcf_ac_decode("2~1.35.41~dv.9.21", 17, &ac, &why), 0,
           "Google's example decodes");
    ok(ac.version == 2 && consent_tcf_set_has(&ac.consented, 1)
       && consent_tcf_set_has(&ac.consented, 35)
       && consent_tcf_set_has(&ac.consented, 41)
       && !consent_tcf_set_has(&ac.consented, 9)
       && consent_tcf_set_has(&ac.disclosed, 9)
       && consent_tcf_set_has(&ac.disclosed, 21),
       "consented 1, 35, 41; disclosed 9, 21");

    n = consent_tcf_ac_encode(&ac, buf, sizeof(buf), &why);
    is_str(n > 0 ? buf : why, "2~1.35.41~dv.9.21", "and encodes back");

    memset(buf2, 'x', sizeof(buf2));
    ok(consent_tcf_ac_encode(&ac, buf2, 17, &why) == -1 && buf2[17] == 'x',
       "one byte short: refused");

    is_int(consent_tcf_ac_decode("1~1.35.41", 9, &ac, &why), 0,
           "a version 1 string decodes");
    ok(ac.version == 1 && consent_tcf_set_has(&ac.consented, 41),
       "consented 41");
    ok(consent_tcf_ac_encode(&ac, buf, sizeof(buf), &why) == -1,
       "version 1 is not written");

    is_int(consent_tcf_ac_decode("2~~dv.", 6, &ac, &why), 0,
           "nothing consented nor disclosed");
    n = consent_tcf_ac_encode(&ac, buf, sizeof(buf), &why);
    is_str(n > 0 ? buf : why, "2~~dv.", "written back");

    for (n = 0; n < (int) (sizeof(bad) / sizeof(bad[0])); n++) {
        why = NULL;
        ok(consent_tcf_ac_decode(bad[n], strlen(bad[n]), &ac, &why) == -1
           && why != NULL, "refused: \"%s\" (%s)", bad[n], why ? why : "");
    }
}


int
main(void)
{
    test_real();
    test_iab();
    test_rules();
    test_encodings();
    test_malformed();
    test_buffers();
    test_restrictions();
    test_ac();

    return done_testing();
}
