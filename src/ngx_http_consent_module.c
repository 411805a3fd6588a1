
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * Directives, configuration and initialisation.  Keys and policies are
 * parsed by the core; this file only finds the files, reports errors
 * with the configuration's file and line, and frees what it loaded with
 * the cycle.
 */


#include "ngx_http_consent_module.h"


#define NGX_HTTP_CONSENT_ERRLEN  512


static ngx_int_t ngx_http_consent_preconfiguration(ngx_conf_t *cf);
static ngx_int_t ngx_http_consent_init(ngx_conf_t *cf);
static void *ngx_http_consent_create_main_conf(ngx_conf_t *cf);
static void *ngx_http_consent_create_srv_conf(ngx_conf_t *cf);
static void *ngx_http_consent_create_loc_conf(ngx_conf_t *cf);
static char *ngx_http_consent_merge_loc_conf(ngx_conf_t *cf, void *parent,
    void *child);
static char *ngx_http_consent_check_require(ngx_conf_t *cf,
    ngx_http_consent_loc_conf_t *conf);
static char *ngx_http_consent_check_loaded(ngx_conf_t *cf,
    ngx_http_consent_loc_conf_t *conf, const char *directive,
    ngx_str_t *file, ngx_uint_t line);
static char *ngx_http_consent_load_slot(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static void *ngx_http_consent_load(ngx_conf_t *cf, ngx_array_t *loaded,
    ngx_str_t *name, ngx_uint_t policy);
static void ngx_http_consent_cleanup_keys(void *data);
static void ngx_http_consent_cleanup_policy(void *data);
static void ngx_http_consent_cleanup_tpls(void *data);
static char *ngx_http_consent_cookie_name(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
static char *ngx_http_consent_cookie_domain(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
static char *ngx_http_consent_cookie_secure(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
static char *ngx_http_consent_cookie_prefix(ngx_conf_t *cf,
    ngx_http_consent_loc_conf_t *clcf, ngx_uint_t merged);
static char *ngx_http_consent_endpoint(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_consent_require(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_consent_require_status(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
static char *ngx_http_consent_banner_position(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
static char *ngx_http_consent_unknown_cookies(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
static char *ngx_http_consent_check_unknown(ngx_conf_t *cf,
    ngx_http_consent_loc_conf_t *conf);


static char *ngx_http_consent_check_tag_max(ngx_conf_t *cf, void *post,
    void *data);

static ngx_conf_post_handler_pt  ngx_http_consent_tag_max_bounds =
    ngx_http_consent_check_tag_max;


static ngx_conf_enum_t  ngx_http_consent_log_ip[] = {
    { ngx_string("off"), CONSENT_IP_OFF },
    { ngx_string("truncate"), CONSENT_IP_TRUNCATE },
    { ngx_string("hash"), CONSENT_IP_HASH },
    { ngx_null_string, 0 }
};


static ngx_conf_enum_t  ngx_http_consent_secure[] = {
    { ngx_string("off"), NGX_HTTP_CONSENT_SECURE_OFF },
    { ngx_string("on"), NGX_HTTP_CONSENT_SECURE_ON },
    { ngx_string("auto"), NGX_HTTP_CONSENT_SECURE_AUTO },
    { ngx_null_string, 0 }
};


static ngx_conf_enum_t  ngx_http_consent_position[] = {
    { ngx_string("bottom"), CONSENT_POSITION_BOTTOM },
    { ngx_string("top"), CONSENT_POSITION_TOP },
    { ngx_string("center"), CONSENT_POSITION_CENTER },
    { ngx_null_string, 0 }
};


static ngx_conf_enum_t  ngx_http_consent_request_cookies[] = {
    { ngx_string("pass"), 0 },
    { ngx_string("filter"), 1 },
    { ngx_null_string, 0 }
};


/*
 * One entry written out per directive, as nginx's own modules list
 * theirs: the table is data that a grep for a directive finds whole
 */

static ngx_command_t  ngx_http_consent_commands[] = {

    { ngx_string("consent"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_HTTP_LIF_CONF
                        |NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_consent_loc_conf_t, enable),
      NULL },

    { ngx_string("consent_types"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_1MORE,
      ngx_http_types_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_consent_loc_conf_t, types_keys),
      &ngx_http_html_default_types[0] },

    { ngx_string("consent_tag_max"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_size_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_consent_loc_conf_t, tag_max),
      &ngx_http_consent_tag_max_bounds },

    { ngx_string("consent_inflate_max_size"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_off_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_consent_loc_conf_t, inflate_max),
      NULL },

    { ngx_string("consent_cache_private"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_consent_loc_conf_t, cache_private),
      NULL },

    { ngx_string("consent_manage_button"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_consent_loc_conf_t, manage_button),
      NULL },

    { ngx_string("consent_banner_position"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_consent_banner_position,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("consent_csp_nonce"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_set_complex_value_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_consent_loc_conf_t, csp_nonce),
      NULL },

    { ngx_string("consent_regime"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_consent_regime_directive,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("consent_keys"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_CONF_TAKE1,
      ngx_http_consent_load_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_consent_loc_conf_t, keys),
      NULL },

    { ngx_string("consent_policy"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_consent_load_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_consent_loc_conf_t, policy),
      NULL },

    { ngx_string("consent_cookie_name"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_CONF_TAKE1,
      ngx_http_consent_cookie_name,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("consent_cookie_domain"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_CONF_TAKE1,
      ngx_http_consent_cookie_domain,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("consent_cookie_secure"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_CONF_TAKE1,
      ngx_http_consent_cookie_secure,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_consent_loc_conf_t, cookie_secure),
      &ngx_http_consent_secure },

    { ngx_string("consent_endpoint"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_consent_endpoint,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("consent_log"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_CONF_TAKE123,
      ngx_http_consent_log_directive,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("consent_log_ip"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_enum_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_consent_loc_conf_t, log_ip),
      &ngx_http_consent_log_ip },

    { ngx_string("consent_require"),
      NGX_HTTP_LOC_CONF|NGX_CONF_1MORE,
      ngx_http_consent_require,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("consent_require_status"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_consent_require_status,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("consent_strip_cookies"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_consent_loc_conf_t, strip_cookies),
      NULL },

    { ngx_string("consent_expire_cookies"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_consent_loc_conf_t, expire_cookies),
      NULL },

    { ngx_string("consent_request_cookies"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_enum_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_consent_loc_conf_t, request_cookies),
      &ngx_http_consent_request_cookies },

    { ngx_string("consent_inventory_zone"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_http_consent_inventory_zone,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("consent_inventory"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_consent_inventory,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("consent_domains"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_1MORE,
      ngx_http_consent_domains,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("consent_status_zone"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_http_consent_status_zone,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("consent_status"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_consent_status,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("consent_unknown_cookies"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_consent_unknown_cookies,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("consent_tcf"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_consent_tcf,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("consent_tcf_gvl"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_consent_tcf_gvl,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("consent_tcf_gvl_translations"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_consent_tcf_translations,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("consent_tcf_cmp"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE23,
      ngx_http_consent_tcf_cmp,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("consent_tcf_record"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_consent_tcf_record,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

      ngx_null_command
};


static ngx_http_module_t  ngx_http_consent_module_ctx = {
    ngx_http_consent_preconfiguration,     /* preconfiguration */
    ngx_http_consent_init,                 /* postconfiguration */

    ngx_http_consent_create_main_conf,     /* create main configuration */
    NULL,                                  /* init main configuration */

    ngx_http_consent_create_srv_conf,      /* create server configuration */
    NULL,                                  /* merge server configuration */

    ngx_http_consent_create_loc_conf,      /* create location configuration */
    ngx_http_consent_merge_loc_conf        /* merge location configuration */
};


ngx_module_t  ngx_http_consent_module = {
    NGX_MODULE_V1,
    &ngx_http_consent_module_ctx,          /* module context */
    ngx_http_consent_commands,             /* module directives */
    NGX_HTTP_MODULE,                       /* module type */
    NULL,                                  /* init master */
    NULL,                                  /* init module */
    ngx_http_consent_log_init_process,     /* init process */
    NULL,                                  /* init thread */
    NULL,                                  /* exit thread */
    ngx_http_consent_log_exit_process,     /* exit process */
    NULL,                                  /* exit master */
    NGX_MODULE_V1_PADDING
};


static ngx_int_t
ngx_http_consent_preconfiguration(ngx_conf_t *cf)
{
    if (ngx_http_consent_regime_add_variables(cf) != NGX_OK) {
        return NGX_ERROR;
    }

    if (ngx_http_consent_tcf_add_variables(cf) != NGX_OK) {
        return NGX_ERROR;
    }

    return ngx_http_consent_add_variables(cf);
}


static ngx_int_t
ngx_http_consent_init(ngx_conf_t *cf)
{
    ngx_http_consent_main_conf_t  *cmcf;

    if (ngx_http_consent_precond_init(cf) != NGX_OK) {
        return NGX_ERROR;
    }

    if (ngx_http_consent_require_init(cf) != NGX_OK) {
        return NGX_ERROR;
    }

    if (ngx_http_consent_log_init(cf) != NGX_OK) {
        return NGX_ERROR;
    }

    /*
     * The Cookie headers are changed in the rewrite phase, before the
     * precondition handler (preaccess) may copy the request's headers
     * into a new list
     */

    if (ngx_http_consent_cookies_init(cf) != NGX_OK) {
        return NGX_ERROR;
    }

    cmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_consent_module);

    if (ngx_http_consent_zone_check(cf, "consent_inventory",
                                    cmcf->inventory_used, cmcf->inventory,
                                    &cmcf->inventory_file,
                                    cmcf->inventory_line)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (ngx_http_consent_status_init(cf) != NGX_OK) {
        return NGX_ERROR;
    }

    return ngx_http_consent_filter_init(cf);
}


/* the bounds are the core's (consent_html.h); the message names them */

static char *
ngx_http_consent_check_tag_max(ngx_conf_t *cf, void *post, void *data)
{
    size_t *sp = data;

    if (*sp < CONSENT_HTML_TAG_CONF_MIN || *sp > CONSENT_HTML_TAG_CONF_MAX) {
        return "must be between 256 and 1m";
    }

    return NGX_CONF_OK;
}


static void *
ngx_http_consent_create_main_conf(ngx_conf_t *cf)
{
    ngx_http_consent_main_conf_t  *cmcf;

    cmcf = ngx_pcalloc(cf->pool, sizeof(ngx_http_consent_main_conf_t));
    if (cmcf == NULL) {
        return NULL;
    }

    if (ngx_array_init(&cmcf->keysets, cf->pool, 2,
                       sizeof(ngx_http_consent_loaded_t))
        != NGX_OK
        || ngx_array_init(&cmcf->policies, cf->pool, 2,
                          sizeof(ngx_http_consent_loaded_t))
           != NGX_OK
        || ngx_array_init(&cmcf->logs, cf->pool, 2,
                          sizeof(ngx_http_consent_log_t *))
           != NGX_OK)
    {
        return NULL;
    }

    return cmcf;
}


static void *
ngx_http_consent_create_srv_conf(ngx_conf_t *cf)
{
    ngx_http_consent_srv_conf_t  *cscf;

    cscf = ngx_pcalloc(cf->pool, sizeof(ngx_http_consent_srv_conf_t));
    if (cscf == NULL) {
        return NULL;
    }

    /*
     * set by ngx_pcalloc():
     *
     *     cscf->endpoint = { 0, NULL };
     */

    return cscf;
}


static void *
ngx_http_consent_create_loc_conf(ngx_conf_t *cf)
{
    ngx_http_consent_loc_conf_t  *clcf;

    clcf = ngx_pcalloc(cf->pool, sizeof(ngx_http_consent_loc_conf_t));
    if (clcf == NULL) {
        return NULL;
    }

    /*
     * set by ngx_pcalloc():
     *
     *     clcf->types = { NULL };
     *     clcf->types_keys = NULL;
     *     clcf->cookie_name = { 0, NULL };
     *     clcf->cookie_domain = { 0, NULL };
     *     clcf->require_mask = 0;
     *     clcf->endpoint_file = { 0, NULL };
     *     clcf->endpoint_line = 0;
     *     clcf->require_file = { 0, NULL };
     *     clcf->require_line = 0;
     *     clcf->unknown_name = { 0, NULL };
     *     clcf->unknown_file = { 0, NULL };
     *     clcf->unknown_line = 0;
     */

    clcf->keys = NGX_CONF_UNSET_PTR;
    clcf->policy = NGX_CONF_UNSET_PTR;
    clcf->cookie_secure = NGX_CONF_UNSET_UINT;
    clcf->endpoint = NGX_CONF_UNSET;
    clcf->logs = NGX_CONF_UNSET_PTR;
    clcf->log_ip = NGX_CONF_UNSET_UINT;
    clcf->enable = NGX_CONF_UNSET;
    clcf->tag_max = NGX_CONF_UNSET_SIZE;
    clcf->inflate_max = NGX_CONF_UNSET;
    clcf->cache_private = NGX_CONF_UNSET;
    clcf->manage_button = NGX_CONF_UNSET;
    clcf->position = NGX_CONF_UNSET_UINT;
    clcf->csp_nonce = NGX_CONF_UNSET_PTR;
    clcf->require = NGX_CONF_UNSET_PTR;
    clcf->require_status = NGX_CONF_UNSET_UINT;
    clcf->strip_cookies = NGX_CONF_UNSET;
    clcf->expire_cookies = NGX_CONF_UNSET;
    clcf->request_cookies = NGX_CONF_UNSET_UINT;
    clcf->domains = NGX_CONF_UNSET_PTR;
    clcf->regime = NGX_CONF_UNSET_PTR;
    clcf->tcf = NGX_CONF_UNSET_UINT;
    clcf->tcf_gvl = NGX_CONF_UNSET_PTR;
    clcf->tcf_cmp_id = NGX_CONF_UNSET_UINT;
    clcf->tcf_i18n = NGX_CONF_UNSET_PTR;

    return clcf;
}


static char *
ngx_http_consent_merge_loc_conf(ngx_conf_t *cf, void *parent, void *child)
{
    ngx_http_consent_loc_conf_t *prev = parent;
    ngx_http_consent_loc_conf_t *conf = child;

    ngx_conf_merge_ptr_value(conf->keys, prev->keys, NULL);
    ngx_conf_merge_ptr_value(conf->policy, prev->policy, NULL);
    ngx_conf_merge_str_value(conf->cookie_name, prev->cookie_name,
                             "consent");
    ngx_conf_merge_str_value(conf->cookie_domain, prev->cookie_domain, "");
    ngx_conf_merge_uint_value(conf->cookie_secure, prev->cookie_secure,
                              NGX_HTTP_CONSENT_SECURE_AUTO);

    if (ngx_http_consent_cookie_prefix(cf, conf, 1) != NGX_CONF_OK) {
        return NGX_CONF_ERROR;
    }

    ngx_conf_merge_uint_value(conf->require_status, prev->require_status,
                              NGX_HTTP_FORBIDDEN);
    ngx_conf_merge_ptr_value(conf->logs, prev->logs, NULL);
    ngx_conf_merge_uint_value(conf->log_ip, prev->log_ip,
                              CONSENT_IP_TRUNCATE);
    ngx_conf_merge_value(conf->enable, prev->enable, 0);
    ngx_conf_merge_size_value(conf->tag_max, prev->tag_max,
                              CONSENT_HTML_TAG_MAX);
    ngx_conf_merge_off_value(conf->inflate_max, prev->inflate_max,
                             CONSENT_INFLATE_MAX_DEFAULT);
    ngx_conf_merge_value(conf->cache_private, prev->cache_private, 1);
    ngx_conf_merge_value(conf->manage_button, prev->manage_button, 0);
    ngx_conf_merge_uint_value(conf->position, prev->position,
                              CONSENT_POSITION_BOTTOM);
    ngx_conf_merge_ptr_value(conf->csp_nonce, prev->csp_nonce, NULL);
    ngx_conf_merge_value(conf->strip_cookies, prev->strip_cookies, 1);
    ngx_conf_merge_value(conf->expire_cookies, prev->expire_cookies, 1);
    ngx_conf_merge_uint_value(conf->request_cookies, prev->request_cookies,
                              0);
    ngx_conf_merge_ptr_value(conf->domains, prev->domains, NULL);

    if (conf->unknown_name.data == NULL) {
        conf->unknown_name = prev->unknown_name;
        conf->unknown_file = prev->unknown_file;
        conf->unknown_line = prev->unknown_line;
    }

    if (ngx_http_consent_check_unknown(cf, conf) != NGX_CONF_OK) {
        return NGX_CONF_ERROR;
    }

    if (ngx_http_consent_regime_merge(cf, prev, conf) != NGX_CONF_OK) {
        return NGX_CONF_ERROR;
    }

    if (ngx_http_consent_tcf_merge(cf, conf, prev) != NGX_CONF_OK) {
        return NGX_CONF_ERROR;
    }

    ngx_http_consent_tcf_ui_merge(conf, prev);

    /* a slot per language for the banner, rendered on first use */

    if (conf->enable && conf->policy && conf->policy->nlangs) {
        conf->ntpls = conf->policy->nlangs;
        conf->tpls = ngx_pcalloc(cf->pool,
                                 conf->ntpls * sizeof(consent_tpl_t *));
        if (conf->tpls == NULL) {
            return NGX_CONF_ERROR;
        }

        if (ngx_http_consent_conf_owns(cf, ngx_http_consent_cleanup_tpls,
                                       conf)
            != NGX_OK)
        {
            return NGX_CONF_ERROR;
        }
    }

    if (ngx_http_merge_types(cf, &conf->types_keys, &conf->types,
                             &prev->types_keys, &prev->types,
                             ngx_http_html_default_types)
        != NGX_OK)
    {
        return NGX_CONF_ERROR;
    }

    /* an endpoint is not inherited: its handler belongs to one location */

    if (conf->endpoint == NGX_CONF_UNSET) {
        conf->endpoint = 0;
    }

    if (conf->require == NGX_CONF_UNSET_PTR) {
        conf->require = prev->require == NGX_CONF_UNSET_PTR
                        ? NULL : prev->require;
        conf->require_file = prev->require_file;
        conf->require_line = prev->require_line;
    }

    if (conf->endpoint
        && ngx_http_consent_check_loaded(cf, conf, "consent_endpoint",
                                         &conf->endpoint_file,
                                         conf->endpoint_line)
           != NGX_CONF_OK)
    {
        return NGX_CONF_ERROR;
    }

    return ngx_http_consent_check_require(cf, conf);
}


/* nginx's enum slot names neither the directive nor the choices */

static char *
ngx_http_consent_banner_position(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_consent_loc_conf_t *clcf = conf;

    ngx_str_t        *value;
    ngx_conf_enum_t  *e;

    if (clcf->position != NGX_CONF_UNSET_UINT) {
        return "is duplicate";
    }

    value = cf->args->elts;

    for (e = ngx_http_consent_position; e->name.len; e++) {
        if (e->name.len == value[1].len
            && ngx_strcasecmp(e->name.data, value[1].data) == 0)
        {
            clcf->position = e->value;
            return NGX_CONF_OK;
        }
    }

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "invalid value \"%V\" in \"%V\" directive, "
                       "it must be \"bottom\", \"top\" or \"center\"",
                       &value[1], &cmd->name);

    return NGX_CONF_ERROR;
}


/* consent_unknown_cookies pass | strip | CATEGORY */

static char *
ngx_http_consent_unknown_cookies(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_consent_loc_conf_t *clcf = conf;

    ngx_str_t  *value;

    if (clcf->unknown_name.data) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (value[1].len == 0) {
        return "must be \"pass\", \"strip\" or a category";
    }

    clcf->unknown_name = value[1];
    clcf->unknown_file = cf->conf_file->file.name;
    clcf->unknown_line = cf->conf_file->line;

    return NGX_CONF_OK;
}


/*
 * A category named by consent_unknown_cookies is looked up in the
 * policy in force, which may come from an enclosing block, so here,
 * after inheritance; the error names the directive's own line
 */

static char *
ngx_http_consent_check_unknown(ngx_conf_t *cf,
    ngx_http_consent_loc_conf_t *conf)
{
    int         cat;
    ngx_str_t  *name;

    name = &conf->unknown_name;
    conf->unknown_cookies = CONSENT_COOKIE_PASS;

    if (name->data == NULL
        || (name->len == 4 && ngx_strncmp(name->data, "pass", 4) == 0))
    {
        return NGX_CONF_OK;
    }

    if (name->len == 5 && ngx_strncmp(name->data, "strip", 5) == 0) {
        conf->unknown_cookies = CONSENT_COOKIE_STRIP;
        return NGX_CONF_OK;
    }

    if (conf->policy == NULL) {
        /* a block that no policy reaches has no cookies to judge */
        return NGX_CONF_OK;
    }

    cat = consent_policy_category(conf->policy, (const char *) name->data,
                                  name->len);
    if (cat < 0) {
        ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                      "invalid value \"%V\" in \"consent_unknown_cookies\" "
                      "directive, it must be \"pass\", \"strip\" or a "
                      "category of the policy in %V:%ui",
                      name, &conf->unknown_file, conf->unknown_line);
        return NGX_CONF_ERROR;
    }

    conf->unknown_cookies = cat;

    return NGX_CONF_OK;
}


/* the banners a single-process nginx rendered before a reload */

static void
ngx_http_consent_cleanup_tpls(void *data)
{
    ngx_http_consent_loc_conf_t *conf = data;

    ngx_uint_t  i;

    for (i = 0; i < conf->ntpls; i++) {
        consent_tpl_free(conf->tpls[i]);
        conf->tpls[i] = NULL;
    }

    consent_tpl_free(conf->head_tpl);
    conf->head_tpl = NULL;
}


/*
 * The policy that names the categories may come from an enclosing
 * block, so consent_require is checked here, after inheritance, and the
 * error names the directive's own line.
 */

static char *
ngx_http_consent_check_require(ngx_conf_t *cf,
    ngx_http_consent_loc_conf_t *conf)
{
    int         cat;
    ngx_str_t  *name;
    ngx_uint_t  i;

    conf->require_mask = 0;

    if (conf->require == NULL) {
        return NGX_CONF_OK;
    }

    if (ngx_http_consent_check_loaded(cf, conf, "consent_require",
                                      &conf->require_file,
                                      conf->require_line)
        != NGX_CONF_OK)
    {
        return NGX_CONF_ERROR;
    }

    name = conf->require->elts;

    for (i = 0; i < conf->require->nelts; i++) {
        cat = consent_policy_category(conf->policy,
                                      (const char *) name[i].data,
                                      name[i].len);
        if (cat < 0) {
            ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                          "unknown consent category \"%V\" "
                          "(not in the policy) in %V:%ui",
                          &name[i], &conf->require_file, conf->require_line);
            return NGX_CONF_ERROR;
        }

        conf->require_mask |= (uint32_t) 1 << cat;
    }

    return NGX_CONF_OK;
}


/*
 * A directive that answers or judges with the visitor's consent needs
 * consent_keys and consent_policy where it stands; the error names the
 * directive's own line
 */

static char *
ngx_http_consent_check_loaded(ngx_conf_t *cf,
    ngx_http_consent_loc_conf_t *conf, const char *directive,
    ngx_str_t *file, ngx_uint_t line)
{
    if (conf->keys != NULL && conf->policy != NULL) {
        return NGX_CONF_OK;
    }

    ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                  "\"%s\" requires \"%s\" in %V:%ui", directive,
                  conf->keys == NULL ? "consent_keys" : "consent_policy",
                  file, line);

    return NGX_CONF_ERROR;
}


/* consent_keys and consent_policy: the loaded file in the field at offset */

static char *
ngx_http_consent_load_slot(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    char  *p = conf;

    void                         **field;
    ngx_str_t                     *value;
    ngx_uint_t                     policy;
    ngx_http_consent_main_conf_t  *cmcf;

    field = (void **) (p + cmd->offset);

    if (*field != NGX_CONF_UNSET_PTR) {
        return "is duplicate";
    }

    value = cf->args->elts;
    cmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_consent_module);
    policy = (cmd->offset == offsetof(ngx_http_consent_loc_conf_t, policy));

    *field = ngx_http_consent_load(cf, policy ? &cmcf->policies
                                              : &cmcf->keysets,
                                   &value[1], policy);

    return *field ? NGX_CONF_OK : NGX_CONF_ERROR;
}


/*
 * Loads a key file or a policy once per configuration, however many
 * blocks name it, and frees it with the configuration's pool, that is
 * when a reload has replaced it.
 */

static void *
ngx_http_consent_load(ngx_conf_t *cf, ngx_array_t *loaded, ngx_str_t *name,
    ngx_uint_t policy)
{
    char                        err[NGX_HTTP_CONSENT_ERRLEN];
    void                       *data;
    ngx_str_t                   path;
    ngx_uint_t                  i;
    ngx_http_consent_loaded_t  *l;

    path = *name;

    if (ngx_conf_full_name(cf->cycle, &path, 1) != NGX_OK) {
        return NULL;
    }

    l = loaded->elts;

    for (i = 0; i < loaded->nelts; i++) {
        if (l[i].path.len == path.len
            && ngx_strncmp(l[i].path.data, path.data, path.len) == 0)
        {
            return l[i].data;
        }
    }

    /* ngx_conf_full_name() NUL-terminates the path it makes */

    err[0] = '\0';

    if (policy) {
        data = consent_policy_load((const char *) path.data, err,
                                   sizeof(err));
    } else {
        data = consent_keyset_load((const char *) path.data, err,
                                   sizeof(err));
    }

    /* "consent_keys: FILE:LINE: what", as a compiler would say it */

    if (data == NULL) {
        if (policy) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "consent_policy: %V: %s",
                               &path, err);
        } else {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "consent_keys: %s",
                               err);
        }

        return NULL;
    }

    /* a server signs: a file of verify-only keys is an auditor's */

    if (!policy) {
        if (consent_keyset_signer(data, (const char *) path.data, err,
                                  sizeof(err))
            == NULL)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "consent_keys: %s",
                               err);
            consent_keyset_free(data);
            return NULL;
        }

        ngx_conf_log_error(NGX_LOG_NOTICE, cf, 0, "consent_keys: %V: %s",
                           &path, consent_keyset_describe(data, err,
                                                          sizeof(err)));
    }

    if (ngx_http_consent_conf_owns(cf, policy
                                       ? ngx_http_consent_cleanup_policy
                                       : ngx_http_consent_cleanup_keys,
                                   data)
        != NGX_OK)
    {
        return NULL;
    }

    l = ngx_array_push(loaded);
    if (l == NULL) {
        return NULL;
    }

    l->path = path;
    l->data = data;

    return data;
}


static void
ngx_http_consent_cleanup_keys(void *data)
{
    consent_keyset_free(data);
}


static void
ngx_http_consent_cleanup_policy(void *data)
{
    consent_policy_free(data);
}


static char *
ngx_http_consent_cookie_name(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_consent_loc_conf_t *clcf = conf;

    size_t      bad;
    ngx_str_t  *value;

    if (clcf->cookie_name.data) {
        return "is duplicate";
    }

    value = cf->args->elts;

    /* an RFC 6265 cookie-name: a token (the core's limits) */

    switch (consent_cookie_name_check((const char *) value[1].data,
                                      value[1].len, &bad))
    {
    case CONSENT_COOKIE_NAME_OK:
        break;

    case CONSENT_COOKIE_NAME_LENGTH:
        return "must be 1 to 64 characters long";

    default:
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid cookie name \"%V\": character "
                           "'%c' is not allowed", &value[1],
                           value[1].data[bad]);
        return NGX_CONF_ERROR;
    }

    clcf->cookie_name = value[1];

    return ngx_http_consent_cookie_prefix(cf, clcf, 0);
}


static char *
ngx_http_consent_cookie_domain(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_consent_loc_conf_t *clcf = conf;

    size_t      bad;
    ngx_str_t  *value;

    if (clcf->cookie_domain.data) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (ngx_strcmp(value[1].data, "off") == 0) {
        ngx_str_set(&clcf->cookie_domain, "");
        return NGX_CONF_OK;
    }

    switch (consent_cookie_domain_check((const char *) value[1].data,
                                        value[1].len, &bad))
    {
    case CONSENT_COOKIE_NAME_OK:
        break;

    case CONSENT_COOKIE_NAME_LENGTH:
        return "must be a domain name";

    default:
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid cookie domain \"%V\"", &value[1]);
        return NGX_CONF_ERROR;
    }

    clcf->cookie_domain = value[1];

    return ngx_http_consent_cookie_prefix(cf, clcf, 0);
}


static char *
ngx_http_consent_cookie_secure(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    char  *rv;

    rv = ngx_conf_set_enum_slot(cf, cmd, conf);

    if (rv != NGX_CONF_OK) {
        return rv;
    }

    return ngx_http_consent_cookie_prefix(cf, conf, 0);
}


/*
 * Browsers refuse a __Host- cookie with a Domain and a __Host- or
 * __Secure- one without Secure: such a consent would never stick.  Each
 * cookie directive is checked against the others in force where it
 * stands (its own level, else the http level), so nginx -t names its
 * line; the merge catches what an http-level directive after a server
 * block changes.
 */

static char *
ngx_http_consent_cookie_prefix(ngx_conf_t *cf,
    ngx_http_consent_loc_conf_t *clcf, ngx_uint_t merged)
{
    ngx_str_t                     name, domain;
    ngx_uint_t                    secure;
    consent_prefix_e              prefix;
    ngx_http_conf_ctx_t          *hctx;
    ngx_http_consent_loc_conf_t  *http;

    http = NULL;

    if (!merged) {
        hctx = (ngx_http_conf_ctx_t *)
                   cf->cycle->conf_ctx[ngx_http_module.index];

        if (hctx && hctx->loc_conf) {
            http = hctx->loc_conf[ngx_http_consent_module.ctx_index];
        }

        if (http == clcf) {
            http = NULL;
        }
    }

    ngx_str_set(&name, "consent");
    ngx_str_null(&domain);
    secure = NGX_HTTP_CONSENT_SECURE_AUTO;

    if (clcf->cookie_name.data) {
        name = clcf->cookie_name;

    } else if (http && http->cookie_name.data) {
        name = http->cookie_name;
    }

    if (clcf->cookie_domain.data) {
        domain = clcf->cookie_domain;

    } else if (http && http->cookie_domain.data) {
        domain = http->cookie_domain;
    }

    if (clcf->cookie_secure != NGX_CONF_UNSET_UINT) {
        secure = clcf->cookie_secure;

    } else if (http && http->cookie_secure != NGX_CONF_UNSET_UINT) {
        secure = http->cookie_secure;
    }

    prefix = consent_cookie_prefix((const char *) name.data, name.len);

    if (prefix == CONSENT_PREFIX_HOST && domain.len) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "cookie name \"%V\" cannot go with "
                           "\"consent_cookie_domain %V\": browsers refuse "
                           "a __Host- cookie with a Domain", &name, &domain);
        return NGX_CONF_ERROR;
    }

    if (prefix != CONSENT_PREFIX_NONE
        && secure == NGX_HTTP_CONSENT_SECURE_OFF)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "cookie name \"%V\" cannot go with "
                           "\"consent_cookie_secure off\": browsers refuse "
                           "a %s cookie without Secure", &name,
                           prefix == CONSENT_PREFIX_HOST ? "__Host-"
                                                         : "__Secure-");
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


static char *
ngx_http_consent_endpoint(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_consent_loc_conf_t *clcf = conf;

    ngx_http_core_loc_conf_t     *core;
    ngx_http_consent_srv_conf_t  *cscf;

    if (clcf->endpoint != NGX_CONF_UNSET) {
        return "is duplicate";
    }

    core = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);
    cscf = ngx_http_conf_get_module_srv_conf(cf, ngx_http_consent_module);

    if (core->named || core->regex || core->noname) {
        return "must be in a prefix or exact location, such as "
               "\"location /consent/\"";
    }

    if (cscf->endpoint.len) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "a server has one consent endpoint; it is "
                           "already at \"%V\"", &cscf->endpoint);
        return NGX_CONF_ERROR;
    }

    /* the banner and the filter find the endpoint here */
    cscf->endpoint = core->name;

    core->handler = ngx_http_consent_endpoint_handler;

    clcf->endpoint = 1;
    clcf->endpoint_file = cf->conf_file->file.name;
    clcf->endpoint_line = cf->conf_file->line;

    return NGX_CONF_OK;
}


static char *
ngx_http_consent_require(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_consent_loc_conf_t *clcf = conf;

    ngx_str_t   *value, *name;
    ngx_uint_t   i;

    if (clcf->require != NGX_CONF_UNSET_PTR) {
        return "is duplicate";
    }

    value = cf->args->elts;

    /* a nested location may lift what its enclosing one requires */

    if (cf->args->nelts == 2 && ngx_strcmp(value[1].data, "off") == 0) {
        clcf->require = NULL;
        return NGX_CONF_OK;
    }

    clcf->require = ngx_array_create(cf->pool, cf->args->nelts - 1,
                                     sizeof(ngx_str_t));
    if (clcf->require == NULL) {
        return NGX_CONF_ERROR;
    }

    for (i = 1; i < cf->args->nelts; i++) {
        name = ngx_array_push(clcf->require);
        if (name == NULL) {
            return NGX_CONF_ERROR;
        }

        *name = value[i];
    }

    clcf->require_file = cf->conf_file->file.name;
    clcf->require_line = cf->conf_file->line;

    return NGX_CONF_OK;
}


static char *
ngx_http_consent_require_status(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_consent_loc_conf_t *clcf = conf;

    ngx_int_t   n;
    ngx_str_t  *value;

    if (clcf->require_status != NGX_CONF_UNSET_UINT) {
        return "is duplicate";
    }

    value = cf->args->elts;

    n = ngx_atoi(value[1].data, value[1].len);

    /* 204 lets a collector drop hits silently */

    if (n != NGX_HTTP_NO_CONTENT && (n < 400 || n > 599)) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid status \"%V\": must be 204 or "
                           "between 400 and 599", &value[1]);
        return NGX_CONF_ERROR;
    }

    clcf->require_status = n;

    return NGX_CONF_OK;
}
