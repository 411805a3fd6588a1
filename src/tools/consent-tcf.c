
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * consent-tcf: the core's TC string and Additional Consent codec
 * (src/consent_tcf.c) on the command line.  "decode" reads TC strings
 * and prints their fields as one JSON object a line, "encode" reads such
 * objects and prints the TC string; "ac-decode" and "ac-encode" do the
 * same for Google's Additional Consent strings.  One item a line, from
 * the arguments or, without any, the standard input; one line out for
 * each, "error: WHY" when it is refused.  For operators reading a
 * visitor's euconsent-v2 cookie, and for t/tcf-differential.t, which
 * compares the codec with IAB's own implementation.
 *
 * The JSON fields are named as in IAB's library (docs/tcf.md); id lists
 * are rising arrays of numbers; created and lastUpdated are deciseconds
 * since the epoch, as the string holds them.  decode's output is
 * encode's input, key for key in the same order.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "consent_tcf.h"
#include "consent_tcf_gvl.h"


#define CONSENT_TCF_LINE  (1024 * 1024)


static void consent_tcf_cli_usage(FILE *f);
static json_t *consent_tcf_cli_ids(uint64_t bits, unsigned n);
static json_t *consent_tcf_cli_set(const consent_tcf_set_t *set);
static json_t *consent_tcf_cli_to_json(const consent_tcf_t *tc);
static int consent_tcf_cli_get_any(json_t *v, unsigned max, uint64_t *bits,
    consent_tcf_set_t *set);
static int consent_tcf_cli_get_ids(json_t *v, unsigned n, uint64_t *bits);
static int consent_tcf_cli_get_set(json_t *v, consent_tcf_set_t *set);
static int consent_tcf_cli_get_uint(json_t *o, const char *key,
    unsigned long long max, unsigned long long *out);
static int consent_tcf_cli_get_flag(json_t *o, const char *key,
    unsigned *out);
static int consent_tcf_cli_get_letters(json_t *o, const char *key,
    char *out);
static const char *consent_tcf_cli_from_json(json_t *o, consent_tcf_t *tc);
static int consent_tcf_cli_print(json_t *j, FILE *out);
static int consent_tcf_cli_decode(const char *s, FILE *out);
static int consent_tcf_cli_encode(const char *s, FILE *out);
static int consent_tcf_cli_ac_decode(const char *s, FILE *out);
static int consent_tcf_cli_ac_encode(const char *s, FILE *out);
static int consent_tcf_cli_one(int mode, char *line, FILE *out);
static int consent_tcf_cli_gvl(const char *path, FILE *out);
static int consent_tcf_cli_choose(const consent_tcf_gvl_t *gvl,
    const char *s, FILE *out);


static consent_tcf_t     consent_tcf_cli_tc;
static consent_tcf_ac_t  consent_tcf_cli_ac;
static char              consent_tcf_cli_buf[CONSENT_TCF_LINE];


static void
consent_tcf_cli_usage(FILE *f)
{
    fprintf(f,
        "usage: consent-tcf decode|encode|ac-decode|ac-encode [ITEM...]\n"
        "       consent-tcf gvl FILE...\n"
        "       consent-tcf choose GVL [CHOICE...]\n"
        "\n"
        "Decodes IAB TCF v2 TC strings (the euconsent-v2 cookie: Core,\n"
        "Disclosed Vendors and Publisher TC segments) into one JSON object\n"
        "a line, or encodes such objects into TC strings, with the codec\n"
        "of ngx_http_consent_module; ac-decode and ac-encode do the same\n"
        "for Google's Additional Consent strings (2~1.35.41~dv.9.21).\n"
        "Items come from the arguments or, with none, one a line from the\n"
        "standard input.  Fields missing from an object to encode are 0,\n"
        "empty or false, with version 2 and policyVersion 5.\n"
        "\n"
        "gvl checks Global Vendor List files (v3 JSON) as consent_tcf_gvl\n"
        "does at nginx -t, and prints a summary of each, for a cron job\n"
        "to check a fresh list before it replaces the one in use.\n"
        "choose writes the TC string of a visitor's choice under a GVL as\n"
        "a CMP would: CHOICE is {\"cmpId\", \"cmpVersion\",\n"
        "\"consentLanguage\", \"publisherCountryCode\", \"now\" (seconds),\n"
        "\"purposes\", \"legitimateInterests\", \"specialFeatures\",\n"
        "\"vendors\", \"vendorLegitimateInterests\"}.\n"
        "\n"
        "Exit: 0 every item done, 1 one was refused (\"error: ...\"),\n"
        "2 usage.\n");
}


