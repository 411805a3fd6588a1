
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * consent_tcf bridge: the visitor's consent read from the euconsent-v2
 * cookie (and Google's addtl_consent) that the operator's certified CMP
 * sets, instead of the module's own signed cookie; the policy's "tcf"
 * section says which categories a TC string grants
 * (src/consent_tcf_map.c).  The $consent_tcf_* variables.
 */


#include "ngx_http_consent_module.h"
#include "consent_tcf_map.h"
#include "consent_tcf_gvl.h"
#include "consent_tcf_cmp.h"


#define NGX_HTTP_CONSENT_TCF_COOKIE   "euconsent-v2"
#define NGX_HTTP_CONSENT_AC_COOKIE    "addtl_consent"
#define NGX_HTTP_CONSENT_TCF_VENDOR   "consent_tcf_vendor_"


/* the euconsent-v2 cookie as the request sent it */
#define NGX_HTTP_CONSENT_TCF_ABSENT     0
#define NGX_HTTP_CONSENT_TCF_UNDECODED  1   /* sent, but does not decode */
#define NGX_HTTP_CONSENT_TCF_DECODED    2


/*
 * The TCF cookies of a request, read and decoded once (the bridge's view,
 * the CMP's check and consent_tcf_record share them); the addtl_consent
 * cookie only with a TC string that decodes, since it means nothing
 * without one
 */

typedef struct ngx_http_consent_tcf_in_s {
    ngx_uint_t                   state;
    ngx_str_t                    tcs;     /* the TC string, if sent */
    consent_tcf_t               *tc;      /* DECODED: large, in r->pool */
    const char                  *why;     /* UNDECODED: why not */
    ngx_str_t                    acs;     /* the AC string, if it decodes */
    consent_tcf_ac_t            *ac;      /* NULL: none, or refused */
    const char                  *ac_why;  /* refused: why */
} ngx_http_consent_tcf_in_t;


static ngx_http_consent_tcf_in_t *ngx_http_consent_tcf_in(
    ngx_http_request_t *r, ngx_http_consent_ctx_t *ctx);
static ngx_int_t ngx_http_consent_tcf_purposes_variable(
    ngx_http_request_t *r, ngx_http_variable_value_t *v, uintptr_t data);
static ngx_int_t ngx_http_consent_tcf_vendor_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data);
static consent_tcf_t *ngx_http_consent_tcf_get(ngx_http_request_t *r);
static ngx_int_t ngx_http_consent_tcf_record_handler(ngx_http_request_t *r);
static ngx_int_t ngx_http_consent_tcf_cross_site(ngx_http_request_t *r);
static void *ngx_http_consent_tcf_gvl_read(const char *path, char *err,
    size_t errlen);
static void ngx_http_consent_tcf_gvl_cleanup(void *data);
static char *ngx_http_consent_tcf_check_gvl(ngx_conf_t *cf,
    ngx_http_consent_loc_conf_t *conf);
static char *ngx_http_consent_tcf_cmp_merge(ngx_conf_t *cf,
    ngx_http_consent_loc_conf_t *conf);
static char *ngx_http_consent_tcf_requires(ngx_conf_t *cf,
    ngx_http_consent_loc_conf_t *conf, const char *mode, const char *what);
static consent_tcf_state_t *ngx_http_consent_tcf_state(
    ngx_http_request_t *r, ngx_http_consent_loc_conf_t *clcf,
    consent_tcf_cmp_t *cmp);
static ngx_int_t ngx_http_consent_tcf_set_cookie(ngx_http_request_t *r,
    ngx_http_consent_loc_conf_t *clcf, const char *name, ngx_str_t *value);
static const char *ngx_http_consent_tcf_macro(void *ctx, const char *tag,
    size_t len, size_t *out_len);


static ngx_http_variable_t  ngx_http_consent_tcf_vars[] = {

    { ngx_string("consent_tcf_purposes"), NULL,
      ngx_http_consent_tcf_purposes_variable,
      0, NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string(NGX_HTTP_CONSENT_TCF_VENDOR), NULL,
      ngx_http_consent_tcf_vendor_variable,
      0, NGX_HTTP_VAR_NOCACHEABLE|NGX_HTTP_VAR_PREFIX, 0 },

      ngx_http_null_variable
};


/*
 * consent_tcf bridge | cmp | off.  Each directive handler here opens
 * as nginx's own do ("is duplicate", then the arguments) and keeps its
 * line for the errors of the merge: the shape of a command's set
 * handler, written out in each as in nginx, not a contract to share
 */

