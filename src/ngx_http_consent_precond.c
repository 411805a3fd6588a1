
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * What a request asks of nginx and of the backend, adjusted before
 * either answers, on locations with "consent on": conditional headers
 * that would let a browser keep a page built for another consent are
 * taken out (the page's validators name the variant it was built for,
 * see consent_etag.h), and Accept-Encoding asks only for codings the
 * filter can read.  Also what of this must outlive internal redirects.
 */


#include "ngx_http_consent_module.h"


/* the request headers ngx_http_consent_strip_headers() takes out */
#define NGX_HTTP_CONSENT_STRIP_IMS     0x01
#define NGX_HTTP_CONSENT_STRIP_INM     0x02
#define NGX_HTTP_CONSENT_STRIP_RANGE   0x04


static ngx_int_t ngx_http_consent_precond_handler(ngx_http_request_t *r);
static ngx_int_t ngx_http_consent_conditions(ngx_http_request_t *r,
    ngx_http_consent_loc_conf_t *clcf, ngx_http_consent_req_t *req);
static ngx_int_t ngx_http_consent_accept_encoding(ngx_http_request_t *r,
    ngx_http_consent_req_t *req);
static ngx_uint_t ngx_http_consent_subresource(ngx_http_request_t *r);
static ngx_uint_t ngx_http_consent_strip_one(ngx_table_elt_t *h,
    void *data);
static ngx_int_t ngx_http_consent_strip_headers(ngx_http_request_t *r,
    ngx_uint_t what);
static void ngx_http_consent_req_cleanup(void *data);


ngx_int_t
ngx_http_consent_precond_init(ngx_conf_t *cf)
{
    /*
     * the preaccess phase: after the rewrite module, so that "consent on"
     * in an "if" block counts, and before any content handler answers or
     * passes the request on
     */

    return ngx_http_consent_phase_add(cf, NGX_HTTP_PREACCESS_PHASE,
                                      ngx_http_consent_precond_handler);
}


/*
 * Module contexts are cleared by internal redirects; this state is kept
 * in a cleanup of the main request's pool instead, as the realip module
 * keeps its own
 */

static void
ngx_http_consent_req_cleanup(void *data)
{
    /* pool memory: nothing to free */
}


ngx_http_consent_req_t *
ngx_http_consent_req(ngx_http_request_t *r, ngx_uint_t create)
{
    ngx_pool_cleanup_t      *cln;
    ngx_http_consent_req_t  *req;

    r = r->main;

    for (cln = r->pool->cleanup; cln; cln = cln->next) {
        if (cln->handler == ngx_http_consent_req_cleanup) {
            return cln->data;
        }
    }

    if (!create) {
        return NULL;
    }

    cln = ngx_pool_cleanup_add(r->pool, sizeof(ngx_http_consent_req_t));
    if (cln == NULL) {
        return NULL;
    }

    req = cln->data;
    ngx_memzero(req, sizeof(ngx_http_consent_req_t));

    cln->handler = ngx_http_consent_req_cleanup;

    return req;
}