static json_t *
consent_tcf_cli_ids(uint64_t bits, unsigned n)
{
    json_t    *a;
    unsigned   i;

    a = json_array();

    for (i = 0; i < n; i++) {
        if ((bits >> i) & 1) {
            json_array_append_new(a, json_integer(i + 1));
        }
    }

    return a;
}


static json_t *
consent_tcf_cli_set(const consent_tcf_set_t *set)
{
    json_t    *a;
    unsigned   id;

    a = json_array();

    for (id = 1; id <= CONSENT_TCF_MAX_ID; id++) {
        if (consent_tcf_set_has(set, id)) {
            json_array_append_new(a, json_integer(id));
        }
    }

    return a;
}


static json_t *
consent_tcf_cli_to_json(const consent_tcf_t *tc)
{
    json_t                           *o, *a, *r, *v, *p;
    unsigned                          i, j, id;
    const consent_tcf_range_t        *g;
    const consent_tcf_restriction_t  *pr;

    o = json_object();

    json_object_set_new(o, "version", json_integer(tc->version));
    json_object_set_new(o, "created", json_integer(tc->created));
    json_object_set_new(o, "lastUpdated", json_integer(tc->last_updated));
    json_object_set_new(o, "cmpId", json_integer(tc->cmp_id));
    json_object_set_new(o, "cmpVersion", json_integer(tc->cmp_version));
    json_object_set_new(o, "consentScreen",
                        json_integer(tc->consent_screen));
    json_object_set_new(o, "consentLanguage",
                        json_string(tc->consent_language));
    json_object_set_new(o, "vendorListVersion",
                        json_integer(tc->vendor_list_version));
    json_object_set_new(o, "policyVersion",
                        json_integer(tc->policy_version));
    json_object_set_new(o, "isServiceSpecific",
                        json_boolean(tc->is_service_specific));
    json_object_set_new(o, "useNonStandardTexts",
                        json_boolean(tc->use_non_standard_texts));
    json_object_set_new(o, "specialFeatureOptins",
                        consent_tcf_cli_ids(tc->special_feature_opt_ins,
                                            CONSENT_TCF_SPECIAL_FEATURES));
    json_object_set_new(o, "purposeConsents",
                        consent_tcf_cli_ids(tc->purpose_consents,
                                            CONSENT_TCF_PURPOSES));
    json_object_set_new(o, "purposeLegitimateInterests",
                        consent_tcf_cli_ids(tc->purpose_li,
                                            CONSENT_TCF_PURPOSES));
    json_object_set_new(o, "purposeOneTreatment",
                        json_boolean(tc->purpose_one_treatment));
    json_object_set_new(o, "publisherCountryCode",
                        json_string(tc->publisher_cc));
    json_object_set_new(o, "vendorConsents",
                        consent_tcf_cli_set(&tc->vendor_consents));
    json_object_set_new(o, "vendorLegitimateInterests",
                        consent_tcf_cli_set(&tc->vendor_li));

    a = json_array();

    for (i = 0; i < tc->nrestrictions; i++) {
        pr = &tc->restrictions[i];
        r = json_object();
        v = json_array();

        for (j = 0; j < pr->n; j++) {
            g = &tc->ranges[pr->first + j];

            for (id = g->from; id <= g->to; id++) {
                json_array_append_new(v, json_integer(id));
            }
        }

        json_object_set_new(r, "purpose", json_integer(pr->purpose));
        json_object_set_new(r, "type", json_integer(pr->type));
        json_object_set_new(r, "vendors", v);
        json_array_append_new(a, r);
    }

    json_object_set_new(o, "publisherRestrictions", a);

    json_object_set_new(o, "vendorsDisclosed", tc->has_disclosed
                        ? consent_tcf_cli_set(&tc->disclosed) : json_null());

    if (tc->has_publisher) {
        p = json_object();
        json_object_set_new(p, "consents",
                            consent_tcf_cli_ids(tc->pub_consents,
                                                CONSENT_TCF_PURPOSES));
        json_object_set_new(p, "legitimateInterests",
                            consent_tcf_cli_ids(tc->pub_li,
                                                CONSENT_TCF_PURPOSES));
        json_object_set_new(p, "numCustomPurposes",
                            json_integer(tc->num_custom));
        json_object_set_new(p, "customConsents",
                            consent_tcf_cli_ids(tc->custom_consents,
                                                tc->num_custom));
        json_object_set_new(p, "customLegitimateInterests",
                            consent_tcf_cli_ids(tc->custom_li,
                                                tc->num_custom));

    } else {
        p = json_null();
    }

    json_object_set_new(o, "publisherTC", p);

    return o;
}


