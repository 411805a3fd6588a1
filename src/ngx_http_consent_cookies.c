
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * Cookies on the server (docs/cookies.md): Set-Cookie headers of
 * refused categories taken out of responses, refused cookies a request
 * carries expired, and kept from upstreams and $http_cookie.  The core
 * (consent_cookie.c) parses and decides; this file finds the headers.
 */


#include "ngx_http_consent_module.h"


static ngx_int_t ngx_http_consent_cookies_handler(ngx_http_request_t *r);
static ngx_int_t ngx_http_consent_cookies_filter(ngx_http_request_t *r,
    ngx_http_consent_loc_conf_t *clcf, ngx_http_consent_req_t *req,
    uint32_t granted);
static ngx_int_t ngx_http_consent_cookies_filter_one(ngx_http_request_t *r,
    ngx_http_consent_loc_conf_t *clcf, ngx_http_consent_req_t *req,
    uint32_t granted, ngx_table_elt_t *h);
static ngx_int_t ngx_http_consent_cookies_save(ngx_http_request_t *r,
    ngx_http_consent_req_t *req);
static ngx_uint_t ngx_http_consent_cookies_empty(ngx_table_elt_t *h,
    void *data);
static ngx_int_t ngx_http_consent_cookies_drop_empty(ngx_http_request_t *r);
static ngx_array_t *ngx_http_consent_cookies_sent(ngx_http_request_t *r,
    ngx_http_consent_req_t *req);
static void ngx_http_consent_cookies_strip(ngx_http_request_t *r,
    ngx_http_consent_loc_conf_t *clcf, ngx_http_consent_req_t *req,
    uint32_t granted);
static uint32_t ngx_http_consent_cookies_granted(ngx_http_request_t *r,
    ngx_http_consent_loc_conf_t *clcf);
static ngx_uint_t ngx_http_consent_cookies_none_refused(
    ngx_http_consent_loc_conf_t *clcf, uint32_t granted);
static ngx_uint_t ngx_http_consent_cookies_is(ngx_table_elt_t *h,
    const char *key, size_t len);
static ngx_uint_t ngx_http_consent_cookies_idle(ngx_http_request_t *r,
    ngx_http_consent_loc_conf_t *clcf, ngx_array_t *sent);


ngx_int_t
ngx_http_consent_cookies_init(ngx_conf_t *cf)
{
    return ngx_http_consent_phase_add(cf, NGX_HTTP_REWRITE_PHASE,
                                      ngx_http_consent_cookies_handler);
}


/* the categories in force; none but the required ones when unknown */

static uint32_t
ngx_http_consent_cookies_granted(ngx_http_request_t *r,
    ngx_http_consent_loc_conf_t *clcf)
{
    consent_view_t  *view;

    view = ngx_http_consent_view(r);

    if (view == NULL) {
        /* a location without keys after a redirect: fail closed */
        return clcf->policy->required_mask;
    }

    return view->granted | clcf->policy->required_mask;
}


static ngx_uint_t
ngx_http_consent_cookies_none_refused(ngx_http_consent_loc_conf_t *clcf,
    uint32_t granted)
{
    return clcf->unknown_cookies != CONSENT_COOKIE_STRIP
           && (granted & clcf->policy->all_mask) == clcf->policy->all_mask;
}


/* the consent cookie itself, which no category decides */

ngx_uint_t
ngx_http_consent_cookies_ours(ngx_http_consent_loc_conf_t *clcf,
    const char *name, size_t len)
{
    return len == clcf->cookie_name.len
           && ngx_strncmp(name, clcf->cookie_name.data, len) == 0;
}


static ngx_uint_t
ngx_http_consent_cookies_is(ngx_table_elt_t *h, const char *key, size_t len)
{
    return h->key.len == len
           && ngx_strncasecmp(h->key.data, (u_char *) key, len) == 0;
}


/*
 * The rewrite phase: consent_request_cookies filter.  The Cookie
 * headers are changed in place, elements of r->headers_in.headers, so
 * that what nginx passes to proxied, FastCGI, uwsgi and SCGI upstreams
 * and $http_cookie (r->headers_in.cookie, or cookies before 1.23, which
 * point to the same elements) both lose the refused cookies.
 */

