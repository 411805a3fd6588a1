
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * One choice across a site's domains (docs/domains.md): consent_domains,
 * the hand-off token minted with a choice, and its reception by another
 * domain's endpoint, which sets that domain's own first-party cookie
 * under the same consent id and sends the browser on.  The core
 * (consent_handoff.c) parses and decides; this file reads the request,
 * holds the replay cache's lock, records, sets the cookie and answers.
 */


#include "ngx_http_consent_module.h"


#define NGX_HTTP_CONSENT_HANDOFF_ZONE  (1024 * 1024)


static ngx_int_t ngx_http_consent_handoff_init_zone(ngx_shm_zone_t *shm_zone,
    void *data);
static ngx_int_t ngx_http_consent_handoff_url(ngx_http_request_t *r,
    const char *host, size_t host_len, const char *token, size_t token_len,
    const char *path, size_t path_len, ngx_str_t *url);
static ngx_int_t ngx_http_consent_handoff_refuse(ngx_http_request_t *r,
    ngx_uint_t status, const char *reason, consent_handoff_t *h,
    ngx_str_t *next);
static ngx_int_t ngx_http_consent_handoff_record(ngx_http_request_t *r,
    ngx_http_consent_loc_conf_t *clcf, consent_handoff_t *h,
    consent_view_t *view);
static ngx_int_t ngx_http_consent_handoff_replay(ngx_http_request_t *r,
    consent_handoff_t *h);


/* consent_domains HOST HOST ... | off */

char *
ngx_http_consent_domains(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_consent_loc_conf_t *clcf = conf;

    char                           err[512];
    u_char                        *p;
    size_t                         len;
    ngx_str_t                     *value, name;
    ngx_uint_t                     i;
    ngx_http_consent_domains_t    *d;
    ngx_http_consent_main_conf_t  *cmcf;

    if (clcf->domains != NGX_CONF_UNSET_PTR) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (cf->args->nelts == 2
        && value[1].len == 3 && ngx_strncmp(value[1].data, "off", 3) == 0)
    {
        clcf->domains = NULL;
        return NGX_CONF_OK;
    }

    d = ngx_pcalloc(cf->pool, sizeof(ngx_http_consent_domains_t));
    if (d == NULL) {
        return NGX_CONF_ERROR;
    }

    for (i = 1; i < cf->args->nelts; i++) {
        if (consent_domains_add(&d->list, (const char *) value[i].data,
                                value[i].len, err, sizeof(err))
            != 0)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"consent_domains\": %s (a host name "
                               "without scheme, port or path expected)",
                               err);
            return NGX_CONF_ERROR;
        }
    }

    if (d->list.n < 2) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"consent_domains\" needs at least two "
                           "domains, or \"off\"");
        return NGX_CONF_ERROR;
    }

    len = consent_domains_join(&d->list, ", ", NULL, 0);

    p = ngx_pnalloc(cf->pool, len + 1);
    if (p == NULL) {
        return NGX_CONF_ERROR;
    }

    consent_domains_join(&d->list, ", ", (char *) p, len + 1);
    d->shown.data = p;
    d->shown.len = len;

    clcf->domains = d;

    /* one replay cache for every server: a token is used once anywhere */

    cmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_consent_module);

    if (cmcf->handoff_zone == NULL) {
        ngx_str_set(&name, "consent_handoff");

        cmcf->handoff_zone = ngx_shared_memory_add(cf, &name,
                                              NGX_HTTP_CONSENT_HANDOFF_ZONE,
                                              &ngx_http_consent_module);
        if (cmcf->handoff_zone == NULL) {
            return NGX_CONF_ERROR;
        }

        if (cmcf->handoff_zone->data == NULL) {
            cmcf->handoff_zone->init = ngx_http_consent_handoff_init_zone;
            cmcf->handoff_zone->data = cmcf;
        }
    }

    return NGX_CONF_OK;
}


/* a reload keeps the cache: a token used before it stays used */

