
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * consent_tcf cmp: the module is the CMP (docs/tcf.md).  A visitor's
 * TCF choice as the endpoint receives it (the fields of
 * /work/tcf-contract.md: tcf_purpose, tcf_vendor, ... or the JSON "tcf"
 * object), checked against the Global Vendor List and the policy's "tcf"
 * section, turned into a TC string and an AC string and into the
 * policy's categories; whether a TC string still stands for the
 * visitor's choice; IAB's TCData object for __tcfapi.  Pure C with
 * jansson, no nginx headers.
 */


#ifndef _CONSENT_TCF_CMP_H_INCLUDED_
#define _CONSENT_TCF_CMP_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "consent_policy.h"
#include "consent_token.h"
#include "consent_tcf.h"
#include "consent_tcf_gvl.h"
#include "consent_tcf_map.h"


/* a POST body of the second layer names many vendors */
#define CONSENT_TCF_BODY_MAX  (256 * 1024)

/* the TC string and the AC string of a choice, with their NUL */
#define CONSENT_TCF_STRING_MAX  (32 * 1024)


/* the kinds of field a TCF choice has */
typedef enum {
    CONSENT_TCF_PICK_PURPOSE = 0,
    CONSENT_TCF_PICK_PURPOSE_LI,
    CONSENT_TCF_PICK_SPECIAL_FEATURE,
    CONSENT_TCF_PICK_VENDOR,
    CONSENT_TCF_PICK_VENDOR_LI,
    CONSENT_TCF_PICK_ATP,
    CONSENT_TCF_PICK_N
} consent_tcf_pick_e;


/* a visitor's TCF choice as posted; ids as the visitor sent them */
typedef struct {
    unsigned            seen:1;           /* "tcf=1" or a JSON "tcf" */
    uint32_t            purposes;         /* bit (id - 1) */
    uint32_t            purposes_li;      /* legitimate interest kept */
    uint32_t            special_features;
    consent_tcf_set_t   vendors;
    consent_tcf_set_t   vendors_li;
    consent_tcf_set_t   atps;
} consent_tcf_pick_t;


/*
 * The kind of a form field ("tcf_vendor") or of a member of the JSON
 * "tcf" object ("vendors"); -1 when it is none.
 */
int consent_tcf_pick_form_kind(const char *name, size_t len);
int consent_tcf_pick_json_kind(const char *name, size_t len);

/*
 * Adds an id of a kind: 0, or -1 with err ("tcf_purpose 12: must be
 * from 1 to 11", "tcf_vendor 755 is repeated").  The form's names are
 * used in messages for both forms of the body.
 */
int consent_tcf_pick_add(consent_tcf_pick_t *pick, consent_tcf_pick_e kind,
    int64_t id, char *err, size_t errlen);

/*
 * A decimal id as a form sends it: 0 and *id, or -1 (not 1 to 6
 * digits; a leading zero is refused).
 */
int consent_tcf_pick_number(const char *s, size_t len, int64_t *id);

/*
 * What the GVL and the policy allow: every purpose and special feature
 * defined by the list, every vendor on it and not deleted, every Google
 * ATP named by the policy's "tcf" section.  0, or -1 with err.
 */
int consent_tcf_pick_check(const consent_tcf_pick_t *pick,
    const consent_tcf_gvl_t *gvl, const consent_tcf_map_t *map,
    size_t ncategories, char *err, size_t errlen);

/*
 * The pick of "accept" (all == 1: every purpose, special feature,
 * vendor and ATP, every legitimate interest kept) or of "reject" (all
 * == 0: nothing, every legitimate interest objected to).
 */
void consent_tcf_pick_all(consent_tcf_pick_t *pick, int all);


/* the CMP: what consent_tcf_cmp configures */
typedef struct {
    unsigned            cmp_id;           /* 2..4095 */
    unsigned            cmp_version;      /* 1..4095 */
    char                publisher_cc[3];  /* "AA": unknown */
} consent_tcf_cmp_t;


