
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * IAB's TCData object (TCF CMP API v2) of a visitor, rendered on the
 * server: the page's __tcfapi (src/assets/tcfapi.js) answers from it
 * and decodes nothing.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "consent_tcf_cmp.h"


static json_t *consent_tcf_bits_json(uint32_t bits, unsigned n);
static json_t *consent_tcf_set_json(const consent_tcf_set_t *set,
    int compact);
static json_t *consent_tcf_restrictions_json(const consent_tcf_t *tc);
static int consent_tcf_put(json_t *o, const char *key, json_t *v);
static int consent_tcf_put_bases(json_t *o, uint32_t consents, uint32_t li,
    unsigned n);


/* ids 1..n, each true or false: what vendors' scripts index */

static json_t *
consent_tcf_bits_json(uint32_t bits, unsigned n)
{
    char      key[8];
    json_t   *o;
    unsigned  id;

    o = json_object();
    if (o == NULL) {
        return NULL;
    }

    for (id = 1; id <= n; id++) {
        snprintf(key, sizeof(key), "%u", id);

        if (json_object_set_new(o, key,
                                json_boolean((bits >> (id - 1)) & 1))
            != 0)
        {
            json_decref(o);
            return NULL;
        }
    }

    return o;
}


/*
 * The vendors with the signal only: a GVL has about a thousand.  In
 * compact form (for the page's head, which __tcfapi expands), a string
 * of ranges: "1-6,9-300,755".
 */

static json_t *
consent_tcf_set_json(const consent_tcf_set_t *set, int compact)
{
    char      key[16], *buf;
    size_t    len;
    json_t   *o;
    unsigned  id, max, to;

    max = set ? consent_tcf_set_max(set) : 0;

    if (compact) {
        /* at most "65535," for each other id */
        buf = malloc(max / 2 * 6 + 16);
        if (buf == NULL) {
            return NULL;
        }

        len = 0;

        for (id = 1; id <= max; id++) {
            if (!consent_tcf_set_has(set, id)) {
                continue;
            }

            for (to = id; to < max && consent_tcf_set_has(set, to + 1); to++)
            {
                /* void */
            }

            len += (size_t) (to > id
                             ? snprintf(buf + len, 16, "%s%u-%u",
                                        len ? "," : "", id, to)
                             : snprintf(buf + len, 16, "%s%u",
                                        len ? "," : "", id));
            id = to;
        }

        o = json_stringn(buf, len);
        free(buf);

        return o;
    }

    o = json_object();
    if (o == NULL) {
        return NULL;
    }

    for (id = 1; id <= max; id++) {
        if (!consent_tcf_set_has(set, id)) {
            continue;
        }

        snprintf(key, sizeof(key), "%u", id);

        if (json_object_set_new(o, key, json_true()) != 0) {
            json_decref(o);
            return NULL;
        }
    }

    return o;
}


/* {"purpose": {"vendor": type}} */

static json_t *
consent_tcf_restrictions_json(const consent_tcf_t *tc)
{
    char                              key[8];
    json_t                           *o, *p;
    unsigned                          i, j, id;
    const consent_tcf_range_t        *rg;
    const consent_tcf_restriction_t  *r;

    o = json_object();
    if (o == NULL) {
        return NULL;
    }

    for (i = 0; tc != NULL && i < tc->nrestrictions; i++) {
        r = &tc->restrictions[i];

        snprintf(key, sizeof(key), "%u", r->purpose);

        p = json_object_get(o, key);

        if (p == NULL) {
            p = json_object();

            if (consent_tcf_put(o, key, p) != 0) {
                json_decref(o);
                return NULL;
            }
        }

        for (j = 0; j < r->n; j++) {
            rg = &tc->ranges[r->first + j];

            for (id = rg->from; id <= rg->to && id != 0; id++) {
                snprintf(key, sizeof(key), "%u", id);

                /* a vendor under several: the first (lowest type) */

                if (json_object_get(p, key) == NULL
                    && json_object_set_new(p, key, json_integer(r->type))
                       != 0)
                {
                    json_decref(o);
                    return NULL;
                }

                if (id == CONSENT_TCF_MAX_ID) {
                    break;
                }
            }
        }
    }

    return o;
}


static int
consent_tcf_put(json_t *o, const char *key, json_t *v)
{
    if (v == NULL) {
        return -1;
    }

    return json_object_set_new(o, key, v);
}