static ngx_int_t
ngx_http_consent_handoff_init_zone(ngx_shm_zone_t *shm_zone, void *data)
{
    uint32_t           n;
    ngx_slab_pool_t   *shpool;
    consent_replay_t  *c;

    if (data) {
        shm_zone->data = data;
        return NGX_OK;
    }

    shpool = (ngx_slab_pool_t *) shm_zone->shm.addr;

    if (shm_zone->shm.exists) {
        shm_zone->data = shpool->data;
        return NGX_OK;
    }

    n = consent_replay_slots(shm_zone->shm.size / 2);

    c = ngx_slab_alloc(shpool, consent_replay_size(n));
    if (c == NULL) {
        return NGX_ERROR;
    }

    consent_replay_init(c, n);

    shpool->data = c;
    shm_zone->data = c;

    return NGX_OK;
}


/*
 * After a choice on one of the domains: the first hop of the hand-off,
 * or url->len == 0 when there is none (no consent_domains, or this host
 * is not on the list)
 */

ngx_int_t
ngx_http_consent_handoff_start(ngx_http_request_t *r,
    ngx_http_consent_loc_conf_t *clcf, consent_token_t *tok,
    const char *ret, size_t ret_len, ngx_str_t *url)
{
    int                           n;
    u_char                       *token;
    consent_handoff_t            *h;
    ngx_http_consent_srv_conf_t  *cscf;

    url->len = 0;
    url->data = NULL;

    if (clcf->domains == NULL) {
        return NGX_OK;
    }

    /*
     * The token carries no regime, and the other domain would read the
     * categories as explicit opt-in grants: a choice made under another
     * regime (an opt-out's defaults) stays where it was made
     */

    if (tok->regime[0] != '\0') {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "consent: a choice under the regime \"%s\" is not "
                      "carried to consent_domains", tok->regime);
        return NGX_OK;
    }

    cscf = ngx_http_get_module_srv_conf(r, ngx_http_consent_module);

    h = ngx_pcalloc(r->pool, sizeof(consent_handoff_t));
    if (h == NULL) {
        return NGX_ERROR;
    }

    if (consent_domains_from(&clcf->domains->list,
                             (const char *) r->headers_in.server.data,
                             r->headers_in.server.len, &h->domains)
        != 0)
    {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "consent: \"%V\" is not in consent_domains, "
                      "the choice stays on it", &r->headers_in.server);
        return NGX_OK;
    }

    if (consent_handoff_nonce(h->nonce) != 0) {
        ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                      "consent: RAND_bytes() failed");
        return NGX_ERROR;
    }

    h->issued = tok->issued;
    h->revision = tok->revision;
    h->granted = tok->granted;
    ngx_memcpy(h->id, tok->id, CONSENT_ID_LEN);

    if (!consent_return_path_ok(ret, ret_len)) {
        ret = "/";
        ret_len = 1;
    }

    ngx_memcpy(h->ret, ret, ret_len);
    h->ret_len = ret_len;

    token = ngx_pnalloc(r->pool, CONSENT_HANDOFF_TOKEN_MAX + 1);
    if (token == NULL) {
        return NGX_ERROR;
    }

    n = consent_handoff_encode(clcf->keys, h, (char *) token,
                               CONSENT_HANDOFF_TOKEN_MAX + 1);
    if (n < 0) {
        ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                      "consent: signing the hand-off failed");
        return NGX_ERROR;
    }

    return ngx_http_consent_handoff_url(r, h->domains.host[1],
                                        h->domains.len[1], (char *) token, n,
                                        (char *) cscf->endpoint.data,
                                        cscf->endpoint.len, url);
}


/* GET ENDPOINT?handoff=TOKEN on another of the domains */

