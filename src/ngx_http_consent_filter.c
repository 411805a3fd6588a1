
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * The HTML filter: a header filter that decides and adjusts headers, and
 * a body filter that streams the page through the core's scanner
 * (consent_html.c).  Unchanged stretches of the page are passed on by
 * reference, never copied; the input buffer is released only once all
 * that refers to it has been sent.
 *
 * Its place in nginx's chain (see config): after the postpone filter,
 * so it reads the page as the browser will get it, with what SSI,
 * sub_filter and addition put in and subrequests in their place, and
 * before gzip.  Where it cannot be sure a response is clean for this
 * visitor, it does not send it, and says why in the error log.
 */


#include "ngx_http_consent_module.h"


#define NGX_HTTP_CONSENT_OWN_BUF  4096
#define NGX_HTTP_CONSENT_ZBUF     8192
#define NGX_HTTP_CONSENT_ZBUFS    16      /* inflated pieces in flight */

/*
 * compressed input the filter holds while its pieces are in flight: a
 * bit of the connection's, as gzip sets its own, so that nginx calls
 * the filter again once the client has read
 */
#define NGX_HTTP_CONSENT_BUFFERED  0x40

/*
 * what is made of a buffer that is not the page's last may wait, up to
 * this much, for the next one within the same turn of the event loop
 */
#define NGX_HTTP_CONSENT_HOLD  65536

/* the error log hears of each kind of refusal at most once a minute */
#define NGX_HTTP_CONSENT_LOG_EVERY  60


static ngx_int_t ngx_http_consent_header_filter(ngx_http_request_t *r);
static ngx_int_t ngx_http_consent_body_filter(ngx_http_request_t *r,
    ngx_chain_t *in);
static ngx_int_t ngx_http_consent_refuse(ngx_http_request_t *r,
    ngx_http_consent_ctx_t *ctx, ngx_uint_t kind, const char *why,
    ngx_str_t *what);
static ngx_int_t ngx_http_consent_validators(ngx_http_request_t *r,
    ngx_http_consent_loc_conf_t *clcf, ngx_uint_t status);
static ngx_int_t ngx_http_consent_cache_control(ngx_http_request_t *r,
    ngx_http_consent_loc_conf_t *clcf);
static ngx_int_t ngx_http_consent_filter_start(ngx_http_request_t *r,
    ngx_http_consent_loc_conf_t *clcf, ngx_http_consent_ctx_t *ctx);
static const char *ngx_http_consent_lang(ngx_http_request_t *r,
    ngx_http_consent_loc_conf_t *clcf);
static consent_url_t *ngx_http_consent_page_url(ngx_http_request_t *r);
static ngx_int_t ngx_http_consent_injections(ngx_http_request_t *r,
    ngx_http_consent_loc_conf_t *clcf, consent_view_t *view,
    consent_html_conf_t *hc);
static ngx_int_t ngx_http_consent_feed(ngx_http_request_t *r,
    ngx_http_consent_ctx_t *ctx, u_char *p, size_t len, ngx_uint_t last,
    ngx_buf_t *shadow);
static ngx_int_t ngx_http_consent_refuse_body(ngx_http_request_t *r,
    ngx_uint_t kind, const char *why);
static ngx_int_t ngx_http_consent_start_of_body(ngx_http_request_t *r,
    ngx_http_consent_ctx_t *ctx, u_char **p, size_t *len,
    ngx_uint_t last);
static ngx_int_t ngx_http_consent_inflate_start(ngx_http_request_t *r,
    ngx_http_consent_ctx_t *ctx, consent_coding_e coding);
static ngx_int_t ngx_http_consent_inflate_body(ngx_http_request_t *r,
    ngx_http_consent_ctx_t *ctx, ngx_chain_t *in);
static ngx_int_t ngx_http_consent_inflate(ngx_http_request_t *r,
    ngx_http_consent_ctx_t *ctx, ngx_buf_t *b);
static void ngx_http_consent_page_end(ngx_http_request_t *r,
    ngx_http_consent_ctx_t *ctx);
static ngx_buf_t *ngx_http_consent_zbuf(ngx_http_request_t *r,
    ngx_http_consent_ctx_t *ctx);
static void ngx_http_consent_inflate_cleanup(void *data);
static ngx_int_t ngx_http_consent_pass(ngx_http_consent_ctx_t *ctx,
    ngx_buf_t *b);
static ngx_uint_t ngx_http_consent_header_out_has(ngx_http_request_t *r,
    const char *name, const char *token);
static ngx_uint_t ngx_http_consent_type_listed(ngx_http_request_t *r,
    ngx_http_consent_loc_conf_t *clcf);
static int ngx_http_consent_emit(void *data, const char *p, size_t len,
    int input);
static ngx_chain_t *ngx_http_consent_out_buf(ngx_http_consent_ctx_t *ctx);
static ngx_chain_t *ngx_http_consent_own_buf(ngx_http_consent_ctx_t *ctx,
    size_t len);
#if (NGX_DEBUG)
static void ngx_http_consent_decided(void *data,
    const consent_html_decision_t *d);
#endif
static ngx_uint_t ngx_http_consent_hold(ngx_http_request_t *r,
    ngx_http_consent_ctx_t *ctx);
static void ngx_http_consent_hold_handler(ngx_event_t *ev);
static void ngx_http_consent_hold_cleanup(void *data);
static ngx_int_t ngx_http_consent_output(ngx_http_request_t *r,
    ngx_http_consent_ctx_t *ctx);


static ngx_http_output_header_filter_pt  ngx_http_next_header_filter;
static ngx_http_output_body_filter_pt    ngx_http_next_body_filter;


/* the kinds of refusal, each logged at most once a minute per worker */

#define NGX_HTTP_CONSENT_REFUSE_CODING    0
#define NGX_HTTP_CONSENT_REFUSE_CHARSET   1
#define NGX_HTTP_CONSENT_REFUSE_BOM       2
#define NGX_HTTP_CONSENT_REFUSE_ESCAPE    3
#define NGX_HTTP_CONSENT_REFUSE_KINDS     4