char *
ngx_http_consent_tcf(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_consent_loc_conf_t *clcf = conf;

    ngx_str_t  *value;

    if (clcf->tcf != NGX_CONF_UNSET_UINT) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (ngx_strcmp(value[1].data, "bridge") == 0) {
        clcf->tcf = NGX_HTTP_CONSENT_TCF_BRIDGE;

    } else if (ngx_strcmp(value[1].data, "cmp") == 0) {
        clcf->tcf = NGX_HTTP_CONSENT_TCF_CMP;

    } else if (ngx_strcmp(value[1].data, "off") == 0) {
        clcf->tcf = NGX_HTTP_CONSENT_TCF_OFF;

    } else {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid value \"%V\" in \"%V\" directive, "
                           "it must be \"bridge\", \"cmp\" or \"off\"",
                           &value[1], &cmd->name);
        return NGX_CONF_ERROR;
    }

    clcf->tcf_file = cf->conf_file->file.name;
    clcf->tcf_line = cf->conf_file->line;

    return NGX_CONF_OK;
}


char *
ngx_http_consent_tcf_merge(ngx_conf_t *cf, ngx_http_consent_loc_conf_t *conf,
    ngx_http_consent_loc_conf_t *prev)
{
    if (conf->tcf == NGX_CONF_UNSET_UINT) {
        conf->tcf = prev->tcf == NGX_CONF_UNSET_UINT
                    ? NGX_HTTP_CONSENT_TCF_OFF : prev->tcf;
        conf->tcf_file = prev->tcf_file;
        conf->tcf_line = prev->tcf_line;
    }

    if (conf->tcf_gvl == NGX_CONF_UNSET_PTR) {
        conf->tcf_gvl = prev->tcf_gvl == NGX_CONF_UNSET_PTR
                        ? NULL : prev->tcf_gvl;
        conf->tcf_gvl_path = prev->tcf_gvl_path;
    }

    if (conf->tcf == NGX_HTTP_CONSENT_TCF_BRIDGE
        && (conf->policy == NULL || conf->policy->tcf == NULL))
    {
        return ngx_http_consent_tcf_requires(cf, conf, "bridge",
                                             "a policy with a \"tcf\" section");
    }

    if (conf->tcf_cmp_id == NGX_CONF_UNSET_UINT) {
        conf->tcf_cmp_id = prev->tcf_cmp_id;
        conf->tcf_cmp_version = prev->tcf_cmp_version;
        ngx_memcpy(conf->tcf_cc, prev->tcf_cc, 3);
        conf->tcf_cmp_file = prev->tcf_cmp_file;
        conf->tcf_cmp_line = prev->tcf_cmp_line;
    }

    if (conf->tcf == NGX_HTTP_CONSENT_TCF_CMP) {
        return ngx_http_consent_tcf_cmp_merge(cf, conf);
    }

    if (conf->tcf == NGX_HTTP_CONSENT_TCF_BRIDGE && conf->tcf_gvl != NULL) {
        return ngx_http_consent_tcf_check_gvl(cf, conf);
    }

    return NGX_CONF_OK;
}


/* what a consent_tcf mode lacks, named with the directive's own line */

static char *
ngx_http_consent_tcf_requires(ngx_conf_t *cf,
    ngx_http_consent_loc_conf_t *conf, const char *mode, const char *what)
{
    ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                  "\"consent_tcf %s\" requires %s in %V:%ui",
                  mode, what, &conf->tcf_file, conf->tcf_line);

    return NGX_CONF_ERROR;
}


/* consent_tcf cmp: what writing TC strings needs, all at nginx -t */

static char *
ngx_http_consent_tcf_cmp_merge(ngx_conf_t *cf,
    ngx_http_consent_loc_conf_t *conf)
{
    if (conf->policy == NULL || conf->policy->tcf == NULL) {
        return ngx_http_consent_tcf_requires(cf, conf, "cmp",
                                             "a policy with a \"tcf\" section");
    }

    if (conf->tcf_gvl == NULL) {
        return ngx_http_consent_tcf_requires(cf, conf, "cmp",
                                             "\"consent_tcf_gvl\" "
                                             "(IAB's Global Vendor List)");
    }

    if (conf->tcf_cmp_id == NGX_CONF_UNSET_UINT) {
        return ngx_http_consent_tcf_requires(cf, conf, "cmp",
                                             "\"consent_tcf_cmp\" (the CMP id "
                                             "IAB Europe registered)");
    }

    return ngx_http_consent_tcf_check_gvl(cf, conf);
}


/*
 * consent_tcf_cmp ID VERSION [publisher_cc=CC]: the CMP id IAB Europe
 * gave the operator (2..4095), the CMP's version (1..4095), and the
 * publisher's country (two letters; "AA", unknown, by default)
 */