static ngx_int_t
ngx_http_consent_cookies_handler(ngx_http_request_t *r)
{
    uint32_t                      granted;
    ngx_http_consent_req_t       *req;
    ngx_http_consent_loc_conf_t  *clcf;

    clcf = ngx_http_get_module_loc_conf(r, ngx_http_consent_module);

    if (r != r->main || clcf->request_cookies != 1 || !clcf->enable
        || clcf->endpoint || clcf->policy == NULL || clcf->keys == NULL)
    {
        return NGX_DECLINED;
    }

    granted = ngx_http_consent_cookies_granted(r, clcf);

    if (ngx_http_consent_cookies_none_refused(clcf, granted)) {
        return NGX_DECLINED;
    }

    req = ngx_http_consent_req(r, 1);
    if (req == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ngx_http_consent_cookies_filter(r, clcf, req, granted) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return NGX_DECLINED;
}


static ngx_int_t
ngx_http_consent_cookies_filter(ngx_http_request_t *r,
    ngx_http_consent_loc_conf_t *clcf, ngx_http_consent_req_t *req,
    uint32_t granted)
{
    ngx_uint_t                       empty;
    ngx_table_elt_t                 *h, *c;
    ngx_http_consent_walk_t          w;
    ngx_http_consent_cookie_iter_t   it;

    /* the cookies as sent, for the expiring headers of the response */

    if (req->cookies_sent == NULL
        && ngx_http_consent_cookies_save(r, req) != NGX_OK)
    {
        return NGX_ERROR;
    }

    empty = 0;

    ngx_http_consent_walk_init(&w, &r->headers_in.headers);

    while ((h = ngx_http_consent_walk_next(&w, "Cookie", 6)) != NULL) {

        if (ngx_http_consent_cookies_filter_one(r, clcf, req, granted, h)
            == NGX_ERROR)
        {
            return NGX_ERROR;
        }

        if (h->value.len == 0) {
            empty = 1;
        }
    }

    /*
     * After an internal redirect the headers may be in a new list
     * (ngx_http_consent_precond.c) while nginx's own pointers still
     * name the old elements: those are filtered too
     */

    ngx_http_consent_cookie_iter_init(&it);

    while ((c = ngx_http_consent_cookie_header(r, &it)) != NULL) {
        if (ngx_http_consent_cookies_filter_one(r, clcf, req, granted, c)
            == NGX_ERROR)
        {
            return NGX_ERROR;
        }

        if (c->value.len == 0) {
            empty = 1;
        }
    }

    if (empty) {
        return ngx_http_consent_cookies_drop_empty(r);
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_consent_cookies_filter_one(ngx_http_request_t *r,
    ngx_http_consent_loc_conf_t *clcf, ngx_http_consent_req_t *req,
    uint32_t granted, ngx_table_elt_t *h)
{
    u_char  *p;
    size_t   len, removed;

    if (h->value.len == 0) {
        return NGX_OK;
    }

    p = ngx_pnalloc(r->pool, CONSENT_COOKIE_FILTER_ROOM(h->value.len));
    if (p == NULL) {
        return NGX_ERROR;
    }

    len = consent_cookie_filter(clcf->policy, granted, clcf->unknown_cookies,
                                (const char *) clcf->cookie_name.data,
                                clcf->cookie_name.len,
                                (const char *) h->value.data, h->value.len,
                                (char *) p, &removed);

    if (removed == 0) {
        return NGX_OK;
    }

    ngx_log_debug3(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "consent: %uz refused cookies kept from the request, "
                   "\"%*s\" left", removed, len, p);

    /* the old value stays where it was: cookies_sent may point to it */
    h->value.data = p;
    h->value.len = len;

    req->cookies_filtered += removed;
    ngx_http_consent_stat_add(CONSENT_STAT_FILTERED, 0, 0, removed);

    return NGX_OK;
}


static ngx_int_t
ngx_http_consent_cookies_save(ngx_http_request_t *r,
    ngx_http_consent_req_t *req)
{
    ngx_array_t  *a;

    a = ngx_http_consent_cookies_sent(r, NULL);
    if (a == NULL) {
        return NGX_ERROR;
    }

    req->cookies_sent = a;

    return NGX_OK;
}


/*
 * A Cookie header left empty is taken out: out of the list that
 * upstreams are given (a copy of it, as ngx_http_consent_precond.c
 * makes one) and out of the chain or array behind $http_cookie
 */

static ngx_uint_t
ngx_http_consent_cookies_empty(ngx_table_elt_t *h, void *data)
{
    return h->value.len == 0 && ngx_http_consent_cookies_is(h, "Cookie", 6);
}


static ngx_int_t
ngx_http_consent_cookies_drop_empty(ngx_http_request_t *r)
{
    if (ngx_http_consent_headers_in_drop(r, ngx_http_consent_cookies_empty,
                                         NULL)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

#if (nginx_version >= 1023000)
    {
    ngx_table_elt_t  *c, **next;

    next = &r->headers_in.cookie;

    for (c = r->headers_in.cookie; c; c = c->next) {
        if (c->value.len) {
            *next = c;
            next = &c->next;
        }
    }

    *next = NULL;
    }
#else
    {
    ngx_uint_t        i, n;
    ngx_table_elt_t **c;

    c = r->headers_in.cookies.elts;
    n = 0;

    for (i = 0; i < r->headers_in.cookies.nelts; i++) {
        if (c[i]->value.len) {
            c[n++] = c[i];
        }
    }

    r->headers_in.cookies.nelts = n;
    }
#endif

    return NGX_OK;
}


/* the values of the request's Cookie headers, as the browser sent them */

static ngx_array_t *
ngx_http_consent_cookies_sent(ngx_http_request_t *r,
    ngx_http_consent_req_t *req)
{
    ngx_str_t                *v;
    ngx_array_t              *a;
    ngx_table_elt_t          *h;
    ngx_http_consent_walk_t   w;

    if (req != NULL && req->cookies_sent != NULL) {
        return req->cookies_sent;
    }

    a = ngx_array_create(r->pool, 2, sizeof(ngx_str_t));
    if (a == NULL) {
        return NULL;
    }

    ngx_http_consent_walk_init(&w, &r->headers_in.headers);

    while ((h = ngx_http_consent_walk_next(&w, "Cookie", 6)) != NULL) {
        v = ngx_array_push(a);
        if (v == NULL) {
            return NULL;
        }

        *v = h->value;
    }

    return a;
}


/*
 * Called by the header filter for every response of a "consent on"
 * location, whatever its type and status (ngx_http_consent_filter.c)
 */

ngx_int_t
ngx_http_consent_cookies_header(ngx_http_request_t *r,
    ngx_http_consent_loc_conf_t *clcf)
{
    uint32_t                       granted;
    ngx_uint_t                     n;
    ngx_array_t                   *sent;
    ngx_http_consent_req_t        *req;
    ngx_http_consent_main_conf_t  *cmcf;

    cmcf = ngx_http_get_module_main_conf(r, ngx_http_consent_module);

    if (!clcf->strip_cookies && !clcf->expire_cookies
        && cmcf->inventory == NULL)
    {
        return NGX_OK;
    }

    req = ngx_http_consent_req(r, 1);
    if (req == NULL) {
        return NGX_ERROR;
    }

    /* one response, one set of headers */

    if (req->cookies_done) {
        return NGX_OK;
    }

    req->cookies_done = 1;

    sent = ngx_http_consent_cookies_sent(r, req);
    if (sent == NULL) {
        return NGX_ERROR;
    }

    if (ngx_http_consent_cookies_idle(r, clcf, sent)) {
        /* the categories decide nothing for cookies only sent */

        if (cmcf->inventory != NULL) {
            ngx_http_consent_inventory_record(r, clcf,
                                              clcf->policy->required_mask,
                                              sent);
        }

        return NGX_OK;
    }

    granted = ngx_http_consent_cookies_granted(r, clcf);

    /* what the site tries to set, before anything is stripped */

    if (cmcf->inventory != NULL) {
        ngx_http_consent_inventory_record(r, clcf, granted, sent);
    }

    if (ngx_http_consent_cookies_none_refused(clcf, granted)) {
        return NGX_OK;
    }

    if (clcf->strip_cookies) {
        ngx_http_consent_cookies_strip(r, clcf, req, granted);
    }

    if (!clcf->expire_cookies) {
        return NGX_OK;
    }

    n = req->cookies_expired;

    if (ngx_http_consent_cookies_expire(r, clcf, granted) != NGX_OK) {
        return NGX_ERROR;
    }

    /*
     * A response that expires this visitor's cookies must not be served
     * by a shared cache to another one, who may have granted them
     */

    if (req->cookies_expired > n && clcf->cache_private) {
        return ngx_http_consent_cache_control_set(r,
                                                NGX_HTTP_CONSENT_CC_PRIVATE);
    }

    return NGX_OK;
}


/*
 * 1 when a response has nothing to strip and its request nothing to
 * expire: no Set-Cookie going out, no cookie coming in but the consent
 * cookie.  The visitor's categories are then not needed, and the
 * consent cookie is not verified for them: an image asked for by a
 * visitor who consented would pay for an HMAC that decides nothing.
 */

static ngx_uint_t
ngx_http_consent_cookies_idle(ngx_http_request_t *r,
    ngx_http_consent_loc_conf_t *clcf, ngx_array_t *sent)
{
    size_t       pos, name_len, pair_len;
    ngx_str_t   *v;
    ngx_uint_t   i;
    const char  *name, *pair;

    v = sent->elts;

    for (i = 0; i < sent->nelts; i++) {
        pos = 0;

        while (consent_cookie_pair((const char *) v[i].data, v[i].len, &pos,
                                   &name, &name_len, &pair, &pair_len))
        {
            if (!ngx_http_consent_cookies_ours(clcf, name, name_len)) {
                return 0;
            }
        }
    }

    return ngx_http_consent_header_find(&r->headers_out.headers,
                                        "Set-Cookie",
                                        sizeof("Set-Cookie") - 1)
           == NULL;
}


/* a Set-Cookie header nginx will not send has a hash of 0 */

static void
ngx_http_consent_cookies_strip(ngx_http_request_t *r,
    ngx_http_consent_loc_conf_t *clcf, ngx_http_consent_req_t *req,
    uint32_t granted)
{
    ngx_table_elt_t          *h;
    consent_set_cookie_t      sc;
    ngx_http_consent_walk_t   w;

    ngx_http_consent_walk_init(&w, &r->headers_out.headers);

    while ((h = ngx_http_consent_walk_next(&w, "Set-Cookie", 10)) != NULL) {

        if (h->hash == 0) {
            continue;
        }

        /* a header the browser would ignore sets nothing */

        if (consent_set_cookie_parse((const char *) h->value.data,
                                     h->value.len, &sc)
            != 0)
        {
            continue;
        }

        if (ngx_http_consent_cookies_ours(clcf, sc.name, sc.name_len)) {
            continue;
        }

        if (!consent_cookie_refused(clcf->policy, granted,
                                    clcf->unknown_cookies, sc.name,
                                    sc.name_len))
        {
            continue;
        }

        ngx_log_debug2(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "consent: refused cookie \"%*s\" not set",
                       sc.name_len, sc.name);

        h->hash = 0;
        req->cookies_stripped++;
        ngx_http_consent_stat(CONSENT_STAT_STRIPPED, 0);
    }
}


/*
 * Every refused cookie the request carries is expired on each domain a
 * browser could hold it on (consent_cookie_domains()), plus the domain
 * its declaration names when the host is under it; at most
 * CONSENT_COOKIE_EXPIRE_MAX cookies a response, each once
 */

ngx_int_t
ngx_http_consent_cookies_expire(ngx_http_request_t *r,
    ngx_http_consent_loc_conf_t *clcf, uint32_t granted)
{
    int                           d;
    u_char                       *p;
    size_t                        pos, nlen, plen, len;
    ngx_str_t                    *v, names[CONSENT_COOKIE_EXPIRE_MAX];
    ngx_uint_t                    i, j, k, n, nd, all, secure;
    ngx_array_t                  *sent;
    const char                   *name, *pair;
    consent_span_t                doms[CONSENT_COOKIE_DOMAINS_MAX + 1];
    ngx_http_consent_req_t       *req;
    const consent_cookie_decl_t  *decl;

    if (!clcf->expire_cookies || clcf->policy == NULL) {
        return NGX_OK;
    }

    req = ngx_http_consent_req(r, 1);
    if (req == NULL) {
        return NGX_ERROR;
    }

    sent = ngx_http_consent_cookies_sent(r, req);
    if (sent == NULL) {
        return NGX_ERROR;
    }

    v = sent->elts;
    n = 0;

    for (i = 0; i < sent->nelts && n < CONSENT_COOKIE_EXPIRE_MAX; i++) {
        pos = 0;

        while (n < CONSENT_COOKIE_EXPIRE_MAX
               && consent_cookie_pair((const char *) v[i].data, v[i].len,
                                      &pos, &name, &nlen, &pair, &plen))
        {
            /* a nameless cookie cannot be named to be expired */

            if (nlen == 0 || ngx_http_consent_cookies_ours(clcf, name, nlen)) {
                continue;
            }

            if (!consent_cookie_refused(clcf->policy, granted,
                                        clcf->unknown_cookies, name, nlen))
            {
                continue;
            }

            for (j = 0; j < n; j++) {
                if (names[j].len == nlen
                    && ngx_strncmp(names[j].data, name, nlen) == 0)
                {
                    break;
                }
            }

            if (j == n) {
                names[n].data = (u_char *) name;
                names[n].len = nlen;
                n++;
            }
        }
    }

    if (n == 0) {
        return NGX_OK;
    }

    nd = consent_cookie_domains((const char *) r->headers_in.server.data,
                                r->headers_in.server.len,
                                (const char *) clcf->cookie_domain.data,
                                clcf->cookie_domain.len, doms,
                                CONSENT_COOKIE_DOMAINS_MAX);

#if (NGX_HTTP_SSL)
    secure = (r->connection->ssl != NULL);
#else
    secure = 0;
#endif

    for (j = 0; j < n; j++) {
        all = nd;

        /* the domain the policy says the cookie is set on */

        d = consent_cookie_lookup(clcf->policy, (const char *) names[j].data,
                                  names[j].len);
        decl = d >= 0 ? &clcf->policy->cookies[d] : NULL;

        if (decl != NULL && decl->domain != NULL
            && consent_cookie_domain_match(
                   (const char *) r->headers_in.server.data,
                   r->headers_in.server.len, decl->domain, decl->domain_len))
        {
            for (k = 1; k < nd; k++) {
                if (doms[k].len == decl->domain_len
                    && ngx_strncasecmp((u_char *) doms[k].data,
                                       (u_char *) decl->domain,
                                       decl->domain_len) == 0)
                {
                    break;
                }
            }

            if (k == nd) {
                doms[nd].data = decl->domain;
                doms[nd].len = decl->domain_len;
                all = nd + 1;
            }
        }

        for (k = 0; k < all; k++) {
            p = ngx_pnalloc(r->pool, names[j].len + doms[k].len
                                     + CONSENT_COOKIE_EXPIRY_EXTRA);
            if (p == NULL) {
                return NGX_ERROR;
            }

            len = consent_cookie_expiry((const char *) names[j].data,
                                        names[j].len, doms[k].data,
                                        doms[k].len, secure, (char *) p);
            if (len == 0) {
                continue;
            }

            if (ngx_http_consent_header_out(r, "Set-Cookie",
                                            sizeof("Set-Cookie") - 1, p, len)
                == NULL)
            {
                return NGX_ERROR;
            }
        }

        ngx_log_debug2(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "consent: refused cookie \"%V\" expired on %ui "
                       "domains", &names[j], all);

        req->cookies_expired++;
        ngx_http_consent_stat(CONSENT_STAT_EXPIRED, 0);
    }

    return NGX_OK;
}