/* [1, 3] into bits 0 and 2; ids 1..n */

/*
 * A JSON array of ids from 1 to max (absent: none) into bits or, when
 * bits is NULL, into set; -1 on anything else.
 */

static int
consent_tcf_cli_get_any(json_t *v, unsigned max, uint64_t *bits,
    consent_tcf_set_t *set)
{
    size_t       i;
    json_t      *e;
    json_int_t   id;

    if (bits != NULL) {
        *bits = 0;

    } else {
        consent_tcf_set_clear(set);
    }

    if (v == NULL) {
        return 0;
    }

    if (!json_is_array(v)) {
        return -1;
    }

    json_array_foreach(v, i, e) {
        if (!json_is_integer(e)) {
            return -1;
        }

        id = json_integer_value(e);

        if (id < 1 || id > (json_int_t) max) {
            return -1;
        }

        if (bits != NULL) {
            *bits |= (uint64_t) 1 << (id - 1);

        } else {
            consent_tcf_set_add(set, (unsigned) id);
        }
    }

    return 0;
}


static int
consent_tcf_cli_get_ids(json_t *v, unsigned n, uint64_t *bits)
{
    return consent_tcf_cli_get_any(v, n, bits, NULL);
}


static int
consent_tcf_cli_get_set(json_t *v, consent_tcf_set_t *set)
{
    return consent_tcf_cli_get_any(v, CONSENT_TCF_MAX_ID, NULL, set);
}


static int
consent_tcf_cli_get_uint(json_t *o, const char *key, unsigned long long max,
    unsigned long long *out)
{
    json_t  *v;

    v = json_object_get(o, key);

    if (v == NULL) {
        return 0;
    }

    if (!json_is_integer(v) || json_integer_value(v) < 0
        || (unsigned long long) json_integer_value(v) > max)
    {
        return -1;
    }

    *out = (unsigned long long) json_integer_value(v);

    return 0;
}


static int
consent_tcf_cli_get_flag(json_t *o, const char *key, unsigned *out)
{
    json_t  *v;

    v = json_object_get(o, key);

    if (v == NULL) {
        *out = 0;
        return 0;
    }

    if (!json_is_boolean(v)) {
        return -1;
    }

    *out = json_is_true(v);

    return 0;
}


static int
consent_tcf_cli_get_letters(json_t *o, const char *key, char *out)
{
    json_t      *v;
    const char  *s;

    v = json_object_get(o, key);

    if (v == NULL) {
        return 0;
    }

    s = json_string_value(v);

    if (s == NULL || strlen(s) != 2) {
        return -1;
    }

    memcpy(out, s, 3);

    return 0;
}