static time_t      ngx_http_consent_logged[NGX_HTTP_CONSENT_REFUSE_KINDS];
static ngx_uint_t  ngx_http_consent_unlogged[NGX_HTTP_CONSENT_REFUSE_KINDS];


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
    ngx_str_t                     ce;
    ngx_uint_t                    status;
    consent_view_t               *view;
    consent_coding_e              coding;
    ngx_http_consent_req_t       *req;
    ngx_http_consent_ctx_t       *ctx;
    ngx_http_consent_loc_conf_t  *clcf;

    if (r != r->main) {
        /* a subrequest's bytes are read where they land in the page */

        ctx = ngx_http_get_module_ctx(r->main, ngx_http_consent_module);

        if (ctx != NULL && ctx->html != NULL) {
            r->filter_need_in_memory = 1;
        }

        return ngx_http_next_header_filter(r);
    }

    ctx = ngx_http_get_module_ctx(r, ngx_http_consent_module);

    if (ctx != NULL && ctx->refused) {
        /* our own error page */
        return ngx_http_next_header_filter(r);
    }

    clcf = ngx_http_get_module_loc_conf(r, ngx_http_consent_module);
    req = ngx_http_consent_req(r, 0);

    if (!clcf->enable && !clcf->endpoint) {
        /* an internal redirect out of a "consent on" location */

        if (req == NULL || req->clcf == NULL) {
            return ngx_http_next_header_filter(r);
        }

        clcf = req->clcf;
    }

    /* the endpoint's own pages carry no banner */

    if (!clcf->enable || clcf->endpoint || clcf->policy == NULL
        || clcf->keys == NULL)
    {
        return ngx_http_next_header_filter(r);
    }

    if (ngx_http_consent_cookies_header(r, clcf) != NGX_OK) {
        return NGX_ERROR;
    }

    ngx_http_consent_restore_encoding(r, req);

    status = r->headers_out.status;

    if (status == NGX_HTTP_NOT_MODIFIED) {
        if (req != NULL && req->cond_matched) {
            if (ngx_http_consent_validators(r, clcf, status) != NGX_OK) {
                return NGX_ERROR;
            }
        }

        ngx_log_debug0(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "consent filter: not read: 304");

        ngx_http_consent_stat(CONSENT_STAT_UNFILTERED, CONSENT_UNF_STATUS);
        return ngx_http_next_header_filter(r);
    }

    if (status == NGX_HTTP_NO_CONTENT
        || status == NGX_HTTP_PARTIAL_CONTENT
        || status < NGX_HTTP_OK
        || r->headers_out.content_length_n == 0)
    {
        ngx_log_debug1(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "consent filter: not read: status %ui or no body",
                       status);

        ngx_http_consent_stat(CONSENT_STAT_UNFILTERED, status == NGX_HTTP_OK
                              ? CONSENT_UNF_EMPTY : CONSENT_UNF_STATUS);
        return ngx_http_next_header_filter(r);
    }

    /* the one the cookies made, with the visitor's consent verified */
    ctx = ngx_http_get_module_ctx(r, ngx_http_consent_module);

    if (ctx == NULL) {
        ctx = ngx_pcalloc(r->pool, sizeof(ngx_http_consent_ctx_t));
        if (ctx == NULL) {
            return NGX_ERROR;
        }

        ngx_http_set_ctx(r, ctx, ngx_http_consent_module);
    }

    if (!ngx_http_consent_type_listed(r, clcf)) {

        /* what a browser would sniff as HTML is read as HTML */

        if (!consent_sniff_type((const char *)
                                    r->headers_out.content_type.data,
                                r->headers_out.content_type.len)
            || ngx_http_consent_header_out_has(r, "X-Content-Type-Options",
                                               "nosniff"))
        {
            ngx_log_debug1(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                           "consent filter: not read: type \"%V\"",
                           &r->headers_out.content_type);

            ngx_http_consent_stat(CONSENT_STAT_UNFILTERED, CONSENT_UNF_TYPE);
            return ngx_http_next_header_filter(r);
        }

        ctx->sniff = 1;
    }

    view = ngx_http_consent_view(r);
    if (view == NULL) {
        return NGX_ERROR;
    }

    if (ngx_http_consent_regime_header(r, clcf, view) != NGX_OK) {
        return NGX_ERROR;
    }

    if (ngx_http_consent_regime_off(view)) {
        ngx_log_debug0(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "consent filter: not read: regime off");

        return ngx_http_next_header_filter(r);
    }

    ctx->conf = clcf;
    ctx->all_granted = ((view->state == CONSENT_STATE_VALID
                         || view->regime != NULL)
                        && (view->granted & clcf->policy->all_mask)
                           == clcf->policy->all_mask);

    coding = CONSENT_CODING_NONE;
    ngx_str_null(&ce);

    if (r->headers_out.content_encoding) {
        ce = r->headers_out.content_encoding->value;
        coding = consent_coding((const char *) ce.data, ce.len);
    }

    if (coding == CONSENT_CODING_OTHER) {
        if (ctx->all_granted) {
            /* nothing to hold back from this visitor */
            ngx_log_debug1(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                           "consent filter: not read: Content-Encoding "
                           "\"%V\", every category granted", &ce);

            ngx_http_consent_stat(CONSENT_STAT_UNFILTERED,
                                  CONSENT_UNF_ENCODING);
            return ngx_http_next_header_filter(r);
        }

        return ngx_http_consent_refuse(r, ctx, NGX_HTTP_CONSENT_REFUSE_CODING,
                                       "a page in an encoding the filter "
                                       "cannot read", &ce);
    }

    /* UTF-16 and UTF-32 pages are not ASCII-compatible */

    if (!consent_charset_ascii(
            (const char *) r->headers_out.content_type.data,
            r->headers_out.content_type.len,
            (const char *) r->headers_out.charset.data,
            r->headers_out.charset.len))
    {
        if (ctx->all_granted) {
            ngx_log_debug0(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                           "consent filter: not read: a charset not "
                           "ASCII-compatible, every category granted");

            ngx_http_consent_stat(CONSENT_STAT_UNFILTERED, CONSENT_UNF_CHARSET);
            return ngx_http_next_header_filter(r);
        }

        return ngx_http_consent_refuse(r, ctx,
                                       NGX_HTTP_CONSENT_REFUSE_CHARSET,
                                       "a page in a charset the filter "
                                       "cannot read",
                                       &r->headers_out.content_type);
    }

    if (coding != CONSENT_CODING_NONE) {
        ngx_log_debug1(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "consent filter: inflating %s",
                       consent_coding_name(coding));

        if (ngx_http_consent_inflate_start(r, ctx, coding) != NGX_OK) {
            return NGX_ERROR;
        }
    }

    if (r->headers_out.content_encoding) {
        /* gzip, deflate or identity: what leaves is identity */
        r->headers_out.content_encoding->hash = 0;
        r->headers_out.content_encoding = NULL;
    }

    /*
     * an escape to ISO-2022-JP would make the browser read other bytes
     * than the scanner does, unless the header names a charset it wins
     * over
     */

    ctx->escapes = !consent_charset_fixed(
                       (const char *) r->headers_out.content_type.data,
                       r->headers_out.content_type.len,
                       (const char *) r->headers_out.charset.data,
                       r->headers_out.charset.len);
    ctx->first = 1;

    ngx_http_clear_content_length(r);
    ngx_http_clear_accept_ranges(r);

    if (ngx_http_consent_validators(r, clcf, status) != NGX_OK) {
        return NGX_ERROR;
    }

    if (r->header_only) {
        ngx_log_debug0(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "consent filter: not read: no body sent (HEAD)");

        ngx_http_consent_stat(CONSENT_STAT_UNFILTERED, CONSENT_UNF_HEAD);
        return ngx_http_next_header_filter(r);
    }

    if (ngx_http_consent_filter_start(r, clcf, ctx) != NGX_OK) {
        return NGX_ERROR;
    }

    r->filter_need_in_memory = 1;

    return ngx_http_next_header_filter(r);
}


