
/*
 * Copyright (C) ngx_http_consent_module authors
 */


#include <string.h>
#include <strings.h>

#include "consent_sniff.h"


static int consent_sniff_ws(unsigned char c);
static int consent_sniff_match(const unsigned char *p, size_t len,
    const char *pat, int tt);


/* the patterns of the MIME Sniffing Standard's HTML types, upper case */

static const char  *consent_sniff_tags[] = {
    "<!DOCTYPE HTML", "<HTML", "<HEAD", "<SCRIPT", "<IFRAME", "<H1",
    "<DIV", "<FONT", "<TABLE", "<A", "<STYLE", "<TITLE", "<B", "<BODY",
    "<BR", "<P", NULL
};


int
consent_sniff_type(const char *type, size_t len)
{
    size_t  n;

    if (type == NULL) {
        return 1;
    }

    for (n = 0; n < len && type[n] != ';' && type[n] != ' '
                && type[n] != '\t'; n++)
    {
        /* void */
    }

    return n == 0
           || (n == 15 && strncasecmp(type, "unknown/unknown", 15) == 0)
           || (n == 19 && strncasecmp(type, "application/unknown", 19) == 0)
           || (n == 3 && memcmp(type, "*/*", 3) == 0);
}


size_t
consent_type_essence(const char *type, size_t len, char *out)
{
    size_t  i, n, slash;
    char    c;

    i = 0;

    while (i < len && (type[i] == ' ' || type[i] == '\t')) {
        i++;
    }

    n = 0;
    slash = 0;

    for ( /* void */ ; i < len && type[i] != ';'; i++) {
        c = type[i];

        if (c == ' ' || c == '\t') {
            break;
        }

        if (c == '/') {
            slash++;
        }

        out[n++] = (c >= 'A' && c <= 'Z') ? (char) (c | 0x20) : c;
    }

    /* only blanks may follow before the parameters */

    for ( /* void */ ; i < len && type[i] != ';'; i++) {
        if (type[i] != ' ' && type[i] != '\t') {
            return 0;
        }
    }

    if (slash != 1 || out[0] == '/' || out[n - 1] == '/') {
        return 0;
    }

    return n;
}


static int
consent_sniff_ws(unsigned char c)
{
    return c == 0x09 || c == 0x0a || c == 0x0c || c == 0x0d || c == 0x20;
}


/* 1 match, 0 none, -1 the bytes end inside the pattern */

static int
consent_sniff_match(const unsigned char *p, size_t len, const char *pat,
    int tt)
{
    size_t         i, n;
    unsigned char  c;

    n = strlen(pat);

    for (i = 0; i < n; i++) {
        if (i == len) {
            return -1;
        }

        c = p[i];

        if (c >= 'a' && c <= 'z') {
            c -= 'a' - 'A';
        }

        if (c != (unsigned char) pat[i]) {
            return 0;
        }
    }

    if (!tt) {
        return 1;
    }

    if (n == len) {
        return -1;
    }

    /* a tag-terminating byte */

    return p[n] == 0x20 || p[n] == 0x3e;
}


int
consent_sniff_html(const unsigned char *p, size_t len, int last)
{
    int     rc, more;
    size_t  i;

    if (len > CONSENT_SNIFF_MAX) {
        len = CONSENT_SNIFF_MAX;
        last = 1;
    }

    for (i = 0; i < len && consent_sniff_ws(p[i]); i++) {
        /* void */
    }

    if (i == len) {
        return last ? 0 : -1;
    }

    p += i;
    len -= i;

    /*
     * browsers differ on what may follow "<!--": any comment start
     * counts here
     */

    more = 0;

    rc = consent_sniff_match(p, len, "<!--", 0);
    if (rc == 1) {
        return 1;
    }

    more |= (rc == -1);

    for (i = 0; consent_sniff_tags[i]; i++) {
        rc = consent_sniff_match(p, len, consent_sniff_tags[i], 1);

        if (rc == 1) {
            return 1;
        }

        more |= (rc == -1);
    }

    if (more && !last) {
        return -1;
    }

    /* a tag cut by the end of the body would still be read as HTML */

    return more ? 1 : 0;
}


int
consent_bom_utf16(const unsigned char *p, size_t len, int last)
{
    if (len == 0) {
        return last ? 0 : -1;
    }

    if (p[0] != 0xfe && p[0] != 0xff) {
        return 0;
    }

    if (len == 1) {
        return last ? 0 : -1;
    }

    return (p[0] == 0xfe && p[1] == 0xff) || (p[0] == 0xff && p[1] == 0xfe);
}


const unsigned char *
consent_iso2022_escape(const unsigned char *p, size_t len)
{
    const unsigned char  *e, *end;

    end = p + len;

    while (p < end) {
        e = memchr(p, 0x1b, end - p);
        if (e == NULL) {
            return NULL;
        }

        if (e + 1 == end || e[1] == '$' || e[1] == '(') {
            return e;
        }

        p = e + 1;
    }

    return NULL;
}