static const char *
consent_tcf_cli_from_json(json_t *o, consent_tcf_t *tc)
{
    size_t               i, k;
    json_t              *a, *r, *e, *p;
    uint64_t             bits;
    unsigned             flag, prev, from;
    json_int_t           id;
    const char          *why;
    unsigned long long   n;

    consent_tcf_init(tc);

    if (!json_is_object(o)) {
        return "not a JSON object";
    }

#define UINT(key, max, field)                                                 \
    n = tc->field;                                                            \
    if (consent_tcf_cli_get_uint(o, key, max, &n) != 0) {                     \
        return "bad " key;                                                    \
    }                                                                         \
    tc->field = n;

#define FLAG(key, field)                                                      \
    if (consent_tcf_cli_get_flag(o, key, &flag) != 0) {                       \
        return "bad " key;                                                    \
    }                                                                         \
    tc->field = flag;

#define IDS(obj, key, n, field)                                               \
    if (consent_tcf_cli_get_ids(json_object_get(obj, key), n, &bits) != 0) {  \
        return "bad " key;                                                    \
    }                                                                         \
    tc->field = bits;

    UINT("version", 63, version);
    UINT("created", 0xfffffffffULL, created);
    UINT("lastUpdated", 0xfffffffffULL, last_updated);
    UINT("cmpId", 4095, cmp_id);
    UINT("cmpVersion", 4095, cmp_version);
    UINT("consentScreen", 63, consent_screen);

    if (consent_tcf_cli_get_letters(o, "consentLanguage",
                                    tc->consent_language) != 0)
    {
        return "bad consentLanguage";
    }

    UINT("vendorListVersion", 4095, vendor_list_version);
    UINT("policyVersion", 63, policy_version);
    FLAG("isServiceSpecific", is_service_specific);
    FLAG("useNonStandardTexts", use_non_standard_texts);
    IDS(o, "specialFeatureOptins", CONSENT_TCF_SPECIAL_FEATURES,
        special_feature_opt_ins);
    IDS(o, "purposeConsents", CONSENT_TCF_PURPOSES, purpose_consents);
    IDS(o, "purposeLegitimateInterests", CONSENT_TCF_PURPOSES, purpose_li);
    FLAG("purposeOneTreatment", purpose_one_treatment);

    if (consent_tcf_cli_get_letters(o, "publisherCountryCode",
                                    tc->publisher_cc) != 0)
    {
        return "bad publisherCountryCode";
    }

    if (consent_tcf_cli_get_set(json_object_get(o, "vendorConsents"),
                                &tc->vendor_consents) != 0)
    {
        return "bad vendorConsents";
    }

    if (consent_tcf_cli_get_set(json_object_get(o,
                                                "vendorLegitimateInterests"),
                                &tc->vendor_li) != 0)
    {
        return "bad vendorLegitimateInterests";
    }

    a = json_object_get(o, "publisherRestrictions");

    if (a != NULL && !json_is_array(a)) {
        return "bad publisherRestrictions";
    }

    json_array_foreach(a, i, r) {
        n = 0;
        flag = 0;

        if (consent_tcf_cli_get_uint(r, "purpose", 63, &n) != 0
            || !json_is_array(json_object_get(r, "vendors")))
        {
            return "bad publisherRestrictions";
        }

        prev = (unsigned) n;
        n = 0;

        if (consent_tcf_cli_get_uint(r, "type", 3, &n) != 0) {
            return "bad publisherRestrictions";
        }

        why = "bad publisherRestrictions";

        if (json_array_size(json_object_get(r, "vendors")) == 0) {
            /* a restriction on no vendor: restrict and take it back */
            if (consent_tcf_restrict(tc, prev, (unsigned) n, 1, 1, &why)
                != 0)
            {
                return why;
            }

            tc->nranges--;
            tc->restrictions[tc->nrestrictions - 1].n = 0;
            continue;
        }

        json_array_foreach(json_object_get(r, "vendors"), k, e) {
            id = json_integer_value(e);

            if (!json_is_integer(e) || id < 1 || id > CONSENT_TCF_MAX_ID) {
                return "bad publisherRestrictions";
            }

            from = (unsigned) id;

            if (consent_tcf_restrict(tc, prev, (unsigned) n, from, from,
                                     &why)
                != 0)
            {
                return why;
            }
        }
    }

    e = json_object_get(o, "vendorsDisclosed");
    tc->has_disclosed = (e != NULL && !json_is_null(e));

    if (tc->has_disclosed
        && consent_tcf_cli_get_set(e, &tc->disclosed) != 0)
    {
        return "bad vendorsDisclosed";
    }

    p = json_object_get(o, "publisherTC");
    tc->has_publisher = (p != NULL && !json_is_null(p));

    if (tc->has_publisher) {
        if (!json_is_object(p)) {
            return "bad publisherTC";
        }

        IDS(p, "consents", CONSENT_TCF_PURPOSES, pub_consents);
        IDS(p, "legitimateInterests", CONSENT_TCF_PURPOSES, pub_li);

        n = 0;

        if (consent_tcf_cli_get_uint(p, "numCustomPurposes", 63, &n) != 0) {
            return "bad numCustomPurposes";
        }

        tc->num_custom = (unsigned) n;

        IDS(p, "customConsents", tc->num_custom, custom_consents);
        IDS(p, "customLegitimateInterests", tc->num_custom, custom_li);
    }

#undef UINT
#undef FLAG
#undef IDS

    return NULL;
}


