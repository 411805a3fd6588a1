
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * consent_regime: which rule applies to this request (a value with
 * variables: a map on a GeoIP country, a CDN's header), what it does to
 * the visitor's view, its banner, $consent_regime and the __gpp and
 * __gpp_sid cookies.  The deciding is the core's (consent_regime.c).
 */


#include "ngx_http_consent_module.h"


/* the error log hears of unknown values at most once a minute */
#define NGX_HTTP_CONSENT_REGIME_LOG_EVERY  60


static const consent_regime_t *ngx_http_consent_regime_get(
    ngx_http_request_t *r, ngx_http_consent_loc_conf_t *clcf);
static ngx_int_t ngx_http_consent_regime_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data);
static void ngx_http_consent_regime_cleanup(void *data);
static ngx_int_t ngx_http_consent_regime_cookie(ngx_http_request_t *r,
    ngx_http_consent_loc_conf_t *clcf, const char *name, size_t name_len,
    const char *value, size_t len);


static time_t      ngx_http_consent_regime_logged;
static ngx_uint_t  ngx_http_consent_regime_unlogged;

static ngx_str_t   ngx_http_consent_regime_var = ngx_string("consent_regime");


char *
ngx_http_consent_regime_directive(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_consent_loc_conf_t *clcf = conf;

    ngx_str_t                         *value;
    ngx_http_compile_complex_value_t   ccv;

    if (clcf->regime != NGX_CONF_UNSET_PTR) {
        return "is duplicate";
    }

    value = cf->args->elts;

    clcf->regime = ngx_palloc(cf->pool, sizeof(ngx_http_complex_value_t));
    if (clcf->regime == NULL) {
        return NGX_CONF_ERROR;
    }

    ngx_memzero(&ccv, sizeof(ngx_http_compile_complex_value_t));

    ccv.cf = cf;
    ccv.value = &value[1];
    ccv.complex_value = clcf->regime;

    if (ngx_http_compile_complex_value(&ccv) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    clcf->regime_file = cf->conf_file->file.name;
    clcf->regime_line = cf->conf_file->line;

    return NGX_CONF_OK;
}


/*
 * After inheritance, when the policy in force is known: a value without
 * variables must name one of its regimes
 */

char *
ngx_http_consent_regime_merge(ngx_conf_t *cf,
    ngx_http_consent_loc_conf_t *prev, ngx_http_consent_loc_conf_t *conf)
{
    size_t       i, n;
    u_char      *p, *last;
    u_char       names[512];
    ngx_str_t   *v;

    if (conf->regime == NGX_CONF_UNSET_PTR) {
        conf->regime = (prev->regime == NGX_CONF_UNSET_PTR) ? NULL
                                                            : prev->regime;
        conf->regime_file = prev->regime_file;
        conf->regime_line = prev->regime_line;
    }

    if (conf->policy == NULL) {
        return NGX_CONF_OK;
    }

    if (conf->regime != NULL && conf->regime->lengths == NULL) {
        v = &conf->regime->value;

        if (consent_regime_find(conf->policy, (const char *) v->data, v->len)
            == NULL)
        {
            p = names;
            last = names + sizeof(names);

            for (i = 0; i < conf->policy->nregimes; i++) {
                p = ngx_slprintf(p, last, "%s\"%s\"", i ? ", " : "",
                                 conf->policy->regimes[i].name);
            }

            ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                          "unknown regime \"%V\" in \"consent_regime\" "
                          "(the policy has %*s) in %V:%ui", v,
                          (size_t) (p - names),
                          names, &conf->regime_file, conf->regime_line);
            return NGX_CONF_ERROR;
        }
    }

    /* a slot per regime and language for its banner, made on first use */

    if (conf->enable && conf->policy->nlangs && conf->policy->nregimes) {
        n = conf->policy->nregimes * conf->policy->nlangs;

        conf->regime_tpls = ngx_pcalloc(cf->pool, n * sizeof(consent_tpl_t *));
        if (conf->regime_tpls == NULL) {
            return NGX_CONF_ERROR;
        }

        if (ngx_http_consent_conf_owns(cf, ngx_http_consent_regime_cleanup,
                                       conf)
            != NGX_OK)
        {
            return NGX_CONF_ERROR;
        }
    }

    return NGX_CONF_OK;
}


