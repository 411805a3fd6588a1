
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * Accept-Language negotiation (src/consent_lang.c).
 *
 * Input: the list of languages separated by ' ' (at most LANG_MAX of
 * them, a longer list is cut), '\n', then the Accept-Language value.
 *
 * Properties: the index is -1 or one of the list's first
 * CONSENT_LANG_LIST_MAX; only len bytes of the header are read (a
 * malloc'ed copy without a NUL); the header in ASCII upper or lower
 * case gives the same index, and so does the list in either case (tags
 * and "q" compare without regard to case); ",*;q=0" added at the end
 * changes nothing ("*;q=0" only says unnamed languages are unwanted).
 */


#include "fuzz.h"
#include "consent_ascii.h"
#include "consent_lang.h"


#define LANG_MAX  (CONSENT_LANG_LIST_MAX + 4)


static int fuzz_upper(int c);
static int fuzz_pick(char **langs, size_t n, const char *h, size_t len,
    int fold);


int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    return 0;
}


static int
fuzz_upper(int c)
{
    return (c >= 'a' && c <= 'z') ? c - 'a' + 'A' : c;
}


/* fold: 0 as is, 1 upper case, 2 lower case (header and list alike) */

static int
fuzz_pick(char **langs, size_t n, const char *h, size_t len, int fold)
{
    int      r;
    char    *c, *l;
    size_t   i, k;

    c = fuzz_copy(h, len);

    for (i = 0; fold && i < len; i++) {
        c[i] = (char) (fold == 1 ? fuzz_upper(c[i])
                                 : consent_ascii_lower(c[i]));
    }

    for (k = 0; fold && k < n; k++) {
        for (l = langs[k]; *l; l++) {
            *l = (char) (fold == 1 ? fuzz_upper(*l)
                                   : consent_ascii_lower(*l));
        }
    }

    r = consent_lang_pick((const char *const *) langs, n, c, len);
    free(c);

    return r;
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int          r, r2;
    char        *list, *h, *langs[LANG_MAX], *p, *s;
    size_t       n, llen, hlen;
    fuzz_in_t    in;
    const char  *l, *hv;

    in.p = data;
    in.left = size;

    l = fuzz_field(&in, '\n', &llen);
    hv = (const char *) in.p;
    hlen = in.left;

    list = fuzz_copy(l, llen);
    n = 0;

    for (p = list; n < LANG_MAX; ) {
        s = strsep(&p, " ");

        if (s == NULL) {
            break;
        }

        langs[n++] = s;
    }

    r = fuzz_pick(langs, n, hv, hlen, 0);
    fuzz_check(r >= -1 && r < (int) n && r < CONSENT_LANG_LIST_MAX,
               "an index of the list or -1");

    fuzz_check(fuzz_pick(langs, n, hv, hlen, 1) == r, "upper case");
    fuzz_check(fuzz_pick(langs, n, hv, hlen, 2) == r, "lower case");

    h = malloc(hlen + 6);
    if (h == NULL) {
        abort();
    }

    memcpy(h, hv, hlen);
    memcpy(h + hlen, ",*;q=0", 6);
    r2 = consent_lang_pick((const char *const *) langs, n, h, hlen + 6);
    free(h);

    fuzz_check(r2 == r, "\",*;q=0\" at the end changes nothing");

    free(list);

    return 0;
}
