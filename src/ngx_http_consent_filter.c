
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * The HTML filter: a header filter that decides and adjusts headers, and
 * a body filter that streams the page through the core's scanner
 * (consent_html.c).  Unchanged stretches of the page are passed on by
 * reference, never copied; the input buffer is released only once all
 * that refers to it has been sent.
 */


#include "ngx_http_consent_module.h"


#define NGX_HTTP_CONSENT_OWN_BUF  4096


static ngx_int_t ngx_http_consent_header_filter(ngx_http_request_t *r);
static ngx_int_t ngx_http_consent_body_filter(ngx_http_request_t *r,
    ngx_chain_t *in);
static ngx_int_t ngx_http_consent_filter_start(ngx_http_request_t *r,
    ngx_http_consent_loc_conf_t *clcf, ngx_http_consent_ctx_t *ctx);
static ngx_int_t ngx_http_consent_injections(ngx_http_request_t *r,
    ngx_http_consent_loc_conf_t *clcf, consent_view_t *view,
    consent_html_conf_t *hc);
static ngx_int_t ngx_http_consent_private(ngx_http_request_t *r);
static int ngx_http_consent_emit(void *data, const char *p, size_t len,
    int input);
static ngx_chain_t *ngx_http_consent_out_buf(ngx_http_consent_ctx_t *ctx);
static ngx_chain_t *ngx_http_consent_own_buf(ngx_http_consent_ctx_t *ctx,
    size_t len);
static ngx_int_t ngx_http_consent_output(ngx_http_request_t *r,
    ngx_http_consent_ctx_t *ctx);


static ngx_http_output_header_filter_pt  ngx_http_next_header_filter;
static ngx_http_output_body_filter_pt    ngx_http_next_body_filter;

/* per worker: an upstream's compressed pages are noted once */
static ngx_uint_t  ngx_http_consent_encoded_noted;


ngx_int_t
ngx_http_consent_filter_init(ngx_conf_t *cf)
{
    ngx_http_next_header_filter = ngx_http_top_header_filter;
    ngx_http_top_header_filter = ngx_http_consent_header_filter;

    ngx_http_next_body_filter = ngx_http_top_body_filter;
    ngx_http_top_body_filter = ngx_http_consent_body_filter;

    return NGX_OK;
}


static ngx_int_t
ngx_http_consent_header_filter(ngx_http_request_t *r)
{
    ngx_http_consent_ctx_t       *ctx, *main;
    ngx_http_consent_loc_conf_t  *clcf;

    clcf = ngx_http_get_module_loc_conf(r, ngx_http_consent_module);

    /* the endpoint's own pages carry no banner */

    if (!clcf->enable
        || clcf->endpoint
        || clcf->policy == NULL
        || clcf->keys == NULL
        || r->headers_out.status == NGX_HTTP_NO_CONTENT
        || r->headers_out.status == NGX_HTTP_NOT_MODIFIED
        || r->headers_out.status == NGX_HTTP_PARTIAL_CONTENT
        || r->headers_out.status < NGX_HTTP_OK
        || r->headers_out.content_length_n == 0
        || ngx_http_test_content_type(r, &clcf->types) == NULL)
    {
        return ngx_http_next_header_filter(r);
    }

    if (r->headers_out.content_encoding
        && r->headers_out.content_encoding->value.len)
    {
        if (!ngx_http_consent_encoded_noted) {
            ngx_http_consent_encoded_noted = 1;
            ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                          "consent: a compressed response (\"%V\") passes "
                          "unfiltered; send \"proxy_set_header "
                          "Accept-Encoding \\\"\\\";\" to the upstream",
                          &r->headers_out.content_encoding->value);
        }

        return ngx_http_next_header_filter(r);
    }

    /* UTF-16 and UTF-32 pages are not ASCII-compatible: not ours */

    if (!consent_charset_ascii(
            (const char *) r->headers_out.content_type.data,
            r->headers_out.content_type.len,
            (const char *) r->headers_out.charset.data,
            r->headers_out.charset.len))
    {
        return ngx_http_next_header_filter(r);
    }

    /* the main request's view stays where the variables find it */

    main = (r == r->main) ? ngx_http_get_module_ctx(r, ngx_http_consent_module)
                          : NULL;

    if (main) {
        ctx = main;

    } else {
        ctx = ngx_pcalloc(r->pool, sizeof(ngx_http_consent_ctx_t));
        if (ctx == NULL) {
            return NGX_ERROR;
        }

        ngx_http_set_ctx(r, ctx, ngx_http_consent_module);
    }

    if (r == r->main) {
        ngx_http_clear_content_length(r);
        ngx_http_clear_accept_ranges(r);
        ngx_http_weak_etag(r);

        if (clcf->cache_private && ngx_http_consent_private(r) != NGX_OK) {
            return NGX_ERROR;
        }
    }

    if (r->header_only) {
        return ngx_http_next_header_filter(r);
    }

    if (ngx_http_consent_filter_start(r, clcf, ctx) != NGX_OK) {
        return NGX_ERROR;
    }

    r->filter_need_in_memory = 1;

    return ngx_http_next_header_filter(r);
}


