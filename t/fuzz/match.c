
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * The matcher (src/consent_match.c) with the rules of t/html/policy.json.
 *
 * Input: 1 byte that picks the function, then its input.
 *   0  consent_match_url (a URL)
 *   1  consent_match_inline (a script's text)
 *   2  consent_match_element: 1 byte for the element kind, then
 *      attributes "name\0value\0name\0value..." (at most 64)
 *   3  consent_element (a tag name)
 *
 * Properties: a result is a category of the policy or NONE; a URL is
 * matched without regard to ASCII case (the same result for the URL in
 * lower case, in upper case); a URL and an element get what the old
 * matcher (t/unit/match_ref.h, the rules tried one at a time) gives
 * them; an element's category is the last of its mask, NONE has an
 * empty mask.
 */


#include "fuzz.h"
#include "consent_match.h"
#include "../unit/match_ref.h"


#define FUZZ_ATTRS_MAX  64


static consent_policy_t  *policy;


int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    policy = fuzz_policy("t/html/policy.json");
    return 0;
}


static void
fuzz_url(const char *s, size_t len)
{
    int     a, b, c;
    char   *lower, *upper;
    size_t  i;

    a = consent_match_url(policy, s, len);
    fuzz_check(a == CONSENT_MATCH_NONE
               || (a >= 0 && (size_t) a < policy->ncategories),
               "a category or none");
    fuzz_check(a == ref_match_url(policy, s, len),
               "the compiled rules match as the old matcher");

    lower = fuzz_copy(s, len);
    upper = fuzz_copy(s, len);

    for (i = 0; i < len; i++) {
        if (lower[i] >= 'A' && lower[i] <= 'Z') {
            lower[i] = (char) (lower[i] - 'A' + 'a');
        }

        if (upper[i] >= 'a' && upper[i] <= 'z') {
            upper[i] = (char) (upper[i] - 'a' + 'A');
        }
    }

    b = consent_match_url(policy, lower, len);
    c = consent_match_url(policy, upper, len);

    if (a != b || a != c) {
        fprintf(stderr, "fuzz: url \"%.*s\": %d, lower case %d, "
                "upper case %d\n", (int) len, s, a, b, c);
        fuzz_check(0, "URLs match without regard to case");
    }

    free(lower);
    free(upper);
}


static void
fuzz_element(fuzz_in_t *in)
{
    size_t             n;
    consent_attr_t     attrs[FUZZ_ATTRS_MAX];
    consent_match_t    m, r;
    consent_element_e  el;

    el = (consent_element_e) (fuzz_byte(in) % (CONSENT_EL_SOURCE + 1));

    for (n = 0; n < FUZZ_ATTRS_MAX && in->left; n++) {
        attrs[n].name = fuzz_field(in, '\0', &attrs[n].name_len);
        attrs[n].value = fuzz_field(in, '\0', &attrs[n].value_len);
    }

    m = consent_match_element(policy, el, attrs, n);
    r = ref_match_element(policy, el, attrs, n);

    fuzz_check(m.category == r.category && m.mask == r.mask && m.by == r.by,
               "an element as the old matcher");

    if (m.category >= 0) {
        fuzz_check((size_t) m.category < policy->ncategories,
                   "a category of the policy");
        fuzz_check((m.mask >> m.category) == 1,
                   "the category is the last of the mask");
        fuzz_check(m.by != CONSENT_BY_NONE, "decided by something");

    } else if (m.category == CONSENT_MATCH_NONE) {
        fuzz_check(m.mask == 0, "none: empty mask");

    } else {
        fuzz_check(m.category == CONSENT_MATCH_UNKNOWN, "none or unknown");
    }

    fuzz_check((m.mask & ~policy->all_mask) == 0, "mask in the policy");
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int         which, r;
    char       *s;
    size_t      len;
    fuzz_in_t   in;

    in.p = data;
    in.left = size;

    which = fuzz_byte(&in) % 4;

    len = in.left;
    s = fuzz_copy(in.p, len);
    in.p = (const uint8_t *) s;

    switch (which) {

    case 0:
        fuzz_url(s, len);
        break;

    case 1:
        r = consent_match_inline(policy, s, len);
        fuzz_check(r == CONSENT_MATCH_NONE
                   || (r >= 0 && (size_t) r < policy->ncategories),
                   "a category or none");
        break;

    case 2:
        fuzz_element(&in);
        break;

    default:
        r = (int) consent_element(s, len);
        fuzz_check(r >= CONSENT_EL_OTHER && r <= CONSENT_EL_SOURCE, "kind");
        break;
    }

    free(s);

    return 0;
}