static int
consent_tcf_cli_print(json_t *j, FILE *out)
{
    char  *s;

    s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(j);

    if (s == NULL) {
        fprintf(out, "error: out of memory\n");
        return 1;
    }

    fprintf(out, "%s\n", s);
    free(s);

    return 0;
}


static int
consent_tcf_cli_decode(const char *s, FILE *out)
{
    const char  *why;

    why = "malformed";

    if (consent_tcf_decode(s, strlen(s), &consent_tcf_cli_tc, &why) != 0) {
        fprintf(out, "error: %s\n", why);
        return 1;
    }

    return consent_tcf_cli_print(consent_tcf_cli_to_json(&consent_tcf_cli_tc),
                                 out);
}


static int
consent_tcf_cli_encode(const char *s, FILE *out)
{
    json_t        *o;
    const char    *why;
    json_error_t   err;

    o = json_loads(s, 0, &err);

    if (o == NULL) {
        fprintf(out, "error: not JSON: %s\n", err.text);
        return 1;
    }

    why = consent_tcf_cli_from_json(o, &consent_tcf_cli_tc);
    json_decref(o);

    if (why == NULL) {
        why = "malformed";

        if (consent_tcf_encode(&consent_tcf_cli_tc, consent_tcf_cli_buf,
                               sizeof(consent_tcf_cli_buf), &why)
            >= 0)
        {
            fprintf(out, "%s\n", consent_tcf_cli_buf);
            return 0;
        }
    }

    fprintf(out, "error: %s\n", why);

    return 1;
}


static int
consent_tcf_cli_ac_decode(const char *s, FILE *out)
{
    json_t      *o;
    const char  *why;

    why = "malformed";

    if (consent_tcf_ac_decode(s, strlen(s), &consent_tcf_cli_ac, &why) != 0) {
        fprintf(out, "error: %s\n", why);
        return 1;
    }

    o = json_object();
    json_object_set_new(o, "version",
                        json_integer(consent_tcf_cli_ac.version));
    json_object_set_new(o, "consented",
                        consent_tcf_cli_set(&consent_tcf_cli_ac.consented));
    json_object_set_new(o, "disclosed",
                        consent_tcf_cli_set(&consent_tcf_cli_ac.disclosed));

    return consent_tcf_cli_print(o, out);
}


