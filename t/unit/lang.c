
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * Unit tests of src/consent_lang.c: Accept-Language against a list of
 * languages, as it behaves: weights, "*", ";q=0" exclusions, ranges and
 * the prefix and primary-language fallbacks, malformed headers, the
 * limits on ranges and languages, only len bytes read.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "consent_lang.h"


#define S(s)  s, sizeof(s) - 1
#define N(a)  (sizeof(a) / sizeof(a[0]))


typedef struct {
    const char  *header;
    int          want;
} lang_case_t;


static int pick(const char *const *langs, size_t n, const char *h);
static void run(const char *what, const char *const *langs, size_t n,
    const lang_case_t *cases, size_t ncases);
static void test_weights(void);
static void test_wildcard(void);
static void test_exclusion(void);
static void test_ranges(void);
static void test_malformed(void);
static void test_norwegian(void);
static void test_limits(void);


/* en, pt-br, fr, es: a policy's languages, default first */
static const char *const  four[] = { "en", "pt-br", "fr", "es" };


/* a malloc'ed copy without a NUL, so that ASan sees a read past len */

static int
pick(const char *const *langs, size_t n, const char *h)
{
    int     i;
    char   *c;
    size_t  len;

    len = strlen(h);
    c = malloc(len ? len : 1);
    if (c == NULL) {
        abort();
    }

    memcpy(c, h, len);
    i = consent_lang_pick(langs, n, c, len);
    free(c);

    return i;
}


static void
run(const char *what, const char *const *langs, size_t n,
    const lang_case_t *cases, size_t ncases)
{
    size_t  i;

    for (i = 0; i < ncases; i++) {
        is_int(pick(langs, n, cases[i].header), cases[i].want,
               "%s: \"%s\"", what, cases[i].header);
    }
}


static void
test_weights(void)
{
    static const lang_case_t  cases[] = {
        { "es", 3 },
        { "ES", 3 },
        { "fr, es", 2 },
        { "de, fr;q=0.9", 2 },
        { "fr;q=0.5, es;q=0.8", 3 },
        { "fr;Q=0.5, es;q=0.8", 3 },
        { "fr;q=0.8, es;q=0.8", 2 },
        { "fr;q=0.8, es;q=0.800", 2 },
        { "fr;q=0.799, es;q=0.8", 3 },
        { "fr;q=0.001, es;q=0.002", 3 },
        { "es;q=1, fr;q=1.0", 3 },
        { "es;q=1.000", 3 },
        { "es;q=0.5, fr;q=1", 2 },
        { "es ; q=0.5 , fr ; q=0.4", 3 },
        { "es;level=1;q=0.5, fr;q=0.4", 3 },
        { "es;q=0.5;level=1, fr;q=0.4", 3 },
        { "es;q=0.4;q=0.6, fr;q=0.5", 3 },
        { "es\t;\tq=0.5,\tfr;q=0.4", 3 },
        { "de;q=0.9, en;q=0.1", 0 },
    };

    run("weights", four, N(four), cases, N(cases));
}


static void
test_wildcard(void)
{
    static const lang_case_t  cases[] = {
        { "*", 0 },
        { "de, *;q=0.5", 0 },
        { "*;q=0.5, fr", 2 },
        { "en;q=0, *", 1 },
        { "en;q=0, pt;q=0, *", 2 },
        { "es, *;q=0", 3 },
        { "*;q=0", -1 },
        { "en;q=0, pt-br;q=0, fr;q=0, es;q=0, *", -1 },
    };

    run("wildcard", four, N(four), cases, N(cases));
}


