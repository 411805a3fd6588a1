
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * Shapes the adapter files repeat on purpose, as nginx's own modules
 * do, so that a reader of nginx finds them where they expect: the
 * prototypes of a file's functions at its top, one written-out entry
 * per directive in ngx_http_consent_commands, the module and context
 * tables, the create and merge functions of each configuration level,
 * a directive handler's "is duplicate" check and cf->args read, and a
 * phase handler's init through ngx_http_consent_phase_add().  What
 * reads or decides anything is written once: in the core, or as one of
 * the adapter's helpers declared below.
 */


#ifndef _NGX_HTTP_CONSENT_MODULE_H_INCLUDED_
#define _NGX_HTTP_CONSENT_MODULE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "consent_token.h"
#include "consent_policy.h"
#include "consent_request.h"
#include "consent_render.h"
#include "consent_record.h"
#include "consent_header.h"
#include "consent_match.h"
#include "consent_html.h"
#include "consent_assets.h"
#include "consent_etag.h"
#include "consent_inflate.h"
#include "consent_sniff.h"
#include "consent_cookie.h"
#include "consent_inventory.h"
#include "consent_handoff.h"
#include "consent_status.h"
#include "consent_regime.h"
#include "consent_tcf.h"
#include "consent_tcf_cmp.h"


#define NGX_HTTP_CONSENT_SECURE_OFF   0
#define NGX_HTTP_CONSENT_SECURE_ON    1
#define NGX_HTTP_CONSENT_SECURE_AUTO  2


/* an audit log destination: a file or a syslog server */
typedef struct {
    ngx_str_t                    name;
    ngx_open_file_t             *file;
    ngx_syslog_peer_t           *syslog;

    /* this worker's chain for the destination */
    consent_chain_t              chain;
    const consent_key_t         *key;         /* signed the last line */
    unsigned                     ended:1;     /* last line: a checkpoint */
    unsigned                     partial:1;   /* a line was cut short */

    /* consent_log's parameters */
    ngx_uint_t                   mode;        /* of the file; 0: unset */
    ngx_int_t                    required;    /* NGX_CONF_UNSET: default */
    unsigned                     udp:1;       /* syslog over UDP */

    /* best effort: failures not yet reported in the error log */
    ngx_uint_t                   lost;
    time_t                       lost_reported;

    ngx_socket_t                 fd;          /* syslog, this worker's */

    /* periodic checkpoints: after so many records, or so long */
    ngx_int_t                    ckpt_records;    /* 0: never */
    ngx_msec_int_t               ckpt_interval;   /* 0: never */
    ngx_uint_t                   unsealed;    /* records since the last */
    ngx_msec_t                   unsealed_since;
} ngx_http_consent_log_t;


/* consent_domains (ngx_http_consent_handoff.c) */
typedef struct {
    consent_domains_t            list;
    ngx_str_t                    shown;       /* "a.example, b.example" */
} ngx_http_consent_domains_t;


typedef struct {
    ngx_array_t                  keysets;     /* ngx_http_consent_loaded_t */
    ngx_array_t                  policies;
    ngx_array_t                  logs;        /* ngx_http_consent_log_t * */

    /* the cookie inventory (ngx_http_consent_inventory.c) */
    ngx_shm_zone_t              *inventory;
    ngx_uint_t                   inventory_used;
    ngx_str_t                    inventory_file;
    ngx_uint_t                   inventory_line;

    /* the hand-offs' replay cache (ngx_http_consent_handoff.c) */
    ngx_shm_zone_t              *handoff_zone;
    /* the counters (ngx_http_consent_status.c) */
    ngx_shm_zone_t              *status;
    ngx_uint_t                   status_used;
    ngx_str_t                    status_file;
    ngx_uint_t                   status_line;
} ngx_http_consent_main_conf_t;


/* a key file or policy loaded, in cmcf->keysets and cmcf->policies */
typedef struct {
    ngx_str_t                    path;
    void                        *data;
} ngx_http_consent_loaded_t;


typedef struct {
    ngx_str_t                    endpoint;    /* location of the endpoint */
} ngx_http_consent_srv_conf_t;


