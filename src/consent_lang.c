
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * Accept-Language (RFC 9110, 12.5.4) against a list of languages: the
 * weights, "*", ";q=0" that rules a language out, RFC 4647 basic
 * filtering with a fallback to the same primary language.  Pure C.
 */


#include <stddef.h>
#include <string.h>

#include "consent_ascii.h"
#include "consent_lang.h"


static int consent_al_next(const char **pos, const char *end,
    const char **range, size_t *range_len, int *q);
static int consent_al_qvalue(const char *s, size_t len);
static int consent_al_match(const char *const *langs, size_t n,
    const char *range, size_t len, const unsigned char *excluded);
static int consent_al_covers(const char *range, size_t rlen,
    const char *lang);


int
consent_lang_pick(const char *const *langs, size_t n,
    const char *accept_language, size_t len)
{
    int            q, best_q, m, best, k;
    size_t         i, rlen;
    const char    *pos, *end, *range;
    unsigned char  excluded[CONSENT_LANG_LIST_MAX];

    if (langs == NULL || n == 0 || accept_language == NULL || len == 0) {
        return -1;
    }

    memset(excluded, 0, sizeof(excluded));

    /* first pass: "xx;q=0" rules a language out whatever comes later */
    pos = accept_language;
    end = accept_language + len;

    for (k = 0; k < CONSENT_LANG_RANGES; k++) {
        if (consent_al_next(&pos, end, &range, &rlen, &q) != 0) {
            break;
        }

        /* "*;q=0" only says that unnamed languages are unwanted */
        if (q != 0 || (rlen == 1 && range[0] == '*')) {
            continue;
        }

        for (i = 0; i < n && i < sizeof(excluded); i++) {
            if (consent_al_covers(range, rlen, langs[i])) {
                excluded[i] = 1;
            }
        }
    }

    best = -1;
    best_q = 0;
    pos = accept_language;

    for (k = 0; k < CONSENT_LANG_RANGES; k++) {
        if (consent_al_next(&pos, end, &range, &rlen, &q) != 0) {
            break;
        }

        /* strictly greater: equal weights keep the header's order */
        if (q <= best_q) {
            continue;
        }

        m = consent_al_match(langs, n, range, rlen, excluded);

        if (m >= 0) {
            best = m;
            best_q = q;
        }
    }

    return best;
}


/*
 * Next language range and its weight in thousandths; q is -1 for a
 * malformed weight.  Returns -1 at the end of the header.
 */

static int
consent_al_next(const char **pos, const char *end, const char **range,
    size_t *range_len, int *q)
{
    const char  *p, *r, *param;
    size_t       plen;

    p = *pos;

    for ( ;; ) {
        while (p < end && (*p == ' ' || *p == '\t' || *p == ',')) {
            p++;
        }

        if (p >= end) {
            *pos = p;
            return -1;
        }

        r = p;

        while (p < end && *p != ',' && *p != ';' && *p != ' '
               && *p != '\t')
        {
            p++;
        }

        *range = r;
        *range_len = (size_t) (p - r);
        *q = 1000;

        /* parameters up to the next comma */
        while (p < end && *p != ',') {
            if (*p != ';') {
                p++;
                continue;
            }

            p++;

            while (p < end && (*p == ' ' || *p == '\t')) {
                p++;
            }

            param = p;

            while (p < end && *p != ',' && *p != ';') {
                p++;
            }

            plen = (size_t) (p - param);

            while (plen > 0
                   && (param[plen - 1] == ' ' || param[plen - 1] == '\t'))
            {
                plen--;
            }

            if (plen >= 2 && (param[0] == 'q' || param[0] == 'Q')
                && param[1] == '=')
            {
                *q = consent_al_qvalue(param + 2, plen - 2);
            }
        }

        *pos = p;

        if (*range_len > 0) {
            return 0;
        }
    }
}


/* qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ) */

static int
consent_al_qvalue(const char *s, size_t len)
{
    int     q, scale;
    size_t  i;

    if (len == 0 || (s[0] != '0' && s[0] != '1')) {
        return -1;
    }

    q = (s[0] - '0') * 1000;

    if (len == 1) {
        return q;
    }

    if (s[1] != '.' || len > 5) {
        return -1;
    }

    scale = 100;

    for (i = 2; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return -1;
        }

        q += (s[i] - '0') * scale;
        scale /= 10;
    }

    return q > 1000 ? -1 : q;
}


/* does the range cover the language (RFC 4647 basic filtering)? */

static int
consent_al_covers(const char *range, size_t rlen, const char *lang)
{
    size_t  llen;

    llen = strlen(lang);

    if (rlen > llen) {
        return 0;
    }

    return consent_ascii_ieq(range, rlen, lang, rlen)
           && (rlen == llen || lang[rlen] == '-');
}


/*
 * The language of the list for one range: the longest language that equals
 * the range or a prefix of it ("es-mx" gives "es"), else the first one
 * of the same primary language ("en" gives "en-gb"); "*" gives the
 * default language.  Excluded languages are skipped.
 */

static int
consent_al_match(const char *const *langs, size_t n, const char *range,
    size_t len, const unsigned char *excluded)
{
    int          best;
    size_t       i, llen, blen, primary;
    const char  *lang;

    if (len == 1 && range[0] == '*') {
        for (i = 0; i < n && i < CONSENT_LANG_LIST_MAX; i++) {
            if (!excluded[i]) {
                return (int) i;
            }
        }

        return -1;
    }

    best = -1;
    blen = 0;

    for (i = 0; i < n && i < CONSENT_LANG_LIST_MAX; i++) {
        lang = langs[i];
        llen = strlen(lang);

        if (excluded[i] || llen > len || llen <= blen) {
            continue;
        }

        if (consent_ascii_ieq(lang, llen, range, llen)
            && (llen == len || range[llen] == '-'))
        {
            best = (int) i;
            blen = llen;
        }
    }

    if (best >= 0) {
        return best;
    }

    for (primary = 0; primary < len && range[primary] != '-'; primary++) {
        /* void */
    }

    for (i = 0; i < n && i < CONSENT_LANG_LIST_MAX; i++) {
        lang = langs[i];
        llen = strlen(lang);

        if (!excluded[i] && llen > primary && lang[primary] == '-'
            && consent_ascii_ieq(lang, primary, range, primary))
        {
            return (int) i;
        }
    }

    /*
     * Norwegian: browsers send "nb" (Bokmal) or "nn" (Nynorsk) as often
     * as "no"; a policy written in one of them serves the others
     */

    if (primary == 2
        && (consent_ascii_ieq(range, 2, "no", 2)
            || consent_ascii_ieq(range, 2, "nb", 2)
            || consent_ascii_ieq(range, 2, "nn", 2)))
    {
        for (i = 0; i < n && i < CONSENT_LANG_LIST_MAX; i++) {
            lang = langs[i];
            llen = strlen(lang);

            if (!excluded[i]
                && (llen == 2 || (llen > 2 && lang[2] == '-'))
                && (consent_ascii_ieq(lang, 2, "no", 2)
                    || consent_ascii_ieq(lang, 2, "nb", 2)
                    || consent_ascii_ieq(lang, 2, "nn", 2)))
            {
                return (int) i;
            }
        }
    }

    return -1;
}