char *
ngx_http_consent_tcf_cmp(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_consent_loc_conf_t *clcf = conf;

    ngx_int_t   id, version;
    ngx_str_t  *value, cc;

    if (clcf->tcf_cmp_id != NGX_CONF_UNSET_UINT) {
        return "is duplicate";
    }

    value = cf->args->elts;

    id = ngx_atoi(value[1].data, value[1].len);

    if (id < 2 || id > 4095) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid CMP id \"%V\" in \"%V\" directive, "
                           "it must be an integer from 2 to 4095",
                           &value[1], &cmd->name);
        return NGX_CONF_ERROR;
    }

    version = ngx_atoi(value[2].data, value[2].len);

    if (version < 1 || version > 4095) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid CMP version \"%V\" in \"%V\" "
                           "directive, it must be an integer from 1 to 4095",
                           &value[2], &cmd->name);
        return NGX_CONF_ERROR;
    }

    ngx_memcpy(clcf->tcf_cc, "AA", 3);

    if (cf->args->nelts == 4) {
        cc = value[3];

        if (cc.len != sizeof("publisher_cc=XX") - 1
            || ngx_strncmp(cc.data, "publisher_cc=", 13) != 0
            || cc.data[13] < 'A' || cc.data[13] > 'Z'
            || cc.data[14] < 'A' || cc.data[14] > 'Z')
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid parameter \"%V\" in \"%V\" "
                               "directive, it must be \"publisher_cc=\" "
                               "and two capital letters",
                               &cc, &cmd->name);
            return NGX_CONF_ERROR;
        }

        clcf->tcf_cc[0] = cc.data[13];
        clcf->tcf_cc[1] = cc.data[14];
    }

    clcf->tcf_cmp_id = (ngx_uint_t) id;
    clcf->tcf_cmp_version = (ngx_uint_t) version;
    clcf->tcf_cmp_file = cf->conf_file->file.name;
    clcf->tcf_cmp_line = cf->conf_file->line;

    return NGX_CONF_OK;
}


/* every vendor the policy's "tcf" section names is on the GVL */

static char *
ngx_http_consent_tcf_check_gvl(ngx_conf_t *cf,
    ngx_http_consent_loc_conf_t *conf)
{
    size_t                       c, i;
    consent_tcf_map_t           *map;
    consent_tcf_gvl_t           *gvl;
    const consent_tcf_vendor_t  *v;

    map = conf->policy->tcf;
    gvl = conf->tcf_gvl;

    for (c = 0; c < conf->policy->ncategories; c++) {
        for (i = 0; i < map->need[c].nvendors; i++) {
            v = consent_tcf_gvl_vendor(gvl, map->need[c].vendors[i]);

            if (v != NULL && !v->deleted) {
                continue;
            }

            ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                          "vendor %ud of the policy's tcf.%s is %s the "
                          "vendor list \"%V\" (version %ud) in %V:%ui",
                          (ngx_uint_t) map->need[c].vendors[i],
                          conf->policy->categories[c].id,
                          v ? "deleted from" : "not on",
                          &conf->tcf_gvl_path,
                          (ngx_uint_t) gvl->vendor_list_version,
                          &conf->tcf_file, conf->tcf_line);
            return NGX_CONF_ERROR;
        }
    }

    return NGX_CONF_OK;
}


/*
 * The file or directory a consent_tcf_* directive names (relative to
 * nginx's prefix) into *path, read and checked by load at nginx -t and
 * reload, freed by cleanup with the configuration; NULL once the error
 * is logged, after the path unless the loader's errors name their file
 */

void *
ngx_http_consent_tcf_load(ngx_conf_t *cf, ngx_command_t *cmd,
    ngx_str_t *path, ngx_http_consent_tcf_load_pt load,
    ngx_pool_cleanup_pt cleanup, ngx_uint_t named)
{
    char   err[1024];
    void  *data;

    if (ngx_conf_full_name(cf->cycle, path, 1) != NGX_OK) {
        return NULL;
    }

    err[0] = '\0';
    data = load((const char *) path->data, err, sizeof(err));

    if (data == NULL) {
        if (named) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "%V: %s", &cmd->name,
                               err);

        } else {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "%V \"%V\": %s",
                               &cmd->name, path, err);
        }

        return NULL;
    }

    if (ngx_http_consent_conf_owns(cf, cleanup, data) != NGX_OK) {
        return NULL;
    }

    return data;
}


/*
 * consent_tcf_gvl PATH: IAB's Global Vendor List (v3 JSON), a local file
 * the operator refreshes; read and checked here, at nginx -t and reload
 */

