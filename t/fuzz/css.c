
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * The CSS URL finder (src/consent_css.c).
 *
 * Input: 1 byte of set-up, then a stylesheet.  Byte 0: the size of the
 * pieces it is fed in (1 to 64; 0: whole), bit 7 stop before each '<'
 * (and feed it on, as the HTML scanner does).
 *
 * Properties, besides memory safety: the URLs found (their kind, bytes
 * decoded, flags, offsets) are the same whole and in pieces; a URL's
 * bytes as written lie within the input, after its BEGIN, and a URL
 * kept whole has no more decoded bytes than kept; stopping at '<'
 * changes nothing; the end at the last '<' finds a URL only if one was
 * open there.
 */


#include "fuzz.h"
#include "consent_css.h"


#define FUZZ_CSS_MAX  64


typedef struct {
    uint64_t            start;
    uint64_t            end;
    size_t              len;
    unsigned            kind;
    unsigned            flags;
    uint32_t            sum;
} fuzz_css_url_t;


static fuzz_css_url_t  seen[2][FUZZ_CSS_MAX];
static consent_css_t   css;


int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    return 0;
}


static size_t
fuzz_css_run(const char *s, size_t len, size_t step, int stop_lt,
    fuzz_css_url_t *out)
{
    int                ev;
    size_t             n, i;
    uint64_t           begun;
    const char        *p, *q, *e, *lim;
    fuzz_css_url_t    *u;

    memset(&css, 0, sizeof(css));
    css.stop_lt = stop_lt;
    consent_css_init(&css);

    n = 0;
    p = s;
    e = s + len;
    begun = (uint64_t) -1;

    for ( ;; ) {
        if (p < e) {
            lim = (step && (size_t) (e - p) > step) ? p + step : e;
            q = consent_css_scan(&css, p, lim, &ev);
            fuzz_check(q >= p && q <= lim, "stops within what it is given");
            fuzz_check(css.pos == (uint64_t) (q - s), "counts what it read");

            if (ev == CONSENT_CSS_LT) {
                fuzz_check(*q == '<', "stops at a '<'");
                css.stop_lt = 0;
                q = consent_css_scan(&css, q, q + 1, &ev);
                css.stop_lt = 1;

                if (ev == CONSENT_CSS_BEGIN) {
                    begun = css.url_start;
                    css.stop_lt = 0;
                    q = consent_css_scan(&css, q, q + 1, &ev);
                    css.stop_lt = 1;
                }
            }

            p = q;

        } else {
            ev = consent_css_end(&css, css.pos);
        }

        if (ev == CONSENT_CSS_BEGIN) {
            begun = css.url_start;
            fuzz_check(css.url_start == css.pos, "begins where it is");
        }

        if (ev == CONSENT_CSS_URL && n < FUZZ_CSS_MAX) {
            fuzz_check(css.url_start == begun, "a URL ends after it began");
            fuzz_check(css.url_start <= css.url_end && css.url_end <= len,
                       "its bytes lie within the input");
            fuzz_check(css.url_over || css.url_len <= CONSENT_CSS_URL_MAX,
                       "kept");
            fuzz_check(css.url_kind >= CONSENT_CSS_K_URL
                       && css.url_kind <= CONSENT_CSS_K_IMAGE, "a kind");

            u = &out[n++];
            u->start = css.url_start;
            u->end = css.url_end;
            u->len = css.url_len;
            u->kind = css.url_kind;
            u->flags = css.url_bad | (css.url_over << 1);
            u->sum = 0;

            for (i = 0; i < css.url_len && i < CONSENT_CSS_URL_MAX; i++) {
                u->sum = u->sum * 31 + (unsigned char) css.url[i];
            }
        }

        if (p >= e && ev == CONSENT_CSS_NONE) {
            break;
        }
    }

    return n;
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int          stop;
    size_t       step, n0, n1, i, lt;
    uint64_t     at;
    const char  *s, *q;
    int          ev;

    if (size < 1) {
        return 0;
    }

    step = data[0] & 0x3f;
    stop = (data[0] & 0x80) != 0;
    s = (const char *) data + 1;
    size--;

    n0 = fuzz_css_run(s, size, 0, 0, seen[0]);
    n1 = fuzz_css_run(s, size, step, stop, seen[1]);

    fuzz_check(n0 == n1, "as many URLs in pieces");

    for (i = 0; i < n0; i++) {
        fuzz_check(memcmp(&seen[0][i], &seen[1][i], sizeof(seen[0][i])) == 0,
                   "the same URLs in pieces");
    }

    /* a text that ends at its last '<' */
    q = NULL;

    for (lt = size; lt > 0; lt--) {
        if (s[lt - 1] == '<') {
            q = s + lt - 1;
            break;
        }
    }

    if (q == NULL) {
        return 0;
    }

    at = (uint64_t) (q - s);
    memset(&css, 0, sizeof(css));
    consent_css_init(&css);
    css.stop_lt = 1;

    for (q = s; ; ) {
        q = consent_css_scan(&css, q, s + size, &ev);

        if (ev == CONSENT_CSS_LT) {
            if ((uint64_t) (q - s) == at) {
                break;
            }

            css.stop_lt = 0;
            q = consent_css_scan(&css, q, q + 1, &ev);
            css.stop_lt = 1;
        }
    }

    /* the last '<' consumed */
    css.stop_lt = 0;

    do {
        q = consent_css_scan(&css, q, q + 1, &ev);
    } while (ev == CONSENT_CSS_BEGIN && css.pos == at);

    n0 = css.url_open;
    ev = consent_css_end(&css, at);
    fuzz_check((ev == CONSENT_CSS_URL) == (n0 != 0) || css.lt_pos != at,
               "a URL at the end only if one was open");

    if (ev == CONSENT_CSS_URL) {
        fuzz_check(css.url_end <= at && css.url_start <= css.url_end,
                   "ends at the '<'");
    }

    return 0;
}