static ngx_int_t
ngx_http_consent_filter_start(ngx_http_request_t *r,
    ngx_http_consent_loc_conf_t *clcf, ngx_http_consent_ctx_t *ctx)
{
    void                 *mem;
    consent_view_t       *view;
    consent_html_conf_t   hc;

    view = ngx_http_consent_view(r);
    if (view == NULL) {
        return NGX_ERROR;
    }

    ngx_memzero(&hc, sizeof(consent_html_conf_t));

    hc.policy = clcf->policy;
    hc.granted = view->granted;
    hc.tag_max = clcf->tag_max;
    hc.emit = ngx_http_consent_emit;
    hc.ctx = ctx;

    /* subrequests (SSI includes) are gated, only the page gets a banner */

    if (r == r->main
        && ngx_http_consent_injections(r, clcf, view, &hc) != NGX_OK)
    {
        return NGX_ERROR;
    }

    mem = ngx_palloc(r->pool, consent_html_size(&hc));
    if (mem == NULL) {
        return NGX_ERROR;
    }

    ctx->html = consent_html_init(mem, &hc);
    if (ctx->html == NULL) {
        return NGX_ERROR;
    }

    ctx->request = r;
    ctx->last_out = &ctx->out;

    return NGX_OK;
}


static ngx_int_t
ngx_http_consent_injections(ngx_http_request_t *r,
    ngx_http_consent_loc_conf_t *clcf, consent_view_t *view,
    consent_html_conf_t *hc)
{
    ngx_int_t                     gpc;
    ngx_str_t                     out, ret, nonce;
    ngx_uint_t                    i;
    const char                   *lang;
    consent_tpl_t                *tpl;
    ngx_table_elt_t              *al;
    consent_render_conf_t         rc;
    consent_tpl_vars_t            vars;
    ngx_http_consent_srv_conf_t  *cscf;

    cscf = ngx_http_get_module_srv_conf(r, ngx_http_consent_module);

    if (cscf->endpoint.len == 0) {
        /* no endpoint in this server: nothing to post a choice to */
        return NGX_OK;
    }

    ngx_memzero(&rc, sizeof(consent_render_conf_t));

    rc.endpoint = (const char *) cscf->endpoint.data;
    rc.endpoint_len = cscf->endpoint.len;
    rc.version = consent_assets_version;
    rc.position = (consent_position_e) clcf->position;
    rc.manage_button = clcf->manage_button;

    ngx_str_null(&nonce);

    if (clcf->csp_nonce
        && ngx_http_complex_value(r, clcf->csp_nonce, &nonce) != NGX_OK)
    {
        return NGX_ERROR;
    }

    /* Global Privacy Control: said in the banner until a choice is made */

    gpc = ngx_http_consent_gpc(r) && view->state != CONSENT_STATE_VALID;

    ngx_memzero(&vars, sizeof(consent_tpl_vars_t));

    vars.state = view->state;
    vars.in_force = view->granted;
    vars.gpc = gpc;
    vars.nonce = (const char *) nonce.data;
    vars.nonce_len = nonce.len;

    /* rendered once per worker, filled in per request */

    if (clcf->head_tpl == NULL) {
        clcf->head_tpl = consent_render_head_tpl(clcf->policy, &rc);
        if (clcf->head_tpl == NULL) {
            return NGX_ERROR;
        }
    }

    out.data = ngx_pnalloc(r->pool, consent_tpl_size(clcf->head_tpl, &vars));
    if (out.data == NULL) {
        return NGX_ERROR;
    }

    out.len = consent_tpl_fill(clcf->head_tpl, &vars, (char *) out.data);

    hc->head = (const char *) out.data;
    hc->head_len = out.len;

    al = ngx_http_consent_header_in_str(r, "Accept-Language");

    lang = consent_policy_pick_lang(clcf->policy,
                                    al ? (const char *) al->value.data
                                       : NULL,
                                    al ? al->value.len : 0);

    /*
     * the banner of each language is rendered once per worker; it goes
     * into every page, hidden once there is a valid consent, so that
     * "manage preferences" can reopen it in place
     */

    for (i = 0; i < clcf->policy->nlangs; i++) {
        if (lang == clcf->policy->langs[i]
            || ngx_strcmp(lang, clcf->policy->langs[i]) == 0)
        {
            break;
        }
    }

    tpl = (i < clcf->ntpls) ? clcf->tpls[i] : NULL;

    if (tpl == NULL) {
        tpl = consent_render_banner_tpl(clcf->policy, lang, &rc);
        if (tpl == NULL) {
            return NGX_ERROR;
        }

        if (i < clcf->ntpls) {
            clcf->tpls[i] = tpl;
        }
    }

    /* the form returns to this page, if it is a safe path */

    ret = r->unparsed_uri;

    if (!consent_return_path_ok((const char *) ret.data, ret.len)) {
        ngx_str_set(&ret, "/");
    }

    vars.ret = (const char *) ret.data;
    vars.ret_len = ret.len;
    vars.granted = (view->state == CONSENT_STATE_VALID) ? view->granted : 0;
    vars.hidden = (view->state == CONSENT_STATE_VALID);

    out.data = ngx_pnalloc(r->pool, consent_tpl_size(tpl, &vars));

    if (out.data) {
        out.len = consent_tpl_fill(tpl, &vars, (char *) out.data);
    }

    if (i >= clcf->ntpls) {
        /* not one of the policy's languages: not kept */
        consent_tpl_free(tpl);
    }

    if (out.data == NULL) {
        return NGX_ERROR;
    }

    hc->banner = (const char *) out.data;
    hc->banner_len = out.len;

    return NGX_OK;
}


