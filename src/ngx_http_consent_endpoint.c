
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * The consent endpoint: GET answers the state (JSON) or the preferences
 * page (HTML), POST records a choice, DELETE withdraws.  The core parses
 * and decides; this file reads the body, sets the cookie and answers.
 */


#include "ngx_http_consent_module.h"


#define NGX_HTTP_CONSENT_ERRLEN  256


static ngx_int_t ngx_http_consent_get(ngx_http_request_t *r,
    ngx_http_consent_loc_conf_t *clcf);
static void ngx_http_consent_post_body(ngx_http_request_t *r);
static ngx_int_t ngx_http_consent_post(ngx_http_request_t *r);
static ngx_int_t ngx_http_consent_read_body(ngx_http_request_t *r,
    ngx_str_t *body);
static ngx_int_t ngx_http_consent_decide(ngx_http_request_t *r,
    consent_choice_t *choice, ngx_uint_t form);
static ngx_int_t ngx_http_consent_record(ngx_http_request_t *r,
    consent_choice_t *choice, consent_view_t *view, consent_token_t *tok,
    char *id, ngx_uint_t form, const char *tcf_sha256);
static ngx_int_t ngx_http_consent_self(ngx_http_request_t *r,
    ngx_str_t *self);
static ngx_int_t ngx_http_consent_return_arg(ngx_http_request_t *r,
    ngx_str_t *path);
static ngx_int_t ngx_http_consent_referer_page(ngx_http_request_t *r,
    const char **page, size_t *len);
static ngx_int_t ngx_http_consent_add_header(ngx_http_request_t *r,
    const char *key, size_t key_len, u_char *value, size_t value_len);
static ngx_int_t ngx_http_consent_error(ngx_http_request_t *r,
    ngx_uint_t status, const char *message);


#define ngx_http_consent_add_header_str(r, key, value)                       \
    ngx_http_consent_add_header(r, key, sizeof(key) - 1,                     \
                                (u_char *) value, sizeof(value) - 1)


static ngx_str_t  ngx_http_consent_json_type =
    ngx_string("application/json");
static ngx_str_t  ngx_http_consent_html_type =
    ngx_string("text/html; charset=utf-8");