char *
ngx_http_consent_tcf_gvl(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_consent_loc_conf_t *clcf = conf;

    ngx_str_t  *value;

    if (clcf->tcf_gvl != NGX_CONF_UNSET_PTR) {
        return "is duplicate";
    }

    value = cf->args->elts;
    clcf->tcf_gvl_path = value[1];

    clcf->tcf_gvl = ngx_http_consent_tcf_load(cf, cmd, &clcf->tcf_gvl_path,
                                              ngx_http_consent_tcf_gvl_read,
                                              ngx_http_consent_tcf_gvl_cleanup,
                                              0);

    return clcf->tcf_gvl ? NGX_CONF_OK : NGX_CONF_ERROR;
}


/*
 * The loader and its cleanup as ngx_http_consent_tcf_load calls them:
 * the core's take and return their own types, so each file kind has
 * this pair of wrappers (consent_tcf_gvl_translations' in
 * ngx_http_consent_tcf_ui.c)
 */

static void *
ngx_http_consent_tcf_gvl_read(const char *path, char *err, size_t errlen)
{
    return consent_tcf_gvl_load(path, err, errlen);
}


static void
ngx_http_consent_tcf_gvl_cleanup(void *data)
{
    consent_tcf_gvl_free(data);
}


ngx_int_t
ngx_http_consent_tcf_add_variables(ngx_conf_t *cf)
{
    return ngx_http_consent_vars_add(cf, ngx_http_consent_tcf_vars);
}


/* the request's TCF cookies, decoded on first use; NULL on an error */

static ngx_http_consent_tcf_in_t *
ngx_http_consent_tcf_in(ngx_http_request_t *r, ngx_http_consent_ctx_t *ctx)
{
    ngx_str_t                   s;
    ngx_http_consent_tcf_in_t  *in;

    if (ctx->tcf_in) {
        return ctx->tcf_in;
    }

    in = ngx_pcalloc(r->pool, sizeof(ngx_http_consent_tcf_in_t));
    if (in == NULL) {
        return NULL;
    }

    if (ngx_http_consent_cookie_in(r, NGX_HTTP_CONSENT_TCF_COOKIE,
                                   sizeof(NGX_HTTP_CONSENT_TCF_COOKIE) - 1,
                                   &in->tcs)
        != NGX_OK)
    {
        in->state = NGX_HTTP_CONSENT_TCF_ABSENT;
        goto done;
    }

    /* large (bitmaps of every vendor id): freed with the request */
    in->tc = ngx_palloc(r->pool, sizeof(consent_tcf_t));
    if (in->tc == NULL) {
        return NULL;
    }

    in->why = "";

    if (consent_tcf_decode((const char *) in->tcs.data, in->tcs.len, in->tc,
                           &in->why)
        != 0)
    {
        in->state = NGX_HTTP_CONSENT_TCF_UNDECODED;
        in->tc = NULL;
        goto done;
    }

    in->state = NGX_HTTP_CONSENT_TCF_DECODED;

    if (ngx_http_consent_cookie_in(r, NGX_HTTP_CONSENT_AC_COOKIE,
                                   sizeof(NGX_HTTP_CONSENT_AC_COOKIE) - 1, &s)
        != NGX_OK)
    {
        goto done;
    }

    in->ac = ngx_palloc(r->pool, sizeof(consent_tcf_ac_t));
    if (in->ac == NULL) {
        return NULL;
    }

    in->ac_why = "";

    if (consent_tcf_ac_decode((const char *) s.data, s.len, in->ac,
                              &in->ac_why)
        != 0)
    {
        in->ac = NULL;
        goto done;
    }

    in->acs = s;

done:

    ctx->tcf_in = in;

    return in;
}


consent_view_t *
ngx_http_consent_tcf_view(ngx_http_request_t *r, ngx_http_consent_ctx_t *ctx,
    ngx_http_consent_loc_conf_t *clcf)
{
    int                         rc;
    const char                 *why;
    unsigned char               digest[32];
    uint32_t                    granted;
    consent_state_e             state;
    ngx_http_consent_tcf_in_t  *in;

    ctx->tcf = NULL;
    granted = 0;
    why = "";

    in = ngx_http_consent_tcf_in(r, ctx);
    if (in == NULL) {
        return NULL;
    }

    if (in->state == NGX_HTTP_CONSENT_TCF_ABSENT) {
        state = CONSENT_STATE_ABSENT;
        goto done;
    }

    if (in->state == NGX_HTTP_CONSENT_TCF_UNDECODED) {
        state = CONSENT_STATE_INVALID;
        why = in->why;
        goto done;
    }

    rc = consent_tcf_usable(in->tc, (int64_t) ngx_time(), &why);

    if (rc < 0) {
        state = CONSENT_STATE_INVALID;
        goto done;
    }

    if (rc > 0) {
        state = CONSENT_STATE_EXPIRED;
        goto done;
    }

    state = CONSENT_STATE_VALID;
    ctx->tcf = in->tc;

    if (in->ac == NULL && in->ac_why != NULL) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "consent: the addtl_consent cookie is refused: %s",
                      in->ac_why);
    }

    granted = consent_tcf_map_granted(clcf->policy->tcf, clcf->policy, in->tc,
                                      in->ac);

