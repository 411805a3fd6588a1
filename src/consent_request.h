
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * What the consent endpoint parses and decides: the choice in a POST
 * body (JSON or form), the resulting categories, the return path of a
 * form, whether a request is cross-site, and the consent cookie among a
 * request's Cookie headers.  Pure C with jansson.
 */


#ifndef _CONSENT_REQUEST_H_INCLUDED_
#define _CONSENT_REQUEST_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>

#include "consent_policy.h"
#include "consent_tcf_cmp.h"


#define CONSENT_BODY_MAX    4096    /* larger POST bodies: 413 */
#define CONSENT_RETURN_MAX  1024


typedef enum {
    CONSENT_ACTION_NONE = 0,
    CONSENT_ACTION_ACCEPT_ALL,
    CONSENT_ACTION_REJECT_ALL,
    CONSENT_ACTION_SAVE,
    CONSENT_ACTION_WITHDRAW
} consent_action_e;


typedef struct {
    consent_action_e    action;
    unsigned            implied:1;  /* JSON "granted" without "action" */
    uint32_t            granted;    /* categories named in the request */
    unsigned            has_return:1;
    size_t              return_len; /* form only; decoded, validated */
    char                return_path[CONSENT_RETURN_MAX + 1];

    /* consent_tcf cmp: the TCF fields, read into the caller's pick */
    consent_tcf_pick_t *tcf;
} consent_choice_t;


/*
 * Both parsers return 0, or -1 with a message for the 400 response in
 * err ("unknown category \"x\"", "malformed JSON: ...").  A JSON body
 * without "action" but with "granted" is a "save".
 *
 * application/x-www-form-urlencoded: action=, granted= (repeated),
 * return=, and with tcf the TCF fields (tcf=1, tcf_purpose=,
 * tcf_purpose_li=, tcf_special_feature=, tcf_vendor=, tcf_vendor_li=,
 * tcf_ac=, decimal ids, repeatable) or in JSON a "tcf" object
 * ("purposes", "purposes_li", "special_features", "vendors",
 * "vendors_li", "google_atps": arrays of integers).  An invalid return
 * path is replaced by "/" rather than
 * refused: the visitor's choice still counts, only the redirect is safe.
 *
 * tcf: in CMP mode (consent_tcf cmp) the TCF fields are read into it
 * (zeroed first; choice->tcf points to it); NULL otherwise, and they
 * are refused as unknown fields.
 */
int consent_choice_parse_json_tcf(const consent_policy_t *policy,
    const char *body, size_t len, consent_choice_t *choice,
    consent_tcf_pick_t *tcf, char *err, size_t errlen);
int consent_choice_parse_form_tcf(const consent_policy_t *policy,
    const char *body, size_t len, consent_choice_t *choice,
    consent_tcf_pick_t *tcf, char *err, size_t errlen);

/* the categories granted by a choice; required ones always are */
uint32_t consent_choice_granted(const consent_policy_t *policy,
    const consent_choice_t *choice);

const char *consent_action_name(consent_action_e action);

/*
 * A same-site path: starts with exactly one '/', not "/\", no control
 * characters, no backslash, nothing a browser would read as another
 * host.  1 if safe.
 */
int consent_return_path_ok(const char *path, size_t len);

/*
 * Cross-site check of a state-changing request: 1 if it must be refused.
 * origin is the Origin header (NULL if absent), self is this server's
 * origin as "scheme://host[:port]" (the Host header as sent), sfs the
 * Sec-Fetch-Site header (NULL if absent).
 */
int consent_cross_site(const char *origin, size_t origin_len,
    const char *self, size_t self_len, const char *sfs, size_t sfs_len);

/*
 * Finds cookies named name in one Cookie header value.  Call with
 * *pos = 0 first; returns 1 and the value (quotes kept, as sent) for
 * each occurrence, 0 when there is no more.
 */
int consent_cookie_next(const char *header, size_t len, size_t *pos,
    const char *name, size_t name_len, const char **value,
    size_t *value_len);

/*
 * The cookie name prefixes browsers enforce (RFC 6265bis, 4.1.3), read
 * without regard to case as browsers do: __Secure- asks for Secure,
 * __Host- for Secure, Path=/ and no Domain.
 */
typedef enum {
    CONSENT_PREFIX_NONE = 0,
    CONSENT_PREFIX_SECURE,
    CONSENT_PREFIX_HOST
} consent_prefix_e;

consent_prefix_e consent_cookie_prefix(const char *name, size_t len);

/*
 * The path (with query) of a Referer on this origin, if it is a safe
 * return path; 0 otherwise.
 */
int consent_referer_path(const char *referer, size_t len, const char *self,
    size_t self_len, const char **path, size_t *path_len);

/* the length of a path without its query string or fragment */
size_t consent_path_only(const char *path, size_t len);

/* 1 when an Accept header asks for HTML rather than JSON */
int consent_accept_html(const char *accept, size_t len);

/* 1 for media type application/json, ignoring parameters and case */
int consent_media_type_is(const char *content_type, size_t len,
    const char *type);


#endif /* _CONSENT_REQUEST_H_INCLUDED_ */