static void
test_exclusion(void)
{
    static const char *const  regional[] = { "en", "es", "es-mx" };
    static const lang_case_t  cases[] = {
        { "es;q=0", -1 },
        { "es;q=0.0, fr;q=0.1", 2 },
        { "es;q=0.000, fr;q=0.1", 2 },
        { "es;q=0, fr;q=0.1", 2 },
        { "fr;q=0.1, es;q=0", 2 },
        { "es;q=0, *", 0 },
        { "es-MX;q=0, es", 3 },
        { "es;q=0, es-MX", -1 },
        { "pt;q=0, pt-BR", -1 },
        { "pt-br;q=0, pt", -1 },
    };
    static const lang_case_t  regional_cases[] = {
        { "es;q=0, es-MX", -1 },
        { "es-MX;q=0, es-MX", 1 },
        { "es-MX;q=0, es", 1 },
        { "es-mx-x;q=0, es-MX", 2 },
    };

    run("exclusion", four, N(four), cases, N(cases));
    run("exclusion, regional", regional, N(regional), regional_cases,
        N(regional_cases));
}


static void
test_ranges(void)
{
    static const char *const  regional[] = { "en", "es", "es-mx", "pt-pt",
                                             "pt-br" };
    static const lang_case_t  cases[] = {
        { "es-MX", 3 },
        { "es-419", 3 },
        { "es-MX,es;q=0.9,en;q=0.8", 3 },
        { "es-", 3 },
        { "es-MX-x-private-use-extension-that-is-long", 3 },
        { "pt-BR", 1 },
        { "PT-br", 1 },
        { "pt", 1 },
        { "pt-PT", 1 },
        { "en-GB,en;q=0.9", 0 },
        { "e", -1 },
        { "esp", -1 },
        { "de", -1 },
        { "de-DE, de;q=0.9", -1 },
    };
    static const lang_case_t  regional_cases[] = {
        /* the longest language that is the range or a prefix of it */
        { "es-MX", 2 },
        { "es-mx-x-foo", 2 },
        { "ES-AR", 1 },
        { "es", 1 },
        /* else the first of the same primary language */
        { "pt", 3 },
        { "pt-AO", 3 },
        { "pt-BR", 4 },
        { "pt-br-x", 4 },
        { "pt-BR;q=0.5, pt-PT", 3 },
    };
    static const char *const  mixed[] = { "EN", "Es-Mx" };
    static const lang_case_t  mixed_cases[] = {
        { "es-MX", 1 },
        { "es", 1 },
        { "en-us", 0 },
        { "es-mx;q=0, en;q=0.1", 0 },
    };

    run("ranges", four, N(four), cases, N(cases));
    run("ranges, regional", regional, N(regional), regional_cases,
        N(regional_cases));
    run("ranges, list in mixed case", mixed, N(mixed), mixed_cases,
        N(mixed_cases));
}


static void
test_malformed(void)
{
    static const lang_case_t  cases[] = {
        { "", -1 },
        { " ", -1 },
        { ",,,", -1 },
        { ",,,,es", 3 },
        { ";;;,,, ;q=1, =,", -1 },
        { "\x01\xff\x80, es", 3 },
        { "-, -es", -1 },
        { "es;q=1.5", -1 },
        { "es;q=abc", -1 },
        { "es;q=0.9999", -1 },
        { "es;q=", -1 },
        { "es;q=-1", -1 },
        { "es;q=1.001", -1 },
        { "es;q=.5", -1 },
        { "es;q=0.5x", -1 },
        { "es;q=1.5, fr;q=0.1", 2 },
        { "es;q=abc, fr", 2 },
        /* not a weight: "q =" is another parameter, the weight stays 1 */
        { "es;q =0.5, fr;q=0.9", 3 },
        { "es;x=0, fr;q=0.9", 3 },
        { "es fr", 3 },
        { "es;;q=0.5, fr;q=0.4", 3 },
    };

    run("malformed", four, N(four), cases, N(cases));
}


static void
test_norwegian(void)
{
    static const char *const  no[] = { "en", "no", "es" };
    static const char *const  nb[] = { "en", "nb-no" };
    static const lang_case_t  cases[] = {
        { "nb-NO,nb;q=0.9,en;q=0.8", 1 },
        { "nn", 1 },
        { "NO-no", 1 },
        { "sv, nb;q=0.5, es;q=0.4", 1 },
        { "nb;q=0, en", 0 },
        { "nbx, nob", -1 },
        { "es, nb", 2 },
    };
    static const lang_case_t  nb_cases[] = {
        { "no", 1 },
        { "nn-NO", 1 },
        { "nb", 1 },
    };

    run("norwegian", no, N(no), cases, N(cases));
    run("norwegian, nb-no", nb, N(nb), nb_cases, N(nb_cases));
}