typedef struct {
    consent_keyset_t            *keys;
    consent_policy_t            *policy;

    ngx_str_t                    cookie_name;
    ngx_str_t                    cookie_domain;
    ngx_uint_t                   cookie_secure;

    ngx_flag_t                   endpoint;

    /* the HTML filter */
    ngx_flag_t                   enable;
    ngx_hash_t                   types;
    ngx_array_t                 *types_keys;
    size_t                       tag_max;
    off_t                        inflate_max;
    ngx_flag_t                   cache_private;
    ngx_flag_t                   manage_button;
    ngx_uint_t                   position;    /* consent_position_e */
    ngx_http_complex_value_t    *csp_nonce;

    /* the head snippet, and the banner in each language, per worker */
    consent_tpl_t               *head_tpl;
    consent_tpl_t              **tpls;
    ngx_uint_t                   ntpls;

    ngx_array_t                 *logs;        /* ngx_http_consent_log_t * */
    ngx_uint_t                   log_ip;

    ngx_array_t                 *require;     /* of ngx_str_t */
    uint32_t                     require_mask;
    ngx_uint_t                   require_status;

    /* where consent_endpoint and consent_require were, for nginx -t */
    ngx_str_t                    endpoint_file;
    ngx_uint_t                   endpoint_line;
    ngx_str_t                    require_file;
    ngx_uint_t                   require_line;

    /* cookies on the server (ngx_http_consent_cookies.c) */
    ngx_flag_t                   strip_cookies;
    ngx_flag_t                   expire_cookies;
    ngx_uint_t                   request_cookies;  /* 1: filter */
    ngx_int_t                    unknown_cookies;  /* CONSENT_COOKIE_PASS,
                                                      _STRIP or a category */
    ngx_str_t                    unknown_name;     /* as configured */
    ngx_str_t                    unknown_file;
    ngx_uint_t                   unknown_line;

    ngx_http_consent_domains_t  *domains;     /* consent_domains */
    /* consent_regime (ngx_http_consent_regime.c) */
    ngx_http_complex_value_t    *regime;
    ngx_str_t                    regime_file;
    ngx_uint_t                   regime_line;
    consent_tpl_t              **regime_tpls;  /* a regime's banner in each
                                                  language, per worker */
    /* consent_tcf (ngx_http_consent_tcf.c) */
    ngx_uint_t                   tcf;
    ngx_str_t                    tcf_file;
    ngx_uint_t                   tcf_line;
    void                        *tcf_gvl;     /* consent_tcf_gvl_t */
    ngx_str_t                    tcf_gvl_path;
    /* consent_tcf_cmp: the module is the CMP (consent_tcf cmp) */
    ngx_uint_t                   tcf_cmp_id;
    ngx_uint_t                   tcf_cmp_version;
    u_char                       tcf_cc[3];   /* publisher country */
    ngx_str_t                    tcf_cmp_file;
    ngx_uint_t                   tcf_cmp_line;
    /* consent_tcf_gvl_translations (ngx_http_consent_tcf_ui.c) */
    void                        *tcf_i18n;    /* consent_tcf_i18n_t */
} ngx_http_consent_loc_conf_t;


typedef struct {
    consent_view_t               view;
    consent_policy_t            *policy;      /* the view was made for it */

    /* the HTML filter of this request */
    ngx_http_consent_loc_conf_t *conf;
    ngx_http_request_t          *request;
    consent_html_t              *html;
    consent_inflate_t           *inflate;
    ngx_chain_t                 *out;
    ngx_chain_t                **last_out;
    ngx_chain_t                 *busy;
    ngx_chain_t                 *free;
    ngx_chain_t                 *free_own;    /* with memory of their own */
    ngx_chain_t                 *zbufs;       /* inflated page, in pieces */
    ngx_chain_t                 *zin;         /* compressed, waiting */
    ngx_buf_t                   *last_made;
    ngx_event_t                 *hold;        /* sends what is held back */

    /* the visitor's language, for the variant and the banner */
    const char                  *lang;
    consent_policy_t            *lang_policy;

    /* the first bytes, while the filter cannot tell how to read them */
    u_char                      *prefix;
    size_t                       nprefix;

    /* consent_tcf bridge: the visitor's TC string, if usable */
    consent_tcf_t               *tcf;
    /* the TCF cookies as sent, decoded once (ngx_http_consent_tcf.c) */
    struct ngx_http_consent_tcf_in_s  *tcf_in;

    unsigned                     resolved:1;
    unsigned                     done:1;      /* passing buffers on as is */
    unsigned                     refused:1;
    unsigned                     all_granted:1;
    unsigned                     sniff:1;     /* no usable Content-Type */
    unsigned                     first:1;     /* the body's start to see */
    unsigned                     escapes:1;   /* look for ISO-2022 ones */
} ngx_http_consent_ctx_t;