done:

    if (state == CONSENT_STATE_INVALID || state == CONSENT_STATE_EXPIRED) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "consent: the euconsent-v2 cookie is %s: %s",
                      consent_state_name(state), why);
    }

    consent_view_init(&ctx->view, clcf->policy, state, NULL);
    ctx->view.state = state;
    ctx->view.granted |= granted;

    /* $consent_id: the id the TC string's audit records carry */

    if ((state == CONSENT_STATE_VALID || state == CONSENT_STATE_EXPIRED)
        && consent_tcf_digest((const char *) in->tcs.data, in->tcs.len,
                              digest)
           == 0)
    {
        ngx_memcpy(ctx->view.token.id, digest, CONSENT_ID_LEN);
    }
    ctx->policy = clcf->policy;
    ctx->resolved = 1;

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "consent tcf state: %s, granted %uxD",
                   consent_state_name(state), ctx->view.granted);

    return &ctx->view;
}


static consent_tcf_t *
ngx_http_consent_tcf_get(ngx_http_request_t *r)
{
    ngx_http_consent_ctx_t  *ctx;

    if (ngx_http_consent_view(r) == NULL) {
        return NULL;
    }

    ctx = ngx_http_get_module_ctx(r->main, ngx_http_consent_module);

    return ctx ? ctx->tcf : NULL;
}


/*
 * "1,2,3": the purposes the TC string consents to, "" without one.
 * Shaped as $consent_categories (ngx_http_consent_variables.c), a list
 * of the bits set, but of numbers in a fixed room, not of names
 */

static ngx_int_t
ngx_http_consent_tcf_purposes_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    u_char         *p, *start;
    ngx_uint_t      i;
    consent_tcf_t  *tc;

    tc = ngx_http_consent_tcf_get(r);

    p = ngx_pnalloc(r->pool, CONSENT_TCF_PURPOSES * 3);
    if (p == NULL) {
        return NGX_ERROR;
    }

    start = p;

    for (i = 0; tc && i < CONSENT_TCF_PURPOSES; i++) {
        if (tc->purpose_consents & ((uint32_t) 1 << i)) {
            if (p != start) {
                *p++ = ',';
            }

            p = ngx_sprintf(p, "%ui", i + 1);
        }
    }

    ngx_http_consent_variable_set(v, start, p - start);

    return NGX_OK;
}


/* $consent_tcf_vendor_755: "1" with that vendor's consent, else "0" */

static ngx_int_t
ngx_http_consent_tcf_vendor_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    ngx_int_t       id;
    ngx_str_t       vendor;
    ngx_uint_t      has;
    consent_tcf_t  *tc;

    ngx_http_consent_variable_suffix(data, NGX_HTTP_CONSENT_TCF_VENDOR,
                                     &vendor);
    id = ngx_atoi(vendor.data, vendor.len);

    if (id < 1 || id > CONSENT_TCF_MAX_ID) {
        v->not_found = 1;
        return NGX_OK;
    }

    tc = ngx_http_consent_tcf_get(r);

    has = (tc && consent_tcf_set_has(&tc->vendor_consents, (unsigned) id));
    ngx_http_consent_variable_set(v, (u_char *) (has ? "1" : "0"), 1);

    return NGX_OK;
}


/*
 * consent_tcf_record: a location the page's script calls (POST, same
 * site) once the CMP says the visitor chose (__tcfapi event
 * "useractioncomplete"): the choice then in the euconsent-v2 cookie goes
 * into the audit log, under an id made of the first 128 bits of the TC
 * string's SHA-256 (never the string itself).
 */

char *
ngx_http_consent_tcf_record(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_core_loc_conf_t  *core;

    core = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);
    core->handler = ngx_http_consent_tcf_record_handler;

    return NGX_CONF_OK;
}


static ngx_int_t
ngx_http_consent_tcf_cross_site(ngx_http_request_t *r)
{
    /* no Host: refused here, where the endpoint falls back on server_name */

    if (r->headers_in.host == NULL) {
        return 1;
    }

    return ngx_http_consent_cross_site(r);
}