/*
 * A response that might carry trackers to a visitor who has not said
 * yes, and that the filter cannot read: a broken page the operator sees
 * at once rather than a leak nobody sees
 */

static ngx_int_t
ngx_http_consent_refuse(ngx_http_request_t *r, ngx_http_consent_ctx_t *ctx,
    ngx_uint_t kind, const char *why, ngx_str_t *what)
{
    ngx_str_t   upstream;
    ngx_uint_t  n;

    ngx_str_set(&upstream, "the response");

    if (r->upstream && r->upstream->peer.name) {
        upstream = *r->upstream->peer.name;
    }

    if (ngx_time() - ngx_http_consent_logged[kind]
        >= NGX_HTTP_CONSENT_LOG_EVERY)
    {
        n = ngx_http_consent_unlogged[kind];
        ngx_http_consent_logged[kind] = ngx_time();
        ngx_http_consent_unlogged[kind] = 0;

        if (kind == NGX_HTTP_CONSENT_REFUSE_CODING) {
            ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                          "consent: %s (Content-Encoding: \"%V\" from %V) "
                          "refused with 502 to a visitor without consent "
                          "(%ui more since the last report); the request "
                          "asked only for gzip and deflate: make the "
                          "backend honour Accept-Encoding, or turn its "
                          "compression off, and let nginx's gzip compress",
                          why, what, &upstream, n);

        } else {
            ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                          "consent: %s (Content-Type: \"%V\" from %V) "
                          "refused with 502 to a visitor without consent "
                          "(%ui more since the last report); serve the "
                          "page in UTF-8",
                          why, what, &upstream, n);
        }

    } else {
        ngx_http_consent_unlogged[kind]++;
    }

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "consent filter: failed closed, 502: %s \"%V\"",
                   why, what);

    ctx->refused = 1;
    ngx_http_consent_stat(CONSENT_STAT_REFUSED, kind);

    return ngx_http_filter_finalize_request(r, &ngx_http_consent_module,
                                            NGX_HTTP_BAD_GATEWAY);
}


/*
 * The page's validators name the variant it was built for; a 304 is
 * only ever sent for that variant (ngx_http_consent_precond.c)
 */

static ngx_int_t
ngx_http_consent_validators(ngx_http_request_t *r,
    ngx_http_consent_loc_conf_t *clcf, ngx_uint_t status)
{
    size_t                   len;
    u_char                  *p;
    uint64_t                 fp;
    ngx_table_elt_t         *etag;
    ngx_http_consent_req_t  *req;

    ngx_http_clear_last_modified(r);

    etag = r->headers_out.etag;

    if (etag != NULL) {

        if (clcf->csp_nonce) {
            /* a nonce a page: no two responses are the same */
            etag->hash = 0;
            r->headers_out.etag = NULL;

        } else {
            req = ngx_http_consent_req(r, 0);

            if (status == NGX_HTTP_NOT_MODIFIED && req && req->cond_matched)
            {
                fp = req->variant;

            } else if (ngx_http_consent_variant(r, clcf, &fp) != NGX_OK) {
                return NGX_ERROR;
            }

            p = ngx_pnalloc(r->pool,
                            etag->value.len + CONSENT_ETAG_MARK_LEN + 4);
            if (p == NULL) {
                return NGX_ERROR;
            }

            len = consent_etag_mark((const char *) etag->value.data,
                                    etag->value.len, fp, (char *) p);

            ngx_log_debug1(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                           "consent filter: variant %016uxL", fp);

            etag->value.data = p;
            etag->value.len = len;
        }
    }

    return ngx_http_consent_cache_control(r, clcf);
}


/*
 * The page depends on the visitor's consent: a browser revalidates it
 * before each use, and no shared cache may hand one visitor's variant to
 * another
 */

