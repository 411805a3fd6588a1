
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


/* what the server knows of a visitor's consent */
typedef struct {
    consent_state_e     state;
    consent_token_t     token;      /* meaningful unless ABSENT/INVALID */
    uint32_t            granted;    /* in force: required ones if not VALID */
    int64_t             expires;    /* token.issued + max_age */
} consent_view_t;


/* the view of a verified (or absent) cookie */
void consent_view_init(consent_view_t *view, const consent_policy_t *policy,
    consent_state_e state, const consent_token_t *tok);

/*
 * {"state", "id", "revision", "policy_sha256", "granted", "denied",
 * "issued", "expires"}, compact, NUL-terminated, malloc'ed (free()).
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

/*
 * What the filter injects after <head>: the state the banner's
 * JavaScript reads, as inert JSON (no inline script runs, so a strict
 * Content-Security-Policy needs nothing more).  malloc'ed.
 */
char *consent_render_head(const consent_policy_t *policy,
    const consent_view_t *view, const char *endpoint, size_t endpoint_len,
    size_t *len);

/*
 * The banner injected before </body>: the notice and three equal
 * buttons in a plain form to the endpoint, so it works without
 * JavaScript.  malloc'ed.
 */
char *consent_render_banner(const consent_policy_t *policy,
    const char *lang, const char *endpoint, size_t endpoint_len,
    const char *ret, size_t ret_len, size_t *len);

/* the "manage preferences" link injected instead of the banner */
char *consent_render_manage(const consent_policy_t *policy,
    const char *lang, const char *endpoint, size_t endpoint_len,
    size_t *len);

/* RFC 3339 UTC, "2026-11-28T03:19:58Z"; out has room for 21 bytes */
void consent_format_time(int64_t t, char *out);


#endif /* _CONSENT_RENDER_H_INCLUDED_ */
