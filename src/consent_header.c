
/*
 * Copyright (C) ngx_http_consent_module authors
 */


#include <string.h>
#include <strings.h>

#include "consent_ascii.h"
#include "consent_header.h"


static int consent_has_ci(const char *s, size_t len, const char *what);
static int consent_token_is(const char *s, size_t len, const char *what);


static int
consent_has_ci(const char *s, size_t len, const char *what)
{
    size_t  i, j, n;

    n = strlen(what);

    for (i = 0; i + n <= len; i++) {
        for (j = 0; j < n; j++) {
            if (consent_ascii_lower((unsigned char) s[i + j]) != what[j]) {
                break;
            }
        }

        if (j == n) {
            return 1;
        }
    }

    return 0;
}


int
consent_charset_ascii(const char *content_type, size_t ct_len,
    const char *charset, size_t cs_len)
{
    if (charset != NULL
        && (consent_has_ci(charset, cs_len, "utf-16")
            || consent_has_ci(charset, cs_len, "utf-32")
            || consent_has_ci(charset, cs_len, "ucs-2")))
    {
        return 0;
    }

    if (content_type != NULL
        && (consent_has_ci(content_type, ct_len, "utf-16")
            || consent_has_ci(content_type, ct_len, "utf-32")
            || consent_has_ci(content_type, ct_len, "ucs-2")))
    {
        return 0;
    }

    return 1;
}


int
consent_charset_fixed(const char *content_type, size_t ct_len,
    const char *charset, size_t cs_len)
{
    if (charset != NULL && cs_len) {
        return !consent_has_ci(charset, cs_len, "2022");
    }

    if (content_type != NULL && consent_has_ci(content_type, ct_len,
                                               "charset="))
    {
        return !consent_has_ci(content_type, ct_len, "2022");
    }

    return 0;
}


/* a directive's name: "s-maxage=60" is s-maxage */

static int
consent_token_is(const char *s, size_t len, const char *what)
{
    size_t  i, n;

    n = strlen(what);

    if (len < n) {
        return 0;
    }

    for (i = 0; i < n; i++) {
        if (consent_ascii_lower((unsigned char) s[i]) != what[i]) {
            return 0;
        }
    }

    return len == n || s[n] == '=' || s[n] == ' ' || s[n] == '\t';
}


size_t
consent_cache_control_private(const char *value, size_t len, char *out)
{
    size_t       i, start, end, n;
    const char  *tok;

    if (consent_has_ci(value, len, "no-store")
        || consent_has_ci(value, len, "private"))
    {
        memcpy(out, value, len);
        return len;
    }

    memcpy(out, "private", 7);
    n = 7;

    for (start = 0; start < len; start = end + 1) {

        for (end = start; end < len && value[end] != ','; end++) {
            /* void */
        }

        for (i = start; i < end && (value[i] == ' ' || value[i] == '\t');
             i++)
        {
            /* void */
        }

        tok = value + i;

        while (end > i && (value[end - 1] == ' ' || value[end - 1] == '\t'))
        {
            end--;
        }

        if (end == i
            || consent_token_is(tok, end - i, "public")
            || consent_token_is(tok, end - i, "s-maxage"))
        {
            /* end may have moved back over blanks: find the comma again */
            while (end < len && value[end] != ',') {
                end++;
            }

            continue;
        }

        memcpy(out + n, ", ", 2);
        memcpy(out + n + 2, tok, end - i);
        n += 2 + (end - i);

        while (end < len && value[end] != ',') {
            end++;
        }
    }

    return n;
}


/* RFC 9110 12.5.3: codings with weights; "q=0" means "not acceptable" */

