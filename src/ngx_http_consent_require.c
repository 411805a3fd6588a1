
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * consent_require: a location answers only visitors who granted the
 * named categories (first-party collectors, server-side tagging).
 */


#include "ngx_http_consent_module.h"


static ngx_int_t ngx_http_consent_require_handler(ngx_http_request_t *r);


ngx_int_t
ngx_http_consent_require_init(ngx_conf_t *cf)
{
    /*
     * the rewrite phase: a handler of a module loaded after the rewrite
     * module runs before its "return" in the same location, and no
     * "satisfy any" of the access phase can let the request through
     */

    return ngx_http_consent_phase_add(cf, NGX_HTTP_REWRITE_PHASE,
                                      ngx_http_consent_require_handler);
}


static ngx_int_t
ngx_http_consent_require_handler(ngx_http_request_t *r)
{
    consent_view_t               *view;
    ngx_http_consent_loc_conf_t  *clcf;

    clcf = ngx_http_get_module_loc_conf(r, ngx_http_consent_module);

    if (clcf->require_mask == 0) {
        return NGX_DECLINED;
    }

    view = ngx_http_consent_view(r);

    if (view == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (view->state == CONSENT_STATE_VALID
        && (view->granted & clcf->require_mask) == clcf->require_mask)
    {
        return NGX_DECLINED;
    }

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "consent_require: not granted, state %s",
                   consent_state_name(view->state));

    return clcf->require_status;
}