static int
consent_tcf_cli_ac_encode(const char *s, FILE *out)
{
    json_t        *o;
    const char    *why;
    json_error_t   err;

    o = json_loads(s, 0, &err);

    if (o == NULL || !json_is_object(o)) {
        fprintf(out, "error: not a JSON object\n");
        json_decref(o);
        return 1;
    }

    memset(&consent_tcf_cli_ac, 0, sizeof(consent_tcf_ac_t));
    consent_tcf_cli_ac.version = 2;
    why = NULL;

    if (json_object_get(o, "version") != NULL
        && json_integer_value(json_object_get(o, "version")) != 2)
    {
        why = "only version 2 is written";

    } else if (consent_tcf_cli_get_set(json_object_get(o, "consented"),
                                       &consent_tcf_cli_ac.consented) != 0
               || consent_tcf_cli_get_set(json_object_get(o, "disclosed"),
                                          &consent_tcf_cli_ac.disclosed)
                  != 0)
    {
        why = "bad ids";
    }

    json_decref(o);

    if (why == NULL
        && consent_tcf_ac_encode(&consent_tcf_cli_ac, consent_tcf_cli_buf,
                                 sizeof(consent_tcf_cli_buf), &why)
           >= 0)
    {
        fprintf(out, "%s\n", consent_tcf_cli_buf);
        return 0;
    }

    fprintf(out, "error: %s\n", why ? why : "malformed");

    return 1;
}


static int
consent_tcf_cli_one(int mode, char *line, FILE *out)
{
    size_t  len;

    len = strlen(line);

    while (len && (line[len - 1] == '\n' || line[len - 1] == '\r')) {
        line[--len] = '\0';
    }

    switch (mode) {
    case 0:
        return consent_tcf_cli_decode(line, out);
    case 1:
        return consent_tcf_cli_encode(line, out);
    case 2:
        return consent_tcf_cli_ac_decode(line, out);
    default:
        return consent_tcf_cli_ac_encode(line, out);
    }
}


static int
consent_tcf_cli_gvl(const char *path, FILE *out)
{
    char                err[512];
    consent_tcf_gvl_t  *gvl;

    err[0] = '\0';
    gvl = consent_tcf_gvl_load(path, err, sizeof(err));

    if (gvl == NULL) {
        fprintf(out, "error: %s: %s\n", path, err);
        return 1;
    }

    fprintf(out, "{\"vendorListVersion\":%u,\"tcfPolicyVersion\":%u,"
            "\"lastUpdated\":\"%s\",\"vendors\":%u,\"deleted\":%u,"
            "\"maxVendorId\":%u,\"stacks\":%u}\n",
            gvl->vendor_list_version, gvl->policy_version,
            gvl->last_updated, gvl->nvendors, gvl->ndeleted,
            gvl->max_vendor, gvl->nstacks);

    consent_tcf_gvl_free(gvl);

    return 0;
}


