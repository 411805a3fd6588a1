/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * The TCF's first and second layer in CMP mode (consent_tcf cmp): the
 * banner's body is the first layer, the endpoint's preferences page the
 * second; consent_tcf_gvl_translations names the directory of IAB's
 * purposes-LL.json files.  The rendering is the core's
 * (src/consent_tcf_ui.c); this only reads the configuration.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_consent_module.h"
#include "consent_tcf_gvl.h"
#include "consent_tcf_i18n.h"
#include "consent_tcf_ui.h"


static void *ngx_http_consent_tcf_i18n_read(const char *dir, char *err,
    size_t errlen);
static void ngx_http_consent_tcf_i18n_cleanup(void *data);
static ngx_uint_t ngx_http_consent_tcf_ui_on(
    ngx_http_consent_loc_conf_t *clcf);
static const consent_tcf_tr_t *ngx_http_consent_tcf_ui_tr(
    ngx_http_consent_loc_conf_t *clcf, const char *lang);


/*
 * consent_tcf_gvl_translations DIR: the purposes-LL.json files, read
 * as consent_tcf_gvl's file is (whose errors name the file in DIR)
 */

char *
ngx_http_consent_tcf_translations(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_consent_loc_conf_t *clcf = conf;

    ngx_str_t  *value, path;

    if (clcf->tcf_i18n != NGX_CONF_UNSET_PTR) {
        return "is duplicate";
    }

    value = cf->args->elts;
    path = value[1];

    clcf->tcf_i18n = ngx_http_consent_tcf_load(cf, cmd, &path,
                                             ngx_http_consent_tcf_i18n_read,
                                             ngx_http_consent_tcf_i18n_cleanup,
                                             1);

    return clcf->tcf_i18n ? NGX_CONF_OK : NGX_CONF_ERROR;
}


/* typed wrappers, as consent_tcf_gvl's (ngx_http_consent_tcf.c) */

static void *
ngx_http_consent_tcf_i18n_read(const char *dir, char *err, size_t errlen)
{
    return consent_tcf_i18n_load(dir, err, errlen);
}


static void
ngx_http_consent_tcf_i18n_cleanup(void *data)
{
    consent_tcf_i18n_free(data);
}


void
ngx_http_consent_tcf_ui_merge(ngx_http_consent_loc_conf_t *conf,
    ngx_http_consent_loc_conf_t *prev)
{
    if (conf->tcf_i18n == NGX_CONF_UNSET_PTR) {
        conf->tcf_i18n = prev->tcf_i18n == NGX_CONF_UNSET_PTR
                         ? NULL : prev->tcf_i18n;
    }
}


/* CMP mode with its list (nginx -t refuses it without one) */

static ngx_uint_t
ngx_http_consent_tcf_ui_on(ngx_http_consent_loc_conf_t *clcf)
{
    return clcf->tcf == NGX_HTTP_CONSENT_TCF_CMP && clcf->tcf_gvl != NULL
           && clcf->policy != NULL;
}


/* the language is the banner's (consent_policy_pick_lang) */

static const consent_tcf_tr_t *
ngx_http_consent_tcf_ui_tr(ngx_http_consent_loc_conf_t *clcf,
    const char *lang)
{
    return consent_tcf_i18n_pick(clcf->tcf_i18n, lang);
}


/*
 * The first layer into rc, for the banner's template of lang (rendered
 * once per worker and language); the caller frees rc->tcf_first
 */

ngx_int_t
ngx_http_consent_tcf_ui_banner(ngx_http_request_t *r,
    ngx_http_consent_loc_conf_t *clcf, const char *lang,
    consent_render_conf_t *rc)
{
    char                   *s;
    size_t                  len;
    consent_tcf_ui_conf_t   uc;

    if (!ngx_http_consent_tcf_ui_on(clcf)) {
        return NGX_OK;
    }

    ngx_memzero(&uc, sizeof(consent_tcf_ui_conf_t));
    uc.endpoint = rc->endpoint;
    uc.endpoint_len = rc->endpoint_len;

    s = consent_tcf_ui_first(clcf->tcf_gvl,
                             ngx_http_consent_tcf_ui_tr(clcf, lang),
                             clcf->policy, lang, &uc, &len);
    if (s == NULL) {
        return NGX_ERROR;
    }

    rc->tcf_first = s;
    rc->tcf_first_len = len;

    return NGX_OK;
}


/*
 * The preferences page in CMP mode: the second layer; "?layer=2" asks
 * for its fields alone, which the banner's script puts into the
 * banner's form (whose buttons then post them as JSON).
 * NGX_DECLINED when not in CMP mode; *out is malloc'ed.
 */

ngx_int_t
ngx_http_consent_tcf_ui_page(ngx_http_request_t *r,
    ngx_http_consent_loc_conf_t *clcf, consent_view_t *view,
    const char *lang, const char *ret, size_t ret_len, char **out,
    size_t *len)
{
    ngx_str_t                  arg;
    consent_tcf_ui_conf_t      uc;
    ngx_http_consent_ctx_t    *ctx;
    ngx_http_core_loc_conf_t  *core;
    const consent_tcf_tr_t    *tr;

    if (!ngx_http_consent_tcf_ui_on(clcf)) {
        return NGX_DECLINED;
    }

    core = ngx_http_get_module_loc_conf(r, ngx_http_core_module);
    ctx = ngx_http_get_module_ctx(r, ngx_http_consent_module);

    ngx_memzero(&uc, sizeof(consent_tcf_ui_conf_t));
    uc.endpoint = (const char *) core->name.data;
    uc.endpoint_len = core->name.len;
    uc.ret = ret;
    uc.ret_len = ret_len;
    uc.current = ctx ? ctx->tcf : NULL;
    uc.granted = view->granted;
    uc.level = 3;
    uc.withdraw = (view->state == CONSENT_STATE_VALID);

    tr = ngx_http_consent_tcf_ui_tr(clcf, lang);

    if (ngx_http_arg(r, (u_char *) "layer", sizeof("layer") - 1, &arg)
        == NGX_OK
        && arg.len == 1 && arg.data[0] == '2')
    {
        uc.bare = 1;
        *out = consent_tcf_ui_second(clcf->tcf_gvl, tr, clcf->policy, lang,
                                     &uc, len);

    } else {
        *out = consent_tcf_ui_page(clcf->tcf_gvl, tr, clcf->policy, lang,
                                   &uc, len);
    }

    return *out ? NGX_OK : NGX_ERROR;
}
