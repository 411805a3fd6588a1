
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * The URL parser (src/consent_url.c).
 *
 * Input: 1 byte of flags, then a base URL and the URL, separated by the
 * first NUL (no NUL: the whole input is the URL).  Flag 1: parse the URL
 * against the base (if the base parses); flag 2: an output buffer of
 * (second byte of the URL) bytes instead of a roomy one.
 *
 * Properties, besides memory safety: the result is OK, FAILURE or
 * UNHANDLED; the parts lie within the serialisation and the
 * serialisation within the buffer, the buffer's bytes after it
 * untouched; the serialisation is idempotent (parsing it again, with no
 * base, gives itself back) unless cut, the first time or the second;
 * its host and path hold no byte a host or a path may not hold; an
 * absolute URL does not depend on the base; consent_url_canonical()
 * says 1 only for a URL the parser gives back unchanged.
 */


#include "fuzz.h"
#include "consent_url.h"


#define FUZZ_URL_BUF   (3 * CONSENT_URL_IN_MAX + 2 * CONSENT_URL_HOST_MAX)


static char  out[FUZZ_URL_BUF + 64], again[FUZZ_URL_BUF + 64];
static char  bbuf[FUZZ_URL_BUF];


int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    return 0;
}


static void
fuzz_parts(const consent_url_t *u, size_t size)
{
    size_t  i;

    fuzz_check(u->len <= size, "within the buffer");
    fuzz_check(u->scheme_len <= u->len, "scheme within");
    fuzz_check(u->host + u->host_len <= u->len, "host within");
    fuzz_check(u->path + u->path_len <= u->len, "path within");
    fuzz_check(!u->has_query || u->query + u->query_len <= u->len,
               "query within");
    fuzz_check(u->port >= -1 && u->port <= 65535, "a port");

    if (u->truncated) {
        return;
    }

    fuzz_check(u->path_len > 0 && u->buf[u->path] == '/',
               "a path from the root");

    for (i = 0; i < u->host_len; i++) {
        if (u->host_type == CONSENT_HOST_IPV6) {
            continue;
        }

        fuzz_check((unsigned char) u->buf[u->host + i] > 0x20
                   && (unsigned char) u->buf[u->host + i] < 0x7f
                   && strchr("#%/:<>?@[\\]^|", u->buf[u->host + i]) == NULL,
                   "an ASCII host without forbidden code points");
        fuzz_check(u->buf[u->host + i] < 'A' || u->buf[u->host + i] > 'Z',
                   "a lower-case host");
    }

    for (i = 0; i < u->path_len; i++) {
        fuzz_check((unsigned char) u->buf[u->path + i] > 0x20
                   && (unsigned char) u->buf[u->path + i] < 0x7f
                   && u->buf[u->path + i] != '\\'
                   && u->buf[u->path + i] != '?'
                   && u->buf[u->path + i] != '#',
                   "a path of printable ASCII without \\ ? #");
    }
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int             rc, rb, r2;
    size_t          blen, len, bufsize;
    unsigned        flags;
    const char     *b, *s, *nul;
    char           *bcopy, *scopy;
    consent_url_t   u, base, v;

    if (size == 0) {
        return 0;
    }

    flags = data[0];
    data++;
    size--;

    nul = memchr(data, '\0', size);

    if (nul != NULL) {
        b = (const char *) data;
        blen = (size_t) (nul - b);
        s = nul + 1;
        len = size - blen - 1;

    } else {
        b = NULL;
        blen = 0;
        s = (const char *) data;
        len = size;
    }

    bcopy = b ? fuzz_copy(b, blen) : NULL;
    scopy = fuzz_copy(s, len);

    base.buf = bbuf;
    base.size = sizeof(bbuf);
    rb = bcopy ? consent_url_parse(&base, bcopy, blen, NULL)
               : CONSENT_URL_FAILURE;

    if (rb == CONSENT_URL_OK) {
        fuzz_parts(&base, sizeof(bbuf));
    }

    bufsize = (flags & 2) && len > 1 ? (unsigned char) s[1] : FUZZ_URL_BUF;
    memset(out, 0x5a, sizeof(out));
    u.buf = out;
    u.size = bufsize;

    rc = consent_url_parse(&u, scopy, len,
                           (flags & 1) && rb == CONSENT_URL_OK ? &base : NULL);

    fuzz_check(rc == CONSENT_URL_OK || rc == CONSENT_URL_FAILURE
               || rc == CONSENT_URL_UNHANDLED, "a result");

    fuzz_check(out[bufsize] == 0x5a, "nothing written past the buffer");

    if (rc == CONSENT_URL_OK) {
        fuzz_parts(&u, bufsize);
    }

    /* idempotent: the serialisation parses to itself */
    if (rc == CONSENT_URL_OK && !u.truncated) {
        v.buf = again;
        v.size = FUZZ_URL_BUF;
        r2 = consent_url_parse(&v, out, u.len, NULL);

        /* escapes may make it longer than the parser reads */
        if (r2 == CONSENT_URL_OK && v.truncated) {
            /* void */

        } else if (r2 != CONSENT_URL_OK || v.len != u.len
            || memcmp(again, out, u.len) != 0)
        {
            fprintf(stderr, "fuzz: \"%.*s\" gave \"%.*s\", then %d \"%.*s\"\n",
                    (int) len, scopy, (int) u.len, out, r2,
                    r2 == CONSENT_URL_OK ? (int) v.len : 0, again);
            fuzz_check(0, "idempotent");
        }
    }

    /* canonical: the parser gives it back, a fragment aside */
    if (consent_url_canonical(scopy, len, 0)) {
        v.buf = again;
        v.size = FUZZ_URL_BUF;
        r2 = consent_url_parse(&v, scopy, len, NULL);
        nul = memchr(scopy, '#', len);

        fuzz_check(len > CONSENT_URL_HOST_MAX || r2 == CONSENT_URL_OK,
                   "canonical parses");

        if (r2 == CONSENT_URL_OK && !v.truncated) {
            fuzz_check(v.len == (nul ? (size_t) (nul - scopy) : len)
                       && memcmp(again, scopy, v.len) == 0,
                       "canonical is its own serialisation");
        }
    }

    /* an absolute URL's base does not matter */
    if (rc == CONSENT_URL_OK && u.scheme_len > 0 && (flags & 1) == 0
        && rb == CONSENT_URL_OK && !u.truncated && len > u.scheme_len + 2
        && (s[u.scheme_len + 1] == '/' || s[u.scheme_len + 1] == '\\')
        && (s[u.scheme_len + 2] == '/' || s[u.scheme_len + 2] == '\\'))
    {
        v.buf = again;
        v.size = FUZZ_URL_BUF;
        r2 = consent_url_parse(&v, scopy, len, &base);
        fuzz_check(r2 == CONSENT_URL_OK && v.len == u.len
                   && memcmp(again, out, u.len) == 0,
                   "an absolute URL ignores the base");
    }

    free(bcopy);
    free(scopy);

    return 0;
}