/* what outlives internal redirects (ngx_http_consent_precond.c) */
typedef struct {
    ngx_http_consent_loc_conf_t *clcf;        /* first "consent on" seen */
    uint64_t                     variant;
    ngx_table_elt_t             *ae;          /* Accept-Encoding */
    ngx_str_t                    ae_value;    /* as the browser sent it */
    unsigned                     cond_done:1;
    unsigned                     cond_matched:1;

    /* ngx_http_consent_cookies.c: the Cookie headers as sent, if changed */
    ngx_array_t                 *cookies_sent;  /* of ngx_str_t */
    ngx_uint_t                   cookies_stripped;
    ngx_uint_t                   cookies_expired;
    ngx_uint_t                   cookies_filtered;
    unsigned                     cookies_done:1;  /* response headers */
} ngx_http_consent_req_t;


extern ngx_module_t  ngx_http_consent_module;


/* ngx_http_consent_state.c: the visitor's consent, once per request */
consent_view_t *ngx_http_consent_view(ngx_http_request_t *r);
ngx_int_t ngx_http_consent_set_view(ngx_http_request_t *r,
    consent_view_t *view);

ngx_int_t ngx_http_consent_send_memory(ngx_http_request_t *r, u_char *p,
    size_t len);
ngx_int_t ngx_http_consent_send(ngx_http_request_t *r, ngx_uint_t status,
    ngx_str_t *type, u_char *data, size_t len);
ngx_int_t ngx_http_consent_send_malloced(ngx_http_request_t *r,
    ngx_uint_t status, ngx_str_t *type, char *data, size_t len);
ngx_int_t ngx_http_consent_phase_add(ngx_conf_t *cf, ngx_uint_t phase,
    ngx_http_handler_pt handler);
ngx_int_t ngx_http_consent_get_only(ngx_http_request_t *r);
ngx_int_t ngx_http_consent_conf_owns(ngx_conf_t *cf,
    ngx_pool_cleanup_pt handler, void *data);
u_char *ngx_http_consent_scheme(ngx_http_request_t *r, u_char *p);
u_char *ngx_http_consent_nonce_attr(u_char *p, ngx_str_t *nonce);
u_char *ngx_http_consent_script_src(u_char *p, consent_render_conf_t *rc,
    const char *name, ngx_str_t *nonce);
size_t ngx_http_consent_script_src_len(consent_render_conf_t *rc,
    const char *name, ngx_str_t *nonce);
ngx_table_elt_t *ngx_http_consent_header_find(ngx_list_t *list,
    const char *name, size_t len);

/* where a walk over a list of headers is (ngx_http_consent_walk_next) */
typedef struct {
    ngx_list_part_t             *part;
    ngx_uint_t                   i;
} ngx_http_consent_walk_t;

#define ngx_http_consent_walk_init(w, list)                                  \
    ((w)->part = &(list)->part, (w)->i = 0)

ngx_table_elt_t *ngx_http_consent_walk_next(ngx_http_consent_walk_t *w,
    const char *name, size_t len);

/* where a walk over the request's Cookie headers is */
typedef struct {
    ngx_table_elt_t             *next;
    ngx_uint_t                   i;
} ngx_http_consent_cookie_iter_t;

#define ngx_http_consent_cookie_iter_init(it)                                \
    ((it)->next = NULL, (it)->i = 0)

ngx_table_elt_t *ngx_http_consent_cookie_header(ngx_http_request_t *r,
    ngx_http_consent_cookie_iter_t *it);
ngx_int_t ngx_http_consent_cookie_in(ngx_http_request_t *r,
    const char *name, size_t nlen, ngx_str_t *value);

#define ngx_http_consent_header_in_str(r, name)                              \
    ngx_http_consent_header_find(&(r)->headers_in.headers, name,             \
                                 sizeof(name) - 1)

ngx_int_t ngx_http_consent_gpc(ngx_http_request_t *r);
typedef ngx_uint_t (*ngx_http_consent_drop_pt)(ngx_table_elt_t *h,
    void *data);

ngx_int_t ngx_http_consent_headers_in_drop(ngx_http_request_t *r,
    ngx_http_consent_drop_pt drop, void *data);
ngx_table_elt_t *ngx_http_consent_cache_control_header(
    ngx_http_request_t *r);