static ngx_int_t
ngx_http_consent_cache_control(ngx_http_request_t *r,
    ngx_http_consent_loc_conf_t *clcf)
{
    ngx_uint_t        how;
    ngx_table_elt_t  *vary;

    how = NGX_HTTP_CONSENT_CC_NO_CACHE;

    if (clcf->cache_private) {
        how |= NGX_HTTP_CONSENT_CC_PRIVATE;
    }

    if (ngx_http_consent_cache_control_set(r, how) != NGX_OK) {
        return NGX_ERROR;
    }

    if (!clcf->cache_private) {
        return NGX_OK;
    }

    vary = ngx_http_consent_header_out_str(r, "Vary", "Cookie");
    if (vary == NULL) {
        return NGX_ERROR;
    }

    return NGX_OK;
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
    hc.base = ngx_http_consent_page_url(r);
    hc.emit = ngx_http_consent_emit;
    hc.ctx = ctx;

    if (ngx_http_consent_inventory_hosts(r, clcf, &hc) != NGX_OK) {
        return NGX_ERROR;
    }

    if (ngx_http_consent_injections(r, clcf, view, &hc) != NGX_OK) {
        return NGX_ERROR;
    }

#if (NGX_DEBUG)
    /* each element gated or let go, each injection, in the debug log */
    if (r->connection->log->log_level & NGX_LOG_DEBUG_HTTP) {
        hc.decided = ngx_http_consent_decided;
        hc.decided_ctx = r;
    }
#endif

    ngx_log_debug4(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "consent filter: reading the page, granted %uxD, "
                   "head %uz, banner %uz bytes, sniffed %ui",
                   hc.granted, hc.head_len, hc.banner_len,
                   (ngx_uint_t) ctx->sniff);

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
    consent_render_conf_t         rc;
    consent_tpl_vars_t            vars;
    ngx_http_consent_srv_conf_t  *cscf;

    cscf = ngx_http_get_module_srv_conf(r, ngx_http_consent_module);

    if (cscf->endpoint.len == 0
        || clcf->tcf == NGX_HTTP_CONSENT_TCF_BRIDGE)
    {
        /* no endpoint in this server: nothing to post a choice to; or
           the operator's own CMP asks (consent_tcf bridge) */
        return NGX_OK;
    }

    ngx_memzero(&rc, sizeof(consent_render_conf_t));

    rc.endpoint = (const char *) cscf->endpoint.data;
    rc.endpoint_len = cscf->endpoint.len;
    rc.version = consent_assets_version;
    rc.position = (consent_position_e) clcf->position;
    rc.manage_button = clcf->manage_button;

    if (clcf->domains) {
        rc.domains = (const char *) clcf->domains->shown.data;
        rc.domains_len = clcf->domains->shown.len;
    }

    ngx_str_null(&nonce);

    if (clcf->csp_nonce
        && ngx_http_complex_value(r, clcf->csp_nonce, &nonce) != NGX_OK)
    {
        return NGX_ERROR;
    }

    /* Global Privacy Control: said in the banner until a choice is made */

    gpc = ngx_http_consent_regime_gpc_shown(r, view);

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

    if (ngx_http_consent_regime_head(r, clcf, view, &rc, &nonce, &out)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    /* consent_tcf cmp: __tcfapi, first of all (ngx_http_consent_tcf.c) */

    if (ngx_http_consent_tcf_head(r, clcf, view, &rc, &nonce, &out, hc)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    hc->head = (const char *) out.data;
    hc->head_len = out.len;

    lang = ngx_http_consent_lang(r, clcf);

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
        if (ngx_http_consent_tcf_ui_banner(r, clcf, lang, &rc) != NGX_OK) {
            return NGX_ERROR;
        }

        tpl = consent_render_banner_tpl(clcf->policy, lang, &rc);
        free((char *) rc.tcf_first);

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
    vars.granted = consent_regime_ticked(view);
    vars.hidden = (view->state == CONSENT_STATE_VALID);

    switch (ngx_http_consent_regime_banner(r, clcf, view, &rc, &vars, lang,
                                           &out))
    {
    case NGX_OK:
        if (i >= clcf->ntpls) {
            consent_tpl_free(tpl);
        }

        hc->banner = (const char *) out.data;
        hc->banner_len = out.len;
        return NGX_OK;

    case NGX_DECLINED:
        break;

    default:
        if (i >= clcf->ntpls) {
            consent_tpl_free(tpl);
        }

        return NGX_ERROR;
    }

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


static ngx_int_t
ngx_http_consent_body_filter(ngx_http_request_t *r, ngx_chain_t *in)
{
    ngx_int_t                rc;
    ngx_buf_t               *b;
    ngx_chain_t             *cl;
    ngx_http_consent_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_consent_module);

    /* after the postpone filter, only the main request comes here */

    if (ctx == NULL || ctx->html == NULL || r != r->main) {
        return ngx_http_next_body_filter(r, in);
    }

    if (ctx->inflate && !ctx->done) {
        return ngx_http_consent_inflate_body(r, ctx, in);
    }

    if (in == NULL && ctx->busy == NULL && ctx->out == NULL) {
        return ngx_http_next_body_filter(r, in);
    }

    for (cl = in; cl; cl = cl->next) {
        b = cl->buf;

        if (ctx->done) {
            /* after the page, or a page that is not ours: as it is */

            if (ngx_http_consent_pass(ctx, b) != NGX_OK) {
                return NGX_ERROR;
            }

            continue;
        }

        if (!ngx_buf_in_memory(b) && ngx_buf_size(b) != 0) {
            ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                          "consent: a buffer in a file reached the filter");
            return NGX_ERROR;
        }

        rc = ngx_http_consent_feed(r, ctx, b->pos,
                                   ngx_buf_in_memory(b)
                                   ? (size_t) (b->last - b->pos) : 0,
                                   b->last_buf, b);
        if (rc != NGX_OK) {
            return NGX_ERROR;
        }

        if (b->last_buf) {
            ngx_http_consent_page_end(r, ctx);
        }
    }

    if (in != NULL && ngx_http_consent_hold(r, ctx)) {
        return NGX_OK;
    }

    return ngx_http_consent_output(r, ctx);
}


static void
ngx_http_consent_page_end(ngx_http_request_t *r, ngx_http_consent_ctx_t *ctx)
{
    const consent_html_stats_t  *st;

    ctx->done = 1;
    ngx_http_consent_stat_page(r, ctx);

    st = consent_html_stats(ctx->html);

    ngx_log_debug5(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "consent filter: page done, gated %ui (over "
                   "consent_tag_max %ui), head %ui, banner %ui, banner "
                   "skipped %ui", (ngx_uint_t) st->gated,
                   (ngx_uint_t) st->overlong, (ngx_uint_t) st->head_injected,
                   (ngx_uint_t) st->banner_injected,
                   (ngx_uint_t) st->banner_skipped);

    if (st->overlong) {
        ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                      "consent: %ui tag(s) longer than consent_tag_max "
                      "gated unseen", (ngx_uint_t) st->overlong);
    }

    if (st->banner_skipped) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "consent: the page ends inside an unfinished element "
                      "or is a frameset: no banner");
    }
}