static void
ngx_http_consent_regime_cleanup(void *data)
{
    ngx_http_consent_loc_conf_t *clcf = data;

    size_t  i, n;

    if (clcf->regime_tpls == NULL || clcf->policy == NULL) {
        return;
    }

    n = clcf->policy->nregimes * clcf->policy->nlangs;

    for (i = 0; i < n; i++) {
        if (clcf->regime_tpls[i]) {
            consent_tpl_free(clcf->regime_tpls[i]);
            clcf->regime_tpls[i] = NULL;
        }
    }
}


ngx_int_t
ngx_http_consent_regime_add_variables(ngx_conf_t *cf)
{
    ngx_http_variable_t  *var;

    var = ngx_http_add_variable(cf, &ngx_http_consent_regime_var,
                                NGX_HTTP_VAR_NOCACHEABLE);
    if (var == NULL) {
        return NGX_ERROR;
    }

    var->get_handler = ngx_http_consent_regime_variable;

    return NGX_OK;
}


static ngx_int_t
ngx_http_consent_regime_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    consent_view_t  *view;

    view = ngx_http_consent_variable_view(r, v, NULL);
    if (view == NULL) {
        return NGX_OK;
    }

    if (view->regime == NULL) {
        ngx_http_consent_variable_set(v, (u_char *) "opt-in",
                                      sizeof("opt-in") - 1);

    } else {
        ngx_http_consent_variable_set(v, (u_char *) view->regime->name,
                                      view->regime->name_len);
    }

    return NGX_OK;
}


/* the regime of this request; an empty or unknown value: the strictest */

static const consent_regime_t *
ngx_http_consent_regime_get(ngx_http_request_t *r,
    ngx_http_consent_loc_conf_t *clcf)
{
    ngx_str_t                v;
    const consent_regime_t  *rg;

    if (clcf->regime == NULL) {
        return &clcf->policy->regimes[CONSENT_MODEL_OPT_IN];
    }

    if (ngx_http_complex_value(r, clcf->regime, &v) != NGX_OK) {
        ngx_str_null(&v);
    }

    rg = consent_regime_find(clcf->policy, (const char *) v.data, v.len);

    if (rg != NULL) {
        ngx_log_debug1(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "consent regime: \"%s\"", rg->name);

        return rg;
    }

    rg = consent_regime_strictest(clcf->policy);

    /* never no protection; and a flood of these is one line a minute */

    if (ngx_time() - ngx_http_consent_regime_logged
        >= NGX_HTTP_CONSENT_REGIME_LOG_EVERY)
    {
        ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                      "consent: %s regime \"%V\", \"%s\" applies instead "
                      "(%ui more since the last message)",
                      v.len ? "unknown" : "empty", &v, rg->name,
                      ngx_http_consent_regime_unlogged);

        ngx_http_consent_regime_logged = ngx_time();
        ngx_http_consent_regime_unlogged = 0;

    } else {
        ngx_http_consent_regime_unlogged++;
    }

    return rg;
}


/*
 * Called by ngx_http_consent_view() on the cookie's view: only where a
 * regime is configured or the policy redefines "opt-in" (exempt
 * statistics), so that a configuration without them behaves as before,
 * byte for byte
 */

void
ngx_http_consent_regime_apply(ngx_http_request_t *r,
    ngx_http_consent_loc_conf_t *clcf, consent_view_t *view)
{
    consent_policy_t  *p;

    p = clcf->policy;

    if (clcf->regime == NULL && !p->regimes[CONSENT_MODEL_OPT_IN].declared)
    {
        return;
    }

    consent_regime_view(p, ngx_http_consent_regime_get(r, clcf), view,
                        ngx_http_consent_gpc(r));
}


const char *
ngx_http_consent_regime_name(ngx_http_request_t *r)
{
    consent_view_t  *view;

    view = ngx_http_consent_view(r);

    if (view == NULL || view->regime == NULL) {
        return NULL;
    }

    return view->regime->name;
}


/* what a decision stores, and the regime's tag in the cookie */

