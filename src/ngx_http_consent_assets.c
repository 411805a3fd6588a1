
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * The banner's script and stylesheet, served by the consent endpoint
 * (ENDPOINT/banner.js, ENDPOINT/banner.css) from the copies embedded in
 * the module: same origin, so a strict Content-Security-Policy allows
 * them; cached for a year when asked for by version (the "?v=" the head
 * snippet puts in the URL), revalidated by ETag otherwise.
 */


#include "ngx_http_consent_module.h"


ngx_int_t
ngx_http_consent_asset_handler(ngx_http_request_t *r, u_char *name,
    size_t len)
{
    size_t                  vlen;
    ngx_int_t               rc, gzip;
    ngx_str_t               v;
    ngx_table_elt_t        *h;
    const consent_asset_t  *a;

    a = consent_asset_find((const char *) name, len);
    if (a == NULL) {
        return NGX_DECLINED;
    }

    rc = ngx_http_consent_get_only(r);
    if (rc != NGX_OK) {
        return rc;
    }

    /* the URL the head snippet gives names this very version */

    vlen = ngx_strlen(consent_assets_version);

    if (ngx_http_arg(r, (u_char *) "v", 1, &v) == NGX_OK
        && v.len == vlen
        && ngx_strncmp(v.data, consent_assets_version, vlen) == 0)
    {
        h = ngx_http_consent_header_out_str(r, "Cache-Control",
                                       "public, max-age=31536000, immutable");

    } else {
        h = ngx_http_consent_header_out_str(r, "Cache-Control", "no-cache");
    }

    if (h == NULL
        || ngx_http_consent_header_out_str(r, "X-Content-Type-Options",
                                           "nosniff")
           == NULL
        || ngx_http_consent_header_out_str(r, "Vary", "Accept-Encoding")
           == NULL)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    h = ngx_http_consent_header_out(r, "ETag", sizeof("ETag") - 1,
                                    (u_char *) a->etag, ngx_strlen(a->etag));
    if (h == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    r->headers_out.etag = h;

    h = ngx_http_consent_header_in_str(r, "Accept-Encoding");
    gzip = h != NULL
           && consent_accept_gzip((const char *) h->value.data,
                                  h->value.len);

    if (gzip) {
        h = ngx_http_consent_header_out_str(r, "Content-Encoding", "gzip");
        if (h == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        r->headers_out.content_encoding = h;
    }

    r->headers_out.status = NGX_HTTP_OK;
    r->headers_out.content_length_n = gzip ? a->gz_len : a->len;
    r->headers_out.content_type.data = (u_char *) a->type;
    r->headers_out.content_type.len = ngx_strlen(a->type);
    r->headers_out.content_type_len = r->headers_out.content_type.len;

    /* nginx's not-modified filter answers If-None-Match from the ETag */

    return ngx_http_consent_send_memory(r,
                                        (u_char *) (gzip ? a->gz : a->data),
                                        gzip ? a->gz_len : a->len);
}