/* "consents" and "legitimateInterests": ids 1..n under the two bases */

static int
consent_tcf_put_bases(json_t *o, uint32_t consents, uint32_t li, unsigned n)
{
    return consent_tcf_put(o, "consents", consent_tcf_bits_json(consents, n))
           || consent_tcf_put(o, "legitimateInterests",
                              consent_tcf_bits_json(li, n));
}


json_t *
consent_tcf_tcdata(const consent_tcf_state_t *st)
{
    char                  cc[3];
    json_t               *o, *p, *v, *pub, *cust;
    const consent_tcf_t  *tc;

    tc = st->tc;

    o = json_object();
    if (o == NULL) {
        return NULL;
    }

    memcpy(cc, tc ? tc->publisher_cc : st->publisher_cc, 3);
    cc[2] = '\0';

    /* each part in o before it is filled: o owns it from then on */

    p = json_object();
    v = json_object();
    pub = json_object();
    cust = json_object();

    if (p == NULL || v == NULL || pub == NULL || cust == NULL) {
        json_decref(p);
        json_decref(v);
        json_decref(pub);
        json_decref(cust);
        json_decref(o);
        return NULL;
    }

    /* each put owns its value or frees it: all of them, then the test */

    if ((consent_tcf_put(pub, "customPurpose", cust)
         | consent_tcf_put(o, "purpose", p)
         | consent_tcf_put(o, "vendor", v)
         | consent_tcf_put(o, "publisher", pub))
        != 0)
    {
        json_decref(o);
        return NULL;
    }

    if (consent_tcf_put(o, "tcString",
                        json_stringn(tc ? st->tc_string : "",
                                     tc ? st->tc_len : 0))
        || consent_tcf_put(o, "tcfPolicyVersion",
                           json_integer(tc ? tc->policy_version
                                           : st->policy_version))
        || consent_tcf_put(o, "cmpId", json_integer(st->cmp_id))
        || consent_tcf_put(o, "cmpVersion", json_integer(st->cmp_version))
        || consent_tcf_put(o, "gdprApplies", json_true())
        || consent_tcf_put(o, "cmpStatus", json_string("loaded"))
        || consent_tcf_put(o, "eventStatus",
                           json_string(st->shown || tc == NULL
                                       ? "cmpuishown" : "tcloaded"))
        || consent_tcf_put(o, "isServiceSpecific", json_true())
        || consent_tcf_put(o, "useNonStandardTexts",
                           json_boolean(tc && tc->use_non_standard_texts))
        || consent_tcf_put(o, "publisherCC", json_string(cc))
        || consent_tcf_put(o, "purposeOneTreatment",
                           json_boolean(tc && tc->purpose_one_treatment))
        || consent_tcf_put_bases(p, tc ? tc->purpose_consents : 0,
                                 tc ? tc->purpose_li : 0,
                                 CONSENT_TCF_MAP_PURPOSES)
        || consent_tcf_put(v, "consents",
                           consent_tcf_set_json(tc ? &tc->vendor_consents
                                                   : NULL, st->compact))
        || consent_tcf_put(v, "legitimateInterests",
                           consent_tcf_set_json(tc ? &tc->vendor_li : NULL,
                                                st->compact))
        || consent_tcf_put(o, "specialFeatureOptins",
                           consent_tcf_bits_json(
                               tc ? tc->special_feature_opt_ins : 0,
                               CONSENT_TCF_MAP_SPECIAL_FEATURES))
        || consent_tcf_put_bases(pub, tc ? tc->pub_consents : 0,
                                 tc ? tc->pub_li : 0,
                                 CONSENT_TCF_MAP_PURPOSES)
        || consent_tcf_put_bases(cust,
                                 tc ? (uint32_t) tc->custom_consents : 0,
                                 tc ? (uint32_t) tc->custom_li : 0,
                                 tc ? (tc->num_custom < 32 ? tc->num_custom
                                                           : 32)
                                    : 0)
        || consent_tcf_put(pub, "restrictions",
                           consent_tcf_restrictions_json(tc))
        || (tc && st->ac_string
            && consent_tcf_put(o, "addtlConsent",
                               json_stringn(st->ac_string, st->ac_len))))
    {
        json_decref(o);
        return NULL;
    }

    return o;
}