/*
 * A compressed page: its buffers wait in ctx->zin while the pieces
 * inflated from them are in flight, so that a slow client holds at most
 * NGX_HTTP_CONSENT_ZBUFS pieces
 */

static ngx_int_t
ngx_http_consent_inflate_body(ngx_http_request_t *r,
    ngx_http_consent_ctx_t *ctx, ngx_chain_t *in)
{
    ngx_int_t     rc;
    ngx_buf_t    *b;
    ngx_chain_t  *cl;

    if (in && ngx_chain_add_copy(r->pool, &ctx->zin, in) != NGX_OK) {
        return NGX_ERROR;
    }

    for ( ;; ) {

        rc = NGX_OK;

        while (ctx->zin) {
            b = ctx->zin->buf;

            if (!ngx_buf_in_memory(b) && ngx_buf_size(b) != 0) {
                ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                              "consent: a buffer in a file reached the "
                              "filter");
                return NGX_ERROR;
            }

            rc = ngx_http_consent_inflate(r, ctx, b);

            if (rc == NGX_ERROR) {
                return NGX_ERROR;
            }

            if (rc == NGX_AGAIN) {
                break;
            }

            cl = ctx->zin;
            ctx->zin = cl->next;
            ngx_free_chain(r->pool, cl);

            if (b->last_buf) {
                ngx_http_consent_page_end(r, ctx);
            }
        }

        if (ngx_http_consent_output(r, ctx) == NGX_ERROR) {
            return NGX_ERROR;
        }

        /*
         * pieces sent just now are free: go on with them, as no write
         * event may come for data that is already out
         */

        if (rc != NGX_AGAIN || ngx_http_consent_zbuf(r, ctx) == NULL) {
            break;
        }
    }

    if (ctx->zin) {
        r->connection->buffered |= NGX_HTTP_CONSENT_BUFFERED;
        return NGX_AGAIN;
    }

    r->connection->buffered &= ~NGX_HTTP_CONSENT_BUFFERED;

    return NGX_OK;
}


/*
 * A piece of the page: its first bytes decide how it is read, then the
 * scanner gates it.  shadow, if not NULL, is the buffer the piece lies
 * in (released once all made from it is sent) and gives its flags.
 */

static ngx_int_t
ngx_http_consent_feed(ngx_http_request_t *r, ngx_http_consent_ctx_t *ctx,
    u_char *p, size_t len, ngx_uint_t last, ngx_buf_t *shadow)
{
    ngx_int_t    rc;
    ngx_buf_t   *b;
    ngx_chain_t *cl;

    ctx->last_made = NULL;
    rc = NGX_OK;

    if (ctx->first) {
        rc = ngx_http_consent_start_of_body(r, ctx, &p, &len, last);

        if (rc == NGX_ERROR) {
            return NGX_ERROR;
        }
    }

    if (rc == NGX_OK) {
        if (ctx->done) {
            /* a body a browser would not read as HTML: as it is */

            if (ngx_http_consent_emit(ctx, (const char *) p, len, 1) != 0) {
                return NGX_ERROR;
            }

        } else {
            if (ctx->escapes && len
                && consent_iso2022_escape(p, len) != NULL)
            {
                return ngx_http_consent_refuse_body(r,
                           NGX_HTTP_CONSENT_REFUSE_ESCAPE,
                           "an ISO-2022 escape that would make the browser "
                           "read other markup than the filter does; cut "
                           "there: declare the charset in Content-Type "
                           "(nginx's \"charset\") or serve the page in "
                           "UTF-8");
            }

            if (consent_html_feed(ctx->html, (const char *) p, len, last)
                != 0)
            {
                return NGX_ERROR;
            }
        }
    }

    /* the flags and the release travel on the last buffer made */

    b = ctx->last_made;

    if (b == NULL) {
        cl = ngx_http_consent_out_buf(ctx);
        if (cl == NULL) {
            return NGX_ERROR;
        }

        b = cl->buf;
        b->sync = 1;
    }

    if (shadow) {
        b->shadow = shadow;
        b->last_buf = shadow->last_buf;
        b->last_in_chain = shadow->last_in_chain;
        b->flush = shadow->flush;
    }

    ctx->last_made = NULL;

    return NGX_OK;
}


/*
 * NGX_OK once the start of the body says how it is read (with *p and
 * *len what is left to feed), NGX_AGAIN while its bytes are kept to tell,
 * NGX_ERROR if it must not be sent
 */