#define NGX_HTTP_CONSENT_CC_PRIVATE   0x01  /* no shared cache keeps it */
#define NGX_HTTP_CONSENT_CC_NO_CACHE  0x02  /* a page: revalidated */

ngx_int_t ngx_http_consent_cache_control_set(ngx_http_request_t *r,
    ngx_uint_t how);

/* ngx_http_consent_filter.c */
ngx_int_t ngx_http_consent_filter_init(ngx_conf_t *cf);
ngx_int_t ngx_http_consent_variant(ngx_http_request_t *r,
    ngx_http_consent_loc_conf_t *clcf, uint64_t *fp);

/* ngx_http_consent_precond.c */
ngx_int_t ngx_http_consent_precond_init(ngx_conf_t *cf);
ngx_http_consent_req_t *ngx_http_consent_req(ngx_http_request_t *r,
    ngx_uint_t create);
void ngx_http_consent_restore_encoding(ngx_http_request_t *r,
    ngx_http_consent_req_t *req);

/* ngx_http_consent_endpoint.c */
ngx_int_t ngx_http_consent_endpoint_handler(ngx_http_request_t *r);

/* a response header added; NULL when out of memory */
ngx_table_elt_t *ngx_http_consent_header_out(ngx_http_request_t *r,
    const char *key, size_t key_len, u_char *value, size_t value_len);

#define ngx_http_consent_header_out_str(r, key, value)                       \
    ngx_http_consent_header_out(r, key, sizeof(key) - 1,                     \
                                (u_char *) value, sizeof(value) - 1)

/* ngx_http_consent_assets.c: NGX_DECLINED if name is no asset */
ngx_int_t ngx_http_consent_asset_handler(ngx_http_request_t *r,
    u_char *name, size_t len);

/* ngx_http_consent_require.c */
ngx_int_t ngx_http_consent_require_init(ngx_conf_t *cf);

