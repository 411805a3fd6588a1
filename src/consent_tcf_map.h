
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * The policy's "tcf" section and what a TC string grants under it
 * (consent_tcf bridge; docs/tcf.md).  For each category it maps, the
 * TCF purposes that need the visitor's consent, the special features
 * that need an opt-in, the vendors (GVL ids) that need vendor consent,
 * and Google Ad Tech Providers that need Additional Consent:
 *
 *   "tcf": {
 *     "analytics": { "purposes": [1, 8, 9], "vendors": [755] },
 *     "marketing": { "purposes": [1, 2, 3, 4], "special_features": [1],
 *                    "vendors": [755], "google_atps": [89] }
 *   }
 *
 * A category is granted when all of it holds; a category the section
 * does not name is never granted by a TC string (required ones always
 * are).  Pure C with jansson, no nginx headers.
 */


#ifndef _CONSENT_TCF_MAP_H_INCLUDED_
#define _CONSENT_TCF_MAP_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "consent_policy.h"
#include "consent_tcf.h"


#define CONSENT_TCF_MAP_IDS_MAX  1024   /* vendors or ATPs of a category */

/* TCF 2.3 defines purposes 1-11 and special features 1-2 */
#define CONSENT_TCF_MAP_PURPOSES          11
#define CONSENT_TCF_MAP_SPECIAL_FEATURES  2

/* a TC string older than this is expired: the TCF's 13 months */
#define CONSENT_TCF_MAX_AGE  (390 * 86400)


typedef struct {
    unsigned            mapped:1;
    uint32_t            purposes;          /* bit (id - 1) */
    uint32_t            special_features;
    uint16_t           *vendors;
    size_t              nvendors;
    uint16_t           *atps;
    size_t              natps;
} consent_tcf_need_t;


typedef struct {
    consent_tcf_need_t  need[CONSENT_MAX_CATEGORIES];
    size_t              nmapped;
} consent_tcf_map_t;


/*
 * Parses the "tcf" value of policy p (its categories already parsed):
 * 0 and *out (malloc'ed), or -1 with err "tcf.marketing.purposes[1]:
 * ...": an unknown or required category, an unknown key, an id out of
 * range or repeated, a category that needs nothing.
 */
int consent_tcf_map_parse(const consent_policy_t *p, json_t *v,
    consent_tcf_map_t **out, char *err, size_t errlen);

void consent_tcf_map_free(consent_tcf_map_t *m);

/* the categories tc (and ac, may be NULL) grant: required ones too */
uint32_t consent_tcf_map_granted(const consent_tcf_map_t *m,
    const consent_policy_t *p, const consent_tcf_t *tc,
    const consent_tcf_ac_t *ac);

/*
 * Whether a decoded TC string may stand for a visitor's consent at now
 * (seconds): 0, 1 when older than CONSENT_TCF_MAX_AGE, -1 with *why on
 * no CMP id, a policy version before 4 (TCF 2.2), no vendor list
 * version, a time in the future (a day's leeway) or last updated
 * before created.
 */
int consent_tcf_usable(const consent_tcf_t *tc, int64_t now,
    const char **why);

/*
 * SHA-256 of a TC string: the audit log keeps this, never the string
 * (personal data, CJEU C-604/22).  0 or -1.
 */
int consent_tcf_digest(const char *s, size_t len, unsigned char out[32]);


#endif /* _CONSENT_TCF_MAP_H_INCLUDED_ */