static ngx_int_t
ngx_http_consent_tcf_record_handler(ngx_http_request_t *r)
{
    char                          ip[64], id[CONSENT_ID_B64_LEN + 1];
    ngx_int_t                     rc;
    unsigned char                 digest[32];
    consent_view_t               *view;
    consent_record_t              rec;
    ngx_http_consent_ctx_t       *ctx;
    ngx_http_consent_tcf_in_t    *in;
    ngx_http_consent_loc_conf_t  *clcf;

    if (r->method != NGX_HTTP_POST) {
        return NGX_HTTP_NOT_ALLOWED;
    }

    if (ngx_http_discard_request_body(r) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ngx_http_consent_tcf_cross_site(r)) {
        return NGX_HTTP_FORBIDDEN;
    }

    clcf = ngx_http_get_module_loc_conf(r, ngx_http_consent_module);

    if (clcf->tcf != NGX_HTTP_CONSENT_TCF_BRIDGE) {
        return NGX_HTTP_NOT_FOUND;
    }

    view = ngx_http_consent_view(r);
    if (view == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (view->state != CONSENT_STATE_VALID) {
        /* nothing usable to record */
        return NGX_HTTP_BAD_REQUEST;
    }

    ctx = ngx_http_get_module_ctx(r->main, ngx_http_consent_module);

    in = ngx_http_consent_tcf_in(r, ctx);
    if (in == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (in->state == NGX_HTTP_CONSENT_TCF_ABSENT) {
        return NGX_HTTP_BAD_REQUEST;
    }

    if (consent_tcf_digest((const char *) in->tcs.data, in->tcs.len, digest)
        != 0)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    consent_id_format(digest, id);

    ngx_http_consent_record_init(r, clcf, &rec, id, ip);

    rec.mechanism = "tcf";
    rec.action = consent_record_action(rec.mechanism, 0, view->granted,
                                       clcf->policy->required_mask);
    rec.policy = clcf->policy;
    rec.granted = view->granted;

    rc = ngx_http_consent_log_decision(r, &rec);

    if (rc != NGX_OK) {
        return NGX_HTTP_SERVICE_UNAVAILABLE;
    }

    r->headers_out.status = NGX_HTTP_NO_CONTENT;
    r->header_only = 1;
    r->headers_out.content_length_n = 0;

    return ngx_http_send_header(r);
}


/*
 * consent_tcf cmp: the signed cookie says what the visitor chose, the
 * euconsent-v2 cookie must still stand for it (the same CMP, the GVL's
 * TCF policy version, not 390 days old); else the banner asks again
 * (outdated or expired, nothing optional granted).  The TCData of
 * __tcfapi is made of it.
 */

ngx_int_t
ngx_http_consent_tcf_cmp_view(ngx_http_request_t *r,
    ngx_http_consent_ctx_t *ctx, ngx_http_consent_loc_conf_t *clcf)
{
    unsigned                    nvalid;
    const char                 *why;
    consent_state_e             state;
    consent_token_t             tok;
    consent_tcf_cmp_t           cmp;
    consent_tcf_state_t        *st;
    ngx_http_consent_tcf_in_t  *in;

    st = ngx_http_consent_tcf_state(r, clcf, &cmp);
    if (st == NULL) {
        return NGX_ERROR;
    }

    ctx->view.tcf = st;
    ctx->tcf = NULL;

    if (ctx->view.state != CONSENT_STATE_VALID) {
        st->shown = 1;
        return NGX_OK;
    }

    in = ngx_http_consent_tcf_in(r, ctx);
    if (in == NULL) {
        return NGX_ERROR;
    }

    why = "no euconsent-v2 cookie";
    state = CONSENT_STATE_OUTDATED;

    if (in->state == NGX_HTTP_CONSENT_TCF_UNDECODED) {
        why = in->why;

    } else if (in->state == NGX_HTTP_CONSENT_TCF_DECODED) {
        state = consent_tcf_cmp_state(in->tc, clcf->tcf_gvl, &cmp,
                                      (int64_t) ngx_time(), &why);
    }

    if (state != CONSENT_STATE_VALID) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "consent: the TC string does not stand for the "
                      "consent any more (%s), the banner asks again", why);

        tok = ctx->view.token;
        nvalid = ctx->view.nvalid;
        consent_view_init(&ctx->view, clcf->policy, state, &tok);
        ctx->view.nvalid = nvalid;
        ctx->view.tcf = st;
        st->shown = 1;

        return NGX_OK;
    }

    st->tc = in->tc;
    st->tc_string = (const char *) in->tcs.data;
    st->tc_len = in->tcs.len;
    ctx->tcf = in->tc;

    if (in->ac) {
        st->ac_string = (const char *) in->acs.data;
        st->ac_len = in->acs.len;
    }

    return NGX_OK;
}


/*
 * The CMP as consent_tcf_cmp and the GVL configure it, in cmp and in a
 * new TCData state (the view's and a choice's); NULL on an error
 */