static ngx_int_t
ngx_http_consent_start_of_body(ngx_http_request_t *r,
    ngx_http_consent_ctx_t *ctx, u_char **p, size_t *len, ngx_uint_t last)
{
    int          bom, html;
    size_t       n;
    u_char      *d;
    ngx_uint_t   end;

    if (ctx->nprefix == 0) {
        d = *p;
        n = *len;
        end = last;

    } else {
        d = NULL;
        n = 0;
        end = 0;
    }

    for ( ;; ) {

        if (d != NULL) {
            bom = consent_bom_utf16(d, n, end);
            html = ctx->sniff ? consent_sniff_html(d, n, end) : 1;

            if (bom != -1 && (bom == 1 || html != -1)) {
                break;
            }
        }

        if (d == ctx->prefix && d != NULL && n >= CONSENT_SNIFF_MAX) {
            /* cannot happen: the functions decide on that many bytes */
            break;
        }

        if (d == ctx->prefix && d != NULL && *len == 0) {
            return NGX_AGAIN;
        }

        /* keep what there is, and look again */

        if (ctx->prefix == NULL) {
            ctx->prefix = ngx_pnalloc(r->pool, CONSENT_SNIFF_MAX);
            if (ctx->prefix == NULL) {
                return NGX_ERROR;
            }
        }

        n = ngx_min(*len, CONSENT_SNIFF_MAX - ctx->nprefix);
        ngx_memcpy(ctx->prefix + ctx->nprefix, *p, n);
        ctx->nprefix += n;
        *p += n;
        *len -= n;

        d = ctx->prefix;
        n = ctx->nprefix;
        end = last && *len == 0;
    }

    ctx->first = 0;

    ngx_log_debug3(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "consent filter: body starts with a UTF-16 BOM: %d, "
                   "read as HTML: %d, sniffed: %ui", bom, html,
                   (ngx_uint_t) ctx->sniff);

    if (bom == 1) {
        if (!ctx->all_granted) {
            return ngx_http_consent_refuse_body(r,
                       NGX_HTTP_CONSENT_REFUSE_BOM,
                       "a page that begins with a UTF-16 byte order mark, "
                       "which the filter cannot read, not sent; serve it "
                       "in UTF-8");
        }

        ctx->done = 1;
        ngx_http_consent_stat(CONSENT_STAT_UNFILTERED, CONSENT_UNF_BOM);

    } else if (html == 0) {
        /* a browser would not render it: not ours */
        ctx->done = 1;
        ngx_log_debug0(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "consent filter: not read: the body is not HTML");

        ngx_http_consent_stat(CONSENT_STAT_UNFILTERED, CONSENT_UNF_NOT_HTML);
    }

    if (d == ctx->prefix && n) {
        /* the kept bytes go first; they live as long as the request */

        if (ngx_http_consent_feed(r, ctx, ctx->prefix, n, 0, NULL)
            != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_consent_refuse_body(ngx_http_request_t *r, ngx_uint_t k,
    const char *why)
{
    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "consent filter: failed closed: %s", why);

    if (ngx_time() - ngx_http_consent_logged[k] >= NGX_HTTP_CONSENT_LOG_EVERY)
    {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "consent: %s (%ui more since the last report)",
                      why, ngx_http_consent_unlogged[k]);

        ngx_http_consent_logged[k] = ngx_time();
        ngx_http_consent_unlogged[k] = 0;

    } else {
        ngx_http_consent_unlogged[k]++;
    }

    ngx_http_consent_stat(CONSENT_STAT_REFUSED, k);

    return NGX_ERROR;
}


static ngx_int_t
ngx_http_consent_inflate_start(ngx_http_request_t *r,
    ngx_http_consent_ctx_t *ctx, consent_coding_e coding)
{
    ngx_pool_cleanup_t  *cln;

    cln = ngx_pool_cleanup_add(r->pool, 0);
    if (cln == NULL) {
        return NGX_ERROR;
    }

    ctx->inflate = consent_inflate_new(coding,
                                       (uint64_t) ctx->conf->inflate_max);
    if (ctx->inflate == NULL) {
        return NGX_ERROR;
    }

    cln->handler = ngx_http_consent_inflate_cleanup;
    cln->data = ctx->inflate;

    return NGX_OK;
}


static void
ngx_http_consent_inflate_cleanup(void *data)
{
    consent_inflate_free(data);
}


/*
 * A compressed buffer is read into zlib as pieces of our own are free;
 * NGX_AGAIN when none is, with b->pos at what is left
 */

static ngx_int_t
ngx_http_consent_inflate(ngx_http_request_t *r, ngx_http_consent_ctx_t *ctx,
    ngx_buf_t *b)
{
    size_t                 in_len, n;
    ngx_buf_t             *z;
    ngx_uint_t             last;
    ngx_chain_t           *cl;
    const u_char          *in;
    consent_inflate_rc_e   rc;

    in = b->pos;
    in_len = ngx_buf_in_memory(b) ? (size_t) (b->last - b->pos) : 0;
    last = b->last_buf;

    for ( ;; ) {

        if (in_len == 0 && !last) {
            break;
        }

        z = ngx_http_consent_zbuf(r, ctx);
        if (z == NULL) {
            b->pos = (u_char *) in;
            return NGX_AGAIN;
        }

        n = z->end - z->start;

        rc = consent_inflate(ctx->inflate, &in, &in_len, z->start, &n, last);

        if (rc == CONSENT_INFLATE_TOO_BIG) {
            ngx_http_consent_stat(CONSENT_STAT_REFUSED,
                                  CONSENT_REF_INFLATE_SIZE);
            ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                          "consent: the compressed page inflates to more "
                          "than consent_inflate_max_size (%O): cut there",
                          ctx->conf->inflate_max);
            return NGX_ERROR;
        }

        if (rc == CONSENT_INFLATE_ERROR) {
            ngx_http_consent_stat(CONSENT_STAT_REFUSED, CONSENT_REF_INFLATE);
            ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                          "consent: the compressed page cannot be "
                          "inflated (%s): cut there",
                          consent_inflate_error(ctx->inflate));
            return NGX_ERROR;
        }

        if (n) {
            z->pos = z->start;
            z->last = z->start + n;

            if (ngx_http_consent_feed(r, ctx, z->pos, n, 0, z) != NGX_OK) {
                return NGX_ERROR;
            }
        }

        if (in_len == 0 && (rc == CONSENT_INFLATE_END || n == 0)) {
            break;
        }
    }

    b->pos = b->last;

    /*
     * the end of the page, and the buffer's flags; not the buffer itself,
     * which is read and may be refilled by its producer already
     */

    if (ngx_http_consent_feed(r, ctx, NULL, 0, last, NULL) != NGX_OK) {
        return NGX_ERROR;
    }

    if (!b->last_buf && !b->flush && !b->last_in_chain) {
        return NGX_OK;
    }

    cl = ngx_http_consent_out_buf(ctx);
    if (cl == NULL) {
        return NGX_ERROR;
    }

    cl->buf->sync = 1;
    cl->buf->last_buf = b->last_buf;
    cl->buf->last_in_chain = b->last_in_chain;
    cl->buf->flush = b->flush;

    return NGX_OK;
}


