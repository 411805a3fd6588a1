
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * The visitor's consent, verified once per request and kept in the
 * module's request context for the variables, consent_require and the
 * endpoint.
 */


#include "ngx_http_consent_module.h"


static ngx_http_consent_ctx_t *ngx_http_consent_get_ctx(
    ngx_http_request_t *r);


static ngx_http_consent_ctx_t *
ngx_http_consent_get_ctx(ngx_http_request_t *r)
{
    ngx_http_consent_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r->main, ngx_http_consent_module);

    if (ctx == NULL) {
        ctx = ngx_pcalloc(r->main->pool, sizeof(ngx_http_consent_ctx_t));
        if (ctx == NULL) {
            return NULL;
        }

        ngx_http_set_ctx(r->main, ctx, ngx_http_consent_module);
    }

    return ctx;
}


consent_view_t *
ngx_http_consent_view(ngx_http_request_t *r)
{
    size_t                           pos, vlen;
    const char                      *v;
    consent_pick_t                   pick;
    consent_token_t                  tok;
    consent_state_e                  state;
    ngx_table_elt_t                 *h;
    ngx_http_consent_ctx_t          *ctx;
    ngx_http_consent_loc_conf_t     *clcf;
    ngx_http_consent_cookie_iter_t   it;

    ctx = ngx_http_consent_get_ctx(r);
    if (ctx == NULL) {
        return NULL;
    }

    clcf = ngx_http_get_module_loc_conf(r, ngx_http_consent_module);

    if (clcf->keys == NULL || clcf->policy == NULL) {
        return NULL;
    }

    /* "rewrite ... last" may bring the request under another policy */

    if (ctx->resolved && ctx->policy == clcf->policy) {
        return &ctx->view;
    }

    /* consent_tcf bridge: the operator's CMP holds the consent */

    if (clcf->tcf == NGX_HTTP_CONSENT_TCF_BRIDGE) {
        return ngx_http_consent_tcf_view(r, ctx, clcf);
    }

    /* every cookie of the name counts: the core keeps the most restrictive */

    consent_pick_init(&pick);

    ngx_http_consent_cookie_iter_init(&it);

    while ((h = ngx_http_consent_cookie_header(r, &it)) != NULL) {

        pos = 0;

        while (consent_cookie_next((const char *) h->value.data,
                                   h->value.len, &pos,
                                   (const char *) clcf->cookie_name.data,
                                   clcf->cookie_name.len, &v, &vlen))
        {
            state = consent_token_verify(clcf->keys,
                                         (const char *) clcf->cookie_name.data,
                                         clcf->cookie_name.len, v, vlen,
                                         (int64_t) ngx_time(),
                                         clcf->policy->revision,
                                         clcf->policy->max_age, &tok);

            if (state == CONSENT_STATE_INVALID) {
                ngx_http_consent_log_unknown_key(r, clcf->keys, v, vlen);
            }

            consent_pick_add(&pick, state, &tok);
        }
    }

    consent_view_init(&ctx->view, clcf->policy, pick.state, &pick.token);
    ctx->view.nvalid = pick.nvalid;
    ctx->view.conflict = pick.conflict;

    /* consent_tcf cmp: the TC string must still stand for the consent */

    if (clcf->tcf == NGX_HTTP_CONSENT_TCF_CMP
        && ngx_http_consent_tcf_cmp_view(r, ctx, clcf) != NGX_OK)
    {
        return NULL;
    }

    /* the regime in force: what the cookie and Sec-GPC add up to */
    ngx_http_consent_regime_apply(r, clcf, &ctx->view);
    ctx->policy = clcf->policy;
    ctx->resolved = 1;
    ngx_http_consent_stat(CONSENT_STAT_STATE, ctx->view.state);

    ngx_log_debug5(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "consent state: %s, granted %uxD, cookies %ud, "
                   "valid %ud, conflict %ud",
                   consent_state_name(ctx->view.state), ctx->view.granted,
                   pick.ncookies, pick.nvalid, pick.conflict);

    return &ctx->view;
}


/* after a decision: the request's variables show the new consent */

ngx_int_t
ngx_http_consent_set_view(ngx_http_request_t *r, consent_view_t *view)
{
    ngx_http_consent_ctx_t       *ctx;
    ngx_http_consent_loc_conf_t  *clcf;

    ctx = ngx_http_consent_get_ctx(r);
    if (ctx == NULL) {
        return NGX_ERROR;
    }

    clcf = ngx_http_get_module_loc_conf(r, ngx_http_consent_module);

    ctx->view = *view;
    ctx->policy = clcf->policy;
    ctx->resolved = 1;

    return NGX_OK;
}


