
/*
 * Copyright (C) ngx_http_consent_module authors
 */


#include <string.h>

#include "consent_etag.h"


static uint64_t consent_fnv(uint64_t h, const void *data, size_t len);
static int consent_etag_fp(const char *opaque, size_t len, uint64_t *fp);


static const char  consent_hex[] = "0123456789abcdef";


static uint64_t
consent_fnv(uint64_t h, const void *data, size_t len)
{
    size_t                i;
    const unsigned char  *p;

    p = data;

    for (i = 0; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }

    return h;
}


uint64_t
consent_variant_hash(const consent_variant_t *v)
{
    uint64_t       h;
    unsigned char  b[16];

    h = 0xcbf29ce484222325ULL;

    if (v->policy_sha256) {
        h = consent_fnv(h, v->policy_sha256, 32);
    }

    memcpy(b, &v->revision, 4);
    memcpy(b + 4, &v->state, 4);
    memcpy(b + 8, &v->granted, 4);
    memcpy(b + 12, &v->flags, 4);
    h = consent_fnv(h, b, 16);

    /* each string ends with a NUL so that two fields cannot run together */

    if (v->lang) {
        h = consent_fnv(h, v->lang, strlen(v->lang));
    }

    h = consent_fnv(h, "", 1);

    if (v->endpoint) {
        h = consent_fnv(h, v->endpoint, v->endpoint_len);
    }

    h = consent_fnv(h, "", 1);

    if (v->assets_version) {
        h = consent_fnv(h, v->assets_version, strlen(v->assets_version));
    }

    return h;
}


size_t
consent_etag_mark(const char *etag, size_t len, uint64_t fp, char *out)
{
    int     i;
    char   *p;
    size_t  k;

    if (len >= 2 && etag[0] == 'W' && etag[1] == '/') {
        etag += 2;
        len -= 2;
    }

    if (len >= 2 && etag[0] == '"' && etag[len - 1] == '"') {
        etag++;
        len -= 2;
    }

    p = out;
    *p++ = 'W';
    *p++ = '/';
    *p++ = '"';

    /* only what an entity tag may hold */

    for (k = 0; k < len; k++) {
        if ((unsigned char) etag[k] > 0x20 && etag[k] != '"'
            && etag[k] != 0x7f)
        {
            *p++ = etag[k];
        }
    }

    *p++ = ';';
    *p++ = 'c';
    *p++ = '=';

    for (i = 15; i >= 0; i--) {
        *p++ = consent_hex[(fp >> (i * 4)) & 0xf];
    }

    *p++ = '"';

    return p - out;
}


/* 1 and *fp if an opaque tag ends with our mark */

static int
consent_etag_fp(const char *opaque, size_t len, uint64_t *fp)
{
    size_t       i;
    uint64_t     v;
    const char  *m;

    if (len < CONSENT_ETAG_MARK_LEN) {
        return 0;
    }

    m = opaque + len - CONSENT_ETAG_MARK_LEN;

    if (m[0] != ';' || m[1] != 'c' || m[2] != '=') {
        return 0;
    }

    v = 0;

    for (i = 3; i < CONSENT_ETAG_MARK_LEN; i++) {
        if (m[i] >= '0' && m[i] <= '9') {
            v = (v << 4) | (uint64_t) (m[i] - '0');

        } else if (m[i] >= 'a' && m[i] <= 'f') {
            v = (v << 4) | (uint64_t) (m[i] - 'a' + 10);

        } else {
            return 0;
        }
    }

    *fp = v;

    return 1;
}


int
consent_inm_rewrite(const char *value, size_t len, uint64_t fp,
    int keep_unmarked, char *out, size_t *out_len, int *matched)
{
    int          kept;
    char        *o;
    size_t       n;
    uint64_t     tag_fp;
    const char  *p, *end, *tag, *opaque;

    p = value;
    end = value + len;
    o = out;
    kept = 0;
    *matched = 0;

    while (p < end) {

        while (p < end && (*p == ' ' || *p == '\t' || *p == ',')) {
            p++;
        }

        if (p == end) {
            break;
        }

        tag = p;

        if (*p == '*') {
            p++;
            opaque = NULL;
            n = 0;

        } else {
            if (end - p >= 2 && p[0] == 'W' && p[1] == '/') {
                p += 2;
            }

            if (p < end && *p == '"') {
                opaque = ++p;

                while (p < end && *p != '"') {
                    p++;
                }

                n = p - opaque;

                if (p < end) {
                    p++;
                }

            } else {
                /* not an entity tag: up to the next comma */
                opaque = p;

                while (p < end && *p != ',') {
                    p++;
                }

                n = p - opaque;
            }
        }

        if (opaque && consent_etag_fp(opaque, n, &tag_fp)) {

            if (tag_fp != fp) {
                continue;
            }

            /* the page's own tag, for a weak and for a strong comparison */

            n -= CONSENT_ETAG_MARK_LEN;

            if (o != out) {
                *o++ = ',';
                *o++ = ' ';
            }

            *o++ = '"';
            memcpy(o, opaque, n);
            o += n;
            memcpy(o, "\", W/\"", 6);
            o += 6;
            memcpy(o, opaque, n);
            o += n;
            *o++ = '"';

            kept++;
            *matched = 1;
            continue;
        }

        if (!keep_unmarked || opaque == NULL) {
            continue;
        }

        if (o != out) {
            *o++ = ',';
            *o++ = ' ';
        }

        memcpy(o, tag, p - tag);
        o += p - tag;
        kept++;
    }

    *out_len = o - out;

    return kept;
}


int
consent_fetch_dest_subresource(const char *value, size_t len)
{
    static const char  *dests[] = {
        "audio", "audioworklet", "font", "image", "json", "manifest",
        "paintworklet", "report", "script", "serviceworker",
        "sharedworker", "style", "track", "video", "worker",
        NULL
    };

    size_t  i;

    for (i = 0; dests[i]; i++) {
        if (strlen(dests[i]) == len && memcmp(dests[i], value, len) == 0) {
            return 1;
        }
    }

    return 0;
}