/*
 * The page depends on the visitor's consent: no shared cache may hand one
 * visitor's variant to another
 */

static ngx_int_t
ngx_http_consent_private(ngx_http_request_t *r)
{
    size_t            len;
    u_char           *p;
    ngx_table_elt_t  *cc, *vary;

    cc = NULL;

#if (nginx_version >= 1023000)
    cc = r->headers_out.cache_control;
#else
    if (r->headers_out.cache_control.nelts) {
        cc = ((ngx_table_elt_t **) r->headers_out.cache_control.elts)[0];
    }
#endif

    if (cc == NULL) {
        cc = ngx_list_push(&r->headers_out.headers);
        if (cc == NULL) {
            return NGX_ERROR;
        }

        cc->hash = 1;
#if (nginx_version >= 1023000)
        cc->next = NULL;
        r->headers_out.cache_control = cc;
#endif
        ngx_str_set(&cc->key, "Cache-Control");
        ngx_str_set(&cc->value, "private");

    } else {
        p = ngx_pnalloc(r->pool, 2 * cc->value.len + 9);
        if (p == NULL) {
            return NGX_ERROR;
        }

        len = consent_cache_control_private((const char *) cc->value.data,
                                            cc->value.len, (char *) p);
        cc->value.data = p;
        cc->value.len = len;
    }

    vary = ngx_list_push(&r->headers_out.headers);
    if (vary == NULL) {
        return NGX_ERROR;
    }

    vary->hash = 1;
#if (nginx_version >= 1023000)
    vary->next = NULL;
#endif
    ngx_str_set(&vary->key, "Vary");
    ngx_str_set(&vary->value, "Cookie");

    return NGX_OK;
}


static ngx_int_t
ngx_http_consent_body_filter(ngx_http_request_t *r, ngx_chain_t *in)
{
    int                          rc, last;
    ngx_buf_t                   *b;
    ngx_chain_t                 *cl, *ocl;
    ngx_http_consent_ctx_t      *ctx;
    const consent_html_stats_t  *st;

    ctx = ngx_http_get_module_ctx(r, ngx_http_consent_module);

    if (ctx == NULL || ctx->html == NULL || ctx->request != r) {
        return ngx_http_next_body_filter(r, in);
    }

    if (in == NULL && ctx->busy == NULL) {
        return ngx_http_next_body_filter(r, in);
    }

    for (cl = in; cl; cl = cl->next) {
        b = cl->buf;

        if (ctx->done) {
            /* after the end: what nginx still sends is not the page */
            b->pos = b->last;
            continue;
        }

        last = b->last_buf || (r != r->main && b->last_in_chain);

        ctx->last_made = NULL;

        rc = consent_html_feed(ctx->html, (const char *) b->pos,
                               ngx_buf_in_memory(b) ? b->last - b->pos : 0,
                               last);
        if (rc != 0) {
            return NGX_ERROR;
        }

        if (last) {
            ctx->done = 1;

            st = consent_html_stats(ctx->html);

            if (st->overlong) {
                ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                              "consent: %ui tag(s) longer than "
                              "consent_tag_max gated unseen",
                              (ngx_uint_t) st->overlong);
            }

            if (st->banner_skipped) {
                ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                              "consent: the page ends inside an "
                              "unfinished element or is a frameset: "
                              "no banner");
            }
        }

        /*
         * the buffer's flags and its release travel on the last buffer
         * made from it: once that is sent, all of it is
         */

        if (ctx->last_made == NULL) {
            ocl = ngx_http_consent_out_buf(ctx);
            if (ocl == NULL) {
                return NGX_ERROR;
            }

            ocl->buf->sync = 1;
            ctx->last_made = ocl->buf;
        }

        ctx->last_made->last_buf = b->last_buf;
        ctx->last_made->last_in_chain = b->last_in_chain;
        ctx->last_made->flush = b->flush;
        ctx->last_made->shadow = b;
        ctx->last_made = NULL;
    }

    return ngx_http_consent_output(r, ctx);
}