static int
consent_tcf_cli_choose(const consent_tcf_gvl_t *gvl, const char *s,
    FILE *out)
{
    json_t                *o;
    uint64_t               bits;
    const char            *why, *lang, *cc;
    json_error_t           err;
    unsigned long long     cmp, ver, now;
    consent_tcf_choice_t   ch;
    static consent_tcf_set_t  vendors, li_vendors;

    o = json_loads(s, 0, &err);

    if (o == NULL || !json_is_object(o)) {
        fprintf(out, "error: not a JSON object\n");
        json_decref(o);
        return 1;
    }

    memset(&ch, 0, sizeof(consent_tcf_choice_t));
    cmp = 0;
    ver = 0;
    now = 0;
    why = "bad choice";
    lang = json_string_value(json_object_get(o, "consentLanguage"));
    cc = json_string_value(json_object_get(o, "publisherCountryCode"));

    if (consent_tcf_cli_get_uint(o, "cmpId", 4095, &cmp) != 0
        || consent_tcf_cli_get_uint(o, "cmpVersion", 4095, &ver) != 0
        || consent_tcf_cli_get_uint(o, "now", 0xfffffffffULL, &now) != 0
        || consent_tcf_cli_get_ids(json_object_get(o, "purposes"),
                                   CONSENT_TCF_PURPOSES, &bits) != 0
        || (ch.purposes = (uint32_t) bits,
            consent_tcf_cli_get_ids(json_object_get(o,
                                                    "legitimateInterests"),
                                    CONSENT_TCF_PURPOSES, &bits)) != 0
        || (ch.li_purposes = (uint32_t) bits,
            consent_tcf_cli_get_ids(json_object_get(o, "specialFeatures"),
                                    CONSENT_TCF_SPECIAL_FEATURES, &bits))
           != 0
        || (ch.special_features = (uint32_t) bits,
            consent_tcf_cli_get_set(json_object_get(o, "vendors"), &vendors))
           != 0
        || consent_tcf_cli_get_set(json_object_get(o,
                                            "vendorLegitimateInterests"),
                                   &li_vendors) != 0)
    {
        goto failed;
    }

    ch.vendors = &vendors;
    ch.li_vendors = &li_vendors;

    if (consent_tcf_choice(&consent_tcf_cli_tc, gvl, (unsigned) cmp,
                           (unsigned) ver, lang ? lang : "EN",
                           cc ? cc : "AA", (int64_t) now, &ch, &why) != 0
        || consent_tcf_encode(&consent_tcf_cli_tc, consent_tcf_cli_buf,
                              sizeof(consent_tcf_cli_buf), &why) < 0)
    {
        goto failed;
    }

    json_decref(o);
    fprintf(out, "%s\n", consent_tcf_cli_buf);

    return 0;

failed:

    json_decref(o);
    fprintf(out, "error: %s\n", why);

    return 1;
}


int
main(int argc, char **argv)
{
    int          i, mode, failed;
    static char  line[CONSENT_TCF_LINE];

    if (argc < 2) {
        consent_tcf_cli_usage(stderr);
        return 2;
    }

    if (strcmp(argv[1], "gvl") == 0) {
        failed = (argc < 3);

        for (i = 2; i < argc; i++) {
            failed |= consent_tcf_cli_gvl(argv[i], stdout);
        }

        return failed;
    }

    if (strcmp(argv[1], "choose") == 0) {
        static char         err[512];
        consent_tcf_gvl_t  *gvl;

        if (argc < 3) {
            consent_tcf_cli_usage(stderr);
            return 2;
        }

        gvl = consent_tcf_gvl_load(argv[2], err, sizeof(err));

        if (gvl == NULL) {
            fprintf(stdout, "error: %s: %s\n", argv[2], err);
            return 1;
        }

        failed = 0;

        if (argc > 3) {
            for (i = 3; i < argc; i++) {
                failed |= consent_tcf_cli_choose(gvl, argv[i], stdout);
            }

        } else {
            while (fgets(line, sizeof(line), stdin) != NULL) {
                failed |= consent_tcf_cli_choose(gvl, line, stdout);
                fflush(stdout);
            }
        }

        consent_tcf_gvl_free(gvl);

        return failed;
    }

    if (strcmp(argv[1], "decode") == 0) {
        mode = 0;

    } else if (strcmp(argv[1], "encode") == 0) {
        mode = 1;

    } else if (strcmp(argv[1], "ac-decode") == 0) {
        mode = 2;

    } else if (strcmp(argv[1], "ac-encode") == 0) {
        mode = 3;

    } else {
        consent_tcf_cli_usage(strcmp(argv[1], "--help") == 0 ? stdout
                                                              : stderr);
        return strcmp(argv[1], "--help") == 0 ? 0 : 2;
    }

    failed = 0;

    if (argc > 2) {
        for (i = 2; i < argc; i++) {
            failed |= consent_tcf_cli_one(mode, argv[i], stdout);
        }

        return failed;
    }

    while (fgets(line, sizeof(line), stdin) != NULL) {
        failed |= consent_tcf_cli_one(mode, line, stdout);
        fflush(stdout);
    }

    return failed;
}
