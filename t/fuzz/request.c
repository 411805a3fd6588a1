
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * What the consent endpoint parses and decides (src/consent_request.c),
 * and the filter's header helpers (src/consent_header.c).
 *
 * Input: 1 byte that picks the parser, then its input (fields separated
 * by '\n' where it takes several).
 *   0  consent_choice_parse_json_tcf (body, not in CMP mode)
 *   1  consent_choice_parse_form_tcf (body, not in CMP mode)
 *   2  consent_cookie_next (a Cookie header; name "consent")
 *   3  consent_return_path_ok (a path), against the rules of
 *      docs/endpoint.md written out again here
 *   4  consent_cross_site (Origin \n self \n Sec-Fetch-Site; a field
 *      that is exactly "-" is absent)
 *   5  consent_referer_path (Referer \n self)
 *   6  consent_accept_html, consent_media_type_is, consent_path_only,
 *      consent_policy_pick_lang (one header value)
 *   7  consent_charset_ascii (Content-Type \n charset),
 *      consent_cache_control_private (Cache-Control)
 *
 * Properties: a choice that parses has a known action and known
 * categories, and a form's return path is a safe one; every refusal has
 * a message that makes a JSON error body; cookie values lie inside the
 * header and the scan ends; Sec-Fetch-Site: cross-site is always refused
 * and a request with neither header never; results stay inside their
 * buffers.
 */


#include <jansson.h>

#include "fuzz.h"
#include "consent_request.h"
#include "consent_header.h"
#include "consent_render.h"


static consent_policy_t  *policy;


int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    policy = fuzz_policy("conf/policy.json");
    return 0;
}


/* the rules of docs/endpoint.md, "Forms" */
static int
ref_return_ok(const char *p, size_t len)
{
    size_t         i;
    unsigned char  c;

    if (len < 1 || len > 1024 || p[0] != '/') {
        return 0;
    }

    if (len > 1 && (p[1] == '/' || p[1] == '\\')) {
        return 0;
    }

    for (i = 0; i < len; i++) {
        c = (unsigned char) p[i];

        if (c < '!' || c > '~' || c == '\\') {
            return 0;
        }
    }

    return 1;
}


/* strncasecmp() stops at a NUL: headers may hold one */
static int
ci_eq(const char *a, const char *b, size_t n)
{
    size_t  i;
    int     x, y;

    for (i = 0; i < n; i++) {
        x = (unsigned char) a[i];
        y = (unsigned char) b[i];
        x = (x >= 'A' && x <= 'Z') ? x + 32 : x;
        y = (y >= 'A' && y <= 'Z') ? y + 32 : y;

        if (x != y) {
            return 0;
        }
    }

    return 1;
}


static int
ci_find(const char *s, size_t len, const char *what)
{
    size_t  i, n;

    n = strlen(what);

    for (i = 0; i + n <= len; i++) {
        if (ci_eq(s + i, what, n)) {
            return 1;
        }
    }

    return 0;
}


static void
check_error(const char *err, size_t errlen)
{
    char          *body;
    size_t         len;
    json_t        *j;
    json_error_t   jerr;

    fuzz_check(memchr(err, '\0', errlen) != NULL && err[0] != '\0',
               "a refusal says why");

    body = consent_render_error_json(400, err, &len);
    fuzz_check(body != NULL, "the error renders");

    j = json_loadb(body, len, 0, &jerr);
    fuzz_check(j != NULL && json_is_object(j), "the error is JSON");
    json_decref(j);
    free(body);
}


static void
check_choice(const consent_choice_t *c)
{
    uint32_t  g;

    fuzz_check(c->action >= CONSENT_ACTION_ACCEPT_ALL
               && c->action <= CONSENT_ACTION_WITHDRAW, "a known action");
    fuzz_check((c->granted & ~policy->all_mask) == 0, "known categories");

    g = consent_choice_granted(policy, c);
    fuzz_check((g & policy->required_mask) == policy->required_mask
               && (g & ~policy->all_mask) == 0, "required always granted");

    fuzz_check(consent_action_name(c->action) != NULL, "action name");
}


static void
fuzz_body(int form, const char *s, size_t len)
{
    int               rc;
    char              err[256];
    consent_choice_t  c;

    memset(err, 'x', sizeof(err));
    memset(&c, 0xa5, sizeof(consent_choice_t));

    if (form) {
        rc = consent_choice_parse_form_tcf(policy, s, len, &c, NULL, err,
                                           sizeof(err));
    } else {
        rc = consent_choice_parse_json_tcf(policy, s, len, &c, NULL, err,
                                           sizeof(err));
    }

    if (rc != 0) {
        fuzz_check(rc == -1, "0 or -1");
        check_error(err, sizeof(err));
        return;
    }

    check_choice(&c);

    if (form && c.has_return) {
        fuzz_check(c.return_len <= CONSENT_RETURN_MAX
                   && c.return_path[c.return_len] == '\0', "return length");
        fuzz_check(ref_return_ok(c.return_path, c.return_len),
                   "a form never redirects elsewhere");
    }
}


