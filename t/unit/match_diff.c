
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * The compiled matcher (src/consent_match_rules.c) against the one it
 * replaced (t/unit/match_ref.h, which tried the rules one at a time).
 * What must hold, and is compared here, for every URL and base:
 *
 *   consent_match_url_base() == ref_match_url_base()
 *   consent_match_element_base() == ref_match_element_base()
 *
 * that is: a reading's rule is the smallest index among the host rules
 * its host equals or ends in "." followed by, and the URL rules found
 * anywhere in its folded text (the first rule in policy order, whatever
 * kind, wherever in the URL); the URL's category is the first of its two
 * readings' rules, an element's mask has both readings' categories.
 *
 * Policies: conf/policy.json, t/html/policy.json, the policy fuzz seeds
 * that parse, and random policies whose patterns overlap on purpose
 * (suffixes of each other, the same pattern in two rules, escapes, TAB,
 * backslashes, upper case).  URLs: random ones over the same pieces, and
 * the words of the fuzz corpora (match, url, html and their regression
 * fixtures) and of the HTML corpora (t/html, t/diff).
 */


#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "match_ref.h"


#define DIFF_RANDOM_POLICIES  400
#define DIFF_RANDOM_URLS      300
#define DIFF_FIXED_URLS       20000
#define DIFF_WORDS_MAX        60000


typedef struct {
    char              **s;
    size_t             *len;
    size_t              n;
} diff_words_t;


static uint64_t diff_rand(void);
static size_t diff_pick(size_t n);
static consent_policy_t *diff_load(const char *path);
static char *diff_slurp(const char *path, size_t *len);
static void diff_add(diff_words_t *w, const char *s, size_t len);
static void diff_words_file(diff_words_t *w, const char *path);
static void diff_words_dir(diff_words_t *w, const char *dir);
static void diff_json_str(char *out, size_t *n, const char *s, size_t len);
static consent_policy_t *diff_random_policy(char *desc, size_t size);
static size_t diff_random_piece(char *out, int host);
static size_t diff_random_url(char *out);
static int diff_one(const consent_policy_t *p, const char *u, size_t len,
    const consent_url_t *base, const char *what);


static uint64_t                 diff_state = 0x9e3779b97f4a7c15ULL;
static consent_url_t            diff_bases[3];
static char                     diff_base_buf[3][2048];
static size_t                   diff_failed;
static size_t                   diff_compared;

/* pieces that the random patterns and URLs share */
static const char *const  diff_labels[] = {
    "a", "b", "ab", "ba", "x", "1", "0", "a-b", "xn--tda", "com", "net",
    "facebook", "www", "10", "0x1"
};

static const char *const  diff_bits[] = {
    "a", "b", "/", ".", "%", "%4", "%41", "%2f", "%5C", "%25", "A", "B",
    "\\", "\t", "\n", "?", "#", "/tr", "tr", ":", "@", "%0", "%%", "%\t4",
    "1", "%c3%a9", "\xc3\xa9", "=", ";"
};


static uint64_t
diff_rand(void)
{
    diff_state ^= diff_state << 13;
    diff_state ^= diff_state >> 7;
    diff_state ^= diff_state << 17;

    return diff_state;
}


static size_t
diff_pick(size_t n)
{
    return (size_t) (diff_rand() % n);
}


static char *
diff_slurp(const char *path, size_t *len)
{
    long   n;
    char  *s;
    FILE  *f;

    f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }

    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);

    s = malloc((size_t) n + 1);
    if (s == NULL || fread(s, 1, (size_t) n, f) != (size_t) n) {
        free(s);
        fclose(f);
        return NULL;
    }

    fclose(f);
    s[n] = '\0';
    *len = (size_t) n;

    return s;
}


static consent_policy_t *
diff_load(const char *path)
{
    char    err[512], *s;
    size_t  len;

    consent_policy_t  *p;

    s = diff_slurp(path, &len);
    if (s == NULL) {
        return NULL;
    }

    p = consent_policy_parse(s, len, err, sizeof(err));
    free(s);

    return p;
}


static void
diff_add(diff_words_t *w, const char *s, size_t len)
{
    if (w->n == DIFF_WORDS_MAX || len == 0) {
        return;
    }

    w->s[w->n] = malloc(len + 1);
    if (w->s[w->n] == NULL) {
        abort();
    }

    memcpy(w->s[w->n], s, len);
    w->s[w->n][len] = '\0';
    w->len[w->n] = len;
    w->n++;
}