int
consent_accept_gzip(const char *value, size_t len)
{
    int          gzip, star, q;
    size_t       i, n;
    const char  *p, *end, *tok;

    gzip = -1;
    star = -1;
    p = value;
    end = value + len;

    while (p != NULL && p < end) {

        while (p < end && (*p == ' ' || *p == '\t' || *p == ',')) {
            p++;
        }

        tok = p;

        while (p < end && *p != ',' && *p != ';' && *p != ' '
               && *p != '\t')
        {
            p++;
        }

        n = p - tok;
        q = 1;

        /* parameters: only q matters; "q=0", "q=0.0", "q=0.000" refuse */

        while (p < end && *p != ',') {
            if (*p == ';') {
                p++;

                while (p < end && (*p == ' ' || *p == '\t')) {
                    p++;
                }

                if (end - p >= 3 && (p[0] == 'q' || p[0] == 'Q')
                    && p[1] == '=' && p[2] == '0')
                {
                    q = 0;

                    for (i = 3; p + i < end && p[i] != ',' && p[i] != ';'
                                && p[i] != ' '; i++)
                    {
                        if (p[i] != '.' && p[i] != '0') {
                            q = 1;
                        }
                    }
                }

                continue;
            }

            p++;
        }

        if ((n == 4 && strncasecmp(tok, "gzip", 4) == 0)
            || (n == 6 && strncasecmp(tok, "x-gzip", 6) == 0))
        {
            gzip = q;

        } else if (n == 1 && tok[0] == '*') {
            star = q;
        }
    }

    if (gzip >= 0) {
        return gzip;
    }

    return star == 1;
}


size_t
consent_accept_encoding_ours(const char *value, size_t len, char *out)
{
    size_t       n, tn, kept;
    const char  *p, *end, *start, *tok;

    p = value;
    end = value + len;
    n = 0;
    kept = 0;

    /*
     * Each coding kept after the first costs one byte more than its
     * ',' did ("a,b" becomes "a, b"): at most 8 are kept, so the value
     * stays within len + 8 bytes (no browser sends so many)
     */

    while (p < end && kept < CONSENT_AE_CODINGS_MAX) {

        while (p < end && (*p == ' ' || *p == '\t' || *p == ',')) {
            p++;
        }

        if (p == end) {
            break;
        }

        start = p;
        tok = p;

        while (p < end && *p != ',' && *p != ';' && *p != ' '
               && *p != '\t')
        {
            p++;
        }

        tn = p - tok;

        while (p < end && *p != ',') {
            p++;
        }

        if ((tn == 4 && strncasecmp(tok, "gzip", 4) == 0)
            || (tn == 6 && strncasecmp(tok, "x-gzip", 6) == 0)
            || (tn == 7 && strncasecmp(tok, "deflate", 7) == 0)
            || (tn == 8 && strncasecmp(tok, "identity", 8) == 0))
        {
            if (n) {
                out[n++] = ',';
                out[n++] = ' ';
            }

            /* a coding and its parameters, blanks at the end left out */

            tn = p - start;

            while (tn && (start[tn - 1] == ' ' || start[tn - 1] == '\t')) {
                tn--;
            }

            memcpy(out + n, start, tn);
            n += tn;
            kept++;
        }
    }

    if (n == 0) {
        memcpy(out, "identity", 8);
        n = 8;
    }

    return n;
}


size_t
consent_cache_control_no_cache(const char *value, size_t len, char *out)
{
    size_t  i, n;

    /* "no-cache" as a directive of its own, not inside "no-cache=..." */

    for (i = 0; i + 8 <= len; i++) {
        if ((i == 0 || value[i - 1] == ',' || value[i - 1] == ' '
             || value[i - 1] == '\t')
            && (consent_token_is(value + i, len - i, "no-cache")
                || consent_token_is(value + i, len - i, "no-store")))
        {
            if (i + 8 == len || value[i + 8] != '=') {
                memmove(out, value, len);
                return len;
            }
        }
    }

    n = len;

    while (n && (value[n - 1] == ' ' || value[n - 1] == '\t'
                 || value[n - 1] == ','))
    {
        n--;
    }

    memmove(out, value, n);

    if (n) {
        memcpy(out + n, ", ", 2);
        n += 2;
    }

    memcpy(out + n, "no-cache", 8);

    return n + 8;
}


size_t
consent_cache_control_page(const char *value, size_t len, int private,
    char *out)
{
    size_t  n;

    if (private) {
        n = consent_cache_control_private(value, len, out);

    } else {
        memcpy(out, value, len);
        n = len;
    }

    return consent_cache_control_no_cache(out, n, out);
}