static ngx_buf_t *
ngx_http_consent_zbuf(ngx_http_request_t *r, ngx_http_consent_ctx_t *ctx)
{
    ngx_buf_t    *z;
    ngx_chain_t  *cl;

    ngx_uint_t    n;

    n = 0;

    for (cl = ctx->zbufs; cl; cl = cl->next) {
        if (cl->buf->pos == cl->buf->last) {
            return cl->buf;
        }

        n++;
    }

    if (n == NGX_HTTP_CONSENT_ZBUFS) {
        return NULL;
    }

    z = ngx_create_temp_buf(r->pool, NGX_HTTP_CONSENT_ZBUF);
    if (z == NULL) {
        return NULL;
    }

    z->tag = (ngx_buf_tag_t) &ngx_http_consent_module;

    cl = ngx_alloc_chain_link(r->pool);
    if (cl == NULL) {
        return NULL;
    }

    cl->buf = z;
    cl->next = ctx->zbufs;
    ctx->zbufs = cl;

    return z;
}


/* a buffer passed on as it is, released once sent */

static ngx_int_t
ngx_http_consent_pass(ngx_http_consent_ctx_t *ctx, ngx_buf_t *b)
{
    ngx_buf_t    *nb;
    ngx_chain_t  *cl;

    cl = ngx_http_consent_out_buf(ctx);
    if (cl == NULL) {
        return NGX_ERROR;
    }

    nb = cl->buf;

    nb->pos = b->pos;
    nb->last = b->last;
    nb->file_pos = b->file_pos;
    nb->file_last = b->file_last;
    nb->file = b->file;
    nb->temporary = b->temporary;
    nb->memory = b->memory;
    nb->mmap = b->mmap;
    nb->in_file = b->in_file;
    nb->flush = b->flush;
    nb->sync = b->sync;
    nb->last_buf = b->last_buf;
    nb->last_in_chain = b->last_in_chain;
    nb->shadow = b;

    if (ngx_buf_special(b)) {
        b->pos = b->last;
    }

    return NGX_OK;
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


/*
 * What is made of a buffer that is not the page's last waits for the
 * next one, which the producer most often has at hand (a file read in
 * output_buffers, an upstream's buffers read at once): both then go out
 * in one write, which wakes the client once.  It never waits for the
 * network or an upstream: a posted event sends it at the end of this
 * turn of the event loop, before the worker waits again.  Nor does it
 * wait past NGX_HTTP_CONSENT_HOLD bytes, a flush or the page's end.
 */

static ngx_uint_t
ngx_http_consent_hold(ngx_http_request_t *r, ngx_http_consent_ctx_t *ctx)
{
    off_t                size;
    ngx_buf_t           *b;
    ngx_chain_t         *cl;
    ngx_event_t         *ev;
    ngx_pool_cleanup_t  *cln;

    size = 0;

    for (cl = ctx->out; cl; cl = cl->next) {
        b = cl->buf;

        if (b->last_buf || b->last_in_chain || b->flush) {
            return 0;
        }

        size += ngx_buf_size(b);
    }

    if (size == 0 || size >= NGX_HTTP_CONSENT_HOLD) {
        return 0;
    }

    ev = ctx->hold;

    if (ev == NULL) {
        ev = ngx_pcalloc(r->pool, sizeof(ngx_event_t));
        if (ev == NULL) {
            return 0;
        }

        cln = ngx_pool_cleanup_add(r->pool, 0);
        if (cln == NULL) {
            return 0;
        }

        cln->handler = ngx_http_consent_hold_cleanup;
        cln->data = ev;

        ev->handler = ngx_http_consent_hold_handler;
        ev->data = r;
        ev->log = r->connection->log;

        ctx->hold = ev;
    }

    ngx_post_event(ev, &ngx_posted_events);

    /* not done while something is held: finalizing waits for it */
    r->connection->buffered |= NGX_HTTP_CONSENT_BUFFERED;

    return 1;
}


static void
ngx_http_consent_hold_handler(ngx_event_t *ev)
{
    ngx_connection_t        *c;
    ngx_http_request_t      *r;
    ngx_http_consent_ctx_t  *ctx;

    r = ev->data;
    c = r->connection;

    ctx = ngx_http_get_module_ctx(r, ngx_http_consent_module);

    if (ctx == NULL || ctx->out == NULL) {
        return;
    }

    if (ngx_http_consent_output(r, ctx) == NGX_ERROR) {
        c->error = 1;
    }

    /*
     * the producer may be waiting for these buffers, and no write event
     * comes for data that went out at once: the request's writer runs
     */
    ngx_post_event(c->write, &ngx_posted_events);
}


static void
ngx_http_consent_hold_cleanup(void *data)
{
    ngx_event_t  *ev = data;

    if (ev->posted) {
        ngx_delete_posted_event(ev);
    }
}


static ngx_int_t
ngx_http_consent_output(ngx_http_request_t *r, ngx_http_consent_ctx_t *ctx)
{
    ngx_int_t     rc;
    ngx_buf_t    *b;
    ngx_chain_t  *cl;

    if (ctx->hold != NULL && ctx->hold->posted) {
        ngx_delete_posted_event(ctx->hold);
    }

    r->connection->buffered &= ~NGX_HTTP_CONSENT_BUFFERED;

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

            if (b->shadow->in_file) {
                b->shadow->file_pos = b->shadow->file_last;
            }
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


/*
 * The page's own URL, which its relative URLs resolve against; NULL if
 * it cannot be made (they are then matched as paths of the page's host)
 */

#if (NGX_DEBUG)

/* a decision of the scanner (consent_html.h), as consent-filter --trace */

static void
ngx_http_consent_decided(void *data, const consent_html_decision_t *d)
{
    ngx_http_request_t  *r = data;

    static const char  *what[] = {
        "gated", "activated", "released", "failed closed", "head injected",
        "banner injected", "banner skipped"
    };

    ngx_log_debug5(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "consent filter: %s <%*s> %s, categories %uxD",
                   what[d->what], d->name_len, d->name,
                   d->by ? d->by : "", d->mask);
}

#endif


static consent_url_t *
ngx_http_consent_page_url(ngx_http_request_t *r)
{
    u_char                    *p, *s;
    size_t                     len;
    ngx_str_t                  host, scheme;
    consent_url_t             *u;
    ngx_http_core_srv_conf_t  *cscf;

    host = r->headers_in.server;

    if (host.len == 0) {
        cscf = ngx_http_get_module_srv_conf(r, ngx_http_core_module);
        host = cscf->server_name;
    }

    ngx_str_set(&scheme, "http://");

#if (NGX_HTTP_SSL)
    if (r->connection->ssl) {
        ngx_str_set(&scheme, "https://");
    }
#endif

    len = scheme.len + host.len + r->unparsed_uri.len;

    s = ngx_pnalloc(r->pool, len);
    u = ngx_pcalloc(r->pool, sizeof(consent_url_t));

    if (s == NULL || u == NULL) {
        return NULL;
    }

    p = ngx_cpymem(s, scheme.data, scheme.len);
    p = ngx_cpymem(p, host.data, host.len);
    p = ngx_cpymem(p, r->unparsed_uri.data, r->unparsed_uri.len);

    u->size = CONSENT_HTML_BASE_MAX;
    u->buf = ngx_pnalloc(r->pool, u->size);
    if (u->buf == NULL) {
        return NULL;
    }

    if (consent_url_parse(u, (const char *) s, p - s, NULL)
        != CONSENT_URL_OK)
    {
        return NULL;
    }

    return u;
}


/* the visitor's language among the policy's */

static const char *
ngx_http_consent_lang(ngx_http_request_t *r,
    ngx_http_consent_loc_conf_t *clcf)
{
    ngx_table_elt_t         *al;
    ngx_http_consent_ctx_t  *ctx;

    /* asked for the page's variant and for its banner: picked once */

    ctx = ngx_http_get_module_ctx(r->main, ngx_http_consent_module);

    if (ctx != NULL && ctx->lang != NULL
        && ctx->lang_policy == clcf->policy)
    {
        return ctx->lang;
    }

    al = ngx_http_consent_header_in_str(r, "Accept-Language");

    if (ctx == NULL) {
        return consent_policy_pick_lang(clcf->policy,
                                        al ? (const char *) al->value.data
                                           : NULL,
                                        al ? al->value.len : 0);
    }

    ctx->lang = consent_policy_pick_lang(clcf->policy,
                                         al ? (const char *) al->value.data
                                            : NULL,
                                         al ? al->value.len : 0);
    ctx->lang_policy = clcf->policy;

    return ctx->lang;
}


/* which variant of the page this visitor gets (consent_etag.h) */

ngx_int_t
ngx_http_consent_variant(ngx_http_request_t *r,
    ngx_http_consent_loc_conf_t *clcf, uint64_t *fp)
{
    consent_view_t               *view;
    consent_variant_t             v;
    ngx_http_consent_srv_conf_t  *cscf;

    view = ngx_http_consent_view(r);
    if (view == NULL) {
        return NGX_ERROR;
    }

    cscf = ngx_http_get_module_srv_conf(r, ngx_http_consent_module);

    ngx_memzero(&v, sizeof(consent_variant_t));

    v.policy_sha256 = clcf->policy->sha256;
    v.revision = clcf->policy->revision;
    v.state = view->state;
    v.granted = view->granted;
    v.flags = ngx_http_consent_regime_gpc_shown(r, view)
              | (uint32_t) (view->regime ? view->regime->index + 1 : 0) << 16
              | (uint32_t) clcf->position << 1
              | (uint32_t) (clcf->manage_button ? 1 : 0) << 8
              | (uint32_t) (clcf->csp_nonce ? 1 : 0) << 9;
    v.lang = ngx_http_consent_lang(r, clcf);
    v.endpoint = (const char *) cscf->endpoint.data;
    v.endpoint_len = cscf->endpoint.len;
    v.assets_version = consent_assets_version;

    *fp = consent_variant_hash(&v);

    return NGX_OK;
}


/*
 * The response's type is one of consent_types.  nginx compares the whole
 * Content-Type it holds, and a type given with its parameters by
 * default_type or types ("text/html; charset=utf-8") is held whole: the
 * type's essence is compared then, or such pages would pass unread.
 */

static ngx_uint_t
ngx_http_consent_type_listed(ngx_http_request_t *r,
    ngx_http_consent_loc_conf_t *clcf)
{
    size_t      len;
    u_char      essence[128];
    ngx_uint_t  key;

    if (ngx_http_test_content_type(r, &clcf->types) != NULL) {
        return 1;
    }

    if (r->headers_out.content_type.len == 0
        || r->headers_out.content_type.len > sizeof(essence)
        || ngx_strlchr(r->headers_out.content_type.data,
                       r->headers_out.content_type.data
                       + r->headers_out.content_type.len, ';')
           == NULL)
    {
        return 0;
    }

    len = consent_type_essence((const char *) r->headers_out.content_type.data,
                               r->headers_out.content_type.len,
                               (char *) essence);
    if (len == 0) {
        return 0;
    }

    key = ngx_hash_key(essence, len);

    return ngx_hash_find(&clcf->types, key, essence, len) != NULL;
}


/* a response header holds a token: "X-Content-Type-Options: nosniff" */

static ngx_uint_t
ngx_http_consent_header_out_has(ngx_http_request_t *r, const char *name,
    const char *token)
{
    ngx_table_elt_t  *h;

    h = ngx_http_consent_header_find(&r->headers_out.headers, name,
                                     ngx_strlen(name));

    return h != NULL
           && ngx_strlcasestrn(h->value.data, h->value.data + h->value.len,
                               (u_char *) token, ngx_strlen(token) - 1)
              != NULL;
}