/* the file (its first 8 KB), and its words between spaces and quotes */

static void
diff_words_file(diff_words_t *w, const char *path)
{
    char    *s;
    size_t   len, i, start;

    s = diff_slurp(path, &len);
    if (s == NULL) {
        return;
    }

    diff_add(w, s, len < 8192 ? len : 8192);

    /* a fuzz input's first byte picks a function: the rest is a URL */
    if (len > 1) {
        diff_add(w, s + 1, len - 1 < 8192 ? len - 1 : 8192);
    }

    start = 0;

    for (i = 0; i <= len; i++) {
        if (i < len && s[i] != ' ' && s[i] != '"' && s[i] != '\''
            && s[i] != '<' && s[i] != '>' && s[i] != '\0' && s[i] != '\n'
            && s[i] != '=' && s[i] != '(' && s[i] != ')')
        {
            continue;
        }

        if (i - start > 2) {
            diff_add(w, s + start, i - start);
        }

        start = i + 1;
    }

    free(s);
}


static void
diff_words_dir(diff_words_t *w, const char *dir)
{
    DIR            *d;
    struct dirent  *e;
    char            path[1024];

    d = opendir(dir);
    if (d == NULL) {
        return;
    }

    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') {
            continue;
        }

        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        diff_words_file(w, path);
    }

    closedir(d);
}


static void
diff_json_str(char *out, size_t *n, const char *s, size_t len)
{
    size_t    i;
    unsigned  c;

    out[(*n)++] = '"';

    for (i = 0; i < len; i++) {
        c = (unsigned char) s[i];

        if (c == '"' || c == '\\') {
            out[(*n)++] = '\\';
            out[(*n)++] = (char) c;

        } else if (c < 0x20) {
            *n += (size_t) sprintf(out + *n, "\\u%04x", c);

        } else {
            out[(*n)++] = (char) c;
        }
    }

    out[(*n)++] = '"';
}


/* a host (labels) or a URL piece (bits), one to four of them */

static size_t
diff_random_piece(char *out, int host)
{
    size_t       n, k, i;
    const char  *b;

    n = 0;
    k = 1 + diff_pick(4);

    for (i = 0; i < k; i++) {
        if (host) {
            if (i > 0) {
                out[n++] = '.';
            }

            b = diff_labels[diff_pick(sizeof(diff_labels)
                                      / sizeof(diff_labels[0]))];

        } else {
            b = diff_bits[diff_pick(sizeof(diff_bits)
                                    / sizeof(diff_bits[0]))];
        }

        memcpy(out + n, b, strlen(b));
        n += strlen(b);
    }

    return n;
}


/*
 * Categories a, b, c; 1 to 6 rules, each with up to 4 hosts and 4 URL
 * patterns from the pieces above; now and then a long URL pattern
 */

