
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * $consent_state, $consent_id, $consent_categories and the prefix
 * variable $consent_granted_<category>; $consent_cookies_stripped,
 * $consent_cookies_expired and $consent_cookies_filtered.
 */


#include "ngx_http_consent_module.h"


static ngx_int_t ngx_http_consent_state_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data);
static ngx_int_t ngx_http_consent_id_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data);
static ngx_int_t ngx_http_consent_categories_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data);
static ngx_int_t ngx_http_consent_granted_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data);
static ngx_int_t ngx_http_consent_cookies_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data);


#define NGX_HTTP_CONSENT_GRANTED_PREFIX  "consent_granted_"


static ngx_http_variable_t  ngx_http_consent_vars[] = {

    { ngx_string("consent_state"), NULL, ngx_http_consent_state_variable,
      0, NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("consent_id"), NULL, ngx_http_consent_id_variable,
      0, NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("consent_categories"), NULL,
      ngx_http_consent_categories_variable,
      0, NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string(NGX_HTTP_CONSENT_GRANTED_PREFIX), NULL,
      ngx_http_consent_granted_variable,
      0, NGX_HTTP_VAR_NOCACHEABLE|NGX_HTTP_VAR_PREFIX, 0 },

    { ngx_string("consent_cookies_stripped"), NULL,
      ngx_http_consent_cookies_variable,
      offsetof(ngx_http_consent_req_t, cookies_stripped),
      NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("consent_cookies_expired"), NULL,
      ngx_http_consent_cookies_variable,
      offsetof(ngx_http_consent_req_t, cookies_expired),
      NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("consent_cookies_filtered"), NULL,
      ngx_http_consent_cookies_variable,
      offsetof(ngx_http_consent_req_t, cookies_filtered),
      NGX_HTTP_VAR_NOCACHEABLE, 0 },

      ngx_http_null_variable
};


ngx_int_t
ngx_http_consent_add_variables(ngx_conf_t *cf)
{
    return ngx_http_consent_vars_add(cf, ngx_http_consent_vars);
}


/* a table of variables ended by ngx_http_null_variable, added */

ngx_int_t
ngx_http_consent_vars_add(ngx_conf_t *cf, ngx_http_variable_t *vars)
{
    ngx_http_variable_t  *var, *v;

    for (v = vars; v->name.len; v++) {
        var = ngx_http_add_variable(cf, &v->name, v->flags);
        if (var == NULL) {
            return NGX_ERROR;
        }

        var->get_handler = v->get_handler;
        var->data = v->data;
    }

    return NGX_OK;
}


/*
 * A variable's value, for every get_handler of the module's variables
 * (here, ngx_http_consent_regime.c, ngx_http_consent_tcf.c).
 * no_cacheable stays 0 as in nginx's own handlers: each variable is
 * added with NGX_HTTP_VAR_NOCACHEABLE, by which nginx marks the value.
 * What the handlers still have alike (nginx's get_handler signature, the
 * three lines that read the view) is left written out in each.
 */

void
ngx_http_consent_variable_set(ngx_http_variable_value_t *v, u_char *data,
    size_t len)
{
    v->len = len;
    v->valid = 1;
    v->no_cacheable = 0;
    v->not_found = 0;
    v->data = data;
}


/*
 * The visitor's consent, or NULL with the variable not found; and, if
 * policy is not NULL, the policy it was read with
 */

consent_view_t *
ngx_http_consent_variable_view(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, consent_policy_t **policy)
{
    consent_view_t               *view;
    ngx_http_consent_loc_conf_t  *clcf;

    view = ngx_http_consent_view(r);

    if (view == NULL) {
        v->not_found = 1;
        return NULL;
    }

    if (policy) {
        clcf = ngx_http_get_module_loc_conf(r, ngx_http_consent_module);
        *policy = clcf->policy;
    }

    return view;
}


/* what follows the prefix in a prefix variable's name (its data) */

