
/*
 * Copyright (C) ngx_http_consent_module authors
 */


#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <zlib.h>

#include "consent_inflate.h"


typedef enum {
    CONSENT_Z_START = 0,          /* deflate: which wrapping, not known */
    CONSENT_Z_BODY,
    CONSENT_Z_BETWEEN,            /* gzip: a member ended, another may come */
    CONSENT_Z_DONE                /* what follows is ignored, as by browsers */
} consent_z_state_e;


struct consent_inflate_s {
    z_stream             zs;
    consent_coding_e     coding;
    consent_z_state_e    state;
    uint64_t             limit;
    uint64_t             total;
    unsigned char        head[2];     /* the first bytes, while undecided */
    size_t               nhead;
    int                  inited;
    const char          *err;
};


static int consent_inflate_start(consent_inflate_t *z, int window);
static int consent_coding_token(const char *p, size_t n, const char *name);


static int
consent_coding_token(const char *p, size_t n, const char *name)
{
    return strlen(name) == n && strncasecmp(p, name, n) == 0;
}


consent_coding_e
consent_coding(const char *value, size_t len)
{
    size_t             i, start, end;
    consent_coding_e   c, found;
    int                n;

    found = CONSENT_CODING_NONE;
    n = 0;

    for (start = 0; start <= len; start = end + 1) {

        for (end = start; end < len && value[end] != ','; end++) {
            /* void */
        }

        for (i = start; i < end && (value[i] == ' ' || value[i] == '\t');
             i++)
        {
            /* void */
        }

        start = i;

        while (end > start
               && (value[end - 1] == ' ' || value[end - 1] == '\t'))
        {
            end--;
        }

        if (end > start
            && !consent_coding_token(value + start, end - start, "identity"))
        {
            if (consent_coding_token(value + start, end - start, "gzip")
                || consent_coding_token(value + start, end - start, "x-gzip"))
            {
                c = CONSENT_CODING_GZIP;

            } else if (consent_coding_token(value + start, end - start,
                                            "deflate"))
            {
                c = CONSENT_CODING_DEFLATE;

            } else {
                c = CONSENT_CODING_OTHER;
            }

            found = c;
            n++;
        }

        /* end may have moved back over blanks */
        while (end < len && value[end] != ',') {
            end++;
        }
    }

    /* codings applied one over another: not ours to unwrap */

    return n > 1 ? CONSENT_CODING_OTHER : found;
}


const char *
consent_coding_name(consent_coding_e coding)
{
    switch (coding) {
    case CONSENT_CODING_NONE:
        return "identity";
    case CONSENT_CODING_GZIP:
        return "gzip";
    case CONSENT_CODING_DEFLATE:
        return "deflate";
    default:
        return "other";
    }
}


consent_inflate_t *
consent_inflate_new(consent_coding_e coding, uint64_t limit)
{
    consent_inflate_t  *z;

    if (coding != CONSENT_CODING_GZIP && coding != CONSENT_CODING_DEFLATE) {
        return NULL;
    }

    z = calloc(1, sizeof(consent_inflate_t));
    if (z == NULL) {
        return NULL;
    }

    z->coding = coding;
    z->limit = limit;

    if (coding == CONSENT_CODING_GZIP) {
        if (consent_inflate_start(z, 16 + MAX_WBITS) != 0) {
            free(z);
            return NULL;
        }

        z->state = CONSENT_Z_BODY;
    }

    return z;
}


static int
consent_inflate_start(consent_inflate_t *z, int window)
{
    memset(&z->zs, 0, sizeof(z_stream));

    if (inflateInit2(&z->zs, window) != Z_OK) {
        return -1;
    }

    z->inited = 1;

    return 0;
}


void
consent_inflate_free(consent_inflate_t *z)
{
    if (z == NULL) {
        return;
    }

    if (z->inited) {
        inflateEnd(&z->zs);
    }

    free(z);
}


uint64_t
consent_inflate_total(const consent_inflate_t *z)
{
    return z->total;
}


const char *
consent_inflate_error(const consent_inflate_t *z)
{
    return z->err ? z->err : "corrupt data";
}