static consent_tcf_state_t *
ngx_http_consent_tcf_state(ngx_http_request_t *r,
    ngx_http_consent_loc_conf_t *clcf, consent_tcf_cmp_t *cmp)
{
    consent_tcf_state_t  *st;

    cmp->cmp_id = (unsigned) clcf->tcf_cmp_id;
    cmp->cmp_version = (unsigned) clcf->tcf_cmp_version;
    ngx_memcpy(cmp->publisher_cc, clcf->tcf_cc, 3);

    st = ngx_pcalloc(r->pool, sizeof(consent_tcf_state_t));
    if (st == NULL) {
        return NULL;
    }

    st->cmp_id = cmp->cmp_id;
    st->cmp_version = cmp->cmp_version;
    st->policy_version =
                    ((consent_tcf_gvl_t *) clcf->tcf_gvl)->policy_version;
    ngx_memcpy(st->publisher_cc, cmp->publisher_cc, 3);

    return st;
}


/* what the GVL and the policy allow of a posted TCF choice: a 400 else */

ngx_int_t
ngx_http_consent_tcf_check(ngx_http_request_t *r,
    ngx_http_consent_loc_conf_t *clcf, consent_choice_t *choice, char *err,
    size_t errlen)
{
    if (choice->tcf == NULL || choice->action != CONSENT_ACTION_SAVE) {
        return NGX_OK;
    }

    if (consent_tcf_pick_check(choice->tcf, clcf->tcf_gvl,
                               clcf->policy->tcf, clcf->policy->ncategories,
                               err, errlen)
        != 0)
    {
        return NGX_DECLINED;
    }

    return NGX_OK;
}


/*
 * The TC string and the AC string of a choice, and the categories they
 * grant (*granted, from the choice's own in *granted); NULL on an error
 */

ngx_http_consent_tcf_out_t *
ngx_http_consent_tcf_choose(ngx_http_request_t *r,
    ngx_http_consent_loc_conf_t *clcf, consent_choice_t *choice,
    uint32_t *granted)
{
    size_t                       n;
    const char                  *why, *lang;
    unsigned char                digest[32];
    consent_tcf_t               *tc;
    ngx_table_elt_t             *h;
    consent_tcf_ac_t            *ac;
    consent_tcf_cmp_t            cmp;
    consent_tcf_pick_t          *pick;
    consent_tcf_state_t         *st;
    ngx_http_consent_tcf_out_t  *out;

    out = ngx_pcalloc(r->pool, sizeof(ngx_http_consent_tcf_out_t));
    st = ngx_http_consent_tcf_state(r, clcf, &cmp);
    if (out == NULL || st == NULL) {
        return NULL;
    }

    out->state = st;

    if (choice->action == CONSENT_ACTION_WITHDRAW) {
        /* no TC string: the banner asks again */
        st->shown = 1;
        return out;
    }

    tc = ngx_palloc(r->pool, sizeof(consent_tcf_t));
    ac = ngx_palloc(r->pool, sizeof(consent_tcf_ac_t));
    out->tc.data = ngx_pnalloc(r->pool, CONSENT_TCF_STRING_MAX);
    out->ac.data = ngx_pnalloc(r->pool, CONSENT_TCF_STRING_MAX);

    if (tc == NULL || ac == NULL || out->tc.data == NULL
        || out->ac.data == NULL)
    {
        return NULL;
    }

    pick = choice->tcf;

    if (pick == NULL || choice->action != CONSENT_ACTION_SAVE) {
        pick = ngx_palloc(r->pool, sizeof(consent_tcf_pick_t));
        if (pick == NULL) {
            return NULL;
        }

        consent_tcf_pick_all(pick,
                             choice->action == CONSENT_ACTION_ACCEPT_ALL);
    }

    h = ngx_http_consent_header_in_str(r, "Accept-Language");
    lang = consent_policy_pick_lang(clcf->policy,
                                    h ? (const char *) h->value.data : NULL,
                                    h ? h->value.len : 0);

    if (consent_tcf_cmp_choose(tc, ac, pick, clcf->tcf_gvl,
                               clcf->policy->tcf, clcf->policy, &cmp, lang,
                               (int64_t) ngx_time(), *granted, granted,
                               (char *) out->tc.data, (char *) out->ac.data,
                               &why)
        != 0)
    {
        ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                      "consent: the TC string of a choice cannot be "
                      "written: %s", why);
        return NULL;
    }

    out->tc.len = ngx_strlen(out->tc.data);
    out->ac.len = ngx_strlen(out->ac.data);

    if (consent_tcf_digest((const char *) out->tc.data, out->tc.len, digest)
        != 0)
    {
        return NULL;
    }

    for (n = 0; n < 32; n++) {
        ngx_sprintf((u_char *) out->sha256 + 2 * n, "%02xd",
                    (ngx_uint_t) digest[n]);
    }

    out->sha256[64] = '\0';

    st->tc = tc;
    st->tc_string = (const char *) out->tc.data;
    st->tc_len = out->tc.len;

    if (out->ac.len) {
        st->ac_string = (const char *) out->ac.data;
        st->ac_len = out->ac.len;
    }

    return out;
}