static consent_policy_t *
diff_random_policy(char *desc, size_t size)
{
    char               err[512], *doc, piece[512];
    size_t             n, nrules, i, j, k, len;
    consent_policy_t  *p;

    doc = malloc(65536);
    if (doc == NULL) {
        abort();
    }

    n = (size_t) sprintf(doc,
        "{\"revision\": 1, \"default_language\": \"en\", "
        "\"privacy_url\": \"/p\", \"texts\": {\"en\": {\"title\": \"t\", "
        "\"message\": \"m\", \"accept_all\": \"a\", \"reject_all\": \"r\", "
        "\"customise\": \"c\", \"save\": \"s\", \"withdraw\": \"w\", "
        "\"privacy_link\": \"p\", \"manage\": \"m\", \"always_on\": \"o\", "
        "\"gpc_honoured\": \"g\"}}, \"categories\": ["
        "{\"id\": \"necessary\", \"required\": true, "
        "\"label\": {\"en\": \"N\"}, \"description\": {\"en\": \"N\"}}, "
        "{\"id\": \"a\", \"label\": {\"en\": \"A\"}, "
        "\"description\": {\"en\": \"A\"}}, "
        "{\"id\": \"b\", \"label\": {\"en\": \"B\"}, "
        "\"description\": {\"en\": \"B\"}}, "
        "{\"id\": \"c\", \"label\": {\"en\": \"C\"}, "
        "\"description\": {\"en\": \"C\"}}], \"rules\": [");

    nrules = 1 + diff_pick(6);

    for (i = 0; i < nrules; i++) {
        n += (size_t) sprintf(doc + n, "%s{\"category\": \"%c\"",
                              i ? ", " : "", (int) ('a' + diff_pick(3)));

        k = diff_pick(5);

        if (k > 0) {
            n += (size_t) sprintf(doc + n, ", \"hosts\": [");

            for (j = 0; j < k; j++) {
                len = diff_random_piece(piece, 1);
                doc[n++] = j ? ',' : ' ';
                diff_json_str(doc, &n, piece, len);
            }

            doc[n++] = ']';
        }

        k = diff_pick(5);

        if (k > 0 || doc[n - 1] == '"') {
            k = k ? k : 1;
            n += (size_t) sprintf(doc + n, ", \"urls\": [");

            for (j = 0; j < k; j++) {
                if (diff_pick(20) == 0) {
                    len = 200 + diff_pick(57);
                    memset(piece, 'a' + (int) diff_pick(2), len);

                } else {
                    len = diff_random_piece(piece, 0);
                }

                doc[n++] = j ? ',' : ' ';
                diff_json_str(doc, &n, piece, len);
            }

            doc[n++] = ']';
        }

        doc[n++] = '}';
    }

    n += (size_t) sprintf(doc + n, "]}");

    p = consent_policy_parse(doc, n, err, sizeof(err));

    snprintf(desc, size, "%.*s", (int) (n > 400 ? 400 : n),
             n > 400 ? doc + n - 400 : doc);

    free(doc);

    return p;
}


static size_t
diff_random_url(char *out)
{
    size_t  n, k, i;

    static const char *const  schemes[] = {
        "https://", "http://", "//", "\\\\", "HTTPS://", "ws://", "ftp://",
        "https:", "http:/", "", "/", "data:", "https://u:p@", "h\ttps://"
    };

    n = 0;
    k = diff_pick(sizeof(schemes) / sizeof(schemes[0]));
    memcpy(out, schemes[k], strlen(schemes[k]));
    n += strlen(schemes[k]);

    n += diff_random_piece(out + n, 1);

    for (i = 0; i < n; i++) {
        if (diff_pick(8) == 0 && out[i] >= 'a' && out[i] <= 'z') {
            out[i] = (char) (out[i] - 'a' + 'A');
        }
    }

    if (diff_pick(4) == 0) {
        out[n++] = '.';
    }

    if (diff_pick(4) == 0) {
        n += (size_t) sprintf(out + n, ":%d", (int) diff_pick(500));
    }

    k = diff_pick(5);

    for (i = 0; i < k; i++) {
        out[n++] = diff_pick(3) ? '/' : '\\';
        n += diff_random_piece(out + n, 0);
    }

    if (diff_pick(30) == 0) {
        k = 4000 + diff_pick(400);
        memset(out + n, 'a' + (int) diff_pick(2), k);
        n += k;
    }

    return n;
}


static int
diff_one(const consent_policy_t *p, const char *u, size_t len,
    const consent_url_t *base, const char *what)
{
    int              a, b;
    consent_attr_t   at[2];
    consent_match_t  ma, mb;

    diff_compared++;

    a = consent_match_url_base(p, u, len, base);
    b = ref_match_url_base(p, u, len, base);

    at[0].name = "src";
    at[0].name_len = 3;
    at[0].value = u;
    at[0].value_len = len;
    at[1].name = "srcset";
    at[1].name_len = 6;
    at[1].value = u;
    at[1].value_len = len;

    ma = consent_match_element_base(p, CONSENT_EL_IMG, at, 2, base);
    mb = ref_match_element_base(p, CONSENT_EL_IMG, at, 2, base);

    if (a == b && ma.category == mb.category && ma.mask == mb.mask
        && ma.by == mb.by)
    {
        return 1;
    }

    if (diff_failed++ < 10) {
        printf("# %s: \"%.*s\" (%zu bytes), base %d: new %d/%x, old %d/%x\n",
               what, (int) (len > 200 ? 200 : len), u, len,
               base ? (int) (base - diff_bases) : -1, a, ma.mask, b,
               mb.mask);
    }

    return 0;
}


