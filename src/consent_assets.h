
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * The banner's script and stylesheet, embedded in the module (see
 * auto/embed, which writes consent_assets.c from src/assets/).
 */


#ifndef _CONSENT_ASSETS_H_INCLUDED_
#define _CONSENT_ASSETS_H_INCLUDED_


#include <stddef.h>


typedef struct {
    const char           *name;       /* "banner.js" */
    const char           *type;       /* Content-Type */
    const unsigned char  *data;
    size_t                len;
    const unsigned char  *gz;         /* the same, gzip-compressed */
    size_t                gz_len;
    const char           *etag;       /* quoted: "\"0123abcd...\"" */
} consent_asset_t;


/* every asset, ended by one whose name is NULL */
extern const consent_asset_t  consent_assets[];

/* 16 hex digits that change whenever any asset does: the "?v=" */
extern const char  consent_assets_version[];

const consent_asset_t *consent_asset_find(const char *name, size_t len);


#endif /* _CONSENT_ASSETS_H_INCLUDED_ */