uint32_t
ngx_http_consent_regime_choice(ngx_http_request_t *r,
    ngx_http_consent_loc_conf_t *clcf, uint32_t chosen, consent_token_t *tok)
{
    const char      *tag;
    consent_view_t  *view;

    view = ngx_http_consent_view(r);

    if (view == NULL || view->regime == NULL) {
        return chosen;
    }

    tag = consent_regime_tag(view->regime);
    ngx_cpystrn((u_char *) tok->regime, (u_char *) tag,
                sizeof(tok->regime));

    return consent_regime_choice(clcf->policy, view->regime, chosen,
                                 ngx_http_consent_gpc(r));
}


/*
 * The __gpp and __gpp_sid cookies, set when they differ from what the
 * browser sent, expired where the regime has no GPP sections
 */

ngx_int_t
ngx_http_consent_regime_header(ngx_http_request_t *r,
    ngx_http_consent_loc_conf_t *clcf, consent_view_t *view)
{
    int   n;
    char  str[CONSENT_GPP_SHORT_MAX], sid[16];

    if (view->regime == NULL) {
        return NGX_OK;
    }

    n = consent_regime_gpp(clcf->policy, view, str, sizeof(str), sid,
                           sizeof(sid));
    if (n < 0) {
        ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                      "consent: the GPP string could not be made");
        return NGX_ERROR;
    }

    if (ngx_http_consent_regime_cookie(r, clcf, "__gpp", 5, str, n)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    return ngx_http_consent_regime_cookie(r, clcf, "__gpp_sid", 9, sid,
                                          ngx_strlen(sid));
}


/* the cookie set, unless the browser sent it with this value (or none) */

static ngx_int_t
ngx_http_consent_regime_cookie(ngx_http_request_t *r,
    ngx_http_consent_loc_conf_t *clcf, const char *name, size_t name_len,
    const char *value, size_t len)
{
    ngx_str_t  n, sent;

    if (ngx_http_consent_cookie_in(r, name, name_len, &sent) == NGX_OK
        ? (sent.len == len && ngx_strncmp(sent.data, value, len) == 0)
        : len == 0)
    {
        return NGX_OK;
    }

    n.data = (u_char *) name;
    n.len = name_len;

    /* read by the page's scripts (GPP's convention): not HttpOnly */

    return ngx_http_consent_cookie_out(r, clcf, &n, (u_char *) value, len,
                                       len ? clcf->policy->max_age : 0, 0);
}


/*
 * The banner of the view's regime: NGX_DECLINED when it is the
 * policy's own (the caller's templates), else into out
 */

ngx_int_t
ngx_http_consent_regime_banner(ngx_http_request_t *r,
    ngx_http_consent_loc_conf_t *clcf, consent_view_t *view,
    consent_render_conf_t *rc, consent_tpl_vars_t *vars, const char *lang,
    ngx_str_t *out)
{
    char                    *s;
    size_t                   i, len, slot;
    consent_tpl_t           *tpl;
    consent_policy_t        *p;
    const consent_regime_t  *rg;

    rg = view->regime;
    p = clcf->policy;

    if (rg == NULL) {
        return NGX_DECLINED;
    }

    switch (rg->model) {

    case CONSENT_MODEL_OFF:
        ngx_str_null(out);
        return NGX_OK;

    case CONSENT_MODEL_NOTICE:
        s = consent_regime_notice_banner(p, rg, lang, rc, vars, &len);
        if (s == NULL) {
            return NGX_ERROR;
        }

        out->data = ngx_pnalloc(r->pool, len);
        if (out->data == NULL) {
            free(s);
            return NGX_ERROR;
        }

        out->len = len;
        ngx_memcpy(out->data, s, len);
        free(s);

        return NGX_OK;

    default:
        break;
    }

    if (rg->shown == NULL) {
        return NGX_DECLINED;
    }

    for (i = 0; i < p->nlangs; i++) {
        if (lang == p->langs[i] || ngx_strcmp(lang, p->langs[i]) == 0) {
            break;
        }
    }

    slot = rg->index * p->nlangs + i;
    tpl = (i < p->nlangs && clcf->regime_tpls) ? clcf->regime_tpls[slot]
                                               : NULL;

    if (tpl == NULL) {
        tpl = consent_render_banner_tpl(rg->shown, lang, rc);
        if (tpl == NULL) {
            return NGX_ERROR;
        }

        if (i < p->nlangs && clcf->regime_tpls) {
            clcf->regime_tpls[slot] = tpl;
        }
    }

    out->data = ngx_pnalloc(r->pool, consent_tpl_size(tpl, vars));

    if (out->data) {
        out->len = consent_tpl_fill(tpl, vars, (char *) out->data);
    }

    if (i >= p->nlangs || clcf->regime_tpls == NULL) {
        consent_tpl_free(tpl);
    }

    return out->data ? NGX_OK : NGX_ERROR;
}