int
main(void)
{
    char               desc[512], *u;
    size_t             i, j, k, n, before;
    diff_words_t       w;
    consent_policy_t  *p;

    static const char *const  fixed[] = {
        "conf/policy.json", "t/html/policy.json",
        "t/fuzz/corpus/policy/seed-001", "t/fuzz/corpus/policy/seed-002",
        "t/fuzz/corpus/policy/seed-003", "t/fuzz/corpus/policy/seed-004"
    };

    static const char *const  dirs[] = {
        "t/fuzz/corpus/match", "t/fuzz/corpus/url", "t/fuzz/regress/url",
        "t/fuzz/corpus/html", "t/fuzz/corpus/hosts", "t/fuzz/regress/hosts",
        "t/html", "t/diff"
    };

    static const char *const  bases[] = {
        "https://www.facebook.com/a/b",
        "http://a.b/x/y?q",
        "https://www.googletagmanager.com/"
    };

    for (i = 0; i < 3; i++) {
        diff_bases[i].buf = diff_base_buf[i];
        diff_bases[i].size = sizeof(diff_base_buf[i]);

        if (consent_url_parse(&diff_bases[i], bases[i], strlen(bases[i]),
                              NULL)
            != CONSENT_URL_OK)
        {
            printf("Bail out! base %s\n", bases[i]);
            return 1;
        }
    }

    w.s = calloc(DIFF_WORDS_MAX, sizeof(char *));
    w.len = calloc(DIFF_WORDS_MAX, sizeof(size_t));
    w.n = 0;

    u = malloc(16384);

    if (w.s == NULL || w.len == NULL || u == NULL) {
        abort();
    }

    for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
        diff_words_dir(&w, dirs[i]);
    }

    ok(w.n > 1000, "%zu words of the corpora", w.n);

    /* the one fold, as patterns get it */
    n = consent_match_fold("A%2F\tB\\%4%\t41%zz", 17, u);
    u[n] = '\0';
    is_str(u, "a/b/%4a%zz", "fold: case, escapes, TAB, backslash");

    /* the fixed policies: every word, and random URLs */
    for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
        p = diff_load(fixed[i]);

        if (p == NULL) {
            ok(i >= 2, "%s parses", fixed[i]);
            continue;
        }

        before = diff_failed;

        for (j = 0; j < w.n; j++) {
            for (k = 0; k < 4; k++) {
                diff_one(p, w.s[j], w.len[j], k ? &diff_bases[k - 1] : NULL,
                         fixed[i]);
            }
        }

        for (j = 0; j < DIFF_FIXED_URLS; j++) {
            n = diff_random_url(u);
            diff_one(p, u, n, diff_pick(2) ? NULL : &diff_bases[j % 3],
                     fixed[i]);
        }

        ok(diff_failed == before, "%s: new == old on %zu words and %d "
           "random URLs, 4 bases", fixed[i], w.n, DIFF_FIXED_URLS);

        consent_policy_free(p);
    }

    /* random policies whose patterns overlap */
    before = diff_failed;
    k = 0;

    for (i = 0; i < DIFF_RANDOM_POLICIES; i++) {
        p = diff_random_policy(desc, sizeof(desc));

        if (p == NULL) {
            continue;
        }

        k++;

        for (j = 0; j < DIFF_RANDOM_URLS; j++) {
            n = diff_random_url(u);

            if (!diff_one(p, u, n, diff_pick(2) ? NULL : &diff_bases[j % 3],
                          "random policy"))
            {
                if (diff_failed <= 3) {
                    printf("# policy ...%s\n", desc);
                }
            }
        }

        for (j = 0; j < w.n; j += 31) {
            diff_one(p, w.s[j], w.len[j], NULL, "random policy, word");
        }

        consent_policy_free(p);
    }

    ok(k > DIFF_RANDOM_POLICIES / 2, "%zu random policies parse", k);
    ok(diff_failed == before, "random policies: new == old");

    ok(diff_failed == 0, "%zu comparisons, %zu differences", diff_compared,
       diff_failed);

    for (i = 0; i < w.n; i++) {
        free(w.s[i]);
    }

    free(w.s);
    free(w.len);
    free(u);

    return done_testing();
}
