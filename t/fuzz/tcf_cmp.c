
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * consent_tcf cmp (src/consent_tcf_cmp.c, the TCF fields of
 * src/consent_request.c): a choice's body in CMP mode and IAB's URL
 * macros.
 *
 * Input: 1 byte for the mode, then the bytes:
 *   0  consent_choice_parse_form_tcf (a form body)
 *   1  consent_choice_parse_json_tcf (a JSON body)
 *   2  consent_tcf_macros (a tag), with and without a TC string
 *
 * Properties: a choice that parses has only ids the TCF defines
 * (purposes 1-11, LI 2-11, special features 1-2, vendors and ATPs
 * 1-65535) and a refusal says why in a NUL-terminated message; the
 * macros' length asked first is the length written, bytes without
 * "${" come out as they went in, and nothing is written past the
 * length.
 */


#include "fuzz.h"
#include "consent_request.h"
#include "consent_tcf_cmp.h"


static consent_policy_t    *policy;
static consent_tcf_pick_t   pick;


static void fuzz_tcf_body(int form, const char *s, size_t len);
static void fuzz_tcf_macros(const char *s, size_t len);


int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    policy = fuzz_policy("conf/policy.json");
    return 0;
}


static void
fuzz_tcf_body(int form, const char *s, size_t len)
{
    int               rc;
    char              err[256];
    consent_choice_t  c;

    memset(err, 'x', sizeof(err));
    memset(&pick, 0xa5, sizeof(consent_tcf_pick_t));

    if (form) {
        rc = consent_choice_parse_form_tcf(policy, s, len, &c, &pick, err,
                                           sizeof(err));
    } else {
        rc = consent_choice_parse_json_tcf(policy, s, len, &c, &pick, err,
                                           sizeof(err));
    }

    if (rc != 0) {
        fuzz_check(rc == -1, "0 or -1");
        fuzz_check(memchr(err, '\0', sizeof(err)) != NULL && err[0] != '\0',
                   "a refusal says why");
        return;
    }

    fuzz_check(c.tcf == &pick, "the pick is the choice's");
    fuzz_check((pick.purposes & ~0x7ffu) == 0, "purposes 1-11");
    fuzz_check((pick.purposes_li & ~0x7feu) == 0, "LI of purposes 2-11");
    fuzz_check((pick.special_features & ~0x3u) == 0, "special features 1-2");
    fuzz_check(!consent_tcf_set_has(&pick.vendors, 0)
               && (pick.vendors.map[0] & 1) == 0
               && (pick.vendors_li.map[0] & 1) == 0
               && (pick.atps.map[0] & 1) == 0, "no id 0");
}


static void
fuzz_tcf_macros(const char *s, size_t len)
{
    int                   t;
    char                 *out;
    size_t                n, m;
    unsigned              k, k2;
    consent_tcf_t        *tc;
    consent_tcf_state_t   st;

    tc = calloc(1, sizeof(consent_tcf_t));
    if (tc == NULL) {
        return;
    }

    for (t = 0; t < 2; t++) {
        memset(&st, 0, sizeof(st));
        st.tc = t ? tc : NULL;
        st.tc_string = "CQ_tc-string";
        st.tc_len = 12;
        st.ac_string = "2~89~dv.";
        st.ac_len = 8;

        n = consent_tcf_macros(s, len, &st, NULL, &k);

        /* an exact-size buffer: ASan sees a write past the length */
        out = malloc(n ? n : 1);
        if (out == NULL) {
            break;
        }

        m = consent_tcf_macros(s, len, &st, out, &k2);

        fuzz_check(m == n && k == k2, "the length asked is the one written");
        fuzz_check(k > 0 || (n == len && memcmp(out, s, len) == 0),
                   "nothing replaced: the bytes as they were");
        fuzz_check(k <= len / 7, "at most one macro each 7 bytes");

        free(out);
    }

    free(tc);
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int          which;
    char        *s;
    size_t       len;
    fuzz_in_t    in;

    in.p = data;
    in.left = size;

    which = fuzz_byte(&in) % 3;

    len = in.left;
    s = fuzz_copy(in.p, len);

    switch (which) {

    case 0:
    case 1:
        fuzz_tcf_body(which == 0, s, len);
        break;

    default:
        fuzz_tcf_macros(s, len);
        break;
    }

    free(s);

    return 0;
}