/*
 * A choice into a TC string (consent_tcf_choice(): created at now's
 * day, the GVL's versions, every vendor disclosed) in the visitor's
 * language lang (any tag: its first two letters, "EN" if they are not
 * letters) and, when the policy names Google ATPs, an AC string v2 of
 * them (consented or disclosed).  tc_out and ac_out: at least
 * CONSENT_TCF_STRING_MAX bytes each; *ac_out is "" when there are no
 * ATPs.  *granted: the categories of the policy's "tcf" section that
 * the TC string and AC string grant, required ones, and those of
 * categories (the choice's categories) the section does not name.
 * 0, or -1 with *why.
 */
int consent_tcf_cmp_choose(consent_tcf_t *tc, consent_tcf_ac_t *ac,
    const consent_tcf_pick_t *pick, const consent_tcf_gvl_t *gvl,
    const consent_tcf_map_t *map, const consent_policy_t *policy,
    const consent_tcf_cmp_t *cmp, const char *lang, int64_t now,
    uint32_t categories, uint32_t *granted, char *tc_out, char *ac_out,
    const char **why);

/*
 * Whether a TC string still stands for the visitor's choice, in CMP
 * mode: CONSENT_STATE_VALID; CONSENT_STATE_EXPIRED 390 days after it
 * was last updated; CONSENT_STATE_OUTDATED (re-prompt) when the GVL's
 * TCF policy version is another, when another CMP wrote it, or when
 * consent_tcf_usable() refuses it (*why says why).
 */
consent_state_e consent_tcf_cmp_state(const consent_tcf_t *tc,
    const consent_tcf_gvl_t *gvl, const consent_tcf_cmp_t *cmp,
    int64_t now, const char **why);


/* what IAB's TCData object of a visitor is made of */
typedef struct consent_tcf_state_s {
    const consent_tcf_t *tc;              /* NULL: no usable TC string */
    const char         *tc_string;
    size_t              tc_len;
    const char         *ac_string;        /* NULL: none */
    size_t              ac_len;
    unsigned            cmp_id;
    unsigned            cmp_version;
    unsigned            policy_version;   /* the GVL's */
    char                publisher_cc[3];
    unsigned            shown:1;          /* the banner asks */
    unsigned            compact:1;        /* vendors as "1-6,9,755" */
} consent_tcf_state_t;


/*
 * IAB's TCData (CMP API v2.3): tcString, tcfPolicyVersion, cmpId,
 * cmpVersion, gdprApplies, cmpStatus, eventStatus ("tcloaded", or
 * "cmpuishown" while the banner asks), isServiceSpecific,
 * useNonStandardTexts, publisherCC, purposeOneTreatment, purpose,
 * vendor (consents and legitimate interests: the purposes 1 to 11 each
 * true or false, the vendors with a signal only; with st->compact, the
 * vendors as a string of ranges, "1-6,9,755", which the page's
 * tcfapi.js expands), specialFeatureOptins,
 * publisher, addtlConsent.  NULL on no memory.
 */
json_t *consent_tcf_tcdata(const consent_tcf_state_t *st);

/*
 * IAB's URL macros in in: ${GDPR} becomes "1", ${GDPR_CONSENT_<vendor
 * id>} (1 to 6 digits) the TC string, ${ADDTL_CONSENT} the AC string
 * (both empty without a usable TC string); any other "${" stays.
 * Writes into out (NULL: nothing, for the length) and returns the
 * length; *n: the macros replaced.  Nothing it writes needs escaping in
 * HTML or in a URL (base64url, digits, "~" and ".").
 */
size_t consent_tcf_macros(const char *in, size_t len,
    const consent_tcf_state_t *st, char *out, unsigned *n);


#endif /* _CONSENT_TCF_CMP_H_INCLUDED_ */
