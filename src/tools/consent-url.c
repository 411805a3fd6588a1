
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * consent-url: consent_url_parse() on the command line, for the
 * differential test against Node's WHATWG URL (t/url-differential.t).
 *
 *   consent-url URL [BASE]    one URL, printed as below
 *   consent-url -             lines "URLHEX BASEHEX" (hex of the bytes;
 *                             BASEHEX "-" for none) on the standard input
 *
 * Prints one line per URL: "ok" and the scheme, host, port (or "-"),
 * path, query (or "-" for none) and the IPv4 of an IPv4-mapped host (or
 * "-"), separated by tabs; or "failure" or "unhandled".
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "consent_url.h"


#define URL_LINE_MAX  65536


static int url_one(const char *s, size_t len, const char *b, size_t blen,
    int has_base);
static size_t url_unhex(char *s);
static void url_field(const char *s, size_t n);


int
main(int argc, char **argv)
{
    char    *line, *sp;
    size_t   n, bn;

    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: consent-url URL [BASE] | consent-url -\n");
        return 2;
    }

    if (strcmp(argv[1], "-") != 0) {
        return url_one(argv[1], strlen(argv[1]), argc == 3 ? argv[2] : "",
                       argc == 3 ? strlen(argv[2]) : 0, argc == 3);
    }

    line = malloc(URL_LINE_MAX);

    if (line == NULL) {
        return 1;
    }

    while (fgets(line, URL_LINE_MAX, stdin) != NULL) {
        line[strcspn(line, "\r\n")] = '\0';
        sp = strchr(line, ' ');

        if (sp == NULL) {
            fprintf(stderr, "consent-url: bad line\n");
            free(line);
            return 2;
        }

        *sp++ = '\0';

        n = url_unhex(line);

        if (strcmp(sp, "-") == 0) {
            url_one(line, n, "", 0, 0);

        } else {
            bn = url_unhex(sp);
            url_one(line, n, sp, bn, 1);
        }
    }

    free(line);

    return 0;
}


static int
url_one(const char *s, size_t len, const char *b, size_t blen,
    int has_base)
{
    int            rc;
    consent_url_t  u, base;
    char           buf[8192], bbuf[8192];

    base.buf = bbuf;
    base.size = sizeof(bbuf);

    if (has_base) {
        rc = consent_url_parse(&base, b, blen, NULL);

        if (rc != CONSENT_URL_OK) {
            printf("%s\n", rc == CONSENT_URL_FAILURE ? "failure"
                                                     : "unhandled");
            return 0;
        }
    }

    u.buf = buf;
    u.size = sizeof(buf);

    rc = consent_url_parse(&u, s, len, has_base ? &base : NULL);

    if (rc != CONSENT_URL_OK) {
        printf("%s\n", rc == CONSENT_URL_FAILURE ? "failure" : "unhandled");
        return 0;
    }

    printf("ok\t");
    url_field(u.buf, u.scheme_len);
    printf("\t");
    url_field(u.buf + u.host, u.host_len);

    if (u.port >= 0) {
        printf("\t%d\t", u.port);

    } else {
        printf("\t-\t");
    }

    url_field(u.buf + u.path, u.path_len);
    printf("\t");

    if (u.has_query) {
        url_field(u.buf + u.query, u.query_len);

    } else {
        printf("-");
    }

    printf("\t%s%s\n", u.v4[0] ? u.v4 : "-", u.truncated ? "\ttruncated" : "");

    return 0;
}


static size_t
url_unhex(char *s)
{
    size_t        i, n;
    unsigned int  c;

    n = 0;

    for (i = 0; s[i] != '\0' && s[i + 1] != '\0'; i += 2) {
        if (sscanf(s + i, "%2x", &c) != 1) {
            break;
        }

        s[n++] = (char) c;
    }

    s[n] = '\0';

    return n;
}


/* bytes as they are; the parser escapes controls in paths and queries */

static void
url_field(const char *s, size_t n)
{
    fwrite(s, 1, n, stdout);
}