static void
fuzz_cookies(const char *s, size_t len)
{
    int          rc;
    size_t       pos, last, n;
    const char  *v;
    size_t       vlen;

    pos = 0;
    last = 0;

    for (n = 0; n <= len + 1; n++) {
        rc = consent_cookie_next(s, len, &pos, "consent", 7, &v, &vlen);

        if (rc == 0) {
            return;
        }

        fuzz_check(rc == 1, "0 or 1");
        fuzz_check(v >= s && v + vlen <= s + len, "value in the header");
        fuzz_check(pos > last || n == 0, "the scan moves on");
        fuzz_check(pos <= len, "pos in the header");
        last = pos;
    }

    fuzz_check(0, "the scan ends");
}


static void
fuzz_cross_site(fuzz_in_t *in)
{
    int          r;
    size_t       olen, slen, flen;
    const char  *o, *s, *f;

    o = fuzz_field(in, '\n', &olen);
    s = fuzz_field(in, '\n', &slen);
    f = fuzz_field(in, '\n', &flen);

    if (olen == 1 && o[0] == '-') {
        o = NULL;
        olen = 0;
    }

    if (flen == 1 && f[0] == '-') {
        f = NULL;
        flen = 0;
    }

    r = consent_cross_site(o, olen, s, slen, f, flen);

    fuzz_check(r == 0 || r == 1, "0 or 1");

    if (f != NULL && flen == 10 && ci_eq(f, "cross-site", 10)) {
        fuzz_check(r == 1, "Sec-Fetch-Site: cross-site is refused");
    }

    if (o == NULL && f == NULL) {
        fuzz_check(r == 0, "no Origin, no Sec-Fetch-Site: accepted");
    }

    if (o != NULL && (olen == 0 || (olen == 4 && ci_eq(o, "null", 4)))) {
        fuzz_check(r == 1, "Origin null is refused");
    }

    if (o != NULL && olen == slen && ci_eq(o, s, olen)
        && olen != 0 && !(olen == 4 && ci_eq(o, "null", 4))
        && !(f != NULL && flen == 10 && ci_eq(f, "cross-site", 10)))
    {
        fuzz_check(r == 0, "our own origin is accepted");
    }
}


static void
fuzz_referer(fuzz_in_t *in)
{
    size_t       rlen, slen, plen;
    const char  *r, *s, *path;

    r = fuzz_field(in, '\n', &rlen);
    s = fuzz_field(in, '\n', &slen);

    path = NULL;
    plen = 0;

    if (consent_referer_path(r, rlen, s, slen, &path, &plen)) {
        fuzz_check(path >= r && path + plen <= r + rlen, "path in referer");
        fuzz_check(ref_return_ok(path, plen), "a safe path");
    }
}


static void
fuzz_headers(const char *s, size_t len)
{
    size_t       n;
    const char  *lang;

    (void) consent_accept_html(s, len);
    (void) consent_media_type_is(s, len, "application/json");
    (void) consent_media_type_is(s, len,
                                 "application/x-www-form-urlencoded");

    n = consent_path_only(s, len);
    fuzz_check(n <= len, "path_only");

    lang = consent_policy_pick_lang(policy, s, len);
    fuzz_check(lang != NULL, "a language");

    for (n = 0; n < policy->nlangs; n++) {
        if (strcmp(lang, policy->langs[n]) == 0) {
            break;
        }
    }

    fuzz_check(n < policy->nlangs, "a language of the policy");
}


static void
fuzz_cache(fuzz_in_t *in)
{
    char        *out;
    size_t       tlen, clen, n;
    const char  *t, *cs;

    t = fuzz_field(in, '\n', &tlen);
    cs = fuzz_field(in, '\n', &clen);

    (void) consent_charset_ascii(t, tlen, cs, clen);
    (void) consent_charset_ascii(t, tlen, NULL, 0);

    /* the rest is a Cache-Control value; out exactly as large as told */
    out = malloc(2 * in->left + 9);

    if (out == NULL) {
        abort();
    }

    n = consent_cache_control_private((const char *) in->p, in->left, out);
    fuzz_check(n <= 2 * in->left + 9, "Cache-Control fits");
    fuzz_check(ci_find(out, n, "private") || ci_find(out, n, "no-store"),
               "private or no-store");

    free(out);
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int          which, r;
    char        *s;
    size_t       len;
    fuzz_in_t    in;

    in.p = data;
    in.left = size;

    which = fuzz_byte(&in) % 8;

    /* the rest, in a buffer of its own size */
    len = in.left;
    s = fuzz_copy(in.p, len);
    in.p = (const uint8_t *) s;

    switch (which) {

    case 0:
    case 1:
        fuzz_body(which, s, len);
        break;

    case 2:
        fuzz_cookies(s, len);
        break;

    case 3:
        r = consent_return_path_ok(s, len);
        fuzz_check(r == ref_return_ok(s, len),
                   "return path rules as documented");
        break;

    case 4:
        fuzz_cross_site(&in);
        break;

    case 5:
        fuzz_referer(&in);
        break;

    case 6:
        fuzz_headers(s, len);
        break;

    default:
        fuzz_cache(&in);
        break;
    }

    free(s);

    return 0;
}
