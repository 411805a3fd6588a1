/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * The TCF's first and second layer (CMP mode, docs/tcf.md): HTML the
 * server renders from the Global Vendor List, its translation in the
 * visitor's language and the policy, so that every choice works without
 * JavaScript.  The forms post the fields of the TCF choice
 * (tcf_purpose, tcf_purpose_li, tcf_special_feature, tcf_vendor,
 * tcf_vendor_li, tcf=1) to the consent endpoint.  Every text from the
 * GVL, its translation and the policy is escaped.  Pure C with jansson.
 */


#ifndef _CONSENT_TCF_UI_H_INCLUDED_
#define _CONSENT_TCF_UI_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>

#include "consent_policy.h"
#include "consent_tcf.h"
#include "consent_tcf_gvl.h"
#include "consent_tcf_i18n.h"


typedef struct {
    const char         *endpoint;      /* the forms' action, the links */
    size_t              endpoint_len;
    const char         *ret;           /* the "return" field: a checked path */
    size_t              ret_len;
    const consent_tcf_t *current;      /* the visitor's choice, or NULL */
    uint32_t            granted;       /* the policy's categories ticked */
    unsigned            level;         /* of the second layer's headings */
    unsigned            withdraw:1;    /* a valid consent: a Withdraw button */
    unsigned            bare:1;        /* the fields alone, for the banner's
                                          form: no <form>, no buttons */
} consent_tcf_ui_conf_t;


/*
 * The first layer, a fragment for the banner: the purposes and special
 * features the listed vendors use (by stack where a stack names several
 * of them), the number of vendors, legitimate interest and the right to
 * object, withdrawal at any time, the link to the second layer (the
 * endpoint, with data-consent-open for the banner's script).
 * malloc'ed, NUL-terminated; NULL when out of memory.
 */
char *consent_tcf_ui_first(const consent_tcf_gvl_t *gvl,
    const consent_tcf_tr_t *tr, const consent_policy_t *policy,
    const char *lang, const consent_tcf_ui_conf_t *uc, size_t *len);

/*
 * The second layer, a form: the policy's categories the "tcf" section
 * does not name, each purpose with its consent and legitimate interest
 * (kept by default) boxes, special features (opt in), special purposes
 * and features (information), every vendor not deleted in a <details>
 * with its boxes and declarations; Accept all, Reject all, Save.
 */
char *consent_tcf_ui_second(const consent_tcf_gvl_t *gvl,
    const consent_tcf_tr_t *tr, const consent_policy_t *policy,
    const char *lang, const consent_tcf_ui_conf_t *uc, size_t *len);

/* the second layer as a whole document: the preferences page */
char *consent_tcf_ui_page(const consent_tcf_gvl_t *gvl,
    const consent_tcf_tr_t *tr, const consent_policy_t *policy,
    const char *lang, const consent_tcf_ui_conf_t *uc, size_t *len);


#endif /* _CONSENT_TCF_UI_H_INCLUDED_ */