static void
test_limits(void)
{
    int           i;
    char         *h, tags[CONSENT_LANG_LIST_MAX + 8][8];
    size_t        k, len;
    const char   *many[CONSENT_LANG_LIST_MAX + 8];

    ok(consent_lang_pick(NULL, 0, S("es")) == -1, "NULL list");
    ok(consent_lang_pick(four, 0, S("es")) == -1, "empty list");
    ok(consent_lang_pick(four, N(four), NULL, 0) == -1, "NULL header");
    ok(consent_lang_pick(four, N(four), NULL, 10) == -1, "NULL with a len");
    ok(consent_lang_pick(four, N(four), "es", 0) == -1, "len 0");

    /* only len bytes are read */
    is_int(consent_lang_pick(four, N(four), "esXXXX", 2), 3, "len honoured");
    is_int(consent_lang_pick(four, N(four), "fr, es", 2), 2,
           "len honoured, cut before a range");
    is_int(consent_lang_pick(four, N(four), "es;q=0.5", 5), -1,
           "len honoured, cut inside a weight");

    /* the languages of a long list after CONSENT_LANG_LIST_MAX: unseen */
    for (k = 0; k < N(many); k++) {
        snprintf(tags[k], sizeof(tags[k]), "x%c%c", 'a' + (int) (k / 26),
                 'a' + (int) (k % 26));
        many[k] = tags[k];
    }

    i = CONSENT_LANG_LIST_MAX - 1;
    is_int(consent_lang_pick(many, N(many), tags[i], 3), i,
           "the last language looked at");
    i = CONSENT_LANG_LIST_MAX;
    is_int(consent_lang_pick(many, N(many), tags[i], 3), -1,
           "a language past CONSENT_LANG_LIST_MAX");

    /* ranges after CONSENT_LANG_RANGES: unseen */
    len = 256 * 1024;
    h = malloc(len);
    if (h == NULL) {
        abort();
    }

    memset(h, 'a', len);
    is_int(consent_lang_pick(four, N(four), h, len), -1, "256 KiB token");

    for (k = 0; k + 13 <= len; k += 13) {
        memcpy(h + k, "xx-yy;q=0.5, ", 13);
    }

    memcpy(h + len - 2, "es", 2);
    is_int(consent_lang_pick(four, N(four), h, len), -1,
           "a language after thousands of ranges is not looked at");

    memcpy(h + 13 * 10, "es, ", 4);
    is_int(consent_lang_pick(four, N(four), h, len), 3,
           "an early language among thousands of ranges");

    /* one range a 13-byte slot: the 64th counts, the 65th is not read */
    for (k = 0; k + 13 <= len; k += 13) {
        memcpy(h + k, "xx-yy;q=0.5, ", 13);
    }

    memcpy(h + 13 * (CONSENT_LANG_RANGES - 1), "fr;q=0.9,    ", 13);
    is_int(consent_lang_pick(four, N(four), h, len), 2,
           "the last range looked at counts");

    memcpy(h + 13 * (CONSENT_LANG_RANGES - 1), "xx-yy;q=0.5, ", 13);
    memcpy(h + 13 * CONSENT_LANG_RANGES, "fr;q=0.9,    ", 13);
    is_int(consent_lang_pick(four, N(four), h, len), -1,
           "the range after CONSENT_LANG_RANGES is not");

    memset(h, ';', len);
    is_int(consent_lang_pick(four, N(four), h, len), -1, "256 KiB of ';'");

    memset(h, ',', len);
    memcpy(h + len - 2, "es", 2);
    is_int(consent_lang_pick(four, N(four), h, len), 3,
           "empty ranges are not counted");

    free(h);
}


int
main(void)
{
    test_weights();
    test_wildcard();
    test_exclusion();
    test_ranges();
    test_malformed();
    test_norwegian();
    test_limits();

    return done_testing();
}