/* ngx_http_consent_log.c */
char *ngx_http_consent_log_directive(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
ngx_int_t ngx_http_consent_log_init(ngx_conf_t *cf);
ngx_int_t ngx_http_consent_log_init_process(ngx_cycle_t *cycle);
void ngx_http_consent_log_exit_process(ngx_cycle_t *cycle);
ngx_int_t ngx_http_consent_log_decision(ngx_http_request_t *r,
    consent_record_t *rec);
void ngx_http_consent_record_init(ngx_http_request_t *r,
    ngx_http_consent_loc_conf_t *clcf, consent_record_t *rec, char *id,
    char *ip);
void ngx_http_consent_log_unknown_key(ngx_http_request_t *r,
    consent_keyset_t *ks, const char *value, size_t len);

/* cookies signed with a key id this worker does not know, since it began */
extern ngx_atomic_uint_t  ngx_http_consent_unknown_keys;

/* records a best-effort destination lost, in this worker, since it began */
extern ngx_atomic_uint_t  ngx_http_consent_records_lost;

/* ngx_http_consent_cookies.c */
ngx_int_t ngx_http_consent_cookies_init(ngx_conf_t *cf);
ngx_int_t ngx_http_consent_cookies_header(ngx_http_request_t *r,
    ngx_http_consent_loc_conf_t *clcf);
ngx_int_t ngx_http_consent_cookies_expire(ngx_http_request_t *r,
    ngx_http_consent_loc_conf_t *clcf, uint32_t granted);
ngx_uint_t ngx_http_consent_cookies_ours(ngx_http_consent_loc_conf_t *clcf,
    const char *name, size_t len);

/* ngx_http_consent_inventory.c */
char *ngx_http_consent_inventory_zone(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_consent_inventory(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
void ngx_http_consent_inventory_record(ngx_http_request_t *r,
    ngx_http_consent_loc_conf_t *clcf, uint32_t granted, ngx_array_t *sent);
ngx_int_t ngx_http_consent_inventory_hosts(ngx_http_request_t *r,
    ngx_http_consent_loc_conf_t *clcf, consent_html_conf_t *hc);

/* ngx_http_consent_handoff.c: one choice across a site's domains */
char *ngx_http_consent_domains(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
ngx_int_t ngx_http_consent_handoff_receive(ngx_http_request_t *r,
    ngx_http_consent_loc_conf_t *clcf, ngx_str_t *token);
ngx_int_t ngx_http_consent_handoff_start(ngx_http_request_t *r,
    ngx_http_consent_loc_conf_t *clcf, consent_token_t *tok,
    const char *ret, size_t ret_len, ngx_str_t *url);

/* ngx_http_consent_endpoint.c, for the hand-off */
ngx_int_t ngx_http_consent_set_cookie(ngx_http_request_t *r,
    ngx_http_consent_loc_conf_t *clcf, consent_token_t *tok);
ngx_int_t ngx_http_consent_cross_site(ngx_http_request_t *r);
ngx_int_t ngx_http_consent_cookie_out(ngx_http_request_t *r,
    ngx_http_consent_loc_conf_t *clcf, ngx_str_t *name, u_char *value,
    size_t len, int64_t max_age, ngx_uint_t httponly);
ngx_int_t ngx_http_consent_send_error(ngx_http_request_t *r,
    ngx_uint_t status, const char *message);
ngx_int_t ngx_http_consent_send_redirect(ngx_http_request_t *r,
    u_char *location, size_t len);
ngx_uint_t ngx_http_consent_goes_on(consent_view_t *view);

/* ngx_http_consent_status.c: the counters, summed across workers */
char *ngx_http_consent_status_zone(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_consent_status(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
ngx_int_t ngx_http_consent_status_init(ngx_conf_t *cf);
char *ngx_http_consent_zone_add(ngx_conf_t *cf, ngx_command_t *cmd,
    const char *name, ngx_shm_zone_t **zone, ngx_shm_zone_init_pt init,
    void *data, ssize_t *size);
char *ngx_http_consent_zone_location(ngx_conf_t *cf,
    ngx_http_handler_pt handler, ngx_uint_t *used, ngx_str_t *file,
    ngx_uint_t *line);
ngx_int_t ngx_http_consent_zone_check(ngx_conf_t *cf, const char *directive,
    ngx_uint_t used, ngx_shm_zone_t *zone, ngx_str_t *file, ngx_uint_t line);
void ngx_http_consent_stat(ngx_uint_t metric, ngx_uint_t label);
void ngx_http_consent_stat_add(ngx_uint_t metric, ngx_uint_t i, ngx_uint_t j,
    ngx_uint_t n);
void ngx_http_consent_stat_lang(ngx_uint_t metric, const char *lang);
void ngx_http_consent_stat_page(ngx_http_request_t *r,
    ngx_http_consent_ctx_t *ctx);
void ngx_http_consent_stat_choice(ngx_http_request_t *r, ngx_uint_t action,
    uint32_t granted);
void ngx_http_consent_stat_log(ngx_http_consent_log_t *log);

/* ngx_http_consent_regime.c */
char *ngx_http_consent_regime_directive(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_consent_regime_merge(ngx_conf_t *cf,
    ngx_http_consent_loc_conf_t *prev, ngx_http_consent_loc_conf_t *conf);
ngx_int_t ngx_http_consent_regime_add_variables(ngx_conf_t *cf);
void ngx_http_consent_regime_apply(ngx_http_request_t *r,
    ngx_http_consent_loc_conf_t *clcf, consent_view_t *view);
ngx_int_t ngx_http_consent_regime_header(ngx_http_request_t *r,
    ngx_http_consent_loc_conf_t *clcf, consent_view_t *view);
ngx_int_t ngx_http_consent_regime_banner(ngx_http_request_t *r,
    ngx_http_consent_loc_conf_t *clcf, consent_view_t *view,
    consent_render_conf_t *rc, consent_tpl_vars_t *vars, const char *lang,
    ngx_str_t *out);
ngx_int_t ngx_http_consent_regime_head(ngx_http_request_t *r,
    ngx_http_consent_loc_conf_t *clcf, consent_view_t *view,
    consent_render_conf_t *rc, ngx_str_t *nonce, ngx_str_t *head);
ngx_int_t ngx_http_consent_head_json(ngx_http_request_t *r,
    consent_render_conf_t *rc, ngx_str_t *nonce, ngx_str_t *head,
    ngx_str_t *attrs, const char *json, size_t len, const char *script);
uint32_t ngx_http_consent_regime_choice(ngx_http_request_t *r,
    ngx_http_consent_loc_conf_t *clcf, uint32_t chosen, consent_token_t *tok);
const char *ngx_http_consent_regime_name(ngx_http_request_t *r);
ngx_uint_t ngx_http_consent_regime_gpc_shown(ngx_http_request_t *r,
    consent_view_t *view);
ngx_uint_t ngx_http_consent_regime_off(consent_view_t *view);

/* ngx_http_consent_variables.c */
ngx_int_t ngx_http_consent_add_variables(ngx_conf_t *cf);
ngx_int_t ngx_http_consent_vars_add(ngx_conf_t *cf,
    ngx_http_variable_t *vars);
void ngx_http_consent_variable_set(ngx_http_variable_value_t *v,
    u_char *data, size_t len);
consent_view_t *ngx_http_consent_variable_view(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, consent_policy_t **policy);
void ngx_http_consent_variable_suffix(uintptr_t data, const char *prefix,
    ngx_str_t *suffix);

/* consent_tcf (ngx_http_consent_tcf.c) */
#define NGX_HTTP_CONSENT_TCF_OFF     0
#define NGX_HTTP_CONSENT_TCF_BRIDGE  1
#define NGX_HTTP_CONSENT_TCF_CMP     2

char *ngx_http_consent_tcf(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
char *ngx_http_consent_tcf_merge(ngx_conf_t *cf,
    ngx_http_consent_loc_conf_t *conf, ngx_http_consent_loc_conf_t *prev);
ngx_int_t ngx_http_consent_tcf_add_variables(ngx_conf_t *cf);
char *ngx_http_consent_tcf_record(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_consent_tcf_gvl(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
typedef void *(*ngx_http_consent_tcf_load_pt)(const char *path, char *err,
    size_t errlen);
void *ngx_http_consent_tcf_load(ngx_conf_t *cf, ngx_command_t *cmd,
    ngx_str_t *path, ngx_http_consent_tcf_load_pt load,
    ngx_pool_cleanup_pt cleanup, ngx_uint_t named);
char *ngx_http_consent_tcf_cmp(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
consent_view_t *ngx_http_consent_tcf_view(ngx_http_request_t *r,
    ngx_http_consent_ctx_t *ctx, ngx_http_consent_loc_conf_t *clcf);

/* consent_tcf cmp: what a choice writes (ngx_http_consent_tcf.c) */
typedef struct {
    ngx_str_t                    tc;          /* "": withdrawn */
    ngx_str_t                    ac;          /* "": no Google ATPs */
    char                         sha256[65];  /* of tc, hex */
    consent_tcf_state_t         *state;
} ngx_http_consent_tcf_out_t;

#define ngx_http_consent_body_max(clcf)                                      \
    ((clcf)->tcf == NGX_HTTP_CONSENT_TCF_CMP ? CONSENT_TCF_BODY_MAX          \
                                             : CONSENT_BODY_MAX)

ngx_int_t ngx_http_consent_tcf_cmp_view(ngx_http_request_t *r,
    ngx_http_consent_ctx_t *ctx, ngx_http_consent_loc_conf_t *clcf);
ngx_int_t ngx_http_consent_tcf_check(ngx_http_request_t *r,
    ngx_http_consent_loc_conf_t *clcf, consent_choice_t *choice, char *err,
    size_t errlen);
ngx_http_consent_tcf_out_t *ngx_http_consent_tcf_choose(
    ngx_http_request_t *r, ngx_http_consent_loc_conf_t *clcf,
    consent_choice_t *choice, uint32_t *granted);
ngx_int_t ngx_http_consent_tcf_cookies(ngx_http_request_t *r,
    ngx_http_consent_loc_conf_t *clcf, ngx_http_consent_tcf_out_t *out);
ngx_int_t ngx_http_consent_tcf_head(ngx_http_request_t *r,
    ngx_http_consent_loc_conf_t *clcf, consent_view_t *view,
    consent_render_conf_t *rc, ngx_str_t *nonce, ngx_str_t *head,
    consent_html_conf_t *hc);

/* the TCF's first and second layer (ngx_http_consent_tcf_ui.c) */
char *ngx_http_consent_tcf_translations(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
void ngx_http_consent_tcf_ui_merge(ngx_http_consent_loc_conf_t *conf,
    ngx_http_consent_loc_conf_t *prev);
ngx_int_t ngx_http_consent_tcf_ui_banner(ngx_http_request_t *r,
    ngx_http_consent_loc_conf_t *clcf, const char *lang,
    consent_render_conf_t *rc);
ngx_int_t ngx_http_consent_tcf_ui_page(ngx_http_request_t *r,
    ngx_http_consent_loc_conf_t *clcf, consent_view_t *view,
    const char *lang, const char *ret, size_t ret_len, char **out,
    size_t *len);


#endif /* _NGX_HTTP_CONSENT_MODULE_H_INCLUDED_ */