static ngx_int_t
ngx_http_consent_precond_handler(ngx_http_request_t *r)
{
    ngx_http_consent_req_t       *req;
    ngx_http_consent_loc_conf_t  *clcf;

    clcf = ngx_http_get_module_loc_conf(r, ngx_http_consent_module);

    if (!clcf->enable || clcf->endpoint || clcf->policy == NULL
        || clcf->keys == NULL || r != r->main)
    {
        return NGX_DECLINED;
    }

    req = ngx_http_consent_req(r, 1);
    if (req == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /* the first consent location keeps its filter after a redirect */

    if (req->clcf == NULL) {
        req->clcf = clcf;
    }

    /*
     * Accept-Encoding first: taking conditions out copies the headers
     * into a new list, and a header changed after that would be changed
     * in the old one only
     */

    if (req->ae == NULL && r->headers_in.accept_encoding) {
        if (ngx_http_consent_accept_encoding(r, req) != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    if (!req->cond_done) {
        req->cond_done = 1;

        if (ngx_http_consent_conditions(r, clcf, req) != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        /*
         * a part of a page cannot be gated: a browser asks for parts of
         * media, never of a document
         */

        if (r->headers_in.range && !ngx_http_consent_subresource(r)
            && ngx_http_consent_strip_headers(r,
                                              NGX_HTTP_CONSENT_STRIP_RANGE)
               != NGX_OK)
        {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    return NGX_DECLINED;
}


static ngx_int_t
ngx_http_consent_conditions(ngx_http_request_t *r,
    ngx_http_consent_loc_conf_t *clcf, ngx_http_consent_req_t *req)
{
    int               matched, kept;
    size_t            len;
    u_char           *p;
    uint64_t          fp;
    ngx_uint_t        sub;
    ngx_table_elt_t  *inm;

    inm = r->headers_in.if_none_match;

    if (inm == NULL && r->headers_in.if_modified_since == NULL) {
        return NGX_OK;
    }

    /*
     * an image or a script may keep its own validators; whatever a
     * browser may render as a page must name the variant it holds
     */

    sub = ngx_http_consent_subresource(r);

    if (inm == NULL) {
        /* pages the filter sent have no Last-Modified */

        if (!sub) {
            return ngx_http_consent_strip_headers(r,
                                                NGX_HTTP_CONSENT_STRIP_IMS);
        }

        return NGX_OK;
    }

    if (ngx_http_consent_variant(r, clcf, &fp) != NGX_OK) {
        return NGX_ERROR;
    }

    p = ngx_pnalloc(r->pool, 2 * inm->value.len + 8);
    if (p == NULL) {
        return NGX_ERROR;
    }

    kept = consent_inm_rewrite((const char *) inm->value.data,
                               inm->value.len, fp, sub, (char *) p, &len,
                               &matched);

    if (kept == 0) {
        ngx_log_debug0(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "consent: validators of another variant dropped");

        return ngx_http_consent_strip_headers(r, NGX_HTTP_CONSENT_STRIP_IMS
                                                 |NGX_HTTP_CONSENT_STRIP_INM);
    }

    inm->value.data = p;
    inm->value.len = len;

    req->cond_matched = matched;
    req->variant = fp;

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "consent: If-None-Match for variant %016uxL: \"%V\"",
                   fp, &inm->value);

    if (matched && r->headers_in.if_modified_since) {
        /* the tag decides; a date cannot tell variants apart */
        return ngx_http_consent_strip_headers(r, NGX_HTTP_CONSENT_STRIP_IMS);
    }

    return NGX_OK;
}


/*
 * 1 if Sec-Fetch-Dest names a destination never rendered as a document
 * (an image, a script, a stylesheet...)
 */

static ngx_uint_t
ngx_http_consent_subresource(ngx_http_request_t *r)
{
    ngx_table_elt_t  *dest;

    dest = ngx_http_consent_header_in_str(r, "Sec-Fetch-Dest");

    return dest != NULL
           && consent_fetch_dest_subresource((const char *) dest->value.data,
                                             dest->value.len);
}


/* conditional and range headers taken out of the request */

static ngx_uint_t
ngx_http_consent_strip_one(ngx_table_elt_t *h, void *data)
{
    ngx_uint_t  what = *(ngx_uint_t *) data;

#define ngx_http_consent_is(name)                                            \
    (h->key.len == sizeof(name) - 1                                          \
     && ngx_strncasecmp(h->key.data, (u_char *) name, h->key.len) == 0)

    return ((what & NGX_HTTP_CONSENT_STRIP_IMS)
            && ngx_http_consent_is("If-Modified-Since"))
           || ((what & NGX_HTTP_CONSENT_STRIP_INM)
               && ngx_http_consent_is("If-None-Match"))
           || ((what & NGX_HTTP_CONSENT_STRIP_RANGE)
               && (ngx_http_consent_is("Range")
                   || ngx_http_consent_is("If-Range")));

#undef ngx_http_consent_is
}


static ngx_int_t
ngx_http_consent_strip_headers(ngx_http_request_t *r, ngx_uint_t what)
{
    if (ngx_http_consent_headers_in_drop(r, ngx_http_consent_strip_one,
                                         &what)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (what & NGX_HTTP_CONSENT_STRIP_IMS) {
        r->headers_in.if_modified_since = NULL;
    }

    if (what & NGX_HTTP_CONSENT_STRIP_INM) {
        r->headers_in.if_none_match = NULL;
    }

    if (what & NGX_HTTP_CONSENT_STRIP_RANGE) {
        r->headers_in.range = NULL;
        r->headers_in.if_range = NULL;
    }

    return NGX_OK;
}


/*
 * Codings the filter cannot read are not asked for: neither from a
 * backend nor from gzip_static.  The browser's own value comes back for
 * nginx's output filters (ngx_http_consent_restore_encoding()).
 */

static ngx_int_t
ngx_http_consent_accept_encoding(ngx_http_request_t *r,
    ngx_http_consent_req_t *req)
{
    size_t            len;
    u_char           *p;
    ngx_table_elt_t  *ae;

    ae = r->headers_in.accept_encoding;

    p = ngx_pnalloc(r->pool, ae->value.len + 8);
    if (p == NULL) {
        return NGX_ERROR;
    }

    len = consent_accept_encoding_ours((const char *) ae->value.data,
                                       ae->value.len, (char *) p);

    req->ae = ae;
    req->ae_value = ae->value;

    if (len == ae->value.len
        && ngx_strncmp(p, ae->value.data, len) == 0)
    {
        return NGX_OK;
    }

    ae->value.data = p;
    ae->value.len = len;

    return NGX_OK;
}


void
ngx_http_consent_restore_encoding(ngx_http_request_t *r,
    ngx_http_consent_req_t *req)
{
    if (req != NULL && req->ae != NULL) {
        req->ae->value = req->ae_value;
    }
}