/*
 * Before the head snippet: the regime's state as inert JSON, and the
 * script of the __gpp API that reads it (src/assets/gpp.js), so that
 * __gpp is there before any tag of the page asks for it
 */

ngx_int_t
ngx_http_consent_regime_head(ngx_http_request_t *r,
    ngx_http_consent_loc_conf_t *clcf, consent_view_t *view,
    consent_render_conf_t *rc, ngx_str_t *nonce, ngx_str_t *head)
{
    char        *json;
    size_t       len;
    ngx_int_t    ok;
    const char  *script;
    ngx_str_t    attrs = ngx_string("id=\"consent-regime\"");

    if (view->regime == NULL) {
        return NGX_OK;
    }

    json = consent_regime_json(clcf->policy, view, &len);
    if (json == NULL) {
        return NGX_ERROR;
    }

    /* the __gpp API: only where the regime has GPP sections */

    script = (view->regime->model == CONSENT_MODEL_OPT_OUT
              && view->regime->nsections)
             ? "gpp.js" : NULL;

    ok = ngx_http_consent_head_json(r, rc, nonce, head, &attrs, json, len,
                                    script);
    free(json);

    return ok;
}


/*
 * A page's state for the module's scripts, before the head snippet:
 * <script type="application/json" ATTRS data-consent-ui> with the JSON
 * (inert, "/" escaped by its maker), then the script of the asset that
 * reads it, if any; the regime's (#consent-regime) and consent_tcf
 * cmp's (#consent-tcf)
 */

ngx_int_t
ngx_http_consent_head_json(ngx_http_request_t *r, consent_render_conf_t *rc,
    ngx_str_t *nonce, ngx_str_t *head, ngx_str_t *attrs, const char *json,
    size_t len, const char *script)
{
    u_char  *start, *p;
    size_t   size, attr;

    attr = nonce->len ? sizeof(" nonce=\"\"") - 1 + 6 * nonce->len : 0;

    size = sizeof("<script type=\"application/json\"  data-consent-ui>") - 1
           + attrs->len + attr + len + sizeof("</script>") - 1
           + (script ? ngx_http_consent_script_src_len(rc, script, nonce) : 0)
           + head->len;

    start = ngx_pnalloc(r->pool, size);
    if (start == NULL) {
        return NGX_ERROR;
    }

    p = ngx_cpymem(start, "<script type=\"application/json\" ",
                   sizeof("<script type=\"application/json\" ") - 1);
    p = ngx_cpymem(p, attrs->data, attrs->len);
    p = ngx_cpymem(p, " data-consent-ui", sizeof(" data-consent-ui") - 1);
    p = ngx_http_consent_nonce_attr(p, nonce);
    *p++ = '>';
    p = ngx_cpymem(p, json, len);
    p = ngx_cpymem(p, "</script>", sizeof("</script>") - 1);

    if (script) {
        p = ngx_http_consent_script_src(p, rc, script, nonce);
    }

    p = ngx_cpymem(p, head->data, head->len);

    head->data = start;
    head->len = p - start;

    return NGX_OK;
}


/*
 * What the banner says of GPC: in the opt-in model (and without a
 * regime) as before, that the request sent it; in opt-out that it was
 * honoured; elsewhere nothing; and only until a choice is made
 */

ngx_uint_t
ngx_http_consent_regime_gpc_shown(ngx_http_request_t *r, consent_view_t *view)
{
    if (view->state == CONSENT_STATE_VALID) {
        return 0;
    }

    if (view->regime == NULL || view->regime->model == CONSENT_MODEL_OPT_IN) {
        return ngx_http_consent_gpc(r) ? 1 : 0;
    }

    return view->gpc;
}


/* the page passes untouched: no banner, nothing held back */

ngx_uint_t
ngx_http_consent_regime_off(consent_view_t *view)
{
    return view->regime != NULL && view->regime->model == CONSENT_MODEL_OFF;
}