/*
 * The response's header, then len bytes at p (memory that outlives the
 * request's output) as its whole body: how the module's own content
 * handlers end.
 */

ngx_int_t
ngx_http_consent_send_memory(ngx_http_request_t *r, u_char *p, size_t len)
{
    ngx_int_t     rc;
    ngx_buf_t    *b;
    ngx_chain_t   out;

    rc = ngx_http_send_header(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        return rc;
    }

    b = ngx_calloc_buf(r->pool);
    if (b == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    b->pos = p;
    b->last = p + len;
    b->memory = 1;
    b->last_buf = (r == r->main) ? 1 : 0;
    b->last_in_chain = 1;

    out.buf = b;
    out.next = NULL;

    return ngx_http_output_filter(r, &out);
}


/* the core renders with malloc(); the response lives in the pool */

ngx_int_t
ngx_http_consent_send_malloced(ngx_http_request_t *r, ngx_uint_t status,
    ngx_str_t *type, char *data, size_t len)
{
    u_char  *p;

    if (data == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    p = ngx_pnalloc(r->pool, len);
    if (p == NULL) {
        free(data);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_memcpy(p, data, len);
    free(data);

    return ngx_http_consent_send(r, status, type, p, len);
}


/*
 * A whole response: status, content type (none when type is NULL),
 * nosniff and len bytes at data (pool memory; none: a header-only reply)
 */

ngx_int_t
ngx_http_consent_send(ngx_http_request_t *r, ngx_uint_t status,
    ngx_str_t *type, u_char *data, size_t len)
{
    r->headers_out.status = status;
    r->headers_out.content_length_n = len;

    if (type) {
        r->headers_out.content_type_len = type->len;
        r->headers_out.content_type = *type;
    }

    if (ngx_http_consent_header_out_str(r, "X-Content-Type-Options",
                                        "nosniff")
        == NULL)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (len == 0) {
        r->header_only = 1;
    }

    return ngx_http_consent_send_memory(r, data, len);
}


/* " nonce=\"...\"" when the page has a CSP nonce, escaped; nothing else */

u_char *
ngx_http_consent_nonce_attr(u_char *p, ngx_str_t *nonce)
{
    if (nonce->len == 0) {
        return p;
    }

    p = ngx_cpymem(p, " nonce=\"", sizeof(" nonce=\"") - 1);
    p = (u_char *) ngx_escape_html(p, nonce->data, nonce->len);
    *p++ = '"';

    return p;
}


/* the most ngx_http_consent_script_src() writes */

size_t
ngx_http_consent_script_src_len(consent_render_conf_t *rc, const char *name,
    ngx_str_t *nonce)
{
    return sizeof("<script src=\"?v=\" data-consent-ui></script>") - 1
           + 6 * rc->endpoint_len + ngx_strlen(name) + ngx_strlen(rc->version)
           + (nonce->len ? sizeof(" nonce=\"\"") - 1 + 6 * nonce->len : 0);
}


/*
 * <script src="ENDPOINTname?v=VERSION" data-consent-ui nonce></script>:
 * one of the module's scripts, in the size counted by
 * ngx_http_consent_script_src_len()
 */

u_char *
ngx_http_consent_script_src(u_char *p, consent_render_conf_t *rc,
    const char *name, ngx_str_t *nonce)
{
    p = ngx_cpymem(p, "<script src=\"", sizeof("<script src=\"") - 1);
    p = (u_char *) ngx_escape_html(p, (u_char *) rc->endpoint,
                                   rc->endpoint_len);
    p = ngx_sprintf(p, "%s?v=%s\" data-consent-ui", name, rc->version);
    p = ngx_http_consent_nonce_attr(p, nonce);

    return ngx_cpymem(p, "></script>", sizeof("></script>") - 1);
}


/*
 * data freed by handler with the configuration's pool, that is when a
 * reload has replaced it; freed at once when that cannot be arranged
 */

ngx_int_t
ngx_http_consent_conf_owns(ngx_conf_t *cf, ngx_pool_cleanup_pt handler,
    void *data)
{
    ngx_pool_cleanup_t  *cln;

    cln = ngx_pool_cleanup_add(cf->pool, 0);
    if (cln == NULL) {
        handler(data);
        return NGX_ERROR;
    }

    cln->handler = handler;
    cln->data = data;

    return NGX_OK;
}


/* "https://" or "http://" as the request came, at p (8 bytes at most) */

u_char *
ngx_http_consent_scheme(ngx_http_request_t *r, u_char *p)
{
#if (NGX_HTTP_SSL)
    if (r->connection->ssl) {
        p = ngx_cpymem(p, "https://", sizeof("https://") - 1);
    } else
#endif
    {
        p = ngx_cpymem(p, "http://", sizeof("http://") - 1);
    }

    return p;
}


/*
 * The module's read-only answers (its files, the status, the inventory)
 * take GET and HEAD, the body discarded: NGX_OK, else the status to end
 * the request with
 */

ngx_int_t
ngx_http_consent_get_only(ngx_http_request_t *r)
{
    if (!(r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD))) {
        return NGX_HTTP_NOT_ALLOWED;
    }

    return ngx_http_discard_request_body(r);
}


/* a handler of the module's in one of nginx's phases (postconfiguration) */

ngx_int_t
ngx_http_consent_phase_add(ngx_conf_t *cf, ngx_uint_t phase,
    ngx_http_handler_pt handler)
{
    ngx_http_handler_pt        *h;
    ngx_http_core_main_conf_t  *cmcf;

    cmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_core_module);

    h = ngx_array_push(&cmcf->phases[phase].handlers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    *h = handler;

    return NGX_OK;
}


/*
 * The next element of an ngx_list_t of headers whose name is name (any
 * case), or any element when name is NULL; NULL after the last.  The
 * one walk over a list, part by part as nginx walks one; headers taken
 * out by another module (a hash of 0) are the caller's to skip.
 */

ngx_table_elt_t *
ngx_http_consent_walk_next(ngx_http_consent_walk_t *w, const char *name,
    size_t len)
{
    ngx_table_elt_t  *h;

    for ( ;; ) {

        if (w->i >= w->part->nelts) {
            if (w->part->next == NULL) {
                return NULL;
            }

            w->part = w->part->next;
            w->i = 0;
            continue;
        }

        h = (ngx_table_elt_t *) w->part->elts + w->i++;

        if (name == NULL
            || (h->key.len == len
                && ngx_strncasecmp(h->key.data, (u_char *) name, len) == 0))
        {
            return h;
        }
    }
}


/* a header by name, for the ones nginx does not keep apart */

ngx_table_elt_t *
ngx_http_consent_header_find(ngx_list_t *list, const char *name, size_t len)
{
    ngx_table_elt_t          *h;
    ngx_http_consent_walk_t   w;

    ngx_http_consent_walk_init(&w, list);

    while ((h = ngx_http_consent_walk_next(&w, name, len)) != NULL) {

        /* a header another module took out has a hash of 0 */

        if (h->hash != 0) {
            return h;
        }
    }

    return NULL;
}


/*
 * The request's Cookie headers one after another, as nginx keeps them
 * apart (r->headers_in.cookie, a chain since 1.23, the cookies array
 * before), from ngx_http_consent_cookie_iter_init(); NULL after the
 * last.  Nothing is allocated:
 * every request goes through it, some several times.
 */

ngx_table_elt_t *
ngx_http_consent_cookie_header(ngx_http_request_t *r,
    ngx_http_consent_cookie_iter_t *it)
{
#if (nginx_version >= 1023000)
    ngx_table_elt_t  *c;

    c = it->i++ ? it->next : r->headers_in.cookie;

    if (c) {
        it->next = c->next;
    }

    return c;
#else
    ngx_table_elt_t  **h;

    if (it->i >= r->headers_in.cookies.nelts) {
        return NULL;
    }

    h = r->headers_in.cookies.elts;

    return h[it->i++];
#endif
}


/*
 * The first cookie of the name the request carries: the TCF's and GPP's
 * cookies (the module's own signed cookie counts every one of its name,
 * ngx_http_consent_view()); NGX_DECLINED when there is none
 */

ngx_int_t
ngx_http_consent_cookie_in(ngx_http_request_t *r, const char *name,
    size_t nlen, ngx_str_t *value)
{
    size_t                           pos, vlen;
    const char                      *v;
    ngx_table_elt_t                 *h;
    ngx_http_consent_cookie_iter_t   it;

    ngx_http_consent_cookie_iter_init(&it);

    while ((h = ngx_http_consent_cookie_header(r, &it)) != NULL) {
        pos = 0;

        if (consent_cookie_next((const char *) h->value.data, h->value.len,
                                &pos, name, nlen, &v, &vlen))
        {
            value->data = (u_char *) v;
            value->len = vlen;
            return NGX_OK;
        }
    }

    return NGX_DECLINED;
}


/*
 * The request's headers without those drop() picks, for nginx and for
 * the backend alike: the list is copied without them.  The other
 * pointers nginx keeps into the old list stay valid (pool memory).
 */

ngx_int_t
ngx_http_consent_headers_in_drop(ngx_http_request_t *r,
    ngx_http_consent_drop_pt drop, void *data)
{
    ngx_list_t                headers;
    ngx_table_elt_t          *h, *nh;
    ngx_http_consent_walk_t   w;

    if (ngx_list_init(&headers, r->pool, 20, sizeof(ngx_table_elt_t))
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    ngx_http_consent_walk_init(&w, &r->headers_in.headers);

    while ((h = ngx_http_consent_walk_next(&w, NULL, 0)) != NULL) {

        if (drop(h, data)) {
            continue;
        }

        nh = ngx_list_push(&headers);
        if (nh == NULL) {
            return NGX_ERROR;
        }

        *nh = *h;
    }

    r->headers_in.headers = headers;

    return NGX_OK;
}


/* the response's Cache-Control header, added (empty) if it has none */

ngx_table_elt_t *
ngx_http_consent_cache_control_header(ngx_http_request_t *r)
{
    ngx_table_elt_t  *cc;

#if (nginx_version >= 1023000)
    cc = r->headers_out.cache_control;
#else
    ngx_table_elt_t  **ccp;

    cc = NULL;

    if (r->headers_out.cache_control.nelts) {
        cc = ((ngx_table_elt_t **) r->headers_out.cache_control.elts)[0];
    }
#endif

    if (cc != NULL) {
        return cc;
    }

    cc = ngx_http_consent_header_out_str(r, "Cache-Control", "");
    if (cc == NULL) {
        return NULL;
    }

#if (nginx_version >= 1023000)
    r->headers_out.cache_control = cc;
#else
    if (r->headers_out.cache_control.elts == NULL
        && ngx_array_init(&r->headers_out.cache_control, r->pool, 1,
                          sizeof(ngx_table_elt_t *))
           != NGX_OK)
    {
        return NULL;
    }

    ccp = ngx_array_push(&r->headers_out.cache_control);
    if (ccp == NULL) {
        return NULL;
    }

    *ccp = cc;
#endif

    return cc;
}


/*
 * The response's Cache-Control rewritten by the core: made private
 * (NGX_HTTP_CONSENT_CC_PRIVATE, consent_cache_control_private()), or a
 * filtered page's, revalidated and private if asked
 * (NGX_HTTP_CONSENT_CC_NO_CACHE, consent_cache_control_page())
 */

ngx_int_t
ngx_http_consent_cache_control_set(ngx_http_request_t *r, ngx_uint_t how)
{
    size_t            len;
    u_char           *p;
    ngx_table_elt_t  *cc;

    cc = ngx_http_consent_cache_control_header(r);
    if (cc == NULL) {
        return NGX_ERROR;
    }

    /* the larger room consent_header.h asks for, a page's (private: + 9) */

    p = ngx_pnalloc(r->pool, 2 * cc->value.len + 19);
    if (p == NULL) {
        return NGX_ERROR;
    }

    if (how & NGX_HTTP_CONSENT_CC_NO_CACHE) {
        len = consent_cache_control_page((const char *) cc->value.data,
                                     cc->value.len,
                                     (how & NGX_HTTP_CONSENT_CC_PRIVATE) != 0,
                                     (char *) p);

    } else {
        len = consent_cache_control_private((const char *) cc->value.data,
                                            cc->value.len, (char *) p);
    }

    cc->value.data = p;
    cc->value.len = len;

    return NGX_OK;
}


/* Global Privacy Control: the request says "Sec-GPC: 1" */

ngx_int_t
ngx_http_consent_gpc(ngx_http_request_t *r)
{
    ngx_table_elt_t  *h;

    h = ngx_http_consent_header_in_str(r, "Sec-GPC");

    return h != NULL && h->value.len == 1 && h->value.data[0] == '1';
}