void
ngx_http_consent_variable_suffix(uintptr_t data, const char *prefix,
    ngx_str_t *suffix)
{
    ngx_str_t *name = (ngx_str_t *) data;

    size_t  len;

    len = ngx_strlen(prefix);

    suffix->data = name->data + len;
    suffix->len = name->len - len;
}


static ngx_int_t
ngx_http_consent_state_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    const char      *name;
    consent_view_t  *view;

    view = ngx_http_consent_variable_view(r, v, NULL);
    if (view == NULL) {
        return NGX_OK;
    }

    name = consent_state_name(view->state);
    ngx_http_consent_variable_set(v, (u_char *) name, ngx_strlen(name));

    return NGX_OK;
}


static ngx_int_t
ngx_http_consent_id_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    u_char          *p;
    consent_view_t  *view;

    view = ngx_http_consent_view(r);

    if (view == NULL || view->state == CONSENT_STATE_ABSENT
        || view->state == CONSENT_STATE_INVALID)
    {
        v->not_found = 1;
        return NGX_OK;
    }

    p = ngx_pnalloc(r->pool, CONSENT_ID_B64_LEN + 1);
    if (p == NULL) {
        return NGX_ERROR;
    }

    consent_id_format(view->token.id, (char *) p);
    ngx_http_consent_variable_set(v, p, CONSENT_ID_B64_LEN);

    return NGX_OK;
}


static ngx_int_t
ngx_http_consent_categories_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    u_char                       *p, *start;
    size_t                        len;
    ngx_uint_t                    i;
    consent_view_t               *view;
    consent_policy_t             *policy;

    view = ngx_http_consent_variable_view(r, v, &policy);
    if (view == NULL) {
        return NGX_OK;
    }

    len = 0;

    for (i = 0; i < policy->ncategories; i++) {
        if (view->granted & ((uint32_t) 1 << i)) {
            len += policy->categories[i].id_len + 1;
        }
    }

    start = ngx_pnalloc(r->pool, len ? len : 1);
    if (start == NULL) {
        return NGX_ERROR;
    }

    p = start;

    for (i = 0; i < policy->ncategories; i++) {
        if (view->granted & ((uint32_t) 1 << i)) {
            if (p != start) {
                *p++ = ',';
            }

            p = ngx_cpymem(p, policy->categories[i].id,
                           policy->categories[i].id_len);
        }
    }

    ngx_http_consent_variable_set(v, start, p - start);

    return NGX_OK;
}


static ngx_int_t
ngx_http_consent_granted_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    int                cat;
    ngx_str_t          category;
    consent_view_t    *view;
    consent_policy_t  *policy;

    view = ngx_http_consent_variable_view(r, v, &policy);
    if (view == NULL) {
        return NGX_OK;
    }

    ngx_http_consent_variable_suffix(data, NGX_HTTP_CONSENT_GRANTED_PREFIX,
                                     &category);

    cat = consent_policy_category(policy, (const char *) category.data,
                                  category.len);

    if (cat < 0) {
        v->not_found = 1;
        return NGX_OK;
    }

    if (view->granted & ((uint32_t) 1 << cat)) {
        ngx_http_consent_variable_set(v, (u_char *) "1", 1);

    } else {
        ngx_http_consent_variable_set(v, (u_char *) "0", 1);
    }

    return NGX_OK;
}


/* how many cookies this request's response and headers lost so far */

static ngx_int_t
ngx_http_consent_cookies_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    u_char                  *p;
    ngx_uint_t               n;
    ngx_http_consent_req_t  *req;

    req = ngx_http_consent_req(r, 0);
    n = req ? *(ngx_uint_t *) ((u_char *) req + data) : 0;

    p = ngx_pnalloc(r->pool, NGX_INT_T_LEN);
    if (p == NULL) {
        return NGX_ERROR;
    }

    ngx_http_consent_variable_set(v, p, ngx_sprintf(p, "%ui", n) - p);

    return NGX_OK;
}
