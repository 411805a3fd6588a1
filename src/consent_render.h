
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * What the consent endpoint answers: the state as JSON, and the
 * preferences page (a plain HTML form that works without JavaScript).
 * Pure C with jansson; every policy text is escaped.
 */


#ifndef _CONSENT_RENDER_H_INCLUDED_
#define _CONSENT_RENDER_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>

#include "consent_policy.h"
#include "consent_token.h"


struct consent_tcf_state_s;   /* consent_tcf_cmp.h */

/* what the server knows of a visitor's consent */
typedef struct {
    consent_state_e     state;
    consent_token_t     token;      /* meaningful unless ABSENT/INVALID */
    uint32_t            granted;    /* in force: required ones if not VALID */
    int64_t             expires;    /* token.issued + max_age */
    unsigned            nvalid;     /* valid cookies sent (consent_pick) */
    unsigned            conflict:1; /* signed cookies of several ids */
    unsigned            gpc:1;      /* Sec-GPC: 1 honoured (opt-out) */
    const consent_regime_t *regime; /* in force, or NULL: "opt-in" */
    const struct consent_tcf_state_s *tcf;  /* consent_tcf cmp, or NULL */
} consent_view_t;


/* the view of a verified (or absent) cookie */
void consent_view_init(consent_view_t *view, const consent_policy_t *policy,
    consent_state_e state, const consent_token_t *tok);

/*
 * {"state", "id", "revision", "policy_sha256", "granted", "denied",
 * "issued", "expires"} (and "tcf", IAB's TCData, in CMP mode), compact,
 * NUL-terminated, malloc'ed (free()).
 */
char *consent_render_state_json(const consent_policy_t *policy,
    const consent_view_t *view, size_t *len);

/* {"error": message, "status": status}, malloc'ed */
char *consent_render_error_json(int status, const char *message,
    size_t *len);

/*
 * The preferences page in lang, posting to action (the endpoint's path),
 * with a "return" field (a path already checked as same-site).
 * malloc'ed, NUL-terminated.
 */
char *consent_render_page(const consent_policy_t *policy,
    const consent_view_t *view, const char *lang, const char *action,
    size_t action_len, const char *ret, size_t ret_len, size_t *len);

/* banner positions (consent_banner_position) */
typedef enum {
    CONSENT_POSITION_BOTTOM = 0,
    CONSENT_POSITION_TOP,
    CONSENT_POSITION_CENTER
} consent_position_e;


/* what the injected markup needs to know of the server's configuration */
typedef struct {
    const char         *endpoint;       /* the endpoint's location */
    size_t              endpoint_len;
    const char         *version;        /* of the assets, NUL-terminated */
    consent_position_e  position;
    int                 manage_button;  /* the floating "manage" link */
    const char         *domains;        /* consent_domains, shown: "a, b" */
    size_t              domains_len;
    const char         *tcf_first;      /* CMP mode: the TCF's first layer
                                           (consent_tcf_ui_first), shown
                                           instead of the categories */
    size_t              tcf_first_len;
} consent_render_conf_t;


/*
 * What the filter injects, as templates rendered once per policy,
 * language and configuration and filled in per request.
 *
 * After <head>: the state as inert JSON (with the policy's Consent Mode
 * mapping), then the banner's stylesheet and script from the endpoint.
 * No inline script runs, so a strict Content-Security-Policy needs
 * nothing more; a nonce (may be empty) goes on all three.
 *
 * Before </body>: the banner, a dialog holding a plain form to the
 * endpoint (three equal buttons, a second layer of category checkboxes,
 * a "return" field), so that every choice works without JavaScript, and
 * the floating "manage" link.
 */
typedef struct consent_tpl_s  consent_tpl_t;

typedef struct {
    const char         *ret;            /* a path already checked */
    size_t              ret_len;
    uint32_t            granted;        /* categories ticked (banner) */
    unsigned            hidden:1;       /* a valid consent: start hidden */
    unsigned            gpc:1;          /* GPC honoured: say so */
    consent_state_e     state;          /* head: the cookie's state */
    uint32_t            in_force;       /* head: granted, the rest denied */
    const char         *nonce;          /* head: may be NULL */
    size_t              nonce_len;
} consent_tpl_vars_t;

consent_tpl_t *consent_render_head_tpl(const consent_policy_t *policy,
    const consent_render_conf_t *rc);

consent_tpl_t *consent_render_banner_tpl(const consent_policy_t *policy,
    const char *lang, const consent_render_conf_t *rc);

/* at least the length of the filled template */
size_t consent_tpl_size(const consent_tpl_t *tpl,
    const consent_tpl_vars_t *vars);

/* fills out (consent_tpl_size() bytes) and returns the length used */
size_t consent_tpl_fill(const consent_tpl_t *tpl,
    const consent_tpl_vars_t *vars, char *out);

void consent_tpl_free(consent_tpl_t *tpl);

/* each rendered and filled at once, for tools and tests; malloc'ed */
char *consent_render_head(const consent_policy_t *policy,
    const consent_view_t *view, int gpc, const consent_render_conf_t *rc,
    const char *nonce, size_t nonce_len, size_t *len);

char *consent_render_banner(const consent_policy_t *policy,
    const char *lang, const consent_render_conf_t *rc,
    const consent_tpl_vars_t *vars, size_t *len);

/* the language is written right to left (ar, he, fa, ur...) */
int consent_lang_rtl(const char *lang);


/* RFC 3339 UTC, "2026-11-28T03:19:58Z"; out has room for 21 bytes */
void consent_format_time(int64_t t, char *out);


#endif /* _CONSENT_RENDER_H_INCLUDED_ */