ngx_int_t
ngx_http_consent_endpoint_handler(ngx_http_request_t *r)
{
    ngx_int_t                     rc;
    ngx_http_core_loc_conf_t     *core;
    ngx_http_consent_loc_conf_t  *clcf;

    clcf = ngx_http_get_module_loc_conf(r, ngx_http_consent_module);
    core = ngx_http_get_module_loc_conf(r, ngx_http_core_module);

    /* the banner's script and stylesheet, under a prefix location */

    if (r->uri.len > core->name.len
        && core->name.len > 0
        && core->name.data[core->name.len - 1] == '/'
        && ngx_strncmp(r->uri.data, core->name.data, core->name.len) == 0)
    {
        rc = ngx_http_consent_asset_handler(r, r->uri.data + core->name.len,
                                            r->uri.len - core->name.len);

        if (rc == NGX_HTTP_NOT_ALLOWED) {
            if (ngx_http_discard_request_body(r) != NGX_OK) {
                return NGX_HTTP_INTERNAL_SERVER_ERROR;
            }

            if (ngx_http_consent_add_header_str(r, "Allow", "GET, HEAD")
                != NGX_OK)
            {
                return NGX_HTTP_INTERNAL_SERVER_ERROR;
            }

            return ngx_http_consent_error(r, NGX_HTTP_NOT_ALLOWED,
                                          "method not allowed");
        }

        if (rc != NGX_DECLINED) {
            return rc;
        }
    }

    if (ngx_http_consent_add_header_str(r, "Cache-Control", "no-store")
        != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (r->uri.len != core->name.len
        || ngx_strncmp(r->uri.data, core->name.data, r->uri.len) != 0)
    {
        if (ngx_http_discard_request_body(r) != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        return ngx_http_consent_error(r, NGX_HTTP_NOT_FOUND, "not found");
    }

    switch (r->method) {

    case NGX_HTTP_GET:
    case NGX_HTTP_HEAD:

        if (ngx_http_discard_request_body(r) != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        return ngx_http_consent_get(r, clcf);

    case NGX_HTTP_POST:

        if (ngx_http_consent_cross_site(r)) {
            if (ngx_http_discard_request_body(r) != NGX_OK) {
                return NGX_HTTP_INTERNAL_SERVER_ERROR;
            }

            return ngx_http_consent_error(r, NGX_HTTP_FORBIDDEN,
                                          "cross-site request refused");
        }

        if (r->headers_in.content_length_n
            > (off_t) ngx_http_consent_body_max(clcf))
        {
            if (ngx_http_discard_request_body(r) != NGX_OK) {
                return NGX_HTTP_INTERNAL_SERVER_ERROR;
            }

            return ngx_http_consent_error(r,
                                          NGX_HTTP_REQUEST_ENTITY_TOO_LARGE,
                                          "body too large");
        }

        rc = ngx_http_read_client_request_body(r,
                                               ngx_http_consent_post_body);

        if (rc >= NGX_HTTP_SPECIAL_RESPONSE) {
            return rc;
        }

        return NGX_DONE;

    case NGX_HTTP_DELETE:

        if (ngx_http_discard_request_body(r) != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        if (ngx_http_consent_cross_site(r)) {
            return ngx_http_consent_error(r, NGX_HTTP_FORBIDDEN,
                                          "cross-site request refused");
        }

        {
        consent_choice_t  choice;

        ngx_memzero(&choice, sizeof(consent_choice_t));
        choice.action = CONSENT_ACTION_WITHDRAW;

        return ngx_http_consent_decide(r, &choice, 0);
        }

    default:

        if (ngx_http_discard_request_body(r) != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        if (ngx_http_consent_add_header_str(r, "Allow",
                                            "GET, HEAD, POST, DELETE")
            != NGX_OK)
        {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        return ngx_http_consent_error(r, NGX_HTTP_NOT_ALLOWED,
                                      "method not allowed");
    }
}


static ngx_int_t
ngx_http_consent_get(ngx_http_request_t *r,
    ngx_http_consent_loc_conf_t *clcf)
{
    char                      *out;
    size_t                     len, rlen;
    ngx_int_t                  rc;
    ngx_str_t                  arg;
    const char                *lang, *ret;
    consent_view_t            *view;
    ngx_table_elt_t           *accept, *al;
    ngx_http_core_loc_conf_t  *core;

    /* a choice carried from another of the site's domains */

    if (ngx_http_arg(r, (u_char *) "handoff", sizeof("handoff") - 1, &arg)
        == NGX_OK)
    {
        return ngx_http_consent_handoff_receive(r, clcf, &arg);
    }

    view = ngx_http_consent_view(r);
    if (view == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    accept = r->headers_in.accept;

    if (accept == NULL
        || !consent_accept_html((const char *) accept->value.data,
                                accept->value.len))
    {
        out = consent_render_state_json(clcf->policy, view, &len);

        return ngx_http_consent_send_malloced(r, NGX_HTTP_OK,
                                              &ngx_http_consent_json_type,
                                              out, len);
    }

    al = ngx_http_consent_header_in_str(r, "Accept-Language");

    lang = consent_policy_pick_lang(clcf->policy,
                                    al ? (const char *) al->value.data
                                       : NULL,
                                    al ? al->value.len : 0);

    /* back to the page the visitor came from, if it is one of ours */

    ret = "/";
    rlen = 1;

    /* the banner's "customise" button, without JavaScript, says it */

    rc = ngx_http_consent_return_arg(r, &arg);

    if (rc == NGX_ERROR) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (rc == NGX_OK) {
        ret = (const char *) arg.data;
        rlen = arg.len;

    } else {
        (void) ngx_http_consent_referer_page(r, &ret, &rlen);
    }

    core = ngx_http_get_module_loc_conf(r, ngx_http_core_module);

    /*
     * CMP mode: the TCF's second layer (ngx_http_consent_tcf_ui.c);
     * otherwise the categories, in the regime's words (opt-out's "Do Not
     * Sell or Share")
     */

    switch (ngx_http_consent_tcf_ui_page(r, clcf, view, lang, ret, rlen,
                                         &out, &len))
    {
    case NGX_DECLINED:
        out = consent_render_page(consent_regime_shown(clcf->policy,
                                                       view->regime),
                                  view, lang,
                                  (const char *) core->name.data,
                                  core->name.len, ret, rlen, &len);
        break;

    case NGX_OK:
        break;

    default:
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /* a framed preferences page could be clicked through by another site */

    if (ngx_http_consent_add_header_str(r, "Content-Security-Policy",
                                        "frame-ancestors 'self'")
        != NGX_OK
        || ngx_http_consent_add_header_str(r, "X-Frame-Options",
                                           "SAMEORIGIN")
           != NGX_OK
        || ngx_http_consent_add_header(r, "Content-Language",
                                       sizeof("Content-Language") - 1,
                                       (u_char *) lang, ngx_strlen(lang))
           != NGX_OK)
    {
        free(out);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_consent_send_malloced(r, NGX_HTTP_OK,
                                          &ngx_http_consent_html_type,
                                          out, len);
}


static void
ngx_http_consent_post_body(ngx_http_request_t *r)
{
    ngx_http_finalize_request(r, ngx_http_consent_post(r));
}


static ngx_int_t
ngx_http_consent_post(ngx_http_request_t *r)
{
    char                          err[NGX_HTTP_CONSENT_ERRLEN];
    ngx_int_t                     rc;
    ngx_str_t                     body;
    ngx_uint_t                    form;
    ngx_table_elt_t              *ct;
    consent_choice_t              choice;
    consent_tcf_pick_t           *tcf;
    ngx_http_consent_loc_conf_t  *clcf;

    clcf = ngx_http_get_module_loc_conf(r, ngx_http_consent_module);

    rc = ngx_http_consent_read_body(r, &body);

    if (rc == NGX_DECLINED) {
        return ngx_http_consent_error(r, NGX_HTTP_REQUEST_ENTITY_TOO_LARGE,
                                      "body too large");
    }

    if (rc != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ct = r->headers_in.content_type;

    if (ct && consent_media_type_is((const char *) ct->value.data,
                                    ct->value.len, "application/json"))
    {
        form = 0;

    } else if (ct && consent_media_type_is((const char *) ct->value.data,
                                           ct->value.len,
                                           "application/x-www-form-urlencoded"))
    {
        form = 1;

    } else {
        return ngx_http_consent_error(r, NGX_HTTP_UNSUPPORTED_MEDIA_TYPE,
                                      "the body must be application/json or "
                                      "application/x-www-form-urlencoded");
    }

    err[0] = '\0';

    /* consent_tcf cmp: the TCF fields too (a pick is some 24 KB) */

    tcf = NULL;

    if (clcf->tcf == NGX_HTTP_CONSENT_TCF_CMP) {
        tcf = ngx_palloc(r->pool, sizeof(consent_tcf_pick_t));
        if (tcf == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    if (form) {
        rc = consent_choice_parse_form_tcf(clcf->policy,
                                           (const char *) body.data,
                                           body.len, &choice, tcf, err,
                                           sizeof(err));
    } else {
        rc = consent_choice_parse_json_tcf(clcf->policy,
                                           (const char *) body.data,
                                           body.len, &choice, tcf, err,
                                           sizeof(err));
    }

    if (rc != 0
        || ngx_http_consent_tcf_check(r, clcf, &choice, err, sizeof(err))
           != NGX_OK)
    {
        return ngx_http_consent_error(r, NGX_HTTP_BAD_REQUEST, err);
    }

    return ngx_http_consent_decide(r, &choice, form);
}


/* NGX_DECLINED: larger than a choice can be */

static ngx_int_t
ngx_http_consent_read_body(ngx_http_request_t *r, ngx_str_t *body)
{
    u_char                       *p;
    size_t                        len;
    ssize_t                       n;
    ngx_buf_t                    *b;
    ngx_chain_t                  *cl;
    ngx_http_consent_loc_conf_t  *clcf;

    clcf = ngx_http_get_module_loc_conf(r, ngx_http_consent_module);

    body->len = 0;
    body->data = NULL;

    if (r->request_body == NULL) {
        return NGX_OK;
    }

    len = 0;

    for (cl = r->request_body->bufs; cl; cl = cl->next) {
        b = cl->buf;
        len += b->in_file ? (size_t) (b->file_last - b->file_pos)
                          : (size_t) (b->last - b->pos);
    }

    if (len > ngx_http_consent_body_max(clcf)) {
        return NGX_DECLINED;
    }

    p = ngx_pnalloc(r->pool, len + 1);
    if (p == NULL) {
        return NGX_ERROR;
    }

    body->data = p;

    for (cl = r->request_body->bufs; cl; cl = cl->next) {
        b = cl->buf;

        if (b->in_file) {
            n = ngx_read_file(b->file, p, b->file_last - b->file_pos,
                              b->file_pos);
            if (n != b->file_last - b->file_pos) {
                return NGX_ERROR;
            }

            p += n;

        } else {
            p = ngx_cpymem(p, b->pos, b->last - b->pos);
        }
    }

    body->len = p - body->data;

    return NGX_OK;
}


static ngx_int_t
ngx_http_consent_decide(ngx_http_request_t *r, consent_choice_t *choice,
    ngx_uint_t form)
{
    char                          id[CONSENT_ID_B64_LEN + 1];
    char                         *out;
    size_t                        len, rlen;
    ngx_str_t                     self, handoff;
    const char                   *ret;
    consent_view_t               *view, next;
    consent_token_t               tok;
    ngx_http_consent_tcf_out_t   *tcf;
    ngx_http_consent_loc_conf_t  *clcf;

    clcf = ngx_http_get_module_loc_conf(r, ngx_http_consent_module);

    view = ngx_http_consent_view(r);
    if (view == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_memzero(&tok, sizeof(consent_token_t));

    if (ngx_http_consent_goes_on(view)) {
        ngx_memcpy(tok.id, view->token.id, CONSENT_ID_LEN);

    } else if (consent_id_generate(tok.id) != 0) {
        ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                      "consent: RAND_bytes() failed");
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    tok.issued = (int64_t) ngx_time();
    tok.revision = clcf->policy->revision;
    tok.granted = consent_choice_granted(clcf->policy, choice);

    /* consent_tcf cmp: the TC string's categories (docs/tcf.md) */

    tcf = NULL;

    if (clcf->tcf == NGX_HTTP_CONSENT_TCF_CMP) {
        tcf = ngx_http_consent_tcf_choose(r, clcf, choice, &tok.granted);
        if (tcf == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    tok.granted = ngx_http_consent_regime_choice(r, clcf, tok.granted, &tok);

    consent_id_format(tok.id, id);

    if (view->conflict) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "consent: cookies of several consent ids were sent "
                      "(%ud valid), the decision starts consent id %s",
                      view->nvalid, id);
    }

    /*
     * The proof comes before the cookie: a decision the audit log cannot
     * record gets a 503 and no cookie
     */

    if (ngx_http_consent_record(r, choice, view, &tok, id, form,
                                tcf && tcf->tc.len ? tcf->sha256 : NULL)
        != NGX_OK)
    {
        return ngx_http_consent_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                      "the consent could not be recorded");
    }

    ngx_log_debug4(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "consent: %s id=%s revision=%uD granted=%uxD",
                   consent_action_name(choice->action), id, tok.revision,
                   tok.granted);

    if (ngx_http_consent_set_cookie(r, clcf, &tok) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (tcf && ngx_http_consent_tcf_cookies(r, clcf, tcf) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /* what the choice leaves off goes, HttpOnly and parent-domain too */

    if (ngx_http_consent_cookies_expire(r, clcf, tok.granted) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_http_consent_stat_choice(r, choice->action, tok.granted);

    consent_view_init(&next, clcf->policy, CONSENT_STATE_VALID, &tok);
    next.tcf = tcf ? tcf->state : NULL;
    ngx_http_consent_regime_apply(r, clcf, &next);

    if (ngx_http_consent_regime_header(r, clcf, &next) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ngx_http_consent_set_view(r, &next) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (form && !choice->has_return) {
        choice->return_path[0] = '/';
        choice->return_len = 1;
    }

    /*
     * the other domains of consent_domains: the answer sends the
     * browser along them (docs/domains.md), back to the same page
     */

    ret = "/";
    rlen = 1;

    if (form) {
        ret = choice->return_path;
        rlen = choice->return_len;

    } else if (ngx_http_consent_return_arg(r, &self) == NGX_OK) {
        /* the banner's script says its page: a page may send no Referer */
        ret = (const char *) self.data;
        rlen = self.len;

    } else {
        (void) ngx_http_consent_referer_page(r, &ret, &rlen);
    }

    if (ngx_http_consent_handoff_start(r, clcf, &tok, ret, rlen, &handoff)
        != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (form && handoff.len) {
        return ngx_http_consent_send_redirect(r, handoff.data, handoff.len);
    }

    if (form) {

        r->headers_out.location = ngx_list_push(&r->headers_out.headers);
        if (r->headers_out.location == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        r->headers_out.location->hash = 1;
#if (nginx_version >= 1023000)
        r->headers_out.location->next = NULL;
#endif
        ngx_str_set(&r->headers_out.location->key, "Location");
        r->headers_out.location->value.len = choice->return_len;
        r->headers_out.location->value.data =
                                  ngx_pnalloc(r->pool, choice->return_len);
        if (r->headers_out.location->value.data == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        ngx_memcpy(r->headers_out.location->value.data, choice->return_path,
                   choice->return_len);

        return ngx_http_consent_send(r, NGX_HTTP_SEE_OTHER, NULL, NULL, 0);
    }

    out = consent_render_state_json(clcf->policy, &next, &len);

    if (handoff.len) {
        out = consent_handoff_json(out, &len, (const char *) handoff.data,
                                   handoff.len);
    }

    return ngx_http_consent_send_malloced(r, NGX_HTTP_OK,
                                          &ngx_http_consent_json_type,
                                          out, len);
}


/*
 * "?return=PATH", unescaped, if it is a safe path; else NGX_DECLINED
 * (NGX_ERROR when out of memory)
 */

static ngx_int_t
ngx_http_consent_return_arg(ngx_http_request_t *r, ngx_str_t *path)
{
    u_char     *dst, *src;
    ngx_str_t   arg;

    if (ngx_http_arg(r, (u_char *) "return", sizeof("return") - 1, &arg)
        != NGX_OK)
    {
        return NGX_DECLINED;
    }

    dst = ngx_pnalloc(r->pool, arg.len);
    if (dst == NULL) {
        return NGX_ERROR;
    }

    path->data = dst;
    src = arg.data;
    ngx_unescape_uri(&dst, &src, arg.len, 0);
    path->len = dst - path->data;

    if (!consent_return_path_ok((const char *) path->data, path->len)) {
        return NGX_DECLINED;
    }

    return NGX_OK;
}


/*
 * The path (with query) of the request's Referer when it is a page of
 * this origin and a safe return path, into *page and *len; else
 * NGX_DECLINED, with *page and *len as they were
 */

static ngx_int_t
ngx_http_consent_referer_page(ngx_http_request_t *r, const char **page,
    size_t *len)
{
    size_t            plen;
    ngx_str_t         self;
    const char       *p;
    ngx_table_elt_t  *referer;

    referer = r->headers_in.referer;

    if (referer == NULL
        || ngx_http_consent_self(r, &self) != NGX_OK
        || !consent_referer_path((const char *) referer->value.data,
                                 referer->value.len,
                                 (const char *) self.data, self.len,
                                 &p, &plen))
    {
        return NGX_DECLINED;
    }

    *page = p;
    *len = plen;

    return NGX_OK;
}


/* a 303 to an absolute URL or a path (the hand-off's next hop) */

ngx_int_t
ngx_http_consent_send_redirect(ngx_http_request_t *r, u_char *location,
    size_t len)
{
    r->headers_out.location = ngx_http_consent_header_out(r, "Location",
                                                  sizeof("Location") - 1,
                                                  location, len);
    if (r->headers_out.location == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_consent_send(r, NGX_HTTP_SEE_OTHER, NULL, NULL, 0);
}


ngx_int_t
ngx_http_consent_send_error(ngx_http_request_t *r, ngx_uint_t status,
    const char *message)
{
    return ngx_http_consent_error(r, status, message);
}


static ngx_int_t
ngx_http_consent_record(ngx_http_request_t *r, consent_choice_t *choice,
    consent_view_t *view, consent_token_t *tok, char *id, ngx_uint_t form,
    const char *tcf_sha256)
{
    char                          ip[64];
    size_t                        plen;
    const char                   *page;
    consent_record_t              rec;
    ngx_http_consent_loc_conf_t  *clcf;

    clcf = ngx_http_get_module_loc_conf(r, ngx_http_consent_module);

    if (clcf->logs == NULL) {
        return NGX_OK;
    }

    ngx_http_consent_record_init(r, clcf, &rec, id, ip);

    rec.mechanism = choice->implied ? "api"
                                    : consent_action_name(choice->action);
    /* a consent whose id goes on is an update, even if it had expired */

    rec.action = consent_record_action(rec.mechanism,
                                       ngx_http_consent_goes_on(view),
                                       tok->granted,
                                       clcf->policy->required_mask);
    rec.policy = clcf->policy;
    rec.granted = tok->granted;
    rec.tcf_sha256 = tcf_sha256;

    rec.regime = ngx_http_consent_regime_name(r);

    /* the page of the choice: the form's return path, else the referer */

    page = NULL;
    plen = 0;

    if (form && choice->has_return) {
        page = choice->return_path;
        plen = choice->return_len;

    } else {
        (void) ngx_http_consent_referer_page(r, &page, &plen);
    }

    rec.page.data = page;
    rec.page.len = page ? consent_path_only(page, plen) : 0;

    return ngx_http_consent_log_decision(r, &rec);
}


/*
 * A consent whose signature verified keeps its id, so an auditor sees one
 * history per visitor; anything else starts a new one.  So do cookies of
 * several ids (one may be planted by a sibling subdomain): nothing tells
 * which is the visitor's own, and a choice must never go on under an id
 * someone else holds.
 */

ngx_uint_t
ngx_http_consent_goes_on(consent_view_t *view)
{
    if (view->conflict) {
        return 0;
    }

    return view->state == CONSENT_STATE_VALID
           || view->state == CONSENT_STATE_EXPIRED
           || view->state == CONSENT_STATE_OUTDATED;
}


/*
 * The consent cookie, tok signed with the location's keys.  Path=/ and,
 * unless consent_cookie_domain says otherwise, no Domain: the cookie
 * replaces the one this host set before, never a parent domain's
 */

ngx_int_t
ngx_http_consent_set_cookie(ngx_http_request_t *r,
    ngx_http_consent_loc_conf_t *clcf, consent_token_t *tok)
{
    int   n;
    char  value[CONSENT_TOKEN_MAX + 1];

    n = consent_token_encode(clcf->keys,
                             (const char *) clcf->cookie_name.data,
                             clcf->cookie_name.len, tok, value,
                             sizeof(value));
    if (n < 0) {
        ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                      "consent: signing the cookie failed");
        return NGX_ERROR;
    }

    return ngx_http_consent_cookie_out(r, clcf, &clcf->cookie_name,
                                       (u_char *) value, n,
                                       clcf->policy->max_age, 1);
}


/*
 * Set-Cookie: name=value; Path=/; Max-Age; SameSite=Lax, HttpOnly if
 * asked, Secure as consent_cookie_secure says (always for a __Host- or
 * __Secure- name) and consent_cookie_domain's Domain: every cookie the
 * module sets
 */

ngx_int_t
ngx_http_consent_cookie_out(ngx_http_request_t *r,
    ngx_http_consent_loc_conf_t *clcf, ngx_str_t *name, u_char *value,
    size_t len, int64_t max_age, ngx_uint_t httponly)
{
    u_char      *cookie, *p;
    size_t       size;
    ngx_uint_t   secure;

    switch (clcf->cookie_secure) {

    case NGX_HTTP_CONSENT_SECURE_ON:
        secure = 1;
        break;

    case NGX_HTTP_CONSENT_SECURE_OFF:
        secure = 0;
        break;

    default:
#if (NGX_HTTP_SSL)
        secure = r->connection->ssl != NULL;
#else
        secure = 0;
#endif
        break;
    }

    /* browsers drop a __Host- or __Secure- cookie without Secure */

    if (consent_cookie_prefix((const char *) name->data, name->len)
        != CONSENT_PREFIX_NONE)
    {
        secure = 1;
    }

    size = name->len + 1 + len
           + sizeof("; Path=/; Max-Age=") - 1 + NGX_INT64_LEN
           + sizeof("; SameSite=Lax; HttpOnly") - 1
           + sizeof("; Secure") - 1
           + sizeof("; Domain=") - 1 + clcf->cookie_domain.len;

    cookie = ngx_pnalloc(r->pool, size);
    if (cookie == NULL) {
        return NGX_ERROR;
    }

    p = ngx_sprintf(cookie, "%V=%*s; Path=/; Max-Age=%L; SameSite=Lax",
                    name, len, value, max_age);

    if (httponly) {
        p = ngx_cpymem(p, "; HttpOnly", sizeof("; HttpOnly") - 1);
    }

    if (secure) {
        p = ngx_cpymem(p, "; Secure", sizeof("; Secure") - 1);
    }

    if (clcf->cookie_domain.len) {
        p = ngx_sprintf(p, "; Domain=%V", &clcf->cookie_domain);
    }

    return ngx_http_consent_add_header(r, "Set-Cookie",
                                       sizeof("Set-Cookie") - 1,
                                       cookie, p - cookie);
}


/*
 * A request from another site (Sec-Fetch-Site, else Origin against this
 * server's origin); neither header: a same-site one
 */

ngx_int_t
ngx_http_consent_cross_site(ngx_http_request_t *r)
{
    ngx_str_t         self;
    ngx_table_elt_t  *origin, *sfs;

    origin = ngx_http_consent_header_in_str(r, "Origin");
    sfs = ngx_http_consent_header_in_str(r, "Sec-Fetch-Site");

    if (origin == NULL && sfs == NULL) {
        return 0;
    }

    if (ngx_http_consent_self(r, &self) != NGX_OK) {
        return 1;
    }

    return consent_cross_site(origin ? (const char *) origin->value.data
                                     : NULL,
                              origin ? origin->value.len : 0,
                              (const char *) self.data, self.len,
                              sfs ? (const char *) sfs->value.data : NULL,
                              sfs ? sfs->value.len : 0);
}


/* this server's origin as the client addressed it */

static ngx_int_t
ngx_http_consent_self(ngx_http_request_t *r, ngx_str_t *self)
{
    u_char     *p;
    ngx_str_t  *host;

    host = r->headers_in.host ? &r->headers_in.host->value
                              : &r->headers_in.server;

    p = ngx_pnalloc(r->pool, sizeof("https://") - 1 + host->len);
    if (p == NULL) {
        return NGX_ERROR;
    }

    self->data = p;

    p = ngx_http_consent_scheme(r, p);

    p = ngx_cpymem(p, host->data, host->len);
    self->len = p - self->data;

    return NGX_OK;
}


static ngx_int_t
ngx_http_consent_add_header(ngx_http_request_t *r, const char *key,
    size_t key_len, u_char *value, size_t value_len)
{
    return ngx_http_consent_header_out(r, key, key_len, value, value_len)
           ? NGX_OK : NGX_ERROR;
}


ngx_table_elt_t *
ngx_http_consent_header_out(ngx_http_request_t *r, const char *key,
    size_t key_len, u_char *value, size_t value_len)
{
    ngx_table_elt_t  *h;

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NULL;
    }

    h->hash = 1;
#if (nginx_version >= 1023000)
    h->next = NULL;
#endif
    h->key.len = key_len;
    h->key.data = (u_char *) key;
    h->value.len = value_len;
    h->value.data = value;

    return h;
}


static ngx_int_t
ngx_http_consent_error(ngx_http_request_t *r, ngx_uint_t status,
    const char *message)
{
    char    *out;
    size_t   len;

    out = consent_render_error_json((int) status, message, &len);

    return ngx_http_consent_send_malloced(r, status,
                                          &ngx_http_consent_json_type,
                                          out, len);
}