consent_inflate_rc_e
consent_inflate(consent_inflate_t *z, const unsigned char **in,
    size_t *in_len, unsigned char *out, size_t *out_len, int last)
{
    int             rc, window;
    size_t          room, n;
    unsigned char   hdr[2];

    room = *out_len;
    *out_len = 0;

    if (z->state == CONSENT_Z_DONE) {
        *in += *in_len;
        *in_len = 0;
        return CONSENT_INFLATE_END;
    }

    if (z->state == CONSENT_Z_START) {

        /*
         * "deflate" is zlib-wrapped by the standard and raw by many
         * servers; browsers take either, told apart by the first two
         * bytes
         */

        while (z->nhead < 2 && *in_len) {
            z->head[z->nhead++] = **in;
            (*in)++;
            (*in_len)--;
        }

        if (z->nhead < 2) {
            if (last) {
                z->err = "the body ends inside the deflate header";
                return CONSENT_INFLATE_ERROR;
            }

            return CONSENT_INFLATE_OK;
        }

        window = ((z->head[0] & 0x0f) == Z_DEFLATED
                  && (z->head[0] >> 4) <= 7
                  && ((z->head[0] << 8) | z->head[1]) % 31 == 0)
                 ? MAX_WBITS : -MAX_WBITS;

        if (consent_inflate_start(z, window) != 0) {
            z->err = "out of memory";
            return CONSENT_INFLATE_ERROR;
        }

        z->state = CONSENT_Z_BODY;

        /* the two bytes held back go in first */

        memcpy(hdr, z->head, 2);
        z->zs.next_in = hdr;
        z->zs.avail_in = 2;
        z->zs.next_out = out;
        z->zs.avail_out = (uInt) room;

        while (z->zs.avail_in) {
            rc = inflate(&z->zs, Z_NO_FLUSH);

            if (rc != Z_OK && rc != Z_BUF_ERROR) {
                z->err = z->zs.msg ? z->zs.msg : "bad deflate header";
                return CONSENT_INFLATE_ERROR;
            }

            if (rc == Z_BUF_ERROR) {
                break;
            }
        }

        n = room - z->zs.avail_out;
        *out_len = n;
        out += n;
        room -= n;
        z->total += n;
    }

    if (z->state == CONSENT_Z_BETWEEN) {

        if (*in_len == 0) {
            return CONSENT_INFLATE_END;
        }

        /* another gzip member, or bytes that browsers ignore */

        if ((*in)[0] != 0x1f || (*in_len > 1 && (*in)[1] != 0x8b)) {
            z->state = CONSENT_Z_DONE;
            *in += *in_len;
            *in_len = 0;
            return CONSENT_INFLATE_END;
        }

        if (inflateReset(&z->zs) != Z_OK) {
            z->err = "inflateReset() failed";
            return CONSENT_INFLATE_ERROR;
        }

        z->state = CONSENT_Z_BODY;
    }

    z->zs.next_in = (unsigned char *) *in;
    z->zs.avail_in = (uInt) *in_len;
    z->zs.next_out = out;
    z->zs.avail_out = (uInt) room;

    rc = inflate(&z->zs, Z_NO_FLUSH);

    n = room - z->zs.avail_out;
    *out_len += n;
    z->total += n;

    *in_len = z->zs.avail_in;
    *in = z->zs.next_in;

    if (z->limit && z->total > z->limit) {
        return CONSENT_INFLATE_TOO_BIG;
    }

    switch (rc) {

    case Z_STREAM_END:
        z->state = (z->coding == CONSENT_CODING_GZIP) ? CONSENT_Z_BETWEEN
                                                      : CONSENT_Z_DONE;

        if (z->state == CONSENT_Z_DONE) {
            *in += *in_len;
            *in_len = 0;
        }

        return CONSENT_INFLATE_END;

    case Z_OK:
    case Z_BUF_ERROR:
        /* the output has room, so the stream wants input there is not */

        if (last && *in_len == 0 && z->zs.avail_out) {
            z->err = "the compressed body is cut short";
            return CONSENT_INFLATE_ERROR;
        }

        return CONSENT_INFLATE_OK;

    default:
        z->err = z->zs.msg ? z->zs.msg : "corrupt data";
        return CONSENT_INFLATE_ERROR;
    }
}
