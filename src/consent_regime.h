
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * Consent regimes (docs/regimes.md): which rule applies to a visitor,
 * "opt-in" (the EU's and the UK's), "opt-out" (US states': trackers run
 * until the visitor opts out or sends Global Privacy Control), "notice"
 * (inform only) or "off", and what the visitor's cookie and signals add
 * up to under it.  The policy's "regimes" object names regimes and says,
 * per regime, which categories exist, their defaults, which may be
 * opted out of, which are exempt first-party statistics, its GPP
 * sections and its texts.  Pure C with jansson; no nginx headers.
 */


#ifndef _CONSENT_REGIME_H_INCLUDED_
#define _CONSENT_REGIME_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>

#include "consent_policy.h"
#include "consent_render.h"
#include "consent_gpp.h"


#define CONSENT_REGIMES_MAX      32

/* room for the page's regime JSON beyond the GPP string and the name */
#define CONSENT_REGIME_JSON_MAX  1024


struct json_t;


/* ordered by strictness: a higher value protects more */
typedef enum {
    CONSENT_MODEL_OFF = 0,
    CONSENT_MODEL_NOTICE,
    CONSENT_MODEL_OPT_OUT,
    CONSENT_MODEL_OPT_IN
} consent_model_e;


struct consent_regime_s {
    char                name[CONSENT_REGIME_TAG_MAX + 1];
    size_t              name_len;
    consent_model_e     model;
    unsigned            index;          /* in policy->regimes */
    unsigned            declared:1;     /* in the policy file */

    /* category bits; each holds the required ones where it says so */
    uint32_t            offered;        /* exist in it (required too) */
    uint32_t            defaults;       /* granted before any choice */
    uint32_t            opt_out;        /* opt-out: may be turned off */
    uint32_t            exempt;         /* opt-in: exempt statistics */
    uint32_t            gpc;            /* Sec-GPC: 1 turns them off */

    /* GPP (opt-out only): sections and what each opt-out stands for */
    unsigned            nsections;
    uint16_t            sections[CONSENT_GPP_MAX_APPLICABLE];
    uint32_t            sale;
    uint32_t            sharing;
    uint32_t            targeted;
    unsigned            mspa:1;

    /* its own texts, and the policy as its banner shows it (or NULL) */
    consent_i18n_t      texts[CONSENT_TEXT_N];
    consent_policy_t   *shown;
};


/*
 * Parses root's "regimes" (may be absent) into p->regimes, after the
 * four built-in regimes: "opt-in", "opt-out", "notice" and "off", which
 * the file may redefine.  data and len are the file's text, for the line
 * of an error: "line L: regimes.NAME...: what".  0 or -1.
 */
int consent_regimes_parse(consent_policy_t *p, struct json_t *root,
    const char *data, size_t len, char *err, size_t errlen);

void consent_regimes_free(consent_policy_t *p);

/* the regime of that name, or NULL (an empty or unknown name) */
const consent_regime_t *consent_regime_find(const consent_policy_t *p,
    const char *name, size_t len);

/*
 * What an empty or unknown value falls back to: the strictest regime of
 * the policy (the highest model, then the fewest categories granted
 * before a choice, then the first); with the built-in "opt-in" there is
 * always one in the opt-in model.
 */
const consent_regime_t *consent_regime_strictest(const consent_policy_t *p);

const char *consent_model_name(consent_model_e model);

/* the regime a cookie's tag names: "" is "opt-in"; NULL if unknown */
const consent_regime_t *consent_regime_of_token(const consent_policy_t *p,
    const consent_token_t *tok);

/*
 * A choice made under "from" still holds under "to": the same regime,
 * or one no laxer (model at least as strict, no category granted
 * before a choice that "to" would not grant too).  Otherwise the
 * visitor is asked again.
 */
int consent_regime_carries(const consent_regime_t *from,
    const consent_regime_t *to);

/*
 * Applies rg to a view consent_view_init() made: a cookie of a regime
 * that does not carry becomes OUTDATED; the categories in force become
 * those rg grants (docs/regimes.md); gpc is Sec-GPC: 1, which in the
 * opt-out model turns rg->gpc off (view->gpc says it was honoured).
 */
void consent_regime_view(const consent_policy_t *p,
    const consent_regime_t *rg, consent_view_t *view, int gpc);

/* what a decision under rg stores, from the categories chosen */
uint32_t consent_regime_choice(const consent_policy_t *p,
    const consent_regime_t *rg, uint32_t chosen, int gpc);

/* the cookie's tag for rg: "" for the built-in "opt-in" (format 1) */
const char *consent_regime_tag(const consent_regime_t *rg);

/* the categories the banner ticks for the view */
uint32_t consent_regime_ticked(const consent_view_t *view);

/*
 * The GPP string of the view (its regime's sections) into str and the
 * applicable sections ("7" or "7,8") into sid.  Returns the string's
 * length, 0 when the regime has no GPP sections (str and sid are then
 * ""), or -1.
 */
int consent_regime_gpp(const consent_policy_t *p, const consent_view_t *view,
    char *str, size_t size, char *sid, size_t sidsize);

/*
 * The view's GPP as JSON: null when its regime has no GPP sections,
 * else {"string", "sid": [7, 8], "sections": ["7:usnat", "8:usca"],
 * "parsed": {"usnat": {fields as IAB's CMP API names them}, ...}};
 * NULL when out of memory.  The caller owns the reference.
 */
struct json_t *consent_regime_gpp_json(const consent_policy_t *p,
    const consent_view_t *view);

/*
 * The page's regime state, for the banner's script and its __gpp API:
 * {"regime", "model", "gpc", "gpp"} (gpp as above), with nothing a
 * <script> element could end on.
 * malloc'ed, NUL-terminated; NULL when out of memory.
 */
char *consent_regime_json(const consent_policy_t *p,
    const consent_view_t *view, size_t *len);

/*
 * The banner of the notice model: a notice with the privacy link and one
 * button ("accept_all" text) that records it was seen; hidden once it
 * was.  malloc'ed, NUL-terminated.
 */
char *consent_regime_notice_banner(const consent_policy_t *p,
    const consent_regime_t *rg, const char *lang,
    const consent_render_conf_t *rc, const consent_tpl_vars_t *vars,
    size_t *len);

/* the policy whose texts and categories rg's banner shows */
const consent_policy_t *consent_regime_shown(const consent_policy_t *p,
    const consent_regime_t *rg);


#endif /* _CONSENT_REGIME_H_INCLUDED_ */