ngx_int_t
ngx_http_consent_handoff_receive(ngx_http_request_t *r,
    ngx_http_consent_loc_conf_t *clcf, ngx_str_t *arg)
{
    int                           rc;
    char                          reason[256];
    size_t                        next_len, rlen;
    ngx_str_t                     next, *host;
    ngx_int_t                     status;
    const char                   *next_host, *rhost;
    consent_view_t               *view, nv;
    consent_token_t               tok;
    ngx_table_elt_t              *dest;
    consent_handoff_t            *h;
    consent_handoff_status_e      st;
    ngx_http_consent_srv_conf_t  *cscf;

    cscf = ngx_http_get_module_srv_conf(r, ngx_http_consent_module);
    host = &r->headers_in.server;

    ngx_memzero(reason, sizeof(reason));

    h = ngx_pcalloc(r->pool, sizeof(consent_handoff_t));
    if (h == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (clcf->domains == NULL) {
        return ngx_http_consent_handoff_refuse(r, NGX_HTTP_FORBIDDEN,
                   "this site shares no choice with other domains "
                   "(no consent_domains)", NULL, NULL);
    }

    st = consent_handoff_verify(clcf->keys, (const char *) arg->data,
                                arg->len, (int64_t) ngx_time(), h);

    switch (st) {

    case CONSENT_HANDOFF_OK:
    case CONSENT_HANDOFF_EXPIRED:
        break;

    case CONSENT_HANDOFF_MALFORMED:
        return ngx_http_consent_handoff_refuse(r, NGX_HTTP_BAD_REQUEST,
                   "malformed hand-off token", NULL, NULL);

    default:
        return ngx_http_consent_handoff_refuse(r, NGX_HTTP_FORBIDDEN,
                   st == CONSENT_HANDOFF_FORGED
                   ? "hand-off token refused: its signature does not "
                     "verify"
                   : "hand-off token refused: issued in the future",
                   NULL, NULL);
    }

    /* the MAC verified: where the browser goes next can be trusted */

    rc = consent_handoff_next(h, (const char *) host->data, host->len,
                              &next_host, &next_len);

    if (rc == 1) {
        if (ngx_http_consent_handoff_url(r, next_host, next_len,
                                         (const char *) arg->data, arg->len,
                                         (char *) cscf->endpoint.data,
                                         cscf->endpoint.len, &next)
            != NGX_OK)
        {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

    } else if (ngx_http_consent_handoff_url(r, h->domains.host[0],
                                            h->domains.len[0], NULL, 0,
                                            h->ret, h->ret_len, &next)
               != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (st == CONSENT_HANDOFF_EXPIRED) {
        return ngx_http_consent_handoff_refuse(r, 410,
                   "hand-off token expired", h, &next);
    }

    if (rc < 0) {
        return ngx_http_consent_handoff_refuse(r, NGX_HTTP_FORBIDDEN,
                   "hand-off token refused: it is not for this domain",
                   h, &next);
    }

    if (consent_domains_find(&clcf->domains->list, (const char *) host->data,
                             host->len) < 0
        || consent_domains_find(&clcf->domains->list, h->domains.host[0],
                                h->domains.len[0]) < 0)
    {
        ngx_snprintf((u_char *) reason, sizeof(reason) - 1,
                     "hand-off refused: \"%s\" or \"%V\" is not in "
                     "consent_domains%Z", h->domains.host[0], host);
        return ngx_http_consent_handoff_refuse(r, NGX_HTTP_FORBIDDEN,
                                               reason, h, &next);
    }

    /*
     * Only a top-level navigation sets a first-party cookie, and only one
     * that the origin's page started: a page elsewhere cannot send the
     * visitor here with a token of its own (docs/domains.md)
     */

    dest = ngx_http_consent_header_in_str(r, "Sec-Fetch-Dest");

    if (dest && !(dest->value.len == 8
                  && ngx_strncasecmp(dest->value.data, (u_char *) "document",
                                     8) == 0))
    {
        return ngx_http_consent_handoff_refuse(r, NGX_HTTP_FORBIDDEN,
                   "hand-off refused: not a top-level navigation", h, &next);
    }

    if (r->headers_in.referer == NULL
        || !consent_handoff_referer_host(
               (const char *) r->headers_in.referer->value.data,
               r->headers_in.referer->value.len, &rhost, &rlen)
        || rlen != h->domains.len[0]
        || ngx_strncasecmp((u_char *) rhost, (u_char *) h->domains.host[0],
                           rlen) != 0)
    {
        ngx_snprintf((u_char *) reason, sizeof(reason) - 1,
                     "hand-off refused: the Referer is not a page of "
                     "\"%s\"%Z", h->domains.host[0]);
        return ngx_http_consent_handoff_refuse(r, NGX_HTTP_FORBIDDEN,
                                               reason, h, &next);
    }

    if (h->revision != clcf->policy->revision) {
        ngx_snprintf((u_char *) reason, sizeof(reason) - 1,
                     "hand-off refused: the choice was made under policy "
                     "revision %uD, this site has revision %uD%Z",
                     h->revision, clcf->policy->revision);
        return ngx_http_consent_handoff_refuse(r, 422, reason, h, &next);
    }

    status = ngx_http_consent_handoff_replay(r, h);

    if (status != NGX_OK) {
        return ngx_http_consent_handoff_refuse(r, status,
                   status == NGX_HTTP_CONFLICT
                   ? "hand-off token refused: already used"
                   : "hand-off refused: the replay cache is full", h, &next);
    }

    view = ngx_http_consent_view(r);
    if (view == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /* the proof first, as for any choice: no record, no cookie */

    if (ngx_http_consent_handoff_record(r, clcf, h, view) != NGX_OK) {
        return ngx_http_consent_handoff_refuse(r,
                   NGX_HTTP_SERVICE_UNAVAILABLE,
                   "the consent could not be recorded", h, &next);
    }

    ngx_memzero(&tok, sizeof(consent_token_t));
    ngx_memcpy(tok.id, h->id, CONSENT_ID_LEN);
    tok.issued = h->issued;
    tok.revision = h->revision;
    tok.granted = h->granted | clcf->policy->required_mask;

    if (ngx_http_consent_set_cookie(r, clcf, &tok) != NGX_OK
        || ngx_http_consent_cookies_expire(r, clcf, tok.granted) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    consent_view_init(&nv, clcf->policy, CONSENT_STATE_VALID, &tok);

    if (ngx_http_consent_set_view(r, &nv) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "consent: hand-off from \"%s\" accepted, granted %uxD",
                  h->domains.host[0], tok.granted);

    return ngx_http_consent_send_redirect(r, next.data, next.len);
}


/* NGX_OK for a first use, else the status of the refusal */

static ngx_int_t
ngx_http_consent_handoff_replay(ngx_http_request_t *r, consent_handoff_t *h)
{
    ngx_int_t                      rc;
    ngx_slab_pool_t               *shpool;
    consent_replay_t              *cache;
    ngx_http_consent_main_conf_t  *cmcf;

    cmcf = ngx_http_get_module_main_conf(r, ngx_http_consent_module);

    if (cmcf->handoff_zone == NULL || cmcf->handoff_zone->data == NULL) {
        return NGX_HTTP_SERVICE_UNAVAILABLE;
    }

    shpool = (ngx_slab_pool_t *) cmcf->handoff_zone->shm.addr;
    cache = cmcf->handoff_zone->data;

    ngx_shmtx_lock(&shpool->mutex);

    rc = consent_replay_check(cache, h->mac,
                              (const char *) r->headers_in.server.data,
                              r->headers_in.server.len,
                              h->issued + CONSENT_HANDOFF_TTL,
                              (int64_t) ngx_time());

    ngx_shmtx_unlock(&shpool->mutex);

    switch (rc) {

    case CONSENT_REPLAY_FRESH:
        return NGX_OK;

    case CONSENT_REPLAY_SEEN:
        return NGX_HTTP_CONFLICT;

    default:
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "consent: the hand-off replay cache is full, "
                      "hand-offs are refused until its tokens expire");
        return NGX_HTTP_SERVICE_UNAVAILABLE;
    }
}


/*
 * The record of a hand-off: the origin's consent id, "handoff" for the
 * mechanism and the origin's host; a consent that took something away
 * from what this domain had is a withdrawal here too
 */

static ngx_int_t
ngx_http_consent_handoff_record(ngx_http_request_t *r,
    ngx_http_consent_loc_conf_t *clcf, consent_handoff_t *h,
    consent_view_t *view)
{
    char                 ip[64], id[CONSENT_ID_B64_LEN + 1];
    uint32_t             optional, granted;
    ngx_uint_t           had;
    consent_record_t     rec;

    if (clcf->logs == NULL) {
        return NGX_OK;
    }

    consent_id_format(h->id, id);

    optional = ~clcf->policy->required_mask;
    granted = h->granted | clcf->policy->required_mask;
    had = view->state == CONSENT_STATE_VALID;

    ngx_http_consent_record_init(r, clcf, &rec, id, ip);

    rec.mechanism = "handoff";

    if (had && (view->granted & optional) && !(granted & optional)) {
        rec.action = "withdraw";

    } else {
        rec.action = consent_record_action(rec.mechanism,
                                           ngx_http_consent_goes_on(view),
                                           granted,
                                           clcf->policy->required_mask);
    }

    rec.policy = clcf->policy;
    rec.granted = granted;

    /*
     * no page: the choice was made on a page of the origin, which its
     * own record names; a path here would read as one of this host's
     */

    rec.handoff.data = h->domains.host[0];
    rec.handoff.len = h->domains.len[0];

    return ngx_http_consent_log_decision(r, &rec);
}


/*
 * A refusal: the status and the reason, in the error log too; a browser
 * gets a page that goes on to the next hop when the token's MAC verified
 * (next), so that one refusal does not strand the visitor
 */

static ngx_int_t
ngx_http_consent_handoff_refuse(ngx_http_request_t *r, ngx_uint_t status,
    const char *reason, consent_handoff_t *h, ngx_str_t *next)
{
    char             *out;
    size_t            len;
    ngx_str_t         type = ngx_string("text/html; charset=utf-8");
    ngx_table_elt_t  *accept;
    char              id[CONSENT_ID_B64_LEN + 1];

    if (h) {
        consent_id_format(h->id, id);

    } else {
        ngx_memcpy(id, "-", 2);
    }

    ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                  "consent: %s (status %ui, consent id %s, host \"%V\")",
                  reason, status, id, &r->headers_in.server);

    accept = r->headers_in.accept;

    if (accept == NULL
        || !consent_accept_html((const char *) accept->value.data,
                                accept->value.len))
    {
        return ngx_http_consent_send_error(r, status, reason);
    }

    out = consent_handoff_page(reason, next ? (const char *) next->data
                                            : NULL,
                               next ? next->len : 0, &len);

    return ngx_http_consent_send_malloced(r, status, &type, out, len);
}


/*
 * An absolute URL of host (with the request's scheme and port, so that
 * every domain is reached as this one was), and either
 * ENDPOINT?handoff=TOKEN or a path
 */

static ngx_int_t
ngx_http_consent_handoff_url(ngx_http_request_t *r, const char *host,
    size_t host_len, const char *token, size_t token_len, const char *path,
    size_t path_len, ngx_str_t *url)
{
    u_char     *p;
    size_t      i, port_len;
    ngx_str_t  *hv;
    u_char     *port;

    port = NULL;
    port_len = 0;

    if (r->headers_in.host) {
        hv = &r->headers_in.host->value;

        for (i = hv->len; i > 0; i--) {
            if (hv->data[i - 1] == ':') {
                port = hv->data + i - 1;
                port_len = hv->len - i + 1;
                break;
            }

            if (hv->data[i - 1] < '0' || hv->data[i - 1] > '9') {
                break;
            }
        }
    }

    url->data = ngx_pnalloc(r->pool, sizeof("https://") - 1 + host_len
                                     + port_len + path_len
                                     + sizeof("?handoff=") - 1 + token_len);
    if (url->data == NULL) {
        return NGX_ERROR;
    }

    p = url->data;

    p = ngx_http_consent_scheme(r, p);

    p = ngx_cpymem(p, host, host_len);

    if (port_len > 1) {
        p = ngx_cpymem(p, port, port_len);
    }

    p = ngx_cpymem(p, path, path_len);

    if (token) {
        p = ngx_cpymem(p, "?handoff=", sizeof("?handoff=") - 1);
        p = ngx_cpymem(p, token, token_len);
    }

    url->len = p - url->data;

    return NGX_OK;
}