/*
 * euconsent-v2 and addtl_consent, in the response that sets the signed
 * cookie: Path=/, SameSite=Lax, Secure as the signed cookie, 13 months;
 * not HttpOnly (vendors' scripts may read them; __tcfapi is the way);
 * a withdrawal (out->tc.len == 0) expires them
 */

ngx_int_t
ngx_http_consent_tcf_cookies(ngx_http_request_t *r,
    ngx_http_consent_loc_conf_t *clcf, ngx_http_consent_tcf_out_t *out)
{
    if (ngx_http_consent_tcf_set_cookie(r, clcf,
                                        NGX_HTTP_CONSENT_TCF_COOKIE,
                                        &out->tc)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (clcf->policy->tcf != NULL
        && (out->ac.len || out->tc.len == 0))
    {
        return ngx_http_consent_tcf_set_cookie(r, clcf,
                                               NGX_HTTP_CONSENT_AC_COOKIE,
                                               &out->ac);
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_consent_tcf_set_cookie(ngx_http_request_t *r,
    ngx_http_consent_loc_conf_t *clcf, const char *name, ngx_str_t *value)
{
    ngx_str_t  n;

    n.data = (u_char *) name;
    n.len = ngx_strlen(name);

    return ngx_http_consent_cookie_out(r, clcf, &n, value->data, value->len,
                                       value->len ? CONSENT_TCF_MAX_AGE : 0,
                                       0);
}


/*
 * consent_tcf cmp: before the head snippet, the visitor's TCData as
 * inert JSON and the script of __tcfapi that answers from it
 * (src/assets/tcfapi.js), first in <head> so that __tcfapi is there
 * before any tag of the page asks for it
 */

ngx_int_t
ngx_http_consent_tcf_head(ngx_http_request_t *r,
    ngx_http_consent_loc_conf_t *clcf, consent_view_t *view,
    consent_render_conf_t *rc, ngx_str_t *nonce, ngx_str_t *head,
    consent_html_conf_t *hc)
{
    char                 *json;
    u_char                id[sizeof("id=\"consent-tcf\" data-gvl=\"\"")
                             + NGX_INT_T_LEN];
    json_t               *td;
    ngx_int_t             ok;
    ngx_str_t             attrs;
    consent_tcf_state_t   st;

    if (view->tcf == NULL) {
        return NGX_OK;
    }

    /* IAB's URL macros in the trackers the visitor's consent lets through */

    hc->macro = ngx_http_consent_tcf_macro;
    hc->macro_ctx = r;

    /* in the page: the vendors as ranges (tcfapi.js expands them) */

    st = *view->tcf;
    st.compact = 1;

    td = consent_tcf_tcdata(&st);
    if (td == NULL) {
        return NGX_ERROR;
    }

    /* "/" escaped: no "</script" in the element (nor "<" in the data) */

    json = json_dumps(td, JSON_COMPACT | JSON_ESCAPE_SLASH);
    json_decref(td);

    if (json == NULL) {
        return NGX_ERROR;
    }

    attrs.data = id;
    attrs.len = ngx_sprintf(id, "id=\"consent-tcf\" data-gvl=\"%ui\"",
                            (ngx_uint_t) ((consent_tcf_gvl_t *) clcf->tcf_gvl)
                                                   ->vendor_list_version)
                - id;

    ok = ngx_http_consent_head_json(r, rc, nonce, head, &attrs, json,
                                    ngx_strlen(json), "tcfapi.js");
    free(json);

    return ok;
}


/* a tracker's tag let through, its URL macros filled from the TC string */

static const char *
ngx_http_consent_tcf_macro(void *ctx, const char *tag, size_t len,
    size_t *out_len)
{
    ngx_http_request_t *r = ctx;

    char            *out;
    size_t           n;
    unsigned         k;
    consent_view_t  *view;

    view = ngx_http_consent_view(r);

    if (view == NULL || view->tcf == NULL) {
        return NULL;
    }

    n = consent_tcf_macros(tag, len, view->tcf, NULL, &k);

    if (k == 0) {
        return NULL;
    }

    out = ngx_pnalloc(r->pool, n);
    if (out == NULL) {
        return NULL;
    }

    *out_len = consent_tcf_macros(tag, len, view->tcf, out, &k);

    return out;
}