static ngx_chain_t *
ngx_http_consent_out_buf(ngx_http_consent_ctx_t *ctx)
{
    ngx_chain_t  *cl;

    cl = ngx_chain_get_free_buf(ctx->request->pool, &ctx->free);
    if (cl == NULL) {
        return NULL;
    }

    ngx_memzero(cl->buf, sizeof(ngx_buf_t));

    cl->buf->tag = (ngx_buf_tag_t) &ngx_http_consent_module;

    *ctx->last_out = cl;
    ctx->last_out = &cl->next;

    return cl;
}


/* the scanner's output: a stretch of the input, or bytes of its own */

static int
ngx_http_consent_emit(void *data, const char *p, size_t len, int input)
{
    ngx_http_consent_ctx_t *ctx = data;

    ngx_buf_t    *b;
    ngx_chain_t  *cl;

    if (len == 0) {
        return 0;
    }

    if (input) {
        cl = ngx_http_consent_out_buf(ctx);
        if (cl == NULL) {
            return -1;
        }

        b = cl->buf;
        b->memory = 1;
        b->pos = (u_char *) p;
        b->last = (u_char *) p + len;

        ctx->last_made = b;

        return 0;
    }

    /* rewritten tags and injections: into a buffer of our own */

    b = ctx->last_made;

    if (b != NULL && b->start != NULL && (size_t) (b->end - b->last) >= len) {
        b->last = ngx_cpymem(b->last, p, len);
        return 0;
    }

    cl = ngx_http_consent_own_buf(ctx, len);
    if (cl == NULL) {
        return -1;
    }

    b = cl->buf;
    b->last = ngx_cpymem(b->pos, p, len);

    ctx->last_made = b;

    return 0;
}


/*
 * Buffers of our own are reused once sent, so that a page with many
 * gated tags does not grow the request's memory
 */

static ngx_chain_t *
ngx_http_consent_own_buf(ngx_http_consent_ctx_t *ctx, size_t len)
{
    size_t        size;
    u_char       *start, *end;
    ngx_buf_t    *b;
    ngx_chain_t  *cl;

    cl = ctx->free_own;

    if (cl != NULL && (size_t) (cl->buf->end - cl->buf->start) >= len) {
        ctx->free_own = cl->next;
        b = cl->buf;
        start = b->start;
        end = b->end;

    } else {
        cl = ngx_alloc_chain_link(ctx->request->pool);
        if (cl == NULL) {
            return NULL;
        }

        b = ngx_palloc(ctx->request->pool, sizeof(ngx_buf_t));
        if (b == NULL) {
            return NULL;
        }

        size = ngx_max(len, NGX_HTTP_CONSENT_OWN_BUF);

        start = ngx_palloc(ctx->request->pool, size);
        if (start == NULL) {
            return NULL;
        }

        end = start + size;
        cl->buf = b;
    }

    ngx_memzero(b, sizeof(ngx_buf_t));

    b->start = start;
    b->end = end;
    b->pos = start;
    b->last = start;
    b->memory = 1;
    b->tag = (ngx_buf_tag_t) &ngx_http_consent_module;

    cl->next = NULL;

    *ctx->last_out = cl;
    ctx->last_out = &cl->next;

    return cl;
}


static ngx_int_t
ngx_http_consent_output(ngx_http_request_t *r, ngx_http_consent_ctx_t *ctx)
{
    ngx_int_t     rc;
    ngx_buf_t    *b;
    ngx_chain_t  *cl;

    rc = ngx_http_next_body_filter(r, ctx->out);

    if (ctx->busy == NULL) {
        ctx->busy = ctx->out;

    } else {
        for (cl = ctx->busy; cl->next; cl = cl->next) { /* void */ }
        cl->next = ctx->out;
    }

    ctx->out = NULL;
    ctx->last_out = &ctx->out;

    while (ctx->busy) {

        cl = ctx->busy;
        b = cl->buf;

        if (ngx_buf_size(b) != 0) {
            break;
        }

        if (b->shadow) {
            b->shadow->pos = b->shadow->last;
        }

        ctx->busy = cl->next;

        if (b->start != NULL) {
            cl->next = ctx->free_own;
            ctx->free_own = cl;

        } else {
            cl->next = ctx->free;
            ctx->free = cl;
        }
    }

    return rc;
}
